import Foundation
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import Testing

/// A screen reader reads a field's error with the field only when the field names it in `aria-describedby` and says
/// it is `aria-invalid`; for a group of choices (roles, events, a yes/no question) the group is the field.
@Suite("Errors next to fields are announced with their field, groups of choices too")
struct FieldErrorAnnouncementTests {
    /// The ids of the page's field errors that no `aria-invalid` element names in its `aria-describedby`.
    static func unannounced(_ html: String) -> [String] {
        let errors = html.matches(of: /<p class="field-error" id="([^"]+)"/).map { String($0.1) }
        let described = html.matches(of: /<[a-z]+\b[^>]*>/).map { String($0.0) }.filter { $0.contains(#"aria-invalid="true""#) }
            .flatMap { tag in tag.firstMatch(of: /aria-describedby="([^"]*)"/).map { $0.1.split(separator: " ").map(String.init) } ?? [] }
        return errors.filter { !described.contains($0) }
    }

    /// Asserts the refused page shows the field error `id` and announces every field error it shows.
    static func expectAnnounced(_ page: Browser.Page, _ id: String, _ what: Comment) {
        #expect(page.status == .unprocessableContent, what)
        #expect(page.body.contains(#"id="\#(id)""#), what)
        #expect(unannounced(page.body).isEmpty, "\(what): \(unannounced(page.body))")
    }

    @Test("the settings forms: an invitation without a role, a token without a scope, an endpoint without an event")
    func settings() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            try await admin.get("/settings/users")
            Self.expectAnnounced(try await admin.post("/settings/users", [("email", "dana@bluefin.example"), ("name", "Dana Cole")]),
                                 "invite-roles-error", "an invitation without a role")
            try await admin.get("/settings/tokens")
            Self.expectAnnounced(try await admin.post("/settings/tokens", [("name", "CRM sync")]), "token-scope-error", "a token without a scope")
            try await admin.get("/settings/webhooks")
            Self.expectAnnounced(try await admin.post("/settings/webhooks", [("url", "https://hooks.bluefin.example/claims")]),
                                 "webhook-events-error", "an endpoint without an event")
        }
    }

    @Test("Add customer's engagement step without an engagement chosen")
    func addCustomer() async throws {
        try await WebHarness.with { app in
            let user = try await app.signedIn("user@bluefin.example")
            try await user.get("/claims/new")
            Self.expectAnnounced(try await user.post("/claims/new", AddCustomerPageTests.fields(engagement: 0, step: "engagements")),
                                 "engagement-error", "no engagement chosen")
        }
    }

    @Test("the customer's survey sent with no answer: the yes/no question's group too")
    func customerSurvey() async throws {
        try await WebHarness.with { app in
            let claim = try await AuthorizationMatrixTests.claim(app, .consentReceived, at: [1, 2, 3, 4], AuthorizationMatrixTests.noCustomerSurvey)
            let link = try await AuthorizationMatrixTests.customerLink(app, on: claim, purpose: "survey")
            let customer = app.browser()
            try await customer.get("/survey/\(link)")
            let refused = try await customer.post("/survey/\(link)", [])
            Self.expectAnnounced(refused, "q-delivered_as_described-error", "a survey with no answer")
            #expect(refused.body.contains(#"<fieldset aria-invalid="true" aria-describedby="q-delivered_as_described-error">"#))
        }
    }

    @Test("the catalogue's engagement form with a proof requirement's words too long")
    func engagementForm() async throws {
        try await WebHarness.with { app in
            let manager = try await app.signedIn("manager@vendor.example")
            try await manager.get("/catalogue/engagements/new?area=1")
            let tooLong = String(repeating: "w", count: EngagementTermsInput.proofRule.maxLength + 1)
            var fields = CataloguePagesTests.with(CataloguePagesTests.engagementFields, "proof_findings_document", tooLong)
            fields.append(("solution_area", "1"))
            Self.expectAnnounced(try await manager.post("/catalogue/engagements", fields), "proof-error", "proof words too long")
        }
    }
}
