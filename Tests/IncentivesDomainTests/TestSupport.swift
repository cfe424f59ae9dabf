import Foundation
import Testing
import IncentivesDomain

// Shared fixtures for the domain tests. Dates are written out literally (UTC) so that every
// expectation is independent of the date arithmetic under test.

/// An instant from ISO 8601 text, e.g. `at("2026-03-02T10:00:00Z")`.
func at(_ text: String) -> Date {
    guard let date = try? Date.ISO8601FormatStyle().parse(text) else {
        fatalError("bad test date \(text)")
    }
    return date
}

/// A decimal from its text, so that no binary floating point sneaks into money.
func dec(_ text: String) -> Decimal {
    guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
        fatalError("bad test decimal \(text)")
    }
    return value
}

func usd(_ text: String) -> Money { Money(dec(text), .usd) }

func actor(_ role: ActorRole) -> Actor {
    role == .clock ? .clock : Actor(role: role, userID: role.side == .customer ? nil : 7, name: "Test \(role.rawValue)")
}

/// Statuses that accept no action at all (DOMAIN.md 3), written out independently of `isTerminal`.
let terminalStatuses: Set<ClaimStatus> = [
    .consentDeclined, .consentRejected, .consentExpired, .canceled, .notSubmittedExpired,
    .postSubmissionExpired, .disputedExpired, .rejectedFinal,
]

/// Statuses only the clock may reach.
let expiredStatuses: Set<ClaimStatus> = [.consentExpired, .notSubmittedExpired, .postSubmissionExpired, .disputedExpired]

enum Fixture {
    /// The day most claims are created on (a Monday).
    static let created = at("2026-03-02T10:00:00Z")

    static let allProof: [ProofRequirement] = [
        ProofRequirement(kind: .invoice, description: "The invoice for the delivered work"),
        ProofRequirement(kind: .findingsDocument, description: "Findings", templateName: "Findings template", templateVersion: "2.1"),
        ProofRequirement(kind: .customerSurvey, description: "Customer survey"),
        ProofRequirement(kind: .partnerSurvey, description: "Partner survey"),
    ]

    static let everyProofKind = Set(ProofRequirement.Kind.allCases)

    static let workshopRates = MarketRates(currency: .usd, a: 5000, b: 3000, c: 1000)

    static func version(number: Int = 1, effectiveFrom: Date = at("2026-01-01T00:00:00Z"), payModel: PayModel = .fixed,
                        rates: MarketRates = workshopRates, maxHours: Decimal? = nil,
                        deadlines: DeadlinePolicy = .standard(for: .workshop),
                        proof: [ProofRequirement] = allProof) -> EngagementVersion {
        EngagementVersion(number: number, effectiveFrom: effectiveFrom, payModel: payModel, rates: rates, maxHours: maxHours,
                          deadlines: deadlines, description: "Version \(number)", partnerCriteria: ["Holds the specialization"],
                          customerCriteria: ["At least 50 seats"], proofRequirements: proof, resourceLinks: [])
    }

    static func engagement(kind: ClaimKind, status: EngagementStatus = .active, lastClaimDay: DayDate? = nil,
                           cap: Money? = nil, versions: [EngagementVersion]? = nil) -> Engagement {
        Engagement(id: kind == .partnerActivities ? 11 : 12, programID: 1, solutionAreaID: 2,
                   name: kind == .partnerActivities ? "Cloud adoption workshop" : "Cloud usage partner of record",
                   role: kind == .partnerActivities ? .buildIntent : .useOrConsume, type: .workshop, status: status,
                   lastClaimDay: lastClaimDay, activeClaimsPerCustomer: 2, earningsCap: cap,
                   versions: versions ?? [version()])
    }

    static func context(kind: ClaimKind, engagement: Engagement? = nil, market: Market = .a,
                        calendar: WorkingCalendar = .mondayToFriday, earned: Money? = nil,
                        proof: Set<ProofRequirement.Kind> = everyProofKind) -> ClaimContext {
        ClaimContext(engagement: engagement ?? self.engagement(kind: kind), market: market, calendar: calendar,
                     earnedOnEngagement: earned, providedProof: proof)
    }

    static func claim(kind: ClaimKind, status: ClaimStatus, disputeRound: Bool = false, createdAt: Date = created,
                      consentAt: Date? = nil, firstSubmittedAt: Date? = nil, rejectedAt: Date? = nil,
                      actionRequestedAt: Date? = nil, hours: Decimal? = nil, amount: Money? = usd("5000"),
                      engagementVersion: Int = 1) -> Claim {
        Claim(id: 42, organizationID: 3, locationID: 4, engagementID: kind == .partnerActivities ? 11 : 12,
              engagementVersion: engagementVersion, customerID: 5, name: "Contoso rollout", kind: kind, status: status,
              isDisputeRound: disputeRound, createdAt: createdAt, updatedAt: nil, consentAt: consentAt,
              firstSubmittedAt: firstSubmittedAt, rejectedAt: rejectedAt, actionRequestedAt: actionRequestedAt,
              hours: hours, amount: amount, version: 3)
    }
}

/// `ClaimLifecycle.perform`, keeping the refusal as a value.
func tryPerform(_ command: ClaimCommand, on claim: Claim, context: ClaimContext, at now: Date) -> Result<ClaimTransition, ClaimRefusal> {
    do { return .success(try ClaimLifecycle.perform(command, on: claim, context: context, at: now)) } catch { return .failure(error) }
}

/// `ClaimLifecycle.create`, keeping the refusal as a value.
func tryCreate(_ new: NewClaim, by actor: Actor, context: ClaimContext, at now: Date) -> Result<(claim: Claim, entry: ClaimHistoryEntry), ClaimRefusal> {
    do { return .success(try ClaimLifecycle.create(new, by: actor, context: context, at: now)) } catch { return .failure(error) }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}

/// Problems with a refusal text: it must read as a sentence for a person, not leak Swift names.
func sentenceProblems(_ text: String) -> [String] {
    var problems: [String] = []
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return ["empty"] }
    if trimmed != text { problems.append("surrounding whitespace") }
    if let first = trimmed.first, !(first.isUppercase || first.isNumber) { problems.append("does not start with a capital") }
    if !trimmed.hasSuffix(".") { problems.append("does not end with a full stop") }
    for leak in ["ClaimStatus", "ClaimAction", "ActorRole", "ClaimRefusal", "DeadlineKind", "ClaimKind", "Optional(", "IncentivesDomain"] where trimmed.contains(leak) {
        problems.append("mentions \(leak)")
    }
    if trimmed.contains(#/\bnil\b/#) { problems.append("mentions nil") }
    if let match = trimmed.firstMatch(of: #/\b[a-z]+[A-Z][A-Za-z]*\b/#) { problems.append("camelCase identifier \(match.0)") }
    if let match = trimmed.firstMatch(of: #/\b[a-z]+_[a-z_]+\b/#) { problems.append("snake_case code \(match.0)") }
    return problems
}
