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

@Suite("Sign-in, sessions and the form token")
struct SignInTests {
    /// Demo passwords are hashed at cost 4 in tests; signing in goes through the real form.
    func signIn(_ browser: Browser, _ email: String, _ password: String = "demo-password", next: String? = nil) async throws -> Browser.Page {
        try await browser.get(next.map { "/login?next=\($0)" } ?? "/login")
        return try await browser.post("/login", [("email", email), ("password", password)] + (next.map { [("next", $0)] } ?? []))
    }

    @Test("signing in rotates the session, sets a HttpOnly SameSite=Lax cookie, and lands on the home page")
    func signInFlow() async throws {
        try await WebHarness.with { app in
            let browser = app.browser()
            let login = try await browser.get("/login")
            #expect(login.status == .ok)
            #expect(login.body.contains(#"<input id="email" name="email""#))
            #expect(login.body.contains("admin@bluefin.example"), "demo sign-ins are listed in demo mode")
            // A session cookie planted before sign-in (fixation) must not survive it.
            let planted = try await SessionRepository(db: app.db).start(userID: 2, address: "x", userAgent: "x", now: app.clock.now)
            await browser.set(cookie: "pi_session", planted.token)
            // With a live session, forms carry that session's token (and only it is accepted).
            let done = try await browser.post("/login", [("email", "ADMIN@bluefin.example "), ("password", "demo-password")],
                                              csrf: planted.csrfToken)
            #expect(done.status == .seeOther)
            #expect(done.location == "/")
            let cookie = try #require(done.setCookies.first { $0.hasPrefix("pi_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
            #expect(await browser.cookies["pi_session"] != planted.token)
            #expect(try await SessionRepository(db: app.db).resume(token: planted.token, now: app.clock.now) == nil)
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.body.contains(#"<span class="whoami""#) && home.body.contains("Alex Morgan"))
            #expect(home.body.contains(#"<span class="org-name">Bluefin Consulting</span>"#))
            #expect(home.body.navigation == ["Home", "Engagements", "Customer claims", "Eligibility", "Payee profiles", "Enrollment", "Earnings", "Users", "Webhooks"])
            #expect(home.headers[.cacheControl] == "no-store")
        }
    }

    @Test("a wrong password and an unknown email get the same message, and the form keeps the email")
    func wrongPassword() async throws {
        try await WebHarness.with { app in
            let wrong = try await signIn(app.browser(), "admin@bluefin.example", "not-the-password")
            let unknown = try await signIn(app.browser(), "nobody@bluefin.example", "not-the-password")
            #expect(wrong.status == .unprocessableContent)
            #expect(unknown.status == .unprocessableContent)
            #expect(wrong.body.contains(#"<p id="login-error" class="form-error" role="alert">Email or password is incorrect.</p>"#))
            #expect(unknown.body.contains(#"<p id="login-error" class="form-error" role="alert">Email or password is incorrect.</p>"#))
            #expect(wrong.body.contains(#"value="admin@bluefin.example""#))
            let empty = try await signIn(app.browser(), "", "")
            #expect(empty.body.contains("Enter your email and password."))
        }
    }

    @Test("after three failures each attempt waits, the right password included, then it works again", arguments: TestDatabases.flavors)
    func throttling(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            for _ in 0..<3 { _ = try await signIn(app.browser(), "admin@kestrel.example", "guess-\(UUID())") }
            let waiting = try await signIn(app.browser(), "admin@kestrel.example")
            #expect(waiting.status == .tooManyRequests)
            #expect(waiting.body.contains("Too many failed sign-ins. Try again in 2 seconds."))
            // An unknown account is throttled the same way, so the wait tells nothing about existence.
            for _ in 0..<3 { _ = try await signIn(app.browser(), "ghost@kestrel.example", "guess") }
            #expect(try await signIn(app.browser(), "ghost@kestrel.example", "guess").status == .tooManyRequests)
            app.clock.advance(by: 2)
            let again = try await signIn(app.browser(), "admin@kestrel.example")
            #expect(again.status == .seeOther)
        }
    }

    @Test("signing out ends the session on the server; the old cookie opens nothing")
    func signOut() async throws {
        try await WebHarness.with { app in
            let browser = app.browser()
            _ = try await signIn(browser, "user@bluefin.example")
            let token = try #require(await browser.cookies["pi_session"])
            try await browser.get("/")
            let out = try await browser.post("/logout")
            #expect(out.status == .seeOther && out.location == "/login")
            let login = try await browser.get("/login")
            #expect(login.body.contains(#"<div class="flash flash-info" role="status">You are signed out.</div>"#))
            #expect(try await SessionRepository(db: app.db).resume(token: token, now: app.clock.now) == nil)
            let replay = app.browser()
            await replay.set(cookie: "pi_session", token)
            let claims = try await replay.get("/claims")
            #expect(claims.status == .seeOther && claims.location == "/login?next=%2Fclaims")
        }
    }

    @Test("after sign-in the user goes where they were headed, never off-site")
    func nextPath() async throws {
        try await WebHarness.with { app in
            for (next, landing) in [("/claims", "/claims"), ("//evil.example/x", "/"), ("https://evil.example", "/")] {
                let page = try await signIn(app.browser(), "user@bluefin.example", next: next)
                #expect(page.location == landing, "next=\(next)")
            }
        }
    }

