import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import SQLKit
import Testing

@Suite("Payee profiles and enrollment in the web UI")
struct PayeePagesTests {
    func bankCount(_ app: WebHarness) async throws -> Int {
        try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM bank_profiles").first()!.decode(column: "n", as: Int.self) }
    }

    /// The Eligibility cell ("N of M", with ✓ when one earns) of an engagement's row on the engagements list.
    static func eligibility(of engagement: Int64, in body: String) -> String? {
        guard let row = body.range(of: #"<tr data-engagement="\#(engagement)">"#),
              let end = body.range(of: "</tr>", range: row.upperBound..<body.endIndex) else { return nil }
        let cells = body[row.upperBound..<end.lowerBound].components(separatedBy: "</td>")
        guard cells.count > 3 else { return nil }
        return cells[3].replacingOccurrences(of: #"<span class="visually-hidden">[^<]*</span>"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("an admin adds a bank profile: a wrong IBAN is shown next to the field (422, nothing stored), a right one is saved pending")
    func addWithWrongThenRightIBAN() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            let list = try await admin.get("/payee-profiles")
            #expect(list.body.contains(#"href="/payee-profiles/bank/new""#))
            #expect(!list.body.contains("GB64HCBK40012712345678"), "account numbers are masked on the list")
            #expect(list.body.contains("•••• 5678"))
            let form = try await admin.get("/payee-profiles/bank/new")
            #expect(form.status == .ok && form.body.h1 == "Add a bank profile")
            let before = try await bankCount(app)
            let fields = [("country", "GB"), ("holder_name", "Bluefin Consulting Ltd"), ("bank_name", "Thames Bank"),
                          ("routing_code", ""), ("swift_bic", "THBKGB2L")]
            let wrong = try await admin.post("/payee-profiles/bank/new", fields + [("account_number", "GB83 WEST 1234 5698 7654 32")])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.body.contains(#"<p class="field-error" id="bank-account-number-error">The check digits do not match; look for a mistyped character.</p>"#))
            #expect(wrong.body.contains(#"id="bank-account-number" name="account_number" type="text" autocomplete="off" value="GB83 WEST 1234 5698 7654 32" aria-invalid="true""#))
            #expect(!wrong.body.contains(#"id="bank-swift-bic-error""#))
            #expect(try await bankCount(app) == before, "nothing half-stored")

            let right = try await admin.post("/payee-profiles/bank/new", fields + [("account_number", "gb82 west 1234 5698 7654 32")])
            #expect(right.status == .seeOther && right.location == "/payee-profiles")
            #expect(try await bankCount(app) == before + 1)
            let stored = try await app.db.read {
                try await $0.raw("SELECT account_number, status FROM bank_profiles ORDER BY id DESC").first()!
            }
            #expect(try stored.decode(column: "account_number", as: String.self) == "GB82WEST12345698765432")
            #expect(try stored.decode(column: "status", as: String.self) == "pending_validation")
            let after = try await admin.get("/payee-profiles")
            #expect(after.body.contains("Bank profile added."))
            #expect(after.body.contains("Thames Bank"))
        }
    }

    @Test("the replace form shows the full account number to the admin; replacing moves the locations to a pending profile")
    func replace() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@cedar.example")
            let form = try await admin.get("/payee-profiles/bank/2/replace")
            #expect(form.status == .ok && form.body.contains(#"value="DE40500105175401234567""#))
            let missing = try await admin.post("/payee-profiles/bank/2/replace", [("country", "DE"), ("holder_name", ""), ("bank_name", "Rhine"),
                                                                                   ("account_number", "DE40500105175401234567"), ("swift_bic", "RHCBDEFF")])
            #expect(missing.status == .unprocessableContent && missing.body.contains(#"id="bank-holder-name-error""#))
            let done = try await admin.post("/payee-profiles/bank/2/replace", [("country", "DE"), ("holder_name", "Cedar Systems GmbH"), ("bank_name", "Rhine"),
                                                                                ("account_number", "DE89 3704 0044 0532 0130 00"), ("swift_bic", "RHCBDEFF")])
            #expect(done.status == .seeOther)
            let page = try await admin.get("/payee-profiles")
            #expect(page.body.contains("(replaced by a newer profile)"))
            #expect(!page.body.contains(#"href="/payee-profiles/bank/2/replace""#), "a replaced profile is not replaced again")
            #expect(try await admin.get("/payee-profiles/bank/2/replace").status == .notFound)
        }
    }

    @Test("an Incentives user only views: no edit links, forms answer 403")
    func userOnlyViews() async throws {
        try await WebHarness.with { app in
            let user = try await app.signedIn("user@bluefin.example")
            let page = try await user.get("/payee-profiles")
            #expect(page.status == .ok)
            #expect(!page.body.contains("/payee-profiles/bank/new") && !page.body.contains("/replace") && !page.body.contains("/tax/new"))
            #expect(try await user.get("/payee-profiles/bank/new").status == .forbidden)
            #expect(try await user.post("/payee-profiles/locations/1/bank", [("bank_profile_id", "1")]).status == .forbidden)
        }
    }

