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
            // Each column by its index in `columns`, which also names it in an error.
            func at(_ i: Int) -> Int { places[i] }
            func integer(_ i: Int) throws -> Int64 { try row.integer(places[i], Self.columns[i]) }
            func text(_ i: Int) throws -> String { try row.text(places[i], Self.columns[i]) }
            func optionalText(_ i: Int) throws -> String? { try row.optionalText(places[i], Self.columns[i]) }
            func instant(_ i: Int) throws -> Date? { try row.instant(places[i], Self.columns[i]) }
            func requiredInstant(_ i: Int) throws -> Date { try row.requiredInstant(places[i], Self.columns[i]) }
            guard let kind = row.withUTF8(at(2), Self.kinds.matching) else { throw StoreError.corrupt("A claim holds an unknown kind.") }
            guard let status = row.withUTF8(at(3), Self.statuses.matching) else {
                throw StoreError.corrupt("A claim holds an unknown status (\(try text(3))).")
            }
            claims.append(ClaimJSON(
                id: try integer(0), name: try text(1), kind: kind.rawValue, status: status, version: Int(try integer(4)),
                organizationID: try integer(5), locationID: try integer(6), locationName: try text(7),
                engagementID: try integer(8), engagementName: try text(9), engagementVersion: Int(try integer(10)),
                customer: Customer(id: try integer(11), name: try text(12), domain: try optionalText(13), tenantID: try optionalText(14)),
                amountMinor: row.isNull(at(15)) ? nil : try integer(15), currency: try currencies.read(row, at(16)),
                hours: try optionalText(17), dueAt: try instant(18), dueKind: try optionalText(19), expires: !row.isNull(at(20)),
                isDisputeRound: try row.flag(at(21), Self.columns[21]), consentAt: try instant(22), firstSubmittedAt: try instant(23),
                createdAt: try requiredInstant(24), updatedAt: try requiredInstant(25)))
        }
    }
}
