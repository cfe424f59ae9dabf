import Foundation
import Logging
import NIOCore
import SQLKit
import SQLiteKit

/// A SQLite connection seen through SQLKit, as SQLiteKit's own `sql()` gives it, except that each row it hands out
/// keeps its `SQLiteRow` reachable. `StoredColumns` reads a column of such a row straight from SQLite's value,
/// where SQLKit's path decodes it through `Decodable` (a conformance check per column and a decoder object per
/// optional: a quarter of the API claims list's CPU in a profile). Everything else behaves as SQLiteKit's.
struct StoreSQLiteDatabase: SQLDatabase {
    let connection: SQLiteConnection
    /// SQLiteKit's view of the same connection, for what this type does not change (dialect, version).
    let base: any SQLDatabase
    let queryLogLevel: Logger.Level?
    private static let encoder = SQLiteDataEncoder()
    private static let decoder = SQLiteDataDecoder()

    init(connection: SQLiteConnection, queryLogLevel: Logger.Level?) {
        self.connection = connection
        self.base = connection.sql(queryLogLevel: queryLogLevel)
        self.queryLogLevel = queryLogLevel
    }

    var logger: Logger { connection.logger }
    var eventLoop: any EventLoop { connection.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }

    private func prepared(_ query: any SQLExpression) throws -> (String, [SQLiteData]) {
        let (sql, rawBinds) = serialize(query)
        if let queryLogLevel {
            logger.log(level: queryLogLevel, "Executing query", metadata: ["sql": .string(sql), "binds": .array(rawBinds.map { .string("\($0)") })])
        }
        return (sql, try rawBinds.map { try Self.encoder.encode($0) })
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let sql: String, binds: [SQLiteData]
        do { (sql, binds) = try prepared(query) } catch { return eventLoop.makeFailedFuture(error) }
        return connection.query(sql, binds, logger: logger) { onRow(StoreSQLiteRow(row: $0)) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = try prepared(query)
        try await connection.query(sql, binds) { onRow(StoreSQLiteRow(row: $0)) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}

/// A SQLite row as `StoreSQLiteDatabase` hands it out: SQLKit's reads decode as SQLiteKit's row does; `StoredColumns`
/// reads `row` directly.
struct StoreSQLiteRow: SQLRow {
    let row: SQLiteRow
    private static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { row.columns.map(\.name) }
    func contains(column: String) -> Bool { row.column(column) != nil }
    func decodeNil(column: String) throws -> Bool { row.column(column)?.isNull ?? true }

    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let data = row.column(column) else { throw StoredColumns.missing(column) }
        return try Self.decoder.decode(D.self, from: data)
    }
}

/// A type a column can be read as without `Decodable` on SQLite (`StoredColumns`); other databases decode it.
protocol ColumnValue: Decodable, Sendable {
    /// The value SQLite's data holds, as SQLiteKit's decoder would read it; nil when it holds none of this type.
    static func stored(_ data: SQLiteData) -> Self?
}

extension ColumnValue where Self: SQLiteDataConvertible {
    static func stored(_ data: SQLiteData) -> Self? { Self(sqliteData: data) }
}

extension Int64: ColumnValue {}
extension Int: ColumnValue {}
extension String: ColumnValue {}
extension Bool: ColumnValue {}
extension Double: ColumnValue {}
extension Date: ColumnValue {}

extension Optional: ColumnValue where Wrapped: ColumnValue {
    static func stored(_ data: SQLiteData) -> Self? {
        if case .null = data { return .some(.none) }
        return Wrapped.stored(data).map { .some($0) }
    }
}

/// One row's columns read by name and type: straight from SQLite's values when the row came from
/// `StoreSQLiteDatabase`, through SQLKit's `decode(column:as:)` otherwise (PostgreSQL). The hot lists (claims, the
/// API's claims, exports) read through this; other reads keep SQLKit's `Decodable` rows.
struct StoredColumns {
    let row: any SQLRow
    private let sqlite: SQLiteRow?

    init(_ row: any SQLRow) {
        self.row = row
        sqlite = (row as? StoreSQLiteRow)?.row
    }

    func callAsFunction<T: ColumnValue>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let sqlite else { return try row.decode(column: name, as: T.self) }
        guard let data = sqlite.column(name) else { throw Self.missing(name) }
        guard let value = T.stored(data) else {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: [], debugDescription: "Column \(name) holds \(data), not \(T.self)."))
        }
        return value
    }

    static func missing(_ column: String) -> any Error {
        DecodingError.keyNotFound(SQLCodingKey(column), .init(codingPath: [], debugDescription: "No column \(column) in the row."))
    }
}

/// A coding key naming a column, for the errors above.
private struct SQLCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
