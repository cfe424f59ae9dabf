import Foundation

/// Where the payment of an earning stands: unprocessed (owed) -> upcoming (in a draft run) -> in progress (the run
/// approved) -> sent -> paid; failed (returned by the bank, owed again), reversed (taken back before a run),
/// forfeited (not paid within the program's limit).
public enum PaymentStatus: String, CaseIterable, Sendable, Codable {
    case unprocessed, upcoming
    case inProgress = "in_progress"
    case sent, paid, failed, reversed, forfeited

    public var label: String {
        switch self {
        case .unprocessed: "Unprocessed"
        case .upcoming: "Upcoming"
        case .inProgress: "In progress"
        case .sent: "Sent"
        case .paid: "Paid"
        case .failed: "Failed"
        case .reversed: "Reversed"
        case .forfeited: "Forfeited"
        }
    }
}

/// What an approved claim earns its location.
public struct Earning: Hashable, Sendable, Codable {
    public var claimID: Int64
    public var locationID: Int64
    public var engagementID: Int64
    public var engagementVersion: Int
    public var market: Market
    /// The fixed rate, or the hourly rate for variable pay.
    public var rate: Money
    public var hours: Decimal?
    /// What is paid: the rate (times hours), limited by the engagement's cap.
    public var amount: Money
    public var approvedAt: Date
    /// The UTC month in which payment is expected (approval + 45 days).
    public var estimatedPaymentMonth: String
    public var paymentStatus: PaymentStatus

    public init(claimID: Int64, locationID: Int64, engagementID: Int64, engagementVersion: Int, market: Market,
                rate: Money, hours: Decimal?, amount: Money, approvedAt: Date, estimatedPaymentMonth: String,
                paymentStatus: PaymentStatus) {
        self.claimID = claimID; self.locationID = locationID; self.engagementID = engagementID
        self.engagementVersion = engagementVersion; self.market = market; self.rate = rate; self.hours = hours
        self.amount = amount; self.approvedAt = approvedAt; self.estimatedPaymentMonth = estimatedPaymentMonth
        self.paymentStatus = paymentStatus
    }
}

/// Rates, hours and caps: what a claim earns.
public enum Pricing {
    /// Approved claims are paid on a 45-day cycle.
    public static let paymentCycleDays = 45

    /// The expected amount of a claim: the market's rate, or hours times the hourly rate (nil until
    /// hours are entered, or when the market has no rate).
    public static func expectedAmount(version: EngagementVersion, market: Market, hours: Decimal?) -> Money? {
        guard let rate = version.rates.rate(for: market) else { return nil }
        switch version.payModel {
        case .fixed: return rate
        case .variable: return hours.map { (rate * $0).rounded }
        }
    }

    /// `YYYY-MM` of approval + 45 days.
    public static func estimatedPaymentMonth(approvedAt: Date) -> String {
        let day = DayDate(approvedAt.adding(calendarDays: paymentCycleDays))
        return String(format: "%04d-%02d", day.year, day.month)
    }

    /// The earning of a claim being approved: never more than what is left under the cap, never negative.
    public static func earning(for claim: Claim, version: EngagementVersion, market: Market, earnedBefore: Money?,
                               cap: Money?, at now: Date) -> Earning {
        let currency = version.rates.currency
        let rate = version.rates.rate(for: market) ?? .zero(currency)
        var amount = expectedAmount(version: version, market: market, hours: claim.hours) ?? .zero(currency)
        if let cap, cap.currency == currency {
            let left = cap - (earnedBefore ?? .zero(currency))
            amount = Money.min(amount, left.amount < 0 ? .zero(currency) : left)
        }
        return Earning(claimID: claim.id, locationID: claim.locationID, engagementID: claim.engagementID,
                       engagementVersion: version.number, market: market, rate: rate, hours: claim.hours,
                       amount: amount.rounded, approvedAt: now,
                       estimatedPaymentMonth: estimatedPaymentMonth(approvedAt: now), paymentStatus: .unprocessed)
    }

    /// Hours may be entered once, as a positive number not above the engagement's maximum.
    public static func validateHours(_ hours: Decimal, existing: Decimal?, version: EngagementVersion) -> String? {
        if existing != nil { return "Hours were already entered for this claim; they can't change." }
        guard version.payModel == .variable else { return "This engagement pays a fixed rate; it takes no hours." }
        if hours <= 0 { return "Enter the hours delivered as a number above zero." }
        if let max = version.maxHours, hours > max { return "This engagement pays at most \(max) hours per claim." }
        return nil
    }
}
