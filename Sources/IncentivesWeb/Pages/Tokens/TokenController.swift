import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/settings/tokens`: every signed-in user's personal API tokens: the list (never the secrets), a form that creates
/// one and shows it once, and revoking with a confirmation. No section holds it: `SignedInGuard` only asks for a
/// session, and another user's token is not there (404).
struct TokenController: Sendable {
    let deps: AppDependencies
    let tokens: APITokenRepository

    init(deps: AppDependencies) {
        self.deps = deps
        tokens = deps.stores.apiTokens
    }

    func register(on router: Router<AppRequestContext>) {
        let settings = router.group().add(middleware: SignedInGuard())
        settings.get(SitePath.tokens.pattern, use: list)
        settings.post(SitePath.tokens.pattern, use: create)
        settings.post(SitePath.tokenRevoke(.key).pattern, use: revoke)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await page(context)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let viewer = try context.signedIn
        var form = TokensView.Form(name: context.form.text("name"), scope: context.form.text("scope"))
        guard let scope = APITokenScope(rawValue: form.scope) else {
            form.scopeError = "Choose what the token may do."
            return try await page(context, form: form, status: .unprocessableContent)
        }
        do {
            let (record, secret) = try await tokens.create(userID: viewer.userID, name: form.name, scope: scope, now: deps.clock.now)
            return try await page(context, created: (record, secret))
        } catch {
            guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
            form.nameError = message
            return try await page(context, form: form, status: .unprocessableContent)
        }
    }

    /// Asks first (the page again, with the token's row asking to confirm), then revokes.
    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        guard let id = context.parameters.get("id", as: Int64.self), let token = try await tokens.find(id, userID: viewer.userID) else {
            throw HTTPError(.notFound)
        }
        switch context.form.text("confirm") {
        case "yes": break
        case "": return try await page(context, confirming: token.id).response
        default: throw HTTPError(.badRequest, message: "The confirmation was not recognised; nothing was revoked.")
        }
        try await tokens.revoke(token.id, userID: viewer.userID, now: deps.clock.now)
        deps.apiCallers.forget(tokenID: token.id)
        return deps.redirect(to: SitePath.tokens.href(),
                             flash: Flash(kind: .success, message: "Token \"\(token.name)\" revoked; requests with it now fail."))
    }

    private func page(_ context: AppRequestContext, form: TokensView.Form? = nil, created: (APITokenRecord, String)? = nil,
                      confirming: Int64? = nil, status: HTTPResponse.Status = .ok) async throws -> HTML {
        let records = try await tokens.list(userID: try context.signedIn.userID)
        // A form sent back keeps its scope; any other page offers the one the request chose, if it names one.
        let form = form ?? TokensView.Form(scope: context.form.text("scope"))
        let view = TokensView(records, form: form, created: created, confirming: confirming, input: deps.pageInput(context))
        return deps.page("tokens", view, status: status)
    }
}
