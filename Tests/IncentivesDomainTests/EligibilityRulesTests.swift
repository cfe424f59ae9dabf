import Foundation
import IncentivesDomain
import Testing

/// "N of M" and the earning rule with the engagement's side included: an engagement that takes no
/// claims (upcoming, closed, past its last day) or pays nothing in a location's market earns nobody anything.
@Suite("Eligibility rules: earning on an engagement, N of M, customer eligibility")
struct EligibilityRulesTests {
    static let now = at("2026-06-15T12:00:00Z")
    static let today = DayDate(year: 2026, month: 6, day: 15)

    static func terms(_ status: EngagementStatus = .active, last: DayDate? = nil, paid: Bool = true) -> EarningTerms {
        EarningTerms(status: status, lastClaimDay: last, paysInLocationMarket: paid)
    }

    static func location(_ id: Int64, enrollment: EnrollmentStatus? = .enrolled, criteria: [Bool] = [true, true],
                         bank: BankProfileStatus? = .approved, taxExpires: DayDate? = DayDate(year: 2027, month: 1, day: 1),
                         terms: EarningTerms? = terms()) -> LocationEligibility {
        LocationEligibility(locationID: id, enrollment: enrollment,
                            criteria: criteria.enumerated().map { CriterionResult(criterion: "Criterion \($0.offset)", met: $0.element) },
                            payee: PayeeStanding(bankStatus: bank, taxExpiresOn: taxExpires), terms: terms)
    }

    @Test("an active engagement paying in the market: the location earns, 1 of 1 with the green icon")
    func activeEarns() {
        let figure = EarningLocations([Self.location(1)], at: Self.now)
        #expect(figure.label == "1 of 1" && figure.showsGreenIcon)
        #expect(Self.location(1).problems(at: Self.now).isEmpty)
    }

    @Test("upcoming and closed engagements: nobody earns, no green icon, the enrolled count stays", arguments: [EngagementStatus.upcoming, .closed])
    func notActiveEarnsNothing(status: EngagementStatus) {
        let locations = [Self.location(1, terms: Self.terms(status)), Self.location(2, terms: Self.terms(status))]
        let figure = EarningLocations(locations, at: Self.now)
        #expect(figure.label == "0 of 2")
        #expect(!figure.showsGreenIcon)
        #expect(locations.allSatisfy { $0.isEligible && !$0.isEarning(at: Self.now) })
        #expect(locations[0].problems(at: Self.now) == [status == .upcoming ? "The engagement has not opened yet." : "The engagement is closed."])
    }

    @Test("the last day to claim counts through its end (UTC), then nobody earns")
    func lastDayToClaim() {
        let ends = Self.location(1, terms: Self.terms(last: Self.today))
        #expect(ends.isEarning(at: at("2026-06-15T23:59:59Z")))
        #expect(!ends.isEarning(at: at("2026-06-16T00:00:00Z")))
        #expect(Self.terms(last: Self.today).takesClaims(at: Self.now))
        #expect(!Self.terms(last: Self.today.adding(days: -1)).takesClaims(at: Self.now))
        #expect(ends.problems(at: at("2026-06-16T00:00:00Z")).first?.contains("has passed") == true)
    }

    @Test("a location whose market has no rate does not earn; the others still do")
    func marketWithoutRate() {
        let figure = EarningLocations([Self.location(1), Self.location(2, terms: Self.terms(paid: false))], at: Self.now)
        #expect(figure.label == "1 of 2" && figure.showsGreenIcon)
    }

    @Test("terms from an engagement: the version in force decides the market's rate")
    func termsFromEngagement() {
        let policy = DeadlinePolicy.standard(for: .workshop)
        func version(_ n: Int, _ from: Date, b: Decimal?) -> EngagementVersion {
            EngagementVersion(number: n, effectiveFrom: from, payModel: .fixed, rates: MarketRates(currency: .usd, a: 5000, b: b, c: nil),
                              deadlines: policy, description: "", partnerCriteria: [], customerCriteria: [], proofRequirements: [], resourceLinks: [])
        }
        let engagement = Engagement(id: 1, programID: 1, solutionAreaID: 1, name: "W", role: .buildIntent, type: .workshop, status: .active,
                                    lastClaimDay: nil, activeClaimsPerCustomer: 1, earningsCap: nil,
                                    versions: [version(1, at("2025-01-01T00:00:00Z"), b: 3000), version(2, at("2026-07-01T00:00:00Z"), b: nil)])
        #expect(EarningTerms(engagement, market: .b, at: Self.now).paysInLocationMarket)
        #expect(!EarningTerms(engagement, market: .b, at: at("2026-07-02T00:00:00Z")).paysInLocationMarket)
        #expect(!EarningTerms(engagement, market: .c, at: Self.now).paysInLocationMarket)
        #expect(EarningTerms(engagement, market: .a, at: Self.now).takesClaims(at: Self.now))
    }

