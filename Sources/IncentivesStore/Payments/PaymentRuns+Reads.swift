import Foundation
import IncentivesDomain
import SQLKit

/// A run in the list and at the top of its page.
public struct PaymentRunSummary: Sendable, Hashable {
    public var id: Int64
    public var reference: String
    public var cutoff: String
    public var status: PaymentRunStatus
    public var version: Int64
    public var createdAt: Date
    public var createdByID: Int64?
    public var createdBy: String
    public var approvedAt: Date?
    public var approvedBy: String?
    public var exportedAt: Date?
    public var sentAt: Date?
    public var completedAt: Date?
    public var canceledAt: Date?
    /// What the run pays, per currency (code order).
    public var totals: [Money]
    public var payees: Int
}

/// One payee line of a run, with the creditor as the run gathered it (the account masked for pages).
public struct PaymentRunLine: Sendable, Hashable {
    public var id: Int64
    public var locationID: Int64
    public var locationName: String
    public var organizationName: String
    public var amount: Money
    public var earnings: Int
    public var creditorName: String
    public var creditorCountry: String
    public var creditorAccount: String
    public var creditorBIC: String
    public var creditorRoutingCode: String?
    public var endToEndID: String
    public var status: PaymentLineStatus
    public var failureReason: String?
    public var settledAt: Date?
    public var settledBy: String?
}

/// What was due at the cut-off and not gathered, and why.
public struct PaymentRunHold: Sendable, Hashable {
    public var locationID: Int64
    public var locationName: String
    public var organizationName: String
    public var amount: Money
    public var earnings: Int
    public var reason: PaymentHoldReason
}

public struct PaymentRunEvent: Sendable, Hashable {
    public var at: Date
    public var action: String
    public var actor: String
    public var note: String?
}

public struct PaymentRunDetail: Sendable, Hashable {
    public var run: PaymentRunSummary
    public var lines: [PaymentRunLine]
    public var holds: [PaymentRunHold]
    public var history: [PaymentRunEvent]
}

extension PaymentRuns {
    /// Every run, newest first, with its totals.
    public func runs(limit: Int = 100) async throws -> [PaymentRunSummary] {
        try await db.read { sql in try await Self.summaries(where: "1 = 1", limit: limit, on: sql) }
    }

    /// One run with its lines, holds and history; nil when there is none.
    public func run(_ id: Int64) async throws -> PaymentRunDetail? {
        try await db.read { sql in
            guard let run = try await Self.summaries(where: "r.id = \(bind: id)", limit: 1, on: sql).first else { return nil }
            return PaymentRunDetail(run: run, lines: try await Self.lines(ofRun: id, on: sql), holds: try await Self.holds(ofRun: id, on: sql),
                                    history: try await Self.history(ofRun: id, on: sql))
        }
    }

    private struct SummaryRow: Decodable {
        var id: Int64; var reference: String; var cutoff_on: String; var status: String; var version: Int64
        var created_at: Date; var created_by: Int64?; var created_by_name: String; var approved_at: Date?; var approved_by_name: String?
        var exported_at: Date?; var sent_at: Date?; var completed_at: Date?; var canceled_at: Date?
    }

    static func summaries(where condition: SQLQueryString, limit: Int, on sql: any SQLDatabase) async throws -> [PaymentRunSummary] {
        let rows = try await sql.raw("""
            SELECT r.id, r.reference, r.cutoff_on, r.status, r.version, r.created_at, r.created_by, r.created_by_name, r.approved_at,
                   r.approved_by_name, r.exported_at, r.sent_at, r.completed_at, r.canceled_at
            FROM payment_runs r WHERE \(condition) ORDER BY r.id DESC LIMIT \(literal: limit)
            """).all(decoding: SummaryRow.self)
        guard !rows.isEmpty else { return [] }
        struct Total: Decodable { var run_id: Int64; var currency: String; var total: Int64 }
        let totals = try await sql.raw("""
            SELECT run_id, currency, CAST(SUM(amount_minor) AS BIGINT) AS total
            FROM payment_run_lines WHERE run_id IN (\(AccessScope.bindList(Set(rows.map(\.id))))) GROUP BY run_id, currency ORDER BY run_id, currency
            """).all(decoding: Total.self)
        let byRun = Dictionary(grouping: totals, by: \.run_id)
        let payees = try await sql.raw("""
            SELECT run_id, COUNT(DISTINCT location_id) AS n FROM payment_run_lines WHERE run_id IN (\(AccessScope.bindList(Set(rows.map(\.id)))))
            GROUP BY run_id
            """).all(decoding: RunCount.self)
        let payeeCount = Dictionary(uniqueKeysWithValues: payees.map { ($0.run_id, Int($0.n)) })
        return rows.map { r in
            PaymentRunSummary(id: r.id, reference: r.reference, cutoff: r.cutoff_on, status: PaymentRunStatus(rawValue: r.status) ?? .canceled,
                              version: r.version, createdAt: r.created_at, createdByID: r.created_by, createdBy: r.created_by_name,
                              approvedAt: r.approved_at, approvedBy: r.approved_by_name, exportedAt: r.exported_at, sentAt: r.sent_at,
                              completedAt: r.completed_at, canceledAt: r.canceled_at,
                              totals: (byRun[r.id] ?? []).map { Money(minorUnits: $0.total, currency: Currency($0.currency)) },
                              payees: payeeCount[r.id] ?? 0)
        }
    }

    private struct RunCount: Decodable { var run_id: Int64; var n: Int64 }

