import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
import SQLKit
@testable import IncentivesWeb
import Testing

/// The sign-in findings of the 2026-12 security review, each driven through the real pages.
@Suite("Sign-in and sessions under attack")
struct SignInSecurityTests {
    /// A browser that opened the sign-in page (behind a trusted proxy, from `address`).
    func loginPage(_ app: WebHarness, from address: String? = nil, next: String? = nil) async throws -> Browser {
        let browser = app.browser()
        if let address { await browser.set(header: "X-Forwarded-For", address) }
        let query = next.map { "?next=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? ""
        try await browser.get("/login" + query)
        return browser
    }

    func signIn(_ app: WebHarness, _ email: String, _ password: String = "demo-password", from address: String? = nil,
                next: String? = nil) async throws -> Browser.Page {
        let browser = try await loginPage(app, from: address, next: next)
        return try await browser.post("/login", [("email", email), ("password", password)] + (next.map { [("next", $0)] } ?? []))
    }

    // MARK: Redirect targets

    static let offSite = [
        "/\t/evil.example", "/\t\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example", " //evil.example",
        "/\u{3000}/evil.example", "/\u{00A0}/evil.example", "/\u{202E}/evil.example", "/\u{200B}/evil.example", "/\u{2028}/evil.example",
        "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/%2F%2Fevil.example", "/%2f/evil.example",
        "/%5Cevil.example", "/%252F/evil.example", "https://evil.example", "HTTPS://evil.example/", "javascript:alert(1)",
        "JaVaScRiPt:alert(1)", "data:text/html,x", "evil.example", "", "/\u{0000}/evil.example",
    ]

    @Test("after sign-in, a next of another site in any spelling lands on the home page")
    func offSiteNext() async throws {
        try await WebHarness.with { app in
            let signedIn = try await app.signedIn("user@bluefin.example")
            for next in Self.offSite {
                let page = try await signIn(app, "user@bluefin.example", next: next)
                if next.contains("\u{0000}") {
                    // A posted form holding NUL is refused whole before anything reads it (Input limits).
                    #expect(page.status == .badRequest, "next=\(next.debugDescription)")
                } else {
                    #expect(page.status == .seeOther)
                    #expect(page.location == "/", "next=\(next.debugDescription)")
                }
                // Already signed in, the sign-in page sends them on at once: the same rule.
                let query = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                #expect(try await signedIn.get("/login?next=" + query).location == "/", "next=\(next.debugDescription)")
            }
        }
    }

    @Test("a next on this site is kept, with its query")
    func onSiteNext() async throws {
        try await WebHarness.with { app in
            for next in ["/claims", "/claims?tab=all&q=acme%20corp", "/claims/12", "/settings/users?x=1#top"] {
                let page = try await signIn(app, "user@bluefin.example", next: next)
                #expect(page.location == next)
            }
            // The sign-in page's hidden field carries only a target that will be followed.
            let form = try await app.browser().get("/login?next=%2F%09%2Fevil.example")
            #expect(!form.body.contains("evil.example"))
        }
    }

    // MARK: Throttling

    @Test("a burst of wrong passwords in parallel, the right one among them: only the policy's free attempts are checked")
    func parallelBurst() async throws {
        try await WebHarness.with { app in
            var browsers: [(Browser, String)] = []
            for i in 0..<24 { browsers.append((try await loginPage(app), "wrong-guess-\(i)")) }
            browsers.insert((try await loginPage(app), "demo-password"), at: 12)
            let pages = try await withThrowingTaskGroup(of: Browser.Page.self) { group in
                for (browser, password) in browsers {
                    group.addTask { try await browser.post("/login", [("email", "admin@kestrel.example"), ("password", password)]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let checked = pages.filter { $0.status != .tooManyRequests }
            #expect(pages.count == 25)
            #expect(checked.count <= SignInThrottle.standard.freePerPair, "passwords checked: \(checked.count)")
            #expect(pages.allSatisfy { [.tooManyRequests, .unprocessableContent, .seeOther].contains($0.status) })
            let refused = try #require(pages.first { $0.status == .tooManyRequests })
            #expect(refused.body.contains("Too many failed sign-ins. Try again in"))
            #expect(refused.headers[.retryAfter] != nil)
        }
    }

    @Test("a stranger hammering the program manager's account from another address does not lock the manager out")
    func strangerCannotLockOut() async throws {
        try await WebHarness.with(trustedProxy: true) { app in
            // The manager signed in from the office before.
            #expect(try await signIn(app, "manager@vendor.example", from: "198.51.100.10").status == .seeOther)
            for i in 0..<40 {
                _ = try await signIn(app, "manager@vendor.example", "guess-\(i)", from: "203.0.113.66")
                app.clock.advance(by: 1)
            }
            #expect(try await signIn(app, "manager@vendor.example", "guess", from: "203.0.113.66").status == .tooManyRequests)
            // Many strangers, a few guesses each.
            for host in 1...15 {
                for i in 0..<3 { _ = try await signIn(app, "manager@vendor.example", "guess-\(i)", from: "192.0.2.\(host)") }
            }
            #expect(try await signIn(app, "manager@vendor.example", "guess", from: "192.0.2.1").status == .tooManyRequests)
            // The manager, from the office and from a hotel that never failed, still signs in.
            #expect(try await signIn(app, "manager@vendor.example", from: "198.51.100.10").status == .seeOther)
            #expect(try await signIn(app, "manager@vendor.example", from: "100.64.7.7").status == .seeOther)
        }
    }

    @Test("the delay grows, and once it has passed the right password works again")
    func growingDelay() async throws {
        try await WebHarness.with { app in
            let throttle = SignInThrottle.standard
            for i in 0..<throttle.freePerPair { #expect(try await signIn(app, "admin@cedar.example", "guess-\(i)").status == .unprocessableContent) }
            let first = try await signIn(app, "admin@cedar.example")
            #expect(first.status == .tooManyRequests)
            #expect(first.headers[.retryAfter] == "2")
            app.clock.advance(by: 2)
            #expect(try await signIn(app, "admin@cedar.example", "guess-again").status == .unprocessableContent)
            #expect(try await signIn(app, "admin@cedar.example").headers[.retryAfter] == "4")
            app.clock.advance(by: 4)
            #expect(try await signIn(app, "admin@cedar.example").status == .seeOther)
            // Signing in forgives this address its failures on the account.
            #expect(try await signIn(app, "admin@cedar.example", "one-more-guess").status == .unprocessableContent)
            #expect(try await signIn(app, "admin@cedar.example").status == .seeOther)
        }
    }

    // MARK: The form token

    @Test("signed in, the signed-out visitor's token is refused; only the session's own token is accepted")
    func signedInNeedsSessionToken() async throws {
        try await WebHarness.with { app in
            let browser = try await loginPage(app)
            let anonymous = try #require(await browser.cookies["pi_csrf"])
            let user = try #require(try await UserRepository(db: app.db).find(email: "admin@bluefin.example"))
            let started = try await SessionRepository(db: app.db, acceptsDemoUsers: true).start(
                userID: user.id, address: "test", userAgent: "test", now: app.clock.now)
            await browser.set(cookie: "pi_session", started.token)
            let forged = try await browser.post("/logout", csrf: anonymous)
            #expect(forged.status == .forbidden)
            #expect(try await browser.get("/").status == .ok, "still signed in")
            #expect(try await browser.post("/logout", csrf: started.csrfToken).status == .seeOther)
        }
    }

    @Test("a form token the client made up is refused, even as cookie and field alike")
    func clientChosenToken() async throws {
        try await WebHarness.with { app in
            let browser = app.browser()
            let chosen = String(repeating: "A", count: 43)
            await browser.set(cookie: "pi_csrf", chosen)
            let page = try await browser.post("/login", [("email", "admin@bluefin.example"), ("password", "demo-password")], csrf: chosen)
            #expect(page.status == .forbidden)
            #expect(await browser.cookies["pi_session"] == nil)
            // A real token from this server, altered by one character, is refused too.
            let real = try #require(await loginPage(app).cookies["pi_csrf"])
            let altered = String(real.dropLast()) + (real.hasSuffix("A") ? "B" : "A")
            let tampered = app.browser()
            await tampered.set(cookie: "pi_csrf", altered)
            #expect(try await tampered.post("/login", [("email", "admin@bluefin.example"), ("password", "demo-password")], csrf: altered).status == .forbidden)
        }
    }

    @Test("signing in drops the signed-out token; signing out gets a new one")
    func tokenRotatedAtSignIn() async throws {
        try await WebHarness.with { app in
            let browser = try await loginPage(app)
            let before = try #require(await browser.cookies["pi_csrf"])
            let done = try await browser.post("/login", [("email", "admin@bluefin.example"), ("password", "demo-password")])
            #expect(done.status == .seeOther)
            #expect(done.setCookies.contains { $0.hasPrefix("pi_csrf=") && $0.contains("Max-Age=0") })
            try await browser.get("/")
            #expect(await browser.cookies["pi_csrf"] == nil)
            try await browser.post("/logout")
            try await browser.get("/login")
            let after = try #require(await browser.cookies["pi_csrf"])
            #expect(after != before)
        }
    }

    @Test("behind https the cookies are __Host- cookies: Secure, Path=/, no Domain; plain names on http")
    func hostPrefixedCookies() async throws {
        try await WebHarness.with(publicURL: "https://incentives.example") { app in
            let browser = app.browser()
            let login = try await browser.get("/login")
            let csrf = try #require(login.setCookies.first { $0.hasPrefix("__Host-pi_csrf=") })
            #expect(csrf.contains("Secure") && csrf.contains("Path=/") && !csrf.lowercased().contains("domain="))
            let done = try await browser.post("/login", [("email", "admin@bluefin.example"), ("password", "demo-password")])
            #expect(done.status == .seeOther)
            let session = try #require(done.setCookies.first { $0.hasPrefix("__Host-pi_session=") })
            #expect(session.contains("Secure") && session.contains("Path=/") && session.contains("HttpOnly") && !session.lowercased().contains("domain="))
            #expect(try await browser.get("/").body.contains("Alex Morgan"))
            // A plain-named cookie is not the session behind https.
            let plain = app.browser()
            await plain.set(cookie: "pi_session", try #require(await browser.cookies["__Host-pi_session"]))
            #expect(try await plain.get("/").status == .seeOther)
        }
        try await WebHarness.with { app in
            let login = try await app.browser().get("/login")
            #expect(login.setCookies.contains { $0.hasPrefix("pi_csrf=") })
        }
    }

    @Test("the form-token key is made once and kept in the database for every instance, or comes from SECRET_KEY")
    func formTokenKey() async throws {
        try await TestDatabases.with(.sqlite) { db in
            let clock = FixedClock(TestDatabases.now)
            let one = try await AppDependencies(config: AppConfig(), db: db, clock: clock)
            let two = try await AppDependencies(config: AppConfig(), db: db, clock: clock)
            let token = one.formTokens.issue()
            #expect(two.formTokens.isGenuine(token) && token != one.formTokens.issue())
            let configured = try await AppDependencies(config: AppConfig(secretKey: String(repeating: "k", count: 32)), db: db, clock: clock)
            #expect(!configured.formTokens.isGenuine(token))
            #expect(configured.formTokens.isGenuine(configured.formTokens.issue()))
        }
        let none = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID()).env").path
        #expect(try await AppConfig.load(environment: ["SECRET_KEY": String(repeating: "s", count: 40)], dotEnvPath: none).secretKey?.count == 40)
        await #expect(throws: StoreError.self) { try await AppConfig.load(environment: ["SECRET_KEY": "short"], dotEnvPath: none) }
    }

    // MARK: Demo accounts

    @Test("without demo mode the seeded demo accounts neither sign in, nor keep a session, nor use an API token")
    func demoAccountsOffOutsideDemo() async throws {
        try await WebHarness.with(demo: false, seeded: true) { app in
            let page = try await signIn(app, "manager@vendor.example")
            #expect(page.status != .seeOther)
            #expect(page.body.contains("Demo accounts sign in only when the server runs in demo mode."))
            let user = try #require(try await UserRepository(db: app.db).find(email: "admin@bluefin.example"))
            let started = try await SessionRepository(db: app.db, acceptsDemoUsers: true).start(
                userID: user.id, address: "test", userAgent: "test", now: app.clock.now)
            let browser = app.browser()
            await browser.set(cookie: "pi_session", started.token)
            #expect(try await browser.get("/claims").status == .seeOther)
            let token = try await APITokenRepository(db: app.db).create(userID: user.id, name: "old", scope: .read, now: app.clock.now).1
            #expect(try await app.api("/api/v1/me", token: token).status == .unauthorized)
            // A user an operator added is not a demo account; nor is a demo account given a password of its own.
            _ = try await app.addUser("real@bluefin.example", organization: 1, roles: [(1, .incentivesUser)])
            #expect(try await signIn(app, "real@bluefin.example", "correct horse battery").status == .seeOther)
            #expect(try await app.deps.demoAccountsWarning()?.hasPrefix("This database holds 7 demo accounts") == true)
            try await UserRepository(db: app.db).setPassword(userID: user.id, passwordHash: PasswordHasher.hash("an operator's choice", cost: 4),
                                                             now: app.clock.now)
            #expect(try await signIn(app, "admin@bluefin.example", "an operator's choice").status == .seeOther)
            #expect(try await app.deps.demoAccountsWarning()?.hasPrefix("This database holds 6 demo accounts") == true)
        }
        try await WebHarness.with { app in
            let warning = try await app.deps.demoAccountsWarning()
            #expect(warning == nil, "in demo mode they are expected")
        }
    }

    // MARK: Low findings

    @Test("the first uses of one Idempotency-Key at the same moment: one comment, the others 409 or its replay, never 500",
          arguments: TestDatabases.flavors)
    func idempotencyRace(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let token = try await app.token("admin@bluefin.example")
            let draft = try await ClaimPageTests.draftClaim(app)
            for round in 0..<5 {
                let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "race-\(round)"]
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<6 {
                        group.addTask {
                            try await app.api("/api/v1/claims/\(draft)/comments", method: .post, token: token, headers: key,
                                              json: "{\"body\": \"once, round \(round)\"}").status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict }, "\(statuses)")
            }
            let comments = try await app.db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM claim_comments WHERE claim_id = \(bind: draft)").first()!.decode(column: "n", as: Int.self)
            }
            #expect(comments == 5)
        }
    }

    @Test("inviting an email of another organization says nothing about it; one of the caller's own organization is named")
    func inviteDoesNotEnumerate() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            try await admin.get("/settings/users")
            for email in ["admin@cedar.example", "manager@vendor.example"] {
                let page = try await admin.post("/settings/users", [("email", email), ("name", "X"), ("role", "1:incentives_user")])
                #expect(page.status == .unprocessableContent)
                #expect(!page.body.contains("already exists") && !page.body.contains("already"), "\(email)")
                #expect(page.body.contains("This email address can&#39;t be invited."), "\(email)")
            }
            let own = try await admin.post("/settings/users", [("email", "user@bluefin.example"), ("name", "X"), ("role", "1:incentives_user")])
            #expect(own.status == .unprocessableContent)
            #expect(own.body.contains("user@bluefin.example is already a user of your organization."))
        }
    }
}
