import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// The calendar settings page and the feed over real HTTP, on SQLite and PostgreSQL: what each role's feed holds, that
/// no session is needed, that renewing stops the old address, and that every address that is not a live one is a 404.
@Suite("Calendar feed: the settings page and /calendar/{secret}.ics")
struct CalendarPagesTests {
    /// The address shown on the settings page, as a path.
    static func address(on page: Browser.Page) throws -> String {
        let match = page.body.range(of: #"/calendar/[A-Za-z0-9_-]{43}\.ics"#, options: .regularExpression)
        return String(page.body[try #require(match, "no calendar address on the page")])
    }

    /// Signs in, makes the address on the settings page, and returns its path.
    static func makeAddress(_ app: WebHarness, _ email: String) async throws -> String {
        let browser = try await app.signedIn(email)
        try await browser.get("/settings/calendar")
        let made = try await browser.post("/settings/calendar")
        #expect(made.status == .seeOther && made.location == "/settings/calendar")
        return try address(on: try await browser.get("/settings/calendar"))
    }

    /// The feed's content lines, unfolded.
    static func lines(_ body: String) -> [String] {
        body.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    /// The claim ids of the feed's events, in order, read from their UIDs.
    static func claimIDs(_ body: String) -> [Int64] {
        lines(body).filter { $0.hasPrefix("UID:claim-") }.compactMap { Int64($0.dropFirst(10).prefix { $0.isNumber }) }
    }

    /// The claims with an open deadline the feed must list at these locations (all, with nil), read directly.
    static func expected(_ app: WebHarness, at locations: [Int64]?) async throws -> [Int64] {
        let from = CalendarFeed.earliest(at: app.clock.now)
        let rows = try await app.db.read { sql in
            try await sql.raw("SELECT id, location_id FROM claims WHERE due_at IS NOT NULL AND due_at >= \(bind: from) ORDER BY due_at, id").all()
        }
        return try rows.filter { try locations?.contains(try $0.decode(column: "location_id", as: Int64.self)) ?? true }
            .map { try $0.decode(column: "id", as: Int64.self) }
    }

    @Test("a Seattle-only user's feed holds exactly Seattle's open deadlines, with no session; the vendor's every claim's",
          arguments: TestDatabases.flavors)
    func feedPerRole(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let seattle = try await Self.makeAddress(app, "user@bluefin.example")
            // A calendar app: no cookie, no session, no form token.
            let feed = try await app.browser().get(seattle)
            #expect(feed.status == .ok)
            #expect(feed.headers[.contentType] == "text/calendar; charset=utf-8")
            #expect(feed.headers[.cacheControl] == "private, max-age=300")
            #expect(feed.body.hasPrefix("BEGIN:VCALENDAR\r\n") && feed.body.hasSuffix("END:VCALENDAR\r\n"))
            let ids = Self.claimIDs(feed.body)
            #expect(!ids.isEmpty)
            #expect(ids == (try await Self.expected(app, at: [1])), "Seattle's open deadlines, soonest first")
            let elsewhere = try await Self.expected(app, at: [2, 3, 4, 5, 6, 7, 8, 9])
            #expect(!elsewhere.isEmpty && Set(ids).isDisjoint(with: elsewhere), "no other location's or organization's claim")
            let lines = Self.lines(feed.body)
            #expect(lines.filter { $0 == "BEGIN:VALARM" }.count == 2 * ids.count)
            #expect(lines.contains { $0.hasPrefix("URL:http://127.0.0.1:8080/claims/\(ids[0])") })

            let admin = try await app.browser().get(try await Self.makeAddress(app, "admin@bluefin.example"))
            #expect(Self.claimIDs(admin.body) == (try await Self.expected(app, at: [1, 2, 3, 4])))
            let reviewer = try await app.browser().get(try await Self.makeAddress(app, "reviewer@vendor.example"))
            #expect(Self.claimIDs(reviewer.body) == (try await Self.expected(app, at: nil)))
            #expect(Self.lines(reviewer.body).contains { $0.hasPrefix("SUMMARY:Complete the review: ") }, "the vendor's own deadlines")
            // An account admin without an Incentives role sees no claim: an empty calendar, and the page says why.
            _ = try await app.addUser("accounts@bluefin.example", organization: 1, roles: [(1, .accountAdmin)])
            let accounts = try await app.browser().get(try await Self.makeAddress(app, "accounts@bluefin.example"))
            #expect(accounts.status == .ok && Self.claimIDs(accounts.body).isEmpty)
            let page = try await app.signedIn("accounts@bluefin.example").get("/settings/calendar")
            #expect(page.body.contains("You hold no Incentives role on any location"))
        }
    }

    @Test("renewing stops the old address at once; unknown, malformed and reset addresses are 404", arguments: TestDatabases.flavors)
    func renewAndNotFound(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let browser = try await app.signedIn("admin@bluefin.example")
            let empty = try await browser.get("/settings/calendar")
            #expect(empty.status == .ok && empty.body.h1 == "Calendar feed")
            #expect(empty.body.contains("You have no calendar address yet.") && empty.body.contains("Make my calendar address"))
            let old = try await Self.makeAddress(app, "admin@bluefin.example")
            app.clock.advance(by: 600) // within the session's idle limit
            let renewed = try await browser.post("/settings/calendar")
            #expect(renewed.status == .seeOther)
            let page = try await browser.get("/settings/calendar")
            #expect(page.body.contains("Your calendar has a new address; the old one no longer works."))
            #expect(page.body.contains("Last renewed") && page.body.contains("Renew address"))
            let new = try Self.address(on: page)
            #expect(new != old)
            #expect(try await app.browser().get(old).status == .notFound)
            #expect(try await app.browser().get(new).status == .ok)

            let secret = new.dropFirst("/calendar/".count).dropLast(".ics".count)
            for path in ["/calendar/\(String(repeating: "A", count: 43)).ics", "/calendar/short.ics", "/calendar/\(secret).ICS",
                         "/calendar/\(secret.dropLast())%FF.ics", "/calendar/.ics", "/calendar/\(secret)"] {
                let answer = try await app.browser().get(path)
                #expect(answer.status == .notFound, "\(path)")
                #expect(!answer.body.contains("BEGIN:VCALENDAR"))
            }
            // A password reset ends everything made with the old password, the calendar address too.
            let user = try #require(try await UserRepository(db: app.db).find(email: "admin@bluefin.example"))
            try await UserRepository(db: app.db).setPassword(userID: user.id, passwordHash: PasswordHasher.hash("a brand new password", cost: 4),
                                                             now: app.clock.now)
            #expect(try await app.browser().get(new).status == .notFound)
        }
    }

    @Test("a user who may no longer sign in (a demo account outside demo mode) has no feed: 404, like an unknown address")
    func deactivatedUser() async throws {
        // The demo's database served without --demo: its accounts can't sign in, and an address one made answers 404.
        try await WebHarness.with(demo: false, seeded: true) { app in
            let users = UserRepository(db: app.db)
            let demoUser = try #require(try await users.find(email: "user@bluefin.example"))
            let secret = try await app.deps.stores.calendarFeeds.renew(for: demoUser.id, now: app.clock.now).secret
            let answer = try await app.browser().get("/calendar/\(secret).ics")
            #expect(answer.status == .notFound && answer.body.h1 == "Page not found")
            // An ordinary account on the same server keeps its feed.
            let id = try await app.addUser("ops@bluefin.example", organization: 1, roles: [(1, .incentivesUser)])
            let own = try await app.deps.stores.calendarFeeds.renew(for: id, now: app.clock.now).secret
            #expect(try await app.browser().get("/calendar/\(own).ics").status == .ok)
        }
    }

    @Test("renewing takes the form token: without it or with another's, 403 and the address stays")
    func csrf() async throws {
        try await WebHarness.with { app in
            let address = try await Self.makeAddress(app, "user@bluefin.example")
            let browser = try await app.signedIn("user@bluefin.example")
            try await browser.get("/settings/calendar")
            let other = try await app.signedIn("admin@bluefin.example")
            try await other.get("/settings/calendar")
            let stolen = try #require(await other.csrfToken)
            for token in ["", stolen, "x"] {
                let answer = try await browser.post("/settings/calendar", csrf: token)
                #expect(answer.status == .forbidden, "token \(token)")
            }
            #expect(try await app.browser().get(address).status == .ok, "the address was not renewed")
            #expect(try Self.address(on: try await browser.get("/settings/calendar")) == address)
        }
    }

    @Test("hostile input: a damaged form renews nothing (400); fields the form does not have are ignored")
    func hostile() async throws {
        try await WebHarness.with { app in
            let address = try await Self.makeAddress(app, "user@bluefin.example")
            let browser = try await app.signedIn("user@bluefin.example")
            try await browser.get("/settings/calendar")
            try await HostileFormsTests.damaged(app, browser, "calendar renew", "/settings/calendar", HostileFormsTests.notUTF8)
            #expect(try await app.browser().get(address).status == .ok)
            try await browser.get("/settings/calendar")
            let extra = try await browser.post("/settings/calendar", [("user_id", "1"), ("secret", HostileFormsTests.script)])
            #expect(extra.status == .seeOther)
            #expect(try await app.browser().get(address).status == .notFound, "renewed, by its own rule only")
            let page = try await browser.get("/settings/calendar")
            #expect(!page.body.contains(HostileFormsTests.script))
        }
    }
}
