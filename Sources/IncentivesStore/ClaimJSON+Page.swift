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
        static let columns = ["id", "name", "kind", "status", "version", "organization_id", "location_id", "location_name",
                              "engagement_id", "engagement_name", "engagement_version", "customer_id", "customer_name",
                              "customer_domain", "customer_tenant_id", "amount_minor", "currency", "hours", "due_at", "due_kind",
                              "expires_at", "is_dispute_round", "consent_at", "first_submitted_at", "created_at", "updated_at"]
        var claims: [ClaimJSON] = []
        var places: [Int] = []
        var currencies = RowCurrencies()

        func read(_ row: SQLiteRowCursor) throws {
            if places.isEmpty { places = try SQLiteRowCursor.places(of: Self.columns, in: row.columns) }
            // Each column by its index in `columns`.
            func at(_ i: Int) -> Int { places[i] }
            guard let kind = row.withUTF8(at(2), Self.kinds.matching) else { throw StoreError.corrupt("A claim holds an unknown kind.") }
            guard let status = row.withUTF8(at(3), Self.statuses.matching) else {
                throw StoreError.corrupt("A claim holds an unknown status (\(try row.text(at(3), "status"))).")
            }
            claims.append(ClaimJSON(
                id: try row.integer(at(0), "id"), name: try row.text(at(1), "name"), kind: kind.rawValue, status: status,
                version: Int(try row.integer(at(4), "version")), organizationID: try row.integer(at(5), "organization_id"),
                locationID: try row.integer(at(6), "location_id"), locationName: try row.text(at(7), "location_name"),
                engagementID: try row.integer(at(8), "engagement_id"), engagementName: try row.text(at(9), "engagement_name"),
                engagementVersion: Int(try row.integer(at(10), "engagement_version")),
                customer: Customer(id: try row.integer(at(11), "customer_id"), name: try row.text(at(12), "customer_name"),
                                   domain: try row.optionalText(at(13), "customer_domain"),
                                   tenantID: try row.optionalText(at(14), "customer_tenant_id")),
                amountMinor: row.isNull(at(15)) ? nil : try row.integer(at(15), "amount_minor"),
                currency: try currencies.read(row, at(16)), hours: try row.optionalText(at(17), "hours"),
                dueAt: try row.instant(at(18), "due_at"), dueKind: try row.optionalText(at(19), "due_kind"),
                expires: !row.isNull(at(20)), isDisputeRound: try row.flag(at(21), "is_dispute_round"),
                consentAt: try row.instant(at(22), "consent_at"), firstSubmittedAt: try row.instant(at(23), "first_submitted_at"),
                createdAt: try row.requiredInstant(at(24), "created_at"), updatedAt: try row.requiredInstant(at(25), "updated_at")))
        }
    }
}
