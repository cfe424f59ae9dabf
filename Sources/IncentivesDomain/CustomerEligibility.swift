/// Whether a customer may be claimed on an engagement, and if not, why (DOMAIN.md 2).
public enum CustomerEligibility: Hashable, Sendable {
    case eligible
    case ineligible(IneligibleReason)
    /// The customer already did this engagement with this partner.
    case complete

    public var label: String {
        switch self {
        case .eligible: "Eligible"
        case .ineligible(let reason): "Ineligible: \(reason.description)"
        case .complete: "Complete"
        }
    }
}

/// Why a customer can't be claimed on an engagement.
public enum IneligibleReason: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case criteriaNotMet = "criteria_not_met"
    case activeClaimLimitReached = "active_claim_limit_reached"
    case consentedToAnotherPartner = "consented_to_another_partner"
    case completedWithAnotherPartner = "completed_with_another_partner"

    public var description: String {
        switch self {
        case .criteriaNotMet: "the customer does not meet the engagement's customer criteria"
        case .activeClaimLimitReached: "the customer has reached the limit of active claims on this engagement"
        case .consentedToAnotherPartner: "the customer already consented to another partner for this engagement"
        case .completedWithAnotherPartner: "the customer already did this engagement with another partner"
        }
    }
}

/// The facts about a customer on one engagement from which eligibility follows.
public struct CustomerStanding: Hashable, Sendable {
    public var meetsCriteria: Bool
    public var activeClaims: Int
    public var consentedWithAnotherPartner: Bool
    public var approvedWithThisPartner: Bool
    public var approvedWithAnotherPartner: Bool

    public init(meetsCriteria: Bool, activeClaims: Int, consentedWithAnotherPartner: Bool,
                approvedWithThisPartner: Bool, approvedWithAnotherPartner: Bool) {
        self.meetsCriteria = meetsCriteria; self.activeClaims = activeClaims
        self.consentedWithAnotherPartner = consentedWithAnotherPartner
        self.approvedWithThisPartner = approvedWithThisPartner
        self.approvedWithAnotherPartner = approvedWithAnotherPartner
    }

    /// The first reason that applies, in the order a partner would check them.
    public func eligibility(limit: Int) -> CustomerEligibility {
        if approvedWithThisPartner { return .complete }
        if !meetsCriteria { return .ineligible(.criteriaNotMet) }
        if approvedWithAnotherPartner { return .ineligible(.completedWithAnotherPartner) }
        if consentedWithAnotherPartner { return .ineligible(.consentedToAnotherPartner) }
        if activeClaims >= limit { return .ineligible(.activeClaimLimitReached) }
        return .eligible
    }
}
