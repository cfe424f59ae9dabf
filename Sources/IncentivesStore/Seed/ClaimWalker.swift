import Foundation
import IncentivesDomain

/// Builds believable claims by walking them through the real state machine: each seeded claim has
/// a history the domain itself produced, and open deadlines that have not run out at `now`.
struct ClaimWalker {
    enum Step { case act(ClaimAction, ActorRole), expire }

    /// Who acts for each side of a walk.
    struct Cast {
        var partnerAdmin: Actor
        var partnerUser: Actor?
        var reviewer: Actor
        var customer: Actor
    }

    /// The statuses a kind of claim can reach.
    static func reachable(_ kind: ClaimKind) -> [ClaimStatus] {
        switch kind {
        case .partnerActivities: ClaimStatus.allCases
        case .useOrConsume: ClaimStatus.allCases.filter {
            ![.awaitingConsent, .consentReceived, .consentDeclined, .consentExpired].contains($0)
        }
        }
    }

    /// A path of actions that ends in `target`; some targets have several believable paths.
    static func path(to target: ClaimStatus, kind: ClaimKind, random: inout SeededRandom) -> [Step] {
        let p: ActorRole = .incentivesUser, a: ActorRole = .incentivesAdmin, r: ActorRole = .reviewer, c: ActorRole = .customer
        let partner = kind == .useOrConsume ? a : p
        let opening: [Step] = kind == .useOrConsume ? [] : [.act(.sendConsentRequest, p), .act(.acceptConsent, c)]
        let submitted = opening + [.act(.submit, partner)]
        // Often a reviewer asks for more once before deciding.
        let review: [Step] = random.chance(0.35)
            ? [.act(.startReview, r), .act(.requestInformation, r), .act(.submit, partner), .act(.startReview, r)]
            : [.act(.startReview, r)]
        let rejected = submitted + review + [.act(.reject, r)]
        let disputeRound = rejected + [.act(.dispute, a), .act(.submit, a), .act(.startReview, r)]
        switch target {
        case .customerClaimed: return []
        case .awaitingConsent: return random.chance(0.3) ? [.act(.sendConsentRequest, p), .act(.sendConsentRequest, p)] : [.act(.sendConsentRequest, p)]
        case .consentReceived: return opening
        case .consentDeclined: return [.act(.sendConsentRequest, p), .act(.declineConsent, c)]
        case .consentExpired: return random.chance(0.7) ? [.act(.sendConsentRequest, p), .expire] : [.expire]
        case .consentRejected:
            return kind == .useOrConsume ? submitted + review + [.act(.approve, r), .act(.revokeConsent, c)]
                                         : opening + [.act(.revokeConsent, c)]
        case .canceled: return kind == .useOrConsume ? [.act(.cancel, a)] : [.act(.sendConsentRequest, p), .act(.cancel, partner)]
        case .submitted: return submitted
        case .notSubmittedExpired: return opening + [.expire]
        case .underReview: return submitted + [.act(.startReview, r)]
        case .partnerActionRequired: return submitted + [.act(.startReview, r), .act(.requestInformation, r)]
        case .postSubmissionExpired: return submitted + [.act(.startReview, r), .act(.requestInformation, r), .expire]
        case .approved: return submitted + review + [.act(.approve, r)]
        case .rejected:
            // CPOR: sometimes the clock rejects a request left unanswered for 14 business days.
            return kind == .useOrConsume && random.chance(0.3)
                ? submitted + [.act(.startReview, r), .act(.requestInformation, r), .expire]
                : rejected
        case .disputed: return rejected + [.act(.dispute, a)]
        case .disputedExpired: return rejected + [.expire]
        case .rejectedFinal:
            return kind == .useOrConsume && random.chance(0.4)
                ? submitted + review + [.act(.approve, r), .act(.disassociate, a)]
                : disputeRound + [.act(.reject, r)]
        }
    }

    static let reasons: [ClaimAction: [String]] = [
        .requestInformation: [
            "The findings document is missing the customer's signature.",
            "The workshop date on the findings document is outside the engagement period.",
            "Please attach the invoice that names the products delivered.",
            "The customer survey was answered by a contact who is not on the claim.",
        ],
        .reject: [
            "The delivery date falls outside the engagement period.",
            "The findings document does not cover the required sections.",
            "The customer does not meet the engagement's customer criteria.",
        ],
        .dispute: [
            "Signed attendance sheet attached; the workshop ran inside the engagement period.",
            "The customer met the seat count on the consent date; usage report attached.",
        ],
        .disassociate: ["The customer moved this workload to another partner."],
    ]

