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
        if instant >= expiry.endUTC { return "The tax profile expired on \(expiry)." }
        return nil
    }

    public func isComplete(at instant: Date) -> Bool { problem(at: instant) == nil }
}

/// One partner qualification criterion and whether a location meets it.
public struct CriterionResult: Hashable, Sendable, Codable {
    public var criterion: String
    public var met: Bool

    public init(criterion: String, met: Bool) { self.criterion = criterion; self.met = met }
}

/// A location's standing on one engagement: on the eligibility list or not, criteria met or not.
public struct LocationEligibility: Hashable, Sendable {
    public var locationID: Int64
    public var enrollment: EnrollmentStatus?
    public var criteria: [CriterionResult]
    public var payee: PayeeStanding

    public init(locationID: Int64, enrollment: EnrollmentStatus?, criteria: [CriterionResult], payee: PayeeStanding) {
        self.locationID = locationID; self.enrollment = enrollment; self.criteria = criteria; self.payee = payee
    }

    public var isEnrolled: Bool { enrollment == .enrolled }

    /// On the engagement's eligibility list with every partner criterion met.
    public var isEligible: Bool { !criteria.isEmpty && criteria.allSatisfy(\.met) }

    /// Earning = enrolled, eligible, and a complete payee profile (DOMAIN.md 2).
    public func isEarning(at instant: Date) -> Bool {
        isEnrolled && isEligible && payee.isComplete(at: instant)
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