    @Test("the manager sees pending profiles first, approves one, and the location earns: Engagements N of M follow")
    func managerApproves() async throws {
        try await WebHarness.with { app in
            let cedar = try await app.signedIn("admin@cedar.example")
            let engagementsBefore = try await cedar.get("/engagements")
            let manager = try await app.signedIn("manager@vendor.example")
            let page = try await manager.get("/payee-profiles")
            let firstRow = try #require(page.body.range(of: #"<tr id="bank-\d+""#, options: .regularExpression).map { String(page.body[$0]) })
            #expect(firstRow == #"<tr id="bank-3""#, "pending validation first")
            let noReason = try await manager.post("/payee-profiles/bank/3/decision", [("status", "action_required"), ("version", "1"), ("reason", " ")])
            #expect(noReason.status == .seeOther)
            #expect(try await manager.get("/payee-profiles").body.contains("Say what the partner must change."))
            let approved = try await manager.post("/payee-profiles/bank/3/decision", [("status", "approved"), ("version", "1")])
            #expect(approved.status == .seeOther)
            let stale = try await manager.post("/payee-profiles/bank/3/decision", [("status", "action_required"), ("version", "1"), ("reason", "x")])
            #expect(stale.status == .conflict)
            let payee = try await cedar.get("/payee-profiles")
            let dubai = try #require(payee.body.range(of: #"<tr id="location-6">[\s\S]*?</tr>"#, options: .regularExpression).map { String(payee.body[$0]) })
            #expect(dubai.contains("Complete"))
            // The N of M on the engagements list are computed from the stored status: they change with it.
            // Infrastructure modernization workshop (2): Berlin earns; Dubai meets its criteria and earns once its bank is approved.
            let engagementsAfter = try await cedar.get("/engagements")
            #expect(Self.eligibility(of: 2, in: engagementsBefore.body) == "✓ 1 of 2")
            #expect(Self.eligibility(of: 2, in: engagementsAfter.body) == "✓ 2 of 2")
            // Identity and access workshop (12) pays market A only: Dubai (B) still earns nothing there.
            let modernWork = try await cedar.get("/engagements?area=modern-work-security")
            #expect(Self.eligibility(of: 12, in: modernWork.body) == "0 of 2")
            let reads = ProgramReads(db: app.db)
            let scope = AccessScope.partner(organizationID: 2, locationIDs: [5, 6, 7])
            let dubai6 = try #require(try await reads.locations(in: scope, at: app.clock.now).first { $0.location.id == 6 })
            let earning = dubai6.earningEngagements(at: app.clock.now)
            #expect(earning > 0)
        }
    }

    @Test("a tax profile: a wrong date is shown next to the field; a right one saves")
    func taxProfile() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            let form = try await admin.get("/payee-profiles/locations/4/tax/new")
            #expect(form.status == .ok && form.body.contains("W-8BEN-E"))
            let bad = try await admin.post("/payee-profiles/locations/4/tax/new", [("tax_id", "IN-1234"), ("expires_on", "2020-01-01")])
            #expect(bad.status == .unprocessableContent && bad.body.contains(#"<p class="field-error" id="tax-expires-on-error">The expiry date must be after today.</p>"#))
            let good = try await admin.post("/payee-profiles/locations/4/tax/new", [("tax_id", "IN-1234"), ("expires_on", "2027-12-31")])
            #expect(good.status == .seeOther)
            #expect(try await admin.get("/payee-profiles/locations/5/tax/new").status == .notFound)
        }
    }

    @Test("enrollment: the admin accepts an invitation and submits; the user sees it without buttons")
    func enrollment() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@kestrel.example")
            let page = try await admin.get("/enrollment")
            #expect(page.status == .ok && page.body.h1 == "Enrollment")
            #expect(page.body.contains(#"value="accept""#))
            let accepted = try await admin.post("/enrollment/1/9", [("action", "accept"), ("version", "1")])
            #expect(accepted.status == .seeOther)
            let after = try await admin.get("/enrollment")
            #expect(after.body.contains("Enrollment is now enrolling."))
            #expect(after.body.contains(#"value="submit""#))
            #expect(try await admin.post("/enrollment/1/9", [("action", "submit"), ("version", "1")]).status == .conflict)
            #expect(try await admin.post("/enrollment/1/9", [("action", "submit"), ("version", "2")]).status == .seeOther)
            #expect(try await admin.get("/enrollment").body.contains("Validating"))
            // The program manager validates it: the location is enrolled.
            let manager = try await app.signedIn("manager@vendor.example")
            let queue = try await manager.get("/enrollment")
            #expect(queue.status == .ok && queue.body.contains("Kestrel IT") && queue.body.contains(#"value="approve""#))
            #expect(try await manager.post("/enrollment/1/9", [("action", "approve"), ("version", "3")]).status == .seeOther)
            #expect(try await admin.get("/enrollment").body.contains("Enrolled: the location takes part"))
            // A step the state machine refuses changes nothing and says so.
            let refused = try await manager.post("/enrollment/1/9", [("action", "approve"), ("version", "4")])
            #expect(refused.status == .seeOther)
            #expect(try await manager.get("/enrollment").body.contains("Nothing was changed"))
            let user = try await app.signedIn("user@bluefin.example")
            let seen = try await user.get("/enrollment")
            #expect(seen.status == .ok && !seen.body.contains(#"name="action""#))
        }
    }
}
