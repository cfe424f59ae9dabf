import Foundation

/// Everything that can happen to a claim. `create` starts the history; the rest move a claim.
public enum ClaimAction: String, CaseIterable, Sendable, Codable {
    case create
    case sendConsentRequest = "send_consent_request"
    case acceptConsent = "accept_consent"
    case declineConsent = "decline_consent"
    case revokeConsent = "revoke_consent"
    case cancel
    case submit
    case startReview = "start_review"
    case requestInformation = "request_information"
    case approve
    case reject
    case dispute
    case disassociate
    case expire
    /// Use or consume: a reviewer chose another partner of record for the same subscription.
    case loseArbitration = "lose_arbitration"
    /// A reviewer takes back an approval within the program's reversal window (a coded reason and a note).
    case reverse
    // Work on the claim's bundle: recorded in the history, but the status stays.
    case addProof = "add_proof"
    case removeProof = "remove_proof"
    case enterHours = "enter_hours"
    case sendSurvey = "send_survey"
    case answerSurvey = "answer_survey"
    case changeContacts = "change_contacts"

    /// A short verb phrase for buttons and history ("Send consent request").
    public var label: String {
        switch self {
        case .create: "Add customer"
        case .sendConsentRequest: "Send consent request"
        case .acceptConsent: "Accept consent"
        case .declineConsent: "Decline consent"
        case .revokeConsent: "Revoke consent"
        case .cancel: "Cancel claim"
        case .submit: "Submit"
        case .startReview: "Start review"
        case .requestInformation: "Ask for more information"
        case .approve: "Approve"
        case .reject: "Reject"
        case .dispute: "Dispute rejection"
        case .disassociate: "Disassociate"
        case .expire: "Expire"
        case .loseArbitration: "Lose arbitration"
        case .reverse: "Reverse approval"
        case .addProof: "Add proof"
        case .removeProof: "Remove proof"
        case .enterHours: "Enter hours"
        case .sendSurvey: "Send customer survey"
        case .answerSurvey: "Answer survey"
        case .changeContacts: "Change contacts"
        }
    }

    /// Whether the action moves the claim (false: it only works on the claim's bundle).
    public var isTransition: Bool {
        switch self {
        case .addProof, .removeProof, .enterHours, .sendSurvey, .answerSurvey, .changeContacts: false
        default: true
        }
    }

    /// The same in the infinitive, for refusals ("You can't submit a claim that is ...").
    var phrase: String {
        switch self {
        case .create: "add a customer to"
        case .sendConsentRequest: "send a consent request for"
        case .acceptConsent: "accept consent for"
        case .declineConsent: "decline consent for"
        case .revokeConsent: "revoke consent for"
        case .cancel: "cancel"
        case .submit: "submit"
        case .startReview: "start reviewing"
        case .requestInformation: "ask for more information on"
        case .approve: "approve"
        case .reject: "reject"
        case .dispute: "dispute"
        case .disassociate: "disassociate"
        case .expire: "expire"
        case .loseArbitration: "decide the arbitration of"
        case .reverse: "reverse the approval of"
        case .addProof: "add proof to"
        case .removeProof: "remove proof from"
        case .enterHours: "enter hours on"
        case .sendSurvey: "send the customer survey for"
        case .answerSurvey: "answer the survey of"
        case .changeContacts: "change the contacts of"
        }
    }

    /// Whether a person takes it on the claim itself (its page, the API, bulk review). Not `create`, not the clock's
    /// `expire`, not `loseArbitration`: only the arbitration of competing claims issues that one.
    public var isDirect: Bool {
        switch self {
        case .create, .expire, .loseArbitration: false
        default: isTransition
        }
    }

    /// Actions that must say why (a reviewer's request or rejection, a dispute, a disassociation).
    public var requiresReason: Bool {
        switch self {
        case .requestInformation, .reject, .dispute, .disassociate, .reverse: true
        default: false
        }
    }
}

/// A deadline that is running on a claim now.
public struct OpenClock: Hashable, Sendable {
    public var kind: DeadlineKind
    public var dueAt: Date
    /// Who has to act before the deadline.
    public var owner: Side
    /// What the claim becomes when the deadline passes; nil when the deadline only informs (the
    /// vendor's own review deadline never expires a partner's claim).
    public var expiry: ClaimStatus?

