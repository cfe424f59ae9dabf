import Foundation
import IncentivesDomain
import SQLKit

/// Claims waiting for a review: how many have waited the whole days of one `ReviewWait` bucket since their last
/// submission, by deadline standing.
public struct ReviewWaitCount: Sendable, Hashable {
    /// The index of the bucket in `ReviewWait.bucketStarts`.
    public var bucket: Int
    public var standing: ReviewDeadlineStanding
    public var claims: Int

    public init(bucket: Int, standing: ReviewDeadlineStanding, claims: Int) {
        self.bucket = bucket
        self.standing = standing
        self.claims = claims
    }
}

/// Reviewers' decisions (approve or reject) in one slice of a period, with the rejection's coded reason.
public struct DecisionCount: Sendable, Hashable {
    /// The slice's index in the slices the read was given.
    public var slice: Int
    public var action: ClaimAction
    /// Nil for an approval, or a rejection without a code (written before codes, or by the command line).
    public var reason: ReviewReason?
    public var claims: Int
}

/// An engagement's approved money in one month of a period (`slice` nil: everything approved before the period), in its
/// currency: net of reversals, as the budgets count it (`BudgetFigures.approvedMinor`), and of it what was paid.
public struct SpendMonth: Sendable, Hashable {
    public var engagementID: Int64
    public var currency: Currency
    public var slice: Int?
    public var approvedMinor: Int64
    public var paidMinor: Int64
}

/// An engagement as the spend chart names it, with its budget when one is set.
public struct SpendEngagement: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var currency: Currency
    public var budgetMinor: Int64?
}

/// One partner organization's approvals in a period, in one currency: the money approved (less reversed or forfeited)
/// and how many claims were approved.
public struct PartnerApprovals: Sendable, Hashable {
    public var organizationID: Int64
    public var organizationName: String
    public var approved: Money
    public var claims: Int
}

/// The aggregates behind the home page's charts. Every one is a fixed number of grouped statements (never a row per
/// claim read into memory), scoped in SQL exactly as the claims list and earnings are, and bucketed by the slices of the
/// viewer's period, which arrive as instants (storage is UTC). The funnel, the decisions, the review days and the review
/// waits add up counts kept by triggers (migration 29: `SlotPlan`, `QueueEdges`), so they read in proportion to the days
/// of the period, not to the claims; a period cut off the quarter hours the counts are kept in is counted from the
/// claims themselves (`…FromClaims`), which is also what the tests compare the kept counts with.
public struct DashboardReads: Sendable {
    public let db: Database
    /// Partners ranked per currency on the top partners chart.
    public static let topPartners = 10

    public init(db: Database) { self.db = db }

    /// The claims created in the span, counted at each funnel stage they reached.
    public func funnel(_ span: DateInterval, in scope: AccessScope) async throws -> ClaimFunnel {
        guard let plan = SlotPlan(span) else {
            return try await funnelFromClaims(span, in: scope)
        }
        let sums = DashboardCountsSQL.funnelCounted.map { "CAST(COALESCE(SUM(f.\($0)), 0) AS BIGINT) AS \($0)" }.joined(separator: ", ")
        return try await funnel(reading: "SELECT \(unsafeRaw: sums) FROM funnel_slots f WHERE \(plan.condition("f")) AND \(scope.keptFilter("f"))")
    }

    /// The funnel counted from the claims themselves.
    func funnelFromClaims(_ span: DateInterval, in scope: AccessScope) async throws -> ClaimFunnel {
        try await funnel(reading: Self.funnelQuery(span, in: scope))
    }

    private func funnel(reading query: SQLQueryString) async throws -> ClaimFunnel {
        struct Row: Decodable { var created: Int; var consented: Int?; var submitted: Int?; var approved: Int?; var paid: Int? }
        let row = try await db.read { sql in try await sql.raw(query).first(decoding: Row.self) }
        guard let row else { return ClaimFunnel([:]) }
        return ClaimFunnel([.created: row.created, .consented: row.consented ?? 0, .submitted: row.submitted ?? 0,
                            .approved: row.approved ?? 0, .paid: row.paid ?? 0])
    }

