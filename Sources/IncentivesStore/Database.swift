import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLiteKit
import SQLKit
import Synchronization

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

/// A database with a small pool of connections, and transactions that serialize writers.
public final class Database: Sendable {
    public let flavor: SQLFlavor
    public let location: DatabaseLocation
    let pool: ConnectionPool
    /// SQLite has one writer at a time; queueing writers in-process keeps the thread pool free
    /// instead of parking threads in SQLite's busy handler.
    let writeGate: AsyncGate?
    let logger: Logger
    /// Raised by every committed write that may change claims (all but sessions and the mail outbox): what is
    /// derived from claims and kept in memory (the claims list's tab counts) holds while it stays the same.
    private let claimWrites = Atomic<UInt64>(0)
    public var claimGeneration: UInt64 { claimWrites.load(ordering: .acquiring) }
    let tabCounts = TabCountCache()

    public static func open(_ location: DatabaseLocation, maxConnections: Int = 8,
                            logger: Logger = Logger(label: "incentives.db")) async throws -> Database {
        let factory: @Sendable () async throws -> PooledConnection
        switch location {
        case .sqlite(let path):
            let url = URL(fileURLWithPath: path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw StoreError.unreachable("Can't create the folder for \(path): \(error.localizedDescription)")
            }
            factory = {
                let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                let sql = connection.sql(queryLogLevel: .trace)
                // WAL lets readers run beside the one writer; the busy timeout covers other processes
                // (an `incentives sweep` beside `serve`). A 32 MiB page cache per connection (SQLite's default is
                // 2 MiB) keeps the indexes the claims list reads in memory rather than re-read through the kernel.
                for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = 10000", "PRAGMA foreign_keys = ON",
                               "PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -32768"] {
                    try await sql.raw(SQLQueryString(pragma)).run()
                }
                return PooledConnection(sql: sql, close: { try? await connection.close() })
            }
        case .postgres(let url):
            let configuration: SQLPostgresConfiguration
            do { configuration = try SQLPostgresConfiguration(url: url) } catch {
                throw StoreError.badConfiguration("DATABASE_URL is not a valid postgres:// URL: \(error)")
            }
            let ids = ManagedCounter()
            factory = {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration.coreConfiguration, id: ids.next(), logger: logger)
                return PooledConnection(sql: connection.sql(queryLogLevel: .trace), close: { try? await connection.close() })
            }
        }
        let flavor: SQLFlavor = if case .sqlite = location { .sqlite } else { .postgres }
        let db = Database(flavor: flavor, location: location,
                          pool: ConnectionPool(max: maxConnections, factory: factory),
                          writeGate: flavor == .sqlite ? AsyncGate() : nil, logger: logger)
        // Fail now, with a clear line, rather than on the first request.
        do {
            try await db.read { try await $0.raw("SELECT 1 AS one").run() }
        } catch {
            await db.close()
            throw StoreError.unreachable("Can't reach the database at \(location): \(Database.reason(error))")
        }
        return db
    }

    private init(flavor: SQLFlavor, location: DatabaseLocation, pool: ConnectionPool, writeGate: AsyncGate?, logger: Logger) {
        self.flavor = flavor; self.location = location; self.pool = pool; self.writeGate = writeGate; self.logger = logger
    }

    /// Runs queries that only read, on a pooled connection.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await pool.with { try await body($0.sql) }
    }

    /// Runs a write transaction: committed when `body` returns, rolled back when it throws.
    /// On SQLite it begins IMMEDIATE so the write lock is taken up front (DESIGN rule).
    /// - Parameter changesClaims: false for writes that touch no claim data (sessions, the outbox), so they
    ///   leave what is cached about claims alone.
    public func write<T: Sendable>(changesClaims: Bool = true, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        await writeGate?.enter()
        do {
            let result = try await transaction(body)
            if changesClaims { claimWrites.add(1, ordering: .releasing) }
            await writeGate?.leave()
            return result
        } catch {
            await writeGate?.leave()
            throw error
        }
    }

    private func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // PostgreSQL may abort one of two transactions that wait on each other's rows (two claims moving between
        // the same statuses lock the same claim_counts rows, a sweep batch against a person's action). Nothing of
        // the aborted one was kept, so it runs again, a few times, after a short random pause.
        var attempt = 1
        while true {
            do {
                return try await transactionOnce(body)
            } catch where attempt < Database.transactionAttempts && Database.isTransient(error) {
                logger.notice("transaction retried", metadata: ["attempt": "\(attempt)", "reason": "\(Database.reason(error))"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...50) * attempt))
                attempt += 1
            }
        }
    }

    static let transactionAttempts = 4

    /// Deadlock detected (40P01) or serialization failure (40001): the server gave up on this transaction, not the data.
    static func isTransient(_ error: any Error) -> Bool {
        guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    private func transactionOnce<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await pool.with { connection in
            let sql = connection.sql
            try await sql.raw(flavor == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                let result = try await body(sql)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func close() async { await pool.shutdown() }

    /// The driver's message without its type noise.
    static func reason(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying { return "\(underlying)" }
            return "\(psql.code)"
        }
        return String(describing: error)
    }
}

/// One open connection of the pool.
final class PooledConnection: Sendable {
    let sql: any SQLDatabase
    let close: @Sendable () async -> Void

    init(sql: any SQLDatabase, close: @escaping @Sendable () async -> Void) { self.sql = sql; self.close = close }
}

/// A small async pool: connections are opened lazily up to `max` and handed out one task at a time.
actor ConnectionPool {
    private let max: Int
    private let factory: @Sendable () async throws -> PooledConnection
    private var idle: [PooledConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<PooledConnection?, Never>] = []
    private var closed = false

    init(max: Int, factory: @escaping @Sendable () async throws -> PooledConnection) {
        self.max = max; self.factory = factory
    }

    func with<T: Sendable>(_ body: @Sendable (PooledConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch {
            await release(connection)
            throw error
        }
    }

    private func acquire() async throws -> PooledConnection {
        if closed { throw StoreError.unreachable("The database is closed.") }
        if let connection = idle.popLast() { return connection }
        if open < max {
            open += 1
            do { return try await factory() } catch { open -= 1; throw error }
        }
        guard let connection = await withCheckedContinuation({ waiters.append($0) }) else {
            throw StoreError.unreachable("The database is closed.")
        }
        return connection
    }

    private func release(_ connection: PooledConnection) async {
        // A connection in use while the pool shut down is closed when it comes back, not parked in a dead pool.
        if closed { open -= 1; await connection.close(); return }
        if !waiters.isEmpty { waiters.removeFirst().resume(returning: connection) }
        else { idle.append(connection) }
    }

    func shutdown() async {
        closed = true
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters.removeAll()
        let connections = idle
        idle.removeAll()
        for connection in connections { await connection.close() }
    }
}

/// A first-come, first-served async mutex.
actor AsyncGate {
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { queue.append($0) }
    }

    func leave() {
        if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
    }
}

/// Connection ids for PostgresNIO's logs.
final class ManagedCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
