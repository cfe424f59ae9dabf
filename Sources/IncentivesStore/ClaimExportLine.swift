import Foundation
import IncentivesDomain
import SQLKit

/// One claim as the claims export writes it: a list line's columns (`ClaimListing.lines` reads the same query), with the
/// amount left in its stored minor units. A million of these go through an export: a `Money` per row (then a `Decimal`
/// divided on the way in and multiplied back on the way out) took a fifth of the time, and even built without the
/// division it is a `Decimal` per row; `appendPlainAmount` writes the same text from the integer.
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
        let column = StoredColumns(row)
        guard let kind = ClaimKind(rawValue: try column("kind", as: String.self)),
              let status = ClaimStatus(rawValue: try column("status", as: String.self)) else {
            throw StoreError.corrupt("A claim holds an unknown kind or status.")
        }
        self.init(
            id: try column("id", as: Int64.self), name: try column("name", as: String.self),
            kind: kind, status: status, customerName: try column("customer_name", as: String.self),
            engagementName: try column("engagement_name", as: String.self),
            locationName: try column("location_name", as: String.self),
            organizationName: try column("organization_name", as: String.self),
            solutionAreaID: try column("solution_area_id", as: Int64.self),
            amountMinor: try column("amount_minor", as: Int64?.self),
            currency: Currency(try column("currency", as: String.self)),
            dueAt: try column("due_at", as: Date?.self),
            dueKind: try column("due_kind", as: String?.self).flatMap(DeadlineKind.init(rawValue:)),
            consentAt: try column("consent_at", as: Date?.self),
            createdAt: try column("created_at", as: Date.self),
            updatedAt: try column("updated_at", as: Date.self))
    }
}

