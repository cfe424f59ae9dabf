import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

@Suite("Add customer: kind, customer, engagement, contacts, review, create")
struct AddCustomerPageTests {
    /// The steps' fields as a browser would send them on the review page.
    static func fields(engagement: Int64, location: Int64 = 1, domain: String = "fabrikam-labs.com", contact: String = "ops@fabrikam-labs.com",
                       reason: String = "", step: String) -> [(String, String)] {
        [("kind", "partner_activities"), ("name", "Fabrikam labs workshop"), ("location", String(location)), ("id_type", "domain"),
         ("id_value", "https://www.\(domain)/"), ("customer_name", "Fabrikam Labs"), ("engagement", String(engagement)),
         ("contact_name_1", "Omar Haddad"), ("contact_title_1", "CIO"), ("contact_email_1", contact),
         ("mismatch_reason", reason), ("step", step)]
    }

    /// The HTML of one engagement's choice on the engagements step.
    static func choice(_ id: Int64, in body: String) -> String? {
        guard let start = body.range(of: #"<div class="engagement-choice" id="engagement-\#(id)""#),
              let end = body.range(of: "</div>", range: start.upperBound..<body.endIndex) else { return nil }
        return String(body[start.upperBound..<end.lowerBound])
    }

    @Test("a new customer by domain: errors next to the fields, eligible and ineligible engagements with reasons, contacts outside the domain explained, then the claim", arguments: TestDatabases.flavors)
    func newCustomer(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let user = try await app.signedIn("user@bluefin.example")
            let start = try await user.get("/claims/new")
            #expect(start.status == .ok)
            #expect(start.body.contains("Build intent - Partner activities") && start.body.contains("Use or consume"))

            // From an engagement's Customers tab: that engagement and its kind are chosen.
            let engagementID = try await app.db.read { sql in
                try await sql.raw("SELECT id FROM engagements WHERE role = 'build_intent' AND status = 'active' ORDER BY id").first()!.decode(column: "id", as: Int64.self)
            }
            let details = try await user.get("/claims/new?engagement=\(engagementID)")
            #expect(details.body.contains(#"name="step" value="details""#))
            #expect(details.body.contains(#"name="engagement" value="\#(engagementID)""#))

            try await user.get("/claims/new?kind=partner_activities")
            let bad = try await user.post("/claims/new", [("kind", "partner_activities"), ("name", ""), ("location", "5"), ("id_type", "domain"),
                                                          ("id_value", "not a domain"), ("step", "details")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains(#"id="claim-name-error""#))
            #expect(bad.body.contains("Choose one of your locations."), "a Cedar location is not this user's")
            #expect(bad.body.contains("Give the customer&#39;s domain") || bad.body.contains("Give the customer's domain"))

            // Valid details: the engagements, each eligible or not with its reason.
            let list = try await user.post("/claims/new", Self.fields(engagement: 0, step: "details"))
            #expect(list.status == .ok)
            #expect(list.body.contains(#"name="step" value="engagements""#))
            #expect(list.body.contains("Eligible"))
            // Each engagement's verdict in words, with its rate, cap left and per-customer limit, as the demo sets them for
            // Seattle (market A): engagement 14 is closed, 10 upcoming, and Seattle misses a partner criterion of 1.
            let expected: [(id: Int64, texts: [String])] = [
                (14, ["Ineligible", "Compliance quick start is closed; it no longer takes new claims.", "Pays USD 6,500.00"]),
                (10, ["Ineligible", "Hybrid meetings workshop has not opened for claims yet."]),
                (1, ["Ineligible", "This location does not meet every partner criterion of the engagement.", "Pays USD 5,000.00"]),
                (4, ["Eligible", "<li>Pays USD 3,500.00</li>", "<li>At most 1 active claim per customer, across partners</li>"]),
                // Variable pay with a cap: nothing earned on it yet at Seattle, so the whole cap is left.
                (5, ["Eligible", "<li>Pays USD 150.00 per hour, at most 80 hours</li>", "<li>Cap USD 20,000.00 per location; USD 20,000.00 left</li>"]),
                (15, ["Eligible", "<li>At most 2 active claims per customer, across partners</li>"]),
            ]
            for (id, texts) in expected {
                let choice = try #require(Self.choice(id, in: list.body), "engagement \(id) is listed")
                for text in texts { #expect(choice.contains(text), "engagement \(id): \(text)") }
                #expect(choice.contains(#"id="choose-\#(id)""#) == texts.contains("Eligible"), "engagement \(id) can be chosen only when eligible")
            }
            let chosen = (id: Int64(4), name: "Container readiness assessment")

            // Choosing nothing is refused; choosing an open one leads to the contacts.
            #expect(try await user.post("/claims/new", Self.fields(engagement: 0, step: "engagements")).status == .unprocessableContent)
            let contacts = try await user.post("/claims/new", Self.fields(engagement: chosen.id, step: "engagements"))
            #expect(contacts.body.contains(#"name="step" value="contacts""#))
            #expect(contacts.body.contains("Contacts are expected at fabrikam-labs.com."))

            // A contact at another domain needs a reason.
            let outside = try await user.post("/claims/new", Self.fields(engagement: chosen.id, contact: "omar@gmail.com", step: "contacts"))
            #expect(outside.status == .unprocessableContent)
            #expect(outside.body.contains(#"id="mismatch-reason-error""#))
            let review = try await user.post("/claims/new", Self.fields(engagement: chosen.id, contact: "omar@gmail.com",
                                                                        reason: "Omar runs IT for Fabrikam as a contractor", step: "contacts"))
            #expect(review.status == .ok)
            #expect(review.body.contains(#"id="create-claim""#) && review.body.contains(chosen.name))
            #expect(try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM customers WHERE domain = 'fabrikam-labs.com'").first()!.decode(column: "n", as: Int.self) } == 0,
                    "nothing is stored before the partner commits")

            let created = try await user.post("/claims/new", Self.fields(engagement: chosen.id, contact: "omar@gmail.com",
                                                                         reason: "Omar runs IT for Fabrikam as a contractor", step: "create"))
            #expect(created.status == .seeOther)
            let location = try #require(created.location)
            #expect(location.hasPrefix("/claims/"))
            let claimID = try #require(Int64(location.dropFirst("/claims/".count)))
            let row = try await app.db.read { sql in
                try await sql.raw("""
                    SELECT c.status, c.name, cu.name AS customer, cu.domain, h.note FROM claims c JOIN customers cu ON cu.id = c.customer_id
                    JOIN claim_history h ON h.claim_id = c.id WHERE c.id = \(bind: claimID)
                    """).first()!
            }
            #expect(try row.decode(column: "status", as: String.self) == "customer_claimed")
            #expect(try row.decode(column: "customer", as: String.self) == "Fabrikam Labs")
            #expect(try row.decode(column: "domain", as: String.self) == "fabrikam-labs.com")
            #expect(try row.decode(column: "note", as: String.self) == "Contacts outside fabrikam-labs.com: Omar runs IT for Fabrikam as a contractor")

            // The same customer again on the same engagement: found by its domain, and refused with the reason.
            let again = try await user.post("/claims/new", Self.fields(engagement: chosen.id, domain: "FABRIKAM-LABS.com", step: "engagements"))
            #expect(again.status == .unprocessableContent)
            #expect(again.body.contains("You already have an open claim on this customer for this engagement."))
            #expect(try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM customers WHERE domain = 'fabrikam-labs.com'").first()!.decode(column: "n", as: Int.self) } == 1)
        }
    }

    @Test("an engagement's eligible customer is claimed from its row: engagement and customer come chosen")
    func fromTheCustomersTab() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            var link: String?
            for id in 1...20 where link == nil {
                let page = try await admin.get("/engagements/\(id)/customers?tab=eligible")
                if let range = page.body.range(of: #"href="/claims/new\?engagement=[^"]*existing=[0-9]+""#, options: .regularExpression) {
                    link = String(page.body[range].dropFirst(6).dropLast()).replacingOccurrences(of: "&amp;", with: "&")
                }
            }
            let href = try #require(link, "some engagement has a customer Bluefin could claim")
            #expect(href.contains("id_type=existing") && href.contains("existing="))
            let details = try await admin.get(href)
            #expect(details.status == .ok)
            #expect(details.body.contains(#"id="id-type-existing" checked"#))
            let existing = try #require(href.split(separator: "=").last)
            #expect(details.body.contains(#"<option value="\#(existing)" selected>"#))
        }
    }

    @Test("use or consume: a second partner on the same subscription is accepted and both claims wait for arbitration")
    func competingCPOR() async throws {
        try await WebHarness.with { app in
            // A Bluefin use-or-consume claim still open, on a customer with a subscription.
            let rows = try await app.db.read { sql in
                try await sql.raw("""
                    SELECT c.id, c.engagement_id, cu.subscription_id FROM claims c JOIN customers cu ON cu.id = c.customer_id
                    WHERE c.organization_id = 1 AND c.kind = 'use_or_consume' AND cu.subscription_id IS NOT NULL
                      AND c.status IN ('customer_claimed', 'submitted', 'under_review', 'partner_action_required')
                    ORDER BY c.id
                    """).all()
            }
            let cedar = Viewer.Scope.cedar
            var picked: (claim: Int64, engagement: Int64, subscription: String, location: Int64)?
            for row in rows where picked == nil {
                let engagement = try row.decode(column: "engagement_id", as: Int64.self)
                for location in cedar.locations {
                    let options = try await ClaimIntake(db: app.db).options(
                        kind: .useOrConsume, locationID: location,
                        customer: try await ClaimIntake(db: app.db).resolve(.named(name: "", domain: nil, tenantID: nil,
                                                                                   subscriptionID: try row.decode(column: "subscription_id", as: String.self)),
                                                                            in: cedar.scope),
                        in: cedar.scope, at: app.clock.now)
                    if let option = options.first(where: { $0.id == engagement }), option.option.isOpen {
                        #expect(option.option.competing)
                        picked = (try row.decode(column: "id", as: Int64.self), engagement, try row.decode(column: "subscription_id", as: String.self), location)
                        break
                    }
                }
            }
            let p = try #require(picked, "the demo has a Bluefin use-or-consume claim Cedar could compete with")
            let admin = try await app.signedIn("admin@cedar.example")
            try await admin.get("/claims/new?kind=use_or_consume")
            let fields: [(String, String)] = [("kind", "use_or_consume"), ("name", "Cedar CPOR"), ("location", String(p.location)),
                                              ("id_type", "subscription"), ("id_value", p.subscription.uppercased()),
                                              ("engagement", String(p.engagement)), ("contact_name_1", "Lee Chen"),
                                              ("contact_email_1", "lee@example.org"), ("mismatch_reason", "The customer's IT is outsourced")]
            let list = try await admin.post("/claims/new", fields + [("step", "details")])
            #expect(list.body.contains("Another partner already claims this subscription"))
            let created = try await admin.post("/claims/new", fields + [("step", "create")])
            #expect(created.status == .seeOther)
            let pending = try await app.db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE arbitration = 'pending' ORDER BY id").all().map { try $0.decode(column: "id", as: Int64.self) }
            }
            #expect(pending.contains(p.claim))
            #expect(pending.count >= 2)
            let cedarLocation = try #require(created.location)
            let cedarClaim = try #require(Int64(cedarLocation.dropFirst("/claims/".count)))
            #expect(try await admin.get("/claims/\(cedarClaim)").body.contains(#"id="arbitration""#))
        }
    }
}

extension Viewer {
    /// Cedar's locations in the demo (its admin holds Incentives admin on each).
    enum Scope {
        static let cedar = (locations: [Int64(5), 6, 7], scope: AccessScope.partner(organizationID: 2, locationIDs: [5, 6, 7]))
    }
}
