import Foundation
import Testing
import IncentivesDomain

// MARK: - The expected table, written out by hand (DOMAIN.md 3 and 4)

/// Whether a row applies in a normal round, in a dispute round, or in both.
private enum Round: Sendable { case any, normal, dispute }

private struct Row: Sendable {
    let kinds: Set<ClaimKind>
    let from: [ClaimStatus]
    let action: ClaimAction
    let roles: Set<ActorRole>
    let to: ClaimStatus
    let round: Round

    init(_ kinds: Set<ClaimKind>, _ from: [ClaimStatus], _ action: ClaimAction, _ roles: Set<ActorRole>, _ to: ClaimStatus,
         _ round: Round = .any) {
        self.kinds = kinds; self.from = from; self.action = action; self.roles = roles; self.to = to; self.round = round
    }

    func applies(kind: ClaimKind, status: ClaimStatus, disputeRound: Bool, action: ClaimAction) -> Bool {
        guard kinds.contains(kind), from.contains(status), self.action == action else { return false }
        switch round {
        case .any: return true
        case .normal: return !disputeRound
        case .dispute: return disputeRound
        }
    }
}

private let PA: Set<ClaimKind> = [.partnerActivities]
private let UC: Set<ClaimKind> = [.useOrConsume]
private let both: Set<ClaimKind> = [.partnerActivities, .useOrConsume]
private let partners: Set<ActorRole> = [.incentivesAdmin, .incentivesUser]
private let admin: Set<ActorRole> = [.incentivesAdmin]
private let reviewer: Set<ActorRole> = [.reviewer]
private let customer: Set<ActorRole> = [.customer]

/// Every allowed move. Anything not listed here is refused.
private let expectedTable: [Row] = [
    // Both kinds: review, decisions, one dispute.
    Row(both, [.submitted], .startReview, reviewer, .underReview),
    Row(both, [.submitted, .underReview], .requestInformation, reviewer, .partnerActionRequired),
    Row(both, [.submitted, .underReview], .approve, reviewer, .approved),
    Row(both, [.submitted, .underReview], .reject, reviewer, .rejected, .normal),
    Row(both, [.submitted, .underReview], .reject, reviewer, .rejectedFinal, .dispute),
    Row(both, [.rejected], .dispute, admin, .disputed, .normal),
    Row(both, [.disputed], .submit, admin, .submitted),
    // Partner activities only.
    Row(PA, [.customerClaimed, .awaitingConsent], .sendConsentRequest, partners, .awaitingConsent),
    Row(PA, [.awaitingConsent], .acceptConsent, customer, .consentReceived),
    Row(PA, [.awaitingConsent], .declineConsent, customer, .consentDeclined),
    Row(PA, [.customerClaimed, .awaitingConsent, .consentReceived], .cancel, partners, .canceled),
    Row(PA, [.consentReceived, .partnerActionRequired], .submit, partners, .submitted),
    Row(PA, [.consentReceived, .submitted, .underReview, .partnerActionRequired, .rejected, .disputed], .revokeConsent,
        customer, .consentRejected),
    // Use or consume only.
    Row(UC, [.customerClaimed, .submitted, .underReview, .partnerActionRequired, .rejected, .disputed], .loseArbitration,
        reviewer, .rejectedFinal),
    Row(UC, [.customerClaimed, .partnerActionRequired], .submit, admin, .submitted),
    Row(UC, [.customerClaimed], .cancel, admin, .canceled),
    Row(UC, [.submitted, .underReview, .partnerActionRequired, .approved], .revokeConsent, customer, .consentRejected),
    Row(UC, [.approved], .disassociate, admin, .rejectedFinal),
    // Reversal: a reviewer takes back an approval (inside the window, with a coded reason); a reversed approval is final.
    Row(both, [.approved], .reverse, reviewer, .rejectedFinal),
]

/// The actions the table covers (create and expire are tested on their own).
private let tableActions: [ClaimAction] = [
    .sendConsentRequest, .acceptConsent, .declineConsent, .revokeConsent, .cancel, .submit, .startReview,
    .requestInformation, .approve, .reject, .dispute, .disassociate, .reverse,
]

private func expectedRows(kind: ClaimKind, status: ClaimStatus, disputeRound: Bool, action: ClaimAction) -> [Row] {
    expectedTable.filter { $0.applies(kind: kind, status: status, disputeRound: disputeRound, action: action) }
}

// A claim sitting in a status with its dates set sensibly; `tableNow` is well before every deadline.
private let tableNow = at("2026-03-09T12:00:00Z")
private let preConsent: Set<ClaimStatus> = [.customerClaimed, .awaitingConsent, .consentDeclined, .consentExpired]
private let afterSubmission: Set<ClaimStatus> = [
    .submitted, .underReview, .partnerActionRequired, .postSubmissionExpired, .approved, .rejected, .disputed,
    .disputedExpired, .rejectedFinal,
]
private let afterRejection: Set<ClaimStatus> = [.rejected, .disputed, .disputedExpired, .rejectedFinal]

private func tableClaim(kind: ClaimKind, status: ClaimStatus, disputeRound: Bool) -> Claim {
    Fixture.claim(
        kind: kind, status: status, disputeRound: disputeRound,
        consentAt: kind == .partnerActivities && !preConsent.contains(status) ? at("2026-03-04T09:00:00Z") : nil,
        firstSubmittedAt: afterSubmission.contains(status) ? at("2026-03-05T09:00:00Z") : nil,
        rejectedAt: afterRejection.contains(status) ? at("2026-03-07T09:00:00Z") : nil,
        actionRequestedAt: status == .partnerActionRequired || disputeRound ? at("2026-03-06T09:00:00Z") : nil)
}

@Suite("Claim lifecycle: the transition table")
struct ClaimLifecycleTableTests {
    @Test("The terminal and expired statuses are the ones DOMAIN.md names")
    func terminalAndExpiredSets() {
        for status in ClaimStatus.allCases {
            #expect(status.isTerminal == terminalStatuses.contains(status), "\(status)")
            #expect(status.isExpired == expiredStatuses.contains(status), "\(status)")
            #expect(status.isActive == !terminalStatuses.contains(status), "\(status)")
        }
        #expect(ClaimStatus.allCases.count == 17)
    }

