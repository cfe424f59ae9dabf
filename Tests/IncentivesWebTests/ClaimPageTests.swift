import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// The claim page and the customer's links, driven as browsers would: one partner-activities claim from
/// Customer claimed to Approved through consent, uploads, both surveys, a request for information, a
/// rejection and a dispute; plus the refusals (stale forms, bad files, forged uploads, voided links).
@Suite("Claim page: actions, consent links, proof, review")
struct ClaimPageTests {
    static let pdf = Array("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".utf8)

    /// The first Seattle partner-activities claim still in Customer claimed (demo data: one customer contact,
    /// an engagement asking for a findings document and both surveys).
    static func draftClaim(_ app: WebHarness) async throws -> Int64 {
        try await app.db.read { sql in
            try await sql.raw("""
                SELECT id FROM claims WHERE location_id = 1 AND status = 'customer_claimed' AND kind = 'partner_activities' ORDER BY id
                """).first()!.decode(column: "id", as: Int64.self)
        }
    }

    static func status(_ app: WebHarness, _ id: Int64) async throws -> String {
        try await app.db.read { try await $0.raw("SELECT status FROM claims WHERE id = \(bind: id)").first()!.decode(column: "status", as: String.self) }
    }

    static func version(_ app: WebHarness, _ id: Int64) async throws -> String {
        try await app.db.read { String(try await $0.raw("SELECT version FROM claims WHERE id = \(bind: id)").first()!.decode(column: "version", as: Int.self)) }
    }

