import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// The reviewer's checklist (issue 17): the claim page lists the pinned version's customer criteria, program checks with
/// their result and the items the reviewer confirms; approval through the page, the API and bulk review needs every item.
@Suite("Review checklist: customer criteria confirmed with an approval")
struct ReviewChecklistTests {
    /// A demo claim under review (started by the reviewer from a submitted one), with its pinned version's criteria.
    static func underReview(_ app: WebHarness, _ reviewer: Browser, skip: Int = 0) async throws -> (id: Int64, criteria: [CustomerCriterion]) {
        let id = try await app.db.read { sql in
            try await sql.raw("SELECT id FROM claims WHERE status = 'submitted' ORDER BY id LIMIT 1 OFFSET \(literal: skip)").first()!
                .decode(column: "id", as: Int64.self)
        }
        #expect(try await ClaimPageTests.act(reviewer, app, id, .startReview).status == .seeOther)
        let text = try await app.db.read { sql in
            try await sql.raw("""
                SELECT v.customer_criteria FROM claims c
                JOIN engagement_versions v ON v.engagement_id = c.engagement_id AND v.number = c.engagement_version
                WHERE c.id = \(bind: id)
                """).first()!.decode(column: "customer_criteria", as: String.self)
        }
        return (id, try JSONDecoder().decode([CustomerCriterion].self, from: Data(text.utf8)))
    }

    /// What an approval stores: the confirmations and the earning.
    static func stored(_ app: WebHarness, _ id: Int64) async throws -> (confirmations: [Int], earnings: Int) {
        try await app.db.read { sql in
            let positions = try await sql.raw("SELECT position FROM claim_criteria_confirmations WHERE claim_id = \(bind: id) ORDER BY position")
                .all(decodingColumn: "position", as: Int.self)
            let earnings = try await sql.raw("SELECT COUNT(*) AS n FROM earnings WHERE claim_id = \(bind: id)")
                .first(decodingColumn: "n", as: Int.self) ?? 0
            return (positions, earnings)
        }
    }

