import Foundation
import IncentivesDomain
import Testing

/// Structured customer criteria (issue 17): stored JSON old and new, each program check decided from facts, the
/// reviewer's checklist an approval needs, and the terms' input and preview.
@Suite("Customer criteria: program checks and the reviewer's checklist")
struct CustomerCriteriaTests {
    static let now = at("2026-06-15T12:00:00Z")
    static let acme = Customer(id: 1, name: "Acme", domain: "acme.example", subscriptionID: "s-1")

    static func facts(_ customer: Customer = acme, role: PartnerRole = .buildIntent, others: Int = 0, lastApproval: Date? = nil,
                      emails: [String]? = nil) -> CriterionFacts {
        CriterionFacts(customer: customer, role: role, otherActiveClaims: others, lastApproval: lastApproval, contactEmails: emails, now: now)
    }

    @Test("a version stored before criteria were typed (plain strings) reads as items the reviewer confirms")
    func oldRowsDecode() throws {
        let old = #"["At least 50 seats","No other partner of record"]"#
        let criteria = try JSONDecoder().decode([CustomerCriterion].self, from: Data(old.utf8))
        #expect(criteria == [.reviewerConfirms("At least 50 seats"), .reviewerConfirms("No other partner of record")])
        #expect(criteria.allSatisfy { $0.isReviewerConfirmed })
        #expect(criteria.programChecks.isEmpty)
    }

    @Test("a mixed list round-trips; reviewer items stay plain strings in JSON")
    func roundTrip() throws {
        let criteria: [CustomerCriterion] = [.program(.noApprovedClaimWithin(months: 12), "Not done in a year"),
                                             .program(.customerIDRecorded, "Id recorded"), .reviewerConfirms("50 seats")]
        let data = try JSONEncoder().encode(criteria)
        #expect(try JSONDecoder().decode([CustomerCriterion].self, from: data) == criteria)
        #expect(String(decoding: data, as: UTF8.self).contains(#""50 seats""#))
        let unknown = #"[{"text":"x","check":"moon_phase"}]"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CustomerCriterion].self, from: Data(unknown.utf8)) }
        let outside = #"[{"text":"x","check":"no_approved_claim_within","months":61}]"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CustomerCriterion].self, from: Data(outside.utf8)) }
    }

    @Test("customer id recorded: met with the id the role needs, not met without")
    func customerID() {
        #expect(ProgramCheck.customerIDRecorded.evaluate(Self.facts(role: .useOrConsume)).met)
        #expect(!ProgramCheck.customerIDRecorded.evaluate(Self.facts(Customer(id: 2, name: "B", domain: "b.example"), role: .useOrConsume)).met)
        #expect(ProgramCheck.customerIDRecorded.evaluate(Self.facts(Customer(id: 2, name: "B", tenantID: "t"))).met)
        #expect(!ProgramCheck.customerIDRecorded.evaluate(Self.facts(Customer(id: 2, name: "B", subscriptionID: "s"))).met)
    }

    @Test("no other active claim: met with none, not met with one (any partner's)")
    func otherActiveClaim() {
        #expect(ProgramCheck.noOtherActiveClaim.evaluate(Self.facts(others: 0)).met)
        let result = ProgramCheck.noOtherActiveClaim.evaluate(Self.facts(others: 1))
        #expect(!result.met)
        #expect(result.why == "1 other active claim on this customer.")
    }

    @Test("no approved claim in N months: an approval inside the window fails it, one before it or none passes")
    func approvedWithin() {
        let check = ProgramCheck.noApprovedClaimWithin(months: 12)
        #expect(check.evaluate(Self.facts()).met)
        #expect(check.evaluate(Self.facts(lastApproval: at("2025-06-14T12:00:00Z"))).met)
        let inside = check.evaluate(Self.facts(lastApproval: at("2025-06-15T12:00:00Z")))
        #expect(!inside.met)
        #expect(inside.why == "A claim was approved on 15 Jun 2025.")
        #expect(!ProgramCheck.noApprovedClaimWithin(months: 1).evaluate(Self.facts(lastApproval: at("2026-06-01T00:00:00Z"))).met)
        #expect(ProgramCheck.noApprovedClaimWithin(months: 1).evaluate(Self.facts(lastApproval: at("2026-05-01T00:00:00Z"))).met)
    }

