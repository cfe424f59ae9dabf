import Foundation
import IncentivesDomain
import IncentivesStore

/// The API tokens page: the viewer's tokens (never their secrets), the one just created shown once, a revocation asked
/// to be confirmed, and the form that creates one (sent back with what was wrong).
struct TokensView: PageView {
    struct Line: Sendable {
        let id: Int64
        let name: String
        let prefix: String
        let scope: String
        let created: String
        let lastUsed: String
        let revoked: String?
        let active: Bool
        let confirming: Bool
        let revokeAction: String
    }

    struct ScopeOption: Sendable {
        let value: String
        let label: String
        let checked: Bool
    }

    /// What the create form sent back holds.
    struct Form: Sendable {
        var name = ""
        /// The scope chosen, "" for none (the form then offers `read`).
        var scope = ""
        var nameError: String?
        var scopeError: String?
    }

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
    let createAction: String
    let listHref: String
    let docsHref: String

    /// - Parameters:
    ///   - created: the token just made and its secret; the form is then empty again.
    ///   - confirming: the token whose revocation is asked to be confirmed.
    init(_ records: [APITokenRecord], form: Form = Form(), created: (APITokenRecord, String)? = nil, confirming: Int64? = nil,
         input: PageInput) {
        let times = input.times
        let chosen = created == nil ? form.scope : ""
        shell = Shell(input, title: "API tokens", trail: [("API tokens", nil)])
        tokens = records.map { t in
            Line(id: t.id, name: t.name, prefix: t.prefix + "…", scope: t.scope.label, created: times.dateTime(t.createdAt),
                 lastUsed: t.lastUsedAt.map(times.dateTime) ?? "Never", revoked: t.revokedAt.map(times.dateTime),
                 active: t.revokedAt == nil, confirming: t.id == confirming, revokeAction: SitePath.tokenRevoke(.id(t.id)).href())
        }
        hasTokens = !records.isEmpty
        scopes = APITokenScope.allCases.map {
            ScopeOption(value: $0.rawValue, label: $0.label, checked: $0.rawValue == (chosen.isEmpty ? APITokenScope.read.rawValue : chosen))
        }
        name = created == nil ? form.name : ""
        nameError = form.nameError
        scopeError = form.scopeError
        self.created = created?.1
        createdName = created?.0.name ?? ""
        createAction = SitePath.tokens.href()
        listHref = SitePath.tokens.href()
        docsHref = SitePath.apiDocs.href()
    }
}