    /// The funnel's one statement (tests read its plan): claims by creation, seeking `claims_created` for the vendor
    /// and `claims_org_created` for a partner.
    static func funnelQuery(_ span: DateInterval, in scope: AccessScope) -> SQLQueryString {
        """
        SELECT COUNT(*) AS created,
          CAST(SUM(CASE WHEN c.consent_at IS NOT NULL OR (c.kind = 'use_or_consume' AND c.first_submitted_at IS NOT NULL)
                        THEN 1 ELSE 0 END) AS BIGINT) AS consented,
          CAST(SUM(CASE WHEN c.first_submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS submitted,
          CAST(SUM(CASE WHEN ea.id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS approved,
          CAST(SUM(CASE WHEN ea.payment_status = 'paid' THEN 1 ELSE 0 END) AS BIGINT) AS paid
        FROM claims c LEFT JOIN earnings ea ON ea.claim_id = c.id AND ea.kind = 'earning'
        WHERE c.created_at >= \(bind: span.start) AND c.created_at < \(bind: span.end) AND \(scope.claimFilter("c"))
        """
    }

    /// The claims waiting for a review at `now`, by bucket of whole days since their last submission and by review
    /// deadline: the queue's kept days where no edge (a bucket's first day, now, the near deadline) falls inside a day,
    /// and the claims of the few days one does, one by one.
    public func reviewWaits(at now: Date, in scope: AccessScope) async throws -> [ReviewWaitCount] {
        try await reviewWaits(reading: Self.reviewWaitsQuery(at: now, in: scope))
    }

    /// The review waits' one statement (tests read its plan): the scope's kept days through `review_queue_days_scope`
    /// (migration 31), not every scope's rows.
    static func reviewWaitsQuery(at now: Date, in scope: AccessScope) -> SQLQueryString {
        let edges = QueueEdges(now: now)
        let sinceDays = QueueEdges.list(edges.sinceDays), dueDays = QueueEdges.list(edges.dueDays)
        return """
            SELECT w.bucket, w.standing, CAST(SUM(w.n) AS BIGINT) AS n FROM (
              SELECT \(edges.bucket("q.since_day", seconds: true)) AS bucket, \(edges.standing("q.due_day", seconds: true)) AS standing, q.n
              FROM review_queue_days q
              WHERE q.since_day NOT IN (\(sinceDays)) AND q.due_day NOT IN (\(dueDays)) AND \(scope.keptFilter("q"))
              UNION ALL
              SELECT \(edges.bucket("r.waiting_since", seconds: false)) AS bucket, \(edges.standing("r.review_due_at", seconds: false)) AS standing,
                1 AS n
              FROM review_queue r
              WHERE (\(QueueEdges.within("r", "waiting_since", edges.sinceDays)) OR \(QueueEdges.within("r", "review_due_at", edges.dueDays)))
                AND \(scope.claimFilter("r"))) w
            GROUP BY w.bucket, w.standing HAVING SUM(w.n) <> 0 ORDER BY w.bucket, w.standing
            """
    }

    /// The review waits counted from the claims and their history.
    func reviewWaitsFromClaims(at now: Date, in scope: AccessScope) async throws -> [ReviewWaitCount] {
        let statuses = ReviewFilter.statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let edges = QueueEdges(now: now)
        let lastSubmitted = "COALESCE((SELECT MAX(h.at) FROM claim_history h WHERE h.claim_id = c.id AND h.to_status = 'submitted'), c.updated_at)"
        let due = "CASE WHEN c.due_kind = 'review' THEN c.due_at END"
        return try await reviewWaits(reading: """
            SELECT w.bucket, w.standing, COUNT(*) AS n FROM (
              SELECT \(edges.bucket(lastSubmitted, seconds: false)) AS bucket, \(edges.standing(due, seconds: false)) AS standing
              FROM claims c WHERE c.status IN (\(unsafeRaw: statuses)) AND \(scope.claimFilter("c"))) w
            GROUP BY w.bucket, w.standing ORDER BY w.bucket, w.standing
            """)
    }

