import Foundation
import IncentivesDomain
import VaporCSQLite

/// Typed reads of a row in place (`SQLiteRowCursor`), by the column's place, for the readers of the hottest lists (the
/// claims export, the API's claims). Each refuses a value of another type as `StoredColumns` does, naming the column.
extension SQLiteRowCursor {
    /// Each of `names`' places in the statement's row, in order: found once per statement, not once per row.
    static func places(of names: [String], in columns: SQLiteColumnNames) throws -> [Int] {
        try names.map { name in
            guard let place = columns.index[name] else { throw StoredColumns.missing(name) }
            return place
        }
    }

    func integer(_ column: Int, _ name: String) throws -> Int64 {
        guard type(column) == SQLITE_INTEGER else { throw Self.mismatch(name, "an integer") }
        return int64(column)
    }

    /// A flag as SQLite holds it: the integer 0 or 1.
    func flag(_ column: Int, _ name: String) throws -> Bool {
        let value = try integer(column, name)
        guard value == 0 || value == 1 else { throw Self.mismatch(name, "0 or 1") }
        return value == 1
    }

    func text(_ column: Int, _ name: String) throws -> String {
        guard type(column) == SQLITE_TEXT else { throw Self.mismatch(name, "text") }
        return withUTF8(column) { String(decoding: $0, as: UTF8.self) }
    }

    func optionalText(_ column: Int, _ name: String) throws -> String? {
        isNull(column) ? nil : try text(column, name)
    }

    /// An instant as SQLite holds it (seconds since 1970, real or integer); nil for a null.
    func instant(_ column: Int, _ name: String) throws -> Date? {
        switch type(column) {
        case SQLITE_NULL: return nil
        case SQLITE_FLOAT, SQLITE_INTEGER: return Date(timeIntervalSince1970: double(column))
        default: throw Self.mismatch(name, "an instant")
        }
    }

    func requiredInstant(_ column: Int, _ name: String) throws -> Date {
        guard let instant = try instant(column, name) else { throw StoreError.corrupt("Column \(name) of a claims row is null.") }
        return instant
    }

    static func mismatch(_ column: String, _ expected: String) -> any Error {
        StoreError.corrupt("Column \(column) of a claims row does not hold \(expected).")
    }
}

/// A page's columns by their index in a list of names: each one's place in the statement's row found on its first row, and
/// its name at hand for an error. The readers of the claims lists (`ClaimJSON.page`, `ClaimSummary.page`) read by it.
struct PlacedColumns {
    let names: [String]
    private var places: [Int] = []

    init(_ names: [String]) { self.names = names }

    /// `row` read through these places (found now if this is the page's first row).
    mutating func reading(_ row: SQLiteRowCursor) throws -> PlacedRow {
        if places.isEmpty { places = try SQLiteRowCursor.places(of: names, in: row.columns) }
        return PlacedRow(row: row, places: places, names: names)
    }
}

/// One row read by the index of each column in its page's names (`PlacedColumns`).
struct PlacedRow {
    let row: SQLiteRowCursor
    let places: [Int]
    let names: [String]

    /// The column's place in the statement's row, for the cursor's own reads.
    func at(_ i: Int) -> Int { places[i] }
    func isNull(_ i: Int) -> Bool { row.isNull(places[i]) }
    func integer(_ i: Int) throws -> Int64 { try row.integer(places[i], names[i]) }
    func flag(_ i: Int) throws -> Bool { try row.flag(places[i], names[i]) }
    func text(_ i: Int) throws -> String { try row.text(places[i], names[i]) }
    func optionalText(_ i: Int) throws -> String? { try row.optionalText(places[i], names[i]) }
    func instant(_ i: Int) throws -> Date? { try row.instant(places[i], names[i]) }
    func requiredInstant(_ i: Int) throws -> Date { try row.requiredInstant(places[i], names[i]) }
}

/// The currency of each row of a page: the same few codes on every row, so the last one is kept rather than made again.
struct RowCurrencies {
    private var last: (bytes: [UInt8], currency: Currency)?

    mutating func read(_ row: SQLiteRowCursor, _ column: Int) throws -> Currency {
        guard row.type(column) == SQLITE_TEXT else { throw SQLiteRowCursor.mismatch("currency", "text") }
        return row.withUTF8(column) { bytes in
            if let last, last.bytes.elementsEqual(bytes) { return last.currency }
            let made = Currency(String(decoding: bytes, as: UTF8.self))
            last = (Array(bytes), made)
            return made
        }
    }
}
