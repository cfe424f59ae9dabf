import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import SQLKit
import SQLiteOptions
import Synchronization
import VaporCSQLite

/// One SQLite connection that keeps its prepared statements. SQLiteNIO prepares every statement anew and finalizes it
/// after one run; preparing a statement compiles, besides the statement, every trigger it may fire, and the kept counts
/// and totals put some thirty statements of trigger SQL behind an update of `claims` or an insert into `claim_history`.
/// Preparing those cost several times what running them does, on every claim transition. Here a statement is prepared
/// once per connection and run again from then on (SQLite re-prepares it by itself after a schema change).
/// The statements run on NIO's thread pool one at a time, as SQLiteNIO runs them: the connection belongs to one task
/// at a time (`SQLiteHandles`), which awaits each statement before the next.
final class SQLiteStatementConnection: Sendable {
    /// The `sqlite3*` handle and its kept statements, touched only under the lock, from the thread pool, one statement
    /// at a time (SQLite's pointers are not `Sendable` by themselves).
    private struct State: ~Copyable, @unchecked Sendable {
        var handle: OpaquePointer?
        var kept: [String: Kept] = [:]
        var uses: UInt64 = 0
        /// Told of each commit; held as long as the connection, whose hook points at it.
        var checkpointer: WALCheckpointer?
    }

    /// A prepared statement, its column names, and when it was last used (the least recently used leaves first).
    private struct Kept {
        let statement: OpaquePointer
        var columns: SQLiteColumnNames
        var lastUse: UInt64
        /// How many times SQLite prepared it again (after a schema change): its columns are read again then.
        var prepared: Int32
    }

    /// Longer SQL is prepared and finalized each time: bulk statements with hundreds of rows of values, whose
    /// preparation is spread over their rows already, and which would hold a lot of memory for one use.
    static let longestKept = 8_192

    private let state: Mutex<State>
    private let threadPool: NIOThreadPool
    /// How many statements it keeps; 0 prepares every statement each time, as SQLiteNIO does (benchmarks compare).
    let capacity: Int
    private static let initialized = Mutex(false)

    private init(handle: OpaquePointer?, threadPool: NIOThreadPool, capacity: Int) {
        state = Mutex(State(handle: handle))
        self.threadPool = threadPool
        self.capacity = capacity
    }

    /// Opens (or creates) the file, with SQLiteNIO's open flags (URIs, extended result codes) but SQLite's multi-thread
    /// mode, not its serialized one: every use of the handle is under `state`'s lock already, so SQLite's own mutex,
    /// taken and released on every step and every column read (about twenty times a claims row), only cost time.
    static func open(path: String, capacity: Int = Database.keptStatements,
                     threadPool: NIOThreadPool = .singleton) async throws -> SQLiteStatementConnection {
        try await threadPool.runIfActive {
            // sqlite3_initialize races with itself on first use (SQLiteNIO guards it the same way).
            initialized.withLock { done in
                if !done { sqlite_nio_sqlite3_initialize(); done = true }
            }
            var handle: OpaquePointer?
            let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
            let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
            guard opened == SQLITE_OK else {
                let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
                sqlite_nio_sqlite3_close(handle)
                throw SQLiteStatementError(code: opened, message: "\(message) (\(path))")
            }
            // The query planner's stability guarantee: without it SQLite marks a statement to be prepared again when a
            // value bound to it changes, wherever its plan looked at that value (`LIMIT ?`, `x LIKE ?`, even `x = ?`
            // on a column no index holds, to tell 0 and 1 from other values), and clearing the values after each run
            // then marks it every time. Kept statements were prepared again on nearly every run: 12% of a claims
            // list's time. The plan a statement gets is the one it keeps, whatever its values.
            let stable = incentives_sqlite_plan_ignores_values(UnsafeMutableRawPointer(handle))
            guard stable == SQLITE_OK else {
                sqlite_nio_sqlite3_close(handle)
                throw SQLiteStatementError(code: stable, message: "cannot set the query planner's stability guarantee (\(path))")
            }
            return SQLiteStatementConnection(handle: handle, threadPool: threadPool, capacity: capacity)
        }
    }

    /// Reports each commit to `checkpointer` from now on, in place of SQLite's own checkpoint inside the COMMIT.
    func reportCommits(to checkpointer: WALCheckpointer) {
        state.withLock { state in
            guard let handle = state.handle else { return }
            state.checkpointer = checkpointer
            checkpointer.watch(handle)
        }
    }