    public init(kind: DeadlineKind, dueAt: Date, owner: Side, expiry: ClaimStatus?) {
        self.kind = kind; self.dueAt = dueAt; self.owner = owner; self.expiry = expiry
    }
}

/// Why an action was refused, in words a partner understands.
public enum ClaimRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    case terminal(ClaimStatus)
    case notNow(ClaimAction, ClaimStatus)
    case notYourRole(ClaimAction, allowed: [ActorRole])
    case deadlinePassed(DeadlineKind, Date)
    case deadlineNotReached(DeadlineKind?, Date?)
    case proofIncomplete([String])
    case reasonRequired(ClaimAction)
    case disputeAlreadyUsed
    case cannotClaim(String)
    /// A reversal asked for after the program's reversal window of `days` closed on `lastDay`.
    case reversalWindowClosed(lastDay: DayDate, days: Int)

    public var description: String {
        switch self {
        case .terminal(let status):
            "This claim is \(status.label); it can't change any more. Start a new claim for this customer if you still want to earn on it."
        case .notNow(let action, let status):
            "You can't \(action.phrase) a claim that is \(status.label)."
        case .notYourRole(let action, let allowed):
            "Only \(allowed.map(\.withArticle).joined(separator: " or ")) can \(action.phrase) this claim."
        case .deadlinePassed(let kind, let due):
            "The \(kind.label) deadline passed on \(DayDate(due)) (UTC); this claim is expiring."
        case .deadlineNotReached(let kind, let due):
            if let kind, let due {
                "The \(kind.label) deadline is \(DayDate(due)) (UTC); it has not passed yet."
            } else {
                "No deadline is running out on this claim."
            }
        case .proofIncomplete(let missing):
            "Add the missing proof of execution before you submit: \(missing.joined(separator: ", "))."
        case .reasonRequired(let action):
            action == .dispute
                ? "Give a justification for the dispute: what the reviewer should look at again."
                : "Say why: a reason is required to \(action.phrase) a claim."
        case .disputeAlreadyUsed:
            "This claim was already disputed once; a rejection after a dispute is final."
        case .cannotClaim(let why):
            why
        case .reversalWindowClosed(let lastDay, let days):
            "The last day to reverse this approval was \(lastDay) (UTC): the program allows reversals for \(days) days after "
                + "approval. Nothing was changed."
        }
    }
}

/// What happens to the claim's earning along with a transition.
public enum EarningChange: Hashable, Sendable {
    /// Approval: the earning is created.
    case create(Earning)
    /// Consent revoked or the claim disassociated after approval: the earning is reversed.
    case reverse
}

/// The facts about a claim's engagement and location that a transition needs.
public struct ClaimContext: Sendable {
    public var engagement: Engagement
    public var market: Market
    public var calendar: WorkingCalendar
    /// What the claim's location already earned on the engagement (approved claims), for the cap.
    public var earnedOnEngagement: Money?
    /// The proof of execution the claim holds now.
    public var providedProof: Set<ProofRequirement.Kind>
    /// Use or consume: the claim competes with another partner's for one subscription and waits for arbitration.
    public var inArbitration: Bool
    /// An approved claim: when it was approved and the program's reversal window (nil when not loaded).
    public var reversal: ReversalWindow? = nil

    public init(engagement: Engagement, market: Market, calendar: WorkingCalendar = .mondayToFriday,
                earnedOnEngagement: Money? = nil, providedProof: Set<ProofRequirement.Kind> = [], inArbitration: Bool = false) {
        self.engagement = engagement; self.market = market; self.calendar = calendar
        self.earnedOnEngagement = earnedOnEngagement; self.providedProof = providedProof; self.inArbitration = inArbitration
    }

    /// The version a claim is held to.
    public func version(of claim: Claim) -> EngagementVersion {
        engagement.version(number: claim.engagementVersion) ?? engagement.version(inForceAt: claim.consentAt ?? claim.createdAt)
    }
}

