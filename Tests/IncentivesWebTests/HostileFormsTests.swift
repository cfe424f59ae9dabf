import Foundation
import HTTPTypes
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import NIOCore
import SQLKit
import Testing

/// The hostile-input corpus of `HostileInputTests` sent to every other write (issue 15): sign-in, invitations, the
/// customer's links, users and roles, payee profiles, enrollment, the review desk, webhooks, API tokens and the API's
/// claim actions. Each is refused with a clear 4xx that stores nothing (every table counted before and after), or
/// stored as written and shown escaped where it is text a person may write.
@Suite("Hostile input: every other form and API write refuses or stores verbatim")
struct HostileFormsTests {
    static let rlo = HostileInputTests.rlo
    static let script = HostileInputTests.script
    static let formula = HostileInputTests.formula

    /// The page routes whose hostile input `HostileInputTests` sends.
    static let claimWrites: Set<String> = [
        "POST /claims/new", "POST /claims/{id}/actions", "POST /claims/{id}/documents", "POST /claims/{id}/survey",
        "POST /claims/{id}/hours", "POST /claims/{id}/contacts", "POST /claims/{id}/comments",
    ]
    /// The page routes this suite sends it to.
    static let otherWrites: Set<String> = [
        "POST /login", "POST /logout", "POST /invitations/{token}", "POST /consent/{token}", "POST /survey/{token}",
        "POST /claims/{id}/customer-survey", "POST /claims/{id}/proof/{proof}/remove",
        "POST /settings/users", "POST /settings/users/{id}/roles", "POST /settings/users/{id}/invitation",
        "POST /payee-profiles/bank/new", "POST /payee-profiles/bank/{id}/replace", "POST /payee-profiles/bank/{id}/decision",
        "POST /payee-profiles/locations/{id}/bank", "POST /payee-profiles/locations/{id}/tax/new",
        "POST /enrollment/{program}/{location}", "POST /review/bulk", "POST /review/arbitration/{id}",
        "POST /settings/webhooks", "POST /settings/webhooks/{id}/enable", "POST /settings/webhooks/{id}/disable",
        "POST /settings/webhooks/{id}/test", "POST /settings/webhooks/{id}/rotate", "POST /settings/webhooks/{id}/delete",
        "POST /settings/webhooks/{id}/deliveries/{delivery}/resend",
        "POST /settings/tokens", "POST /settings/tokens/{id}/revoke",
        // In CalendarPagesTests.hostile.
        "POST /settings/calendar",
        // The catalogue console's, in `CataloguePagesTests.hostile`.
        "POST /catalogue/program", "POST /catalogue/areas", "POST /catalogue/areas/{id}", "POST /catalogue/engagements",
        "POST /catalogue/engagements/{id}/draft", "POST /catalogue/engagements/{id}/versions", "POST /catalogue/engagements/{id}/publish",
        "POST /catalogue/engagements/{id}/close",
        // PartnerPagesTests.hostileInput sends the corpus to these.
        "POST /partners/new", "POST /partners/{id}/edit", "POST /partners/{id}/deactivate", "POST /partners/{id}/reactivate",
        "POST /partners/{id}/locations", "POST /partners/{id}/locations/{location}",
        "POST /partners/{id}/locations/{location}/deactivate", "POST /partners/{id}/locations/{location}/reactivate",
        "POST /partners/{id}/admin", "POST /partners/{id}/users/{user}/invitation", "POST /partners/{id}/enrollment",
        // In EligibilityListPagesTests.hostileForms.
        "POST /catalogue/engagements/{id}/eligibility", "POST /catalogue/engagements/{id}/eligibility/import",
        "POST /catalogue/engagements/{id}/eligibility/locations/{location}/remove",
        "POST /catalogue/engagements/{id}/eligibility/locations/{location}/criteria",
        // In InclusionRequestPagesTests.hostileForms.
        "POST /engagements/{id}/inclusion-requests", "POST /catalogue/inclusion-requests/{id}/decision",
        // In TemplatePagesTests.hostile.
        "POST /catalogue/engagements/{id}/draft/templates/{kind}", "POST /catalogue/engagements/{id}/draft/templates/{kind}/remove",
        // In BudgetPagesTests.hostile.
        "POST /catalogue/budgets/program", "POST /catalogue/budgets/engagements/{id}",
        // In PaymentPagesTests.hostile.
        "POST /payments/runs", "POST /payments/settings", "POST /payments/runs/{id}/approve", "POST /payments/runs/{id}/cancel",
        "POST /payments/runs/{id}/send", "POST /payments/runs/{id}/lines/{line}", "POST /payments/runs/{id}/confirmations",
    ]
    /// The API's operations with a body or a path the corpus reaches: claims, comments and documents in
    /// `HostileInputTests`, the lifecycle actions here.
    static let apiWrites: Set<String> = [
        "POST /claims", "POST /claims/{id}/comments", "POST /claims/{id}/documents",
        "POST /claims/{id}/send-consent", "POST /claims/{id}/submit", "POST /claims/{id}/cancel", "POST /claims/{id}/dispute",
        "POST /claims/{id}/start-review", "POST /claims/{id}/approve", "POST /claims/{id}/request-information", "POST /claims/{id}/reject",
        // ReversalAPITests.hostileInput: notes, reasons and versions of a reversal.
        "POST /claims/{id}/reversal",
        // PartnerAPITests.hostileInput sends the corpus to these.
        "POST /partners", "POST /partners/{id}", "POST /partners/{id}/deactivate", "POST /partners/{id}/reactivate",
        "POST /partners/{id}/locations", "POST /partners/{id}/admin", "POST /partners/{id}/enrollment",
        "POST /partner-locations/{id}", "POST /partner-locations/{id}/deactivate", "POST /partner-locations/{id}/reactivate",
        // PayeeAPITests.hostileInput: bad bank details, tax profiles, decisions and enrollment steps.
        "POST /payee-profiles/bank-profiles", "POST /payee-profiles/bank-profiles/{id}/decision", "POST /locations/{id}/tax-profiles",
        "POST /enrollments/{location_id}",
        // CatalogueAPIHostileTests.hostileInput and CatalogueAPITests (roles, inclusion requests) send the corpus to these.
        "POST /catalogue/program", "POST /catalogue/areas", "POST /catalogue/areas/{id}", "POST /catalogue/engagements",
        "POST /catalogue/engagements/{id}/draft", "POST /catalogue/engagements/{id}/versions", "POST /catalogue/engagements/{id}/publish",
        "POST /catalogue/engagements/{id}/close", "POST /catalogue/engagements/{id}/eligibility",
        "POST /catalogue/engagements/{id}/eligibility/remove", "POST /catalogue/engagements/{id}/eligibility/import",
        "POST /catalogue/engagements/{id}/criteria", "POST /catalogue/engagements/{id}/criteria/import",
        "POST /engagements/{id}/inclusion-requests", "POST /inclusion-requests/{id}/approve", "POST /inclusion-requests/{id}/decline",
        // PaymentAPITests.hostileInput: cut-offs, roles, versions, foreign runs and lines, failure reasons.
        "POST /payment-runs", "POST /payment-runs/{id}/approve", "POST /payment-runs/{id}/cancel", "POST /payment-runs/{id}/send",
        "POST /payment-runs/{id}/lines/{line_id}/confirm", "POST /payment-runs/{id}/confirmations/import",
    ]

