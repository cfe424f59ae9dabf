import Foundation
import SQLKit
import SQLiteNIO

/// Many rows into one table at once: the seeder's millions, and a transition's or a sweep's few.
///
/// On PostgreSQL it is one multi-row INSERT, each value bound as it is: its text is written once, in one pass. SQLKit's
/// insert builder wraps every value in an expression and every row in a list of them, and walks those to write the same
/// text; a seed of a million claims binds some hundred million values.
///
/// On SQLite it is a statement of some dozens of rows, kept prepared by the connection and run again for each dozens,
/// the last few rows one at a time (`RowInserting`). One multi-row statement of all the rows was too long to keep, so
/// SQLite parsed each one again, and its thousands of placeholders were written out and each value found its SQLite form
/// through a dynamic cast: a seed's writer spent three times as long on that as SQLite spent inserting.
struct InsertRows: SQLExpression {
    let table: String
    let columns: [String]
    /// The rows' values, row after row, `columns.count` to a row.
    var values: [any StoredValue] = []

    init(_ table: String, _ columns: [String], rows: Int) {
        self.table = table
        self.columns = columns
        values.reserveCapacity(rows * columns.count)
    }

    var rowCount: Int { values.count / columns.count }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ")
        for (index, value) in values.enumerated() {
            let column = index % columns.count
            serializer.write(column > 0 ? ", " : index > 0 ? "), (" : "(")
            serializer.write(bind: value)
        }
        serializer.write(")")
    }

    /// A statement of `rows` rows, in SQLite's dialect.
    func sqlite(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
    }

    /// How many rows one statement takes on SQLite: about a thousand values, so its text stays short enough to keep
    /// (`SQLiteStatementConnection.longestKept`). Not one row a statement: each statement in a transaction keeps a
    /// journal of its own of the pages it changes, so it can be undone alone, and a row's triggers and indexes change
    /// dozens. The sweep's history rows, a statement each, took it from 37 s to 48 s at 300,000 claims.
    var sqliteRowsPerStatement: Int { max(1, 1_000 / columns.count) }

    func run(on sql: any SQLDatabase) async throws {
        precondition(!values.isEmpty && values.count % columns.count == 0, "whole rows of \(table)")
        if let inserting = sql as? any RowInserting {
            try await inserting.insert(self)
        } else {
            try await sql.execute(sql: self) { _ in }
        }
    }
}

/// A database that inserts `InsertRows` its own way rather than as one multi-row statement. All the rows or none are
/// written, as by one statement.
protocol RowInserting: SQLDatabase {
    func insert(_ rows: InsertRows) async throws
}

/// A value `InsertRows` binds: `Encodable` as SQLKit binds it (PostgreSQL), and its SQLite form read directly, which is
/// the one `SQLiteDataEncoder` gives it (`InsertRowsTests.sqliteFormAsEncoded`) without that encoder's casts and boxes.
protocol StoredValue: Encodable, Sendable {
    var sqliteValue: SQLiteData { get }
}

extension StoredValue where Self: SQLiteDataConvertible {
    var sqliteValue: SQLiteData { sqliteData ?? .null }
}

extension Int: StoredValue {}
extension Int64: StoredValue {}
extension String: StoredValue {}
extension Double: StoredValue {}
extension Bool: StoredValue {}
extension Date: StoredValue {}

extension Optional: StoredValue where Wrapped: StoredValue {
    var sqliteValue: SQLiteData { self?.sqliteValue ?? .null }
}

extension Array {
    /// Slices small enough that one multi-row statement stays under SQLite's 32,766 bound parameters (PostgreSQL's bound
    /// is 65,535). `InsertRows` on SQLite takes them some dozens of rows a statement, so there a slice is what one savepoint holds.
    func chunked(columns: Int) -> [ArraySlice<Element>] {
        chunked(size: 30_000 / Swift.max(1, columns))
    }

    /// Consecutive slices of at most `size` elements.
    func chunked(size: Int) -> [ArraySlice<Element>] {
        let size = Swift.max(1, size)
        return stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