    /// Rows in bucket, then standing order: one answer, whichever way the database grouped them.
    private func reviewWaits(reading query: SQLQueryString) async throws -> [ReviewWaitCount] {
        struct Row: Decodable { var bucket: Int; var standing: String; var n: Int }
        let rows = try await db.read { sql in try await sql.raw(query).all(decoding: Row.self) }
        return rows.map { ReviewWaitCount(bucket: $0.bucket, standing: ReviewDeadlineStanding(rawValue: $0.standing) ?? .later, claims: $0.n) }
    }

    /// Approvals and rejections per slice of the period, rejections by coded reason.
    public func decisions(_ slices: [PeriodSlice], in scope: AccessScope) async throws -> [DecisionCount] {
        guard let plan = SlotPlan(slices) else { return try await decisionsFromClaims(slices, in: scope) }
        return try await decisions(reading: """
            SELECT d.slice, d.action, d.reason_code, CAST(SUM(d.n) AS BIGINT) AS n FROM (
              SELECT \(plan.sliceIndex("s")) AS slice, s.action, s.reason_code, s.n FROM decision_slots s
              WHERE \(plan.condition("s")) AND \(scope.keptFilter("s"))) d
            GROUP BY d.slice, d.action, d.reason_code HAVING SUM(d.n) <> 0
            """)
    }

    /// The decisions counted from the history.
    func decisionsFromClaims(_ slices: [PeriodSlice], in scope: AccessScope) async throws -> [DecisionCount] {
        guard let first = slices.first, let last = slices.last else { return [] }
        let span = DateInterval(start: first.start, end: last.end)
        return try await decisions(reading: """
            SELECT d.slice, d.action, d.reason_code, COUNT(*) AS n FROM (
              SELECT \(PeriodSQL.sliceIndex("h.at", slices)) AS slice, h.action, h.reason_code \(Self.decided(span, in: scope))) d
            GROUP BY d.slice, d.action, d.reason_code
            """)
    }

    private func decisions(reading query: SQLQueryString) async throws -> [DecisionCount] {
        struct Row: Decodable { var slice: Int; var action: String; var reasonCode: String?; var n: Int }
        let rows = try await db.read { sql in try await sql.raw(query).all(decoding: Row.self, with: .snakeCase) }
        return rows.compactMap { row in
            guard let action = ClaimAction(rawValue: row.action) else { return nil }
            // The kept counts hold '' for no code.
            let reason = row.reasonCode.flatMap { $0.isEmpty ? nil : ReviewReason(rawValue: $0) }
            return DecisionCount(slice: row.slice, action: action, reason: reason, claims: row.n)
        }
    }

    /// How many decisions in the span took each whole number of days from the claim's last submission before it.
    public func reviewDays(_ span: DateInterval, in scope: AccessScope) async throws -> [Int: Int] {
        guard let plan = SlotPlan(span) else { return try await reviewDaysFromClaims(span, in: scope) }
        return try await reviewDays(reading: """
            SELECT s.days, CAST(SUM(s.n) AS BIGINT) AS n FROM review_day_slots s
            WHERE \(plan.condition("s")) AND s.days >= 0 AND \(scope.keptFilter("s"))
            GROUP BY s.days HAVING SUM(s.n) <> 0
            """)
    }

    /// The review days counted from the history.
    func reviewDaysFromClaims(_ span: DateInterval, in scope: AccessScope) async throws -> [Int: Int] {
        try await reviewDays(reading: Self.reviewDaysQuery(span, in: scope, flavor: db.flavor))
    }

