import Foundation
import IncentivesDomain
import IncentivesStore

/// The customer survey behind its link: the questions of the claim's version while the link is open, sent back with what was wrong.
struct CustomerSurveyView: PageView {
    let shell: Shell
    let action: String
    let partner: String
    let engagement: String
    let customer: String
    let state: String
    let canAnswer: Bool
    let fields: [SurveyField]
    let formError: String?

    /// - Parameters:
    ///   - values: the answers sent, to fill in again; `errors` what is wrong with each, by question.
    ///   - error: the form's message.
    init(_ view: CustomerLinkView, token: String, values: [String: String] = [:], errors: [String: String] = [:], error: String? = nil,
         input: PageInput) {
        shell = Shell(input, title: "Customer survey")
        action = SitePath.survey(token: .text(token)).href()
        partner = view.partnerName
        engagement = view.engagementName
        customer = view.customerName
        (state, canAnswer) = Self.standing(view, now: input.now, times: .customer)
        fields = view.customerQuestions.map { SurveyField($0, value: values[$0.id] ?? "", error: errors[$0.id]) }
        formError = error
    }

    static func standing(_ view: CustomerLinkView, now: Date, times: PageTimes) -> (String, Bool) {
        let link = view.link
        if let answered = link.answeredAt { return ("You answered on \(times.dateTime(answered)). Thank you.", false) }
        if link.voidedAt != nil { return ("This link was replaced by a newer email. Use the link in the latest email you received.", false) }
        if now >= link.expiresAt { return ("This link expired on \(times.dateTime(link.expiresAt)).", false) }
        if view.claim.status.isTerminal { return ("The partner's claim is closed; your answers are no longer needed. Thank you.", false) }
        let count = view.customerQuestions.count
        return ("\(count == 1 ? "One short question" : "\(count) short questions"); your answers go to the vendor's reviewers.", true)
    }
}