    /// Runs `sql` with `binds`, handing each row to `onRow` (on the thread pool, in order).
    func run(_ sql: String, _ binds: [SQLiteData], _ onRow: @escaping @Sendable (SQLiteStatementRow) -> Void) async throws {
        try await run(sql, binds, cursor: { row in onRow(Self.decoded(row)) })
    }

    /// Runs `sql` on the calling thread. Only for statements that wait on nothing but the CPU and the page cache: those of
    /// the one writer inside its open transaction (`SQLiteWriter`), which holds SQLite's write lock, so SQLite never
    /// waits for another connection there, and which runs them on its own thread (`WriterThread`), never on Swift's
    /// cooperative pool. Two hops between threads per statement cost more than most of the writer's statements do.
    /// With `rows`, `sql` runs once per row of `binds` in turn (a bulk insert's rows, `binds.count / rows` values each),
    /// through the statement prepared once.
    func runHere(_ sql: String, _ binds: [SQLiteData], rows: Int = 1, _ onRow: (SQLiteStatementRow) -> Void) throws {
        precondition(rows > 0 && binds.count % rows == 0, "whole rows")
        try state.withLock { state in
            try Self.run(sql, binds, rows: rows, in: &state, capacity: capacity, { row in onRow(Self.decoded(row)) })
        }
    }

    /// The row's values, copied out of SQLite.
    private static func decoded(_ row: SQLiteRowCursor) -> SQLiteStatementRow {
        var values: [SQLiteData] = []
        values.reserveCapacity(row.columns.names.count)
        for i in 0..<Int32(row.columns.names.count) { values.append(value(at: i, of: row.statement)) }
        return SQLiteStatementRow(columns: row.columns, values: values)
    }

    /// Runs `sql` with `binds`, handing each row to `onRow` in place (on the thread pool, in order): nothing is copied out
    /// of SQLite but what `onRow` reads. The cursor is valid only during the call it is handed to.
    func run(_ sql: String, _ binds: [SQLiteData], rows: Int = 1,
             cursor onRow: @escaping @Sendable (SQLiteRowCursor) throws -> Void) async throws {
        precondition(rows > 0 && binds.count % rows == 0, "whole rows")
        try await threadPool.runIfActive {
            try self.state.withLock { state in try Self.run(sql, binds, rows: rows, in: &state, capacity: self.capacity, onRow) }
        }
    }

