import Foundation
import IncentivesDomain
import SQLKit

/// One claim as the claims export writes it: a list line's columns (`ClaimListing.lines` reads the same query), with the
/// amount left in its stored minor units. A million of these go through an export, and a `Money` per row (a `Decimal`
/// divided on the way in and multiplied back on the way out) took a fifth of the time; `appendPlainAmount` writes the
/// same text from the integer.
struct ClaimExportLine: Sendable, Hashable {
    var id: Int64
    var name: String
    var kind: ClaimKind
    var status: ClaimStatus
    var customerName: String
    var engagementName: String
    var locationName: String
    var organizationName: String
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
        switch sort {
        case .updated: .date(updatedAt)
        case .name: .text(name)
        case .customer: .text(customerName)
        case .engagement: .text(engagementName)
        case .location: .text(locationName)
        case .status: .text(status.rawValue)
        case .due: .date(dueAt ?? ClaimListing.noDeadline)
        case .amount: .number(amountMinor ?? -1)
        }
    }
}

extension ClaimExportLine {
    /// A row of `ClaimListing.lines`' query, read by hand (Rows.swift says why).
    init(row: any SQLRow) throws {
        guard let kind = ClaimKind(rawValue: try row.decode(column: "kind", as: String.self)),
              let status = ClaimStatus(rawValue: try row.decode(column: "status", as: String.self)) else {
            throw StoreError.corrupt("A claim holds an unknown kind or status.")
        }
        self.init(
            id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
            kind: kind, status: status, customerName: try row.decode(column: "customer_name", as: String.self),
            engagementName: try row.decode(column: "engagement_name", as: String.self),
            locationName: try row.decode(column: "location_name", as: String.self),
            organizationName: try row.decode(column: "organization_name", as: String.self),
            solutionAreaID: try row.decode(column: "solution_area_id", as: Int64.self),
            amountMinor: try row.decodeIfPresent(column: "amount_minor", as: Int64.self),
            currency: Currency(try row.decode(column: "currency", as: String.self)),
            dueAt: try row.decodeIfPresent(column: "due_at", as: Date.self),
            dueKind: try row.decodeIfPresent(column: "due_kind", as: String.self).flatMap(DeadlineKind.init(rawValue:)),
            consentAt: try row.decodeIfPresent(column: "consent_at", as: Date.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }
}

extension SQLRow {
    /// A nullable column: nil for NULL, else decoded as `T`. Decoding as `T?` instead goes, on SQLite, through a `Decoder`
    /// made for the one value (an `Optional` is not one of the types SQLiteKit converts directly), several times the cost.
    func decodeIfPresent<T: Decodable>(column: String, as type: T.Type) throws -> T? {
        try decodeNil(column: column) ? nil : decode(column: column, as: T.self)
    }
}
