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
    /// Every program check of the version's customer criteria is met (`judged(by:_:)`).
    public var meetsCriteria: Bool
    /// The words of the first program check not met: what a refusal names.
    public var unmetCriterion: String?
    /// Active (non-terminal) claims on the customer for the engagement, every partner's, this one's included.
    public var activeClaims: Int
    public var consentedWithAnotherPartner: Bool
    public var approvedWithThisPartner: Bool
    public var approvedWithAnotherPartner: Bool
    /// Of `activeClaims`, those of this partner: the customer is already being claimed by it.
    public var activeClaimsWithThisPartner: Int

    public init(meetsCriteria: Bool, activeClaims: Int, consentedWithAnotherPartner: Bool,
                approvedWithThisPartner: Bool, approvedWithAnotherPartner: Bool, activeClaimsWithThisPartner: Int = 0,
                unmetCriterion: String? = nil) {
        self.meetsCriteria = meetsCriteria; self.unmetCriterion = unmetCriterion; self.activeClaims = activeClaims
        self.consentedWithAnotherPartner = consentedWithAnotherPartner
        self.approvedWithThisPartner = approvedWithThisPartner
        self.approvedWithAnotherPartner = approvedWithAnotherPartner
        self.activeClaimsWithThisPartner = activeClaimsWithThisPartner
    }

    /// A fact `eligibility` looks at, one per step of `CustomerStanding.steps`.
    public enum Check: Sendable, CaseIterable {
        case approvedWithThisPartner, claimedByThisPartner, criteriaNotMet, approvedWithAnotherPartner,
             consentedWithAnotherPartner, activeClaimLimitReached
    }

    /// One step of the decision: when its check holds, the customer's eligibility is the outcome.
    public struct Step: Sendable {
        public let check: Check
        public let outcome: CustomerEligibility
    }

    /// The reasons in the order a partner would check them; the first that holds decides, and none holding is
    /// eligible. A customer this partner is already claiming stays eligible for it (its own claim is in progress),
    /// whatever the limit says. Reads that sort customers in SQL translate these steps rather than restating them.
    public static let steps: [Step] = [
        Step(check: .approvedWithThisPartner, outcome: .complete),
        Step(check: .claimedByThisPartner, outcome: .eligible),
        Step(check: .criteriaNotMet, outcome: .ineligible(.criteriaNotMet)),
        Step(check: .approvedWithAnotherPartner, outcome: .ineligible(.completedWithAnotherPartner)),
        Step(check: .consentedWithAnotherPartner, outcome: .ineligible(.consentedToAnotherPartner)),
        Step(check: .activeClaimLimitReached, outcome: .ineligible(.activeClaimLimitReached)),
    ]

    /// Whether a check holds for this standing, with `limit` active claims per customer.
    public func holds(_ check: Check, limit: Int) -> Bool {
        switch check {
        case .approvedWithThisPartner: approvedWithThisPartner
        case .claimedByThisPartner: activeClaimsWithThisPartner > 0
        case .criteriaNotMet: !meetsCriteria
        case .approvedWithAnotherPartner: approvedWithAnotherPartner
        case .consentedWithAnotherPartner: consentedWithAnotherPartner
        case .activeClaimLimitReached: activeClaims >= limit
        }
    }

    /// The outcome of the first step that holds (`steps`).
    public func eligibility(limit: Int) -> CustomerEligibility {
        Self.steps.first { holds($0.check, limit: limit) }?.outcome ?? .eligible
    }

    /// Whether this partner could add the customer to the engagement now: eligible, not already being
    /// claimed by it, and the engagement taking claims.
    public func canBeClaimed(limit: Int, engagementTakesClaims: Bool) -> Bool {
        engagementTakesClaims && !holds(.claimedByThisPartner, limit: limit) && eligibility(limit: limit) == .eligible
    }

    /// The standing with its criteria decided by the program checks among `criteria` (reviewer-confirmed items wait
    /// for review).
    public func judged(by criteria: [CustomerCriterion], _ facts: CriterionFacts) -> CustomerStanding {
        var standing = self
        let unmet = criteria.firstUnmet(facts)
        standing.meetsCriteria = unmet == nil
        standing.unmetCriterion = unmet?.text
        return standing
    }

    /// The fields of which one, not empty, meets `ProgramCheck.customerIDRecorded` for a role: use or consume needs a
    /// workload to be partner of record on, i.e. a subscription id; build intent a domain or a tenant id.
    public static func identifyingFields(for role: PartnerRole) -> [Customer.Field] {
        switch role {
        case .useOrConsume: [.subscriptionID]
        case .buildIntent: [.domain, .tenantID]
        }
    }
}

extension CustomerEligibility {
    /// The three lists an engagement's customers fall in.
    public enum Group: String, Sendable, CaseIterable {
        case eligible, ineligible, complete
    }

    public var group: Group {
        switch self {
        case .eligible: .eligible
        case .ineligible: .ineligible
        case .complete: .complete
        }
    }
}
