import Foundation

/// A partner company; it never sees another organization's data.
public struct PartnerOrganization: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var name: String

    public init(id: Int64, name: String) { self.id = id; self.name = name }
}

/// A partner location: the unit that enrolls, earns and is paid.
public struct Location: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var organizationID: Int64
    public var name: String
    /// ISO 3166-1 alpha-2.
    public var country: String

    public init(id: Int64, organizationID: Int64, name: String, country: String) {
        self.id = id; self.organizationID = organizationID; self.name = name; self.country = country.uppercased()
    }

    public var market: Market { Market(country: country) }
}

/// Where a location stands in a program's enrollment.
public enum EnrollmentStatus: String, CaseIterable, Sendable, Codable {
    case invited, enrolling
    case actionRequired = "action_required"
    case validating, enrolled, inactive, discontinued

    public var label: String {
        switch self {
        case .invited: "Invited"
        case .enrolling: "Enrolling"
        case .actionRequired: "Action required"
        case .validating: "Validating"
        case .enrolled: "Enrolled"
        case .inactive: "Inactive"
        case .discontinued: "Discontinued"
        }
    }
}

/// Validation state of a company bank profile.
public enum BankProfileStatus: String, CaseIterable, Sendable, Codable {
    case pendingValidation = "pending_validation"
    case approved
    case actionRequired = "action_required"

    public var label: String {
        switch self {
        case .pendingValidation: "Pending validation"
        case .approved: "Approved"
        case .actionRequired: "Action required"
        }
    }
}

/// What a location needs to be paid: an approved bank profile and an unexpired tax profile.
public struct PayeeStanding: Hashable, Sendable {
    public var bankStatus: BankProfileStatus?
    public var taxExpiresOn: DayDate?

    public init(bankStatus: BankProfileStatus?, taxExpiresOn: DayDate?) {
        self.bankStatus = bankStatus; self.taxExpiresOn = taxExpiresOn
    }

    /// Why the location can't be paid at an instant, in words; nil when the payee profile is complete.
    public func problem(at instant: Date) -> String? {
        switch bankStatus {
        case nil: return "No bank profile is assigned to this location."
        case .pendingValidation: return "The bank profile is awaiting validation (up to 48 hours)."
        case .actionRequired: return "The bank profile needs an update before it can be approved."
        case .approved: break
        }
        guard let expiry = taxExpiresOn else { return "No tax profile is on file for this location." }
        if instant >= expiry.endUTC { return "The tax profile expired on \(expiry.text)." }
        return nil
    }

    public func isComplete(at instant: Date) -> Bool { problem(at: instant) == nil }
}

/// One partner qualification criterion and whether a location meets it.
public struct CriterionResult: Hashable, Sendable, Codable {
    public var criterion: String
    public var met: Bool
    /// The day an "expiring" result stops counting as met (nil for met and not met).
    public var expiresOn: DayDate?

    public init(criterion: String, met: Bool, expiresOn: DayDate? = nil) {
        self.criterion = criterion; self.met = met; self.expiresOn = expiresOn
    }
}

/// What of an engagement decides whether a location can earn on it now: it takes claims (active and
/// before its last day to claim) and it pays a rate in the location's market.
public struct EarningTerms: Hashable, Sendable {
    public var status: EngagementStatus
    /// The last UTC day on which customers may be claimed.
    public var lastClaimDay: DayDate?
    /// False when the engagement has no rate for the location's market (e.g. a market-A-only workshop).
    public var paysInLocationMarket: Bool

    public init(status: EngagementStatus, lastClaimDay: DayDate?, paysInLocationMarket: Bool) {
        self.status = status; self.lastClaimDay = lastClaimDay; self.paysInLocationMarket = paysInLocationMarket
    }

    /// The terms of an engagement for a location of a market, from the version in force at an instant.
    public init(_ engagement: Engagement, market: Market, at instant: Date) {
        self.init(status: engagement.status, lastClaimDay: engagement.lastClaimDay,
                  paysInLocationMarket: engagement.version(inForceAt: instant).rates.rate(for: market) != nil)
    }