    static func lines(ofRun id: Int64, on sql: any SQLDatabase) async throws -> [PaymentRunLine] {
        struct Row: Decodable {
            var id: Int64; var location_id: Int64; var location_name: String; var organization_name: String; var currency: String
            var amount_minor: Int64; var earnings_count: Int64; var creditor_name: String; var creditor_country: String
            var creditor_account: String; var creditor_bic: String; var creditor_routing_code: String?; var end_to_end_id: String
            var status: String; var failure_reason: String?; var settled_at: Date?; var settled_by_name: String?
        }
        return try await sql.raw("""
            SELECT li.id, li.location_id, lo.name AS location_name, o.name AS organization_name, li.currency, li.amount_minor,
                   li.earnings_count, li.creditor_name, li.creditor_country, li.creditor_account, li.creditor_bic, li.creditor_routing_code,
                   li.end_to_end_id, li.status, li.failure_reason, li.settled_at, li.settled_by_name
            FROM payment_run_lines li JOIN locations lo ON lo.id = li.location_id JOIN organizations o ON o.id = lo.organization_id
            WHERE li.run_id = \(bind: id) ORDER BY li.end_to_end_id
            """).all(decoding: Row.self).map { r in
            PaymentRunLine(id: r.id, locationID: r.location_id, locationName: r.location_name, organizationName: r.organization_name,
                           amount: Money(minorUnits: r.amount_minor, currency: Currency(r.currency)), earnings: Int(r.earnings_count),
                           creditorName: r.creditor_name, creditorCountry: r.creditor_country, creditorAccount: r.creditor_account,
                           creditorBIC: r.creditor_bic, creditorRoutingCode: r.creditor_routing_code, endToEndID: r.end_to_end_id,
                           status: PaymentLineStatus(rawValue: r.status) ?? .pending, failureReason: r.failure_reason,
                           settledAt: r.settled_at, settledBy: r.settled_by_name)
        }
    }

    static func holds(ofRun id: Int64, on sql: any SQLDatabase) async throws -> [PaymentRunHold] {
        struct Row: Decodable {
            var location_id: Int64; var location_name: String; var organization_name: String; var currency: String
            var amount_minor: Int64; var earnings_count: Int64; var reason: String
        }
        return try await sql.raw("""
            SELECT h.location_id, lo.name AS location_name, o.name AS organization_name, h.currency, h.amount_minor, h.earnings_count, h.reason
            FROM payment_run_holds h JOIN locations lo ON lo.id = h.location_id JOIN organizations o ON o.id = lo.organization_id
            WHERE h.run_id = \(bind: id) ORDER BY o.name, lo.name, h.currency
            """).all(decoding: Row.self).map { r in
            PaymentRunHold(locationID: r.location_id, locationName: r.location_name, organizationName: r.organization_name,
                           amount: Money(minorUnits: r.amount_minor, currency: Currency(r.currency)), earnings: Int(r.earnings_count),
                           reason: PaymentHoldReason(rawValue: r.reason) ?? .noBankProfile)
        }
    }

    static func history(ofRun id: Int64, on sql: any SQLDatabase) async throws -> [PaymentRunEvent] {
        struct Row: Decodable { var at: Date; var action: String; var actor_name: String; var note: String? }
        return try await sql.raw("""
            SELECT at, action, actor_name, note FROM payment_run_history WHERE run_id = \(bind: id) ORDER BY id
            """).all(decoding: Row.self).map { PaymentRunEvent(at: $0.at, action: $0.action, actor: $0.actor_name, note: $0.note) }
    }

    /// The holds a run gathered now would show, with names: the payments page's "due but held" list. Added up per payee
    /// and currency from the kept `earning_dues` (migration 28), a few rows per location and month, with the same
    /// rules as the gathering (`PaymentRunPlan`), which alone reads the earnings it pays.
    public func holdsNow(cutoff: DayDate) async throws -> [PaymentRunHold] {
        struct Due: Decodable { var location_id: Int64; var currency: String; var total: Int64; var n: Int }
        let month = String(format: "%04d-%02d", cutoff.year, cutoff.month)
        return try await db.read { sql in
            let dues = try await sql.raw("""
                SELECT location_id, currency, CAST(SUM(amount_minor) AS BIGINT) AS total, CAST(SUM(n) AS BIGINT) AS n
                FROM earning_dues
                WHERE owed = 1 AND (kind = \(bind: EarningKind.reversal.rawValue) OR payment_month <= \(bind: month))
                GROUP BY location_id, currency HAVING SUM(n) > 0
                """).all(decoding: Due.self)
            let standings = try await Self.standings(of: Set(dues.map(\.location_id)), on: sql)
            let held = dues.compactMap { due in
                PaymentRunPlan.holdReason(netMinor: due.total, standing: standings[due.location_id], cutoff: cutoff).map { (due, $0) }
            }
            guard !held.isEmpty else { return [] }
            struct Place: Decodable { var id: Int64; var name: String; var organization_name: String }
            let places = try await sql.raw("""
                SELECT lo.id, lo.name, o.name AS organization_name FROM locations lo JOIN organizations o ON o.id = lo.organization_id
                WHERE lo.id IN (\(AccessScope.bindList(Set(held.map(\.0.location_id)))))
                """).all(decoding: Place.self)
            let byID = Dictionary(uniqueKeysWithValues: places.map { ($0.id, $0) })
            return held.map { due, reason in
                PaymentRunHold(locationID: due.location_id, locationName: byID[due.location_id]?.name ?? "",
                               organizationName: byID[due.location_id]?.organization_name ?? "",
                               amount: Money(minorUnits: due.total, currency: Currency(due.currency)), earnings: due.n, reason: reason)
            }.sorted { ($0.organizationName, $0.locationName, $0.amount.currency.code) < ($1.organizationName, $1.locationName, $1.amount.currency.code) }
        }
    }
}
