import Foundation

extension ClaimLifecycle {
    /// Who may add, replace or remove proof of execution (and enter hours) on a claim now: the partner
    /// while the claim is theirs to prepare (after consent, on a request for more information, in a
    /// dispute), never once it is with the reviewer or finished.
    public static func proofEditors(for claim: Claim) -> Set<ActorRole> {
        switch (claim.kind, claim.status) {
        case (.partnerActivities, .consentReceived), (.partnerActivities, .partnerActionRequired): partners
        case (.partnerActivities, .disputed): admin
        case (.useOrConsume, .customerClaimed), (.useOrConsume, .partnerActionRequired), (.useOrConsume, .disputed): admin
        default: []
        }
    }

    /// Refuses a change to the bundle ("Proof", "Hours", "The survey") the role may not make in the claim's status.
    public static func checkProofEditor(_ role: ActorRole, on claim: Claim, what: String = "Proof") throws(ClaimRefusal) {
        guard proofEditors(for: claim).contains(role) else {
            throw .cannotClaim("\(what) can't be changed while the claim is \(claim.status.label).")
        }
    }

    /// Who may change a claim's customer contacts now: the partner until the claim is submitted; never
    /// once the customer answered the survey (the answer belongs to those contacts).
    public static func contactEditors(for claim: Claim, customerSurveyAnswered: Bool) -> Set<ActorRole> {
        if customerSurveyAnswered || claim.status.isTerminal || claim.firstSubmittedAt != nil { return [] }
        return claim.kind == .useOrConsume ? admin : partners
    }

    /// The most hours one claim may count, whatever its engagement's maximum: more is a typing mistake.
    public static let hoursCeiling: Decimal = 10_000

    /// Variable pay: hours delivered, at most the version's maximum; the claim's amount follows.
    public static func enterHours(_ text: String, on claim: Claim, context: ClaimContext) throws(ClaimRefusal) -> Claim {
        let version = context.version(of: claim)
        guard version.payModel == .variable else { throw .cannotClaim("This engagement pays a fixed amount; it does not count hours.") }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // ASCII digits and at most one point: Decimal would read "12.5.1" as 12.5 and other scripts' digits not at all.
        guard trimmed.count <= 12, trimmed.filter({ $0 == "." }).count <= 1,
              trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let hours = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")), hours > 0 else {
            throw .cannotClaim("Give the hours delivered as a number, like 12 or 7.5.")
        }
        if hours > hoursCeiling { throw .cannotClaim("Give the hours delivered on this claim: at most \(hoursCeiling).") }
        if let max = version.maxHours, hours > max { throw .cannotClaim("This engagement pays at most \(max) hours per claim.") }
        var next = claim
        next.hours = hours
        next.amount = Pricing.expectedAmount(version: version, market: context.market, hours: hours)
        return next
    }
}
