import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Testing

@Suite("The catalogue console's pages: from an empty database to a published engagement; reviewers read, partners never")
struct CataloguePagesTests {
    static let engagementFields: [(String, String)] = [
        ("name", "Cloud plans workshop"), ("role", "build_intent"), ("opens_on", "2026-12-01"), ("closes_after", ""),
        ("type", "workshop"), ("pay_model", "fixed"), ("currency", "USD"), ("rate_a", "5,000"), ("rate_b", "3000"), ("rate_c", ""),
        ("max_hours", ""), ("consent_days", ""), ("submission_days", ""), ("review_days", ""), ("dispute_days", ""), ("response_days", ""),
        ("description", "A one-day workshop on the customer's cloud plans."),
        ("partner_criteria", "Solutions partner designation\nTwo certified engineers"), ("customer_criteria", "At least 50 seats"),
        ("resource_links", "Playbook | https://example.com/playbook"), ("proof", "findings_document"), ("proof_findings_document", ""),
        ("proof", "customer_survey"), ("proof_customer_survey", ""),
        ("earnings_cap", ""), ("active_claims_per_customer", "1"), ("last_claim_day", ""),
    ]

    /// A new engagement of the demo's first area, drafted (and published) by the demo's program manager.
    static func engagement(_ app: WebHarness, published: Bool) async throws -> Int64 {
        let manager = try #require(try await UserRepository(db: app.db).find(email: "manager@vendor.example"))
        let viewer = Viewer(userID: manager.id, email: manager.email, name: manager.name, membership: .vendor(.programManager))
        var input = EngagementTermsInput()
        input.type = "workshop"; input.payModel = "fixed"; input.currency = "USD"; input.rateA = "5000"
        input.description = "A workshop made by the tests."
        input.partnerCriteria = "Two certified engineers"
        // A findings document, so a proof template may be uploaded onto the draft.
        input.proof = [.findingsDocument: ""]
        let console = CatalogueConsole(db: app.db)
        let id = try await console.draft(EngagementDraft(name: "Test workshop \(UUID().uuidString.prefix(8))", solutionAreaID: 1, role: .buildIntent,
                                                         opensOn: DayDate(app.clock.now), closesAfter: nil, terms: try input.terms()),
                                         by: viewer, at: app.clock.now)
        if published { try await console.publish(id, effectiveFrom: nil, by: viewer, at: app.clock.now) }
        return id
    }

    /// The form of a published engagement's next version: the test's terms with the type and pay of the version in force.
    static func nextVersionFields(_ engagement: Engagement, rateA: String) -> [(String, String)] {
        let inForce = engagement.currentVersion
        var fields = engagementFields.filter { !["name", "role", "opens_on", "closes_after"].contains($0.0) }
        fields = with(fields, "type", engagement.type.rawValue)
        fields = with(fields, "pay_model", inForce.payModel.rawValue)
        fields = with(fields, "rate_a", rateA)
        return with(fields, "max_hours", inForce.maxHours.map { "\($0)" } ?? "")
    }

    static func with(_ fields: [(String, String)], _ name: String, _ value: String) -> [(String, String)] {
        fields.map { $0.0 == name ? ($0.0, value) : $0 }
    }

