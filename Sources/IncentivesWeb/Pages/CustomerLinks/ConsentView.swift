import Foundation
import IncentivesDomain
import IncentivesStore

/// What a customer contact sees behind a consent link: the partner's claim, where the link stands, and the answers open
/// to them now. A use-or-consume notice offers only the withdrawal. Built from the link's values and the page input.
struct ConsentView: PageView {
    let shell: Shell
    let action: String
    let partner: String
    let engagement: String
    let description: String
    let customer: String
    let contact: String
    let isNotice: Bool
    let state: String
    let canAnswer: Bool
    let canRevoke: Bool
    let error: String?

    /// - Parameters:
    ///   - error: why the last answer was refused.
    init(_ view: CustomerLinkView, token: String, error: String? = nil, input: PageInput) {
        let link = view.link
        let isNotice = link.purpose == .notice
        shell = Shell(input, title: isNotice ? "Partner of record" : "Confirm your partner's work")
        action = SitePath.consent(token: .text(token)).href()
        partner = view.partnerName
        engagement = view.engagementName
        description = view.engagementDescription
        customer = view.customerName
        contact = "\(link.contactName) <\(link.email)>"
        self.isNotice = isNotice
        (state, canAnswer, canRevoke) = Self.standing(view, now: input.now, times: .customer)
        self.error = error
    }

    /// Where the link stands in words, and whether the customer may answer or withdraw now.
    static func standing(_ view: CustomerLinkView, now: Date, times: PageTimes) -> (String, Bool, Bool) {
        let link = view.link
        let claim = view.claim
        let partner = view.partnerName
        let day = times.dateTime
        let mayRevoke = ClaimLifecycle.rule(for: .revokeConsent, from: claim.status, kind: claim.kind, disputeRound: claim.isDisputeRound)?
            .actors.contains(.customer) == true
        let closed = "This claim is \(claim.status.label.lowercased()); there is nothing to answer any more."
        if let revoked = link.revokedAt {
            return ("You withdrew your consent on \(day(revoked)).", false, false)
        } else if link.voidedAt != nil {
            return ("This link was replaced by a newer email. Use the link in the latest email you received.", false, false)
        } else if link.purpose == .notice {
            let state = mayRevoke ? "\(partner) named itself your partner of record. If that is wrong, withdraw your consent below." : closed
            return (state, false, mayRevoke)
        } else if let answered = link.answeredAt, let answer = link.answer {
            let canRevoke = answer == .accepted && mayRevoke
            let state = answer == .accepted
                ? "You confirmed on \(day(answered))." + (canRevoke ? " You may still withdraw your consent." : "")
                : "You declined on \(day(answered))."
            return (state, false, canRevoke)
        } else if now >= link.expiresAt {
            return ("This link expired on \(day(link.expiresAt)). Ask \(partner) to send a new one if you still want to answer.", false, false)
        } else if claim.status != .awaitingConsent {
            return (closed, false, false)
        }
        return ("Please confirm or decline by \(day(link.expiresAt)).", true, false)
    }
}

extension PageTimes {
    /// Times on the pages behind a customer's link: the customer is nobody's signed-in viewer, so UTC, whoever opens it.
    static let customer = PageTimes(zone: PageTime.utc)
}