    @Test("Every status x action x role is allowed exactly as the table says", arguments: ClaimKind.allCases, ClaimStatus.allCases)
    func everyCombination(kind: ClaimKind, status: ClaimStatus) {
        for disputeRound in [false, true] {
            let claim = tableClaim(kind: kind, status: status, disputeRound: disputeRound)
            var context = Fixture.context(kind: kind)
            // Approved the day before, so a reversal's window is open.
            context.reversal = ReversalWindow(approvedAt: tableNow.addingTimeInterval(-86_400), days: ReversalWindow.defaultDays)
            for action in tableActions {
                let rows = expectedRows(kind: kind, status: status, disputeRound: disputeRound, action: action)
                let rolesAllowedHere = rows.reduce(into: Set<ActorRole>()) { $0.formUnion($1.roles) }
                for role in ActorRole.allCases {
                    let label = "\(kind) \(status) disputeRound=\(disputeRound) \(action) by \(role)"
                    let who = actor(role)
                    let result = tryPerform(ClaimCommand(action, by: who, reason: "Checked against the checklist",
                                                         reversalReason: action == .reverse ? .proofInvalid : nil),
                                                   on: claim, context: context, at: tableNow)
                    if let row = rows.first(where: { $0.roles.contains(role) }) {
                        guard case .success(let t) = result else {
                            Issue.record("expected \(label) -> \(row.to), refused: \(result.failure!)")
                            continue
                        }
                        #expect(t.claim.status == row.to, "\(label)")
                        #expect(t.entry.from == status, "\(label)")
                        #expect(t.entry.to == row.to, "\(label)")
                        #expect(t.entry.action == action, "\(label)")
                        #expect(t.entry.actor == who, "\(label)")
                        #expect(t.entry.at == tableNow, "\(label)")
                        #expect(t.entry.claimID == claim.id, "\(label)")
                        #expect(t.claim.version == claim.version + 1, "\(label)")
                        #expect(t.claim.updatedAt == tableNow, "\(label)")
                        #expect(t.claim.id == claim.id && t.claim.kind == kind, "\(label)")
                    } else {
                        guard case .failure(let error) = result else {
                            Issue.record("expected \(label) to be refused, but it went to \(result.success!.claim.status)")
                            continue
                        }
                        let problems = sentenceProblems(error.description)
                        #expect(problems.isEmpty, "\(label): \(error.description) \(problems)")
                        // The reason given must be the right one.
                        if terminalStatuses.contains(status) {
                            #expect(error == .terminal(status), "\(label)")
                        } else if action == .dispute && disputeRound {
                            let ok = error == .disputeAlreadyUsed || error == .notNow(.dispute, status)
                            #expect(ok, "\(label): \(error)")
                        } else if !rolesAllowedHere.isEmpty {
                            if case .notYourRole(let refusedAction, let allowed) = error {
                                #expect(refusedAction == action, "\(label)")
                                #expect(Set(allowed) == rolesAllowedHere, "\(label)")
                            } else {
                                Issue.record("\(label): expected a wrong-role refusal, got \(error)")
                            }
                        } else {
                            #expect(error == .notNow(action, status), "\(label)")
                        }
                    }
                }
            }
        }
    }

    @Test("A few refusals name the right reason")
    func refusalKinds() throws {
        let context = Fixture.context(kind: .partnerActivities)
        let submitted = tableClaim(kind: .partnerActivities, status: .submitted, disputeRound: false)

        // Wrong role: a partner can't approve their own claim.
        let wrongRole = tryPerform(ClaimCommand(.approve, by: actor(.incentivesAdmin)), on: submitted, context: context, at: tableNow)
        #expect(wrongRole.failure == .notYourRole(.approve, allowed: [.reviewer]))
        #expect(wrongRole.failure?.description == "Only a reviewer can approve this claim.")

        // A program manager is not a reviewer.
        let manager = tryPerform(ClaimCommand(.startReview, by: actor(.programManager)), on: submitted, context: context, at: tableNow)
        #expect(manager.failure == .notYourRole(.startReview, allowed: [.reviewer]))

        // Wrong status: nothing to approve before submission.
        let claimed = tableClaim(kind: .partnerActivities, status: .customerClaimed, disputeRound: false)
        let wrongStatus = tryPerform(ClaimCommand(.approve, by: actor(.reviewer)), on: claimed, context: context, at: tableNow)
        #expect(wrongStatus.failure == .notNow(.approve, .customerClaimed))
        let text = try #require(wrongStatus.failure?.description)
        #expect(text.contains("Customer claimed"))

        // Terminal: a canceled claim can't be revived.
        let canceled = tableClaim(kind: .partnerActivities, status: .canceled, disputeRound: false)
        let terminal = tryPerform(ClaimCommand(.sendConsentRequest, by: actor(.incentivesAdmin)), on: canceled, context: context, at: tableNow)
        #expect(terminal.failure == .terminal(.canceled))
        #expect(terminal.failure?.description.contains("Canceled") == true)

        // Use or consume: an Incentives user may not submit a CPOR claim.
        let ucContext = Fixture.context(kind: .useOrConsume)
        let draft = tableClaim(kind: .useOrConsume, status: .customerClaimed, disputeRound: false)
        let user = tryPerform(ClaimCommand(.submit, by: actor(.incentivesUser)), on: draft, context: ucContext, at: tableNow)
        #expect(user.failure == .notYourRole(.submit, allowed: [.incentivesAdmin]))
    }

    @Test("Terminal statuses refuse every action, expire and create included", arguments: ClaimKind.allCases, terminalStatuses.sorted { $0.rawValue < $1.rawValue })
    func terminalRefusesEverything(kind: ClaimKind, status: ClaimStatus) {
        let claim = tableClaim(kind: kind, status: status, disputeRound: false)
        let context = Fixture.context(kind: kind)
        // Long after every deadline, so an expiring clock would have run out if one were still open.
        for now in [tableNow, at("2029-01-01T00:00:00Z")] {
            for action in ClaimAction.allCases {
                for role in ActorRole.allCases {
                    let result = tryPerform(ClaimCommand(action, by: actor(role), reason: "Because"), on: claim,
                                                   context: context, at: now)
                    #expect(result.failure == .terminal(status), "\(kind) \(status) \(action) by \(role)")
                }
                #expect(ClaimLifecycle.availableActions(for: claim, role: .clock, context: context, at: now).isEmpty)
            }
        }
    }

    @Test("`create` is never a move of an existing claim", arguments: ClaimKind.allCases)
    func createIsNotAMove(kind: ClaimKind) {
        let context = Fixture.context(kind: kind)
        for status in ClaimStatus.allCases where !terminalStatuses.contains(status) {
            let claim = tableClaim(kind: kind, status: status, disputeRound: false)
            for role in ActorRole.allCases {
                let result = tryPerform(ClaimCommand(.create, by: actor(role)), on: claim, context: context, at: tableNow)
                #expect(result.failure != nil, "\(kind) \(status) create by \(role)")
            }
        }
    }
}

// MARK: - The clock

/// One expiring deadline: the claim, its literal due instant, what it becomes, and an action that is
/// allowed before the due instant but refused after it.
struct ClockCase: Sendable, CustomTestStringConvertible {
    let kind: ClaimKind
    let status: ClaimStatus
    let disputeRound: Bool
    let consentAt: Date?
    let rejectedAt: Date?
    let actionRequestedAt: Date?
    let deadline: DeadlineKind
    let due: Date
    let expiry: ClaimStatus
    let blockedAction: ClaimAction
    let blockedRole: ActorRole

