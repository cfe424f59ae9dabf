import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit
import SQLiteKit
import SQLKit
import Synchronization
import Tracing

/// Where the data lives: `sqlite:PATH` (embedded, the default) or `postgres://user:pass@host:port/db`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// Parses a `DATABASE_URL`, refusing anything else with a message a person understands.
    public init(parsing text: String) throws(StoreError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw .badConfiguration("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/incentives.sqlite") }
            self = .sqlite(path: path)
        } else if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            guard URL(string: trimmed)?.host?.isEmpty == false else {
                throw .badConfiguration("DATABASE_URL is not a valid postgres:// URL (expected postgres://user:pass@host:port/db)")
            }
            self = .postgres(url: trimmed)
        } else {
            let scheme = trimmed.split(separator: ":").first.map(String.init) ?? trimmed
            throw .badConfiguration("DATABASE_URL scheme '\(scheme)' is not supported; use sqlite:PATH or postgres://user:pass@host:port/db")
        }
    }

    /// Without the password, for logs and banners.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url):
            guard var parts = URLComponents(string: url) else { return "postgres://…" }
            if parts.password != nil { parts.password = "***" }
            return parts.string ?? "postgres://…"
        }
    }
}

/// The two SQL dialects the product speaks; the few places they differ ask for this.
public enum SQLFlavor: String, Sendable {
    case sqlite, postgres
}

/// Errors of the storage layer that a person can act on.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case badConfiguration(String)
    case unreachable(String)
    /// Someone else changed the record first (optimistic locking lost).
    case conflict(String)
    case notFound(String)
    case invalid(field: String, String)
    /// A stored value the code does not understand: a bug or a damaged database, never the user's input.
    case corrupt(String)

    public var description: String {
        switch self {
        case .badConfiguration(let m), .unreachable(let m), .conflict(let m), .notFound(let m), .corrupt(let m): m
        case .invalid(_, let m): m
        }
    }
}

/// A statement the database refused or failed, in words an operator can act on: which operation, the server's
/// message and its SQL state (the driver's own description hides all three "to prevent leakage").
public struct DatabaseFailure: Error, CustomStringConvertible, CustomDebugStringConvertible {
    /// Where it happened: the repository and its function.
    public let operation: String
    public let sqlState: String?
    public let message: String

    public var description: String {
        "Database operation \(operation) failed: \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")
    }
    public var debugDescription: String { description }
}

/// A database: SQLite through a few file handles and one writer at a time, or PostgreSQL through postgres-nio's
/// `PostgresClient`, a maintained pool that times out connecting, drops broken connections and reconnects by
/// itself. Either way a caller that cannot get a connection within `leaseTimeout` hears
/// `StoreError.unreachable` (a 503), rather than waiting on a database that is down.
public final class Database: Sendable {
    public let flavor: SQLFlavor
    public let location: DatabaseLocation
    private let connections: Connections
    /// SQLite has one writer at a time; it runs the writes queued at once in one transaction (`SQLiteWriter`).
    let writer: SQLiteWriter?
    /// Copies SQLite's log into the file beside the writer rather than inside its COMMIT.
    let checkpointer: WALCheckpointer?
    let logger: Logger
    /// Raised by every committed write that may change claims (all but sessions and the mail outbox): what is
    /// derived from claims and kept in memory (the claims list's tab counts) holds while it stays the same.
    private let claimWrites = Atomic<UInt64>(0)
    public var claimGeneration: UInt64 { claimWrites.load(ordering: .acquiring) }
    let tabCounts = TabCountCache()
    /// Claim transitions' engagements and calendars, per catalogue revision.
    let catalogue = CatalogueCache()
    /// The telemetry of the app that serves from this database (nothing until one attaches its own).
    private let instruments = Mutex(StoreInstruments(.off))
    /// Where statements are written while a test records them (`recordingStatements`); nil, and nothing is wrapped.
    let statementLog = Mutex<StatementLog?>(nil)
    /// Whether `statementLog` holds a log: read first on every connection use, so serving takes no lock for it.
    let isRecording = Atomic<Bool>(false)

    /// Reports the pool's use, every call's span and the committed claim transitions to `telemetry` from now on.
    public func instrument(with telemetry: Telemetry) { instruments.withLock { $0 = StoreInstruments(telemetry) } }

    /// What this database reports to.
    public var telemetry: Telemetry { instruments.withLock { $0.telemetry } }

    /// `db.system` as OpenTelemetry names it.
    private var system: String { flavor == .sqlite ? "sqlite" : "postgresql" }

