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
            #expect(!filtered.body.contains("Partner activities</span>"))

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

    @Test("competing use-or-consume claims are shown side by side; choosing one makes the others rejected final")
    func arbitration() async throws {
        try await WebHarness.with { app in
            // Two partners on one subscription: a Bluefin claim and a Cedar one on the same customer and engagement.
            let row = try await app.db.read { sql in
                try await sql.raw("""
                    SELECT c.id, c.customer_id, c.engagement_id FROM claims c
                    WHERE c.organization_id = 1 AND c.kind = 'use_or_consume' AND c.status IN ('submitted', 'under_review') ORDER BY c.id
                    """).first()!
            }
            let bluefin = try row.decode(column: "id", as: Int64.self)
            let cedar = try await ClaimRepository(db: app.db).create(
                NewClaim(organizationID: 2, locationID: 5, customerID: try row.decode(column: "customer_id", as: Int64.self),
                         engagementID: try row.decode(column: "engagement_id", as: Int64.self), name: "Cedar on the same workload", kind: .useOrConsume),
                contacts: [Contact(name: "Lee", title: "IT", email: "lee@example.org")],
                by: Actor(role: .incentivesAdmin, userID: 3, name: "Cedar admin"), in: .partner(organizationID: 2, locationIDs: [5, 6, 7]),
                at: app.clock.now)
            try await app.db.write { try await $0.raw("UPDATE claims SET arbitration = 'pending' WHERE id IN (\(bind: bluefin), \(bind: cedar.id))").run() }

            let reviewer = try await app.signedIn("reviewer@vendor.example")
            #expect(try await reviewer.get("/review?competing=1").body.contains("/review/arbitration/\(bluefin)"))
            let sides = try await reviewer.get("/review/arbitration/\(cedar.id)")
            #expect(sides.status == .ok)
            #expect(sides.body.contains("Bluefin Consulting") && sides.body.contains("Cedar Systems"))
            #expect(try await reviewer.post("/review/arbitration/\(cedar.id)", [("winner", "999")]).status == .badRequest)
            #expect(try await reviewer.post("/review/arbitration/\(cedar.id)", [("winner", String(bluefin))]).status == .seeOther)
            let statuses = try await app.db.read { sql in
                try await sql.raw("SELECT id, status, arbitration FROM claims WHERE id IN (\(bind: bluefin), \(bind: cedar.id))").all().map {
                    (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "status", as: String.self), try $0.decode(column: "arbitration", as: String?.self))
                }
            }
            #expect(statuses.first { $0.0 == cedar.id }?.1 == "rejected_final")
            #expect(statuses.first { $0.0 == bluefin }?.1 != "rejected_final")
            #expect(statuses.allSatisfy { $0.2 == nil })
            #expect(try await reviewer.get("/review/arbitration/\(cedar.id)").status == .notFound, "decided: nothing left to arbitrate")
            let told = try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM mail_outbox WHERE claim_id = \(bind: cedar.id) AND to_address = 'admin@cedar.example'").first()!.decode(column: "n", as: Int.self) }
            #expect(told == 1, "the losing partner hears of it")
        }
    }
}