    /// Walks one claim to `target`, trying different timings until the walk fits before `now`.
    /// Returns nil when no timing fits (the caller then picks another target).
    static func walk(claimID: Int64, new: NewClaim, target: ClaimStatus, context: ClaimContext, cast: Cast,
                     contacts: [Contact], now: Date, random: inout SeededRandom, attempts: Int = 60) -> ClaimRecord? {
        for _ in 0..<attempts {
            let path = path(to: target, kind: new.kind, random: &random)
            if let record = try? attempt(claimID: claimID, new: new, path: path, target: target, context: context,
                                         cast: cast, contacts: contacts, now: now, random: &random) {
                return record
            }
        }
        return nil
    }

    private struct Misfit: Error {}

    private static func attempt(claimID: Int64, new: NewClaim, path: [Step], target: ClaimStatus, context: ClaimContext,
                                cast: Cast, contacts: [Contact], now: Date, random: inout SeededRandom) throws -> ClaimRecord {
        var context = context
        context.providedProof = Set(ProofRequirement.Kind.allCases)
        let maxBack = path.contains { if case .expire = $0 { true } else { false } } ? 420 : 200
        var t = now.addingTimeInterval(-Double(random.int(1...maxBack)) * 86_400 - Double(random.int(0...86_399)))
        let startActor = cast.partnerUser ?? cast.partnerAdmin
        var (claim, first) = try ClaimLifecycle.create(new, by: new.kind == .useOrConsume ? cast.partnerAdmin : startActor,
                                                       context: context, at: t)
        claim.id = claimID
        first.claimID = claimID
        var history = [first]
        var proof: [ProofRecord] = []
        var earning: Earning?
        for step in path {
            let command: ClaimCommand
            switch step {
            case .expire:
                guard let clock = ClaimLifecycle.openClock(for: claim, policy: context.version(of: claim).deadlines,
                                                           calendar: context.calendar) else { throw Misfit() }
                t = clock.dueAt.addingTimeInterval(Double(random.int(60...(2 * 86_400))))
                command = ClaimCommand(.expire, by: .clock)
            case .act(let action, let role):
                t += Double(random.int(2 * 3_600...(9 * 86_400)))
                let actor: Actor = switch role {
                case .incentivesAdmin: cast.partnerAdmin
                case .incentivesUser: cast.partnerUser ?? cast.partnerAdmin
                case .reviewer: cast.reviewer
                default: cast.customer
                }
                if action == .submit && claim.firstSubmittedAt == nil {
                    let version = context.version(of: claim)
                    if version.payModel == .variable {
                        let hours = Decimal(random.int(8...NSDecimalNumber(decimal: version.maxHours ?? 40).intValue))
                        claim.hours = hours
                        claim.amount = Pricing.expectedAmount(version: version, market: context.market, hours: hours)
                    }
                    for requirement in version.proofRequirements {
                        proof.append(ProofRecord(kind: requirement.kind, fileName: fileName(for: requirement.kind),
                                                 sizeBytes: Int64(random.int(40_000...2_400_000)),
                                                 addedBy: actor.name, addedAt: t.addingTimeInterval(-3_600)))
                    }
                }
                command = ClaimCommand(action, by: actor, reason: reasons[action].map { random.pick($0) })
            }
            guard t <= now else { throw Misfit() }
            let transition = try ClaimLifecycle.perform(command, on: claim, context: context, at: t)
            claim = transition.claim
            history.append(transition.entry)
            switch transition.earning {
            case .create(let made):
                earning = made
                context.earnedOnEngagement = (context.earnedOnEngagement ?? .zero(made.amount.currency)) + made.amount
            case .reverse: earning?.paymentStatus = .reversed
            case nil: break
            }
        }
        guard claim.status == target else { throw Misfit() }
        let clock = ClaimLifecycle.openClock(for: claim, policy: context.version(of: claim).deadlines, calendar: context.calendar)
        if let clock, clock.expiry != nil, clock.dueAt <= now { throw Misfit() }
        // An earning is unprocessed (or reversed) until a payment run moves it: the demo's runs are real ones, made
        // after seeding by the payments service, never a status made up here.
        return ClaimRecord(claim: claim, contacts: contacts, history: history, proof: proof, earning: earning, clock: clock)
    }

    static func fileName(for kind: ProofRequirement.Kind) -> String? {
        switch kind {
        case .invoice: "invoice.pdf"
        case .findingsDocument: "findings-report.docx"
        case .customerSurvey, .partnerSurvey: nil
        }
    }
}