    @Test("the page lists the criteria; an item unchecked is a 422 naming it, nothing stored; all ticked, approved, each confirmation shown",
          arguments: TestDatabases.flavors)
    func page(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let (id, criteria) = try await Self.underReview(app, reviewer)
            let items = criteria.reviewerItems
            try #require(items.count == 2 && criteria.programChecks.count == 1, "the demo's versions mix a program check and two items")
            let page = try await reviewer.get("/claims/\(id)")
            #expect(page.body.contains(#"id="checklist""#))
            for item in items { #expect(page.body.contains(#"id="confirm-\#(item.index + 1)""#)) }
            #expect(page.body.contains("Met: "), "the program check is decided on the page")
            #expect(page.body.contains("(checked by the program)") && page.body.contains("(confirmed by the reviewer)"))

            let first = String(items[0].index + 1), second = String(items[1].index + 1)
            let none = try await ClaimPageTests.act(reviewer, app, id, .approve)
            #expect(none.status == .unprocessableContent)
            #expect(none.body.contains(#"id="error-approve""#) && none.body.contains("Not confirmed: \(first). "))
            let half = try await ClaimPageTests.act(reviewer, app, id, .approve, [("confirm", first)])
            #expect(half.status == .unprocessableContent)
            #expect(half.body.contains("Not confirmed: \(second). ") && !half.body.contains("Not confirmed: \(first). "))
            #expect(half.body.contains(#"value="\#(first)" id="confirm-\#(first)" checked"#), "the refused form keeps what was ticked")
            #expect(try await ClaimPageTests.status(app, id) == "under_review")
            #expect(try await Self.stored(app, id) == ([], 0))

            let done = try await ClaimPageTests.act(reviewer, app, id, .approve, [("confirm", first), ("confirm", second)])
            #expect(done.status == .seeOther)
            #expect(try await ClaimPageTests.status(app, id) == "approved")
            #expect(try await Self.stored(app, id) == ([items[0].index + 1, items[1].index + 1], 1))
            let after = try await reviewer.get("/claims/\(id)")
            #expect(after.body.components(separatedBy: "Confirmed by ").count == 3)
            // The partner reads the same confirmations on its claim, without the program's results.
            let partner = try await app.signedIn("admin@bluefin.example")
            let own = try await partner.get("/claims/\(id)")
            if own.status == .ok { #expect(own.body.contains("Confirmed by ") && !own.body.contains("Met: ")) }
        }
    }

    @Test("the API's approve needs confirmed_criteria (positions or words): a problem+json 422 names the missing, then 200",
          arguments: TestDatabases.flavors)
    func api(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let (id, criteria) = try await Self.underReview(app, reviewer)
            let items = criteria.reviewerItems
            let token = try await app.token("reviewer@vendor.example")
            let refused = try await app.api("/api/v1/claims/\(id)/approve", method: .post, token: token, json: #"{"note": "All there"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.problemType == "/api/docs#problem-action-not-allowed")
            #expect(String(buffer: refused.body).contains("Not confirmed: \(items[0].index + 1). "))
            let unknown = try await app.api("/api/v1/claims/\(id)/approve", method: .post, token: token,
                                            json: #"{"confirmed_criteria": [1, 2, 3, "Moon phase"]}"#)
            #expect(unknown.status == .unprocessableContent && String(buffer: unknown.body).contains("not an item of this claim"))
            #expect(try await Self.stored(app, id) == ([], 0))
            let words = items[1].criterion.text.replacingOccurrences(of: "\"", with: "\\\"")
            let approved = try await app.api("/api/v1/claims/\(id)/approve", method: .post, token: token,
                                             json: #"{"confirmed_criteria": [\#(items[0].index + 1), "\#(words)"]}"#)
            #expect(approved.status == .ok, "\(String(buffer: approved.body))")
            #expect(try await ClaimPageTests.status(app, id) == "approved")
            #expect(try await Self.stored(app, id).confirmations == items.map { $0.index + 1 })
        }
    }

    @Test("bulk approval refuses, claim by claim, those whose criteria the reviewer confirms", arguments: TestDatabases.flavors)
    func bulk(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            try await reviewer.get("/review")
            let claims = try await ReviewPageTests.queued(app)
            try #require(claims.count >= 2)
            var fields: [(String, String)] = [("bulk", "approve")]
            for c in claims.prefix(2) { fields += [("claim", String(c.id)), ("version_\(c.id)", String(c.version))] }
            let done = try await reviewer.post("/review/bulk", fields)
            #expect(done.status == .ok)
            #expect(done.body.contains("Open the claim to confirm its checklist"))
            for c in claims.prefix(2) {
                #expect(try await ClaimPageTests.status(app, c.id) == "submitted")
                #expect(try await Self.stored(app, c.id) == ([], 0))
            }
        }
    }
}

@Suite("Customer criteria in the engagement form and the partner's Summary")
struct CustomerCriteriaFormTests {
    @Test("the form takes program checks (bad months refused) and the reviewer's items; console and Summary say who decides each",
          arguments: TestDatabases.flavors)
    func form(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let pm = try await app.signedIn("manager@vendor.example")
            let form = try await pm.get("/catalogue/engagements/new?area=1")
            #expect(form.body.contains(#"value="no_approved_claim_within""#) && form.body.contains("Criteria the reviewer confirms, one per line"))
            var fields = CataloguePagesTests.engagementFields + [("solution_area", "1"), ("customer_check", "customer_id_recorded"),
                                                                 ("customer_check", "no_approved_claim_within")]
            let bad = try await pm.post("/catalogue/engagements", fields + [("approved_within_months", "0")])
            #expect(bad.status == .unprocessableContent && bad.body.contains("a whole number from 1 to 60"))
            fields.append(("approved_within_months", "18"))
            let made = try await pm.post("/catalogue/engagements", fields)
            #expect(made.status == .seeOther)
            let page = try await pm.get(try #require(made.location))
            #expect(page.body.contains("No approved claim on this engagement for this customer in the last 18 months (checked by the program)"))
            #expect(page.body.contains("At least 50 seats (confirmed by the reviewer)"))
            // The demo's Summary for partners lists the same distinction.
            let partner = try await app.signedIn("admin@bluefin.example")
            let summary = try await partner.get("/engagements/7")
            #expect(summary.body.contains("(checked by the program)") && summary.body.contains("(confirmed by the reviewer)"))
        }
    }
}
