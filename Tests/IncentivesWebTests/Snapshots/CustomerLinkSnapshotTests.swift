import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb
import Testing

/// The consent page a customer contact opens from the email, signed out, from plain values: open to answer, answered
/// (and so open to withdraw), and expired.
@Suite("Page snapshots: the customer's consent page")
struct CustomerLinkSnapshotTests {
    static let sent = ClaimFixture.start.adding(calendarDays: 1)

    static func consent(answered: CustomerAnswer? = nil, steps: [(ClaimAction, Actor, String?, ReviewReason?)]) -> CustomerLinkView {
        let link = CustomerLinkRecord(id: 70, claimID: 42, purpose: .consent, email: "ben.brandt@alder.example", contactName: "Ben Brandt",
                                      createdAt: sent, expiresAt: sent.adding(calendarDays: 14), voidedAt: nil, answer: answered,
                                      answeredAt: answered.map { _ in sent.adding(calendarDays: 2) }, answerAddress: nil, revokedAt: nil,
                                      revokeAddress: nil)
        return CustomerLinkView(link: link, claim: ClaimFixture.file(steps).claim, partnerName: "Bluefin Consulting",
                                engagementName: "Cloud adoption workshop",
                                engagementDescription: "A one-day workshop on the customer's cloud adoption plan.", customerName: "Alder Logistics")
    }

    static func input(on day: Int) -> PageInput {
        PageInput(viewer: nil, csrfToken: "signed-out-token", flash: nil, database: "embedded SQLite", demo: false,
                  now: sent.adding(calendarDays: day))
    }

    static let asked: [(ClaimAction, Actor, String?, ReviewReason?)] = [(.sendConsentRequest, ClaimFixture.partner, nil, nil)]

    @Test("the consent page: to answer, answered, expired")
    func consentPage() async throws {
        let open = ConsentView(Self.consent(steps: Self.asked), token: "tok_consent-42", input: Self.input(on: 3))
        #expect(open.canAnswer)
        try await PageSnapshots.pin(open, template: "consent", state: "to-answer")
        let accepted = Self.asked + [(.acceptConsent, ClaimFixture.customerContact, nil, nil)]
        let answered = ConsentView(Self.consent(answered: .accepted, steps: accepted), token: "tok_consent-42", input: Self.input(on: 3))
        #expect(answered.canRevoke)
        try await PageSnapshots.pin(answered, template: "consent", state: "confirmed")
        let expired = ConsentView(Self.consent(steps: Self.asked), token: "tok_consent-42", input: Self.input(on: 20))
        #expect(!expired.canAnswer && !expired.canRevoke)
        try await PageSnapshots.pin(expired, template: "consent", state: "expired")
    }
}