    private enum Connections: Sendable {
        case sqlite(SQLiteHandles)
        /// The client, the task that runs it (its connections live only while it runs), and how long to wait
        /// for a connection.
        case postgres(PostgresClient, running: Task<Void, Never>, leaseTimeout: Duration)
    }

    /// Opens the database and checks that it answers.
    /// - Parameters:
    ///   - leaseTimeout: how long a caller waits for a connection (PostgreSQL) before the database counts as down.
    ///   - statementTimeout: PostgreSQL's `statement_timeout` for every connection; nil for none (batch commands).
    ///   - keptStatements: how many prepared statements each SQLite connection keeps (0: prepared anew each time).
    ///   - writeBatch: how many queued writes one SQLite transaction takes at most (1: each commits alone).
    ///   - backgroundCheckpoints: false leaves SQLite to checkpoint inside the COMMIT, as before `WALCheckpointer`
    ///     (benchmarks compare).
    public static func open(_ location: DatabaseLocation, maxConnections: Int = 8, leaseTimeout: Duration = .seconds(5),
                            statementTimeout: Duration? = nil, keptStatements: Int = Database.keptStatements,
                            writeBatch: Int = Database.writeBatch, backgroundCheckpoints: Bool = true,
                            logger: Logger = Logger(label: "incentives.db")) async throws -> Database {
        try await open(location, maxConnections: maxConnections, leaseTimeout: leaseTimeout, statementTimeout: statementTimeout,
                       keptStatements: keptStatements, writeBatch: writeBatch, checkpoints: backgroundCheckpoints ? .standard : nil,
                       logger: logger)
    }

