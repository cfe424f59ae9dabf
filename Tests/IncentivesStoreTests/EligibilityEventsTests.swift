import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Webhook events of eligibility lists and inclusion requests, fanned out per location, on SQLite and PostgreSQL")
struct EligibilityEventsTests {
    let now = TestDatabases.now
    let engagement: Int64 = 4

    struct Event { let endpoint: Int64; let type: String; let data: [String: Any] }

    /// Every delivery of the eligibility events, oldest first, with its event's `data`.
    func events(_ db: Database) async throws -> [Event] {
        let rows = try await db.read { sql in
            try await sql.raw("""
                SELECT d.endpoint_id, ev.type, ev.payload FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
                WHERE ev.type IN ('eligibility.changed', 'inclusion_request.decided') ORDER BY d.id
                """).all().map { row in
                    (try row.decode(column: "endpoint_id", as: Int64.self), try row.decode(column: "type", as: String.self),
                     try row.decode(column: "payload", as: String.self))
                }
        }
        return try rows.map { endpoint, type, payload in
            let json = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            return Event(endpoint: endpoint, type: type, data: try #require(json["data"] as? [String: Any]))
        }
    }

    func viewer(_ email: String, _ db: Database) async throws -> Viewer {
        let users = UserRepository(db: db)
        let user = try #require(try await users.find(email: email))
        return try #require(try await users.viewer(user.id, acceptsDemoUsers: true))
    }

    @Test("list and criterion changes reach the vendor's endpoints and the partner's that take the location, once per change",
          arguments: TestDatabases.flavors)
    func listAndCriteria(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let both: Set<WebhookEventType> = [.eligibilityChanged, .inclusionRequestDecided]
            let bluefin = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://bluefin.example/hooks", events: both).id
            let cedar = try await WebhookOwners.endpoint(db, by: "admin@cedar.example", url: "https://cedar.example/hooks", events: both).id
            let vendor = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://vendor.example/hooks", events: both).id
            _ = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://claims.example/hooks", events: [.claimStatusChanged])
            let lists = EligibilityLists(db: db), pm = try await viewer("manager@vendor.example", db)

            try await lists.remove(1, from: engagement, by: pm, at: now)
            try await lists.add(1, to: engagement, by: pm, at: now)
            var seen = try await events(db)
            #expect(seen.map(\.endpoint) == [bluefin, vendor, bluefin, vendor], "Seattle's changes: Bluefin's endpoint and the vendor's only")
            #expect(seen.map { $0.data["change"] as? String } == ["unlisted", "unlisted", "listed", "listed"])
            let first = try #require(seen.first)
            #expect((first.data["location"] as? [String: Any])?["id"] as? Int == 1)
            #expect((first.data["engagement"] as? [String: Any])?["id"] as? Int == 4)
            #expect(first.data["criterion"] is NSNull && first.data["actor"] as? String == pm.name)

            try await lists.remove(5, from: engagement, by: pm, at: now)
            seen = try await events(db)
            #expect(seen.suffix(2).map(\.endpoint) == [cedar, vendor], "Cedar's Berlin: Cedar's endpoint and the vendor's")

            let criterion = try #require(try await CatalogueRepository(db: db).engagement(engagement)?.version(inForceAt: now).partnerCriteria.first)
            let day = DayDate(now).adding(days: 1)
            let expiring = CriterionSetting(status: .expiring, expiresOn: day, evidence: "Certificate")
            try await lists.setCriterion(criterion, of: 1, on: engagement, to: expiring, by: pm, at: now)
            let before = try await events(db).count
            let renewed = CriterionSetting(status: .expiring, expiresOn: day, evidence: "Renewed")
            try await lists.setCriterion(criterion, of: 1, on: engagement, to: renewed, by: pm, at: now)
            #expect(try await events(db).count == before, "the evidence alone changed: no event")
            let set = try #require(try await events(db).last?.data)
            let change = try #require(set["criterion"] as? [String: Any])
            #expect(set["change"] as? String == "criterion" && change["criterion"] as? String == criterion)
            #expect(change["status"] as? String == "expiring" && change["expires_on"] as? String == day.description)

            #expect(try await lists.expireDue(at: day.endUTC) == 1)
            let expired = try #require(try await events(db).last?.data)
            let moved = try #require(expired["criterion"] as? [String: Any])
            #expect(moved["status"] as? String == "not_met" && moved["previous_status"] as? String == "expiring")
            #expect(expired["actor"] as? String == EligibilityLists.clockName)
        }
    }

    @Test("an inclusion request's answer is an event for the location's partner endpoint and the vendor's", arguments: TestDatabases.flavors)
    func requestDecided(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let both: Set<WebhookEventType> = [.eligibilityChanged, .inclusionRequestDecided]
            let bluefin = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://bluefin.example/hooks", events: both).id
            _ = try await WebhookOwners.endpoint(db, by: "admin@cedar.example", url: "https://cedar.example/hooks", events: both)
            let vendor = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://vendor.example/hooks",
                                                         events: [.inclusionRequestDecided]).id
            let pm = try await viewer("manager@vendor.example", db), admin = try await viewer("admin@bluefin.example", db)
            try await EligibilityLists(db: db).remove(2, from: engagement, by: pm, at: now)
            let requests = InclusionRequests(db: db, links: ClaimLinks(publicURL: "https://incentives.example"))
            let id = try await requests.send(2, to: engagement, note: "London is ready.", by: admin, at: now)
            try await requests.decide(id, .approve, by: pm, at: now)
            let seen = try await events(db).filter { $0.type != "eligibility.changed" || $0.data["change"] as? String == "listed" }
            #expect(seen.map(\.type) == ["eligibility.changed", "inclusion_request.decided", "inclusion_request.decided"])
            #expect(seen.map(\.endpoint) == [bluefin, bluefin, vendor])
            let request = try #require(seen.last?.data["inclusion_request"] as? [String: Any])
            #expect(request["id"] as? Int == Int(id) && request["status"] as? String == "approved" && request["reason"] is NSNull)
            #expect(request["decided_by"] as? String == pm.name && request["note"] as? String == "London is ready.")
        }
    }
}