    /// Runs `sql` once per `rows` rows of `binds` (in turn, each its share of them) on the statement prepared once.
    private static func run(_ sql: String, _ binds: [SQLiteData], rows: Int = 1, in state: inout State, capacity: Int,
                            _ onRow: (SQLiteRowCursor) throws -> Void) throws {
        guard let handle = state.handle else { throw SQLiteStatementError(code: SQLITE_MISUSE, message: "The connection is closed.") }
        let keep = capacity > 0 && sql.utf8.count <= longestKept
        let statement: OpaquePointer
        var columns: SQLiteColumnNames
        state.uses += 1
        if keep, let kept = state.kept[sql] {
            statement = kept.statement
            columns = kept.columns
            state.kept[sql]?.lastUse = state.uses
        } else {
            var prepared: OpaquePointer?
            let code = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, keep ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &prepared, nil)
            guard code == SQLITE_OK, let prepared else { throw SQLiteStatementError(code: code, handle: handle) }
            statement = prepared
            columns = SQLiteColumnNames(statement)
            if keep {
                if state.kept.count >= capacity, let oldest = state.kept.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                    sqlite_nio_sqlite3_finalize(oldest.value.statement)
                    state.kept[oldest.key] = nil
                }
                state.kept[sql] = Kept(statement: statement, columns: columns, lastUse: state.uses,
                                       prepared: sqlite_nio_sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0))
            }
        }
        // Reset whatever happens: a statement left stepping would hold its read transaction open.
        defer {
            if keep {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            } else {
                sqlite_nio_sqlite3_finalize(statement)
            }
        }
        let width = binds.count / max(rows, 1)
        var first = true
        for row in 0..<rows {
            // Each row's values are all bound again, so the last row's need not be cleared.
            if row > 0 { sqlite_nio_sqlite3_reset(statement) }
            for i in 0..<width {
                let code = bindValue(binds[row * width + i], at: Int32(i + 1), of: statement)
                guard code == SQLITE_OK else { throw SQLiteStatementError(code: code, handle: handle) }
            }
            while true {
                let code = sqlite_nio_sqlite3_step(statement)
                if first, keep, let kept = state.kept[sql] {
                    // A step after a schema change prepares the statement again, and `SELECT *` may name other columns.
                    let prepared = sqlite_nio_sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0)
                    if prepared != kept.prepared {
                        columns = SQLiteColumnNames(statement)
                        state.kept[sql]?.columns = columns
                        state.kept[sql]?.prepared = prepared
                    }
                }
                first = false
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw SQLiteStatementError(code: code, handle: handle) }
                try onRow(SQLiteRowCursor(statement: statement, columns: columns))
            }
        }
    }

    private static func bindValue(_ value: SQLiteData, at index: Int32, of statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let value): sqlite_nio_sqlite3_bind_int64(statement, index, Int64(value))
        case .float(let value): sqlite_nio_sqlite3_bind_double(statement, index, value)
        case .null: sqlite_nio_sqlite3_bind_null(statement, index)
        case .text(let value):
            sqlite_nio_sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
        case .blob(let value):
            value.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
            }
        }
    }

    private static func value(at index: Int32, of statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .null }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeRawBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, index) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    /// SQLite copies bound text and blobs before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// How many times SQLite prepared the kept statements again, all together: after a schema change, or after a value
    /// was bound that its plan depended on.
    var timesPreparedAgain: Int {
        state.withLock { state in
            state.kept.values.reduce(0) { $0 + Int(sqlite_nio_sqlite3_stmt_status($1.statement, SQLITE_STMTSTATUS_REPREPARE, 0)) }
        }
    }

    /// SQLite's own counts of the work a kept statement did since they were last taken (the sqlite3 shell's `.stats`),
    /// taken now: the steps of its program, and those of them that walked a table or index whole. Nil for SQL not kept.
    func takeCounts(of sql: String) -> (steps: Int, fullScanSteps: Int)? {
        state.withLock { state in
            guard let kept = state.kept[sql] else { return nil }
            return (Int(sqlite_nio_sqlite3_stmt_status(kept.statement, SQLITE_STMTSTATUS_VM_STEP, 1)),
                    Int(sqlite_nio_sqlite3_stmt_status(kept.statement, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1)))
        }
    }

    /// Finalizes the kept statements and closes the handle.
    func close() async throws {
        try await threadPool.runIfActive {
            self.state.withLock { state in
                for kept in state.kept.values { sqlite_nio_sqlite3_finalize(kept.statement) }
                state.kept.removeAll()
                sqlite_nio_sqlite3_close(state.handle)
                state.handle = nil
            }
        }
    }
}

/// A statement's column names, read once when it is prepared and shared by its rows.
final class SQLiteColumnNames: Sendable {
    let names: [String]
    let index: [String: Int]

    init(_ statement: OpaquePointer) {
        let names = (0..<sqlite_nio_sqlite3_column_count(statement)).map { i in
            sqlite_nio_sqlite3_column_name(statement, i).map { String(cString: $0) } ?? ""
        }
        self.names = names
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// The row a statement stands on, read in place: what each reader copies out is all that is copied. Valid only during
/// the call it is handed to (`SQLiteStatementConnection.run(_:_:cursor:)`); the next step overwrites it.
struct SQLiteRowCursor {
    fileprivate let statement: OpaquePointer
    let columns: SQLiteColumnNames

    func isNull(_ column: Int) -> Bool { sqlite_nio_sqlite3_column_type(statement, Int32(column)) == SQLITE_NULL }
    /// The column as SQLite converts it to an integer (a null is 0: ask `isNull` first where one may be).
    func int64(_ column: Int) -> Int64 { sqlite_nio_sqlite3_column_int64(statement, Int32(column)) }
    /// The column as SQLite converts it to a real (a null is 0).
    func double(_ column: Int) -> Double { sqlite_nio_sqlite3_column_double(statement, Int32(column)) }
    /// The column's storage class: SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
    func type(_ column: Int) -> Int32 { sqlite_nio_sqlite3_column_type(statement, Int32(column)) }
    /// The column's text as SQLite holds it, UTF-8 (empty for a null), during `body` only.
    func withUTF8<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        // The text first, then its length: SQLite's documented order, the length being that of the text it converted to.
        guard let text = sqlite_nio_sqlite3_column_text(statement, Int32(column)) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: text, count: Int(sqlite_nio_sqlite3_column_bytes(statement, Int32(column)))))
    }
}

/// A row of a kept statement, decoded as SQLiteKit decodes its own rows.
struct SQLiteStatementRow: SQLRow {
    let columns: SQLiteColumnNames
    let values: [SQLiteData]
    static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let i = columns.index[column] else { return true }
        return values[i] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let i = columns.index[column] else {
            throw DecodingError.keyNotFound(SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "No column \(column)."))
        }
        return try Self.decoder.decode(D.self, from: values[i])
    }
}

private struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// What SQLite said when a statement failed: its (extended) result code and message.
struct SQLiteStatementError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    init(code: Int32, message: String) { self.code = code; self.message = message }

    init(code: Int32, handle: OpaquePointer) {
        self.code = code
        message = sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "SQLite error \(code)"
    }

    var description: String { "\(message) (SQLite \(code))" }

    /// Another connection holds the lock the statement needed (SQLITE_BUSY, whatever its extended code).
    var isBusy: Bool { code & 0xFF == SQLITE_BUSY }
}

/// SQLKit over a `SQLiteStatementConnection`, serializing and encoding values as SQLiteKit does.
struct SQLiteStatementDatabase: SQLDatabase, RowInserting {
    let connection: SQLiteStatementConnection
    let logger: Logger
    let eventLoop: any EventLoop
    let queryLogLevel: Logger.Level?
    /// Whether statements run on the calling thread (`runHere`) rather than on the thread pool.
    let here: Bool
    private static let encoder = SQLiteDataEncoder()

    init(connection: SQLiteStatementConnection, logger: Logger, queryLogLevel: Logger.Level? = .trace,
         eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any(), here: Bool = false) {
        self.connection = connection; self.logger = logger; self.queryLogLevel = queryLogLevel; self.eventLoop = eventLoop
        self.here = here
    }

    /// The same connection, its statements run on the calling thread.
    var runningHere: SQLiteStatementDatabase {
        SQLiteStatementDatabase(connection: connection, logger: logger, queryLogLevel: queryLogLevel, eventLoop: eventLoop, here: true)
    }

    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { SQLiteDialect() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, values) = try statement(query)
        if here {
            try connection.runHere(sql, values) { onRow($0) }
        } else {
            try await connection.run(sql, values) { onRow($0) }
        }
    }

    /// Runs `query`, handing each row to `onRow` in place (`SQLiteRowCursor`): for a reader that copies a million rows'
    /// bytes straight out (the claims export).
    func rows(_ query: any SQLExpression, _ onRow: @escaping @Sendable (SQLiteRowCursor) throws -> Void) async throws {
        let (sql, values) = try statement(query)
        try await connection.run(sql, values, cursor: onRow)
    }

    /// The rows by kept statements of `InsertRows.sqliteRowsPerStatement` rows each, the last few one row a statement,
    /// inside a savepoint: a row that fails takes the rows before it along, as one multi-row statement would.
    func insert(_ rows: InsertRows) async throws {
        let perStatement = rows.sqliteRowsPerStatement
        let whole = rows.rowCount / perStatement
        let rest = rows.rowCount - whole * perStatement
        if let queryLogLevel {
            logger.log(level: queryLogLevel, "Executing query", metadata: ["sql": .string(rows.sqlite(rows: perStatement)),
                                                                           "rows": .stringConvertible(rows.rowCount)])
        }
        let split = whole * perStatement * rows.columns.count
        let insert = {
            if whole > 0 { try await self.run(rows.sqlite(rows: perStatement), rows.values[..<split].map(\.sqliteValue), rows: whole) }
            if rest > 0 { try await self.run(rows.sqlite(rows: 1), rows.values[split...].map(\.sqliteValue), rows: rest) }
        }
        guard whole + rest > 1 else { return try await insert() }
        try await run("SAVEPOINT insert_rows")
        do {
            try await insert()
        } catch {
            try? await run("ROLLBACK TO insert_rows")
            try? await run("RELEASE insert_rows")
            throw error
        }
        try await run("RELEASE insert_rows")
    }

    /// `sql` once per row of `binds` (`rows` of them), where this database runs its statements; no rows come back.
    private func run(_ sql: String, _ binds: [SQLiteData] = [], rows: Int = 1) async throws {
        if here {
            try connection.runHere(sql, binds, rows: rows) { _ in }
        } else {
            try await connection.run(sql, binds, rows: rows, cursor: { _ in })
        }
    }

    /// The query's SQL and bound values, logged at `queryLogLevel`.
    private func statement(_ query: any SQLExpression) throws -> (String, [SQLiteData]) {
        let (sql, binds) = serialize(query)
        if let queryLogLevel {
            logger.log(level: queryLogLevel, "Executing query", metadata: ["sql": .string(sql), "binds": .array(binds.map { .string("\($0)") })])
        }
        return (sql, try binds.map { try Self.encoder.encode($0) })
    }
}