    /// `open`, with `checkpoints` saying when SQLite's log is copied into the file, and by whom (`WALCheckpointer`); nil:
    /// by SQLite itself, inside the COMMIT.
    static func open(_ location: DatabaseLocation, maxConnections: Int = 8, leaseTimeout: Duration = .seconds(5),
                     statementTimeout: Duration? = nil, keptStatements: Int = Database.keptStatements,
                     writeBatch: Int = Database.writeBatch, checkpoints: WALCheckpointer.Limits?,
                     logger: Logger = Logger(label: "incentives.db")) async throws -> Database {
        let db: Database
        switch location {
        case .sqlite(let path):
            let url = URL(fileURLWithPath: path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw StoreError.unreachable("Can't create the folder for \(path): \(error.localizedDescription)")
            }
            let checkpointer = checkpoints.map { WALCheckpointer(path: path, limits: $0) }
            let handles = SQLiteHandles(max: maxConnections) {
                let connection = try await SQLiteStatementConnection.open(path: path, capacity: keptStatements)
                let sql = SQLiteStatementDatabase(connection: connection, logger: logger)
                // WAL lets readers run beside the one writer; the busy timeout covers other processes
                // (an `incentives sweep` beside `serve`). A 32 MiB page cache per connection (SQLite's default is
                // 2 MiB) keeps the indexes the claims list reads in memory rather than re-read through the kernel.
                // Temporary storage in memory: a statement that changes many rows inside a transaction (the sweep's
                // batches, with the claims' triggers) journals every page it touches to undo itself on failure, and past
                // 64 KiB SQLite spilled that journal to a temporary file: an eighth of a sweep's time went to writing it.
                // The file is read through a memory map (`sqliteMemoryMap`) rather than a `pread` per page.
                for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = \(Database.sqliteBusyTimeout)", "PRAGMA foreign_keys = ON",
                               "PRAGMA synchronous = NORMAL", "PRAGMA cache_size = \(Database.sqliteCacheSize)",
                               "PRAGMA temp_store = MEMORY", "PRAGMA mmap_size = \(Database.sqliteMemoryMap)"] {
                    try await sql.raw(SQLQueryString(pragma)).run()
                }
                if let checkpointer { connection.reportCommits(to: checkpointer) }
                return SQLiteHandle(sql: sql, here: sql.runningHere,
                                    close: { try? await uncancelled { try await connection.close() } })
            }
            db = Database(flavor: .sqlite, location: location, connections: .sqlite(handles),
                          writer: SQLiteWriter(handles: handles, limit: writeBatch), checkpointer: checkpointer, logger: logger)
        case .postgres(let url):
            var configuration = try PostgresSettings.client(url: url)
            configuration.options.maximumConnections = maxConnections
            configuration.options.connectTimeout = .seconds(3)
            // No just-in-time compilation: it pays back on long analytical queries, and this app's are short. A statement
            // whose estimate passes PostgreSQL's threshold (the engagements board's counts, one statement for twenty
            // engagements) spent 440 ms compiling itself to answer in 40.
            configuration.options.additionalStartupParameters.append(("jit", "off"))
            if let statementTimeout {
                configuration.options.additionalStartupParameters.append(
                    ("statement_timeout", "\(statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000)"))
            }
            // The pool retries a lost server several times a second; each failed try at info level would bury
            // the log. Requests that find no connection say so themselves (StoreError.unreachable).
            var background = logger
            background.logLevel = max(logger.logLevel, .warning)
            let client = PostgresClient(configuration: configuration, backgroundLogger: background)
            let running = Task { await client.run() }
            db = Database(flavor: .postgres, location: location,
                          connections: .postgres(client, running: running, leaseTimeout: leaseTimeout), writer: nil, checkpointer: nil,
                          logger: logger)
        }
        // Fail now, with a clear line, rather than on the first request.
        do {
            try await db.read { try await $0.raw("SELECT 1 AS one").run() }
        } catch {
            await db.close()
            throw StoreError.unreachable("Can't reach the database at \(location): \(await Self.whyUnreachable(location, error, logger: logger))")
        }
        return db
    }

    /// The pool only says that no connection came; one direct attempt says why (refused, unknown host, bad password).
    private static func whyUnreachable(_ location: DatabaseLocation, _ error: any Error, logger: Logger) async -> String {
        guard case .postgres(let url) = location, let configuration = try? SQLPostgresConfiguration(url: url) else {
            return reason(error)
        }
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration.coreConfiguration, id: 0, logger: logger)
            try? await connection.close()
            return reason(error)
        } catch {
            return reason(error)
        }
    }

    private init(flavor: SQLFlavor, location: DatabaseLocation, connections: Connections, writer: SQLiteWriter?,
                 checkpointer: WALCheckpointer?, logger: Logger) {
        self.flavor = flavor; self.location = location; self.connections = connections; self.writer = writer
        self.checkpointer = checkpointer; self.logger = logger
    }

    deinit { checkpointer?.stop(wait: false) }

    /// Runs queries that only read, on a pooled connection.
    public func read<T: Sendable>(file: StaticString = #fileID, function: StaticString = #function,
                                  _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let instruments = self.instruments.withLock { $0 }
        return try await instruments.telemetry.traced("db.query", kind: .client, attributes: ["db.system": .string(system)]) { _ in
            do {
                return try await withConnection(asked: .now, instruments) { try await body($0) }
            } catch {
                throw Self.translated(error, file: file, function: function, counting: instruments)
            }
        }
    }

    /// Runs a write transaction: committed when `body` returns, rolled back when it throws.
    /// On SQLite it begins IMMEDIATE so the write lock is taken up front (DESIGN rule), and writes queued at once share
    /// the transaction, each in its own savepoint (`SQLiteWriter`): a write that throws leaves the others' changes alone,
    /// and one that returned has committed.
    /// - Parameter changesClaims: false for writes that touch no claim data (sessions, the outbox), so they
    ///   leave what is cached about claims alone.
    public func write<T: Sendable>(changesClaims: Bool = true, file: StaticString = #fileID, function: StaticString = #function,
                                   _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await write(changesClaims: changesClaims, journal: .wal, file: file, function: function, body)
    }

    /// How a SQLite write transaction is journaled.
    enum Journal: Sendable {
        /// Through the write-ahead log, as every write: readers in other connections read beside it.
        case wal
        /// For a load that writes most of the file anew (`seed --scale`): through a rollback journal when no other
        /// connection has the file open and the load opens a transaction of its own, else through the WAL.
        ///
        /// Through the WAL every page the load writes is written twice, to the log and then, at the checkpoint, to the
        /// file. A rollback journal keeps only the old contents of the pages the file had before; the pages past its old
        /// end are written once, straight to the file. The file leaves WAL for the transaction only, and comes back
        /// after, committed or not. Leaving needs the file to itself (a connection in WAL mode holds a lock that forbids
        /// it), so SQLite refuses at once while a server, another command or the checkpointer's thread has it open, and
        /// the load then goes through the WAL as any write. The commit stays atomic; readers elsewhere wait for it rather
        /// than read beside it.
        case rollbackWhenAlone
    }

    /// `write`, journaled as `journal` says (SQLite; PostgreSQL has one way).
    func write<T: Sendable>(changesClaims: Bool = true, journal: Journal, file: StaticString = #fileID, function: StaticString = #function,
                            _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let instruments = self.instruments.withLock { $0 }
        return try await instruments.telemetry.traced("db.transaction", kind: .client, attributes: ["db.system": .string(system)]) { _ in
            do {
                let asked = ContinuousClock.now
                let result = if writer != nil {
                    try await grouped(body, journal: journal, asked: asked, instruments)
                } else {
                    try await transaction(body, asked: asked, instruments)
                }
                if changesClaims { claimWrites.add(1, ordering: .releasing) }
                return result
            } catch {
                throw Self.translated(error, file: file, function: function, counting: instruments)
            }
        }
    }

    /// A connection for `body`: a SQLite handle, or a PostgreSQL connection leased within `leaseTimeout`. The wait
    /// since `asked` and the connection's use are reported to `instruments`.
    private func withConnection<T: Sendable>(asked: ContinuousClock.Instant, _ instruments: StoreInstruments,
                                             _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch connections {
        case .sqlite(let handles):
            return try await handles.with { handle in
                instruments.leased(after: .now - asked)
                instruments.inUse.increment()
                defer { instruments.inUse.decrement() }
                return try await body(recorded(handle.sql))
            }
        case .postgres(let client, _, let leaseTimeout):
            return try await Self.lease(from: client, within: leaseTimeout) { connection in
                instruments.leased(after: .now - asked)
                instruments.inUse.increment()
                defer { instruments.inUse.decrement() }
                let sql = recorded(ClosedConnectionGuard(base: connection.sql(queryLogLevel: .trace), connection: connection))
                do {
                    return try await body(sql)
                } catch let rollback as RollbackFailed {
                    // A connection whose transaction could not be ended is in no state to serve anyone else.
                    try? await connection.close()
                    throw rollback.underlying
                }
            }
        }
    }

    /// What a PostgreSQL lease races against: the connection, or the clock.
    private enum LeaseOutcome<T: Sendable>: Sendable {
        case done(T)
        case timeUp
    }

    /// Runs `body` on a connection of `client`, or throws `StoreError.unreachable` when none comes within `limit`
    /// (the pool keeps trying to connect meanwhile; a lease waiting on it is cancelled). Only the wait is timed,
    /// not `body`: a long export on a good connection runs to its end.
    private static func lease<T: Sendable>(from client: PostgresClient, within limit: Duration,
                                           _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let leased = LeaseFlag()
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: LeaseOutcome<T>.self) { group in
                group.addTask {
                    .done(try await client.withConnection { connection in
                        leased.set()
                        return try await body(connection)
                    })
                }
                group.addTask {
                    try? await Task.sleep(for: limit)
                    return .timeUp
                }
                while let outcome = try await group.next() {
                    switch outcome {
                    case .done(let value):
                        group.cancelAll()
                        return value
                    case .timeUp where !leased.isSet:
                        group.cancelAll()
                        throw StoreError.unreachable("No database connection within \(limit): the database is down or every connection is busy.")
                    case .timeUp:
                        continue
                    }
                }
                throw CancellationError()
            }
        }
    }

    private func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T, asked: ContinuousClock.Instant,
                                          _ instruments: StoreInstruments) async throws -> T {
        // PostgreSQL may abort one of two transactions that wait on each other's rows, or a serializable one.
        // Nothing of the aborted one was kept, so it runs again, a few times, after a short random pause. Shared rows
        // are locked in one order (ClaimCountLocks) so that this stays the exception.
        var attempt = 1
        while true {
            do {
                return try await transactionOnce(body, asked: attempt == 1 ? asked : .now, instruments)
            } catch where attempt < Database.transactionAttempts && Database.isTransient(error) {
                logger.notice("transaction retried", metadata: ["attempt": "\(attempt)", "reason": "\(Database.reason(error))"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...50) * attempt))
                attempt += 1
            }
        }
    }

    static let transactionAttempts = 4

    /// `body` through SQLite's writer; the transitions it noted are counted once its transaction committed.
    private func grouped<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T, journal: Journal,
                                      asked: ContinuousClock.Instant, _ instruments: StoreInstruments) async throws -> T {
        guard let writer else { preconditionFailure("SQLite only") }
        let notes = CommitNotes(catalogue: catalogue)
        let result = try await CommitNotes.$current.withValue(notes) {
            try await writer.write(asked: asked, instruments, journal: journal, wrap: { self.recorded($0) }, body)
        }
        notes.committed()
        instruments.committed(notes.noted)
        return result
    }

    /// How many queued writes one SQLite transaction takes at most (`SQLiteWriter`).
    public static let writeBatch = SQLiteWriter.batchLimit

    /// How many prepared statements each SQLite connection keeps (`SQLiteStatementConnection`): the store's statements
    /// with their usual numbers of values fit many times over.
    public static let keptStatements = 256

    /// How long a SQLite statement waits for another process's lock, in milliseconds.
    static let sqliteBusyTimeout = 10_000

    /// Each SQLite connection's page cache, in SQLite's terms (negative: KiB): 32 MiB.
    static let sqliteCacheSize = -32_768
    /// How much of the SQLite file each connection maps into memory (the bundled SQLite's ceiling, just under 2 GiB). A
    /// page read past the page cache was a `pread` copying 4 KiB out of the kernel's cache: a third of an export's CPU at a
    /// million claims went to those copies (`sys` 5.6 s of 15 s). Mapped, SQLite reads the kernel's cached pages in place.
    /// The mapped pages are the kernel's file cache, shared by every connection, counted in the process's RSS as file
    /// pages (`RssFile`) and given back under memory pressure; writes still go through the WAL, so a crash is as before.
    static let sqliteMemoryMap: Int64 = 2_147_418_112

    /// Deadlock detected (40P01) or serialization failure (40001): the server gave up on this transaction, not the data.
    static func isTransient(_ error: any Error) -> Bool {
        guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    private func transactionOnce<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T, asked: ContinuousClock.Instant,
                                              _ instruments: StoreInstruments) async throws -> T {
        let begin: SQLQueryString = flavor == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        let notes = CommitNotes(catalogue: catalogue)
        let result = try await CommitNotes.$current.withValue(notes) {
            try await withConnection(asked: asked, instruments) { sql in
                try await sql.raw(begin).run()
                do {
                    let result = try await body(sql)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    do { try await uncancelled { try await sql.raw("ROLLBACK").run() } } catch let rollbackError {
                        throw RollbackFailed(underlying: error, rollback: rollbackError)
                    }
                    throw error
                }
            }
        }
        notes.committed()
        instruments.committed(notes.noted)
        return result
    }

    /// Closes every connection; for PostgreSQL also stops the client's run loop.
    public func close() async {
        switch connections {
        case .sqlite(let handles):
            // The checkpointer's connection first, so that the last of the others to close copies what is left of the log
            // into the file and removes it, as SQLite's last connection does.
            if let checkpointer { try? await NIOThreadPool.singleton.runIfActive { checkpointer.stop(wait: true) } }
            await handles.shutdown()
            writer?.thread.stop()
        case .postgres(_, let running, _):
            running.cancel()
            await running.value
        }
    }

    /// The driver's error as a person reads it: a lost connection is `StoreError.unreachable` (a 503 on the
    /// pages and the API); a statement the server refused is a `DatabaseFailure` naming the operation and the SQL
    /// state. Everything else passes unchanged.
    static func translated(_ error: any Error, file: StaticString, function: StaticString,
                           counting instruments: StoreInstruments) -> any Error {
        let answer = translated(error, file: file, function: function)
        if case .unreachable = answer as? StoreError { instruments.unavailable.increment() }
        return answer
    }

    static func translated(_ error: any Error, file: StaticString, function: StaticString) -> any Error {
        if let rollback = error as? RollbackFailed { return translated(rollback.underlying, file: file, function: function) }
        guard let psql = error as? PSQLError else {
            if error is CancellationError { return StoreError.unreachable("The database operation was cancelled.") }
            return error
        }
        // The server is going away or can't take a connection now (shutdown, crash recovery, too many clients,
        // connection exceptions): an outage, not a statement's fault.
        if psql.code == .server, let state = psql.serverInfo?[.sqlState],
           state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300" {
            return StoreError.unreachable("The database went away: \(reason(psql)) (SQLSTATE \(state)).")
        }
        if psql.code == .server {
            let source = "\(file)".split(separator: "/").last.map { String($0.dropLast(".swift".count)) } ?? "\(file)"
            return DatabaseFailure(operation: "\(source).\(function)", sqlState: psql.serverInfo?[.sqlState],
                                   message: reason(psql))
        }
        return StoreError.unreachable("The database connection failed: \(reason(psql)).")
    }

    /// The driver's message without its type noise.
    static func reason(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying { return reason(underlying) }
            return "\(psql.code)"
        }
        return String(describing: error)
    }
}