    /// The newest outbox email of a kind to an address, and the token of the link in it.
    static func mailToken(_ app: WebHarness, kind: MailKind, to: String, path: String) async throws -> String {
        let body = try await app.db.read { sql in
            try await sql.raw("""
                SELECT body FROM mail_outbox WHERE kind = \(bind: kind.rawValue) AND to_address = \(bind: to) ORDER BY id DESC
                """).first()?.decode(column: "body", as: String.self)
        }
        let text = try #require(body, "no \(kind) email to \(to)")
        let match = try #require(text.firstMatch(of: try Regex("/\(path)/([A-Za-z0-9_-]{43})")), "no link in: \(text)")
        return String(try #require(match.output[1].substring))
    }

    static func act(_ browser: Browser, _ app: WebHarness, _ id: Int64, _ action: ClaimAction, _ extra: [(String, String)] = []) async throws -> Browser.Page {
        try await browser.get("/claims/\(id)")
        return try await browser.post("/claims/\(id)/actions", [("action", action.rawValue), ("version", try await version(app, id))] + extra)
    }

    @Test("a partner-activities claim goes from Customer claimed to Approved, every step through the pages", arguments: TestDatabases.flavors)
    func wholeWalk(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let id = try await Self.draftClaim(app)
            let user = try await app.signedIn("user@bluefin.example")
            let page = try await user.get("/claims/\(id)")
            #expect(page.status == .ok)
            #expect(page.body.contains(#"id="do-send_consent_request""#))
            #expect(!page.body.contains(#"id="do-approve""#), "a partner is never offered a reviewer's action")
            #expect(page.body.contains("aria-current=\"step\">Customer claimed"))

            // Consent: the email goes to the contact; the customer answers without an account.
            #expect(try await Self.act(user, app, id, .sendConsentRequest).status == .seeOther)
            #expect(try await Self.status(app, id) == "awaiting_consent")
            let contact = "kara.garcia@willowstudios.example"
            let consent = try await Self.mailToken(app, kind: .consentRequest, to: contact, path: "consent")
            let customer = app.browser()
            let consentPage = try await customer.get("/consent/\(consent)")
            #expect(consentPage.status == .ok)
            #expect(consentPage.headers[.cacheControl] == "no-store")
            #expect(consentPage.body.contains(#"id="accept""#))
            #expect(try await customer.post("/consent/\(consent)", [("answer", "accept")]).status == .seeOther)
            #expect(try await Self.status(app, id) == "consent_received")
            let answered = try await customer.get("/consent/\(consent)")
            #expect(answered.body.contains("You confirmed on"))
            #expect(answered.body.contains(#"id="revoke""#))
            // A second answer on the same link changes nothing.
            #expect(try await customer.post("/consent/\(consent)", [("answer", "decline")]).status == .unprocessableContent)
            #expect(try await Self.status(app, id) == "consent_received")

            // Submit is refused while proof is missing, and the page says what is missing.
            let early = try await Self.act(user, app, id, .submit)
            #expect(early.status == .unprocessableContent)
            #expect(early.body.contains("Add the missing proof of execution before you submit"))
            #expect(early.body.contains("Findings / proof-of-execution document"))

            // Uploads: a text file, an empty one and one over the limit are refused next to the form, nothing stored.
            for (name, bytes, message) in [("notes.pdf", Array("just text".utf8), "is not a PDF"),
                                           ("empty.pdf", [UInt8](), "The file is empty"),
                                           ("huge.pdf", Self.pdf + Array(repeating: 0x20, count: 70 * 1024), "larger than 64 KB")] {
                try await user.get("/claims/\(id)")
                let refused = try await user.upload("/claims/\(id)/documents", [("version", try await Self.version(app, id)), ("kind", "findings_document")],
                                                    file: ("file", name, bytes))
                #expect(refused.status == .unprocessableContent, "\(name)")
                #expect(refused.body.contains(message), "\(name)")
                #expect(refused.body.contains(#"id="error-proof-findings_document""#), "\(name)")
            }
            #expect(try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM claim_proof WHERE claim_id = \(bind: id)").first()!.decode(column: "n", as: Int.self) } == 0)
            try await user.get("/claims/\(id)")
            let uploaded = try await user.upload("/claims/\(id)/documents", [("version", try await Self.version(app, id)), ("kind", "findings_document")],
                                                 file: ("file", "../Findings <final>.pdf", Self.pdf))
            #expect(uploaded.status == .seeOther)
            let withDoc = try await user.get("/claims/\(id)")
            #expect(withDoc.body.contains("Findings _final.pdf"))
            let proofID = try await app.db.read { try await $0.raw("SELECT id FROM claim_proof WHERE claim_id = \(bind: id)").first()!.decode(column: "id", as: Int64.self) }
            let download = try await user.get("/claims/\(id)/documents/\(proofID)")
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(Array(download.body.utf8) == Self.pdf)
            let cedar = try await app.signedIn("admin@cedar.example")
            #expect(try await cedar.get("/claims/\(id)/documents/\(proofID)").status == .notFound)

            // The partner survey: errors next to the questions, then saved.
            try await user.get("/claims/\(id)")
            let badSurvey = try await user.post("/claims/\(id)/survey", [("version", try await Self.version(app, id)), ("delivered_on", "2099-01-01")])
            #expect(badSurvey.status == .unprocessableContent)
            #expect(badSurvey.body.contains("Answer this question."))
            #expect(badSurvey.body.contains("The date can&#39;t be in the future.") || badSurvey.body.contains("The date can't be in the future."))
            try await user.get("/claims/\(id)")
            #expect(try await user.post("/claims/\(id)/survey", [("version", try await Self.version(app, id)), ("delivered", "A one-day workshop"),
                                                                 ("delivered_on", "2026-11-20"), ("products", "Power Apps")]).status == .seeOther)

            // The customer survey goes by email and is answered from its link.
            try await user.get("/claims/\(id)")
            #expect(try await user.post("/claims/\(id)/customer-survey", [("version", try await Self.version(app, id))]).status == .seeOther)
            let survey = try await Self.mailToken(app, kind: .survey, to: contact, path: "survey")
            #expect(try await customer.get("/survey/\(survey)").status == .ok)
            let unanswered = try await customer.post("/survey/\(survey)", [("satisfaction", "9")])
            #expect(unanswered.status == .unprocessableContent)
            #expect(unanswered.body.contains(#"id="q-delivered_as_described-error">Answer this question."#))
            #expect(unanswered.body.contains("Choose 1 to 5."))
            #expect(try await customer.post("/survey/\(survey)", [("delivered_as_described", "yes"), ("satisfaction", "5")]).status == .seeOther)
            #expect(try await customer.get("/survey/\(survey)").body.contains("You answered on"))

            // Complete: submit.
            #expect(try await Self.act(user, app, id, .submit).status == .seeOther)
            #expect(try await Self.status(app, id) == "submitted")

            // The reviewer: a stale form changes nothing and says so.
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            try await reviewer.get("/claims/\(id)")
            let stale = try await reviewer.post("/claims/\(id)/actions", [("action", "start_review"), ("version", "1")])
            #expect(stale.status == .conflict)
            #expect(stale.body.contains("This claim changed while you had it open"))
            #expect(try await Self.status(app, id) == "submitted")
            // Asks for more with a coded reason (a code is required).
            #expect(try await Self.act(reviewer, app, id, .requestInformation, [("reason", "page 2 is unsigned")]).status == .unprocessableContent)
            #expect(try await Self.act(reviewer, app, id, .requestInformation,
                                       [("reason_code", "missing_customer_signature"), ("reason", "page 2 is unsigned"),
                                        ("document", String(proofID))]).status == .seeOther)
            #expect(try await Self.status(app, id) == "partner_action_required")
            let note = try await app.db.read { sql in
                try await sql.raw("SELECT note, reason_code FROM claim_history WHERE claim_id = \(bind: id) AND action = 'request_information'").first()!
            }
            #expect(try note.decode(column: "reason_code", as: String.self) == "missing_customer_signature")
            #expect(try note.decode(column: "note", as: String.self).hasPrefix("Missing customer signature: page 2 is unsigned (about Findings"))
            // Each of the location's partner users hears of it once: Seattle's Incentives admin and Incentives user.
            let told = try await app.db.read { sql in
                try await sql.raw("SELECT to_address FROM mail_outbox WHERE kind = 'action_required' AND claim_id = \(bind: id) ORDER BY to_address")
                    .all().map { try $0.decode(column: "to_address", as: String.self) }
            }
            #expect(told == ["admin@bluefin.example", "user@bluefin.example"])

            // The partner answers and resubmits; the reviewer rejects; the admin disputes once; the reviewer approves.
            #expect(try await Self.act(user, app, id, .submit).status == .seeOther)
            #expect(try await Self.act(reviewer, app, id, .reject, [("reason_code", "duplicate_claim")]).status == .seeOther)
            #expect(try await Self.status(app, id) == "rejected")
            let admin = try await app.signedIn("admin@bluefin.example")
            let userView = try await user.get("/claims/\(id)")
            #expect(!userView.body.contains(#"id="do-dispute""#), "disputes are the Incentives admin's")
            #expect(try await Self.act(admin, app, id, .dispute).status == .unprocessableContent)
            #expect(try await Self.act(admin, app, id, .dispute, [("reason", "Not a duplicate: a different workshop")]).status == .seeOther)
            #expect(try await Self.act(admin, app, id, .submit).status == .seeOther)
            #expect(try await Self.act(reviewer, app, id, .approve).status == .unprocessableContent, "the checklist is not ticked")
            let approval = try await Self.act(reviewer, app, id, .approve, [("confirm", "2"), ("confirm", "3")])
            #expect(approval.status == .seeOther, "\(approval.body.h1 ?? "")")
            #expect(try await Self.status(app, id) == "approved")
            let earnings = try await app.db.read { sql in
                try await sql.raw("SELECT rate_minor, amount_minor, currency, market, payment_month FROM earnings WHERE claim_id = \(bind: id)").all()
            }
            #expect(earnings.count == 1)
            // "Low-code app in a day workshop" pays USD 3,500 in market A (Seattle); approved 25 Nov 2026, paid 45 days later.
            let earning = try #require(earnings.first)
            #expect(try earning.decode(column: "rate_minor", as: Int64.self) == 350_000 && earning.decode(column: "amount_minor", as: Int64.self) == 350_000)
            #expect(try earning.decode(column: "currency", as: String.self) == "USD" && earning.decode(column: "market", as: String.self) == "a")
            #expect(try earning.decode(column: "payment_month", as: String.self) == "2027-01")

            // Comments from both sides, and the history tells the whole story.
            try await user.get("/claims/\(id)")
            #expect(try await user.post("/claims/\(id)/comments", [("body", "Thanks <b>all</b>")]).status == .seeOther)
            try await reviewer.get("/claims/\(id)")
            #expect(try await reviewer.post("/claims/\(id)/comments", [("body", "  ")]).status == .unprocessableContent)
            let final = try await reviewer.get("/claims/\(id)")
            #expect(final.body.contains("Thanks &lt;b&gt;all&lt;/b&gt;"))
            // Inside the program's reversal window, reversing the approval is all that is left to the reviewer.
            #expect(final.body.components(separatedBy: #"id="do-"#).count == 2 && final.body.contains(#"id="do-reverse""#))
            for action in ["Send consent request", "Accept consent", "Add proof", "Answer survey", "Send customer survey", "Submit",
                           "Ask for more information", "Reject", "Dispute rejection", "Approve"] {
                #expect(final.body.contains("<td>\(action)</td>"), "history lacks \(action)")
            }
        }
    }

    @Test("a new consent email voids the old link; declining ends the claim; a forged upload is refused", arguments: TestDatabases.flavors)
    func refusals(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let id = try await Self.draftClaim(app)
            let user = try await app.signedIn("user@bluefin.example")
            let contact = "kara.garcia@willowstudios.example"
            #expect(try await Self.act(user, app, id, .sendConsentRequest).status == .seeOther)
            let first = try await Self.mailToken(app, kind: .consentRequest, to: contact, path: "consent")
            let resend = try await user.get("/claims/\(id)")
            #expect(resend.body.contains("Send the consent request again"))
            #expect(try await Self.act(user, app, id, .sendConsentRequest).status == .seeOther)
            let second = try await Self.mailToken(app, kind: .consentRequest, to: contact, path: "consent")
            #expect(first != second)
            let customer = app.browser()
            #expect(try await customer.get("/consent/\(first)").body.contains("replaced by a newer email"))
            #expect(try await customer.post("/consent/\(first)", [("answer", "accept")]).status == .unprocessableContent)
            #expect(try await Self.status(app, id) == "awaiting_consent")
            #expect(try await customer.get("/consent/not-a-token").status == .notFound)
            #expect(try await customer.post("/consent/\(second)", [("answer", "decline")]).status == .seeOther)
            #expect(try await Self.status(app, id) == "consent_declined")
            let address = try await app.db.read { sql in
                try await sql.raw("SELECT address FROM claim_history WHERE claim_id = \(bind: id) AND action = 'decline_consent'").first()!
                    .decode(column: "address", as: String?.self)
            }
            // The address the server saw: the in-process test client has no peer, which the server records as "unknown".
            #expect(address == "unknown")
            let partnerMail = try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM mail_outbox WHERE to_address = 'user@bluefin.example' AND claim_id = \(bind: id)").first()!.decode(column: "n", as: Int.self) }
            #expect(partnerMail == 1, "the partner hears the customer's answer")

            // An upload without this browser's form token never reaches the store.
            let consented = try await app.db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE location_id = 1 AND status = 'consent_received' AND kind = 'partner_activities' ORDER BY id")
                    .first()!.decode(column: "id", as: Int64.self)
            }
            let before = try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM claim_proof").first()!.decode(column: "n", as: Int.self) }
            let forged = try await user.upload("/claims/\(consented)/documents", [("version", try await Self.version(app, consented)), ("kind", "findings_document")],
                                               file: ("file", "f.pdf", Self.pdf), csrf: "forged-token-forged-token-forged-token-xx")
            #expect(forged.status == .forbidden)
            let after = try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM claim_proof").first()!.decode(column: "n", as: Int.self) }
            #expect(before == after)
            // A reviewer may not upload a partner's proof.
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            try await reviewer.get("/claims/\(consented)")
            let vendorUpload = try await reviewer.upload("/claims/\(consented)/documents", [("version", try await Self.version(app, consented)), ("kind", "findings_document")],
                                                         file: ("file", "f.pdf", Self.pdf))
            #expect(vendorUpload.status == .unprocessableContent)
            #expect(vendorUpload.body.contains("Proof can&#39;t be changed") || vendorUpload.body.contains("Proof can't be changed"))
        }
    }

    @Test("a consent link stops working at the consent deadline; changing the contacts voids an unanswered link")
    func expiryAndContacts() async throws {
        try await WebHarness.with { app in
            let id = try await Self.draftClaim(app)
            let user = try await app.signedIn("user@bluefin.example")
            #expect(try await Self.act(user, app, id, .sendConsentRequest).status == .seeOther)
            let contact = "kara.garcia@willowstudios.example"
            let first = try await Self.mailToken(app, kind: .consentRequest, to: contact, path: "consent")

            // New contacts: the link sent to the old ones is void, and a new request goes to the new first contact.
            try await user.get("/claims/\(id)")
            let bad = try await user.post("/claims/\(id)/contacts", [("version", try await Self.version(app, id)),
                                                                      ("contact_name_1", "Ravi"), ("contact_email_1", "not-an-address")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("is not an email address"))
            try await user.get("/claims/\(id)")
            #expect(try await user.post("/claims/\(id)/contacts", [("version", try await Self.version(app, id)), ("contact_name_1", "Ravi Iyer"),
                                                                   ("contact_title_1", "CTO"), ("contact_email_1", "ravi@willowstudios.example")]).status == .seeOther)
            let customer = app.browser()
            #expect(try await customer.get("/consent/\(first)").body.contains("replaced by a newer email"))
            #expect(try await Self.act(user, app, id, .sendConsentRequest).status == .seeOther)
            let second = try await Self.mailToken(app, kind: .consentRequest, to: "ravi@willowstudios.example", path: "consent")

            // Past the consent deadline the link only says so (the sweeper expires the claim itself).
            let due = try await app.db.read { try await $0.raw("SELECT due_at FROM claims WHERE id = \(bind: id)").first()!.decode(column: "due_at", as: Date.self) }
            app.clock.set(due.addingTimeInterval(1))
            let late = try await customer.get("/consent/\(second)")
            #expect(late.body.contains("This link expired on"))
            #expect(!late.body.contains(#"id="accept""#))
            #expect(try await customer.post("/consent/\(second)", [("answer", "accept")]).status == .unprocessableContent)
            #expect(try await Self.status(app, id) == "awaiting_consent")
            let expired = try await ClaimRepository(db: app.db).expireDue(at: app.clock.now, links: ClaimLinks(publicURL: "http://x"))
            #expect(expired[.consentExpired, default: 0] >= 1)
            #expect(try await Self.status(app, id) == "consent_expired")
        }
    }
}