/// A request to move a claim.
public struct ClaimCommand: Sendable {
    public var action: ClaimAction
    public var actor: Actor
    public var reason: String?
    /// The reviewer's coded reason, kept with the history row so the program can count them.
    public var reasonCode: ReviewReason?
    /// The customer's network address, recorded with their answer.
    public var address: String?
    /// A reversal's coded reason, kept with the history row like a review's.
    public var reversalReason: ReversalReason?

    public init(_ action: ClaimAction, by actor: Actor, reason: String? = nil, reasonCode: ReviewReason? = nil, address: String? = nil,
                reversalReason: ReversalReason? = nil) {
        self.action = action; self.actor = actor; self.reason = reason; self.reasonCode = reasonCode; self.address = address
        self.reversalReason = reversalReason
    }
}

/// The outcome of an allowed action: the claim as it now is, its history row, and any earning change.
public struct ClaimTransition: Sendable {
    public var claim: Claim
    public var entry: ClaimHistoryEntry
    public var earning: EarningChange?
}

/// What a partner asks for when adding a customer.
public struct NewClaim: Sendable {
    public var organizationID: Int64
    public var locationID: Int64
    public var customerID: Int64
    public var engagementID: Int64
    public var name: String
    public var kind: ClaimKind

    public init(organizationID: Int64, locationID: Int64, customerID: Int64, engagementID: Int64, name: String, kind: ClaimKind) {
        self.organizationID = organizationID; self.locationID = locationID; self.customerID = customerID
        self.engagementID = engagementID; self.name = name; self.kind = kind
    }
}

/// The claim state machine (DOMAIN.md 3 and 4): which actor may take which action in which status,
/// where it leads, and which deadline runs. Every other combination is refused with a reason.
public enum ClaimLifecycle {
    static let partners: Set<ActorRole> = [.incentivesAdmin, .incentivesUser]
    static let admin: Set<ActorRole> = [.incentivesAdmin]
    static let reviewer: Set<ActorRole> = [.reviewer]
    static let customer: Set<ActorRole> = [.customer]
    static let clock: Set<ActorRole> = [.clock]

    /// One allowed move: who may make it and where it leads.
    public struct Rule: Hashable, Sendable {
        public var actors: Set<ActorRole>
        public var to: ClaimStatus
    }

