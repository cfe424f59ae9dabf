import Foundation

// Budgets: what the vendor means to spend per engagement and per program currency, against what claims commit.
// Pure: the store reads the sums in SQL and these decide what they mean.

extension ClaimStatus {
    /// Whether a claim in this status holds money of a budget before its approval. A claim commits once the customer
    /// consented (a use-or-consume claim has no consent step: submitting it is its customer's word, and the customer may
    /// still withdraw) and for as long as it may still be approved: a rejection may be disputed, so a rejected or
    /// disputed claim still commits. Approved claims commit through their earning instead (its amount is capped and it
    /// may be reversed), so they are not counted here twice. Terminal statuses and claims waiting for consent commit
    /// nothing.
    public var commitsBudget: Bool {
        switch self {
        case .consentReceived, .submitted, .underReview, .partnerActionRequired, .rejected, .disputed: true
        case .customerClaimed, .awaitingConsent, .approved: false
        case .consentDeclined, .consentRejected, .consentExpired, .canceled, .notSubmittedExpired, .postSubmissionExpired,
             .disputedExpired, .rejectedFinal: false
        }
    }
}

/// What a claim not yet approved is expected to cost, at its pinned version and its location's market.
public enum Commitment {
    /// A fixed rate; for variable pay the hours entered times the hourly rate, or, until hours are entered, the most
    /// hours the version allows times the rate (the most the claim can cost). Zero when the market has no rate, or when
    /// variable pay sets no maximum and no hours are entered yet (nothing bounds it until then).
    public static func expectedMinor(version: EngagementVersion, market: Market, hours: Decimal?) -> Int64 {
        expectedMinor(payModel: version.payModel, rate: version.rates.rate(for: market), maxHours: version.maxHours, hours: hours)
    }

    /// The same, from the pinned version's pay model, its rate for the market and its maximum hours.
    public static func expectedMinor(payModel: PayModel, rate: Money?, maxHours: Decimal?, hours: Decimal?) -> Int64 {
        guard let rate else { return 0 }
        switch payModel {
        case .fixed: return rate.minorUnits
        case .variable:
            guard let hours = hours ?? maxHours else { return 0 }
            return (rate * hours).minorUnits
        }
    }
}

/// The figures of one budget (an engagement's, or the program's in one currency), in minor units of `currency`.
public struct BudgetFigures: Sendable, Hashable, Codable {
    public var currency: Currency
    /// Nil: no budget set, no limit.
    public var budgetMinor: Int64?
    /// Live claims past consent and not approved yet, at their pinned amounts (`ClaimStatus.commitsBudget`).
    public var pendingMinor: Int64
    /// Approved, net: earnings and reversal earnings, less what was reversed before payment or forfeited.
    public var approvedMinor: Int64
    public var paidMinor: Int64

    public init(currency: Currency, budgetMinor: Int64?, pendingMinor: Int64 = 0, approvedMinor: Int64 = 0, paidMinor: Int64 = 0) {
        self.currency = currency; self.budgetMinor = budgetMinor; self.pendingMinor = pendingMinor
        self.approvedMinor = approvedMinor; self.paidMinor = paidMinor
    }

    /// Committed: claims with consent still alive, plus approved money (approved is committed too).
    public var committedMinor: Int64 { pendingMinor + approvedMinor }

    /// What the budget has left (negative when over); nil without a budget. `budget = committed + available`.
    public var availableMinor: Int64? { budgetMinor.map { $0 - committedMinor } }

    /// Adds another engagement's figures of the same currency (the program's figures are the sum of its engagements').
    public mutating func add(_ other: BudgetFigures) {
        precondition(other.currency == currency, "adding \(other.currency) figures to \(currency)")
        pendingMinor += other.pendingMinor; approvedMinor += other.approvedMinor; paidMinor += other.paidMinor
    }

    /// What this budget says of a new claim expected to cost `expectedMinor`.
    public func decide(expectedMinor: Int64) -> BudgetDecision {
        guard let budgetMinor else { return .fits }
        if committedMinor >= budgetMinor { return .refuse }
        let over = committedMinor + expectedMinor - budgetMinor
        return over > 0 ? .warn(wouldExceedBy: Money(minorUnits: over, currency: currency)) : .fits
    }
}

/// What one budget says of a new claim.
public enum BudgetDecision: Sendable, Hashable {
    case fits
    /// The claim would take committed money past the budget by this much; the partner may still go on.
    case warn(wouldExceedBy: Money)
    /// The budget is used up: no new claim.
    case refuse
}

/// Which budget spoke.
public enum BudgetScope: Sendable, Hashable {
    case engagement
    case program(Currency)
}

