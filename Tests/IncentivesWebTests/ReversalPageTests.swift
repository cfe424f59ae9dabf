import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// "Reverse approval" on the claim page: offered to a reviewer inside the window, refused next to its fields, and the
/// reversal in the history that both sides read.
@Suite("Claim page: reversing an approval")
struct ReversalPageTests {
    /// An approved Seattle (or `location`) claim whose earning was approved `daysAgo` days before the app's clock, and its version.
    static func approved(_ app: WebHarness, location: Int64 = 1, daysAgo: Int = 10) async throws -> (id: Int64, version: Int) {
        let row = try await app.db.read { sql in
            try await sql.raw("""
                SELECT c.id, c.version FROM claims c JOIN earnings e ON e.claim_id = c.id AND e.kind = 'earning'
                WHERE c.status = 'approved' AND c.location_id = \(bind: location) ORDER BY c.id LIMIT 1
                """).first()
        }
        let found = try #require(row, "no approved claim at location \(location)")
        let id = try found.decode(column: "id", as: Int64.self)
        let approvedAt = app.clock.now.addingTimeInterval(-Double(daysAgo) * 86_400)
        try await app.db.write { sql in
            try await sql.raw("UPDATE earnings SET approved_at = \(bind: approvedAt) WHERE claim_id = \(bind: id) AND kind = 'earning'").run()
        }
        return (id, try found.decode(column: "version", as: Int.self))
    }

    static func reverse(_ browser: Browser, _ app: WebHarness, _ id: Int64, _ fields: [(String, String)]) async throws -> Browser.Page {
        try await browser.get("/claims/\(id)")
        return try await browser.post("/claims/\(id)/actions", [("action", "reverse"), ("version", try await ClaimPageTests.version(app, id))]
                                      + fields)
    }

    @Test("a reviewer sees the form inside the window, errors show next to the field, and the history shows the reversal to both sides",
          arguments: TestDatabases.flavors)
    func reverses(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let claim = try await Self.approved(app, daysAgo: 10)
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let page = try await reviewer.get("/claims/\(claim.id)")
            #expect(page.body.contains(#"id="do-reverse""#) && page.body.contains("Reverse approval"))
            #expect(page.body.contains(#"<option value="fraud_suspected">Suspected fraud</option>"#))
            let lastDay = DayDate(app.clock.now.addingTimeInterval(-10 * 86_400).adding(calendarDays: 180))
            #expect(page.body.contains("Last day to reverse: \(lastDay) (UTC)."))
            // A program manager and the partner are not offered it.
            for email in ["manager@vendor.example", "admin@bluefin.example"] {
                let other = try await app.signedIn(email)
                #expect(!(try await other.get("/claims/\(claim.id)")).body.contains(#"id="do-reverse""#), "\(email)")
            }

            let noNote = try await Self.reverse(reviewer, app, claim.id, [("reason_code", "duplicate_claim"), ("reason", " ")])
            #expect(noNote.status == .unprocessableContent)
            #expect(noNote.body.contains(#"<p class="form-error" role="alert" id="note-error-reverse">Explain the reversal to the partner.</p>"#))
            #expect(noNote.body.contains(#"<option value="duplicate_claim" selected>"#), "the chosen reason is kept")
            let noCode = try await Self.reverse(reviewer, app, claim.id, [("reason_code", "missing_poe"), ("reason", "Twice")])
            #expect(noCode.status == .unprocessableContent && noCode.body.contains(#"id="code-error-reverse""#))
            #expect(try await ClaimRepository(db: app.db).find(claim.id, in: .vendor)?.status == .approved)

            let done = try await Self.reverse(reviewer, app, claim.id, [("reason_code", "activity_not_delivered"),
                                                                       ("reason", "The workshop <never> took place.")])
            #expect(done.status == .seeOther)
            #expect(try await ClaimRepository(db: app.db).find(claim.id, in: .vendor)?.status == .rejectedFinal)
            for email in ["reviewer@vendor.example", "user@bluefin.example"] {
                let body = try await app.signedIn(email).get("/claims/\(claim.id)").body
                #expect(body.contains("<td>Reverse approval</td>"), "\(email)")
                #expect(body.contains("Activity not delivered: The workshop &lt;never&gt; took place."), "\(email)")
                #expect(!body.contains(#"id="do-reverse""#), "\(email)")
            }
        }
    }

    @Test("outside the window the form is not offered, and a form sent anyway is refused naming the last day", arguments: TestDatabases.flavors)
    func outside(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let claim = try await Self.approved(app, daysAgo: 200)
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            #expect(!(try await reviewer.get("/claims/\(claim.id)")).body.contains(#"id="do-reverse""#))
            let late = try await Self.reverse(reviewer, app, claim.id, [("reason_code", "other"), ("reason", "Found late")])
            #expect(late.status == .unprocessableContent)
            let lastDay = DayDate(app.clock.now.addingTimeInterval(-200 * 86_400).adding(calendarDays: 180))
            #expect(late.body.contains("The last day to reverse this approval was \(lastDay) (UTC)"))
        }
    }
}
