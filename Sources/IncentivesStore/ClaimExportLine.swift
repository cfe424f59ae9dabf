import Foundation
import IncentivesDomain
import SQLKit
import VaporCSQLite

/// One claim as the claims export writes it: a list line's columns (`ClaimListing.lines` reads the same query), with the
/// amount left in its stored minor units and the names left in UTF-8. A million of these go through an export: a `Money`
/// per row is a `Decimal` per row, where `appendPlainAmount` writes the same text from the integer; and a `String` per
/// name (with SQLite's values copied out first, and each column found by name) was most of what the export spent
/// outside SQLite. On SQLite a page of lines is read in place (`page(_:on:)`), its names copied once into one buffer.
struct ClaimExportLine: Sendable, Hashable {
    typealias Text = ArraySlice<UInt8>

    var id: Int64
    var name: Text
    var kind: ClaimKind
    var status: ClaimStatus
    var customerName: Text
    var engagementName: Text
    var locationName: Text
    var organizationName: Text
    var solutionAreaID: Int64
    var amountMinor: Int64?
    var currency: Currency
    var dueAt: Date?
    var dueKind: DeadlineKind?
    var consentAt: Date?
    var createdAt: Date
    var updatedAt: Date

    /// The keyset key of this line for the sort, as `ClaimListing.key(of:for:)` gives a list line's.
    func key(for sort: ClaimListQuery.Sort) -> ClaimCursor.Key {
        func text(_ bytes: Text) -> ClaimCursor.Key { .text(String(decoding: bytes, as: UTF8.self)) }
        return switch sort {
        case .updated: .date(updatedAt)
        case .name: text(name)
        case .customer: text(customerName)
        case .engagement: text(engagementName)
        case .location: text(locationName)
        case .status: .text(status.rawValue)
        case .due: .date(dueAt ?? ClaimListing.noDeadline)
        case .amount: .number(amountMinor ?? -1)
        }
    }
}

extension ClaimExportLine {
    /// A row of `ClaimListing.lines`' query, read by hand (Rows.swift says why): PostgreSQL's rows, and SQLite's where
    /// the statement does not run on a kept connection.
    init(row: any SQLRow) throws {
        let column = StoredColumns(row)
        guard let kind = ClaimKind(rawValue: try column("kind", as: String.self)),
              let status = ClaimStatus(rawValue: try column("status", as: String.self)) else {
            throw StoreError.corrupt("A claim holds an unknown kind or status.")
        }
        let text = { (name: String) in Text(try column(name, as: String.self).utf8) }
        self.init(
            id: try column("id", as: Int64.self), name: try text("name"),
            kind: kind, status: status, customerName: try text("customer_name"),
            engagementName: try text("engagement_name"), locationName: try text("location_name"),
            organizationName: try text("organization_name"),
            solutionAreaID: try column("solution_area_id", as: Int64.self),
            amountMinor: try column("amount_minor", as: Int64?.self),
            currency: Currency(try column("currency", as: String.self)),
            dueAt: try column("due_at", as: Date?.self),
            dueKind: try column("due_kind", as: String?.self).flatMap(DeadlineKind.init(rawValue:)),
            consentAt: try column("consent_at", as: Date?.self),
            createdAt: try column("created_at", as: Date.self),
            updatedAt: try column("updated_at", as: Date.self))
    }

    /// The lines of `query` (`ClaimListing.lines`' statement) read in place from SQLite: numbers and instants straight
    /// from the row, the kind, status and deadline matched on their bytes, and every name appended to one buffer the
    /// page's lines share. Reads as `init(row:)` does (the tests compare the two on the same rows).
    static func page(_ query: SQLQueryString, on sqlite: SQLiteStatementDatabase) async throws -> [ClaimExportLine] {
        let reader = PageReader()
        try await sqlite.rows(query) { try reader.read($0) }
        return reader.lines()
    }

    /// What one page's rows leave behind while SQLite steps through them: touched only by the statement's run, which the
    /// caller awaits, then read once it is over (hence unchecked).
    private final class PageReader: @unchecked Sendable {
        static let nameColumns = ["name", "customer_name", "engagement_name", "location_name", "organization_name"]
        static let kinds = RawCases<ClaimKind>(), statuses = RawCases<ClaimStatus>(), deadlines = RawCases<DeadlineKind>()
        var text: [UInt8] = []
        /// Each line read so far, its names still empty, with their ranges in `text` (which grows while the page is read,
        /// so the names are cut from it once the page is over).
        var pending: [(line: ClaimExportLine, names: [Range<Int>])] = []
        var columns: Columns?
        var lastCurrency: (bytes: [UInt8], currency: Currency)?