    /// Active, and the last day to claim (if any) not yet over: new claims, and so new earnings, are possible.
    public func takesClaims(at instant: Date) -> Bool { Self.takesClaims(status: status, lastClaimDay: lastClaimDay, at: instant) }

    /// The one rule for whether an engagement takes new claims (and `Engagement.refusalToClaim` says why not).
    public static func takesClaims(status: EngagementStatus, lastClaimDay: DayDate?, at instant: Date) -> Bool {
        guard status == .active else { return false }
        if let last = lastClaimDay, instant >= last.endUTC { return false }
        return true
    }

    /// Why the engagement itself keeps a location from earning at an instant; nil when it doesn't.
    public func problem(at instant: Date) -> String? {
        switch status {
        case .upcoming: return "The engagement has not opened yet."
        case .closed: return "The engagement is closed."
        case .active: break
        }
        if let last = lastClaimDay, instant >= last.endUTC { return "The last day to claim customers (\(last.text)) has passed." }
        if !paysInLocationMarket { return "The engagement pays no rate in this location's market." }
        return nil
    }
}

/// A location's standing on one engagement: on the eligibility list or not, criteria met or not.
public struct LocationEligibility: Hashable, Sendable {
    public var locationID: Int64
    public var enrollment: EnrollmentStatus?
    /// On the engagement's eligibility list (an explicit entry, which may have no criterion at all).
    public var listed: Bool
    public var criteria: [CriterionResult]
    public var payee: PayeeStanding
    /// The engagement's side; nil when a caller judges only the location's side (enrollment, criteria, payee).
    public var terms: EarningTerms?

    /// - Parameter listed: nil reads "listed" as "has criteria", as callers from before explicit lists did.
    public init(locationID: Int64, enrollment: EnrollmentStatus?, listed: Bool? = nil, criteria: [CriterionResult], payee: PayeeStanding,
                terms: EarningTerms? = nil) {
        self.locationID = locationID; self.enrollment = enrollment; self.listed = listed ?? !criteria.isEmpty
        self.criteria = criteria; self.payee = payee
        self.terms = terms
    }

    public var isEnrolled: Bool { enrollment == .enrolled }

    /// On the engagement's eligibility list with every partner criterion met.
    public var isEligible: Bool { listed && criteria.allSatisfy(\.met) }

    /// Earning = enrolled, eligible, and a complete payee profile (DOMAIN.md 2) on an engagement that
    /// takes claims and pays in the location's market: an upcoming or closed engagement earns nobody anything.
    public func isEarning(at instant: Date) -> Bool {
        isEnrolled && isEligible && payee.isComplete(at: instant) && (terms.map { $0.problem(at: instant) == nil } ?? true)
    }

    /// What keeps the location from earning, in the order a partner fixes things; empty when it earns.
    public func problems(at instant: Date) -> [String] {
        var list: [String] = []
        if !isEnrolled {
            list.append(enrollment.map { "Enrollment is \($0.label.lowercased()); only enrolled locations earn." } ?? "Not enrolled in the program.")
        }
        if !listed { list.append("Not on the engagement's eligibility list.") }
        let unmet = criteria.filter { !$0.met }.count
        if unmet > 0 { list.append("\(unmet) partner criteri\(unmet == 1 ? "on is" : "a are") not met.") }
        if let payeeProblem = payee.problem(at: instant) { list.append(payeeProblem) }
        if let termsProblem = terms?.problem(at: instant) { list.append(termsProblem) }
        return list
    }
}

/// The "N of M" figure of the engagements list: earning locations of enrolled locations.
public struct EarningLocations: Hashable, Sendable {
    public var earning: Int
    public var enrolled: Int

    public init(_ locations: [LocationEligibility], at instant: Date) {
        enrolled = locations.filter(\.isEnrolled).count
        earning = locations.filter { $0.isEarning(at: instant) }.count
    }

    /// The green icon shows when at least one location earns.
    public var showsGreenIcon: Bool { earning > 0 }

    public var label: String { "\(earning) of \(enrolled)" }
}
