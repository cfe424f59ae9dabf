import Foundation

/// The charts of the home page: the vendor's about the whole program, a partner's about their own locations' claims.
/// Each is drawn with its data table and downloads as CSV (`/dashboard/<rawValue>.csv`).
public enum DashboardChart: String, CaseIterable, Sendable {
    case funnel
    case reviewWait = "review-wait"
    case decisions
    case reasons
    case spend
    case topPartners = "top-partners"
    case deadlines
    case earnings
    case attention = "needs-action"

    /// The vendor's charts read every organization's claims; the partner's read their own locations'.
    public var isVendor: Bool {
        switch self {
        case .funnel, .reviewWait, .decisions, .reasons, .spend, .topPartners: true
        case .deadlines, .earnings, .attention: false
        }
    }

    /// Whether the chart counts within the chosen period (the others show the claims as they stand now, or every month).
    public var usesPeriod: Bool {
        switch self {
        case .funnel, .decisions, .reasons, .spend, .topPartners: true
        case .reviewWait, .deadlines, .earnings, .attention: false
        }
    }
}

extension Viewer {
    /// The vendor (program manager and reviewer alike, who both read every claim and the budgets) sees the program's
    /// charts; a partner user with an Incentives role sees their own; an account admin alone sees none.
    public func may(see chart: DashboardChart) -> Bool {
        chart.isVendor ? vendorRole != nil : organizationID != nil && may(open: .claims)
    }
}

/// The stages a claim passes on its way to money (DOMAIN.md 3), as the funnel counts the claims created in a period.
public enum FunnelStage: String, CaseIterable, Sendable {
    case created
    /// The customer consented; a use-or-consume claim has no consent step, so its submission counts (the customer is
    /// told and may withdraw, as `ClaimStatus.commitsBudget` reads it).
    case consented
    case submitted
    /// Approved at least once (an earning was made), whatever happened after.
    case approved
    /// Its earning was paid.
    case paid

    public var label: String {
        switch self {
        case .created: "Created"
        case .consented: "Customer consented"
        case .submitted: "Submitted"
        case .approved: "Approved"
        case .paid: "Paid"
        }
    }
}

/// The funnel's counts, and each stage as a whole percentage of the claims created (integer arithmetic).
public struct ClaimFunnel: Sendable, Hashable {
    public var counts: [FunnelStage: Int]

    public init(_ counts: [FunnelStage: Int]) { self.counts = counts }

    public func count(_ stage: FunnelStage) -> Int { counts[stage] ?? 0 }

    /// Rounded half up; 0 when nothing was created.
    public func percentOfCreated(_ stage: FunnelStage) -> Int {
        let created = count(.created)
        guard created > 0 else { return 0 }
        return (count(stage) * 200 + created) / (created * 2)
    }
}

/// How the claims waiting for a review stand against their review deadline (the vendor's clock, counted from consent:
/// DOMAIN.md 4). A dispute round and a use-or-consume claim have none.
public enum ReviewDeadlineStanding: String, CaseIterable, Sendable {
    case past
    /// Due within `ReviewWait.nearDays`.
    case near
    /// Due later, or no review deadline.
    case later

    public var label: String {
        switch self {
        case .past: "Past the review deadline"
        case .near: "Review deadline within \(ReviewWait.nearDays) days"
        case .later: "Later or no review deadline"
        }
    }
}

/// Claims waiting for a review (submitted or under review) by how many whole days they have waited since they were
/// last submitted, in buckets, against the program's review target.
public enum ReviewWait {
    /// The buckets' first days; the last bucket is open-ended.
    public static let bucketStarts = [0, 3, 6, 11, 21, 31]
    /// Ours: a review should be decided within 10 days of submission (the line drawn on the chart). The review deadline
    /// of DOMAIN.md 4 is the hard limit; this target keeps claims well clear of it.
    public static let targetDays = 10
    /// A review deadline this close (days) counts as near.
    public static let nearDays = 14

    /// The bucket `days` of waiting fall in (negative days, a clock moved back, count as the first).
    public static func bucket(days: Int) -> Int {
        bucketStarts.lastIndex { days >= $0 } ?? 0
    }

    /// "0–2 days", "31+ days".
    public static func label(bucket: Int) -> String {
        let first = bucketStarts[bucket]
        guard bucket + 1 < bucketStarts.count else { return "\(first)+ days" }
        return "\(first)–\(bucketStarts[bucket + 1] - 1) days"
    }

    /// The index of the first bucket past the target: the target line is drawn before it.
    public static var firstBucketPastTarget: Int { bucket(days: targetDays + 1) }

    /// The median of a histogram of whole days (`days: how many`): the lower middle value, nil when it is empty.
    public static func median(_ histogram: [Int: Int]) -> Int? {
        let total = histogram.values.reduce(0, +)
        guard total > 0 else { return nil }
        var seen = 0
        for days in histogram.keys.sorted() {
            seen += histogram[days]!
            if seen * 2 >= total { return days }
        }
        return nil
    }
}