        /// Each column's place in the row, found once per page.
        struct Columns {
            let id, kind, status, area, amount, currency, dueAt, dueKind, consentAt, createdAt, updatedAt: Int
            let names: [Int]

            init(_ names: SQLiteColumnNames) throws {
                func place(_ name: String) throws -> Int {
                    guard let i = names.index[name] else { throw StoredColumns.missing(name) }
                    return i
                }
                id = try place("id"); kind = try place("kind"); status = try place("status"); area = try place("solution_area_id")
                amount = try place("amount_minor"); currency = try place("currency"); dueAt = try place("due_at")
                dueKind = try place("due_kind"); consentAt = try place("consent_at"); createdAt = try place("created_at")
                updatedAt = try place("updated_at")
                self.names = try PageReader.nameColumns.map(place)
            }
        }

        func read(_ row: SQLiteRowCursor) throws {
            if columns == nil { columns = try Columns(row.columns) }
            guard let c = columns else { return }
            guard let kind = row.withUTF8(c.kind, Self.kinds.matching), let status = row.withUTF8(c.status, Self.statuses.matching) else {
                throw StoreError.corrupt("A claim holds an unknown kind or status.")
            }
            let names = c.names.map { column in
                row.withUTF8(column) { bytes in
                    let start = text.count
                    text.append(contentsOf: bytes)
                    return start..<text.count
                }
            }
            let line = ClaimExportLine(
                id: try Self.integer(row, c.id, "id"), name: [], kind: kind, status: status, customerName: [], engagementName: [],
                locationName: [], organizationName: [], solutionAreaID: try Self.integer(row, c.area, "solution_area_id"),
                amountMinor: row.isNull(c.amount) ? nil : try Self.integer(row, c.amount, "amount_minor"),
                currency: try currency(row, c.currency),
                dueAt: try Self.instant(row, c.dueAt, "due_at"),
                dueKind: row.isNull(c.dueKind) ? nil : row.withUTF8(c.dueKind, Self.deadlines.matching),
                consentAt: try Self.instant(row, c.consentAt, "consent_at"),
                createdAt: try Self.required(Self.instant(row, c.createdAt, "created_at"), "created_at"),
                updatedAt: try Self.required(Self.instant(row, c.updatedAt, "updated_at"), "updated_at"))
            pending.append((line, names))
        }

        func lines() -> [ClaimExportLine] {
            let text = self.text
            return pending.map { line, names in
                var line = line
                (line.name, line.customerName, line.engagementName) = (text[names[0]], text[names[1]], text[names[2]])
                (line.locationName, line.organizationName) = (text[names[3]], text[names[4]])
                return line
            }
        }

        /// The row's currency: the same few codes on every row, so the last one is kept rather than made again.
        private func currency(_ row: SQLiteRowCursor, _ column: Int) throws -> Currency {
            guard row.type(column) == SQLITE_TEXT else { throw Self.mismatch("currency", "text") }
            return row.withUTF8(column) { bytes in
                if let last = lastCurrency, last.bytes.elementsEqual(bytes) { return last.currency }
                let made = Currency(String(decoding: bytes, as: UTF8.self))
                lastCurrency = (Array(bytes), made)
                return made
            }
        }

        /// An integer column, refused as `StoredColumns` refuses one holding anything else.
        private static func integer(_ row: SQLiteRowCursor, _ column: Int, _ name: String) throws -> Int64 {
            guard row.type(column) == SQLITE_INTEGER else { throw mismatch(name, "an integer") }
            return row.int64(column)
        }

        /// An instant as SQLite holds it (seconds since 1970, real or integer); nil for a null.
        private static func instant(_ row: SQLiteRowCursor, _ column: Int, _ name: String) throws -> Date? {
            switch row.type(column) {
            case SQLITE_NULL: return nil
            case SQLITE_FLOAT, SQLITE_INTEGER: return Date(timeIntervalSince1970: row.double(column))
            default: throw mismatch(name, "an instant")
            }
        }

        private static func mismatch(_ column: String, _ expected: String) -> any Error {
            StoreError.corrupt("Column \(column) of a claims export row does not hold \(expected).")
        }

        private static func required(_ instant: Date?, _ column: String) throws -> Date {
            guard let instant else { throw StoreError.corrupt("Column \(column) of a claims export row is null.") }
            return instant
        }
    }
}

/// An enum's cases by the UTF-8 of their raw values: the case of some bytes, without making a `String` of them.
struct RawCases<Value: CaseIterable & RawRepresentable & Sendable>: Sendable where Value.RawValue == String {
    let cases: [(utf8: [UInt8], value: Value)] = Value.allCases.map { (Array($0.rawValue.utf8), $0) }

    func matching(_ bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        cases.first { $0.utf8.elementsEqual(bytes) }?.value
    }
}
