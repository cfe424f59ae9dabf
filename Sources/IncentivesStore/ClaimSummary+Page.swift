import Foundation
import IncentivesDomain
import SQLKit

extension ClaimSummary {
    /// A row of `ClaimListing.lines`' query, read by hand (Rows.swift says why): PostgreSQL's rows, and SQLite's where the
    /// statement does not run on a kept connection.
    init(row: any SQLRow) throws {
        let column = StoredColumns(row)
        let currency = Currency(try column("currency", as: String.self))
        guard let kind = ClaimKind(rawValue: try column("kind", as: String.self)),
              let status = ClaimStatus(rawValue: try column("status", as: String.self)) else {
            throw StoreError.corrupt("A claim holds an unknown kind or status.")
        }
        self.init(
            id: try column("id", as: Int64.self), name: try column("name", as: String.self),
            kind: kind, status: status, customerName: try column("customer_name", as: String.self),
            engagementID: try column("engagement_id", as: Int64.self),
            engagementName: try column("engagement_name", as: String.self),
            locationID: try column("location_id", as: Int64.self),
            locationName: try column("location_name", as: String.self),
            organizationName: try column("organization_name", as: String.self),
            solutionAreaID: try column("solution_area_id", as: Int64.self),
            amount: try column("amount_minor", as: Int64?.self).map { Money(minorUnits: $0, currency: currency) },
            dueAt: try column("due_at", as: Date?.self),
            dueKind: try column("due_kind", as: String?.self).flatMap(DeadlineKind.init(rawValue:)),
            expiresAt: try column("expires_at", as: Date?.self),
            consentAt: try column("consent_at", as: Date?.self),
            createdAt: try column("created_at", as: Date.self),
            updatedAt: try column("updated_at", as: Date.self))
    }

    /// The lines of `query` (`ClaimListing.lines`' statement) read in place from SQLite, as `ClaimJSON.page` reads the
    /// API's: each column's place found once per page, numbers and instants straight from the row, the kind, status and
    /// deadline matched on their bytes. Found by name in a decoded copy of each row, the columns were a twentieth of the
    /// claims page's CPU (a string hash per column and row, under `perf`). Reads as `init(row:)` does (a test compares).
    static func page(_ query: SQLQueryString, on sqlite: SQLiteStatementDatabase) async throws -> [ClaimSummary] {
        let reader = PageReader()
        try await sqlite.rows(query) { try reader.read($0) }
        return reader.lines
    }

    /// What a page's rows leave behind: touched only by the statement's run, which the caller awaits (hence unchecked).
    private final class PageReader: @unchecked Sendable {
        static let kinds = RawCases<ClaimKind>(), statuses = RawCases<ClaimStatus>(), deadlines = RawCases<DeadlineKind>()
        var lines: [ClaimSummary] = []
        var columns = PlacedColumns(["id", "name", "kind", "status", "customer_name", "engagement_id", "engagement_name",
                                     "location_id", "location_name", "organization_name", "solution_area_id", "amount_minor",
                                     "currency", "due_at", "due_kind", "expires_at", "consent_at", "created_at", "updated_at"])
        var currencies = RowCurrencies()

        func read(_ cursor: SQLiteRowCursor) throws {
            let row = try columns.reading(cursor)
            guard let kind = cursor.withUTF8(row.at(2), Self.kinds.matching),
                  let status = cursor.withUTF8(row.at(3), Self.statuses.matching) else {
                throw StoreError.corrupt("A claim holds an unknown kind or status.")
            }
            let currency = try currencies.read(cursor, row.at(12))
            lines.append(ClaimSummary(
                id: try row.integer(0), name: try row.text(1), kind: kind, status: status, customerName: try row.text(4),
                engagementID: try row.integer(5), engagementName: try row.text(6), locationID: try row.integer(7),
                locationName: try row.text(8), organizationName: try row.text(9), solutionAreaID: try row.integer(10),
                amount: row.isNull(11) ? nil : Money(minorUnits: try row.integer(11), currency: currency),
                dueAt: try row.instant(13), dueKind: row.isNull(14) ? nil : cursor.withUTF8(row.at(14), Self.deadlines.matching),
                expiresAt: try row.instant(15), consentAt: try row.instant(16),
                createdAt: try row.requiredInstant(17), updatedAt: try row.requiredInstant(18)))
        }
    }
}