    @Test("N of M: M counts enrolled locations on the list, N those also eligible with a complete payee profile")
    func nOfM() {
        let locations = [
            Self.location(1),                                           // earning
            Self.location(2, criteria: [true, false]),                 // enrolled, not eligible
            Self.location(3, bank: .pendingValidation),                // enrolled, payee incomplete
            Self.location(4, enrollment: .validating),                 // not enrolled: not in M
            Self.location(5, enrollment: nil),                         // never invited: not in M
            Self.location(6, taxExpires: Self.today.adding(days: -1)), // tax expired
        ]
        let figure = EarningLocations(locations, at: Self.now)
        #expect(figure.label == "1 of 4")
        #expect(figure.showsGreenIcon)
        #expect(EarningLocations(Array(locations.dropFirst()), at: Self.now).label == "0 of 3")
        #expect(!EarningLocations(Array(locations.dropFirst()), at: Self.now).showsGreenIcon)
    }

    @Test("without terms only the location's side is judged (callers that do not know the engagement)")
    func withoutTerms() {
        #expect(Self.location(1, terms: nil).isEarning(at: Self.now))
    }

    @Test("what keeps a location from earning, in the order a partner fixes things")
    func problemsInOrder() {
        let l = Self.location(1, enrollment: .actionRequired, criteria: [false, false, true], bank: nil, terms: Self.terms(.closed))
        #expect(l.problems(at: Self.now) == [
            "Enrollment is action required; only enrolled locations earn.",
            "2 partner criteria are not met.",
            "No bank profile is assigned to this location.",
            "The engagement is closed.",
        ])
        #expect(Self.location(1, criteria: []).problems(at: Self.now) == ["Not on the engagement's eligibility list."])
    }

    // MARK: Customers

    static func customer(active: Int = 0, ours: Int = 0, meets: Bool = true, consentedElsewhere: Bool = false,
                         approvedHere: Bool = false, approvedElsewhere: Bool = false) -> CustomerStanding {
        CustomerStanding(meetsCriteria: meets, activeClaims: active, consentedWithAnotherPartner: consentedElsewhere,
                         approvedWithThisPartner: approvedHere, approvedWithAnotherPartner: approvedElsewhere,
                         activeClaimsWithThisPartner: ours)
    }

    @Test("a customer this partner is claiming stays eligible for it but cannot be claimed again")
    func ownActiveClaim() {
        let c = Self.customer(active: 1, ours: 1)
        #expect(c.eligibility(limit: 1) == .eligible)
        #expect(!c.canBeClaimed(limit: 1, engagementTakesClaims: true))
        #expect(Self.customer(active: 1).eligibility(limit: 1) == .ineligible(.activeClaimLimitReached))
        #expect(Self.customer(active: 1).canBeClaimed(limit: 2, engagementTakesClaims: true))
    }

    @Test("nobody can be claimed on an engagement that takes no claims")
    func closedEngagement() {
        #expect(Self.customer().canBeClaimed(limit: 1, engagementTakesClaims: true))
        #expect(!Self.customer().canBeClaimed(limit: 1, engagementTakesClaims: false))
    }

    @Test("complete wins; then criteria, another partner's approval, another partner's consent, the limit")
    func order() {
        #expect(Self.customer(ours: 1, approvedHere: true).eligibility(limit: 1) == .complete)
        #expect(Self.customer(meets: false, approvedElsewhere: true).eligibility(limit: 1) == .ineligible(.criteriaNotMet))
        #expect(Self.customer(consentedElsewhere: true, approvedElsewhere: true).eligibility(limit: 1) == .ineligible(.completedWithAnotherPartner))
        #expect(Self.customer(active: 1, consentedElsewhere: true).eligibility(limit: 1) == .ineligible(.consentedToAnotherPartner))
    }

    @Test("the customer id check: use or consume needs a subscription, build intent a domain or tenant")
    func recordedCriteria() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func met(_ role: PartnerRole, _ customer: Customer) -> Bool {
            ProgramCheck.customerIDRecorded.evaluate(CriterionFacts(customer: customer, role: role, now: now)).met
        }
        #expect(!met(.buildIntent, Customer(id: 1, name: "A")))
        #expect(met(.buildIntent, Customer(id: 1, name: "A", domain: "a.example")))
        #expect(met(.buildIntent, Customer(id: 1, name: "A", tenantID: "t")))
        #expect(!met(.useOrConsume, Customer(id: 1, name: "A", domain: "a.example")))
        #expect(met(.useOrConsume, Customer(id: 1, name: "A", subscriptionID: "s")))
        #expect(!met(.useOrConsume, Customer(id: 1, name: "A", subscriptionID: "")))
    }
}