    /// The rule for an action in a status, or nil when the action is never allowed there. The clock's
    /// `expire` is governed by the open clock instead (see `openClock`).
    public static func rule(for action: ClaimAction, from status: ClaimStatus, kind: ClaimKind,
                            disputeRound: Bool) -> Rule? {
        if status.isTerminal || action == .create || action == .expire { return nil }
        let rejection: ClaimStatus = disputeRound ? .rejectedFinal : .rejected
        switch (kind, status, action) {
        // Reviewer decisions are the same for both kinds, from Submitted or Under review.
        case (_, .submitted, .startReview):
            return Rule(actors: reviewer, to: .underReview)
        case (_, .submitted, .requestInformation), (_, .underReview, .requestInformation):
            return Rule(actors: reviewer, to: .partnerActionRequired)
        case (_, .submitted, .approve), (_, .underReview, .approve):
            return Rule(actors: reviewer, to: .approved)
        case (_, .submitted, .reject), (_, .underReview, .reject):
            return Rule(actors: reviewer, to: rejection)
        // Dispute once, inside the window; disputes are an Incentives admin's.
        case (_, .rejected, .dispute):
            // Dispute once: a claim already in its dispute round has used it.
            return disputeRound ? nil : Rule(actors: admin, to: .disputed)
        case (_, .disputed, .submit):
            return Rule(actors: admin, to: .submitted)

        // Partner activities: consent first, then proof, then review.
        case (.partnerActivities, .customerClaimed, .sendConsentRequest),
             (.partnerActivities, .awaitingConsent, .sendConsentRequest):
            return Rule(actors: partners, to: .awaitingConsent)
        case (.partnerActivities, .awaitingConsent, .acceptConsent):
            return Rule(actors: customer, to: .consentReceived)
        case (.partnerActivities, .awaitingConsent, .declineConsent):
            return Rule(actors: customer, to: .consentDeclined)
        case (.partnerActivities, .customerClaimed, .cancel),
             (.partnerActivities, .awaitingConsent, .cancel),
             (.partnerActivities, .consentReceived, .cancel):
            return Rule(actors: partners, to: .canceled)
        case (.partnerActivities, .consentReceived, .submit),
             (.partnerActivities, .partnerActionRequired, .submit):
            return Rule(actors: partners, to: .submitted)
        case (.partnerActivities, .consentReceived, .revokeConsent),
             (.partnerActivities, .submitted, .revokeConsent),
             (.partnerActivities, .underReview, .revokeConsent),
             (.partnerActivities, .partnerActionRequired, .revokeConsent),
             (.partnerActivities, .rejected, .revokeConsent),
             (.partnerActivities, .disputed, .revokeConsent):
            return Rule(actors: customer, to: .consentRejected)

        // Use or consume (CPOR): a draft is submitted directly (the customer is told by email), and
        // CPOR claims are an Incentives admin's.
        case (.useOrConsume, .customerClaimed, .submit),
             (.useOrConsume, .partnerActionRequired, .submit):
            return Rule(actors: admin, to: .submitted)
        case (.useOrConsume, .customerClaimed, .cancel):
            return Rule(actors: admin, to: .canceled)
        case (.useOrConsume, .submitted, .revokeConsent),
             (.useOrConsume, .underReview, .revokeConsent),
             (.useOrConsume, .partnerActionRequired, .revokeConsent),
             (.useOrConsume, .approved, .revokeConsent):
            return Rule(actors: customer, to: .consentRejected)
        case (.useOrConsume, .approved, .disassociate):
            return Rule(actors: admin, to: .rejectedFinal)
        // A reversed approval is final: the claim was found invalid after the review, so it is not disputed again.
        case (_, .approved, .reverse):
            return Rule(actors: reviewer, to: .rejectedFinal)
        // Arbitration between partners claiming one subscription is decided before any approval.
        case (.useOrConsume, .customerClaimed, .loseArbitration), (.useOrConsume, .submitted, .loseArbitration),
             (.useOrConsume, .underReview, .loseArbitration), (.useOrConsume, .partnerActionRequired, .loseArbitration),
             (.useOrConsume, .rejected, .loseArbitration), (.useOrConsume, .disputed, .loseArbitration):
            return Rule(actors: reviewer, to: .rejectedFinal)

        default:
            return nil
        }
    }

    /// The deadline running on a claim now, if any.
    public static func openClock(for claim: Claim, policy: DeadlinePolicy, calendar: WorkingCalendar) -> OpenClock? {
        let consent = claim.consentAt ?? claim.createdAt
        let disputeWindow = { (expiry: ClaimStatus) -> OpenClock in
            OpenClock(kind: .dispute, dueAt: (claim.rejectedAt ?? claim.updatedAt).adding(calendarDays: policy.disputeDays),
                      owner: .partner, expiry: expiry)
        }
        switch (claim.kind, claim.status) {
        case (_, .rejected), (_, .disputed):
            return disputeWindow(.disputedExpired)

        case (.partnerActivities, .customerClaimed):
            return OpenClock(kind: .consent, dueAt: claim.createdAt.adding(calendarDays: policy.consentDays),
                             owner: .partner, expiry: .consentExpired)
        case (.partnerActivities, .awaitingConsent):
            return OpenClock(kind: .consent, dueAt: claim.createdAt.adding(calendarDays: policy.consentDays),
                             owner: .customer, expiry: .consentExpired)
        case (.partnerActivities, .consentReceived):
            return OpenClock(kind: .submission, dueAt: consent.adding(calendarDays: policy.submissionDays),
                             owner: .partner, expiry: .notSubmittedExpired)
        case (.partnerActivities, .submitted), (.partnerActivities, .underReview):
            // The vendor's own deadline: shown, never held against the partner. A dispute round has none.
            if claim.isDisputeRound { return nil }
            return OpenClock(kind: .review, dueAt: consent.adding(calendarDays: policy.reviewDays),
                             owner: .vendor, expiry: nil)
        case (.partnerActivities, .partnerActionRequired):
            // Ours: in a dispute round the review deadline from consent has long passed, so the
            // partner gets a dispute window's length from the request to answer.
            let due = claim.isDisputeRound
                ? (claim.actionRequestedAt ?? claim.updatedAt).adding(calendarDays: policy.disputeDays)
                : consent.adding(calendarDays: policy.reviewDays)
            return OpenClock(kind: .review, dueAt: due, owner: .partner, expiry: .postSubmissionExpired)

        case (.useOrConsume, .customerClaimed):
            // Ours: a CPOR draft must be submitted within the consent period of its creation.
            return OpenClock(kind: .submission, dueAt: claim.createdAt.adding(calendarDays: policy.consentDays),
                             owner: .partner, expiry: .notSubmittedExpired)
        case (.useOrConsume, .partnerActionRequired):
            let due = calendar.adding(businessDays: policy.cporResponseBusinessDays,
                                      to: claim.actionRequestedAt ?? claim.updatedAt)
            return OpenClock(kind: .review, dueAt: due, owner: .partner,
                             expiry: claim.isDisputeRound ? .rejectedFinal : .rejected)
        default:
            return nil
        }
    }

