import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// What a customer contact opens from an email, without an account: `/consent/{token}` (confirm or
/// decline a partner's claim, later withdraw it; a use-or-consume notice offers only the withdrawal) and
/// `/survey/{token}` (the customer survey). The token is the only key: 256 random bits, stored hashed,
/// one claim, replaced by a newer email, and for first answers expiring with the claim's deadline.
struct CustomerLinkPages: Sendable {
    let deps: AppDependencies
    let work: ClaimWork

    init(deps: AppDependencies) {
        self.deps = deps
        work = ClaimWork(db: deps.db, links: ClaimLinks(publicURL: deps.config.publicURL))
    }

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
    }

    struct SurveyView: PageView {
        let shell: Shell
        let action: String
        let partner: String
        let engagement: String
        let customer: String
        let state: String
        let canAnswer: Bool
        let fields: [SurveyField]
        let formError: String?
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/consent/{token}") { request, context -> Response in
            let (token, view) = try await consentLink(context)
            return page(consent(view, token: token, context: context))
        }
        router.post("/consent/{token}") { request, context -> Response in
            let (token, view) = try await consentLink(context)
            let action: ClaimAction? = switch context.form.text("answer") {
            case "accept": .acceptConsent
            case "decline": .declineConsent
            case "revoke": .revokeConsent
            default: nil
            }
            guard let action else { throw HTTPError(.badRequest, message: "That answer was not recognised; nothing was recorded.") }
            do {
                _ = try await work.answerConsent(token: token, action, address: context.remoteAddress, at: deps.clock.now)
                let message = switch action {
                case .acceptConsent: "Thank you: your confirmation is recorded. \(view.partnerName) can now claim the engagement."
                case .declineConsent: "Your answer is recorded: \(view.partnerName)'s claim will not go ahead."
                default: "Your consent is withdrawn; \(view.partnerName) will not earn on this claim."
                }
                return deps.redirect(to: "/consent/\(token)", flash: Flash(kind: .success, message: message))
            } catch {
                guard let refusal = ErrorAnswer.formRefusal(error) else { throw error }
                let fresh = try await work.customerLink(token: token) ?? view
                return page(consent(fresh, token: token, context: context, error: refusal.detail), status: .unprocessableContent)
            }
        }
        router.get("/survey/{token}") { request, context -> Response in
            let (token, view) = try await surveyLink(context)
            return page(survey(view, token: token, context: context))
        }
        router.post("/survey/{token}") { request, context -> Response in
            let (token, view) = try await surveyLink(context)
            var fields: [String: String] = [:]
            for q in Survey.customer.questions { fields[q.id] = context.form.text(q.id) }
            let (answers, errors) = Survey.customer.validate(fields, today: DayDate(deps.clock.now))
            if !errors.isEmpty {
                return page(survey(view, token: token, context: context, values: fields, errors: errors,
                                   error: "Check the answers marked below."), status: .unprocessableContent)
            }
            do {
                try await work.answerCustomerSurvey(token: token, answers.map { SurveyAnswer(id: $0.id, value: $0.value) },
                                                    address: context.remoteAddress, at: deps.clock.now)
                return deps.redirect(to: "/survey/\(token)", flash: Flash(kind: .success, message: "Thank you: your answers are recorded."))
            } catch {
                guard let refusal = ErrorAnswer.formRefusal(error) else { throw error }
                return page(survey(view, token: token, context: context, values: fields, error: refusal.detail), status: .unprocessableContent)
            }
        }
    }

    // The token stays out of caches and out of other sites' logs (the layout's Referrer-Policy is same-origin).
    private func page(_ html: HTML, status: HTTPResponse.Status? = nil) -> Response {
        var response = HTML(status: status ?? html.status, body: html.body).response
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func consentLink(_ context: AppRequestContext) async throws -> (String, CustomerLinkView) {
        guard let token = context.parameters.get("token"), token.count <= 100,
              let view = try await work.customerLink(token: token), view.link.purpose != .survey else { throw HTTPError(.notFound) }
        return (token, view)
    }

    private func surveyLink(_ context: AppRequestContext) async throws -> (String, CustomerLinkView) {
        guard let token = context.parameters.get("token"), token.count <= 100,
              let view = try await work.customerLink(token: token), view.link.purpose == .survey else { throw HTTPError(.notFound) }
        return (token, view)
    }

    private func consent(_ view: CustomerLinkView, token: String, context: AppRequestContext, error: String? = nil) -> HTML {
        let now = deps.clock.now
        let link = view.link
        let claim = view.claim
        let day = { (date: Date) in self.deps.format(date, for: nil) }
        let mayRevoke = ClaimLifecycle.rule(for: .revokeConsent, from: claim.status, kind: claim.kind, disputeRound: claim.isDisputeRound)?
            .actors.contains(.customer) == true
        var canAnswer = false, canRevoke = false
        let state: String
        if let revoked = link.revokedAt {
            state = "You withdrew your consent on \(day(revoked))."
        } else if link.voidedAt != nil {
            state = "This link was replaced by a newer email. Use the link in the latest email you received."
        } else if link.purpose == .notice {
            canRevoke = mayRevoke
            state = mayRevoke
                ? "\(view.partnerName) named itself your partner of record. If that is wrong, withdraw your consent below."
                : "This claim is \(claim.status.label.lowercased()); there is nothing to answer any more."
        } else if let answered = link.answeredAt, let answer = link.answer {
            canRevoke = answer == .accepted && mayRevoke
            state = answer == .accepted
                ? "You confirmed on \(day(answered))." + (canRevoke ? " You may still withdraw your consent." : "")
                : "You declined on \(day(answered))."
        } else if now >= link.expiresAt {
            state = "This link expired on \(day(link.expiresAt)). Ask \(view.partnerName) to send a new one if you still want to answer."
        } else if claim.status != .awaitingConsent {
            state = "This claim is \(claim.status.label.lowercased()); there is nothing to answer any more."
        } else {
            canAnswer = true
            state = "Please confirm or decline by \(day(link.expiresAt))."
        }
        return deps.page("consent", ConsentView(
            shell: Shell(context, deps: deps, title: link.purpose == .notice ? "Partner of record" : "Confirm your partner's work"),
            action: "/consent/\(token)", partner: view.partnerName, engagement: view.engagementName,
            description: view.engagementDescription, customer: view.customerName, contact: "\(link.contactName) <\(link.email)>",
            isNotice: link.purpose == .notice, state: state, canAnswer: canAnswer, canRevoke: canRevoke, error: error))
    }

    private func survey(_ view: CustomerLinkView, token: String, context: AppRequestContext, values: [String: String] = [:],
                        errors: [String: String] = [:], error: String? = nil) -> HTML {
        let link = view.link
        let day = { (date: Date) in self.deps.format(date, for: nil) }
        var canAnswer = false
        let state: String
        if let answered = link.answeredAt { state = "You answered on \(day(answered)). Thank you." }
        else if link.voidedAt != nil { state = "This link was replaced by a newer email. Use the link in the latest email you received." }
        else if deps.clock.now >= link.expiresAt { state = "This link expired on \(day(link.expiresAt))." }
        else if view.claim.status.isTerminal { state = "The partner's claim is closed; your answers are no longer needed. Thank you." }
        else { canAnswer = true; state = "Three short questions; your answers go to the vendor's reviewers." }
        let fields = Survey.customer.questions.map { q in
            SurveyField(q, value: values[q.id] ?? "", error: errors[q.id])
        }
        return deps.page("survey", SurveyView(
            shell: Shell(context, deps: deps, title: "Customer survey"), action: "/survey/\(token)", partner: view.partnerName,
            engagement: view.engagementName, customer: view.customerName, state: state, canAnswer: canAnswer, fields: fields, formError: error))
    }
}