/// The answer for a new claim from both budgets that count: the engagement's and the program's in its currency.
public struct BudgetVerdict: Sendable, Hashable {
    public var decision: BudgetDecision
    public var scope: BudgetScope

    public static let fits = BudgetVerdict(decision: .fits, scope: .engagement)

    /// A refusal from either budget wins over a warning, and the engagement's budget speaks before the program's.
    public static func decide(expectedMinor: Int64, engagement: BudgetFigures?, program: BudgetFigures?) -> BudgetVerdict {
        let answers = [(engagement, BudgetScope.engagement), (program, .program(program?.currency ?? .usd))].compactMap { figures, scope in
            figures.map { BudgetVerdict(decision: $0.decide(expectedMinor: expectedMinor), scope: scope) }
        }
        if let refusal = answers.first(where: { $0.decision == .refuse }) { return refusal }
        return answers.first(where: { $0.decision != .fits }) ?? .fits
    }

    /// The refusal a partner reads, or nil when the claim may be made.
    public var refusal: String? {
        guard decision == .refuse else { return nil }
        switch scope {
        case .engagement: return "This engagement's budget is used up: the vendor accepts no new claims on it."
        case .program(let currency):
            return "The program's budget in \(currency.code) is used up: the vendor accepts no new claims paid in \(currency.code)."
        }
    }

    /// The warning a partner reads before going on, or nil.
    public var warning: String? {
        guard case .warn(let over) = decision else { return nil }
        let whose = switch scope {
        case .engagement: "this engagement's budget"
        case .program(let currency): "the program's budget in \(currency.code)"
        }
        return "This claim would take \(whose) past its limit by \(over): you may still add it, but the vendor may not accept more claims."
    }
}

/// A budget amount typed by the program manager.
public enum BudgetInput {
    /// The largest budget taken, in major units: far above any program, far below what 64-bit minor units hold.
    public static let maxMajorUnits: Decimal = 1_000_000_000_000

    /// A currency code: three letters (ISO 4217).
    public static func currency(_ text: String, field: String = "currency") throws -> Currency {
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.unicodeScalars.count == 3, code.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
            throw InputRefusal(field: field, .invalid, "The currency is a three-letter ISO 4217 code, such as USD or EUR.")
        }
        return Currency(code)
    }

    /// An amount above zero, exact to the currency's minor unit, as integer minor units.
    public static func amountMinor(_ text: String, currency: Currency, field: String = "amount") throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, parts.count <= 2, !parts[0].isEmpty,
              trimmed.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "." }),
              let value = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")) else {
            throw InputRefusal(field: field, .invalid, "\(text) is not an amount: write digits with at most one point, such as 250000 or 1500.50.")
        }
        let digits = currency.minorUnitDigits
        if parts.count == 2 && parts[1].count > digits {
            throw InputRefusal(field: field, .invalid, digits == 0
                ? "\(currency.code) has no minor unit: give the budget in whole \(currency.code)."
                : "Give the budget to the \(digits == 2 ? "cent" : "minor unit"): at most \(digits) digits after the point in \(currency.code).")
        }
        guard value > 0 else { throw InputRefusal(field: field, .invalid, "A budget is an amount above zero; clear it to remove the limit.") }
        guard value <= maxMajorUnits else { throw InputRefusal(field: field, .invalid, "A budget is at most \(maxMajorUnits) \(currency.code).") }
        return Money(value, currency).minorUnits
    }
}

extension LedgerBalance {
    /// One engagement's reconciliation: what stands approved by the ledger's own lines (`ledgerTotals`: the sums of its
    /// earned, clawback, reversed and forfeited lines), split as the earnings' payment statuses say
    /// (`statusTotals`: sums of earnings of one status and one sign; an outstanding negative sum is carried). When the
    /// earnings and the ledger disagree, `reconciles` is false.
    public static func reconciling(ledgerTotals: [LedgerKind: Int64], statusTotals: [(status: PaymentStatus, amountMinor: Int64)]) -> LedgerBalance {
        var balance = LedgerBalance()
        balance.earned = ledgerTotals[.earned] ?? 0
        balance.clawedBack = ledgerTotals[.clawback] ?? 0
        balance.reversed = ledgerTotals[.reversed] ?? 0
        balance.forfeited = ledgerTotals[.forfeited] ?? 0
        for row in statusTotals {
            switch Ledger.bucket(of: row.status) {
            case .reversed, .forfeited: continue
            case let bucket: balance.add(row.amountMinor, to: bucket)
            }
        }
        return balance
    }
}