    private func reviewDays(reading query: SQLQueryString) async throws -> [Int: Int] {
        struct Row: Decodable { var days: Int; var n: Int }
        let rows = try await db.read { sql in try await sql.raw(query).all(decoding: Row.self) }
        return Dictionary(rows.map { ($0.days, $0.n) }, uniquingKeysWith: +)
    }

    /// The review days' statement (tests read its plan): each decision's claim's last submission before it, by
    /// `claim_history_claim`.
    static func reviewDaysQuery(_ span: DateInterval, in scope: AccessScope, flavor: SQLFlavor) -> SQLQueryString {
        let submitted = "(SELECT MAX(s.at) FROM claim_history s WHERE s.claim_id = h.claim_id AND s.to_status = 'submitted' AND s.at <= h.at)"
        return """
            SELECT x.days, COUNT(*) AS n FROM (
              SELECT \(PeriodSQL.wholeDays(from: submitted, to: "h.at", flavor: flavor)) AS days \(Self.decided(span, in: scope))) x
            WHERE x.days IS NOT NULL GROUP BY x.days
            """
    }

    /// The reviewers' approvals and rejections in the span, in the scope: `FROM … WHERE …` over `claim_history h`, which
    /// seeks `claim_history_action_at`. A partner's rows are read through their claims; the vendor's need no join.
    static func decided(_ span: DateInterval, in scope: AccessScope) -> SQLQueryString {
        var query: SQLQueryString = "FROM claim_history h"
        if case .partner = scope { query.appendLiteral(" JOIN claims c ON c.id = h.claim_id") }
        query.appendLiteral(" WHERE h.action IN ('approve', 'reject') AND h.at >= ")
        query.appendInterpolation(bind: span.start)
        query.appendLiteral(" AND h.at < ")
        query.appendInterpolation(bind: span.end)
        query.appendLiteral(" AND ")
        query.appendInterpolation(scope.claimFilter("c"))
        return query
    }

    /// Approved and paid money per engagement, currency and month slice, and what was approved before the period (for
    /// the running total); with the engagements' names and budgets. Each slice is what stood approved at its end less
    /// what stood at its start (`ApprovedMoney`, from the kept monthly and daily totals).
    public func spend(_ slices: [PeriodSlice], in scope: AccessScope) async throws -> (months: [SpendMonth], engagements: [SpendEngagement]) {
        guard let first = slices.first else { return ([], []) }
        struct Named: Decodable { var id: Int64; var name: String; var currency: String; var budgetMinor: Int64? }
        return try await db.read { sql in
            let instants = [first.start] + slices.map(\.end)
            let before = try await ApprovedMoney.before(instants, by: "ea.engagement_id", earningsOnly: false, fromStart: true,
                                                        in: scope, on: sql)
            var months: [SpendMonth] = []
            var approvedInPeriod: Set<Int64> = []
            for (group, sums) in before.sorted(by: { ($0.key.id, $0.key.currency) < ($1.key.id, $1.key.currency) }) {
                let currency = Currency(group.currency)
                if sums[0].earnings > 0 {
                    months.append(SpendMonth(engagementID: group.id, currency: currency, slice: nil,
                                             approvedMinor: sums[0].approvedMinor, paidMinor: sums[0].paidMinor))
                }
                for slice in slices.indices {
                    let change = sums[slice + 1] - sums[slice]
                    guard change.earnings > 0 else { continue }
                    approvedInPeriod.insert(group.id)
                    months.append(SpendMonth(engagementID: group.id, currency: currency, slice: slice,
                                             approvedMinor: change.approvedMinor, paidMinor: change.paidMinor))
                }
            }
            // The catalogue's engagements, a few dozen, read whole: a statement of the same shape for any period.
            let named = try await sql.raw("""
                SELECT e.id, e.name, e.currency, b.amount_minor AS budget_minor FROM engagements e
                LEFT JOIN engagement_budgets b ON b.engagement_id = e.id AND b.currency = e.currency
                ORDER BY e.name, e.id
                """).all(decoding: Named.self, with: .snakeCase).filter { approvedInPeriod.contains($0.id) }
            return (months, named.map { SpendEngagement(id: $0.id, name: $0.name, currency: Currency($0.currency), budgetMinor: $0.budgetMinor) })
        }
    }

