import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// Every route × every role (and signed out) × own and foreign ids: the expected status. A route added
/// to the router without an entry here fails the test.
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    enum Who: String, CaseIterable, Sendable {
        case signedOut, partnerAdmin, partnerUser, accountAdminOnly, reviewer, manager
        var isPartner: Bool { self == .partnerAdmin || self == .partnerUser }
        var isVendor: Bool { self == .reviewer || self == .manager }
        var isAccountAdmin: Bool { self == .partnerAdmin || self == .accountAdminOnly }
    }
    enum Whose: String, Sendable { case own, foreign }

    /// The expected status of a route for a role and (for routes with an id) whose record it names.
    typealias Rule = @Sendable (Who, Whose) -> HTTPResponse.Status

    /// A page of a section: signed out → sign in; a role without the section → 403.
    static func section(_ allowed: @escaping @Sendable (Who) -> Bool, ok: HTTPResponse.Status = .ok) -> Rule {
        { who, _ in who == .signedOut ? .seeOther : allowed(who) ? ok : .forbidden }
    }

    /// A record in a section: own → `ok`, foreign → 404, for the roles that may open the section.
    static func record(_ allowed: @escaping @Sendable (Who) -> Bool, ok: HTTPResponse.Status = .ok,
                       foreign: @escaping @Sendable (Who) -> HTTPResponse.Status = { _ in .notFound }) -> Rule {
        { who, whose in who == .signedOut ? .seeOther : !allowed(who) ? .forbidden : whose == .own ? ok : foreign(who) }
    }

    /// A form on a claim: partners on their own claim and the vendor on any get `ok`; a partner on a foreign claim 404.
    static func claimForm(_ ok: HTTPResponse.Status) -> Rule {
        record({ $0.isPartner || $0.isVendor }, ok: ok, foreign: { $0.isVendor ? ok : .notFound })
    }

    /// A partner's change to a claim: done (303) on an own claim, 404 on a foreign one; the vendor reaches every claim and
    /// is refused by the domain (422, the reason on the page).
    static let partnerChange: Rule = { who, whose in
        switch who {
        case .signedOut: .seeOther
        case .accountAdminOnly: .forbidden
        case .reviewer, .manager: .unprocessableContent
        case .partnerAdmin, .partnerUser: whose == .own ? .seeOther : .notFound
        }
    }

    static let matrix: [String: Rule] = [
        "GET /health": { _, _ in .ok },
        "GET /ready": { _, _ in .ok },
        // Served only with METRICS_TOKEN (and then to its bearer alone, `MetricsTests`); the harness sets none.
        "GET /metrics": { _, _ in .notFound },
        "GET /login": { who, _ in who == .signedOut ? .ok : .seeOther },
        // A demo sign-in, signed in or not.
        "POST /login": { _, _ in .seeOther },
        "GET /logout": { who, _ in who == .signedOut ? .seeOther : .ok },
        "POST /logout": { _, _ in .seeOther },
        "GET /": section { _ in true },
        // The home page's charts as CSV: the program's for the vendor (both roles), a partner's own for partners; an account
        // admin alone, who sees no chart, 403.
        "GET /dashboard/funnel.csv": section { $0.isVendor },
        "GET /dashboard/review-wait.csv": section { $0.isVendor },
        "GET /dashboard/decisions.csv": section { $0.isVendor },
        "GET /dashboard/reasons.csv": section { $0.isVendor },
        "GET /dashboard/spend.csv": section { $0.isVendor },
        "GET /dashboard/top-partners.csv": section { $0.isVendor },
        "GET /dashboard/deadlines.csv": section { $0.isPartner },
        "GET /dashboard/earnings.csv": section { $0.isPartner },
        "GET /dashboard/needs-action.csv": section { $0.isPartner },
        "GET /engagements": section { $0.isPartner },
        // Own: an engagement Bluefin's locations (Seattle included) are listed on; foreign: an unknown id (Bluefin is on every list).
        "GET /engagements/{id}": record { $0.isPartner },
        "GET /engagements/{id}/customers": record { $0.isPartner },
        "GET /engagements/{id}/eligibility": record { $0.isPartner },
        "GET /engagements/{id}/templates/{kind}": record { $0.isPartner },
        "GET /eligibility": section { $0.isPartner },
        "GET /claims": section { $0.isPartner || $0.isVendor },
        "GET /claims.csv": section { $0.isPartner || $0.isVendor },
        // Adding customers is the partner's (the last step, complete: the claim is made).
        "GET /claims/new": section { $0.isPartner },
        "POST /claims/new": section({ $0.isPartner }, ok: .seeOther),
        "GET /claims.xlsx": section { $0.isPartner || $0.isVendor },
        // The vendor sees every organization's claims.
        "GET /claims/{id}": record({ $0.isPartner || $0.isVendor }, foreign: { $0.isVendor ? .ok : .notFound }),
        // Claim forms filled in as the page would, on a claim in a status that allows them (see AuthorizationMatrixForms): the
        // partner's are done on an own claim, refused by the domain for the vendor; a document really uploaded downloads.
        "POST /claims/{id}/actions": partnerChange,
        "POST /claims/{id}/documents": partnerChange,
        "GET /claims/{id}/documents/{proof}": claimForm(.ok),
        "POST /claims/{id}/proof/{proof}/remove": partnerChange,
        "POST /claims/{id}/survey": partnerChange,
        "POST /claims/{id}/customer-survey": partnerChange,
        "POST /claims/{id}/hours": partnerChange,
        "POST /claims/{id}/contacts": partnerChange,
        "POST /claims/{id}/comments": claimForm(.seeOther),
        // Customer links need no account: the secret in the link is the authority.
        "GET /consent/{token}": { _, whose in whose == .own ? .ok : .notFound },
        "POST /consent/{token}": { _, whose in whose == .own ? .seeOther : .notFound },
        "GET /survey/{token}": { _, whose in whose == .own ? .ok : .notFound },
        "POST /survey/{token}": { _, whose in whose == .own ? .seeOther : .notFound },
        "GET /payee-profiles": section { $0.isPartner || $0 == .manager },
        // Payee edits are the Incentives admin's; Incentives users only view (403); another organization's ids are 404.
        "GET /payee-profiles/bank/new": section { $0 == .partnerAdmin },
        "POST /payee-profiles/bank/new": section({ $0 == .partnerAdmin }, ok: .seeOther),
        "GET /payee-profiles/bank/{id}/replace": record { $0 == .partnerAdmin },
        "POST /payee-profiles/bank/{id}/replace": record({ $0 == .partnerAdmin }, ok: .seeOther),
        // Only the program manager decides, on every organization's profiles (back to the list, done or refused with a reason).
        "POST /payee-profiles/bank/{id}/decision": { who, _ in who == .signedOut || who == .manager ? .seeOther : .forbidden },
        "POST /payee-profiles/locations/{id}/bank": record({ $0 == .partnerAdmin }, ok: .seeOther),
        "GET /payee-profiles/locations/{id}/tax/new": record { $0 == .partnerAdmin },
        "POST /payee-profiles/locations/{id}/tax/new": record({ $0 == .partnerAdmin }, ok: .seeOther),
        "GET /enrollment": section { $0.isPartner || $0 == .manager },
        // The manager decides on every organization's enrollments (back to the list, done or refused with a reason).
        "POST /enrollment/{program}/{location}": { who, whose in
            who == .signedOut || who == .manager ? .seeOther : who != .partnerAdmin ? .forbidden : whose == .own ? .seeOther : .notFound },
        "GET /earnings": section { $0.isPartner || $0 == .manager },
        "GET /earnings.csv": section { $0.isPartner || $0 == .manager },
        "GET /review": section { $0.isVendor },
        // Decisions are the reviewer's; the program manager sees the queue. A bulk approval answers with its outcome (200).
        // Own: a claim in an arbitration; foreign: a claim in none (404).
        "POST /review/bulk": { who, _ in who == .signedOut ? .seeOther : who == .reviewer ? .ok : .forbidden },
        "GET /review/arbitration/{id}": { who, whose in who == .signedOut ? .seeOther : !who.isVendor ? .forbidden : whose == .own ? .ok : .notFound },
        "POST /review/arbitration/{id}": { who, whose in
            who == .signedOut ? .seeOther : who != .reviewer ? .forbidden : whose == .own ? .seeOther : .notFound },
        "GET /catalogue": section { $0.isVendor },
        // The console: reviewers read every engagement; changes are the program manager's (the demo has its program
        // already, so starting one is refused next to the form). Own: an area and an engagement that exist; foreign: 404.
        "GET /catalogue/engagements/{id}": record { $0.isVendor },
        "GET /catalogue/engagements/new": section { $0 == .manager },
        "POST /catalogue/engagements": section({ $0 == .manager }, ok: .seeOther),
        "GET /catalogue/engagements/{id}/draft": record { $0 == .manager },
        "POST /catalogue/engagements/{id}/draft": record({ $0 == .manager }, ok: .seeOther),
        "POST /catalogue/engagements/{id}/versions": record({ $0 == .manager }, ok: .seeOther),
        "POST /catalogue/engagements/{id}/publish": record({ $0 == .manager }, ok: .seeOther),
        "POST /catalogue/engagements/{id}/close": record({ $0 == .manager }, ok: .seeOther),
        // Proof template files of the draft (own: the fixtures' draft, which asks for a findings document): the program manager
        // uploads and removes; every vendor user downloads a file of the engagement (own: the one the fixtures uploaded).
        "POST /catalogue/engagements/{id}/draft/templates/{kind}": record({ $0 == .manager }, ok: .seeOther),
        "POST /catalogue/engagements/{id}/draft/templates/{kind}/remove": record({ $0 == .manager }, ok: .seeOther),
        "GET /catalogue/engagements/{id}/templates/{template}": record { $0.isVendor },
        "POST /catalogue/program": section({ $0 == .manager }, ok: .unprocessableContent),
        "POST /catalogue/areas": section({ $0 == .manager }, ok: .seeOther),
        "GET /catalogue/areas/{id}": record { $0 == .manager },
        "POST /catalogue/areas/{id}": record({ $0 == .manager }, ok: .seeOther),
        // An engagement's eligibility list (own: engagement 15, whose list Kestrel is not on; foreign: an unknown one): the
        // vendor reads it, only the program manager changes it (adds location 8, sets and removes Seattle's, previews an import).
        "GET /catalogue/engagements/{id}/eligibility": record { $0.isVendor },
        "POST /catalogue/engagements/{id}/eligibility": record({ $0 == .manager }, ok: .seeOther),
        "POST /catalogue/engagements/{id}/eligibility/import": record { $0 == .manager },
        "GET /catalogue/engagements/{id}/eligibility/locations/{location}/remove": record { $0 == .manager },
        "POST /catalogue/engagements/{id}/eligibility/locations/{location}/remove": record({ $0 == .manager }, ok: .seeOther),
        "POST /catalogue/engagements/{id}/eligibility/locations/{location}/criteria": record({ $0 == .manager }, ok: .seeOther),
        // Inclusion requests: the vendor reads the queue and a request (own: the one the fixtures send; foreign: an unknown
        // id), only the program manager answers; a partner's Incentives admin asks for a location of theirs not on the list
        // of an engagement they see (own: engagement 2; foreign: an unknown one).
        "GET /catalogue/inclusion-requests": section { $0.isVendor },
        "GET /catalogue/inclusion-requests/{id}": record { $0.isVendor },
        "POST /catalogue/inclusion-requests/{id}/decision": record({ $0 == .manager }, ok: .seeOther),
        "POST /engagements/{id}/inclusion-requests": record({ $0 == .partnerAdmin }, ok: .seeOther),
        "GET /settings/users": section { $0.isAccountAdmin },
        "POST /settings/users": section({ $0.isAccountAdmin }, ok: .seeOther),
        "GET /settings/users/{id}": record { $0.isAccountAdmin },
        "POST /settings/users/{id}/roles": record({ $0.isAccountAdmin }, ok: .seeOther),
        "POST /settings/users/{id}/invitation": record({ $0.isAccountAdmin }, ok: .seeOther),
        // Webhooks: an organization's Incentives admins for its endpoints, the program manager for the vendor's; another
        // owner's endpoint or delivery is 404. Adding answers 201 with the new secret, shown once.
        "GET /settings/webhooks": section { $0 == .partnerAdmin || $0 == .manager },
        "POST /settings/webhooks": section({ $0 == .partnerAdmin || $0 == .manager }, ok: .created),
        "GET /settings/webhooks/{id}": record { $0 == .partnerAdmin || $0 == .manager },
        "POST /settings/webhooks/{id}/enable": record({ $0 == .partnerAdmin || $0 == .manager }, ok: .seeOther),
        "POST /settings/webhooks/{id}/disable": record({ $0 == .partnerAdmin || $0 == .manager }, ok: .seeOther),
        "POST /settings/webhooks/{id}/test": record({ $0 == .partnerAdmin || $0 == .manager }, ok: .seeOther),
        "POST /settings/webhooks/{id}/rotate": record { $0 == .partnerAdmin || $0 == .manager },
        "GET /settings/webhooks/{id}/delete": record { $0 == .partnerAdmin || $0 == .manager },
        "POST /settings/webhooks/{id}/delete": record({ $0 == .partnerAdmin || $0 == .manager }, ok: .seeOther),
        "GET /settings/webhooks/{id}/deliveries/{delivery}": record { $0 == .partnerAdmin || $0 == .manager },
        "POST /settings/webhooks/{id}/deliveries/{delivery}/resend": record({ $0 == .partnerAdmin || $0 == .manager }, ok: .seeOther),
        // Budgets: the vendor reads them and the reconciliation; only the program manager changes them (own: engagement 1;
        // foreign: an unknown one).
        // Payments: the program manager's runs (a reviewer and partners 403 before anything is read); an unknown run is 404.
        // The steps run on a run made for the purpose (AuthorizationMatrixForms.paymentRun): gathered by the second program
        // manager, so the first may approve it.
        "GET /payments": section { $0 == .manager },
        "POST /payments/runs": section({ $0 == .manager }, ok: .seeOther),
        "POST /payments/settings": section({ $0 == .manager }, ok: .seeOther),
        "GET /payments/runs/{id}": record { $0 == .manager },
        "POST /payments/runs/{id}/approve": record({ $0 == .manager }, ok: .seeOther),
        "POST /payments/runs/{id}/cancel": record({ $0 == .manager }, ok: .seeOther),
        "POST /payments/runs/{id}/send": record({ $0 == .manager }, ok: .seeOther),
        "POST /payments/runs/{id}/lines/{line}": record({ $0 == .manager }, ok: .seeOther),
        // The demo's run 1, completed: its CSV downloads (and the download is in its history).
        "GET /payments/runs/{id}/export": record { $0 == .manager },
        // A confirmation file previewed on a sent run made for the purpose (nothing is stored until it is applied).
        "POST /payments/runs/{id}/confirmations": record { $0 == .manager },
        // A remittance advice: the partner's own location of a sent run; another organization's location is 404 to a partner
        // and there for the program manager, who reads every one.
        "GET /earnings/remittances/{id}/{location}": record({ $0.isPartner || $0 == .manager }, foreign: { $0 == .manager ? .ok : .notFound }),
        "GET /earnings/remittances/{id}/{location}/advice.csv": record({ $0.isPartner || $0 == .manager },
                                                                       foreign: { $0 == .manager ? .ok : .notFound }),
        "GET /catalogue/budgets": section { $0.isVendor },
        "GET /catalogue/budgets/reconciliation.csv": section { $0.isVendor },
        "POST /catalogue/budgets/program": section({ $0 == .manager }, ok: .seeOther),
        "POST /catalogue/budgets/engagements/{id}": record({ $0 == .manager }, ok: .seeOther),
        // Invitation links need no account: the secret in the link is the authority.
        "GET /invitations/{token}": { _, whose in whose == .own ? .ok : .notFound },
        "POST /invitations/{token}": { _, whose in whose == .own ? .seeOther : .notFound },
        // The API's reference is public; its operations have their own router and tests (APITests).
        "GET /api/docs": { _, _ in .ok },
        // Every signed-in user keeps personal API tokens: a new one is shown once (200); a confirmed revocation is done
        // (303), and another user's token is not there (404).
        "GET /settings/tokens": section { _ in true },
        "POST /settings/tokens": section { _ in true },
        "POST /settings/tokens/{id}/revoke": record({ _ in true }, ok: .seeOther),
        // Every signed-in user has a private calendar address, made or renewed by the page's one button (back to the page).
        // The feed needs no session: own is that user's address (a partner admin's for the signed-out visitor), foreign a
        // well-formed secret no one holds (404, as an unknown page).
        "GET /settings/calendar": section { _ in true },
        "POST /settings/calendar": section({ _ in true }, ok: .seeOther),
        "GET /calendar/{secret}.ics": { _, whose in whose == .own ? .ok : .notFound },
        // Partners: the vendor's directory, read by the reviewer, changed by the program manager (403 for the reviewer before
        // anything is read); partners never open it. Own: Bluefin (1) and its location 1; foreign: an unknown organization,
        // Cedar's location 5 under Bluefin, Cedar's admin under Bluefin.
        "GET /partners": section { $0.isVendor },
        "GET /partners/new": section { $0 == .manager },
        "POST /partners/new": section({ $0 == .manager }, ok: .seeOther),
        "GET /partners/{id}": record { $0.isVendor },
        "GET /partners/{id}/edit": record { $0 == .manager },
        "POST /partners/{id}/edit": record({ $0 == .manager }, ok: .seeOther),
        "POST /partners/{id}/deactivate": record({ $0 == .manager }, ok: .seeOther),
        "POST /partners/{id}/reactivate": record({ $0 == .manager }, ok: .seeOther),
        "POST /partners/{id}/locations": record({ $0 == .manager }, ok: .seeOther),
        "GET /partners/{id}/locations/{location}": record { $0 == .manager },
        "POST /partners/{id}/locations/{location}": record({ $0 == .manager }, ok: .seeOther),
        "POST /partners/{id}/locations/{location}/deactivate": record({ $0 == .manager }, ok: .seeOther),
        "POST /partners/{id}/locations/{location}/reactivate": record({ $0 == .manager }, ok: .seeOther),
        "POST /partners/{id}/admin": record({ $0 == .manager }, ok: .seeOther),
        "POST /partners/{id}/users/{user}/invitation": record({ $0 == .manager }, ok: .seeOther),
        "POST /partners/{id}/enrollment": record({ $0 == .manager }, ok: .seeOther),
    ]

    /// A customer link on the claim, open for a day, as the consent and survey emails carry it; its secret.
    static func customerLink(_ app: WebHarness, on claim: Int64, purpose: String) async throws -> String {
        let secret = Secret.make()
        try await app.db.write { sql in
            try await sql.raw("""
                INSERT INTO customer_links (claim_id, purpose, token_hash, email, contact_name, created_at, expires_at)
                VALUES (\(bind: claim), \(bind: purpose), \(bind: Secret.hash(secret)), 'it@contoso.example', 'Ada',
                        \(bind: app.clock.now), \(bind: app.clock.now.addingTimeInterval(86_400)))
                """).run()
        }
        return secret
    }

    @Test("every route has an entry, and every role gets the expected status on own and foreign ids, POSTs with valid forms")
    func matrixHolds() async throws {
        try await WebHarness.with { app in
            let routes = Set(buildRouter(app.deps).routes.map { "\($0.method) \($0.path)" })
            #expect(routes == Set(Self.matrix.keys), "routes without a matrix entry: \(routes.subtracting(Self.matrix.keys).sorted()); entries without a route: \(Set(Self.matrix.keys).subtracting(routes).sorted())")
            let f = try await Self.setUp(app)
            var failures: [String] = []
            // GETs first (they read the fixtures as made), then the POSTs, which may change them.
            for (route, rule) in Self.matrix.sorted(by: { $0.key < $1.key }) {
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0]))!
                let template = String(parts[1])
                let hasID = template.contains("{")
                for who in Who.allCases {
                    for whose in hasID ? [Whose.own, .foreign] : [.own] {
                        let path = Self.path(template, who, whose, f)
                        let browser = who == .signedOut ? app.browser() : try await app.signedIn(Self.emails[who]!)
                        try await browser.get("/login") // picks up a signed-out form token cookie
                        if who != .signedOut { try await browser.get("/") }
                        let page: Browser.Page
                        if method == .post {
                            guard let form = try await Self.form(route, who, whose, path: path, f, app) else {
                                failures.append("\(route): no valid form to send")
                                continue
                            }
                            if let file = form.file {
                                page = try await browser.upload(form.path, form.fields, file: file)
                            } else {
                                page = try await browser.post(form.path, form.fields)
                            }
                        } else {
                            page = try await browser.get(path, method: method)
                        }
                        let expected = rule(who, whose)
                        if page.status != expected {
                            failures.append("\(method) \(path) as \(who) (\(whose)): expected \(expected.code), got \(page.status.code) \(page.body.h1 ?? "")")
                        }
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }
    }

    /// The route's path with the fixtures' own or foreign ids (a POST's form may pick a claim in the right status instead).
    static func path(_ template: String, _ who: Who, _ whose: Whose, _ f: Fixtures) -> String {
        let own = whose == .own
        var path = template
        if template.hasPrefix("/review/") { path = path.replacingOccurrences(of: "{id}", with: "\(own ? f.arbitration : f.cedarClaim)") }
        if template.hasSuffix("/documents/{proof}") {
            let (claim, proof) = own ? f.ownProof : f.cedarProof
            return "/claims/\(claim)/documents/\(proof)"
        }
        if template.hasPrefix("/claims/") { path = path.replacingOccurrences(of: "{id}", with: "\(own ? f.ownClaim : f.cedarClaim)") }
        if template.hasPrefix("/engagements/") {
            path = path.replacingOccurrences(of: "{id}", with: own ? "2" : "987654").replacingOccurrences(of: "{kind}", with: "findings_document")
        }
        if template.hasPrefix("/catalogue/areas/") { path = path.replacingOccurrences(of: "{id}", with: own ? "1" : "987654") }
        // An engagement's eligibility list: engagement 15 (Kestrel is not on it); the console's own pages: a draft.
        if template.hasPrefix("/catalogue/engagements/{id}/eligibility") {
            path = path.replacingOccurrences(of: "{id}", with: own ? "15" : "987654").replacingOccurrences(of: "{location}", with: "1")
        } else if template.hasPrefix("/catalogue/engagements/") {
            path = path.replacingOccurrences(of: "{id}", with: own ? "\(f.catalogueDraft)" : "987654")
                .replacingOccurrences(of: "{kind}", with: "findings_document")
                .replacingOccurrences(of: "{template}", with: own ? "\(f.catalogueTemplate)" : "987654")
        }
        if template.hasPrefix("/catalogue/inclusion-requests/") {
            path = path.replacingOccurrences(of: "{id}", with: own ? "\(f.inclusionRequest)" : "987654")
        }
        if template.hasPrefix("/payments/runs/{id}") {
            path = path.replacingOccurrences(of: "{id}", with: own ? "1" : "987654").replacingOccurrences(of: "{line}", with: "1")
            if template.hasSuffix("/export") { path += "?format=csv" }
        }
        if template.hasPrefix("/earnings/remittances/") {
            let (run, location) = own ? f.remittance : f.cedarRemittance
            path = path.replacingOccurrences(of: "{id}", with: "\(run)").replacingOccurrences(of: "{location}", with: "\(location)")
        }
        if template.hasPrefix("/catalogue/budgets/engagements/") { path = path.replacingOccurrences(of: "{id}", with: own ? "1" : "987654") }
        if template.hasPrefix("/payee-profiles/bank/") { path = path.replacingOccurrences(of: "{id}", with: own ? "1" : "2") }
        if template.hasPrefix("/payee-profiles/locations/") { path = path.replacingOccurrences(of: "{id}", with: own ? "1" : "5") }
        if template.hasPrefix("/enrollment/") {
            path = path.replacingOccurrences(of: "{program}", with: "1").replacingOccurrences(of: "{location}", with: own ? "1" : "5")
        }
        if template.hasPrefix("/settings/tokens/") {
            let owner = own ? emails[who] ?? "admin@bluefin.example" : "admin@cedar.example"
            path = path.replacingOccurrences(of: "{id}", with: "\(f.tokens[owner]!)")
        }
        if template.hasPrefix("/calendar/") {
            let secret = own ? f.calendars[emails[who] ?? "admin@bluefin.example"]! : String(repeating: "A", count: 43)
            path = path.replacingOccurrences(of: "{secret}", with: secret)
        }
        if template.hasPrefix("/settings/users/") { path = path.replacingOccurrences(of: "{id}", with: "\(own ? f.bluefinUser : f.cedarAdmin)") }
        if template.hasPrefix("/settings/webhooks/") {
            let hook = f.hooks[!own ? "cedar" : who == .manager ? "vendor" : "bluefin"]!
            path = path.replacingOccurrences(of: "{id}", with: "\(hook.endpoint)").replacingOccurrences(of: "{delivery}", with: "\(hook.delivery)")
        }
        if template.hasPrefix("/partners/") {
            let nested = template.contains("{location}") || template.contains("{user}")
            path = path.replacingOccurrences(of: "{id}", with: own || nested ? "1" : "987654")
                .replacingOccurrences(of: "{location}", with: own ? "1" : "5")
                .replacingOccurrences(of: "{user}", with: "\(own ? f.invitedMember : f.cedarAdmin)")
        }
        let ownToken = template.hasPrefix("/consent/") ? f.consentToken : template.hasPrefix("/survey/") ? f.surveyToken : f.invitation
        return path.replacingOccurrences(of: "{token}", with: own ? ownToken : "not-a-real-token-0123456789abcdef")
    }

    /// The API's reads for each role, as the pages decide them (`Viewer.may(open:)`); no token is 401.
    static func api(_ allowed: @escaping @Sendable (Who) -> Bool, own: @escaping @Sendable (Who) -> HTTPResponse.Status = { _ in .ok },
                    foreign: @escaping @Sendable (Who) -> HTTPResponse.Status = { _ in .notFound }) -> Rule {
        { who, whose in who == .signedOut ? .unauthorized : !allowed(who) ? .forbidden : whose == .own ? own(who) : foreign(who) }
    }

    /// Payment run 1 canceled and run 2 gathered, approved by a second program manager, exported and sent.
    /// The demo's second run (sent and confirmed) pays Bluefin's London (location 2): the reads' own run and location.
    static func sentPaymentRun(_ app: WebHarness) async throws {
        let run = try #require(try await app.deps.stores.paymentRuns.run(2))
        #expect([.sent, .completed].contains(run.run.status) && run.lines.contains { $0.locationID == 2 },
                "the matrix reads run 2 and location 2: run 2 is \(run.run.status) and pays \(run.lines.map(\.locationID))")
    }

    static let apiMatrix: [String: Rule] = [
        "GET /me": { who, _ in who == .signedOut ? .unauthorized : .ok },
        "GET /engagements": api { $0.isPartner },
        "GET /engagements/{id}": api { $0.isPartner },
        "GET /locations": api { $0.isPartner },
        "GET /payee-profiles": api { $0.isPartner || $0 == .manager },
        "GET /enrollments": api { $0.isPartner || $0 == .manager },
        "GET /customers": api { $0.isPartner || $0.isVendor },
        "GET /earnings": api { $0.isPartner || $0 == .manager },
        "GET /claims": api { $0.isPartner || $0.isVendor },
        "GET /claims/{id}": api({ $0.isPartner || $0.isVendor }, foreign: { $0.isVendor ? .ok : .notFound }),
        "GET /claims/{id}/history": api({ $0.isPartner || $0.isVendor }, foreign: { $0.isVendor ? .ok : .notFound }),
        "GET /claims/{id}/comments": api({ $0.isPartner || $0.isVendor }, foreign: { $0.isVendor ? .ok : .notFound }),
        "GET /catalogue/engagements": api { $0.isVendor },
        // A proof template of engagement 2 (own) for partners who see it; foreign: an unknown engagement.
        "GET /engagements/{id}/templates/{kind}": api { $0.isPartner },
        "GET /exports/claims.csv": api { $0.isPartner || $0.isVendor },
        "GET /exports/claims.xlsx": api { $0.isPartner || $0.isVendor },
        // The vendor's partner directory: own is organization 2, foreign an unknown id.
        "GET /partners": api { $0.isVendor },
        "GET /partners/{id}": api { $0.isVendor },
        // The catalogue console and eligibility lists (own: engagement 2), the vendor's queue, a partner's own requests.
        "GET /catalogue/program": api { $0.isVendor },
        "GET /catalogue/areas": api { $0.isVendor },
        "GET /catalogue/engagements/{id}": api { $0.isVendor },
        "GET /catalogue/engagements/{id}/preview": api { $0.isVendor },
        "GET /catalogue/engagements/{id}/eligibility": api { $0.isVendor },
        "GET /inclusion-requests": api { $0.isVendor },
        "GET /engagements/{id}/inclusion-requests": api { $0.isPartner },
        "GET /budgets": api { $0.isVendor },
        "GET /budgets/reconciliation": api { $0.isVendor },
        // Payments: runs and settings are the program manager's alone (they hold every payee's account); remittances are read
        // in the Earnings section's roles. Run 2 is sent and pays Bluefin's London (location 2, not Seattle's user's).
        "GET /payment-runs": api { $0 == .manager },
        "GET /payment-runs/{id}": api { $0 == .manager },
        "GET /payment-runs/{id}/remittances/{location_id}": api({ $0.isPartner || $0 == .manager }, own: { $0 == .partnerUser ? .notFound : .ok }),
        // A bank file takes a write token (its download is recorded): with the matrix's read tokens, 403 for every role.
        "GET /payment-runs/{id}/export": { who, _ in who == .signedOut ? .unauthorized : .forbidden },
        "GET /remittances": api { $0.isPartner || $0 == .manager },
        "GET /payment-settings": api { $0 == .manager },
    ]

    @Test("the API: every read × every role × own and foreign ids as the pages decide; every operation 401 without a token; every POST 403 with a read token")
    func apiMatrixHolds() async throws {
        try await WebHarness.with { app in
            let operations = app.deps.apiSpec.paths.entries.flatMap { entry in
                entry.methods.map { "\($0.rawValue) /\(entry.segments.joined(separator: "/"))" }
            }
            let reads = Set(operations.filter { $0.hasPrefix("GET ") })
            #expect(reads == Set(Self.apiMatrix.keys), "reads without an entry: \(reads.subtracting(Self.apiMatrix.keys).sorted())")
            _ = try await app.addUser("accounts@bluefin.example", organization: 1, roles: [(1, .accountAdmin)])
            func claim(at location: Int64) async throws -> Int64 {
                try await app.db.read { try await $0.raw("SELECT id FROM claims WHERE location_id = \(bind: location) ORDER BY id").first()!.decode(column: "id", as: Int64.self) }
            }
            let ownClaim = try await claim(at: 1), cedarClaim = try await claim(at: 5)
            try await Self.sentPaymentRun(app)
            var reading: [Who: String] = [:]
            for (who, email) in Self.emails { reading[who] = try await app.token(email, scope: .read) }
            var failures: [String] = []
            for operation in operations.sorted() {
                let parts = operation.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0]))!
                let template = String(parts[1])
                for whose in template.contains("{") ? [Whose.own, .foreign] : [.own] {
                    let id = template.hasPrefix("/claims/") ? (whose == .own ? ownClaim : cedarClaim) : (whose == .own ? 2 : 987654)
                    let path = "/api/v1" + template.replacingOccurrences(of: "{id}", with: String(id))
                        .replacingOccurrences(of: "{location_id}", with: String(id)).replacingOccurrences(of: "{kind}", with: "findings_document")
                        .replacingOccurrences(of: "{line_id}", with: String(id))
                    if method == .post {
                        // Every POST: no token 401; a read token 403, whatever the role.
                        for (who, expected) in [(Who.signedOut, HTTPResponse.Status.unauthorized), (.partnerAdmin, .forbidden), (.reviewer, .forbidden)] {
                            let status = try await app.api(path, method: .post, token: reading[who], json: "{}").status
                            if status != expected { failures.append("POST \(path) as \(who): expected \(expected.code), got \(status.code)") }
                        }
                        continue
                    }
                    guard let rule = Self.apiMatrix[operation] else { continue }
                    for who in Who.allCases {
                        let status = try await app.api(path, token: reading[who]).status
                        if status != rule(who, whose) {
                            failures.append("GET \(path) as \(who) (\(whose)): expected \(rule(who, whose).code), got \(status.code)")
                        }
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }
    }

    @Test("a Seattle-only user cannot open a claim of another Bluefin location: 404, same page as an unknown id")
    func locationScope() async throws {
        try await WebHarness.with { app in
            let london = try await app.db.read { try await $0.raw("SELECT id FROM claims WHERE location_id = 2 ORDER BY id").first()!.decode(column: "id", as: Int64.self) }
            let browser = try await app.signedIn("user@bluefin.example")
            let foreign = try await browser.get("/claims/\(london)")
            let unknown = try await browser.get("/claims/987654321")
            #expect(foreign.status == .notFound)
            #expect(unknown.status == .notFound)
            let strip = { (s: String) in s.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression) }
            #expect(strip(foreign.body) == strip(unknown.body))
            #expect(foreign.body.h1 == "Page not found")
            let list = try await browser.get("/claims")
            #expect(!list.body.contains("/claims/\(london)\""))
            #expect(list.body.contains("Seattle"))
            #expect(!list.body.contains("London"))
        }
    }
}
