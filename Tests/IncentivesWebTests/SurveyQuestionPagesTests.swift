import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// Issue 17: the vendor sets each survey's questions per engagement version; a claim answers the questions of the
/// version it is pinned to, on the claim page and on the customer's link.
@Suite("Survey questions per engagement version: the console form, the Summary, the claim page, the customer's link")
struct SurveyQuestionPagesTests {
    static let partnerLines = "What did you deliver? | long text\nWhich workloads did you cover? | text\nHow many people attended? | text | optional"
    static let customerLines = "Did the partner deliver the activity described? | yes/no\nWould you recommend the partner? | yes/no"

    static func count(_ app: WebHarness, _ sql: String) async throws -> Int {
        try await app.db.read { try await $0.raw("\(unsafeRaw: sql)").first(decodingColumn: "n", as: Int.self) ?? 0 }
    }

    /// A new version of a published engagement with its own survey questions, through the console's form, published for today.
    static func publishOwnQuestions(_ app: WebHarness, _ pm: Browser, engagementID: Int64) async throws {
        let engagement = try #require(try await CatalogueRepository(db: app.db).engagement(engagementID))
        let href = "/catalogue/engagements/\(engagementID)"
        _ = try await pm.get(href)
        #expect(try await pm.post(href + "/versions", []).status == .seeOther)
        let form = try await pm.get(href + "/draft")
        #expect(form.body.contains(#"id="field-survey-partner-survey""#) && form.body.contains("What did you deliver? | long text\nWhen was it"),
                "the form is prefilled with the standard questions")
        var fields = CataloguePagesTests.nextVersionFields(engagement, rateA: "\(engagement.currentVersion.rates.a ?? 100)")
        fields += [("proof", "partner_survey"), ("proof_partner_survey", ""),
                   ("survey_partner_survey", partnerLines), ("survey_customer_survey", customerLines)]
        let saved = try await pm.post(href + "/draft", fields)
        #expect(saved.status == .seeOther, "\(saved.body.prefix(3_000))")
        let preview = try await pm.get(href)
        #expect(preview.body.contains("Partner survey questions") && preview.body.contains("Customer survey questions"), "the preview names them")
        #expect(try await pm.post(href + "/publish", [("effective_from", DayDate(app.clock.now).description)]).status == .seeOther)
    }

    @Test("""
          custom questions published: a claim consenting under them answers them (required ones refused when empty), \
          a claim pinned to the older version keeps the older questions
          """,
          arguments: TestDatabases.flavors)
    func pinned(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let fresh = try await ClaimPageTests.draftClaim(app)
            // A Seattle claim that consented before the new version, on an engagement asking for the partner survey.
            let older = try await app.db.read { sql in
                try await sql.raw("""
                    SELECT c.id FROM claims c JOIN engagement_versions v ON v.engagement_id = c.engagement_id AND v.number = c.engagement_version
                    WHERE c.location_id = 1 AND c.status = 'consent_received' AND c.kind = 'partner_activities'
                      AND v.proof_requirements LIKE '%partner_survey%' ORDER BY c.id
                    """).first(decodingColumn: "id", as: Int64.self)
            }
            let olderID = try #require(older, "the demo has a consented Seattle claim asking for the partner survey")
            let engagements = try await app.db.read { sql in
                try await sql.raw("SELECT DISTINCT engagement_id FROM claims WHERE id IN (\(bind: fresh), \(bind: olderID))")
                    .all(decodingColumn: "engagement_id", as: Int64.self)
            }
            let pm = try await app.signedIn("manager@vendor.example")
            for id in engagements { try await Self.publishOwnQuestions(app, pm, engagementID: id) }
            let engagementID = try await app.db.read { try await $0.raw("SELECT engagement_id FROM claims WHERE id = \(bind: fresh)")
                .first(decodingColumn: "engagement_id", as: Int64.self) }
            let user = try await app.signedIn("user@bluefin.example")
            let summary = try await user.get("/engagements/\(try #require(engagementID))")
            #expect(summary.body.contains("<li>Which workloads did you cover? (text)</li>")
                    && summary.body.contains("How many people attended? (text, optional)"))

            // The fresh claim consents now: it is held to the new version and asks its questions.
            #expect(try await ClaimPageTests.act(user, app, fresh, .sendConsentRequest).status == .seeOther)
            let contact = "kara.garcia@willowstudios.example"
            let consent = try await ClaimPageTests.mailToken(app, kind: .consentRequest, to: contact, path: "consent")
            let customer = app.browser()
            _ = try await customer.get("/consent/\(consent)")
            #expect(try await customer.post("/consent/\(consent)", [("answer", "accept")]).status == .seeOther)
            let page = try await user.get("/claims/\(fresh)")
            #expect(page.body.contains(#"id="q-q2""#) && page.body.contains("Which workloads did you cover?")
                    && !page.body.contains("When was it delivered?"))
            let empty = try await user.post("/claims/\(fresh)/survey", [("version", try await ClaimPageTests.version(app, fresh)),
                                                                         ("delivered", "A workshop"), ("delivered_on", "2026-11-01")])
            #expect(empty.status == .unprocessableContent && empty.body.contains(#"id="q-q2-error""#))
            #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM claim_proof WHERE claim_id = \(fresh) AND kind = 'partner_survey'") == 0)
            #expect(try await user.post("/claims/\(fresh)/survey", [("version", try await ClaimPageTests.version(app, fresh)),
                                                                   ("delivered", "A workshop"), ("q2", "Compute and storage")]).status == .seeOther)
            let answered = try await user.get("/claims/\(fresh)")
            #expect(answered.body.contains("<dt>Which workloads did you cover?</dt><dd>Compute and storage</dd>"))

            // The customer's link asks the version's two questions.
            _ = try await user.get("/claims/\(fresh)")
            let send = try await user.post("/claims/\(fresh)/customer-survey", [("version", try await ClaimPageTests.version(app, fresh))])
            #expect(send.status == .seeOther)
            let token = try await ClaimPageTests.mailToken(app, kind: .survey, to: contact, path: "survey")
            let survey = try await customer.get("/survey/\(token)")
            #expect(survey.body.contains("Would you recommend the partner?") && survey.body.contains("2 short questions")
                    && !survey.body.contains("How satisfied"))
            let refused = try await customer.post("/survey/\(token)", [("delivered_as_described", "yes"), ("satisfaction", "5")])
            #expect(refused.status == .unprocessableContent && refused.body.contains(#"id="q-q2-error""#))
            #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM claim_proof WHERE claim_id = \(fresh) AND kind = 'customer_survey'") == 0)
            #expect(try await customer.post("/survey/\(token)", [("delivered_as_described", "yes"), ("q2", "no")]).status == .seeOther)
            #expect(try await user.get("/claims/\(fresh)").body.contains("<dt>Would you recommend the partner?</dt><dd>no</dd>"))

            // The claim that consented before keeps the standard questions of its version.
            let olderPage = try await user.get("/claims/\(olderID)")
            #expect(olderPage.body.contains("When was it delivered?") && !olderPage.body.contains("Which workloads did you cover?"))
            let standard = try await user.post("/claims/\(olderID)/survey", [("version", try await ClaimPageTests.version(app, olderID)),
                ("delivered", "A workshop"), ("delivered_on", "2026-11-01"), ("products", "Compute")])
            #expect(standard.status == .seeOther, "\(standard.body.prefix(2_000))")
        }
    }

    @Test("""
          hostile questions in the console form: a 13th question, an unknown answer type, a control or direction character; \
          422 next to the field, nothing stored
          """,
          arguments: TestDatabases.flavors)
    func hostile(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let pm = try await app.signedIn("manager@vendor.example")
            let draft = try await CataloguePagesTests.engagement(app, published: false)
            let path = "/catalogue/engagements/\(draft)/draft"
            let full = CataloguePagesTests.engagementFields + [("solution_area", "1")]
            func stored() async throws -> [SurveyQuestion]? {
                try await CatalogueConsole(db: app.db).file(draft)?.draft?.terms.proofRequirements.first { $0.kind == .customerSurvey }?.questions
            }
            let changes = try await Self.count(app, "SELECT COUNT(*) AS n FROM program_changes")
            let cases: [(String, String)] = [
                ((1...13).map { "Question \($0)? | text" }.joined(separator: "\n"), "this one has 13"),
                ("Fine? | multiple choice", "is not an answer type"),
                ("Fi\u{1B}ne? | text", "a control character (U+001B)"),
                ("Fine\(HostileFormsTests.rlo)? | text", "an invisible direction control"),
            ]
            for (lines, message) in cases {
                _ = try await pm.get(path)
                let page = try await pm.post(path, full + [("survey_customer_survey", lines)])
                #expect(page.status == .unprocessableContent && page.body.contains(#"id="field-survey-customer-survey-error""#), "\(lines)")
                #expect(page.body.contains(message), "\(lines): \(page.body.prefix(200))")
            }
            #expect(try await stored() == nil)
            #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM program_changes") == changes, "nothing stored by a refused form")
            _ = try await pm.get(path)
            #expect(try await pm.post(path, full + [("survey_customer_survey", Self.customerLines)]).status == .seeOther)
            #expect(try await stored()?.map(\.id) == ["delivered_as_described", "q2"])
        }
    }
}