/// Runs `work` out of reach of the caller's cancellation. SQLite's statements run on NIO's thread pool, which drops the
/// work of a cancelled task: a ROLLBACK or a close that never ran would keep the transaction open, and with it the
/// database's one write lock, for every later writer to wait on.
func uncancelled<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await work() }.value
}

/// A ROLLBACK that failed after `underlying`: the connection is closed rather than handed to the next caller.
struct RollbackFailed: Error {
    let underlying: any Error
    let rollback: any Error
}

/// Set once the lease of a connection came through.
final class LeaseFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// Reads a `postgres://` URL into postgres-nio's client configuration (TLS from `sslmode`/`tlsmode`, as libpq and
/// PostgresKit read it: prefer by default).
enum PostgresSettings {
    static func client(url: String) throws(StoreError) -> PostgresClient.Configuration {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty, let user = parts.user else {
            throw .badConfiguration("DATABASE_URL is not a valid postgres:// URL (expected postgres://user:pass@host:port/db)")
        }
        let mode = parts.queryItems?.last { ["sslmode", "tlsmode", "ssl", "tls"].contains($0.name.lowercased()) }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable", "false": tls = .disable
        case "prefer", "allow", "true": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw .badConfiguration("DATABASE_URL's sslmode '\(mode)' is not one of disable, prefer, require, verify-full.")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        return .init(host: host, port: parts.port ?? 5432, username: user.removingPercentEncoding ?? user,
                     password: parts.password.map { $0.removingPercentEncoding ?? $0 },
                     database: database.isEmpty ? nil : database, tls: tls)
    }
}

