import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// What a customer contact opens from an email, without an account: `/consent/{token}` (confirm or decline a partner's
/// claim, later withdraw it; a use-or-consume notice offers only the withdrawal) and `/survey/{token}` (the customer
/// survey). The token is the only key: 256 random bits, stored hashed, one claim, replaced by a newer email, and for
/// first answers expiring with the claim's deadline. An unknown token, or one of the other purpose, is a 404.
struct CustomerLinkController: Sendable {
    let deps: AppDependencies
    let work: ClaimWork

    init(deps: AppDependencies) {
        self.deps = deps
        work = deps.stores.claimWork
    }

    func register(on router: Router<AppRequestContext>) {
        router.get(SitePath.consent(token: .key).pattern, use: showConsent)
        router.post(SitePath.consent(token: .key).pattern, use: answerConsent)
        router.get(SitePath.survey(token: .key).pattern, use: showSurvey)
        router.post(SitePath.survey(token: .key).pattern, use: answerSurvey)
    }

    // MARK: Consent

    @Sendable func showConsent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (token, link) = try await customerLink(context, survey: false)
        return page(deps.page("consent", ConsentView(link, token: token, input: deps.pageInput(context))))
    }

    @Sendable func answerConsent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (token, link) = try await customerLink(context, survey: false)
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
            case .acceptConsent: "Thank you: your confirmation is recorded. \(link.partnerName) can now claim the engagement."
            case .declineConsent: "Your answer is recorded: \(link.partnerName)'s claim will not go ahead."
            default: "Your consent is withdrawn; \(link.partnerName) will not earn on this claim."
            }
            return deps.redirect(to: SitePath.consent(token: .text(token)).href(), flash: Flash(kind: .success, message: message))
        } catch {
            guard let refusal = ErrorAnswer.formRefusal(error) else { throw error }
            let fresh = try await work.customerLink(token: token) ?? link
            let view = ConsentView(fresh, token: token, error: refusal.detail, input: deps.pageInput(context))
            return page(deps.page("consent", view, status: .unprocessableContent))
        }
    }

    // MARK: Customer survey

    @Sendable func showSurvey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (token, link) = try await customerLink(context, survey: true)
        return page(deps.page("survey", CustomerSurveyView(link, token: token, input: deps.pageInput(context))))
    }

    @Sendable func answerSurvey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (token, link) = try await customerLink(context, survey: true)
        var fields: [String: String] = [:]
        for q in link.customerQuestions { fields[q.id] = context.form.text(q.id) }
        let (answers, errors) = Survey.customer.validate(fields, questions: link.customerQuestions, today: DayDate(deps.clock.now))
        if !errors.isEmpty {
            let view = CustomerSurveyView(link, token: token, values: fields, errors: errors, error: "Check the answers marked below.",
                                          input: deps.pageInput(context))
            return page(deps.page("survey", view, status: .unprocessableContent))
        }
        do {
            try await work.answerCustomerSurvey(token: token, answers.map { SurveyAnswer(id: $0.id, value: $0.value) },
                                                address: context.remoteAddress, at: deps.clock.now)
            return deps.redirect(to: SitePath.survey(token: .text(token)).href(),
                                 flash: Flash(kind: .success, message: "Thank you: your answers are recorded."))
        } catch {
            guard let refusal = ErrorAnswer.formRefusal(error) else { throw error }
            let view = CustomerSurveyView(link, token: token, values: fields, error: refusal.detail, input: deps.pageInput(context))
            return page(deps.page("survey", view, status: .unprocessableContent))
        }
    }

    // MARK: Pieces

    // The token stays out of caches and out of other sites' logs (the layout's Referrer-Policy is same-origin).
    private func page(_ html: HTML) -> Response {
        var response = html.response
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The link of the route's token, if it is one of this purpose (a consent request and a notice both open `/consent`).
    private func customerLink(_ context: AppRequestContext, survey: Bool) async throws -> (String, CustomerLinkView) {
        guard let token = context.parameters.get("token"), token.count <= 100,
              let link = try await work.customerLink(token: token), (link.link.purpose == .survey) == survey else {
            throw HTTPError(.notFound)
        }
        return (token, link)
    }
}
