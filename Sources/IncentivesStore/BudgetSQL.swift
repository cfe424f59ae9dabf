import Foundation
import IncentivesDomain
import SQLKit

/// The set-based reads behind budgets: one statement per kind of figure, grouped by engagement and currency, never one
/// per engagement. Sums are integer minor units; a currency is never added to another.
enum BudgetSQL {
    /// Which engagements a read covers.
    enum Scope: Sendable {
        case all
        case engagements([Int64])
        case program(Int64)

        /// The condition on an engagement id column.
        func condition(_ column: String) -> SQLQueryString {
            switch self {
            case .all: return "1 = 1"
            case .engagements(let ids):
                let list = ids.isEmpty ? "NULL" : ids.map(String.init).joined(separator: ", ")
                return "\(unsafeRaw: column) IN (\(unsafeRaw: list))"
            case .program(let id): return "\(unsafeRaw: column) IN (SELECT id FROM engagements WHERE program_id = \(bind: id))"
            }
        }
    }

    /// The statuses of claims that commit money before approval, as SQL.
    static let committingStatuses = ClaimStatus.allCases.filter(\.commitsBudget).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// Figures per engagement and currency (no budget in them: `budgetMinor` is nil).
    static func figures(_ scope: Scope, on sql: any SQLDatabase) async throws -> [BalanceKey: BudgetFigures] {
        var figures: [BalanceKey: BudgetFigures] = [:]
        func add(_ key: BalanceKey, _ change: (inout BudgetFigures) -> Void) {
            change(&figures[key, default: BudgetFigures(currency: key.currency, budgetMinor: nil)])
        }
        for row in try await pendingPriced(scope, on: sql) { add(row.key) { $0.pendingMinor += row.total } }
        for (key, total) in try await pendingUnpriced(scope, on: sql) { add(key) { $0.pendingMinor += total } }
        for row in try await earningTotals(scope, on: sql) {
            guard let status = PaymentStatus(rawValue: row.paymentStatus) else {
                throw StoreError.corrupt("An earning has an unknown payment status: \(row.paymentStatus).")
            }
            add(row.key) { figures in
                if status != .reversed && status != .forfeited { figures.approvedMinor += row.total }
                if status == .paid { figures.paidMinor += row.total }
            }
        }
        return figures
    }

    struct Total: Decodable {
        var engagementId: Int64
        var currency: String
        var total: Int64
        var key: BalanceKey { BalanceKey(engagementID: engagementId, currency: Currency(currency)) }
    }

    /// Committing claims whose amount is known (fixed pay, or hours entered): their pinned amount, summed from the kept
    /// `claim_amounts` (migration 28), never the claims themselves.
    static func pendingPriced(_ scope: Scope, on sql: any SQLDatabase) async throws -> [Total] {
        try await sql.raw("""
            SELECT c.engagement_id, c.currency, CAST(SUM(c.amount_minor) AS BIGINT) AS total FROM claim_amounts c
            WHERE c.status IN (\(unsafeRaw: committingStatuses)) AND c.priced = 1 AND \(scope.condition("c.engagement_id"))
            GROUP BY c.engagement_id, c.currency HAVING SUM(c.n) > 0
            """).all(decoding: Total.self, with: .snakeCase)
    }

    /// Committing claims without an amount yet (variable pay before hours): counted per pinned version and country, then
    /// priced by the domain at the most hours the version allows.
    static func pendingUnpriced(_ scope: Scope, on sql: any SQLDatabase) async throws -> [BalanceKey: Int64] {
        struct Row: Decodable {
            var engagementId: Int64; var currency: String; var engagementVersion: Int64; var hours: String?; var country: String; var n: Int64
        }
        let rows = try await sql.raw("""
            SELECT c.engagement_id, c.currency, c.engagement_version, NULLIF(c.hours, '') AS hours, l.country,
                   CAST(SUM(c.n) AS BIGINT) AS n
            FROM claim_amounts c JOIN locations l ON l.id = c.location_id
            WHERE c.status IN (\(unsafeRaw: committingStatuses)) AND c.priced = 0 AND \(scope.condition("c.engagement_id"))
            GROUP BY c.engagement_id, c.currency, c.engagement_version, c.hours, l.country HAVING SUM(c.n) > 0
            """).all(decoding: Row.self, with: .snakeCase)
        guard !rows.isEmpty else { return [:] }
        let versions = try await pricing(of: Set(rows.map(\.engagementId)), on: sql)
        var totals: [BalanceKey: Int64] = [:]
        for row in rows {
            guard let version = versions[VersionKey(engagement: row.engagementId, number: row.engagementVersion)] else { continue }
            let currency = Currency(row.currency)
            let market = Market(country: row.country)
            let minor: Int64? = switch market { case .a: version.rateAMinor; case .b: version.rateBMinor; case .c: version.rateCMinor }
            let each = Commitment.expectedMinor(payModel: version.model, rate: minor.map { Money(minorUnits: $0, currency: currency) },
                                                maxHours: version.maxHours.flatMap { Decimal(string: $0) },
                                                hours: row.hours.flatMap { Decimal(string: $0) })
            totals[BalanceKey(engagementID: row.engagementId, currency: currency), default: 0] += each * row.n
        }
        return totals
    }

