import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Calendar feeds: private addresses and the open deadlines a feed reads, on SQLite and PostgreSQL")
struct CalendarFeedsTests {
    let now = TestDatabases.now

    func user(_ email: String, _ db: Database) async throws -> UserRecord {
        try #require(try await UserRepository(db: db).find(email: email))
    }

    @Test("an address is made on request; renewing replaces the secret at once and keeps when it was made", arguments: TestDatabases.flavors)
    func renewReplaces(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let feeds = CalendarFeeds(db: db)
            let ana = try await user("user@bluefin.example", db).id, other = try await user("admin@cedar.example", db).id
            #expect(try await feeds.address(of: ana) == nil)
            let first = try await feeds.renew(for: ana, now: now)
            #expect(CalendarFeeds.looksLikeSecret(first.secret) && first.createdAt == now && first.renewedAt == nil)
            #expect(try await feeds.address(of: ana) == first)
            #expect(try await feeds.owner(of: first.secret) == ana)
            let others = try await feeds.renew(for: other, now: now)
            #expect(try await feeds.owner(of: others.secret) == other)

            let later = now.addingTimeInterval(3_600)
            let second = try await feeds.renew(for: ana, now: later)
            #expect(second.secret != first.secret && second.createdAt == now && second.renewedAt == later)
            #expect(try await feeds.owner(of: first.secret) == nil, "the old address stops at once")
            #expect(try await feeds.owner(of: second.secret) == ana)
            #expect(try await feeds.owner(of: others.secret) == other, "another user's address is left alone")
            await #expect(throws: StoreError.self) { try await feeds.renew(for: 987_654, now: now) }
        }
    }

    @Test("an unknown, mistyped or malformed secret has no owner", arguments: TestDatabases.flavors)
    func unknownSecrets(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let feeds = CalendarFeeds(db: db)
            let secret = try await feeds.renew(for: try await user("admin@bluefin.example", db).id, now: now).secret
            let flipped = String(secret.dropLast()) + (secret.hasSuffix("A") ? "B" : "A")
            let shouted = secret.uppercased() == secret ? "x" : secret.uppercased()
            for text in [flipped, Secret.make(), "", String(secret.dropLast()), secret + "A", shouted,
                         "' OR 1=1 --" + String(repeating: "a", count: 32), String(repeating: "é", count: 43)] {
                #expect(try await feeds.owner(of: text) == nil, "\(text)")
            }
        }
    }

    @Test("the deadlines of exactly the claims the scope sees, with a running clock, soonest first, capped", arguments: TestDatabases.flavors)
    func deadlinesScoped(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let feeds = CalendarFeeds(db: db)
            let from = CalendarFeed.earliest(at: now)
            /// What the feed must hold, read independently: claims with a deadline from `from` on, at these locations.
            func expected(_ locations: [Int64]?) async throws -> [Int64] {
                try await db.read { sql in
                    let rows = try await sql.raw("""
                        SELECT id, location_id FROM claims WHERE due_at IS NOT NULL AND due_at >= \(bind: from) ORDER BY due_at, id
                        """).all()
                    return try rows.filter { row in try locations.map { $0.contains(try row.decode(column: "location_id", as: Int64.self)) } ?? true }
                        .map { try $0.decode(column: "id", as: Int64.self) }
                }
            }
            let seattle = try await feeds.deadlines(in: try await user("user@bluefin.example", db).viewer.scope, from: from)
            #expect(!seattle.isEmpty)
            #expect(seattle.map(\.claimID) == (try await expected([1])))
            let bluefin = try await user("admin@bluefin.example", db).viewer
            #expect((try await feeds.deadlines(in: bluefin.scope, from: from)).map(\.claimID)
                    == (try await expected(Array(bluefin.incentiveLocations))))
            let vendor = try await feeds.deadlines(in: try await user("reviewer@vendor.example", db).viewer.scope, from: from)
            #expect(vendor.map(\.claimID) == (try await expected(nil)))
            #expect(zip(vendor, vendor.dropFirst()).allSatisfy { $0.dueAt <= $1.dueAt })
            #expect(vendor.contains { !$0.expires && $0.kind == .review }, "the vendor's own review deadlines are there")
            #expect(vendor.allSatisfy { $0.dueAt >= from })
            // An account admin holds no Incentives role: no claim, no deadline.
            #expect(try await feeds.deadlines(in: .partner(organizationID: 1, locationIDs: []), from: from).isEmpty)
            // The cap keeps the soonest.
            #expect((try await feeds.deadlines(in: .vendor, from: from, limit: 5)).map(\.claimID) == Array(vendor.prefix(5).map(\.claimID)))
            // A deadline long passed drops out.
            #expect(try await feeds.deadlines(in: .vendor, from: now.addingTimeInterval(400 * 86_400)).isEmpty)
        }
    }

    @Test("a claim's moved deadline and a new version show in the feed's row (what a calendar updates in place)")
    func movedDeadline() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            let feeds = CalendarFeeds(db: db)
            let from = CalendarFeed.earliest(at: now)
            let first = try #require(try await feeds.deadlines(in: .vendor, from: from).first)
            let moved = first.dueAt.addingTimeInterval(10 * 86_400)
            try await db.write { sql in
                try await sql.raw("UPDATE claims SET due_at = \(bind: moved), version = version + 1 WHERE id = \(bind: first.claimID)").run()
            }
            let again = try #require(try await feeds.deadlines(in: .vendor, from: from).first { $0.claimID == first.claimID })
            #expect(again.dueAt == moved && again.version == first.version + 1 && again.kind == first.kind)
        }
    }

    @Test("the feed's read seeks on an index of claims for a partner and for the vendor (SQLite's plan)")
    func indexedRead() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            for scope in [AccessScope.partner(organizationID: 1, locationIDs: [1, 2]), .vendor] {
                let plan = try await EngagementScaleTests.plan(of: CalendarFeeds.deadlinesQuery(in: scope, from: now, limit: 2_000), db: db)
                let claims = plan.filter { $0.hasPrefix("SCAN c") || $0.hasPrefix("SEARCH c ") }
                #expect(claims.count == 1 && claims.allSatisfy { $0.hasPrefix("SEARCH c USING") && $0.contains("due_") },
                        "\(scope): \(plan.joined(separator: "\n"))")
                // Ties on the same instant may be put in id order as they come; never a sort of every row read.
                #expect(!plan.contains { $0.contains("TEMP B-TREE FOR ORDER BY") }, "no sort of the rows read: \(plan.joined(separator: "\n"))")
            }
        }
    }
}
