import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Webhook events of claims, written with the change, per organization, on SQLite and PostgreSQL")
struct ClaimEventsTests {
    let now = TestDatabases.now
    let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")
    let links = ClaimLinks(publicURL: "https://incentives.example")

    struct Event { let endpoint: Int64; let type: String; let json: [String: Any] }

    /// Every delivery written, oldest first, with its event's payload.
    func events(_ db: Database) async throws -> [Event] {
        let rows = try await db.read { sql in
            try await sql.raw("""
                SELECT d.endpoint_id, ev.type, ev.payload FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id ORDER BY d.id
                """).all().map { row in
                    (try row.decode(column: "endpoint_id", as: Int64.self), try row.decode(column: "type", as: String.self),
                     try row.decode(column: "payload", as: String.self))
                }
        }
        return try rows.map { endpoint, type, payload in
            let json = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            return Event(endpoint: endpoint, type: type, json: json)
        }
    }

    func eventRows(_ db: Database) async throws -> Int {
        try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM webhook_events").first()!.decode(column: "n", as: Int.self) }
    }

    func claimID(_ status: ClaimStatus, location: Int64, _ db: Database) async throws -> Int64 {
        let id = try await db.read { sql in
            try await sql.raw("""
                SELECT id FROM claims WHERE status = \(bind: status.rawValue) AND location_id = \(bind: location)
                  AND kind = 'partner_activities' ORDER BY id
                """).first()?.decode(column: "id", as: Int64.self)
        }
        return try #require(id, "no \(status) claim at location \(location)")
    }

    /// An endpoint added by `email`: the demo admins are Incentives admin of every location of their organization.
    func endpoint(_ db: Database, _ email: String, _ events: Set<WebhookEventType>, _ name: String) async throws -> Int64 {
        try await WebhookOwners.endpoint(db, by: email, url: "https://\(name).example/hooks", events: events, now: now).id
    }

