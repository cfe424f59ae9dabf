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
    /// Active (non-terminal) claims on the customer for the engagement, every partner's, this one's included.
    public var activeClaims: Int
    public var consentedWithAnotherPartner: Bool
    public var approvedWithThisPartner: Bool
    public var approvedWithAnotherPartner: Bool
    /// Of `activeClaims`, those of this partner: the customer is already being claimed by it.
    public var activeClaimsWithThisPartner: Int

    public init(meetsCriteria: Bool, activeClaims: Int, consentedWithAnotherPartner: Bool,
                approvedWithThisPartner: Bool, approvedWithAnotherPartner: Bool, activeClaimsWithThisPartner: Int = 0) {
        self.meetsCriteria = meetsCriteria; self.activeClaims = activeClaims
        self.consentedWithAnotherPartner = consentedWithAnotherPartner
        self.approvedWithThisPartner = approvedWithThisPartner
        self.approvedWithAnotherPartner = approvedWithAnotherPartner
        self.activeClaimsWithThisPartner = activeClaimsWithThisPartner
    }

    /// The first reason that applies, in the order a partner would check them. A customer this partner
    /// is already claiming stays eligible for it (its own claim is in progress), whatever the limit says.
    public func eligibility(limit: Int) -> CustomerEligibility {
        if approvedWithThisPartner { return .complete }
        if activeClaimsWithThisPartner > 0 { return .eligible }
        if !meetsCriteria { return .ineligible(.criteriaNotMet) }
        if approvedWithAnotherPartner { return .ineligible(.completedWithAnotherPartner) }
        if consentedWithAnotherPartner { return .ineligible(.consentedToAnotherPartner) }
        if activeClaims >= limit { return .ineligible(.activeClaimLimitReached) }
        return .eligible
    }

    /// Whether this partner could add the customer to the engagement now: eligible, not already being
    /// claimed by it, and the engagement taking claims.
    public func canBeClaimed(limit: Int, engagementTakesClaims: Bool) -> Bool {
        engagementTakesClaims && activeClaimsWithThisPartner == 0 && eligibility(limit: limit) == .eligible
    }

    /// The customer criteria as far as stored data tells them (criteria themselves are prose for people):
    /// use or consume needs a workload to be partner of record on, i.e. a subscription id; build intent
    /// needs the customer identified by a domain or a tenant id.
    public static func meetsRecordedCriteria(role: PartnerRole, customer: Customer) -> Bool {
        switch role {
        case .useOrConsume: return !(customer.subscriptionID ?? "").isEmpty
        case .buildIntent: return !(customer.domain ?? "").isEmpty || !(customer.tenantID ?? "").isEmpty
        }
    }
}