    var testDescription: String { "\(kind) \(status)\(disputeRound ? " (dispute round)" : "") -> \(expiry)" }

    var claim: Claim {
        Fixture.claim(kind: kind, status: status, disputeRound: disputeRound, consentAt: consentAt,
                      firstSubmittedAt: consentAt.map { _ in at("2026-03-10T09:00:00Z") }, rejectedAt: rejectedAt,
                      actionRequestedAt: actionRequestedAt)
    }
}

/// Deliberately distinct figures so that a deadline counted with the wrong field shows up.
private let oddPolicy = DeadlinePolicy(consentDays: 11, submissionDays: 23, reviewDays: 47, disputeDays: 19)
private let consented = at("2026-03-05T09:30:00Z")
private let rejection = at("2026-03-20T16:00:00Z")

private let clockCases: [ClockCase] = [
    // Partner activities. Created 2026-03-02T10:00Z; consent 11 days from creation.
    ClockCase(kind: .partnerActivities, status: .customerClaimed, disputeRound: false, consentAt: nil, rejectedAt: nil,
              actionRequestedAt: nil, deadline: .consent, due: at("2026-03-13T10:00:00Z"), expiry: .consentExpired,
              blockedAction: .sendConsentRequest, blockedRole: .incentivesUser),
    ClockCase(kind: .partnerActivities, status: .awaitingConsent, disputeRound: false, consentAt: nil, rejectedAt: nil,
              actionRequestedAt: nil, deadline: .consent, due: at("2026-03-13T10:00:00Z"), expiry: .consentExpired,
              blockedAction: .acceptConsent, blockedRole: .customer),
    // Submission 23 days from consent.
    ClockCase(kind: .partnerActivities, status: .consentReceived, disputeRound: false, consentAt: consented, rejectedAt: nil,
              actionRequestedAt: nil, deadline: .submission, due: at("2026-03-28T09:30:00Z"), expiry: .notSubmittedExpired,
              blockedAction: .submit, blockedRole: .incentivesAdmin),
    // Answers to the reviewer: review deadline, 47 days from consent.
    ClockCase(kind: .partnerActivities, status: .partnerActionRequired, disputeRound: false, consentAt: consented,
              rejectedAt: nil, actionRequestedAt: at("2026-03-25T12:00:00Z"), deadline: .review,
              due: at("2026-04-21T09:30:00Z"), expiry: .postSubmissionExpired, blockedAction: .submit, blockedRole: .incentivesUser),
    // In a dispute round: 19 (dispute) days from the request, although the review deadline has long passed.
    ClockCase(kind: .partnerActivities, status: .partnerActionRequired, disputeRound: true, consentAt: consented,
              rejectedAt: rejection, actionRequestedAt: at("2026-05-10T12:00:00Z"), deadline: .review,
              due: at("2026-05-29T12:00:00Z"), expiry: .postSubmissionExpired, blockedAction: .submit, blockedRole: .incentivesAdmin),
    // Dispute window: 19 days from the rejection.
    ClockCase(kind: .partnerActivities, status: .rejected, disputeRound: false, consentAt: consented, rejectedAt: rejection,
              actionRequestedAt: nil, deadline: .dispute, due: at("2026-04-08T16:00:00Z"), expiry: .disputedExpired,
              blockedAction: .dispute, blockedRole: .incentivesAdmin),
    ClockCase(kind: .partnerActivities, status: .disputed, disputeRound: true, consentAt: consented, rejectedAt: rejection,
              actionRequestedAt: nil, deadline: .dispute, due: at("2026-04-08T16:00:00Z"), expiry: .disputedExpired,
              blockedAction: .submit, blockedRole: .incentivesAdmin),
    ClockCase(kind: .useOrConsume, status: .rejected, disputeRound: false, consentAt: nil, rejectedAt: rejection,
              actionRequestedAt: nil, deadline: .dispute, due: at("2026-04-08T16:00:00Z"), expiry: .disputedExpired,
              blockedAction: .dispute, blockedRole: .incentivesAdmin),
    ClockCase(kind: .useOrConsume, status: .disputed, disputeRound: true, consentAt: nil, rejectedAt: rejection,
              actionRequestedAt: nil, deadline: .dispute, due: at("2026-04-08T16:00:00Z"), expiry: .disputedExpired,
              blockedAction: .submit, blockedRole: .incentivesAdmin),
    // Use or consume: a draft must be submitted within the consent period (11 days) of its creation.
    ClockCase(kind: .useOrConsume, status: .customerClaimed, disputeRound: false, consentAt: nil, rejectedAt: nil,
              actionRequestedAt: nil, deadline: .submission, due: at("2026-03-13T10:00:00Z"), expiry: .notSubmittedExpired,
              blockedAction: .submit, blockedRole: .incentivesAdmin),
    // 14 business days from a request on Friday 2026-03-06 15:00Z: Thursday 2026-03-26 15:00Z.
    ClockCase(kind: .useOrConsume, status: .partnerActionRequired, disputeRound: false, consentAt: nil, rejectedAt: nil,
              actionRequestedAt: at("2026-03-06T15:00:00Z"), deadline: .review, due: at("2026-03-26T15:00:00Z"),
              expiry: .rejected, blockedAction: .submit, blockedRole: .incentivesAdmin),
    ClockCase(kind: .useOrConsume, status: .partnerActionRequired, disputeRound: true, consentAt: nil, rejectedAt: rejection,
              actionRequestedAt: at("2026-03-06T15:00:00Z"), deadline: .review, due: at("2026-03-26T15:00:00Z"),
              expiry: .rejectedFinal, blockedAction: .submit, blockedRole: .incentivesAdmin),
]

private func oddContext(_ kind: ClaimKind, calendar: WorkingCalendar = .mondayToFriday) -> ClaimContext {
    Fixture.context(kind: kind, engagement: Fixture.engagement(kind: kind, versions: [Fixture.version(deadlines: oddPolicy)]),
                    calendar: calendar)
}

@Suite("Claim lifecycle: the deadline clock")
struct ClaimClockTests {
    @Test("The open clock of each expiring status is due on the literal date", arguments: clockCases)
    func openClockDueDate(c: ClockCase) throws {
        let clock = try #require(ClaimLifecycle.openClock(for: c.claim, policy: oddPolicy, calendar: .mondayToFriday))
        #expect(clock.kind == c.deadline)
        #expect(clock.dueAt == c.due)
        #expect(clock.expiry == c.expiry)
    }

