import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

@Suite("Review: the queue, bulk actions claim by claim, arbitration")
struct ReviewPageTests {
    static func queued(_ app: WebHarness) async throws -> [(id: Int64, version: Int)] {
        try await app.db.read { sql in
            try await sql.raw("SELECT id, version FROM claims WHERE status = 'submitted' ORDER BY updated_at, id LIMIT 3").all().map {
                (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "version", as: Int.self))
            }
        }
    }

    @Test("the queue is oldest first and filterable; a bulk approval takes each claim on its own and names the ones it could not take", arguments: TestDatabases.flavors)
    func bulk(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let page = try await reviewer.get("/review")
            #expect(page.status == .ok)
            let claims = try await Self.queued(app)
            try #require(claims.count == 3)
            // Oldest first: the first three submitted claims appear in that order.
            let positions = claims.map { page.body.range(of: "data-claim=\"\($0.id)\"")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil })
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
            let filtered = try await reviewer.get("/review?kind=use_or_consume")
            #expect(filtered.status == .ok && !Self.rows(filtered.body).isEmpty)
            #expect(!filtered.body.contains("Partner activities</span>") && filtered.body.contains("Use or consume (CPOR)</span>"))

            // Their versions' criteria hold no item for a reviewer to confirm (a claim with a checklist is opened instead).
            try await app.db.write { sql in
                try await sql.raw("""
                    UPDATE engagement_versions SET customer_criteria = '[]'
                    WHERE engagement_id IN (SELECT engagement_id FROM claims
                                            WHERE id IN (\(unsafeRaw: claims.map { String($0.id) }.joined(separator: ","))))
                    """).run()
            }
            // The third was changed by someone else meanwhile: its version is stale.
            var fields: [(String, String)] = [("bulk", "approve")]
            for (i, c) in claims.enumerated() {
                fields += [("claim", String(c.id)), ("version_\(c.id)", String(i == 2 ? c.version - 1 : c.version))]
            }
            // The outcome is the answer to the POST itself (a flash cookie could not hold a hundred refusals).
            let done = try await reviewer.post("/review/bulk", fields)
            #expect(done.status == .ok)
            let after = try await app.db.read { sql in
                try await sql.raw("SELECT id, status FROM claims WHERE id IN (\(unsafeRaw: claims.map { String($0.id) }.joined(separator: ",")))").all().map {
                    (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "status", as: String.self))
                }
            }
            let statuses = Dictionary(uniqueKeysWithValues: after)
            #expect(statuses[claims[0].id] == "approved" && statuses[claims[1].id] == "approved")
            #expect(statuses[claims[2].id] == "submitted")
            #expect(done.body.contains("Approved 2 claims."))
            #expect(done.body.contains("#\(claims[2].id)"))

            // Asking for more in bulk needs a coded reason; the program manager may not decide.
            let noCode = try await reviewer.post("/review/bulk", [("bulk", "request_information"), ("claim", String(claims[2].id)),
                                                                  ("version_\(claims[2].id)", String(claims[2].version))])
            #expect(noCode.status == .seeOther)
            #expect(try await reviewer.get("/review").body.contains("Nothing was changed: Choose a reason from the list."))
            let manager = try await app.signedIn("manager@vendor.example")
            try await manager.get("/review")
            #expect(try await manager.post("/review/bulk", fields).status == .forbidden)
            #expect(!(try await manager.get("/review")).body.contains(#"id="bulk-approve""#))
        }
    }

    /// The claims the queue page lists, in order.
    static func rows(_ body: String) -> [Int64] {
        body.matches(of: /<tr data-claim="(\d+)"/).compactMap { Int64($0.output.1) }
    }

    @Test("each filter of the queue lists exactly the waiting claims it names", arguments: TestDatabases.flavors)
    func filters(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            // A dispute round waiting for review: a rejected claim disputed and submitted again by its Incentives admin.
            let rejected = try await app.db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE status = 'rejected' AND kind = 'partner_activities' AND location_id = 3 ORDER BY id")
                    .first()!.decode(column: "id", as: Int64.self)
            }
            let admin = Actor(role: .incentivesAdmin, userID: 1, name: "Alex Morgan")
            let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
            let repo = ClaimRepository(db: app.db)
            try await repo.perform(ClaimCommand(.dispute, by: admin, reason: "Not a duplicate"), on: rejected, in: bluefin, at: app.clock.now)
            try await repo.perform(ClaimCommand(.submit, by: admin), on: rejected, in: bluefin, at: app.clock.now)
            // The queue, from the table: submitted or under review, with what each filter reads.
            struct Waiting { let id: Int64; let status: String; let kind: String; let engagement: Int64; let organization: Int64; let dispute: Bool }
            let waiting = try await app.db.read { sql in
                try await sql.raw("""
                    SELECT id, status, kind, engagement_id, organization_id, is_dispute_round FROM claims
                    WHERE status IN ('submitted', 'under_review') ORDER BY id
                    """).all().map {
                    Waiting(id: try $0.decode(column: "id", as: Int64.self), status: try $0.decode(column: "status", as: String.self),
                            kind: try $0.decode(column: "kind", as: String.self), engagement: try $0.decode(column: "engagement_id", as: Int64.self),
                            organization: try $0.decode(column: "organization_id", as: Int64.self),
                            dispute: try $0.decode(column: "is_dispute_round", as: Bool.self))
                }
            }
            // Known demo claims each filter must show: Seattle's and London's Landing zone claims (engagement 5), Cedar's
            // submitted Dubai claim (108), and the dispute round made above.
            let cases: [(query: String, keeps: (Waiting) -> Bool, known: [Int64])] = [
                ("status=submitted", { $0.status == "submitted" }, [41, 193, rejected]),
                ("status=under_review", { $0.status == "under_review" }, [161]),
                ("kind=use_or_consume", { $0.kind == "use_or_consume" }, []),
                ("kind=partner_activities", { $0.kind == "partner_activities" }, [41, 161]),
                ("engagement=5", { $0.engagement == 5 }, [41, 193]),
                ("partner=2", { $0.organization == 2 }, [108]),
                ("disputes=1", { $0.dispute }, [rejected]),
            ]
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            for (query, keeps, known) in cases {
                let page = try await reviewer.get("/review?\(query)")
                #expect(page.status == .ok, "\(query)")
                let expected = waiting.filter(keeps).map(\.id)
                #expect(!expected.isEmpty && Set(known).isSubset(of: expected), "\(query)")
                #expect(Set(Self.rows(page.body)) == Set(expected), "\(query)")
            }
        }
    }

    @Test("a bulk action that can take none of 100 claims names every one of them and why")
    func hundredRefusals() async throws {
        try await WebHarness.with { app in
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            try await reviewer.get("/review")
            // Stale versions: each claim was changed by someone else meanwhile, so each is left as it is.
            let picked = try await app.db.read { sql in
                try await sql.raw("SELECT id, version FROM claims ORDER BY id LIMIT 100").all().map {
                    (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "version", as: Int.self))
                }
            }
            try #require(picked.count == 100)
            var fields: [(String, String)] = [("bulk", "approve")]
            for (id, version) in picked { fields += [("claim", String(id)), ("version_\(id)", String(version - 1))] }
            let done = try await reviewer.post("/review/bulk", fields)
            #expect(done.status == .ok && done.body.contains("Approved 0 claims."))
            let missing = picked.map(\.0).filter { !done.body.contains("#\($0) ") }
            #expect(missing.isEmpty, "\(missing.count) of 100 refusals not shown")
        }
    }

    /// A Cedar use-or-consume claim on the same customer and engagement as the Bluefin one, both waiting for the reviewer.
    static func competitor(of bluefin: Int64, _ app: WebHarness) async throws -> Int64 {
        let row = try await app.db.read { try await $0.raw("SELECT customer_id, engagement_id FROM claims WHERE id = \(bind: bluefin)").first()! }
        let cedar = try await ClaimRepository(db: app.db).create(
            NewClaim(organizationID: 2, locationID: 5, customerID: try row.decode(column: "customer_id", as: Int64.self),
                     engagementID: try row.decode(column: "engagement_id", as: Int64.self), name: "Cedar on the same workload", kind: .useOrConsume),
            contacts: [Contact(name: "Lee", title: "IT", email: "lee@example.org")],
            by: Actor(role: .incentivesAdmin, userID: 3, name: "Cedar admin"), in: .partner(organizationID: 2, locationIDs: [5, 6, 7]),
            at: app.clock.now)
        try await app.db.write { try await $0.raw("UPDATE claims SET arbitration = 'pending' WHERE id IN (\(bind: bluefin), \(bind: cedar.id))").run() }
        return cedar.id
    }

    @Test("competing use-or-consume claims are shown side by side; choosing one makes the others rejected final", arguments: TestDatabases.flavors)
    func arbitration(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            // Two partners on one subscription: a Bluefin claim and a Cedar one on the same customer and engagement.
            let row = try await app.db.read { sql in
                try await sql.raw("""
                    SELECT c.id, c.customer_id, c.engagement_id FROM claims c
                    WHERE c.organization_id = 1 AND c.kind = 'use_or_consume' AND c.status IN ('submitted', 'under_review') ORDER BY c.id
                    """).first()!
            }
            let bluefin = try row.decode(column: "id", as: Int64.self)
            let cedar = try await Self.competitor(of: bluefin, app)

            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let competing = try await reviewer.get("/review?competing=1")
            #expect(competing.body.contains("/review/arbitration/\(bluefin)") && Set(Self.rows(competing.body)) == [bluefin, cedar])
            let sides = try await reviewer.get("/review/arbitration/\(cedar)")
            #expect(sides.status == .ok)
            #expect(sides.body.contains("Bluefin Consulting") && sides.body.contains("Cedar Systems"))
            #expect(try await reviewer.post("/review/arbitration/\(cedar)", [("winner", "999")]).status == .badRequest)
            #expect(try await reviewer.post("/review/arbitration/\(cedar)", [("winner", String(bluefin))]).status == .seeOther)
            let statuses = try await app.db.read { sql in
                try await sql.raw("SELECT id, status, arbitration FROM claims WHERE id IN (\(bind: bluefin), \(bind: cedar))").all().map {
                    (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "status", as: String.self), try $0.decode(column: "arbitration", as: String?.self))
                }
            }
            #expect(statuses.first { $0.0 == cedar }?.1 == "rejected_final")
            #expect(statuses.first { $0.0 == bluefin }?.1 != "rejected_final")
            #expect(statuses.allSatisfy { $0.2 == nil })
            #expect(try await reviewer.get("/review/arbitration/\(cedar)").status == .notFound, "decided: nothing left to arbitrate")
            let told = try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM mail_outbox WHERE claim_id = \(bind: cedar) AND to_address = 'admin@cedar.example'").first()!.decode(column: "n", as: Int.self) }
            #expect(told == 1, "the losing partner hears of it")
        }
    }
}