    /// The partner organizations with the most money approved in the span, up to `topPartners` per currency, largest
    /// first (by currency code, then rank): what stood approved at the span's end less what stood at its start.
    public func topPartners(_ span: DateInterval, in scope: AccessScope) async throws -> [PartnerApprovals] {
        struct Named: Decodable { var id: Int64; var name: String }
        return try await db.read { sql in
            let sums = try await ApprovedMoney.before([span.start, span.end], by: "l.organization_id", earningsOnly: true, fromStart: false,
                                                      in: scope, on: sql)
            let inSpan = sums.mapValues { $0[1] - $0[0] }.filter { $0.value.earnings > 0 }
            guard !inSpan.isEmpty else { return [] }
            // Every partner organization's name (the program's partners, not their claims): one statement of the same
            // shape whichever partners rank.
            let names = try await sql.raw("SELECT id, name FROM organizations").all(decoding: Named.self)
            let nameOf = Dictionary(names.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let ranked = inSpan.map { group, change in
                PartnerApprovals(organizationID: group.id, organizationName: nameOf[group.id] ?? "",
                                 approved: Money(minorUnits: change.approvedMinor, currency: Currency(group.currency)),
                                 claims: Int(change.earnings))
            }.sorted {
                ($0.approved.currency.code, -$0.approved.minorUnits, $0.organizationName, $0.organizationID)
                    < ($1.approved.currency.code, -$1.approved.minorUnits, $1.organizationName, $1.organizationID)
            }
            return Dictionary(grouping: ranked, by: \.approved.currency.code).sorted { $0.key < $1.key }
                .flatMap { $0.value.prefix(Self.topPartners) }
        }
    }

    /// How many of the scope's claims expire in each slice (a day, for the partner's next 14 days).
    public func expiring(_ slices: [PeriodSlice], in scope: AccessScope) async throws -> [Int: Int] {
        try await db.read { try await ExpiryCounts.counts(slices, in: scope, on: $0) }
    }

}

/// SQL that buckets rows by a period's slices and counts whole days, the same on SQLite and PostgreSQL.
enum PeriodSQL {
    /// The index of the slice `column` falls in (rows are already limited to the slices' span): a `CASE` over the bound
    /// boundaries, so local days, weeks and months (daylight saving included) come out as the viewer reads them.
    static func sliceIndex(_ column: String, _ slices: [PeriodSlice]) -> SQLQueryString {
        index(column, below: DateInterval.boundaries(slices))
    }

    /// The index of the first of `boundaries` (ascending) that `column` is below; their count when none.
    static func index(_ column: String, below boundaries: [some Encodable & Sendable]) -> SQLQueryString {
        guard !boundaries.isEmpty else { return "0" }
        var query: SQLQueryString = "CASE"
        for (i, boundary) in boundaries.enumerated() {
            query.appendLiteral(" WHEN \(column) < ")
            query.appendInterpolation(bind: boundary)
            query.appendLiteral(" THEN \(i)")
        }
        query.appendLiteral(" ELSE \(boundaries.count) END")
        return query
    }

    /// Whole days from `start` to `end` (rounded down), as a 64-bit integer; NULL when either is.
    static func wholeDays(from start: String, to end: SQLQueryString, flavor: SQLFlavor) -> SQLQueryString {
        switch flavor {
        // SQLite holds instants as seconds since 1970 (and may lack FLOOR): CAST truncates, which is rounding down for the
        // non-negative spans counted here.
        case .sqlite: "CAST((\(end) - \(unsafeRaw: start)) / 86400.0 AS BIGINT)"
        case .postgres: "CAST(FLOOR(EXTRACT(EPOCH FROM (\(end) - \(unsafeRaw: start))) / 86400.0) AS BIGINT)"
        }
    }
}
