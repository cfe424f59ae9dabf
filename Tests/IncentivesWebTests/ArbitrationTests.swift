import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// Arbitration between partners claiming one subscription (issue 15): only a real competition produces "lose
/// arbitration", a claim that leaves the competition leaves the arbitration, and the loser is not told who won.
@Suite("Arbitration: only a competition decides it, it never gets stuck, the loser hears no names")
struct ArbitrationTests {
    /// A Bluefin use-or-consume claim waiting for a reviewer, with its customer and engagement.
    static func bluefinClaim(_ app: WebHarness) async throws -> (id: Int64, customer: Int64, engagement: Int64) {
        let row = try await app.db.read { sql in
            try await sql.raw("""
                SELECT c.id, c.customer_id, c.engagement_id FROM claims c
                WHERE c.organization_id = 1 AND c.kind = 'use_or_consume' AND c.status IN ('submitted', 'under_review') ORDER BY c.id
                """).first()!
        }
        return (try row.decode(column: "id", as: Int64.self), try row.decode(column: "customer_id", as: Int64.self),
                try row.decode(column: "engagement_id", as: Int64.self))
    }

    /// A Cedar claim on the same customer and engagement, from one of Cedar's locations.
    static func cedarClaim(_ app: WebHarness, on bluefin: (id: Int64, customer: Int64, engagement: Int64), location: Int64) async throws -> Int64 {
        try await ClaimRepository(db: app.db).create(
            NewClaim(organizationID: 2, locationID: location, customerID: bluefin.customer, engagementID: bluefin.engagement,
                     name: "Cedar on the same workload \(location)", kind: .useOrConsume),
            contacts: [Contact(name: "Lee", title: "IT", email: "lee@example.org")],
            by: Actor(role: .incentivesAdmin, userID: 3, name: "Cedar admin"), in: Viewer.Scope.cedar.scope, at: app.clock.now).id
    }

    /// Marks claims as competing, as Add customer does when a second partner claims a subscription.
    static func flag(_ app: WebHarness, _ ids: [Int64]) async throws {
        try await app.db.write { sql in
            for id in ids { try await sql.raw("UPDATE claims SET arbitration = 'pending' WHERE id = \(bind: id)").run() }
        }
    }

    static func facts(_ app: WebHarness, _ id: Int64) async throws -> (status: String, arbitration: String?, version: Int) {
        let row = try await app.db.read { try await $0.raw("SELECT status, arbitration, version FROM claims WHERE id = \(bind: id)").first()! }
        return (try row.decode(column: "status", as: String.self), try row.decode(column: "arbitration", as: String?.self),
                try row.decode(column: "version", as: Int.self))
    }

    @Test("lose arbitration is not an action of the claim page: offered to nobody, and posted it is a 422 that changes nothing")
    func notOnTheClaimPage() async throws {
        try await WebHarness.with { app in
            let bluefin = try await Self.bluefinClaim(app)
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            #expect(!(try await reviewer.get("/claims/\(bluefin.id)")).body.contains(#"id="do-lose_arbitration""#))
            let before = try await Self.facts(app, bluefin.id)
            let posted = try await ClaimPageTests.act(reviewer, app, bluefin.id, .loseArbitration)
            #expect(posted.status == .unprocessableContent)
            #expect(posted.body.contains("arbitration"))
            let after = try await Self.facts(app, bluefin.id)
            #expect(after.status == before.status && after.version == before.version)

            // Not even on a claim that does wait for arbitration: only the arbitration decides it.
            let cedar = try await Self.cedarClaim(app, on: bluefin, location: 5)
            try await Self.flag(app, [bluefin.id, cedar])
            #expect(try await ClaimPageTests.act(reviewer, app, cedar, .loseArbitration).status == .unprocessableContent)
            #expect(try await Self.facts(app, cedar).status == "customer_claimed")
        }
    }

    @Test("a competitor that cancels leaves the arbitration: the others are decided, the loser's note names nobody, a lone claim is released",
          arguments: TestDatabases.flavors)
    func competitorCancels(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let bluefin = try await Self.bluefinClaim(app)
            let first = try await Self.cedarClaim(app, on: bluefin, location: 5)
            let second = try await Self.cedarClaim(app, on: bluefin, location: 6)
            try await Self.flag(app, [bluefin.id, first, second])
            let cedarAdmin = try await app.signedIn("admin@cedar.example")
            #expect(try await ClaimPageTests.act(cedarAdmin, app, second, .cancel).status == .seeOther)
            #expect(try await Self.facts(app, second).arbitration == nil, "a canceled claim competes no more")

            let reviewer = try await app.signedIn("reviewer@vendor.example")
            try await reviewer.get("/review/arbitration/\(bluefin.id)")
            let decided = try await reviewer.post("/review/arbitration/\(bluefin.id)", [("winner", String(bluefin.id))])
            #expect(decided.status == .seeOther)
            #expect(try await Self.facts(app, first).status == "rejected_final")
            #expect(try await Self.facts(app, second).status == "canceled")
            for id in [bluefin.id, first, second] { #expect(try await Self.facts(app, id).arbitration == nil) }

            // The loser learns that another partner was chosen, never which one.
            let note = try await app.db.read { sql in
                try await sql.raw("SELECT note FROM claim_history WHERE claim_id = \(bind: first) AND action = 'lose_arbitration'").first()!
                    .decode(column: "note", as: String?.self)
            }
            #expect(note == "Another partner was chosen for this subscription.")
            let mail = try await app.db.read { sql in
                try await sql.raw("SELECT subject, body FROM mail_outbox WHERE claim_id = \(bind: first)").all().map {
                    try $0.decode(column: "subject", as: String.self) + " " + (try $0.decode(column: "body", as: String.self))
                }
            }
            #expect(!mail.isEmpty && mail.allSatisfy { !$0.contains("Bluefin") })
            let history = try await cedarAdmin.get("/claims/\(first)")
            #expect(history.body.contains("Another partner was chosen") && !history.body.contains("Bluefin"))

            // Two competitors, one cancels: the other waits for nothing any more.
            let third = try await Self.cedarClaim(app, on: bluefin, location: 7)
            try await Self.flag(app, [bluefin.id, third])
            #expect(try await ClaimPageTests.act(cedarAdmin, app, third, .cancel).status == .seeOther)
            #expect(try await Self.facts(app, bluefin.id).arbitration == nil)
            #expect(try await reviewer.get("/review/arbitration/\(bluefin.id)").status == .notFound)
        }
    }

    @Test("a refusal on a page answers 422 with its reason, never 500: arbitration of a group whose competitor already left")
    func refusalIsA422() async throws {
        try await WebHarness.with { app in
            let bluefin = try await Self.bluefinClaim(app)
            let cedar = try await Self.cedarClaim(app, on: bluefin, location: 5)
            let cedarAdmin = try await app.signedIn("admin@cedar.example")
            #expect(try await ClaimPageTests.act(cedarAdmin, app, cedar, .cancel).status == .seeOther)
            // As a database written before flags were cleared holds them: a canceled claim still marked competing.
            try await Self.flag(app, [bluefin.id, cedar])
            let before = try await Self.facts(app, bluefin.id)
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            try await reviewer.get("/review/arbitration/\(bluefin.id)")
            let refused = try await reviewer.post("/review/arbitration/\(bluefin.id)", [("winner", String(bluefin.id))])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("no competing claim"))
            #expect(try await Self.facts(app, bluefin.id).status == before.status)
            #expect(try await Self.facts(app, cedar).status == "canceled")
        }
    }
}
