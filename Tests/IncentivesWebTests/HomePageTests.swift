import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// The home page's content for each side: what is due within 14 days, claims by status, the review queue, users.
@Suite("Home page: deadlines in the next 14 days, claims by status, the review queue")
struct HomePageTests {
    /// The "Claims by status" table: each status label with its count.
    static func statusCounts(_ body: String) -> [String: Int] {
        guard let section = body.range(of: #"id="status-heading""#) else { return [:] }
        var counts: [String: Int] = [:]
        for match in body[section.upperBound...].matches(of: /<tr><td><span class="badge [^"]*">([^<]+)<\/span><\/td><td class="num">(\d+)<\/td><\/tr>/) {
            counts[String(match.output.1)] = Int(match.output.2)
        }
        return counts
    }

    /// The claims each status holds in the scope's locations, counted from the claims table itself (the page reads
    /// `claim_counts`, kept by triggers).
    static func countsFromClaims(_ app: WebHarness, locations: [Int64]?) async throws -> [String: Int] {
        let rows = try await app.db.read { sql in
            try await sql.raw("SELECT status, location_id FROM claims").all().map {
                (try $0.decode(column: "status", as: String.self), try $0.decode(column: "location_id", as: Int64.self))
            }
        }
        var counts: [String: Int] = [:]
        for (status, location) in rows where locations?.contains(location) ?? true {
            counts[ClaimStatus(rawValue: status)!.label, default: 0] += 1
        }
        return counts
    }

    @Test("a partner sees the claims that expire within 14 days of their locations, times in their zone, and the counts by status",
          arguments: TestDatabases.flavors)
    func partnerHome(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            // Every open deadline out of the fortnight, then: a Seattle claim due in 3 days, one in 15 days, a London one in 2 days.
            let now = app.clock.now
            try await app.db.write { sql in
                try await sql.raw("UPDATE claims SET expires_at = \(bind: now.adding(calendarDays: 400)) WHERE expires_at IS NOT NULL").run()
                for (id, days) in [(Int64(3), 3), (52, 15), (137, 2)] {
                    let due = now.adding(calendarDays: days)
                    try await sql.raw("UPDATE claims SET due_at = \(bind: due), expires_at = \(bind: due) WHERE id = \(bind: id)").run()
                }
            }
            let user = try await app.signedIn("user@bluefin.example")
            let home = try await user.get("/")
            #expect(home.status == .ok && home.body.h1 == "Welcome, Sam Rivera")
            #expect(home.body.contains("1 claim will expire unless someone acts in time."))
            #expect(home.body.contains(#"<a href="/claims/3">"#) && !home.body.contains(#"<a href="/claims/52">"#))
            #expect(!home.body.contains(#"<a href="/claims/137">"#), "London is not this user's")
            // 25 Nov 2026 09:46:40 UTC + 3 days, in the user's zone (America/Los_Angeles, UTC-8 in November; en_GB names it GMT-8).
            #expect(home.body.contains(#"title="28 Nov 2026 at 01:46 GMT-8""#))

            // Seattle's 40 claims by status, as the claims table holds them.
            let counts = Self.statusCounts(home.body)
            #expect(counts == (try await Self.countsFromClaims(app, locations: [1])))
            #expect(counts.values.reduce(0, +) == 40 && counts["Customer claimed"] == 2 && counts["Rejected"] == 4)
            #expect(!home.body.contains(#"id="queue-heading""#) && !home.body.contains(#"id="users-heading""#))
        }
    }

    @Test("the reviewer sees the queue's size and every organization's counts; an account admin the locations they manage")
    func vendorAndAccountAdminHome() async throws {
        try await WebHarness.with { app in
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let home = try await reviewer.get("/")
            // The demo's 12 submitted, 12 under review and 12 disputed claims.
            #expect(home.body.contains("36 claims submitted or disputed."))
            #expect(!home.body.contains(#"id="due-heading""#))
            #expect(Self.statusCounts(home.body) == (try await Self.countsFromClaims(app, locations: nil)))

            _ = try await app.addUser("accounts@bluefin.example", organization: 1, roles: [(1, .accountAdmin), (2, .accountAdmin)])
            let accounts = try await app.signedIn("accounts@bluefin.example")
            let page = try await accounts.get("/")
            #expect(page.body.contains("You manage the users and roles of 2 locations."))
            #expect(!page.body.contains(#"id="status-heading""#) && !page.body.contains(#"id="due-heading""#))
        }
    }
}
