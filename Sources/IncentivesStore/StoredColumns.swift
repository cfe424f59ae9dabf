import Foundation
import SQLKit
import SQLiteKit

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

/// One row's columns read by name and type: straight from SQLite's values when the row came from a kept statement
/// (`SQLiteStatementRow`), through SQLKit's `decode(column:as:)` otherwise (PostgreSQL). SQLKit's path decodes each
/// value through `Decodable` (a conformance check per column and a decoder object per optional: a quarter of the API
/// claims list's CPU in a profile). The hot lists (claims, the API's claims, the export) read through this; other reads keep
/// SQLKit's `Decodable` rows.
struct StoredColumns {
    let row: any SQLRow
    private let sqlite: SQLiteStatementRow?

    init(_ row: any SQLRow) {
        self.row = row
        sqlite = row as? SQLiteStatementRow
    }

    func callAsFunction<T: ColumnValue>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let sqlite else { return try row.decode(column: name, as: T.self) }
        guard let index = sqlite.columns.index[name] else { throw Self.missing(name) }
        let data = sqlite.values[index]
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