    private struct VersionKey: Hashable { var engagement: Int64; var number: Int64 }

    private struct PricingRow: Decodable {
        var engagementId: Int64; var number: Int64; var payModel: String
        var rateAMinor: Int64?; var rateBMinor: Int64?; var rateCMinor: Int64?; var maxHours: String?
        var model: PayModel { PayModel(rawValue: payModel) ?? .fixed }
    }

    /// What prices a claim in each version of these engagements.
    private static func pricing(of engagements: Set<Int64>, on sql: any SQLDatabase) async throws -> [VersionKey: PricingRow] {
        let rows = try await sql.raw("""
            SELECT engagement_id, number, pay_model, rate_a_minor, rate_b_minor, rate_c_minor, max_hours FROM engagement_versions
            WHERE \(Scope.engagements(engagements.sorted()).condition("engagement_id"))
            """).all(decoding: PricingRow.self, with: .snakeCase)
        return Dictionary(rows.map { (VersionKey(engagement: $0.engagementId, number: $0.number), $0) }, uniquingKeysWith: { a, _ in a })
    }

    struct EarningTotal: Decodable {
        var engagementId: Int64
        var currency: String
        var paymentStatus: String
        var total: Int64
        var key: BalanceKey { BalanceKey(engagementID: engagementId, currency: Currency(currency)) }
    }

    /// Earnings summed per engagement, currency, payment status and sign (a negative outstanding sum is carried), from
    /// the kept `engagement_earning_totals` (migration 28).
    static func earningTotals(_ scope: Scope, on sql: any SQLDatabase) async throws -> [EarningTotal] {
        try await sql.raw("""
            SELECT e.engagement_id, e.currency, e.payment_status, e.negative, CAST(SUM(e.amount_minor) AS BIGINT) AS total
            FROM engagement_earning_totals e WHERE \(scope.condition("e.engagement_id"))
            GROUP BY e.engagement_id, e.currency, e.payment_status, e.negative HAVING SUM(e.n) > 0
            """).all(decoding: EarningTotal.self, with: .snakeCase)
    }

    /// The reconciliation of every engagement and currency: approved by the ledger's lines, split by the earnings' statuses.
    static func reconciliation(_ scope: Scope, on sql: any SQLDatabase) async throws -> [BalanceKey: LedgerBalance] {
        struct LedgerRow: Decodable { var engagementId: Int64; var currency: String; var kind: String; var total: Int64 }
        let ledger = try await sql.raw("""
            SELECT l.engagement_id, l.currency, l.kind, CAST(SUM(l.amount_minor) AS BIGINT) AS total FROM earning_ledger l
            WHERE l.kind IN ('earned', 'clawback', 'reversed', 'forfeited') AND \(scope.condition("l.engagement_id"))
            GROUP BY l.engagement_id, l.currency, l.kind
            """).all(decoding: LedgerRow.self, with: .snakeCase)
        var ledgerTotals: [BalanceKey: [LedgerKind: Int64]] = [:]
        for row in ledger {
            guard let kind = LedgerKind(rawValue: row.kind) else { continue }
            ledgerTotals[BalanceKey(engagementID: row.engagementId, currency: Currency(row.currency)), default: [:]][kind, default: 0] += row.total
        }
        var statusTotals: [BalanceKey: [(status: PaymentStatus, amountMinor: Int64)]] = [:]
        for row in try await earningTotals(scope, on: sql) {
            guard let status = PaymentStatus(rawValue: row.paymentStatus) else {
                throw StoreError.corrupt("An earning has an unknown payment status: \(row.paymentStatus).")
            }
            statusTotals[row.key, default: []].append((status, row.total))
        }
        var result: [BalanceKey: LedgerBalance] = [:]
        for key in Set(ledgerTotals.keys).union(statusTotals.keys) {
            result[key] = LedgerBalance.reconciling(ledgerTotals: ledgerTotals[key] ?? [:], statusTotals: statusTotals[key] ?? [])
        }
        return result
    }
}
