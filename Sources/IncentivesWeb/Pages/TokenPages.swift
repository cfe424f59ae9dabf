import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/settings/tokens`: every signed-in user's personal API tokens: the list (never the secrets), a form that
/// creates one and shows it once, and revoking with a confirmation.
struct TokenPages: Sendable {
    let deps: AppDependencies
    let tokens: APITokenRepository

    init(deps: AppDependencies) {
        self.deps = deps
        tokens = APITokenRepository(db: deps.db)
    }

    struct Line: Sendable {
        let id: Int64; let name: String; let prefix: String; let scope: String; let created: String; let lastUsed: String
        let revoked: String?; let active: Bool; let confirming: Bool
    }
    struct ScopeOption: Sendable { let value: String; let label: String; let checked: Bool }
    struct View: PageView {
        let shell: Shell
        let tokens: [Line]
        let hasTokens: Bool
        let scopes: [ScopeOption]
        let name: String
        let nameError: String?
        let scopeError: String?
        /// The token just created, shown this once.
        let created: String?
        let createdName: String
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/tokens") { request, context in
            let viewer = try signedIn(request, context)
            return try await page(viewer, context)
        }
        router.post("/settings/tokens") { request, context -> Response in
            let viewer = try signedIn(request, context)
            let name = context.form.text("name")
            guard let scope = APITokenScope(rawValue: context.form.text("scope")) else {
                return try await page(viewer, context, name: name, scopeError: "Choose what the token may do.", status: .unprocessableContent).response
            }
            do {
                let (record, secret) = try await tokens.create(userID: viewer.userID, name: name, scope: scope, now: deps.clock.now)
                return try await page(viewer, context, created: (record, secret)).response
            } catch {
                guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
                return try await page(viewer, context, name: name, nameError: message, status: .unprocessableContent).response
            }
        }
        router.post("/settings/tokens/{id}/revoke") { request, context -> Response in
            let viewer = try signedIn(request, context)
            guard let id = context.parameters.get("id", as: Int64.self), let token = try await tokens.find(id, userID: viewer.userID) else {
                throw HTTPError(.notFound)
            }
            switch context.form.text("confirm") {
            case "yes": break
            case "": return try await page(viewer, context, confirming: token.id).response
            default: throw HTTPError(.badRequest, message: "The confirmation was not recognised; nothing was revoked.")
            }
            try await tokens.revoke(token.id, userID: viewer.userID, now: deps.clock.now)
            deps.apiCallers.forget(tokenID: token.id)
            return deps.redirect(to: "/settings/tokens", flash: Flash(kind: .success, message: "Token \"\(token.name)\" revoked; requests with it now fail."))
        }
    }

    private func signedIn(_ request: Request, _ context: AppRequestContext) throws -> Viewer {
        guard let viewer = context.viewer else { throw SignInRequired(next: request.uri.path) }
        return viewer
    }

    private func page(_ viewer: Viewer, _ context: AppRequestContext, name: String = "", nameError: String? = nil,
                      scopeError: String? = nil, created: (APITokenRecord, String)? = nil, confirming: Int64? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> HTML {
        let lines = try await tokens.list(userID: viewer.userID).map { t in
            Line(id: t.id, name: t.name, prefix: t.prefix + "…", scope: t.scope.label, created: deps.format(t.createdAt, for: viewer),
                 lastUsed: t.lastUsedAt.map { deps.format($0, for: viewer) } ?? "Never",
                 revoked: t.revokedAt.map { deps.format($0, for: viewer) }, active: t.revokedAt == nil, confirming: t.id == confirming)
        }
        let chosen = created == nil ? context.form.text("scope") : ""
        return deps.page("tokens", View(
            shell: Shell(context, deps: deps, title: "API tokens", trail: [("API tokens", nil)]),
            tokens: lines, hasTokens: !lines.isEmpty,
            scopes: APITokenScope.allCases.map { ScopeOption(value: $0.rawValue, label: $0.label, checked: $0.rawValue == (chosen.isEmpty ? "read" : chosen)) },
            name: created == nil ? name : "", nameError: nameError, scopeError: scopeError,
            created: created?.1, createdName: created?.0.name ?? ""), status: status)
    }
}