    @Test("a program manager on an empty database starts the program, adds an area, drafts an engagement (a bad rate is refused next to its field), previews and publishes it",
          arguments: TestDatabases.flavors)
    func fromEmpty(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, demo: false, seeded: false) { app in
            _ = try await UserRepository(db: app.db).add(email: "pm@vendor.example", name: "Robin Park", organizationID: nil,
                                                         vendorRole: .programManager, passwordHash: nil, now: app.clock.now)
            let pm = try await app.signedIn("pm@vendor.example")
            let empty = try await pm.get("/catalogue")
            #expect(empty.status == .ok && empty.body.contains("Start your program") && empty.body.contains(#"id="program-form""#))
            let refused = try await pm.post("/catalogue/program", [("name", "Partner Rewards"), ("manager_name", "Robin Park"), ("manager_email", "robin")])
            #expect(refused.status == .unprocessableContent && refused.body.contains(#"id="program-manager-email-error""#))
            #expect(refused.body.contains("robin is not an email address.") && refused.body.contains(#"value="Partner Rewards""#), "what was typed stays")
            #expect(try await pm.post("/catalogue/program", [("name", "Partner Rewards"), ("manager_name", "Robin Park"),
                                                             ("manager_email", "pm@vendor.example")]).status == .seeOther)
            let badArea = try await pm.post("/catalogue/areas", [("name", "Cloud"), ("code", "Cloud Infra!")])
            #expect(badArea.status == .unprocessableContent && badArea.body.contains(#"id="area-code-error""#))
            #expect(try await pm.post("/catalogue/areas", [("name", "Cloud infrastructure"), ("code", "cloud-infrastructure")]).status == .seeOther)
            let area = try #require(try await CatalogueRepository(db: app.db).solutionAreas().first)
            let overview = try await pm.get("/catalogue")
            #expect(overview.body.contains("Cloud infrastructure") && overview.body.contains("No engagement in Cloud infrastructure yet."))

            let form = try await pm.get("/catalogue/engagements/new?area=\(area.id)")
            #expect(form.status == .ok && form.body.contains(#"id="engagement-form""#))
            var fields = Self.with(Self.engagementFields, "rate_a", "5000.001")
            fields.append(("solution_area", String(area.id)))
            let bad = try await pm.post("/catalogue/engagements", fields)
            #expect(bad.status == .unprocessableContent && bad.body.contains(#"id="field-rate-a-error""#))
            #expect(bad.body.contains("USD has 2 decimal places: 5000.001 has more.") && bad.body.contains("Cloud plans workshop"))
            #expect(try await CatalogueRepository(db: app.db).engagements().isEmpty, "nothing stored")
            let made = try await pm.post("/catalogue/engagements", Self.with(fields, "rate_a", "5,000"))
            #expect(made.status == .seeOther)
            let href = try #require(made.location)
            let page = try await pm.get(href)
            #expect(page.status == .ok && page.body.contains("Version 1, draft") && page.body.contains("Publish version 1"))
            #expect(page.body.contains("Solutions partner designation") && page.body.contains("Market A: USD 5,000.00"))
            #expect(try await pm.post(href + "/publish", []).status == .seeOther)
            let published = try await pm.get(href)
            // Its first day is ahead of the test's clock (25 November): upcoming until then.
            #expect(published.body.contains(#"id="engagement-status">Upcoming<"#) && published.body.contains("Version 1, in force"))
            #expect(published.body.contains("Drafted: Cloud plans workshop") && published.body.contains("Published: Version 1"))
        }
    }

    @Test("a new version is previewed against the one in force and published from a later day; closing asks to be confirmed",
          arguments: TestDatabases.flavors)
    func versions(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let pm = try await app.signedIn("manager@vendor.example")
            // A demo engagement with one version, from before the console.
            let engagement = try #require(try await CatalogueRepository(db: app.db).engagements().first { $0.versions.count == 1 && $0.status == .active })
            let href = "/catalogue/engagements/\(engagement.id)"
            #expect(try await pm.get(href).body.contains("Start a new version"))
            let start = try await pm.post(href + "/versions", [])
            #expect(start.status == .seeOther && start.location == href + "/draft", "\(start.status) \(start.body.prefix(2_000))")
            let draftForm = try await pm.get(href + "/draft")
            #expect(draftForm.status == .ok && draftForm.body.contains("Claims keep the version in force at their consent"))
            let fields = Self.nextVersionFields(engagement, rateA: "\((engagement.currentVersion.rates.a ?? 100) + 1000)")
            #expect(try await pm.post(href + "/draft", fields).status == .seeOther)
            let preview = try await pm.get(href)
            #expect(preview.body.contains(#"id="preview""#) && preview.body.contains("Rate, market A"))
            let past = try await pm.post(href + "/publish", [("effective_from", "2020-01-01")])
            #expect(past.status == .unprocessableContent && past.body.contains(#"id="publish-error""#))
            #expect(try await pm.post(href + "/publish", [("effective_from", "2026-12-24")]).status == .seeOther)
            let after = try #require(try await CatalogueRepository(db: app.db).engagement(engagement.id))
            #expect(after.versions.count == 2 && after.version(inForceAt: app.clock.now).number == 1)
            #expect(try await pm.post(href + "/close", []).status == .unprocessableContent, "closing needs its confirmation")
            #expect(try await pm.post(href + "/close", [("confirm", "close")]).status == .seeOther)
            #expect(try await CatalogueRepository(db: app.db).engagement(engagement.id)?.status == .closed)
        }
    }

    @Test("a new version published for today takes effect at once")
    func publishedToday() async throws {
        try await WebHarness.with { app in
            let id = try await Self.engagement(app, published: true)
            let manager = try #require(try await UserRepository(db: app.db).find(email: "manager@vendor.example"))
            let viewer = Viewer(userID: manager.id, email: manager.email, name: manager.name, membership: .vendor(.programManager))
            _ = try await CatalogueConsole(db: app.db).startVersion(id, by: viewer, at: app.clock.now)
            let pm = try await app.signedIn("manager@vendor.example")
            _ = try await pm.get("/catalogue/engagements/\(id)")
            let today = DayDate(app.clock.now).description
            let published = try await pm.post("/catalogue/engagements/\(id)/publish", [("effective_from", today)])
            #expect(published.status == .seeOther, "today is not in the past")
            #expect(try await CatalogueRepository(db: app.db).engagement(id)?.version(inForceAt: app.clock.now).number == 2)
        }
    }

    @Test("reviewers read every engagement, criteria included, and change nothing; partners have no catalogue")
    func access() async throws {
        try await WebHarness.with { app in
            let engagement = try #require(try await CatalogueRepository(db: app.db).engagements().first)
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let page = try await reviewer.get("/catalogue/engagements/\(engagement.id)")
            _ = try await reviewer.get("/catalogue")
            #expect(page.status == .ok && page.body.contains("Partner criteria") && !page.body.contains("Start a new version"))
            #expect(page.body.contains(#"href="/catalogue/engagements/\#(engagement.id)/eligibility""#), "the console links the engagement's list")
            #expect(engagement.currentVersion.partnerCriteria.allSatisfy { page.body.contains($0.replacingOccurrences(of: "'", with: "&#39;")) })
            #expect(try await reviewer.post("/catalogue/engagements/\(engagement.id)/versions", []).status == .forbidden)
            #expect(try await reviewer.get("/catalogue/engagements/new").status == .forbidden)
            #expect(try await reviewer.get("/catalogue/engagements/987654").status == .notFound)
            let partner = try await app.signedIn("admin@bluefin.example")
            #expect(try await partner.get("/catalogue/engagements/\(engagement.id)").status == .forbidden)
        }
    }

    @Test("hostile input on every console form: refused next to its field, or a 404 for an id that names nothing; nothing stored",
          arguments: TestDatabases.flavors)
    func hostile(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let pm = try await app.signedIn("manager@vendor.example")
            let rlo = HostileFormsTests.rlo
            func count() async throws -> [Int] {
                try await app.db.read { sql in
                    var counts: [Int] = []
                    for table in ["programs", "solution_areas", "engagements", "engagement_versions", "program_changes"] {
                        counts.append(try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decodingColumn: "n", as: Int.self) ?? 0)
                    }
                    return counts
                }
            }
            let before = try await count()
            let draft = try await Self.engagement(app, published: false)
            let published = try await Self.engagement(app, published: true)
            let made = try await count()
            let full = Self.engagementFields + [("solution_area", "1")]
            let cases: [(String, [(String, String)], String)] = [
                ("/catalogue/areas", [("name", String(repeating: "n", count: 121)), ("code", "long")], "area-name-error"),
                ("/catalogue/areas", [("name", "Cloud \(rlo)x"), ("code", "x")], "area-name-error"),
                ("/catalogue/areas", [("name", "Cloud"), ("code", "cloud\u{7}")], "area-code-error"),
                ("/catalogue/areas/1", [("name", "Cloud"), ("code", "cloud-infrastructure"), ("position", "99999999999999999999")], "area-position-error"),
                ("/catalogue/engagements", Self.with(full, "name", "Workshop \(rlo)evil"), "field-name-error"),
                ("/catalogue/engagements", Self.with(full, "solution_area", "-1"), "field-solution-area-error"),
                ("/catalogue/engagements", Self.with(full, "rate_a", "1e3"), "field-rate-a-error"),
                ("/catalogue/engagements", Self.with(full, "currency", "<script>"), "field-currency-error"),
                ("/catalogue/engagements", Self.with(full, "description", "x\u{1B}[2J"), "field-description-error"),
                ("/catalogue/engagements", Self.with(full, "partner_criteria", String(repeating: "c", count: 501)), "field-partner-criteria-error"),
                ("/catalogue/engagements", Self.with(full, "consent_days", "99999999999999999999"), "field-consent-days-error"),
                ("/catalogue/engagements", Self.with(full, "opens_on", "2026-02-30"), "field-opens-on-error"),
                ("/catalogue/engagements", Self.with(full, "resource_links", "Bad | javascript:alert(1)"), "field-resource-links-error"),
                ("/catalogue/engagements/\(draft)/draft", Self.with(full, "type", "galactic"), "field-type-error"),
                ("/catalogue/engagements/\(published)/publish", [("effective_from", "yesterday")], "publish-error"),
            ]
            for (path, fields, error) in cases {
                _ = try await pm.get("/catalogue")
                let page = try await pm.post(path, fields)
                #expect(page.status == .unprocessableContent && page.body.contains("id=\"\(error)\""), "\(path) \(error): \(page.status)")
            }
            for id in HostileFormsTests.badIDs {
                _ = try await pm.get("/catalogue")
                for path in ["/catalogue/engagements/\(id)/publish", "/catalogue/engagements/\(id)/close", "/catalogue/areas/\(id)"] {
                    #expect(try await pm.post(path, [("confirm", "close")]).status == .notFound, "\(path)")
                }
            }
            #expect(try await count() == made, "nothing stored by a refused form")
            #expect(made[2] == before[2] + 2)
        }
    }
}