    @Test("a status change reaches the claim's organization and the vendor, never another organization; the payload is the shared claim",
          arguments: TestDatabases.flavors)
    func scopedFanOut(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let bluefin = try await endpoint(db, "admin@bluefin.example", [.claimStatusChanged], "bluefin")
            let cedar = try await endpoint(db, "admin@cedar.example", [.claimStatusChanged, .claimCreated], "cedar")
            let vendor = try await endpoint(db, "manager@vendor.example", [.claimStatusChanged], "vendor")
            _ = try await endpoint(db, "admin@bluefin.example", [.claimCommentAdded], "bluefin-comments")
            let id = try await claimID(.submitted, location: 1, db)
            try await ClaimRepository(db: db).perform(ClaimCommand(.startReview, by: reviewer), on: id, in: .vendor, at: now)
            let written = try await events(db)
            #expect(Set(written.map(\.endpoint)) == [bluefin, vendor], "Cedar's endpoint gets nothing of Bluefin's claim")
            #expect(try await eventRows(db) == 1, "one event, a delivery per endpoint")
            let event = try #require(written.first)
            #expect(event.type == "claim.status_changed" && event.json["type"] as? String == "claim.status_changed")
            #expect((event.json["id"] as? String)?.hasPrefix("evt_") == true)
            let data = try #require(event.json["data"] as? [String: Any])
            #expect(data["previous_status"] as? String == "submitted" && data["action"] as? String == "start_review")
            let actor = try #require(data["actor"] as? [String: Any])
            #expect(actor["role"] as? String == "reviewer" && actor["name"] as? String == "Jordan Lee")
            let claim = try #require(data["claim"] as? [String: Any])
            let expected = try #require(try await ClaimJSON.load(ids: [id], on: db).first)
            let shared = try JSONSerialization.jsonObject(with: ClaimJSON.makeEncoder().encode(expected))
            func canonical(_ object: Any) throws -> String {
                String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            }
            #expect(try canonical(claim) == canonical(shared), "data.claim is exactly the API's ClaimJSON after the change")
            #expect(claim["status"] as? String == "under_review" && claim["organization_id"] as? Int == 1)
            // Cedar's claims reach Cedar (and not Bluefin).
            let cedarClaim = try #require(try await db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE status = 'submitted' AND organization_id = 2 ORDER BY id").first()?
                    .decode(column: "id", as: Int64.self)
            })
            try await ClaimRepository(db: db).perform(ClaimCommand(.startReview, by: reviewer), on: cedarClaim, in: .vendor, at: now)
            #expect(Set(try await events(db).dropFirst(2).map(\.endpoint)) == [cedar, vendor])
        }
    }

    @Test("no event row when no endpoint listens to the type; a failed change writes no event", arguments: TestDatabases.flavors)
    func nobodyListens(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            _ = try await endpoint(db, "admin@bluefin.example", [.claimCommentAdded], "bluefin")
            _ = try await endpoint(db, "admin@cedar.example", [.claimStatusChanged], "cedar")
            let id = try await claimID(.submitted, location: 1, db)
            try await ClaimRepository(db: db).perform(ClaimCommand(.startReview, by: reviewer), on: id, in: .vendor, at: now)
            #expect(try await eventRows(db) == 0)
            _ = try await endpoint(db, "admin@bluefin.example", [.claimStatusChanged], "bluefin-status")
            await #expect(throws: ClaimRefusal.self) {
                try await ClaimRepository(db: db).perform(ClaimCommand(.startReview, by: reviewer), on: id, in: .vendor, at: now)
            }
            #expect(try await eventRows(db) == 0, "a refused change writes nothing")
        }
    }

    @Test("expiries by the deadline sweeper are claim.status_changed by the clock; disabled endpoints get deliveries that wait",
          arguments: TestDatabases.flavors)
    func sweeperExpiries(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let bluefin = try await endpoint(db, "admin@bluefin.example", [.claimStatusChanged], "bluefin")
            try await WebhookRepository(db: db).setEnabled(bluefin, false, of: try await WebhookOwners.of("admin@bluefin.example", db).owner)
            let later = now.addingTimeInterval(400 * 86_400)
            let expired = try await ClaimRepository(db: db).expireDue(at: later, links: links)
            let bluefinExpired = try await db.read { sql in
                try await sql.raw("""
                    SELECT COUNT(*) AS n FROM claim_history h JOIN claims c ON c.id = h.claim_id
                    WHERE h.action = 'expire' AND c.organization_id = 1 AND h.at = \(bind: later)
                    """).first()!.decode(column: "n", as: Int.self)
            }
            #expect(expired.values.reduce(0, +) > bluefinExpired && bluefinExpired > 0)
            let written = try await events(db)
            #expect(written.count == bluefinExpired)
            for event in written {
                let data = try #require(event.json["data"] as? [String: Any])
                #expect(data["action"] as? String == "expire" && (data["actor"] as? [String: Any])?["role"] as? String == "clock")
                let status = try #require((data["claim"] as? [String: Any])?["status"] as? String)
                // Expired statuses, or rejected for a use-or-consume claim the partner did not answer in time.
                #expect(status != data["previous_status"] as? String && (status.hasSuffix("_expired") || status == "rejected"), "\(status)")
            }
            #expect(try await WebhookRepository(db: db).counts() == [.pending: bluefinExpired])
        }
    }

    @Test("comments, approvals (with the earning), new claims and deadline reminders have their events", arguments: TestDatabases.flavors)
    func otherEvents(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let all: Set<WebhookEventType> = Set(WebhookEventType.subscribable(vendor: false))
            _ = try await endpoint(db, "admin@bluefin.example", all, "bluefin")
            let repo = ClaimRepository(db: db)
            // A new claim: claim.created with its actor, and no status change.
            let user = Actor(role: .incentivesUser, userID: 2, name: "Sam Rivera")
            let created = try await repo.create(NewClaim(organizationID: 1, locationID: 1, customerID: 1, engagementID: 1, name: "New one",
                                                         kind: .partnerActivities),
                                                contacts: [Contact(name: "Ana Chen", title: "CIO", email: "ana@alder.example")], by: user,
                                                in: .partner(organizationID: 1, locationIDs: [1]), at: now)
            let first = try #require(try await events(db).first)
            #expect(try await events(db).map(\.type) == ["claim.created"])
            let createdData = try #require(first.json["data"] as? [String: Any])
            #expect((createdData["claim"] as? [String: Any])?["id"] as? Int == Int(created.id))
            #expect((createdData["claim"] as? [String: Any])?["status"] as? String == "customer_claimed")
            #expect(createdData["previous_status"] is NSNull && createdData["action"] as? String == "create")
            #expect((createdData["actor"] as? [String: Any])?["name"] as? String == "Sam Rivera")
            try await db.write { try await $0.raw("DELETE FROM webhook_deliveries").run() }
            // A comment.
            let id = try await claimID(.underReview, location: 1, db)
            try await ClaimWork(db: db, links: links).comment("Invoice attached.", on: id, by: reviewer, in: .vendor, at: now)
            var written = try await events(db)
            #expect(written.map(\.type) == ["claim.comment_added"])
            let comment = try #require((written[0].json["data"] as? [String: Any])?["comment"] as? [String: Any])
            #expect(comment["body"] as? String == "Invoice attached." && comment["side"] as? String == "vendor")
            // An approval: the status change, then the earning with its money.
            let approved = try await repo.perform(ClaimCommand(.approve, by: reviewer), on: id, in: .vendor, at: now)
            written = try await events(db)
            #expect(written.dropFirst().map(\.type) == ["claim.status_changed", "earning.created"])
            let earning = try #require((written[2].json["data"] as? [String: Any])?["earning"] as? [String: Any])
            // The claim is on "Infrastructure modernization workshop": version 2 (USD 5,000 / 3,000 / 1,000 since 60 days ago)
            // holds it, its consent being 47 days old; Seattle (US) is market A.
            #expect(approved.claim.engagementID == 2 && approved.claim.engagementVersion == 2)
            let amount = try #require(earning["amount"] as? [String: Any])
            #expect(amount["amount"] as? String == "5000.00" && amount["currency"] as? String == "USD")
            let rate = try #require(earning["rate"] as? [String: Any])
            #expect(rate["amount"] as? String == "5000.00" && rate["currency"] as? String == "USD" && earning["market"] as? String == "a")
            #expect(earning["estimated_payment_month"] as? String == "2027-01" && earning["engagement_version"] as? Int == 2)
            #expect(earning["claim_id"] as? Int == Int(id) && earning["approved_at"] as? String == RFC3339.string(now))
            // A deadline reminder, decided where the reminder email is.
            let waiting = try await claimID(.consentReceived, location: 1, db)
            try await db.write { sql in
                try await sql.raw("UPDATE claims SET expires_at = \(bind: now.addingTimeInterval(400 * 86_400)) WHERE expires_at IS NOT NULL").run()
                try await sql.raw("UPDATE claims SET expires_at = \(bind: now.addingTimeInterval(6 * 86_400)), due_kind = 'submission' WHERE id = \(bind: waiting)").run()
            }
            #expect(try await repo.remindDue(at: now, links: links) == 1)
            written = try await events(db)
            let reminder = try #require(written.last)
            #expect(reminder.type == "claim.deadline_approaching")
            let deadline = try #require((reminder.json["data"] as? [String: Any])?["deadline"] as? [String: Any])
            #expect(deadline["kind"] as? String == "submission" && deadline["days_before"] as? Int == 7)
            #expect(deadline["due_at"] as? String == RFC3339.string(now.addingTimeInterval(6 * 86_400)))
        }
    }
}