    /// Whether the claim can still lose an arbitration: a use-or-consume claim neither approved nor finished. A claim
    /// that leaves this set leaves any arbitration it was in.
    public static func isArbitrable(_ claim: Claim) -> Bool {
        rule(for: .loseArbitration, from: claim.status, kind: claim.kind, disputeRound: claim.isDisputeRound) != nil
    }

    /// The history note of a claim that lost an arbitration: which partner won is another organization's business.
    public static let arbitrationLostNote = "Another partner was chosen for this subscription."

    /// The actions a role could take on a claim now (ignoring reasons and proof, which the form asks for).
    public static func availableActions(for claim: Claim, role: ActorRole, context: ClaimContext, at now: Date) -> [ClaimAction] {
        let clock = openClock(for: claim, policy: context.version(of: claim).deadlines, calendar: context.calendar)
        if let clock, clock.expiry != nil, now >= clock.dueAt {
            return role == .clock ? [.expire] : []
        }
        return ClaimAction.allCases.filter { action in
            action.isDirect && rule(for: action, from: claim.status, kind: claim.kind, disputeRound: claim.isDisputeRound)?
                .actors.contains(role) == true
                && (action != .reverse || context.reversal?.isOpen(at: now) == true)
        }
    }

    /// Proof of execution still missing for a submission, in words.
    public static func missingProof(for claim: Claim, context: ClaimContext) -> [String] {
        let version = context.version(of: claim)
        var missing = version.proofRequirements
            .filter { !context.providedProof.contains($0.kind) }
            .map(\.kind.label)
        if version.payModel == .variable && claim.hours == nil { missing.append("Hours delivered") }
        return missing
    }

    /// Starts a claim in Customer claimed, held to the engagement version in force now.
    public static func create(_ new: NewClaim, by actor: Actor, context: ClaimContext,
                              at now: Date) throws(ClaimRefusal) -> (claim: Claim, entry: ClaimHistoryEntry) {
        let engagement = context.engagement
        let allowed: Set<ActorRole> = new.kind == .useOrConsume ? admin : partners
        guard allowed.contains(actor.role) else {
            throw .notYourRole(.create, allowed: allowed.sorted { $0.rawValue < $1.rawValue })
        }
        guard new.engagementID == engagement.id else {
            throw .cannotClaim("The claim names another engagement than the one being claimed on.")
        }
        guard new.kind == engagement.role.claimKind else {
            throw .cannotClaim("\(engagement.name) takes \(engagement.role.claimKind.label) claims, not \(new.kind.label) claims.")
        }
        if let why = engagement.refusalToClaim(at: now) { throw .cannotClaim(why) }
        let name = new.name.trimmedOfWhitespace
        guard !name.isEmpty else { throw .cannotClaim("Give the claim a name you will recognise it by.") }
        let version = engagement.version(inForceAt: now)
        guard version.rates.rate(for: context.market) != nil else {
            throw .cannotClaim("\(engagement.name) does not pay in \(context.market.label), where this location is.")
        }
        let claim = Claim(id: 0, organizationID: new.organizationID, locationID: new.locationID,
                          engagementID: engagement.id, engagementVersion: version.number, customerID: new.customerID,
                          name: name, kind: new.kind, status: .customerClaimed, createdAt: now,
                          amount: Pricing.expectedAmount(version: version, market: context.market, hours: nil))
        let entry = ClaimHistoryEntry(claimID: 0, at: now, action: .create, actor: actor, from: nil,
                                      to: .customerClaimed, note: nil)
        return (claim, entry)
    }

