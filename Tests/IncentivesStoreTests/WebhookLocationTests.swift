import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

/// Issue 15: a partner endpoint carries the events of the locations where its creator is Incentives admin, no more;
/// an owner's endpoints are capped, and manual sends are rate-limited.
@Suite("Webhook endpoints scoped to locations, capped, and rate-limited, on SQLite and PostgreSQL")
struct WebhookLocationTests {
    let now = TestDatabases.now
    let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")

    /// Bluefin's first two locations: A and B.
    func locationsAB(_ db: Database) async throws -> (Int64, Int64) {
        let locations = try await UserRepository(db: db).locations(ofOrganization: 1).map(\.id).sorted()
        return (locations[0], locations[1])
    }

    /// A Bluefin user who is Incentives admin of `locations` only.
    func admin(of locations: [Int64], _ email: String, _ db: Database) async throws -> Int64 {
        let users = UserRepository(db: db)
        let id = try await users.add(email: email, name: "Admin \(email)", organizationID: 1, vendorRole: nil, passwordHash: nil, now: now)
        for location in locations { try await users.grant(.incentivesAdmin, onLocation: location, toUser: id) }
        return id
    }

    func claim(at location: Int64, _ db: Database) async throws -> Int64 {
        try #require(try await db.read { sql in
            try await sql.raw("SELECT id FROM claims WHERE location_id = \(bind: location) AND status = 'under_review' ORDER BY id")
                .first()?.decode(column: "id", as: Int64.self)
        }, "no claim under review at location \(location)")
    }

    /// (endpoint, the claim's location in the payload) of every delivery, oldest first.
    func deliveries(_ db: Database) async throws -> [(endpoint: Int64, location: Int64?)] {
        try await db.read { sql in
            try await sql.raw("""
                SELECT d.endpoint_id, ev.location_id FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id ORDER BY d.id
                """).all().map { (try $0.decode(column: "endpoint_id", as: Int64.self), try $0.decode(column: "location_id", as: Int64?.self)) }
        }
    }

    @Test("an endpoint of an Incentives admin of location A gets A's events only; the organization-wide admin's gets both",
          arguments: TestDatabases.flavors)
    func fanOutByLocation(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let (a, b) = try await locationsAB(db)
            let userA = try await admin(of: [a], "only-a@bluefin.example", db)
            let ownerA = try await WebhookOwners.of("only-a@bluefin.example", db).owner
            let webhooks = WebhookRepository(db: db)
            let onlyA = try await WebhookOwners.endpoint(db, by: "only-a@bluefin.example", url: "https://a.example/hooks", events: [.claimCommentAdded])
            #expect(onlyA.locations.count == 1)
            let all = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://all.example/hooks", events: [.claimCommentAdded])
            #expect(all.locations.count == 4)
            // Whatever locations a caller claims, an endpoint takes only its organization's own.
            let cedarLocation = try #require(try await UserRepository(db: db).locations(ofOrganization: 2).first?.id)
            let stretched = try await webhooks.create(url: "https://stretch.example/hooks", description: "", events: [.claimCommentAdded],
                                                      owner: .partner(organizationID: 1, locations: [a, cedarLocation]), by: userA,
                                                      policy: .publicOnly, now: now).endpoint
            #expect(stretched.locations == onlyA.locations)

            let work = ClaimWork(db: db, links: ClaimLinks(publicURL: "https://incentives.example"))
            try await work.comment("At A.", on: try await claim(at: a, db), by: reviewer, in: .vendor, at: now)
            try await work.comment("At B.", on: try await claim(at: b, db), by: reviewer, in: .vendor, at: now)
            let written = try await deliveries(db)
            #expect(written.filter { $0.endpoint == onlyA.id }.map(\.location) == [a], "B's comment never reaches A's admin")
            #expect(written.filter { $0.endpoint == stretched.id }.map(\.location) == [a])
            #expect(written.filter { $0.endpoint == all.id }.map(\.location) == [a, b])

            // A's admin sees A's endpoints, not the organization-wide one nor its deliveries; the wide admin sees all.
            #expect(Set(try await webhooks.endpoints(of: ownerA).map(\.id)) == [onlyA.id, stretched.id])
            #expect(try await webhooks.endpoint(all.id, of: ownerA) == nil)
            #expect(try await webhooks.deliveries(of: all.id, owner: ownerA) == nil)
            let (wide, _) = try await WebhookOwners.of("admin@bluefin.example", db)
            #expect(Set(try await webhooks.endpoints(of: wide).map(\.id)) == [onlyA.id, stretched.id, all.id])
            #expect(try await webhooks.deliveries(of: all.id, owner: wide)?.deliveries.count == 2)
        }
    }

    @Test("a delivery is refused when it is taken if the creator lost Incentives admin of the claim's location meanwhile",
          arguments: TestDatabases.flavors)
    func revokedAtSendTime(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let (a, _) = try await locationsAB(db)
            let userA = try await admin(of: [a], "only-a@bluefin.example", db)
            let ownerA = try await WebhookOwners.of("only-a@bluefin.example", db).owner
            let webhooks = WebhookRepository(db: db)
            let endpoint = try await WebhookOwners.endpoint(db, by: "only-a@bluefin.example", url: "https://a.example/hooks", events: [.claimCommentAdded])
            let work = ClaimWork(db: db, links: ClaimLinks(publicURL: "https://incentives.example"))
            let claimA = try await claim(at: a, db)
            try await work.comment("Before.", on: claimA, by: reviewer, in: .vendor, at: now)
            let ping = try await webhooks.sendTest(endpoint.id, owner: ownerA, now: now)
            let allowed = try await webhooks.take(now: now)
            #expect(allowed.count == 2 && allowed.allSatisfy { $0.refusal == nil })
            for send in allowed { try await webhooks.record(send, outcome: .response(status: 200, excerpt: ""), durationMS: 1, now: now) }

            try await work.comment("After the event, before the send.", on: claimA, by: reviewer, in: .vendor, at: now)
            try await UserRepository(db: db).revoke(.incentivesAdmin, onLocation: a, fromUser: userA)
            let refused = try #require(try await webhooks.take(now: now).first)
            #expect(refused.refusal?.contains("no longer Incentives admin of the claim's location") == true)
            let status = try await webhooks.record(refused, outcome: .refused("Not sent. \(refused.refusal!)"), durationMS: 0, now: now)
            #expect(status == .failed, "a refusal is not retried")
            #expect(try await webhooks.take(now: now.addingTimeInterval(86_400)).isEmpty)
            #expect(ping > 0)
        }
    }

    @Test("migration 12 gives existing endpoints their creator's Incentives-admin locations (none when the creator is gone), old events their claim's location",
          arguments: TestDatabases.flavors)
    func migration(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true, migrations: Migrator.all.filter { $0.number != 12 }) { db in
            let (a, b) = try await locationsAB(db)
            let userA = try await admin(of: [a], "only-a@bluefin.example", db)
            let wide = try #require(try await UserRepository(db: db).find(email: "admin@bluefin.example")).id
            let cedarAdmin = try #require(try await UserRepository(db: db).find(email: "admin@cedar.example")).id
            let claimB = try await claim(at: b, db)
            func endpoint(_ name: String, organization: Int64?, by user: Int64?) async throws -> Int64 {
                try #require(try await db.write { sql in
                    try await sql.raw("""
                        INSERT INTO webhook_endpoints (organization_id, url, description, secret, enabled, created_at, created_by)
                        VALUES (\(bind: organization), \(bind: "https://\(name).example/"), '', 'whsec_x', \(bind: true), \(bind: now), \(bind: user))
                        RETURNING id
                        """).first()?.decode(column: "id", as: Int64.self)
                })
            }
            let ofA = try await endpoint("a", organization: 1, by: userA)
            let ofWide = try await endpoint("wide", organization: 1, by: wide)
            let orphan = try await endpoint("orphan", organization: 1, by: nil)
            // Its creator belongs to another organization now: it takes none of that one's locations.
            let stranger = try await endpoint("stranger", organization: 1, by: cedarAdmin)
            let old = #"{"id":"evt_old","data":{"claim":{"id":"# + String(claimB) + #","name":"x"}}}"#
            try await db.write { sql in
                try await sql.raw("""
                    INSERT INTO webhook_events (public_id, type, organization_id, payload, created_at)
                    VALUES ('evt_old', 'claim.comment_added', 1, \(bind: old), \(bind: now)),
                           ('evt_ping', 'webhook.ping', 1, '{"id":"evt_ping","data":{"endpoint":{"id":1}}}', \(bind: now))
                    """).run()
            }
            #expect(try await Migrator.migrate(db, clock: FixedClock(now)) == [12])
            let rows = try await db.read { sql in
                try await sql.raw("SELECT endpoint_id, location_id FROM webhook_endpoint_locations ORDER BY endpoint_id, location_id").all()
                    .map { (try $0.decode(column: "endpoint_id", as: Int64.self), try $0.decode(column: "location_id", as: Int64.self)) }
            }
            let bluefin = try await UserRepository(db: db).locations(ofOrganization: 1).map(\.id).sorted()
            #expect(rows.filter { $0.0 == ofA }.map(\.1) == [a])
            #expect(rows.filter { $0.0 == ofWide }.map(\.1) == bluefin)
            #expect(rows.filter { $0.0 == orphan || $0.0 == stranger }.isEmpty)
            let events = try await db.read { sql in
                try await sql.raw("SELECT public_id, location_id FROM webhook_events ORDER BY public_id").all()
                    .map { (try $0.decode(column: "public_id", as: String.self), try $0.decode(column: "location_id", as: Int64?.self)) }
            }
            #expect(events.map(\.0) == ["evt_old", "evt_ping"] && events[0].1 == b && events[1].1 == nil)
        }
    }

    @Test("an owner has at most 10 endpoints; the 11th is refused with a message and nothing is stored", arguments: TestDatabases.flavors)
    func endpointCap(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            for i in 1...WebhookEndpointRules.maxEndpointsPerOwner {
                _ = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://n\(i).example/hooks")
            }
            await #expect(throws: StoreError.invalid(field: "form", WebhookEndpointRules.tooManyEndpoints)) {
                _ = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://n11.example/hooks")
            }
            let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", db)
            #expect(try await WebhookRepository(db: db).count(of: bluefin) == 10)
            // Another owner has its own count.
            _ = try await WebhookOwners.endpoint(db, by: "admin@cedar.example", url: "https://cedar.example/hooks")
            _ = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://vendor.example/hooks")
        }
    }

    @Test("test events and resends: 5 per endpoint per minute, then refused until the oldest is a minute old", arguments: TestDatabases.flavors)
    func manualSendLimit(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let (owner, _) = try await WebhookOwners.of("admin@bluefin.example", db)
            let webhooks = WebhookRepository(db: db)
            let endpoint = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://a.example/hooks")
            let other = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://b.example/hooks")
            var pings: [Int64] = []
            for second in 0..<4 { pings.append(try await webhooks.sendTest(endpoint.id, owner: owner, now: now.addingTimeInterval(Double(second)))) }
            try await webhooks.sendAgain(pings[0], of: endpoint.id, owner: owner, now: now.addingTimeInterval(10))
            let sixth = now.addingTimeInterval(20)
            await #expect(throws: WebhookSendLimited(until: now.addingTimeInterval(60),
                                                     message: "At most 5 test events and resends per endpoint per minute: try again in 40 seconds.")) {
                _ = try await webhooks.sendTest(endpoint.id, owner: owner, now: sixth)
            }
            await #expect(throws: WebhookSendLimited.self) { try await webhooks.sendAgain(pings[1], of: endpoint.id, owner: owner, now: sixth) }
            #expect(try await webhooks.deliveries(of: endpoint.id, owner: owner)?.deliveries.count == 4, "a refused test event stores nothing")
            // Another endpoint has its own allowance; a minute after the first send, one more may go.
            _ = try await webhooks.sendTest(other.id, owner: owner, now: sixth)
            _ = try await webhooks.sendTest(endpoint.id, owner: owner, now: now.addingTimeInterval(60))
        }
    }
}
