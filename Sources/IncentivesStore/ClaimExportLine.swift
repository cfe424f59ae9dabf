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

    /// The keyset key of this line for the sort, as a page's line gives it (`ClaimSummary.key(for:)`).
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
        var currencies = RowCurrencies()

        /// Each column's place in the row, found once per page.
        struct Columns {
            let id, kind, status, area, amount, currency, dueAt, dueKind, consentAt, createdAt, updatedAt: Int
            let names: [Int]

            init(_ names: SQLiteColumnNames) throws {
                let p = try SQLiteRowCursor.places(of: ["id", "kind", "status", "solution_area_id", "amount_minor", "currency", "due_at",
                                                        "due_kind", "consent_at", "created_at", "updated_at"] + PageReader.nameColumns,
                                                   in: names)
                (id, kind, status, area, amount, currency) = (p[0], p[1], p[2], p[3], p[4], p[5])
                (dueAt, dueKind, consentAt, createdAt, updatedAt) = (p[6], p[7], p[8], p[9], p[10])
                self.names = Array(p[11...])
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
                id: try row.integer(c.id, "id"), name: [], kind: kind, status: status, customerName: [], engagementName: [],
                locationName: [], organizationName: [], solutionAreaID: try row.integer(c.area, "solution_area_id"),
                amountMinor: row.isNull(c.amount) ? nil : try row.integer(c.amount, "amount_minor"),
                currency: try currencies.read(row, c.currency),
                dueAt: try row.instant(c.dueAt, "due_at"),
                dueKind: row.isNull(c.dueKind) ? nil : row.withUTF8(c.dueKind, Self.deadlines.matching),
                consentAt: try row.instant(c.consentAt, "consent_at"),
                createdAt: try row.requiredInstant(c.createdAt, "created_at"),
                updatedAt: try row.requiredInstant(c.updatedAt, "updated_at"))
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
    }
}

/// An enum's cases by the UTF-8 of their raw values: the case of some bytes, without making a `String` of them.
struct RawCases<Value: CaseIterable & RawRepresentable & Sendable>: Sendable where Value.RawValue == String {
    let cases: [(utf8: [UInt8], value: Value)] = Value.allCases.map { (Array($0.rawValue.utf8), $0) }

    func matching(_ bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        cases.first { $0.utf8.elementsEqual(bytes) }?.value
    }
}