/// One open SQLite connection.
final class SQLiteHandle: Sendable {
    let sql: any SQLDatabase
    /// The same connection, its statements run on the calling thread: the writer's, inside its transaction.
    let here: any SQLDatabase
    let close: @Sendable () async -> Void

    init(sql: any SQLDatabase, here: any SQLDatabase, close: @escaping @Sendable () async -> Void) {
        self.sql = sql; self.here = here; self.close = close
    }
}

/// SQLite's few file handles, opened lazily up to `max` and handed out one task at a time. Nothing here can
/// break the way a network connection does; a handle whose transaction could not be rolled back is closed.
actor SQLiteHandles {
    private let max: Int
    private let factory: @Sendable () async throws -> SQLiteHandle
    private var idle: [SQLiteHandle] = []
    private var open = 0
    private var waiters: [CheckedContinuation<SQLiteHandle?, Never>] = []
    private var closed = false

    init(max: Int, factory: @escaping @Sendable () async throws -> SQLiteHandle) {
        self.max = max; self.factory = factory
    }

    func with<T: Sendable>(_ body: @Sendable (SQLiteHandle) async throws -> T) async throws -> T {
        let handle = try await acquire()
        do {
            let result = try await body(handle)
            await release(handle)
            return result
        } catch let rollback as RollbackFailed {
            await discard(handle)
            throw rollback
        } catch {
            await release(handle)
            throw error
        }
    }

    /// A handle held beyond one call (the writer's transaction, shared by its batch), given back with `checkIn`.
    func checkOut() async throws -> SQLiteHandle { try await acquire() }

    /// Gives back a handle of `checkOut`; one whose transaction could not be ended is closed, not handed out again.
    func checkIn(_ handle: SQLiteHandle, usable: Bool) async {
        if usable { await release(handle) } else { await discard(handle) }
    }

    private func discard(_ handle: SQLiteHandle) async {
        open -= 1
        await handle.close()
    }

    private func acquire() async throws -> SQLiteHandle {
        if closed { throw StoreError.unreachable("The database is closed.") }
        if let handle = idle.popLast() { return handle }
        if open < max {
            open += 1
            do { return try await factory() } catch { open -= 1; throw error }
        }
        guard let handle = await withCheckedContinuation({ waiters.append($0) }) else {
            throw StoreError.unreachable("The database is closed.")
        }
        return handle
    }

    private func release(_ handle: SQLiteHandle) async {
        // A handle in use while the pool shut down is closed when it comes back, not parked in a dead pool.
        if closed { open -= 1; await handle.close(); return }
        if !waiters.isEmpty { waiters.removeFirst().resume(returning: handle) }
        else { idle.append(handle) }
    }

    func shutdown() async {
        closed = true
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters.removeAll()
        let handles = idle
        idle.removeAll()
        for handle in handles { await handle.close() }
    }
}