    @Test("Expire is refused before the due instant and allowed at and after it", arguments: clockCases)
    func expireByTheClock(c: ClockCase) throws {
        let context = oddContext(c.kind)
        let claim = c.claim
        let expire = ClaimCommand(.expire, by: .clock)

        // One second early: not yet.
        let early = c.due.addingTimeInterval(-1)
        let tooEarly = tryPerform(expire, on: claim, context: context, at: early)
        #expect(tooEarly.failure == .deadlineNotReached(c.deadline, c.due))
        if let error = tooEarly.failure { #expect(sentenceProblems(error.description).isEmpty, "\(error.description)") }
        // ... and the partner (or customer) can still act.
        let stillOpen = tryPerform(ClaimCommand(c.blockedAction, by: actor(c.blockedRole), reason: "Justification attached"),
                                       on: claim, context: context, at: early)
        #expect(stillOpen.success != nil, "\(c.blockedAction) before the deadline: \(String(describing: stillOpen.failure))")
        #expect(ClaimLifecycle.availableActions(for: claim, role: .clock, context: context, at: early).isEmpty)

        for now in [c.due, c.due.addingTimeInterval(60), c.due.adding(calendarDays: 90)] {
            let t = try tryPerform(expire, on: claim, context: context, at: now).get()
            #expect(t.claim.status == c.expiry)
            #expect(t.entry.from == c.status)
            #expect(t.entry.to == c.expiry)
            #expect(t.entry.action == .expire)
            #expect(t.entry.actor.role == .clock)
            #expect(t.entry.side == .clock)
            #expect(t.entry.at == now)
            #expect(t.claim.version == claim.version + 1)
            #expect(t.claim.isDisputeRound == c.disputeRound)
            if c.expiry == .rejected {
                #expect(t.claim.rejectedAt == now, "a claim rejected by the clock opens its dispute window")
            } else {
                #expect(t.claim.rejectedAt == claim.rejectedAt)
            }
            #expect(t.earning == nil)

            // Once the clock ran out, nobody else may act.
            let blocked = tryPerform(ClaimCommand(c.blockedAction, by: actor(c.blockedRole), reason: "Justification attached"),
                                           on: claim, context: context, at: now)
            #expect(blocked.failure == .deadlinePassed(c.deadline, c.due))
            if let error = blocked.failure { #expect(sentenceProblems(error.description).isEmpty, "\(error.description)") }
            #expect(ClaimLifecycle.availableActions(for: claim, role: .clock, context: context, at: now) == [.expire])
            #expect(ClaimLifecycle.availableActions(for: claim, role: c.blockedRole, context: context, at: now).isEmpty)
        }

        // Only the clock may expire.
        for role in ActorRole.allCases where role != .clock {
            let result = tryPerform(ClaimCommand(.expire, by: actor(role), reason: "Late"), on: claim, context: context,
                                           at: c.due.adding(calendarDays: 1))
            #expect(result.failure == .notYourRole(.expire, allowed: [.clock]), "\(role)")
        }
    }

    @Test("A holiday pushes the use-or-consume answer deadline by one working day")
    func cporDeadlineSkipsHolidays() throws {
        // Monday 2026-03-16 is a holiday: 14 working days from Friday 2026-03-06 end on Friday 2026-03-27.
        let calendar = WorkingCalendar(holidays: [DayDate(year: 2026, month: 3, day: 16)])
        let context = oddContext(.useOrConsume, calendar: calendar)
        let claim = Fixture.claim(kind: .useOrConsume, status: .partnerActionRequired,
                                  actionRequestedAt: at("2026-03-06T15:00:00Z"))
        let clock = try #require(ClaimLifecycle.openClock(for: claim, policy: oddPolicy, calendar: calendar))
        #expect(clock.dueAt == at("2026-03-27T15:00:00Z"))
        let early = tryPerform(ClaimCommand(.expire, by: .clock), on: claim, context: context, at: at("2026-03-26T15:00:00Z"))
        #expect(early.failure == .deadlineNotReached(.review, at("2026-03-27T15:00:00Z")))
        let due = tryPerform(ClaimCommand(.expire, by: .clock), on: claim, context: context, at: at("2026-03-27T15:00:00Z"))
        #expect(due.success?.claim.status == .rejected)
    }

    @Test("Partner-activities review is the vendor's clock: it never expires the claim",
          arguments: [ClaimStatus.submitted, .underReview], [false, true])
    func vendorReviewClockNeverExpires(status: ClaimStatus, disputeRound: Bool) throws {
        let context = oddContext(.partnerActivities)
        let claim = Fixture.claim(kind: .partnerActivities, status: status, disputeRound: disputeRound, consentAt: consented,
                                  firstSubmittedAt: at("2026-03-10T09:00:00Z"), rejectedAt: disputeRound ? rejection : nil)
        if !disputeRound {
            let clock = try #require(ClaimLifecycle.openClock(for: claim, policy: oddPolicy, calendar: .mondayToFriday))
            #expect(clock.kind == .review)
            #expect(clock.owner == .vendor)
            #expect(clock.expiry == nil)
            #expect(clock.dueAt == at("2026-04-21T09:30:00Z"))
        }
        let muchLater = at("2028-06-01T00:00:00Z")
        let result = tryPerform(ClaimCommand(.expire, by: .clock), on: claim, context: context, at: muchLater)
        guard case .failure(.deadlineNotReached) = result else {
            Issue.record("expected a not-reached refusal, got \(result)")
            return
        }
        // The reviewer may still decide.
        let approve = tryPerform(ClaimCommand(.approve, by: actor(.reviewer)), on: claim, context: context, at: muchLater)
        #expect(approve.success?.claim.status == .approved)
    }

    @Test("Statuses with no running clock refuse expire",
          arguments: [(ClaimKind.partnerActivities, ClaimStatus.approved), (.useOrConsume, .submitted),
                      (.useOrConsume, .underReview), (.useOrConsume, .approved)])
    func noClockNoExpiry(kind: ClaimKind, status: ClaimStatus) {
        let claim = Fixture.claim(kind: kind, status: status, consentAt: kind == .partnerActivities ? consented : nil,
                                  firstSubmittedAt: at("2026-03-10T09:00:00Z"))
        let result = tryPerform(ClaimCommand(.expire, by: .clock), on: claim, context: oddContext(kind), at: at("2029-01-01T00:00:00Z"))
        #expect(result.failure == .deadlineNotReached(nil, nil))
        if let error = result.failure { #expect(sentenceProblems(error.description).isEmpty, "\(error.description)") }
    }
}

// MARK: - Proof, reasons, consent, earnings, disputes

@Suite("Claim lifecycle: what a transition carries")
struct ClaimTransitionEffectTests {
    let now = at("2026-03-09T12:00:00Z")

    @Test("Submitting with missing proof names every missing item, and only those")
    func proofIncomplete() throws {
        let have: Set<ProofRequirement.Kind> = [.invoice, .customerSurvey]
        let context = Fixture.context(kind: .partnerActivities, proof: have)
        let claim = Fixture.claim(kind: .partnerActivities, status: .consentReceived, consentAt: at("2026-03-04T09:00:00Z"))
        let result = tryPerform(ClaimCommand(.submit, by: actor(.incentivesAdmin)), on: claim, context: context, at: now)
        guard case .failure(.proofIncomplete(let missing)) = result else {
            Issue.record("expected proofIncomplete, got \(result)")
            return
        }
        #expect(Set(missing) == [ProofRequirement.Kind.findingsDocument.label, ProofRequirement.Kind.partnerSurvey.label])
        let text = try #require(result.failure?.description)
        #expect(text.contains("Partner survey"))
        #expect(text.contains("Findings"))
        #expect(!text.contains("Invoice"))
        #expect(sentenceProblems(text).isEmpty, "\(text)")

        // A dispute resubmission and a CPOR draft are held to the same proof.
        let ucContext = Fixture.context(kind: .useOrConsume, proof: [])
        let draft = Fixture.claim(kind: .useOrConsume, status: .customerClaimed)
        let uc = tryPerform(ClaimCommand(.submit, by: actor(.incentivesAdmin)), on: draft, context: ucContext, at: now)
        guard case .failure(.proofIncomplete(let all)) = uc else {
            Issue.record("expected proofIncomplete, got \(uc)")
            return
        }
        #expect(Set(all) == Set(ProofRequirement.Kind.allCases.map(\.label)))

        let disputed = Fixture.claim(kind: .partnerActivities, status: .disputed, disputeRound: true,
                                     consentAt: at("2026-03-04T09:00:00Z"), rejectedAt: at("2026-03-07T09:00:00Z"))
        let resubmit = tryPerform(ClaimCommand(.submit, by: actor(.incentivesAdmin)), on: disputed, context: context, at: now)
        guard case .failure(.proofIncomplete) = resubmit else {
            Issue.record("expected proofIncomplete, got \(resubmit)")
            return
        }
    }

    @Test("Variable pay needs the hours before a submission")
    func variablePayNeedsHours() throws {
        let engagement = Fixture.engagement(kind: .partnerActivities, versions: [
            Fixture.version(payModel: .variable, rates: MarketRates(currency: .usd, a: dec("150"), b: dec("90"), c: dec("40")),
                            maxHours: 40),
        ])
        let context = Fixture.context(kind: .partnerActivities, engagement: engagement)
        let claim = Fixture.claim(kind: .partnerActivities, status: .consentReceived, consentAt: at("2026-03-04T09:00:00Z"), amount: nil)
        let result = tryPerform(ClaimCommand(.submit, by: actor(.incentivesUser)), on: claim, context: context, at: now)
        guard case .failure(.proofIncomplete(let missing)) = result else {
            Issue.record("expected proofIncomplete, got \(result)")
            return
        }
        #expect(missing.count == 1)
        #expect(missing.first?.lowercased().contains("hours") == true)

        var withHours = claim
        withHours.hours = dec("7.5")
        let ok = tryPerform(ClaimCommand(.submit, by: actor(.incentivesUser)), on: withHours, context: context, at: now)
        let t = try ok.get()
        #expect(t.claim.status == .submitted)
        #expect(t.claim.firstSubmittedAt == now)
    }

    struct ReasonCase: Sendable, CustomTestStringConvertible {
        let kind: ClaimKind, status: ClaimStatus, action: ClaimAction, role: ActorRole
        var testDescription: String { "\(action) from \(kind) \(status)" }
    }

    static let reasonCases: [ReasonCase] = [
        ReasonCase(kind: .partnerActivities, status: .submitted, action: .requestInformation, role: .reviewer),
        ReasonCase(kind: .useOrConsume, status: .underReview, action: .requestInformation, role: .reviewer),
        ReasonCase(kind: .partnerActivities, status: .underReview, action: .reject, role: .reviewer),
        ReasonCase(kind: .useOrConsume, status: .submitted, action: .reject, role: .reviewer),
        ReasonCase(kind: .partnerActivities, status: .rejected, action: .dispute, role: .incentivesAdmin),
        ReasonCase(kind: .useOrConsume, status: .rejected, action: .dispute, role: .incentivesAdmin),
        ReasonCase(kind: .useOrConsume, status: .approved, action: .disassociate, role: .incentivesAdmin),
    ]

    @Test("Requests, rejections, disputes and disassociations need a reason", arguments: reasonCases)
    func reasonRequired(c: ReasonCase) throws {
        let claim = Fixture.claim(kind: c.kind, status: c.status,
                                  consentAt: c.kind == .partnerActivities ? at("2026-03-04T09:00:00Z") : nil,
                                  firstSubmittedAt: at("2026-03-05T09:00:00Z"),
                                  rejectedAt: c.status == .rejected ? at("2026-03-07T09:00:00Z") : nil)
        let context = Fixture.context(kind: c.kind)
        for reason in [nil, "", "   ", " \n\t "] as [String?] {
            let result = tryPerform(ClaimCommand(c.action, by: actor(c.role), reason: reason), on: claim, context: context, at: now)
            #expect(result.failure == .reasonRequired(c.action), "reason \(String(describing: reason))")
            if let error = result.failure { #expect(sentenceProblems(error.description).isEmpty, "\(error.description)") }
        }
        let t = try tryPerform(ClaimCommand(c.action, by: actor(c.role), reason: "  The invoice date is outside the engagement.  "),
                                       on: claim, context: context, at: now).get()
        #expect(t.entry.note == "The invoice date is outside the engagement.")
    }

    @Test("Accepting consent re-pins the claim to the version in force at consent", arguments: [
        (Market.a, "6500"), (.b, "4000"), (.c, "1500"),
    ])
    func consentRepinsVersion(market: Market, expected: String) throws {
        let v1 = Fixture.version(number: 1, effectiveFrom: at("2026-01-01T00:00:00Z"), rates: Fixture.workshopRates)
        let v2 = Fixture.version(number: 2, effectiveFrom: at("2026-03-10T00:00:00Z"),
                                 rates: MarketRates(currency: .usd, a: 6500, b: 4000, c: 1500),
                                 deadlines: DeadlinePolicy(consentDays: 30, submissionDays: 45, reviewDays: 75, disputeDays: 30))
        let engagement = Fixture.engagement(kind: .partnerActivities, versions: [v2, v1])
        let context = Fixture.context(kind: .partnerActivities, engagement: engagement, market: market)
        let new = NewClaim(organizationID: 3, locationID: 4, customerID: 5, engagementID: engagement.id, name: "Fabrikam workshop", kind: .partnerActivities)

        let created = try tryCreate(new, by: actor(.incentivesUser), context: context, at: at("2026-03-02T10:00:00Z")).get()
        #expect(created.claim.engagementVersion == 1)
        #expect(created.claim.amount == Fixture.workshopRates.rate(for: market))

        let sent = try tryPerform(ClaimCommand(.sendConsentRequest, by: actor(.incentivesUser)), on: created.claim, context: context, at: at("2026-03-03T10:00:00Z")).get()
        #expect(sent.claim.engagementVersion == 1)
        let consentAt = at("2026-03-12T00:00:00Z")
        let accepted = try tryPerform(ClaimCommand(.acceptConsent, by: actor(.customer)), on: sent.claim, context: context, at: consentAt).get()
        #expect(accepted.claim.status == .consentReceived)
        #expect(accepted.claim.consentAt == consentAt)
        #expect(accepted.claim.engagementVersion == 2)
        #expect(accepted.claim.amount == usd(expected))
        #expect(accepted.entry.side == .customer)

        // The submission deadline now follows version 2 (45 days from consent).
        let clock = try #require(ClaimLifecycle.openClock(for: accepted.claim, policy: context.version(of: accepted.claim).deadlines,
                                                          calendar: .mondayToFriday))
        #expect(clock.dueAt == at("2026-04-26T00:00:00Z"))

        // And the earning is paid at version 2's rate.
        let submitted = try tryPerform(ClaimCommand(.submit, by: actor(.incentivesUser)), on: accepted.claim, context: context, at: at("2026-03-20T00:00:00Z")).get()
        let approved = try tryPerform(ClaimCommand(.approve, by: actor(.reviewer)), on: submitted.claim, context: context, at: at("2026-03-25T00:00:00Z")).get()
        guard case .create(let earning) = approved.earning else {
            Issue.record("approval made no earning")
            return
        }
        #expect(earning.engagementVersion == 2)
        #expect(earning.rate == usd(expected))
        #expect(earning.amount == usd(expected))
        #expect(earning.market == market)
    }

    @Test("Consent before a new version takes effect keeps the claim on the old version")
    func consentBeforeNewVersion() throws {
        let v1 = Fixture.version(number: 1, effectiveFrom: at("2026-01-01T00:00:00Z"))
        let v2 = Fixture.version(number: 2, effectiveFrom: at("2026-04-01T00:00:00Z"), rates: MarketRates(currency: .usd, a: 6500, b: 4000, c: 1500))
        let context = Fixture.context(kind: .partnerActivities, engagement: Fixture.engagement(kind: .partnerActivities, versions: [v1, v2]))
        let claim = Fixture.claim(kind: .partnerActivities, status: .awaitingConsent)
        let t = try tryPerform(ClaimCommand(.acceptConsent, by: actor(.customer)), on: claim, context: context, at: at("2026-03-20T08:00:00Z")).get()
        #expect(t.claim.engagementVersion == 1)
        #expect(t.claim.amount == usd("5000"))
    }

    struct CapCase: Sendable, CustomTestStringConvertible {
        let cap: String?, earned: String?, expected: String
        var testDescription: String { "cap \(cap ?? "none"), earned \(earned ?? "none") -> \(expected)" }
    }

    @Test("Approval creates the earning, capped by what is left under the engagement cap", arguments: [
        CapCase(cap: nil, earned: nil, expected: "5000"),
        CapCase(cap: nil, earned: "100000", expected: "5000"),
        CapCase(cap: "12000", earned: nil, expected: "5000"),
        CapCase(cap: "12000", earned: "5000", expected: "5000"),
        CapCase(cap: "12000", earned: "9000", expected: "3000"),
        CapCase(cap: "12000", earned: "11999.99", expected: "0.01"),
        CapCase(cap: "12000", earned: "12000", expected: "0"),
        CapCase(cap: "12000", earned: "15000", expected: "0"),
    ])
    func approvalEarning(c: CapCase) throws {
        let engagement = Fixture.engagement(kind: .partnerActivities, cap: c.cap.map(usd))
        let context = Fixture.context(kind: .partnerActivities, engagement: engagement, earned: c.earned.map(usd))
        let claim = Fixture.claim(kind: .partnerActivities, status: .underReview, consentAt: at("2026-03-04T09:00:00Z"),
                                  firstSubmittedAt: at("2026-03-05T09:00:00Z"))
        let approvedAt = at("2026-11-17T00:00:00Z")
        let t = try tryPerform(ClaimCommand(.approve, by: actor(.reviewer)), on: claim, context: context, at: approvedAt).get()
        guard case .create(let earning) = t.earning else {
            Issue.record("approval made no earning: \(String(describing: t.earning))")
            return
        }
        #expect(earning.amount == usd(c.expected))
        #expect(earning.amount.amount >= 0)
        #expect(t.claim.amount == earning.amount)
        #expect(earning.rate == usd("5000"))
        #expect(earning.claimID == claim.id)
        #expect(earning.locationID == claim.locationID)
        #expect(earning.engagementID == claim.engagementID)
        #expect(earning.approvedAt == approvedAt)
        // 2026-11-17 + 45 days = 2027-01-01.
        #expect(earning.estimatedPaymentMonth == "2027-01")
        #expect(earning.paymentStatus == .unprocessed)
    }

    @Test("Estimated payment month is the month of approval + 45 days", arguments: [
        ("2026-11-16T23:59:00Z", "2026-12"), ("2026-11-17T00:00:00Z", "2027-01"), ("2026-01-15T12:00:00Z", "2026-03"),
        ("2028-01-15T12:00:00Z", "2028-02"),
    ])
    func paymentMonthOnApproval(approved: String, month: String) throws {
        let claim = Fixture.claim(kind: .useOrConsume, status: .submitted, firstSubmittedAt: at("2026-01-05T09:00:00Z"))
        let t = try tryPerform(ClaimCommand(.approve, by: actor(.reviewer)), on: claim, context: Fixture.context(kind: .useOrConsume), at: at(approved)).get()
        guard case .create(let earning) = t.earning else {
            Issue.record("approval made no earning")
            return
        }
        #expect(earning.estimatedPaymentMonth == month)
    }

    @Test("Variable pay earns hours x hourly rate, rounded to cents")
    func variableEarning() throws {
        let engagement = Fixture.engagement(kind: .useOrConsume, versions: [
            Fixture.version(payModel: .variable, rates: MarketRates(currency: .usd, a: dec("123.45"), b: dec("80"), c: nil), maxHours: 40),
        ])
        let context = Fixture.context(kind: .useOrConsume, engagement: engagement)
        let claim = Fixture.claim(kind: .useOrConsume, status: .underReview, firstSubmittedAt: at("2026-03-05T09:00:00Z"),
                                  hours: dec("7.5"), amount: nil)
        let t = try tryPerform(ClaimCommand(.approve, by: actor(.reviewer)), on: claim, context: context, at: now).get()
        guard case .create(let earning) = t.earning else {
            Issue.record("approval made no earning")
            return
        }
        #expect(earning.amount == usd("925.88"))
        #expect(earning.rate == usd("123.45"))
        #expect(earning.hours == dec("7.5"))
    }

    @Test("Losing an approved claim reverses its earning", arguments: [
        (ClaimAction.revokeConsent, ActorRole.customer, ClaimStatus.consentRejected),
        (.disassociate, .incentivesAdmin, .rejectedFinal),
    ])
    func reversal(action: ClaimAction, role: ActorRole, to: ClaimStatus) throws {
        let claim = Fixture.claim(kind: .useOrConsume, status: .approved, firstSubmittedAt: at("2026-03-05T09:00:00Z"))
        let t = try tryPerform(ClaimCommand(action, by: actor(role), reason: "Workload moved to another partner"), on: claim, context: Fixture.context(kind: .useOrConsume), at: now).get()
        #expect(t.claim.status == to)
        #expect(t.earning == .reverse)
    }

    @Test("Revoking consent before approval reverses nothing")
    func revokeBeforeApproval() throws {
        let claim = Fixture.claim(kind: .partnerActivities, status: .submitted, consentAt: at("2026-03-04T09:00:00Z"),
                                  firstSubmittedAt: at("2026-03-05T09:00:00Z"))
        let t = try tryPerform(ClaimCommand(.revokeConsent, by: actor(.customer)), on: claim, context: Fixture.context(kind: .partnerActivities), at: now).get()
        #expect(t.claim.status == .consentRejected)
        #expect(t.earning == nil)
    }

    /// Applies a chain of steps, checking every history row and version bump on the way.
    private func run(_ start: Claim, _ entry: ClaimHistoryEntry, context: ClaimContext,
                     _ steps: [(ClaimAction, ActorRole, String, ClaimStatus)]) throws -> (Claim, [ClaimHistoryEntry]) {
        var claim = start
        var history = [entry]
        for (action, role, when, expected) in steps {
            let now = at(when)
            let who = actor(role)
            let t = try tryPerform(ClaimCommand(action, by: who, reason: "Reason for \(action)"), on: claim, context: context, at: now).get()
            #expect(t.claim.status == expected, "\(action) by \(role)")
            #expect(t.entry.from == claim.status)
            #expect(t.entry.to == expected)
            #expect(t.entry.action == action)
            #expect(t.entry.actor == who)
            #expect(t.entry.at == now)
            #expect(t.claim.version == claim.version + 1)
            claim = t.claim
            history.append(t.entry)
        }
        for (previous, next) in zip(history, history.dropFirst()) { #expect(next.from == previous.to) }
        return (claim, history)
    }

    @Test("Partner activities: the full path with one dispute, ending in rejected final")
    func partnerActivitiesDisputePath() throws {
        let context = Fixture.context(kind: .partnerActivities)
        let new = NewClaim(organizationID: 3, locationID: 4, customerID: 5, engagementID: context.engagement.id, name: "Adatum assessment", kind: .partnerActivities)
        let created = try tryCreate(new, by: actor(.incentivesUser), context: context, at: at("2026-03-02T10:00:00Z")).get()
        let (rejected, _) = try run(created.claim, created.entry, context: context, [
            (.sendConsentRequest, .incentivesUser, "2026-03-02T11:00:00Z", .awaitingConsent),
            (.sendConsentRequest, .incentivesAdmin, "2026-03-05T11:00:00Z", .awaitingConsent),
            (.acceptConsent, .customer, "2026-03-06T08:00:00Z", .consentReceived),
            (.submit, .incentivesUser, "2026-04-01T08:00:00Z", .submitted),
            (.startReview, .reviewer, "2026-04-02T08:00:00Z", .underReview),
            (.requestInformation, .reviewer, "2026-04-03T08:00:00Z", .partnerActionRequired),
            (.submit, .incentivesUser, "2026-04-04T08:00:00Z", .submitted),
            (.reject, .reviewer, "2026-04-05T08:00:00Z", .rejected),
        ])
        #expect(rejected.rejectedAt == at("2026-04-05T08:00:00Z"))
        #expect(rejected.firstSubmittedAt == at("2026-04-01T08:00:00Z"))
        #expect(!rejected.isDisputeRound)

        let (final, history) = try run(rejected, ClaimHistoryEntry(claimID: rejected.id, at: rejected.updatedAt, action: .reject,
                                                                    actor: actor(.reviewer), from: .underReview, to: .rejected, note: nil),
                                       context: context, [
            (.dispute, .incentivesAdmin, "2026-04-20T08:00:00Z", .disputed),
            (.submit, .incentivesAdmin, "2026-04-21T08:00:00Z", .submitted),
            (.startReview, .reviewer, "2026-04-22T08:00:00Z", .underReview),
            (.requestInformation, .reviewer, "2026-04-23T08:00:00Z", .partnerActionRequired),
            (.submit, .incentivesUser, "2026-04-24T08:00:00Z", .submitted),
            (.reject, .reviewer, "2026-04-25T08:00:00Z", .rejectedFinal),
        ])
        #expect(final.isDisputeRound)
        #expect(history.count == 7)
        // The first rejection's date is kept; the final rejection does not reopen a dispute window.
        #expect(final.rejectedAt == at("2026-04-05T08:00:00Z"))
        #expect(final.firstSubmittedAt == at("2026-04-01T08:00:00Z"))
        let again = tryPerform(ClaimCommand(.dispute, by: actor(.incentivesAdmin), reason: "Once more"), on: final, context: context, at: at("2026-04-26T08:00:00Z"))
        #expect(again.failure == .terminal(.rejectedFinal))
    }

    @Test("Use or consume: rejection, dispute, and a second rejection is final")
    func useOrConsumeDisputePath() throws {
        let context = Fixture.context(kind: .useOrConsume)
        let new = NewClaim(organizationID: 3, locationID: 4, customerID: 5, engagementID: context.engagement.id, name: "Northwind usage", kind: .useOrConsume)
        let created = try tryCreate(new, by: actor(.incentivesAdmin), context: context, at: at("2026-03-02T10:00:00Z")).get()
        let (final, history) = try run(created.claim, created.entry, context: context, [
            (.submit, .incentivesAdmin, "2026-03-03T10:00:00Z", .submitted),
            (.startReview, .reviewer, "2026-03-04T10:00:00Z", .underReview),
            (.requestInformation, .reviewer, "2026-03-05T10:00:00Z", .partnerActionRequired),
            (.submit, .incentivesAdmin, "2026-03-10T10:00:00Z", .submitted),
            (.reject, .reviewer, "2026-03-11T10:00:00Z", .rejected),
            (.dispute, .incentivesAdmin, "2026-03-20T10:00:00Z", .disputed),
            (.submit, .incentivesAdmin, "2026-03-21T10:00:00Z", .submitted),
            (.reject, .reviewer, "2026-03-22T10:00:00Z", .rejectedFinal),
        ])
        #expect(final.isDisputeRound)
        #expect(history.first?.from == nil)
        #expect(history.filter { $0.action == .dispute }.count == 1)
    }

    @Test("A claim already in its dispute round can't be disputed again")
    func disputeOnce() {
        let claim = Fixture.claim(kind: .partnerActivities, status: .rejected, disputeRound: true, consentAt: at("2026-03-04T09:00:00Z"),
                                  rejectedAt: at("2026-03-07T09:00:00Z"))
        let result = tryPerform(ClaimCommand(.dispute, by: actor(.incentivesAdmin), reason: "Again"), on: claim, context: Fixture.context(kind: .partnerActivities), at: now)
        #expect(result.failure != nil)
        #expect(!ClaimLifecycle.availableActions(for: claim, role: .incentivesAdmin, context: Fixture.context(kind: .partnerActivities), at: now).contains(.dispute),
                "availableActions must not offer a second dispute")
    }
}

// MARK: - Creating a claim

@Suite("Claim lifecycle: adding a customer")
struct ClaimCreateTests {
    let now = at("2026-03-02T10:00:00Z")

    func create(_ kind: ClaimKind = .partnerActivities, name: String = "Contoso rollout", role: ActorRole = .incentivesUser,
                engagement: Engagement? = nil, engagementID: Int64? = nil, market: Market = .a,
                at instant: Date? = nil) -> Result<(claim: Claim, entry: ClaimHistoryEntry), ClaimRefusal> {
        let context = Fixture.context(kind: kind, engagement: engagement, market: market)
        let new = NewClaim(organizationID: 3, locationID: 4, customerID: 5, engagementID: engagementID ?? context.engagement.id,
                           name: name, kind: kind)
        return tryCreate(new, by: actor(role), context: context, at: instant ?? now)
    }

    @Test("An allowed claim starts in Customer claimed with a history row from nothing", arguments: [
        (ClaimKind.partnerActivities, ActorRole.incentivesUser), (.partnerActivities, .incentivesAdmin), (.useOrConsume, .incentivesAdmin),
    ])
    func allowed(kind: ClaimKind, role: ActorRole) throws {
        let (claim, entry) = try create(kind, name: "  Contoso rollout \n", role: role, market: .b).get()
        #expect(claim.status == .customerClaimed)
        #expect(claim.kind == kind)
        #expect(claim.name == "Contoso rollout")
        #expect(claim.createdAt == now)
        #expect(claim.consentAt == nil)
        #expect(!claim.isDisputeRound)
        #expect(claim.engagementVersion == 1)
        #expect(claim.amount == usd("3000"))
        #expect(claim.organizationID == 3 && claim.locationID == 4 && claim.customerID == 5)
        #expect(entry.from == nil)
        #expect(entry.to == .customerClaimed)
        #expect(entry.action == .create)
        #expect(entry.at == now)
        #expect(entry.actor.role == role)
    }

    @Test("Upcoming and closed engagements take no claims", arguments: [EngagementStatus.upcoming, .closed])
    func engagementNotActive(status: EngagementStatus) {
        let result = create(engagement: Fixture.engagement(kind: .partnerActivities, status: status))
        guard case .failure(.cannotClaim(let why)) = result else {
            Issue.record("expected cannotClaim, got \(result)")
            return
        }
        #expect(sentenceProblems(why).isEmpty, "\(why)")
    }

    @Test("Claims may be added through the last day to claim, not after it")
    func lastClaimDay() {
        let engagement = Fixture.engagement(kind: .partnerActivities, lastClaimDay: DayDate(year: 2026, month: 3, day: 31))
        #expect(create(engagement: engagement, at: at("2026-03-31T00:00:00Z")).success != nil)
        #expect(create(engagement: engagement, at: at("2026-03-31T23:59:59Z")).success != nil)
        for late in ["2026-04-01T00:00:00Z", "2026-06-01T12:00:00Z"] {
            let result = create(engagement: engagement, at: at(late))
            guard case .failure(.cannotClaim(let why)) = result else {
                Issue.record("expected cannotClaim at \(late), got \(result)")
                continue
            }
            #expect(why.contains("31 Mar 2026"))
        }
    }

    @Test("A blank name is refused", arguments: ["", "   ", "\n\t"])
    func blankName(name: String) {
        guard case .failure(.cannotClaim(let why)) = create(name: name) else {
            Issue.record("expected cannotClaim for name \(name.debugDescription)")
            return
        }
        #expect(sentenceProblems(why).isEmpty, "\(why)")
    }

    @Test("A location in a market the engagement does not pay can't claim")
    func marketWithoutRate() {
        let engagement = Fixture.engagement(kind: .partnerActivities, versions: [
            Fixture.version(rates: MarketRates(currency: .usd, a: 5000, b: nil, c: nil)),
        ])
        #expect(create(engagement: engagement, market: .a).success != nil)
        for market in [Market.b, .c] {
            guard case .failure(.cannotClaim(let why)) = create(engagement: engagement, market: market) else {
                Issue.record("expected cannotClaim for \(market)")
                continue
            }
            #expect(why.contains(market.label))
        }
    }

    @Test("A use-or-consume claim is an Incentives admin's")
    func cporIsAdminOnly() {
        let result = create(.useOrConsume, role: .incentivesUser)
        #expect(result.failure == .notYourRole(.create, allowed: [.incentivesAdmin]))
        for role in [ActorRole.reviewer, .programManager, .customer, .clock] {
            #expect(create(.useOrConsume, role: role).failure != nil, "\(role)")
            #expect(create(.partnerActivities, role: role).failure != nil, "\(role)")
        }
    }

    @Test("The claim must name the engagement it is made on")
    func engagementMustMatch() {
        let result = create(engagementID: 999)
        guard case .failure(.cannotClaim(let why)) = result else {
            Issue.record("expected cannotClaim, got \(result)")
            return
        }
        #expect(sentenceProblems(why).isEmpty, "\(why)")
    }

    @Test("The claim's kind must match the engagement's partner role", arguments: ClaimKind.allCases)
    func kindMustMatch(kind: ClaimKind) {
        let other: ClaimKind = kind == .partnerActivities ? .useOrConsume : .partnerActivities
        let result = create(kind, role: .incentivesAdmin, engagement: Fixture.engagement(kind: other))
        guard case .failure(.cannotClaim(let why)) = result else {
            Issue.record("expected cannotClaim, got \(result)")
            return
        }
        #expect(sentenceProblems(why).isEmpty, "\(why)")
    }
}
