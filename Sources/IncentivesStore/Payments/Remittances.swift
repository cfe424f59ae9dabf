import Foundation
import IncentivesDomain
import SQLKit

/// One claim a run pays (or takes back) for a payee.
public struct RemittanceItem: Sendable, Hashable {
    public var earningID: Int64
    public var kind: EarningKind
    public var claimID: Int64
    public var claimName: String
    public var engagementName: String
    public var engagementVersion: Int
    public var market: Market
    public var rate: Money
    public var hours: Decimal?
    public var amount: Money
}

/// A payee's part of a run: what a partner's remittance advice shows.
public struct Remittance: Sendable, Hashable {
    public var runID: Int64
    public var reference: String
    public var runStatus: PaymentRunStatus
    public var sentAt: Date?
    public var locationID: Int64
    public var locationName: String
    public var organizationName: String
    /// One per currency: the line's total, its EndToEndId and whether the bank paid it.
    public var lines: [PaymentRunLine]
    public var items: [RemittanceItem]
}

/// A remittance in a partner's list.
public struct RemittanceSummary: Sendable, Hashable {
    public var runID: Int64
    public var reference: String
    public var sentAt: Date?
    public var locationID: Int64
    public var locationName: String
    public var totals: [Money]
    public var statuses: [PaymentLineStatus]
}

extension PaymentRuns {
    /// The remittance advice of a run for one location. A partner sees only its own locations, and only runs sent to
    /// the bank; anything else is not found, like a foreign id.
    public func remittance(run runID: Int64, location locationID: Int64, in scope: AccessScope) async throws -> Remittance? {
        try await db.read { sql in
            let sentOnly: SQLQueryString
            if case .partner = scope { sentOnly = "r.status IN ('sent', 'completed')" } else { sentOnly = "1 = 1" }
            struct Head: Decodable {
                var reference: String; var status: String; var sent_at: Date?; var location_name: String; var organization_name: String
            }
            guard let head = try await sql.raw("""
                SELECT r.reference, r.status, r.sent_at, l.name AS location_name, o.name AS organization_name
                FROM payment_runs r JOIN locations l ON l.id = \(bind: locationID) JOIN organizations o ON o.id = l.organization_id
                WHERE r.id = \(bind: runID) AND \(sentOnly) AND \(scope.locationFilter("l"))
                  AND EXISTS (SELECT 1 FROM payment_run_lines li WHERE li.run_id = r.id AND li.location_id = l.id)
                """).first(decoding: Head.self) else { return nil }
            let lines = try await Self.lines(ofRun: runID, on: sql).filter { $0.locationID == locationID }
            struct Row: Decodable {
                var earning_id: Int64; var kind: String; var claim_id: Int64; var claim_name: String; var engagement_name: String
                var engagement_version: Int64; var market: String; var rate_minor: Int64; var hours: String?; var amount_minor: Int64
                var currency: String
            }
            let items = try await sql.raw("""
                SELECT i.earning_id, e.kind, e.claim_id, c.name AS claim_name, g.name AS engagement_name, e.engagement_version, e.market,
                       e.rate_minor, e.hours, i.amount_minor, e.currency
                FROM payment_run_items i JOIN payment_run_lines li ON li.id = i.line_id JOIN earnings e ON e.id = i.earning_id
                JOIN claims c ON c.id = e.claim_id JOIN engagements g ON g.id = e.engagement_id
                WHERE i.run_id = \(bind: runID) AND li.location_id = \(bind: locationID)
                ORDER BY e.currency, g.name, c.id, e.id
                """).all(decoding: Row.self).map { r in
                let currency = Currency(r.currency)
                return RemittanceItem(earningID: r.earning_id, kind: EarningKind(rawValue: r.kind) ?? .earning, claimID: r.claim_id,
                                      claimName: r.claim_name, engagementName: r.engagement_name, engagementVersion: Int(r.engagement_version),
                                      market: Market(rawValue: r.market) ?? .c, rate: Money(minorUnits: r.rate_minor, currency: currency),
                                      hours: r.hours.flatMap { Decimal(string: $0) }, amount: Money(minorUnits: r.amount_minor, currency: currency))
            }
            return Remittance(runID: runID, reference: head.reference, runStatus: PaymentRunStatus(rawValue: head.status) ?? .canceled,
                              sentAt: head.sent_at, locationID: locationID, locationName: head.location_name,
                              organizationName: head.organization_name, lines: lines, items: items)
        }
    }

    /// The scope's latest `limit` payments (a location's line of a run sent to the bank, per currency), newest run first,
    /// grouped by run and location.
    public func remittances(in scope: AccessScope, limit: Int = 50) async throws -> [RemittanceSummary] {
        try await db.read { sql in
            struct Row: Decodable {
                var run_id: Int64; var reference: String; var sent_at: Date?; var location_id: Int64; var location_name: String
                var currency: String; var amount_minor: Int64; var status: String
            }
            let rows = try await sql.raw("""
                SELECT r.id AS run_id, r.reference, r.sent_at, l.id AS location_id, l.name AS location_name, li.currency, li.amount_minor, li.status
                FROM payment_runs r JOIN payment_run_lines li ON li.run_id = r.id JOIN locations l ON l.id = li.location_id
                WHERE r.status IN ('sent', 'completed') AND \(scope.locationFilter("l"))
                ORDER BY r.id DESC, l.name, li.currency LIMIT \(literal: limit)
                """).all(decoding: Row.self)
            var result: [RemittanceSummary] = []
            for row in rows {
                let money = Money(minorUnits: row.amount_minor, currency: Currency(row.currency))
                let status = PaymentLineStatus(rawValue: row.status) ?? .pending
                if let last = result.last, last.runID == row.run_id, last.locationID == row.location_id {
                    result[result.count - 1].totals.append(money)
                    result[result.count - 1].statuses.append(status)
                } else {
                    result.append(RemittanceSummary(runID: row.run_id, reference: row.reference, sentAt: row.sent_at, locationID: row.location_id,
                                                    locationName: row.location_name, totals: [money], statuses: [status]))
                }
            }
            return result
        }
    }
}

extension Remittance {
    public static let csvColumns = ["run", "end_to_end_id", "location", "claim_id", "claim", "engagement", "engagement_version", "market",
                                    "rate", "hours", "amount", "currency", "kind", "payment_status"]

    /// The advice as CSV: one line per claim, with the payee line it belongs to (names through the formula guard).
    public var csv: String {
        var text = CSV.line(Self.csvColumns)
        for item in items {
            let line = lines.first { $0.amount.currency == item.amount.currency }
            text += CSV.line([reference, line?.endToEndID ?? "", CSV.text("\(organizationName) / \(locationName)"), String(item.claimID),
                              CSV.text(item.claimName), CSV.text(item.engagementName), String(item.engagementVersion),
                              item.market.rawValue.uppercased(), item.rate.plainText, item.hours.map { "\($0)" } ?? "", item.amount.plainText,
                              item.amount.currency.code, item.kind.rawValue, line?.status.rawValue ?? ""])
        }
        return text
    }
}