    @Test("sessions end after 30 idle minutes and after 12 hours whatever happens", arguments: TestDatabases.flavors)
    func expiry(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let browser = try await app.signedIn("user@bluefin.example")
            app.clock.advance(by: 29 * 60)
            #expect(try await browser.get("/").status == .ok)
            app.clock.advance(by: 29 * 60)
            #expect(try await browser.get("/").status == .ok, "each visit restarts the idle time")
            app.clock.advance(by: 31 * 60)
            #expect(try await browser.get("/").status == .seeOther)

            let busy = try await app.signedIn("user@bluefin.example")
            for _ in 0..<25 { app.clock.advance(by: 29 * 60); _ = try await busy.get("/") }
            #expect(try await busy.get("/").status == .seeOther, "over 12 hours in all")
        }
    }

    @Test("a state-changing request without this browser's form token is refused with the 403 page, changing nothing")
    func csrf() async throws {
        try await WebHarness.with { app in
            let browser = try await app.signedIn("admin@bluefin.example")
            try await browser.get("/")
            let missing = try await browser.post("/logout", csrf: "")
            #expect(missing.status == .forbidden)
            #expect(missing.body.h1 == "Not allowed")
            #expect(missing.body.contains("This form has expired or did not come from this site."))
            let wrong = try await browser.post("/logout", csrf: "forged-token-forged-token-forged-token-0000")
            #expect(wrong.status == .forbidden)
            #expect(try await browser.get("/").status == .ok, "still signed in")
            let invite = try await browser.post("/settings/users", [("email", "x@bluefin.example"), ("name", "X"), ("role", "1:incentives_user")], csrf: "")
            #expect(invite.status == .forbidden)
            #expect(try await UserRepository(db: app.db).find(email: "x@bluefin.example") == nil)
            // Signed out, the login form carries the visitor's cookie token.
            let visitor = app.browser()
            #expect(try await visitor.post("/login", [("email", "a@b.example"), ("password", "x")], csrf: "").status == .forbidden)
        }
    }

    @Test("pages carry the security headers; cookies are Secure behind https")
    func headers() async throws {
        try await WebHarness.with(publicURL: "https://incentives.example") { app in
            let page = try await app.browser().get("/login")
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            #expect(page.setCookies.allSatisfy { $0.contains("Secure") })
        }
    }

    @Test("HEAD answers like GET without a body; unknown pages are the 404 page in the layout")
    func headAndNotFound() async throws {
        try await WebHarness.with { app in
            let browser = try await app.signedIn("reviewer@vendor.example")
            let head = try await browser.get("/", method: .head)
            #expect(head.status == .ok && head.body.isEmpty)
            let missing = try await browser.get("/no/such/page")
            #expect(missing.status == .notFound)
            #expect(missing.body.h1 == "Page not found")
            #expect(missing.body.navigation == ["Home", "Customer claims", "Review", "Catalogue", "Partners"])
            let forbidden = try await browser.get("/engagements")
            #expect(forbidden.status == .forbidden && forbidden.body.h1 == "Not allowed")
        }
    }

    @Test("each demo user sees exactly the navigation of their roles")
    func navigationPerRole() async throws {
        try await WebHarness.with { app in
            let expected: [String: [String]] = [
                "admin@bluefin.example": ["Home", "Engagements", "Customer claims", "Eligibility", "Payee profiles", "Enrollment", "Earnings", "Users", "Webhooks"],
                "user@bluefin.example": ["Home", "Engagements", "Customer claims", "Eligibility", "Payee profiles", "Enrollment", "Earnings"],
                "admin@cedar.example": ["Home", "Engagements", "Customer claims", "Eligibility", "Payee profiles", "Enrollment", "Earnings", "Users", "Webhooks"],
                "reviewer@vendor.example": ["Home", "Customer claims", "Review", "Catalogue", "Partners"],
                "manager@vendor.example": ["Home", "Customer claims", "Payee profiles", "Enrollment", "Earnings", "Payments", "Review", "Catalogue",
                                           "Partners", "Webhooks"],
                "finance@vendor.example": ["Home", "Customer claims", "Payee profiles", "Enrollment", "Earnings", "Payments", "Review", "Catalogue",
                                           "Partners", "Webhooks"],
            ]
            for (email, nav) in expected {
                let home = try await app.signedIn(email).get("/")
                #expect(home.body.navigation == nav, "\(email)")
            }
            _ = try await app.addUser("accounts@cedar.example", organization: 2, roles: [(5, .accountAdmin)])
            let accountsOnly = try await app.signedIn("accounts@cedar.example").get("/")
            #expect(accountsOnly.body.navigation == ["Home", "Users"])
        }
    }
}

@Suite("Error pages")
struct ErrorPageTests {
    @Test("a damaged row is a 500 page in the layout, without details")
    func serverError() async throws {
        try await WebHarness.with { app in
            try await app.db.write { try await $0.raw("UPDATE claims SET status = 'bogus' WHERE location_id = 1").run() }
            let page = try await app.signedIn("user@bluefin.example").get("/claims")
            #expect(page.status == .internalServerError)
            #expect(page.body.h1 == "Something went wrong")
            #expect(!page.body.contains("bogus"))
            #expect(page.body.navigation.first == "Home")
        }
    }
}