    static func refused(_ app: WebHarness, _ label: String, expect status: HTTPResponse.Status? = nil,
                        _ send: () async throws -> HTTPResponse.Status) async throws {
        try await HostileInputTests.refused(app, label, expect: status, send)
    }

    /// Posts the form and checks it was refused with a 4xx that stored nothing; the page, to look for the message.
    @discardableResult
    static func refusedPage(_ app: WebHarness, _ browser: Browser, _ label: String, _ path: String, _ fields: [(String, String)],
                            expect status: HTTPResponse.Status? = nil) async throws -> Browser.Page {
        var page: Browser.Page?
        try await refused(app, label, expect: status) {
            page = try await browser.post(path, fields)
            return page!.status
        }
        return page!
    }

    /// A raw urlencoded body (its bytes as given) refused with a 400 that stored nothing.
    static func damaged(_ app: WebHarness, _ browser: Browser, _ label: String, _ path: String, _ body: [UInt8]) async throws {
        try await refused(app, "\(label): not UTF-8", expect: .badRequest) { try await browser.post(path, encoded: body).status }
    }

    static let notUTF8: [UInt8] = Array("name=Dana".utf8) + [0xC3, 0x28] + Array("&email=x%FF%FE@bluefin.example".utf8)

    /// Ids a path or a form may carry that name nothing: negative, past Int64, not a number.
    static let badIDs = ["-1", "0", "99999999999999999999999", "1e3", "12abc", "%00", "%E2%80%AE1"]

    @Test("every POST route of the pages and every API POST has a hostile-input entry")
    func everyRouteCovered() async throws {
        try await WebHarness.with { app in
            let posts = Set(buildRouter(app.deps).routes.filter { $0.method == .post }.map { "\($0.method) \($0.path)" })
            let covered = Self.claimWrites.union(Self.otherWrites)
            #expect(posts.subtracting(covered).isEmpty, "POST routes without hostile input: \(posts.subtracting(covered).sorted())")
            #expect(covered.subtracting(posts).isEmpty, "entries without a route: \(covered.subtracting(posts).sorted())")
            let api = Set(app.deps.apiSpec.paths.entries.flatMap { entry in
                entry.methods.filter { $0.rawValue == "POST" }.map { "\($0.rawValue) /\(entry.segments.joined(separator: "/"))" }
            })
            #expect(api == Self.apiWrites, "API POSTs without hostile input: \(api.subtracting(Self.apiWrites).sorted())")
        }
    }

