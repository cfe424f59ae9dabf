import Foundation
import Testing
import IncentivesDomain

@Suite("Reversals: the reviewer's reverse of an approval, its window, its reason and note")
struct ReversalRulesTests {
    let approvedAt = at("2026-03-10T15:30:00Z")
    let reviewer = actor(.reviewer)

    func approved(_ kind: ClaimKind = .partnerActivities) -> Claim {
        Fixture.claim(kind: kind, status: .approved, consentAt: kind == .partnerActivities ? at("2026-03-04T09:00:00Z") : nil,
                      firstSubmittedAt: at("2026-03-05T09:00:00Z"))
    }

    func context(days: Int = 180, kind: ClaimKind = .partnerActivities) -> ClaimContext {
        var context = Fixture.context(kind: kind)
        context.reversal = ReversalWindow(approvedAt: approvedAt, days: days)
        return context
    }

    func command(_ code: ReversalReason? = .proofInvalid) -> ClaimCommand {
        ClaimCommand(.reverse, by: reviewer, reason: "Proof invalid: the invoice was for another customer", reversalReason: code)
    }

    @Test("the window's last day is the approval day plus the program's days (UTC), the whole day counting")
    func lastDay() {
        let window = ReversalWindow(approvedAt: approvedAt, days: 180)
        #expect(window.lastDay == DayDate(year: 2026, month: 9, day: 6))
        #expect(window.isOpen(at: approvedAt))
        #expect(window.isOpen(at: at("2026-09-06T23:59:59Z")))
        #expect(!window.isOpen(at: at("2026-09-07T00:00:00Z")))
        #expect(ReversalWindow(approvedAt: approvedAt, days: 0).isOpen(at: at("2026-03-10T23:00:00Z")))
    }

    @Test("inside the window a reviewer's reversal makes the claim rejected final, reverses its earning and keeps the code",
          arguments: ClaimKind.allCases)
    func inside(kind: ClaimKind) throws {
        let now = at("2026-09-06T20:00:00Z")
        let t = try tryPerform(command(), on: approved(kind), context: context(kind: kind), at: now).get()
        #expect(t.claim.status == .rejectedFinal && t.claim.status.isTerminal)
        #expect(t.earning == .reverse)
        #expect(t.entry.action == .reverse && t.entry.from == .approved && t.entry.to == .rejectedFinal)
        #expect(t.entry.reversalReason == .proofInvalid && t.entry.reasonCode == nil)
        #expect(t.entry.codedReason == "proof_invalid")
        #expect(t.entry.note == "Proof invalid: the invoice was for another customer")
    }

    @Test("outside the window it is refused with a sentence naming the last day; nothing is offered")
    func outside() {
        let now = at("2026-09-07T00:00:01Z")
        let result = tryPerform(command(), on: approved(), context: context(), at: now)
        #expect(result.failure == .reversalWindowClosed(lastDay: DayDate(year: 2026, month: 9, day: 6), days: 180))
        let text = result.failure?.description ?? ""
        #expect(text.contains("2026-09-06") && text.contains("180 days"), "\(text)")
        #expect(ClaimLifecycle.availableActions(for: approved(), role: .reviewer, context: context(), at: now) == [])
        #expect(ClaimLifecycle.availableActions(for: approved(), role: .reviewer, context: context(), at: approvedAt) == [.reverse])
        // A shorter program window closes sooner.
        #expect(tryPerform(command(), on: approved(), context: context(days: 30), at: at("2026-04-10T00:00:00Z")).failure
                == .reversalWindowClosed(lastDay: DayDate(year: 2026, month: 4, day: 9), days: 30))
    }

    @Test("without the approval's date or a coded reason, no reversal; not offered without a window")
    func missingFacts() {
        let now = at("2026-04-01T00:00:00Z")
        #expect(tryPerform(command(), on: approved(), context: Fixture.context(kind: .partnerActivities), at: now).failure != nil)
        #expect(tryPerform(command(nil), on: approved(), context: context(), at: now).failure != nil)
        #expect(ClaimLifecycle.availableActions(for: approved(), role: .reviewer, context: Fixture.context(kind: .partnerActivities),
                                                at: now) == [])
    }

    @Test("only a reviewer reverses (a program manager or partner is refused); only an approved claim", arguments: [
        ActorRole.programManager, .incentivesAdmin, .incentivesUser, .customer,
    ])
    func whoAndWhen(role: ActorRole) {
        let now = at("2026-04-01T00:00:00Z")
        var other = command()
        other.actor = actor(role)
        #expect(tryPerform(other, on: approved(), context: context(), at: now).failure == .notYourRole(.reverse, allowed: [.reviewer]))
        let submitted = Fixture.claim(kind: .partnerActivities, status: .submitted, consentAt: at("2026-03-04T09:00:00Z"),
                                      firstSubmittedAt: at("2026-03-05T09:00:00Z"))
        #expect(tryPerform(command(), on: submitted, context: context(), at: now).failure == .notNow(.reverse, .submitted))
    }

    @Test("a second reversal is refused: the reversed claim is final")
    func twice() throws {
        let now = at("2026-04-01T00:00:00Z")
        let first = try tryPerform(command(), on: approved(), context: context(), at: now).get()
        #expect(tryPerform(command(), on: first.claim, context: context(), at: now).failure == .terminal(.rejectedFinal))
    }

    @Test("the request checks the note (required, TextRule.reversalNote) and the reason (a ReversalReason) on their fields")
    func request() throws {
        func refusal(_ request: ClaimActionRequest) -> InputRefusal? {
            do { _ = try request.command(by: reviewer); return nil } catch { return error as? InputRefusal }
        }
        #expect(refusal(ClaimActionRequest(.reverse, note: "", reasonCode: "duplicate_claim"))?.field == "note")
        #expect(refusal(ClaimActionRequest(.reverse, note: "   ", reasonCode: "duplicate_claim"))?.message == "Explain the reversal to the partner.")
        #expect(refusal(ClaimActionRequest(.reverse, note: "Same customer twice", reasonCode: nil))?.field == "reason_code")
        // A review's code is not a reversal's.
        #expect(refusal(ClaimActionRequest(.reverse, note: "Same customer twice", reasonCode: "missing_poe"))?.field == "reason_code")
        #expect(refusal(ClaimActionRequest(.reverse, note: String(repeating: "x", count: ClaimNote.maxLength + 1),
                                           reasonCode: "other"))?.field == "note")
        let command = try ClaimActionRequest(.reverse, note: "  Claimed twice, see claim 12  ", reasonCode: "duplicate_claim")
            .command(by: reviewer)
        #expect(command.action == .reverse && command.reversalReason == .duplicateClaim && command.reasonCode == nil)
        #expect(command.reason == "Duplicate claim: Claimed twice, see claim 12")
    }

    @Test("a stored code is read as the action's kind of code (duplicate_claim is both a review's and a reversal's)")
    func storedCodes() {
        let base = ClaimHistoryEntry(claimID: 1, at: approvedAt, action: .reverse, actor: reviewer, from: .approved,
                                     to: .rejectedFinal, note: "n")
        let reversal = base.withCodedReason("duplicate_claim")
        #expect(reversal.reversalReason == .duplicateClaim && reversal.reasonCode == nil)
        var rejection = base
        rejection.action = .reject
        #expect(rejection.withCodedReason("duplicate_claim").reasonCode == .duplicateClaim)
        #expect(rejection.withCodedReason("duplicate_claim").reversalReason == nil)
        #expect(base.withCodedReason(nil).codedReason == nil)
    }
}