    @Test("contacts at the customer's domain: subdomains count, another domain fails, unknown contacts wait")
    func contactsAtDomain() {
        let check = ProgramCheck.contactsAtCustomerDomain
        #expect(check.evaluate(Self.facts(emails: ["ada@acme.example", "bo@it.acme.example"])).met)
        let foreign = check.evaluate(Self.facts(emails: ["ada@acme.example", "cy@consult.example"]))
        #expect(!foreign.met)
        #expect(foreign.why.contains("cy@consult.example"))
        #expect(check.evaluate(Self.facts(emails: nil)).met)
        #expect(!check.evaluate(Self.facts(Customer(id: 3, name: "C", tenantID: "t"), emails: ["a@c.example"])).met)
    }

    @Test("Add customer names the first program check not met, in its own words; reviewer items never refuse")
    func refusalNamesCriterion() {
        let criteria: [CustomerCriterion] = [.reviewerConfirms("50 seats"), .program(.customerIDRecorded, "Subscription recorded"),
                                             .program(.noOtherActiveClaim, "Nobody else is claiming it")]
        let base = CustomerStanding(meetsCriteria: true, activeClaims: 1, consentedWithAnotherPartner: false,
                                    approvedWithThisPartner: false, approvedWithAnotherPartner: false)
        let judged = base.judged(by: criteria, Self.facts(role: .useOrConsume, others: 1))
        #expect(!judged.meetsCriteria)
        #expect(judged.unmetCriterion == "Nobody else is claiming it")
        #expect(judged.eligibility(limit: 5) == .ineligible(.criteriaNotMet))
        #expect(base.judged(by: criteria, Self.facts(role: .useOrConsume)).meetsCriteria)
        let engagement = Fixture.engagement(kind: .useOrConsume, versions: [Fixture.version(proof: [])].map {
            var v = $0; v.customerCriteria = criteria; return v
        })
        let location = EligibilityRulesTests.location(1)
        let option = ClaimOption.decide(engagement: engagement, location: location, market: .a, standing: judged,
                                        otherPartnersActive: 0, earnedOnEngagement: nil, at: Self.now)
        #expect(option.refusal == "Not eligible: Nobody else is claiming it.")
    }

    @Test("approval needs every reviewer item: by position or words, all at once, and refusals name what is missing")
    func checklist() throws {
        let criteria: [CustomerCriterion] = [.program(.customerIDRecorded, "Id"), .reviewerConfirms("50 seats"), .reviewerConfirms("In production")]
        #expect(try ClaimActionRequest(.approve, confirmedCriteria: ["2", "In production"]).confirmedPositions(of: criteria) == [2, 3])
        #expect(try ClaimActionRequest(.approve, confirmsAllCriteria: true).confirmedPositions(of: criteria) == [2, 3])
        #expect(try ClaimActionRequest(.reject).confirmedPositions(of: criteria) == [])
        #expect(try ClaimActionRequest(.approve).confirmedPositions(of: [.program(.customerIDRecorded, "Id")]) == [])
        do {
            _ = try ClaimActionRequest(.approve, confirmedCriteria: ["2"]).confirmedPositions(of: criteria)
            Issue.record("an approval with an item unchecked was accepted")
        } catch {
            #expect(error.description.contains("Not confirmed: 3. In production"))
            #expect(error.refusedInput == "confirm")
        }
        #expect(throws: ChecklistRefusal.self) {
            try ClaimActionRequest(.approve, confirmedCriteria: ["1", "2", "3"]).confirmedPositions(of: criteria)
        }
    }

    @Test("the form's input: ticked checks first with their months, then one reviewer item per line; the preview names changes")
    func termsInput() throws {
        var input = EngagementTermsInput()
        input.type = "workshop"; input.payModel = "fixed"; input.currency = "USD"; input.rateA = "5000"; input.description = "A workshop"
        input.customerChecks = ["no_approved_claim_within": "", "customer_id_recorded": "Our words"]
        input.approvedWithinMonths = "18"
        input.customerCriteria = "50 seats\nIn production"
        let terms = try input.terms()
        #expect(terms.customerCriteria == [.program(.customerIDRecorded, "Our words"),
                                           .program(.noApprovedClaimWithin(months: 18), ProgramCheck.noApprovedClaimWithin(months: 18).standardText),
                                           .reviewerConfirms("50 seats"), .reviewerConfirms("In production")])
        #expect(EngagementTermsInput(terms).customerChecks == input.customerChecks)
        input.approvedWithinMonths = "61"
        #expect(throws: CatalogueError.self) { try input.terms() }
        var before = terms
        before.customerCriteria = ["50 seats"]
        let change = terms.changes(from: before).first { $0.label == "Customer criteria" }
        #expect(change?.after.contains("Our words (checked by the program)") == true)
        #expect(change?.before == "50 seats (confirmed by the reviewer)")
    }
}
