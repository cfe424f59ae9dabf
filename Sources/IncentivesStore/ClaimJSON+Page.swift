import Foundation
import IncentivesDomain
import SQLKit

extension ClaimJSON {
    /// The claims of `query` (`ClaimListing.linesQuery` with `json`), read in place from SQLite: each column's place
    /// found once per page, numbers and instants straight from the row, the kind and status matched on their bytes, and
    /// nothing copied out of SQLite but the names. `init(row:)` found each of 26 columns by name in a copy of the row,
    /// the API list's largest cost after SQLite itself. Reads as `init(row:)` does (a test compares the two).
    static func page(_ query: SQLQueryString, on sqlite: SQLiteStatementDatabase) async throws -> [ClaimJSON] {
        let reader = PageReader()
        try await sqlite.rows(query) { try reader.read($0) }
        return reader.claims
    }

    /// What a page's rows leave behind: touched only by the statement's run, which the caller awaits (hence unchecked).
    private final class PageReader: @unchecked Sendable {
        static let kinds = RawCases<ClaimKind>(), statuses = RawCases<ClaimStatus>()
        var claims: [ClaimJSON] = []
        var columns = PlacedColumns(["id", "name", "kind", "status", "version", "organization_id", "location_id", "location_name",
                                     "engagement_id", "engagement_name", "engagement_version", "customer_id", "customer_name",
                                     "customer_domain", "customer_tenant_id", "amount_minor", "currency", "hours", "due_at", "due_kind",
                                     "expires_at", "is_dispute_round", "consent_at", "first_submitted_at", "created_at", "updated_at"])
        var currencies = RowCurrencies()

        func read(_ cursor: SQLiteRowCursor) throws {
            let row = try columns.reading(cursor)
            guard let kind = cursor.withUTF8(row.at(2), Self.kinds.matching) else { throw StoreError.corrupt("A claim holds an unknown kind.") }
            guard let status = cursor.withUTF8(row.at(3), Self.statuses.matching) else {
                throw StoreError.corrupt("A claim holds an unknown status (\(try row.text(3))).")
            }
            claims.append(ClaimJSON(
                id: try row.integer(0), name: try row.text(1), kind: kind.rawValue, status: status, version: Int(try row.integer(4)),
                organizationID: try row.integer(5), locationID: try row.integer(6), locationName: try row.text(7),
                engagementID: try row.integer(8), engagementName: try row.text(9), engagementVersion: Int(try row.integer(10)),
                customer: Customer(id: try row.integer(11), name: try row.text(12), domain: try row.optionalText(13),
                                   tenantID: try row.optionalText(14)),
                amountMinor: row.isNull(15) ? nil : try row.integer(15), currency: try currencies.read(cursor, row.at(16)),
                hours: try row.optionalText(17), dueAt: try row.instant(18), dueKind: try row.optionalText(19), expires: !row.isNull(20),
                isDisputeRound: try row.flag(21), consentAt: try row.instant(22), firstSubmittedAt: try row.instant(23),
                createdAt: try row.requiredInstant(24), updatedAt: try row.requiredInstant(25)))
        }
    }
}