    /// Applies one action to a claim at an instant: the domain's single decision point.
    public static func perform(_ command: ClaimCommand, on claim: Claim, context: ClaimContext,
                               at now: Date) throws(ClaimRefusal) -> ClaimTransition {
        let status = claim.status
        if status.isTerminal { throw .terminal(status) }
        let version = context.version(of: claim)
        let clock = openClock(for: claim, policy: version.deadlines, calendar: context.calendar)
        let clockRanOut = clock.map { $0.expiry != nil && now >= $0.dueAt } ?? false

        let target: ClaimStatus
        if command.action == .expire {
            guard command.actor.role == .clock else { throw .notYourRole(.expire, allowed: [.clock]) }
            guard let clock, let expiry = clock.expiry, clockRanOut else {
                throw .deadlineNotReached(clock?.expiry == nil ? nil : clock?.kind, clock?.expiry == nil ? nil : clock?.dueAt)
            }
            target = expiry
        } else {
            if command.action == .dispute && claim.isDisputeRound { throw .disputeAlreadyUsed }
            guard let rule = rule(for: command.action, from: status, kind: claim.kind, disputeRound: claim.isDisputeRound) else {
                throw .notNow(command.action, status)
            }
            guard rule.actors.contains(command.actor.role) else {
                throw .notYourRole(command.action, allowed: rule.actors.sorted { $0.rawValue < $1.rawValue })
            }
            if command.action == .loseArbitration && !context.inArbitration {
                throw .cannotClaim("Only the arbitration of partners claiming one subscription decides this, and this claim is in none.")
            }
            if clockRanOut, let clock { throw .deadlinePassed(clock.kind, clock.dueAt) }
            if command.action == .reverse { try checkReversal(command, context: context, at: now) }
            target = rule.to
        }

        let reason = command.reason?.trimmedOfWhitespace
        if command.action.requiresReason && (reason ?? "").isEmpty { throw .reasonRequired(command.action) }
        if command.action == .submit {
            let missing = missingProof(for: claim, context: context)
            if !missing.isEmpty { throw .proofIncomplete(missing) }
        }

        var next = claim
        next.status = target
        next.updatedAt = now
        next.version = claim.version + 1
        var earning: EarningChange?
        switch command.action {
        case .acceptConsent:
            // The claim is held to the rules (and rates) in force on its consent date.
            next.consentAt = now
            let pinned = context.engagement.version(inForceAt: now)
            next.engagementVersion = pinned.number
            next.amount = Pricing.expectedAmount(version: pinned, market: context.market, hours: claim.hours)
        case .submit:
            if next.firstSubmittedAt == nil { next.firstSubmittedAt = now }
        case .requestInformation:
            next.actionRequestedAt = now
        case .reject:
            if target == .rejected { next.rejectedAt = now }
        case .expire:
            if target == .rejected { next.rejectedAt = now }
        case .dispute:
            next.isDisputeRound = true
        case .approve:
            let made = Pricing.earning(for: next, version: version, market: context.market,
                                       earnedBefore: context.earnedOnEngagement, cap: context.engagement.earningsCap, at: now)
            next.amount = made.amount
            earning = .create(made)
        case .revokeConsent, .disassociate, .reverse:
            if status == .approved { earning = .reverse }
        default:
            break
        }
        var entry = ClaimHistoryEntry(claimID: claim.id, at: now, action: command.action, actor: command.actor,
                                      from: status, to: target, note: reason.flatMap { $0.isEmpty ? nil : $0 })
        entry.reasonCode = command.reasonCode
        entry.reversalReason = command.reversalReason
        entry.address = command.address
        return ClaimTransition(claim: next, entry: entry, earning: earning)
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, without Foundation's work when there is nothing to trim: every
    /// character that set holds is a control, a space or outside ASCII, so text that starts and ends with printable ASCII
    /// (nearly all names and reasons) is returned as it is. Each transition trims, and a seed makes millions.
    var trimmedOfWhitespace: String {
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