    @Test("sign-in, sign-out, invitations and the customer's consent and survey links", arguments: TestDatabases.flavors)
    func accounts(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            // Sign-in: an address that cannot be one is refused before it is counted or checked.
            let visitor = app.browser()
            for (email, password, label) in [(String(repeating: "a", count: 300) + "@bluefin.example", "demo-password", "over-long email"),
                                             ("admin\(Self.rlo)@bluefin.example", "demo-password", "email with an override"),
                                             ("admin@bluefin.example\u{7}", "demo-password", "email with a bell"),
                                             ("<script>@bluefin.example", "demo-password", "email with HTML"),
                                             ("admin@bluefin.example", String(repeating: "p", count: 73), "password over 72 bytes")] {
                try await visitor.get("/login")
                let page = try await Self.refusedPage(app, visitor, "sign-in: \(label)", "/login", [("email", email), ("password", password)],
                                                      expect: .unprocessableContent)
                #expect(page.body.contains(#"id="login-error""#), "sign-in: \(label)")
                #expect(!page.body.contains("<script>@"), "sign-in: \(label) shown unescaped")
            }
            try await visitor.get("/login")
            try await Self.refused(app, "sign-in: NUL", expect: .badRequest) {
                try await visitor.post("/login", [("email", "admin@bluefin.example\u{0}"), ("password", "demo-password")]).status
            }
            try await Self.damaged(app, visitor, "sign-in", "/login", Array("email=admin%40bluefin.example&password=".utf8) + [0xFF])

            // Sign-out takes no fields; a damaged form signs nobody out.
            let signedIn = try await app.signedIn("user@bluefin.example")
            try await signedIn.get("/")
            try await Self.damaged(app, signedIn, "sign-out", "/logout", Self.notUTF8)
            #expect(try await signedIn.get("/").status == .ok)

            // Invitations: the name is a one-line name of at most 120 characters; the time zone one of the list.
            let inviter = try #require(try await UserRepository(db: app.db).find(email: "admin@bluefin.example")).viewer
            let secret = try await UserRepository(db: app.db).invite(email: "dana@bluefin.example", name: "Dana Cole",
                                                                    roles: [(1, .incentivesUser)], by: inviter, now: app.clock.now)
            let colleague = app.browser()
            let fine = [("name", "Dana Cole"), ("password", "a long enough password"), ("password_confirmation", "a long enough password"),
                        ("time_zone", "Europe/London")]
            func with(_ field: String, _ value: String) -> [(String, String)] { fine.map { $0.0 == field ? ($0.0, value) : $0 } }
            for (field, value, label, error) in [
                ("name", String(repeating: "n", count: 121), "over-long name", "name-error"),
                ("name", "Dana\(Self.rlo)Cole", "name with an override", "name-error"),
                ("name", "Dana\u{1B}[31mCole", "name with an escape sequence", "name-error"),
                ("name", "Dana\nCole", "name over two lines", "name-error"),
                ("name", String(repeating: "e\u{301}", count: 61), "name of 122 code points in 61 letters", "name-error"),
                ("time_zone", "../../etc/passwd", "a path for a time zone", "zone-error"),
                ("time_zone", String(repeating: "Europe/London", count: 100), "over-long time zone", "zone-error"),
                ("password", String(repeating: "p", count: 73), "password over 72 bytes", "password-error"),
            ] {
                try await colleague.get("/invitations/\(secret)")
                var form = with(field, value)
                if field == "password" { form = form.map { $0.0 == "password_confirmation" ? ($0.0, value) : $0 } }
                let page = try await Self.refusedPage(app, colleague, "invitation: \(label)", "/invitations/\(secret)", form,
                                                      expect: .unprocessableContent)
                #expect(page.body.contains("id=\"\(error)\""), "invitation: \(label): no message next to the field")
            }
            try await colleague.get("/invitations/\(secret)")
            try await Self.damaged(app, colleague, "invitation", "/invitations/\(secret)", Self.notUTF8)
            for token in [String(repeating: "x", count: 5_000), "%00", secret + "%E2%80%AE"] {
                try await Self.refused(app, "invitation \(token.prefix(20))", expect: .notFound) {
                    try await colleague.post("/invitations/\(token)", fine).status
                }
            }
            // HTML and a formula in a name are a name: stored as typed, escaped where shown.
            try await colleague.get("/invitations/\(secret)")
            #expect(try await colleague.post("/invitations/\(secret)", with("name", "<b>Dana</b> =1+1")).status == .seeOther)
            let stored = try #require(try await UserRepository(db: app.db).find(email: "dana@bluefin.example"))
            #expect(stored.name == "<b>Dana</b> =1+1")
            let users = try await app.signedIn("admin@bluefin.example").get("/settings/users")
            #expect(users.body.contains("&lt;b&gt;Dana&lt;/b&gt; =1+1") && !users.body.contains("<b>Dana</b>"))

            // The customer's consent link: an answer is one of three words.
            let claim = try await app.db.read { try await $0.raw("SELECT id FROM claims WHERE location_id = 1 ORDER BY id").first()!.decode(column: "id", as: Int64.self) }
            let consent = try await AuthorizationMatrixTests.customerLink(app, on: claim, purpose: "consent")
            let survey = try await AuthorizationMatrixTests.customerLink(app, on: claim, purpose: "survey")
            let customer = app.browser()
            try await customer.get("/consent/\(consent)")
            for answer in ["accept\(Self.rlo)", "ACCEPT", "accept ; decline", String(repeating: "a", count: 5_000)] {
                try await Self.refusedPage(app, customer, "consent: \(answer.prefix(20))", "/consent/\(consent)", [("answer", answer)], expect: .badRequest)
            }
            try await Self.damaged(app, customer, "consent", "/consent/\(consent)", Array("answer=accept".utf8) + [0xC0, 0x80])
            for token in [String(repeating: "x", count: 5_000), "%00", consent + "%E2%80%AE"] {
                try await Self.refused(app, "consent link \(token.prefix(20))", expect: .notFound) {
                    try await customer.post("/consent/\(token)", [("answer", "accept")]).status
                }
            }

            // The customer's survey: a yes or no, a rating from 1 to 5, comments within the answer's limit.
            try await customer.get("/survey/\(survey)")
            let answers = [("delivered_as_described", "yes"), ("satisfaction", "4"), ("comments", "Fine")]
            for (id, value, label) in [("satisfaction", "6", "rating 6"), ("satisfaction", "-1", "negative rating"), ("satisfaction", "0", "rating 0"),
                                       ("satisfaction", "99999999999999999999", "huge rating"), ("satisfaction", "4.5", "half a rating"),
                                       ("satisfaction", "４", "a full-width digit"), ("satisfaction", "4\(Self.rlo)", "rating with an override"),
                                       ("delivered_as_described", "maybe", "neither yes nor no"),
                                       ("comments", String(repeating: "c", count: 2_001), "over-long comments"),
                                       ("comments", "fine \(Self.rlo)really", "comments with an override"),
                                       ("comments", "fine\u{7}", "comments with a bell")] {
                let form = answers.map { $0.0 == id ? ($0.0, value) : $0 }
                let page = try await Self.refusedPage(app, customer, "customer survey: \(label)", "/survey/\(survey)", form, expect: .unprocessableContent)
                #expect(page.body.contains("field-error"), "customer survey: \(label): no message next to the field")
            }
            try await Self.damaged(app, customer, "customer survey", "/survey/\(survey)", Array("satisfaction=4&comments=".utf8) + [0xED, 0xA0, 0x80])
        }
    }

    @Test("users and roles, payee profiles, enrollment", arguments: TestDatabases.flavors)
    func administration(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let admin = try await app.signedIn("admin@bluefin.example")

            // Inviting a colleague.
            let invite = [("email", "erin@bluefin.example"), ("name", "Erin Wu"), ("role", "1:incentives_user")]
            func invited(_ field: String, _ value: String) -> [(String, String)] { invite.map { $0.0 == field ? ($0.0, value) : $0 } }
            for (field, value, label, error) in [
                ("email", String(repeating: "e", count: 250) + "@bluefin.example", "over-long email", "invite-email-error"),
                ("email", "erin\(Self.rlo)@bluefin.example", "email with an override", "invite-email-error"),
                ("email", "erin\u{7}@bluefin.example", "email with a bell", "invite-email-error"),
                ("email", "erin@bluefin.example\u{200F}", "email with a direction mark", "invite-email-error"),
                ("name", String(repeating: "n", count: 121), "over-long name", "invite-name-error"),
                ("name", "Erin\(Self.rlo)Wu", "name with an override", "invite-name-error"),
                ("name", "Erin\u{85}Wu", "name with a next-line control", "invite-name-error"),
                ("role", "1:incentives_user\(Self.rlo)", "role with an override", "invite-roles-error"),
                ("role", "99999999999999999999:incentives_user", "location past Int64", "invite-roles-error"),
                ("role", "1:<script>", "role of HTML", "invite-roles-error"),
            ] {
                try await admin.get("/settings/users")
                let page = try await Self.refusedPage(app, admin, "invite: \(label)", "/settings/users", invited(field, value))
                #expect(page.body.contains("id=\"\(error)\""), "invite: \(label): no message next to the field")
            }
            for value in ["-1:incentives_user", "987654:incentives_user"] {
                try await admin.get("/settings/users")
                try await Self.refusedPage(app, admin, "invite: role on \(value)", "/settings/users", invited("role", value))
            }
            try await admin.get("/settings/users")
            try await Self.damaged(app, admin, "invite", "/settings/users", Self.notUTF8)
            try await admin.get("/settings/users")
            #expect(try await admin.post("/settings/users", invited("name", Self.script)).status == .seeOther)
            let erin = try #require(try await UserRepository(db: app.db).find(email: "erin@bluefin.example"))
            #expect(erin.name == Self.script)
            let member = try await admin.get("/settings/users/\(erin.id)")
            #expect(member.body.contains("&lt;script&gt;") && !member.body.contains(Self.script))

            // Roles and invitations of a member: only roles the page offers, only members of the organization.
            for (value, label) in [("1:incentives_admin\(Self.rlo)", "override"), ("1:owner", "unknown role"), ("-1:incentives_user", "negative location"),
                                   ("99999999999999999999:incentives_user", "location past Int64"), ("1", "no role"), ("5:incentives_admin", "another organization's location")] {
                try await admin.get("/settings/users/\(erin.id)")
                try await Self.refusedPage(app, admin, "roles: \(label)", "/settings/users/\(erin.id)/roles", [("role", value)])
            }
            for id in Self.badIDs {
                try await admin.get("/settings/users")
                try await Self.refusedPage(app, admin, "roles of user \(id)", "/settings/users/\(id)/roles", [("role", "1:incentives_user")], expect: .notFound)
                try await Self.refusedPage(app, admin, "invitation of user \(id)", "/settings/users/\(id)/invitation", [], expect: .notFound)
            }

            // Bank profiles: names of at most 140 characters on one line; account, codes and country as the bank writes them.
            let bank = [("country", "GB"), ("holder_name", "Bluefin Consulting Ltd"), ("bank_name", "Thames Bank"), ("routing_code", ""),
                        ("swift_bic", "THBKGB2L"), ("account_number", "GB82 WEST 1234 5698 7654 32")]
            func banked(_ field: String, _ value: String) -> [(String, String)] { bank.map { $0.0 == field ? ($0.0, value) : $0 } }
            let bankCases: [(String, String, String)] = [
                ("holder_name", String(repeating: "h", count: 141), "over-long holder"),
                ("holder_name", String(repeating: "e\u{301}", count: 71), "holder of 142 code points in 71 letters"),
                ("holder_name", "Bluefin\(Self.rlo) Ltd", "holder with an override"),
                ("holder_name", "Bluefin\u{7} Ltd", "holder with a bell"),
                ("holder_name", "Bluefin\r\nLtd", "holder over two lines"),
                ("bank_name", String(repeating: "b", count: 141), "over-long bank"),
                ("bank_name", "Thames\u{2066}Bank", "bank with an isolate"),
                ("account_number", "GB82\(Self.rlo)WEST12345698765432", "IBAN with an override"),
                ("account_number", "GB82 WEST 1234 5698 7654 32" + String(repeating: "0", count: 500), "over-long IBAN"),
                ("account_number", "=1+GB82WEST12345698765432", "IBAN as a formula"),
                ("swift_bic", "THBK\(Self.rlo)GB2L", "BIC with an override"),
                ("swift_bic", "<b>THBKGB2L</b>", "BIC of HTML"),
                ("country", "GB\(Self.rlo)", "country with an override"),
                ("country", "<script>", "country of HTML"),
            ]
            for path in ["/payee-profiles/bank/new", "/payee-profiles/bank/1/replace"] {
                for (field, value, label) in bankCases {
                    try await admin.get(path)
                    let page = try await Self.refusedPage(app, admin, "\(path): \(label)", path, banked(field, value), expect: .unprocessableContent)
                    let id = "bank-" + field.replacingOccurrences(of: "_", with: "-") + "-error"
                    #expect(page.body.contains("id=\"\(id)\""), "\(path): \(label): no message next to the field")
                }
                try await admin.get(path)
                try await Self.damaged(app, admin, path, path, Array("country=GB&holder_name=".utf8) + [0xF8, 0x88, 0x80, 0x80, 0x80])
            }
            for id in Self.badIDs + ["2"] {
                try await admin.get("/payee-profiles")
                try await Self.refusedPage(app, admin, "replace bank profile \(id)", "/payee-profiles/bank/\(id)/replace", bank, expect: .notFound)
            }
            try await admin.get("/payee-profiles/bank/new")
            #expect(try await admin.post("/payee-profiles/bank/new", banked("holder_name", "O'Brien & <Sons> =HYPERLINK(\"x\")")).status == .seeOther)
            let list = try await admin.get("/payee-profiles")
            #expect(list.body.contains("O&#39;Brien &amp; &lt;Sons&gt;") || list.body.contains("O&#x27;Brien &amp; &lt;Sons&gt;"))
            #expect(!list.body.contains("<Sons>"))

            // Assigning a profile: an id, and only one of the organization's.
            for value in ["abc", "-1", "0", "99999999999999999999", "1\(Self.rlo)", "2"] {
                try await admin.get("/payee-profiles")
                try await Self.refusedPage(app, admin, "assign bank profile \(value)", "/payee-profiles/locations/1/bank", [("bank_profile_id", value)])
            }
            for id in Self.badIDs + ["5"] {
                try await Self.refusedPage(app, admin, "assign on location \(id)", "/payee-profiles/locations/\(id)/bank", [("bank_profile_id", "1")], expect: .notFound)
                try await Self.refusedPage(app, admin, "tax profile on location \(id)", "/payee-profiles/locations/\(id)/tax/new",
                                           [("tax_id", "98-7654321"), ("expires_on", "2027-12-31")], expect: .notFound)
            }

            // Tax profiles: an identifier, and a day from tomorrow to four years ahead.
            for (field, value, label) in [("tax_id", String(repeating: "1", count: 31), "over-long id"), ("tax_id", "98-76\(Self.rlo)54321", "id with an override"),
                                          ("tax_id", "=1+1", "id as a formula"), ("tax_id", "<b>98</b>", "id of HTML"),
                                          ("expires_on", "0000-00-00", "day zero"), ("expires_on", "9999-12-31", "far future"),
                                          ("expires_on", "2026-02-30", "no such day"), ("expires_on", "+2027-01-01", "signed year"),
                                          ("expires_on", "1999-12-31", "long past"), ("expires_on", "2027-1-1", "one-digit month"),
                                          ("expires_on", "2027-01-01T00:00:00Z", "a time too"), ("expires_on", "99999999999", "a number")] {
                let form = [("tax_id", "98-7654321"), ("expires_on", "2027-12-31")].map { $0.0 == field ? ($0.0, value) : $0 }
                try await admin.get("/payee-profiles/locations/1/tax/new")
                let page = try await Self.refusedPage(app, admin, "tax profile: \(label)", "/payee-profiles/locations/1/tax/new", form,
                                                      expect: .unprocessableContent)
                let id = field == "tax_id" ? "tax-id-error" : "tax-expires-on-error"
                #expect(page.body.contains("id=\"\(id)\""), "tax profile: \(label): no message next to the field")
            }

            // The manager's decision: a status of the list, the version shown, a one-line reason of at most 500 characters.
            let manager = try await app.signedIn("manager@vendor.example")
            let version = try await app.db.read { try await $0.raw("SELECT version FROM bank_profiles WHERE id = 3").first()!.decode(column: "version", as: Int.self) }
            for (fields, label) in [
                ([("status", "action_required"), ("version", "\(version)"), ("reason", String(repeating: "r", count: 501))], "over-long reason"),
                ([("status", "action_required"), ("version", "\(version)"), ("reason", "Fix the \(Self.rlo)IBAN")], "reason with an override"),
                ([("status", "action_required"), ("version", "\(version)"), ("reason", "Fix\u{7}")], "reason with a bell"),
                ([("status", "approved\(Self.rlo)"), ("version", "\(version)")], "status with an override"),
                ([("status", "<script>"), ("version", "\(version)")], "status of HTML"),
                ([("status", "approved"), ("version", "-1")], "negative version"),
                ([("status", "approved"), ("version", "99999999999999999999")], "version past Int64"),
                ([("status", "approved"), ("version", "1e0")], "version in exponent notation"),
            ] as [([(String, String)], String)] {
                try await manager.get("/payee-profiles")
                try await Self.refusedPage(app, manager, "decision: \(label)", "/payee-profiles/bank/3/decision", fields)
            }
            for id in Self.badIDs {
                try await Self.refusedPage(app, manager, "decision on \(id)", "/payee-profiles/bank/\(id)/decision", [("status", "approved"), ("version", "1")],
                                           expect: .notFound)
            }

            // Enrollment steps: a step of the list on the version shown.
            let kestrel = try await app.signedIn("admin@kestrel.example")
            for (fields, label) in [([("action", "accept\(Self.rlo)"), ("version", "1")], "step with an override"),
                                    ([("action", "<script>"), ("version", "1")], "step of HTML"),
                                    ([("action", "accept"), ("version", "-1")], "negative version"),
                                    ([("action", "accept"), ("version", "99999999999999999999")], "version past Int64"),
                                    ([("action", "accept"), ("version", "x")], "version not a number")] as [([(String, String)], String)] {
                try await kestrel.get("/enrollment")
                try await Self.refusedPage(app, kestrel, "enrollment: \(label)", "/enrollment/1/9", fields)
            }
            for (program, location) in Self.badIDs.map({ ($0, "9") }) + Self.badIDs.map({ ("1", $0) }) {
                try await Self.refusedPage(app, kestrel, "enrollment \(program)/\(location)", "/enrollment/\(program)/\(location)",
                                           [("action", "accept"), ("version", "1")], expect: .notFound)
            }
        }
    }

    @Test("the review desk, webhooks, API tokens, and the claim pages' other forms", arguments: TestDatabases.flavors)
    func desksAndSettings(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            // The review desk's bulk actions: ids and versions are numbers the page wrote; the reason is a note.
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let (id, version) = try await app.db.read { sql in
                let row = try await sql.raw("SELECT id, version FROM claims WHERE status = 'submitted' ORDER BY id").first()!
                return (try row.decode(column: "id", as: Int64.self), try row.decode(column: "version", as: Int.self))
            }
            let approve = [("bulk", "approve"), ("claim", "\(id)"), ("version_\(id)", "\(version)")]
            let bulkCases: [([(String, String)], String)] = [
                ([("bulk", "approve"), ("claim", "abc")], "claim id not a number"),
                ([("bulk", "approve"), ("claim", "-1"), ("version_-1", "1")], "negative claim id"),
                ([("bulk", "approve"), ("claim", "99999999999999999999"), ("version_99999999999999999999", "1")], "claim id past Int64"),
                (approve + [("claim", "x\(Self.rlo)")], "a good claim and a bad id"),
                ([("bulk", "approve"), ("claim", "\(id)"), ("version_\(id)", "-3")], "negative version"),
                ([("bulk", "approve"), ("claim", "\(id)"), ("version_\(id)", "99999999999999999999")], "version past Int64"),
                ([("bulk", "approve"), ("claim", "\(id)"), ("version_\(id)", "")], "no version"),
                ([("bulk", "approve\(Self.rlo)"), ("claim", "\(id)"), ("version_\(id)", "\(version)")], "action with an override"),
                ([("bulk", "request_information"), ("reason_code", "other"), ("reason", String(repeating: "r", count: 4_001)),
                  ("claim", "\(id)"), ("version_\(id)", "\(version)")], "over-long reason"),
                ([("bulk", "request_information"), ("reason_code", "other"), ("reason", "see \(Self.rlo)here"),
                  ("claim", "\(id)"), ("version_\(id)", "\(version)")], "reason with an override"),
                ([("bulk", "request_information"), ("reason_code", "<script>"), ("reason", "x"), ("claim", "\(id)"), ("version_\(id)", "\(version)")],
                 "reason code of HTML"),
            ]
            for (fields, label) in bulkCases {
                try await reviewer.get("/review")
                try await Self.refusedPage(app, reviewer, "bulk: \(label)", "/review/bulk", fields)
            }
            try await reviewer.get("/review")
            try await Self.damaged(app, reviewer, "bulk", "/review/bulk", Array("bulk=approve&claim=\(id)&version_\(id)=".utf8) + [0x80])

            // Arbitration: the winner is one of the competing claims.
            let bluefin = try await ArbitrationTests.bluefinClaim(app)
            let cedar = try await ArbitrationTests.cedarClaim(app, on: bluefin, location: 5)
            try await ArbitrationTests.flag(app, [bluefin.id, cedar])
            for winner in Self.badIDs + ["\(bluefin.id)\(Self.rlo)", "\(id)"] {
                try await reviewer.get("/review/arbitration/\(bluefin.id)")
                try await Self.refusedPage(app, reviewer, "arbitration winner \(winner)", "/review/arbitration/\(bluefin.id)", [("winner", winner)],
                                           expect: .badRequest)
            }
            for path in Self.badIDs {
                try await Self.refusedPage(app, reviewer, "arbitration \(path)", "/review/arbitration/\(path)", [("winner", "\(bluefin.id)")], expect: .notFound)
            }

            // Webhooks: an https address, a one-line description of at most 200 characters, events of the list.
            let admin = try await app.signedIn("admin@bluefin.example")
            let hook = [("url", "https://crm.example.com/hooks"), ("description", "CRM"), ("event", "claim.created")]
            func hooked(_ field: String, _ value: String) -> [(String, String)] { hook.map { $0.0 == field ? ($0.0, value) : $0 } }
            for (field, value, label, error) in [
                ("url", "https://crm.example.com/" + String(repeating: "p", count: 2_000), "over-long address", "webhook-url-error"),
                ("url", "https://crm.example.com/\(Self.rlo)hooks", "address with an override", "webhook-url-error"),
                ("url", "https://crm\(Self.rlo).example.com/hooks", "host with an override", "webhook-url-error"),
                ("url", "https://crm.example.com/\u{7}", "address with a bell", "webhook-url-error"),
                ("url", "javascript:alert(1)//https://crm.example.com", "a script address", "webhook-url-error"),
                ("url", "https://crm.example.com:99999999999999999999/hooks", "port past Int64", "webhook-url-error"),
                ("url", "https://crm.example.com:-1/hooks", "negative port", "webhook-url-error"),
                ("description", String(repeating: "d", count: 201), "over-long description", "webhook-description-error"),
                ("description", String(repeating: "e\u{301}", count: 101), "description of 202 code points in 101 letters", "webhook-description-error"),
                ("description", "CRM \(Self.rlo)sync", "description with an override", "webhook-description-error"),
                ("description", "CRM\u{1B}[2J", "description with an escape sequence", "webhook-description-error"),
                ("event", "claim.created\(Self.rlo)", "event with an override", "webhook-events-error"),
                ("event", String(repeating: "e", count: 5_000), "over-long event", "webhook-events-error"),
            ] {
                try await admin.get("/settings/webhooks")
                let page = try await Self.refusedPage(app, admin, "webhook: \(label)", "/settings/webhooks", hooked(field, value), expect: .unprocessableContent)
                #expect(page.body.contains("id=\"\(error)\""), "webhook: \(label): no message next to the field")
            }
            try await admin.get("/settings/webhooks")
            try await Self.damaged(app, admin, "webhook", "/settings/webhooks", Array("url=https://crm.example.com/".utf8) + [0xE2, 0x82])
            try await admin.get("/settings/webhooks")
            let made = try await admin.post("/settings/webhooks", hooked("description", "<img src=x onerror=alert(1)> =SUM(A1)"))
            #expect(made.status == .created)
            let hooks = try await admin.get("/settings/webhooks")
            #expect(hooks.body.contains("&lt;img src=x onerror=alert(1)&gt;") && !hooks.body.contains("<img src=x"))
            let (endpoint, description) = try await app.db.read { sql in
                let row = try await sql.raw("SELECT id, description FROM webhook_endpoints ORDER BY id DESC").first()!
                return (try row.decode(column: "id", as: Int64.self), try row.decode(column: "description", as: String.self))
            }
            #expect(description == "<img src=x onerror=alert(1)> =SUM(A1)")
            for action in ["enable", "disable", "test", "rotate", "delete"] {
                for id in Self.badIDs {
                    try await admin.get("/settings/webhooks")
                    try await Self.refusedPage(app, admin, "webhook \(id) \(action)", "/settings/webhooks/\(id)/\(action)", [("confirm", "delete")],
                                               expect: .notFound)
                }
            }
            for confirm in ["delete\(Self.rlo)", "DELETE", String(repeating: "delete", count: 1_000)] {
                try await admin.get("/settings/webhooks/\(endpoint)/delete")
                try await Self.refusedPage(app, admin, "webhook delete confirmed with \(confirm.prefix(12))", "/settings/webhooks/\(endpoint)/delete",
                                           [("confirm", confirm)], expect: .unprocessableContent)
            }
            for delivery in Self.badIDs {
                try await admin.get("/settings/webhooks/\(endpoint)")
                try await Self.refusedPage(app, admin, "resend delivery \(delivery)", "/settings/webhooks/\(endpoint)/deliveries/\(delivery)/resend", [],
                                           expect: .notFound)
            }

            // API tokens: a one-line name of at most 100 characters, a scope of the list.
            for (fields, label, error) in [
                ([("name", String(repeating: "t", count: 101)), ("scope", "read")], "over-long name", "token-name-error"),
                ([("name", String(repeating: "e\u{301}", count: 51)), ("scope", "read")], "name of 102 code points in 51 letters", "token-name-error"),
                ([("name", "CRM\(Self.rlo)sync"), ("scope", "read")], "name with an override", "token-name-error"),
                ([("name", "CRM\u{200E}sync"), ("scope", "read")], "name with a direction mark", "token-name-error"),
                ([("name", "CRM\tsync"), ("scope", "read")], "name with a tab", "token-name-error"),
                ([("name", "CRM"), ("scope", "write\(Self.rlo)")], "scope with an override", "token-scope-error"),
                ([("name", "CRM"), ("scope", "admin")], "unknown scope", "token-scope-error"),
            ] as [([(String, String)], String, String)] {
                try await admin.get("/settings/tokens")
                let page = try await Self.refusedPage(app, admin, "token: \(label)", "/settings/tokens", fields, expect: .unprocessableContent)
                #expect(page.body.contains("id=\"\(error)\""), "token: \(label): no message next to the field")
            }
            try await admin.get("/settings/tokens")
            try await Self.damaged(app, admin, "token", "/settings/tokens", Array("scope=read&name=".utf8) + [0xFF])
            try await admin.get("/settings/tokens")
            let token = try await admin.post("/settings/tokens", [("name", Self.script + " " + Self.formula), ("scope", "read")])
            #expect(token.status == .ok)
            #expect(token.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !token.body.contains(Self.script))
            let (ownToken, tokenName) = try await app.db.read { sql in
                let row = try await sql.raw("SELECT id, name FROM api_tokens ORDER BY id DESC").first()!
                return (try row.decode(column: "id", as: Int64.self), try row.decode(column: "name", as: String.self))
            }
            #expect(tokenName == Self.script + " " + Self.formula)
            for id in Self.badIDs {
                try await admin.get("/settings/tokens")
                try await Self.refusedPage(app, admin, "revoke token \(id)", "/settings/tokens/\(id)/revoke", [("confirm", "yes")], expect: .notFound)
            }
            for confirm in ["yes\(Self.rlo)", "YES", "yes yes"] {
                try await admin.get("/settings/tokens")
                try await Self.refusedPage(app, admin, "revoke confirmed with \(confirm)", "/settings/tokens/\(ownToken)/revoke", [("confirm", confirm)],
                                           expect: .badRequest)
            }

            // The claim page's forms without text: the version shown, and a document of the claim.
            let user = try await app.signedIn("user@bluefin.example")
            let consented = try await HostileInputTests.consented(app) { _ in true }
            for value in ["-1", "99999999999999999999", "1e3", "\(Self.rlo)1"] {
                try await user.get("/claims/\(consented)")
                try await Self.refusedPage(app, user, "customer survey with version \(value)", "/claims/\(consented)/customer-survey", [("version", value)])
                try await user.get("/claims/\(consented)")
                try await Self.refusedPage(app, user, "remove proof with version \(value)", "/claims/\(consented)/proof/1/remove", [("version", value)])
            }
            for proof in Self.badIDs {
                try await user.get("/claims/\(consented)")
                let version = try await ClaimPageTests.version(app, consented)
                try await Self.refusedPage(app, user, "remove proof \(proof)", "/claims/\(consented)/proof/\(proof)/remove", [("version", version)])
            }
        }
    }

    @Test("the API's claim actions: notes, reason codes, If-Match, Idempotency-Key, ids and bodies", arguments: TestDatabases.flavors)
    func apiActions(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let partner = try await app.token("admin@bluefin.example")
            let reviewer = try await app.token("reviewer@vendor.example")
            let draft = try await ClaimPageTests.draftClaim(app)
            let submitted = try await app.db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE status = 'submitted' AND location_id = 1 ORDER BY id").first()!.decode(column: "id", as: Int64.self)
            }
            let actions: [(String, String, Int64)] = [("send-consent", partner, draft), ("submit", partner, draft), ("cancel", partner, draft),
                                                      ("dispute", partner, draft), ("start-review", reviewer, submitted),
                                                      ("approve", reviewer, submitted), ("request-information", reviewer, submitted),
                                                      ("reject", reviewer, submitted)]
            for (action, token, claim) in actions {
                let path = "/api/v1/claims/\(claim)/\(action)"
                let coded = action == "request-information" || action == "reject"
                func body(_ note: String) -> String {
                    let object: [String: Any] = coded ? ["reason_code": "other", "note": note] : ["note": note]
                    return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
                }
                var cases: [(String, HTTPResponse.Status?, String, HTTPFields)] = [
                    ("over-long note", .badRequest, body(String(repeating: "n", count: 4_001)), [:]),
                    ("note with an override", .unprocessableContent, body("see \(Self.rlo)here"), [:]),
                    ("note with an escaped NUL", .badRequest, coded ? #"{"reason_code":"other","note":"a\u0000b"}"# : #"{"note":"a\u0000b"}"#, [:]),
                    ("note with a bell", .unprocessableContent, body("ding\u{7}"), [:]),
                    ("note as a number", .badRequest, coded ? #"{"reason_code":"other","note":1e999}"# : #"{"note":1e999}"#, [:]),
                    ("not JSON", .badRequest, "note=hello", [:]),
                    ("If-Match negative", nil, body("x"), [.ifMatch: "\"-1\""]),
                    ("If-Match past Int64", .badRequest, body("x"), [.ifMatch: "\"99999999999999999999\""]),
                    ("If-Match with an override", .badRequest, body("x"), [.ifMatch: "\"1\(Self.rlo)\""]),
                    ("Idempotency-Key over 200", .badRequest, body("x"), [HTTPField.Name("Idempotency-Key")!: String(repeating: "k", count: 201)]),
                ]
                if coded {
                    cases += [("reason code of HTML", .badRequest, #"{"reason_code":"<script>","note":"x"}"#, [:]),
                              ("reason code with an override", .badRequest, "{\"reason_code\":\"other\(Self.rlo)\",\"note\":\"x\"}", [:])]
                }
                for (label, status, json, headers) in cases {
                    try await Self.refused(app, "\(action): \(label)", expect: status) {
                        try await app.api(path, method: .post, token: token, headers: headers, json: json).status
                    }
                }
                try await Self.refused(app, "\(action): raw bytes", expect: .badRequest) {
                    var bytes = ByteBuffer(string: #"{"note":"bad "#)
                    bytes.writeBytes([0xFF, 0xFE])
                    bytes.writeString(#""}"#)
                    return try await app.client.executeRequest(uri: path, method: .post,
                        headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: bytes).status
                }
                for id in ["-1", "0", "99999999999999999999", "1e3", "%00"] {
                    try await Self.refused(app, "\(action) on claim \(id)") {
                        try await app.api("/api/v1/claims/\(id)/\(action)", method: .post, token: token, json: "{}").status
                    }
                }
            }
        }
    }
}
