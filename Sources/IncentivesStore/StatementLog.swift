import Logging
import NIOCore
import SQLKit
import Synchronization

/// One statement as the database was asked to run it: its SQL in the database's dialect, its bound values, and the
/// expression itself (to run again, e.g. under `EXPLAIN QUERY PLAN`).
public struct RecordedStatement: Sendable {
    public let sql: String
    public let binds: [any Encodable & Sendable]
    public let expression: any SQLExpression
}

/// What a recording saw: every statement, in order, and how many rows came back to Swift from all of them.
public struct StatementRecording: Sendable {
    public let statements: [RecordedStatement]
    public let rows: Int
}

/// The statements run through a database while something records them (`Database.recordingStatements`): how the
/// reads-at-scale guard sees what a page asks of the database, statement by statement.
final class StatementLog: Sendable {
    private let seen = Mutex<(statements: [RecordedStatement], rows: Int)>(([], 0))

    func record(_ query: any SQLExpression, on database: any SQLDatabase) {
        let (sql, binds) = database.serialize(query)
        seen.withLock { $0.statements.append(RecordedStatement(sql: sql, binds: binds, expression: query)) }
    }

    func countRow() { seen.withLock { $0.rows += 1 } }

    var recording: StatementRecording { seen.withLock { StatementRecording(statements: $0.statements, rows: $0.rows) } }
}

/// A connection that writes each statement to a log before it runs it; used only while recording.
struct RecordingSQLDatabase: WrappedSQLDatabase, RowInserting {
    let base: any SQLDatabase
    let log: StatementLog

    /// One statement in the log, however `base` runs it.
    func insert(_ rows: InsertRows) async throws {
        log.record(rows, on: base)
        try await rows.run(on: base)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        log.record(query, on: base)
        let log = self.log
        return base.execute(sql: query) { row in
            log.countRow()
            onRow(row)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        log.record(query, on: base)
        let log = self.log
        try await base.execute(sql: query) { row in
            log.countRow()
            onRow(row)
        }
    }
}

extension Database {
    /// Runs `body`, and returns with its result every statement run through this database meanwhile (by anyone: run
    /// nothing else on it at the same time) and the rows they returned. Tests use it to see what a request or a read
    /// asks of the database. It starts with nothing cached in memory (the claims list's tab counts, kept for 30 s of
    /// wall-clock time), so the same request records the same statements however fast the machine is.
    public func recordingStatements<T: Sendable>(_ body: () async throws -> T) async throws -> (result: T, recording: StatementRecording) {
        tabCounts.forget()
        let log = StatementLog()
        statementLog.withLock { $0 = log }
        isRecording.store(true, ordering: .releasing)
        defer {
            isRecording.store(false, ordering: .releasing)
            statementLog.withLock { $0 = nil }
        }
        let result = try await body()
        return (result, log.recording)
    }

    /// `sql`, wrapped to record its statements while a recording runs.
    func recorded(_ sql: any SQLDatabase) -> any SQLDatabase {
        guard isRecording.load(ordering: .acquiring), let log = statementLog.withLock({ $0 }) else { return sql }
        return RecordingSQLDatabase(base: sql, log: log)
    }
}
