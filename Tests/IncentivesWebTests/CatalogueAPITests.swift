import Foundation
import HTTPTypes
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import OpenAPIRuntime
import SQLKit
import Testing

/// The catalogue console, eligibility lists and inclusion requests through the generated client: a program built from an
/// empty database by the API alone, the roles' refusals, hostile input, and `engagement.published` at a real receiver.
@Suite("Catalogue API: a program from an empty database through the contract, roles, hostile input, engagement.published")
struct CatalogueAPITests {
    /// The program manager and the reviewer of an empty database (no program yet).
    static func vendorUsers(_ app: WebHarness) async throws {
        let users = UserRepository(db: app.db)
        for (email, role) in [("pm@vendor.example", VendorRole.programManager), ("rv@vendor.example", .reviewer)] {
            _ = try await users.add(email: email, name: role.label, organizationID: nil, vendorRole: role,
                                    passwordHash: PasswordHasher.hash("correct horse battery", cost: 4), now: app.clock.now)
        }
    }

    static let criteria = ["Two certified consultants", "Signed partner agreement"]

    static func terms(rateA: String = "5000") -> Components.Schemas.EngagementTermsInput {
        .init(_type: .workshop, payModel: .fixed, currency: "USD", rateA: rateA, rateB: "3000", rateC: "1000",
              description: "A one-day migration workshop with the customer's architects.", partnerCriteria: criteria,
              customerCriteria: ["A subscription in use"], proofRequirements: [.init(kind: .findingsDocument)],
              resourceLinks: [.init(title: "Playbook", url: "https://example.com/playbook")])
    }

    /// The program, one area and one engagement drafted, as the program manager sets them up through the API.
    static func drafted(_ manager: Client, _ app: WebHarness) async throws -> Components.Schemas.ConsoleEngagement {
        _ = try await manager.setProgram(body: .json(.init(name: "Growth Program", managerName: "Pat Manager", managerEmail: "pm@vendor.example")))
            .created.body.json
        let area = try await manager.createSolutionArea(body: .json(.init(code: "cloud", name: "Cloud infrastructure"))).created.body.json
        #expect(area.position == 1 && area.code == "cloud")
        return try await manager.createEngagement(body: .json(.init(name: "Migration workshop", solutionAreaId: area.id, role: .buildIntent,
                                                                    opensOn: DayDate(app.clock.now).description, terms: terms())))
            .created.body.json
    }

    @Test("the program manager builds a program from an empty database through the API alone, and the partner sees it",
          arguments: TestDatabases.flavors)
    func buildProgram(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, demo: false, seeded: false) { app in
            try await Self.vendorUsers(app)
            let pmToken = try await app.token("pm@vendor.example")
            let manager = app.apiClient(pmToken), reviewer = app.apiClient(try await app.token("rv@vendor.example"))
            #expect(try await app.api("/api/v1/catalogue/program", token: pmToken).status == .notFound)
            let draft = try await Self.drafted(manager, app)
            #expect(draft.lifecycle == .draft && draft.versions.map(\.state) == [.draft] && draft.versionInForce == nil)
            #expect(draft.versions.first?.terms.partnerCriteria == Self.criteria && draft.versions.first?.terms.rateA == "5000")
            let program = try await manager.setProgram(body: .json(.init(name: "Growth Program 2027", managerName: "Pat Manager",
                                                                         managerEmail: "pat@vendor.example"))).ok.body.json
            #expect(try await reviewer.getProgram().ok.body.json == program)

            // A partner with a location, through the Partners operations; it sees nothing of an engagement it is not listed on.
            let cedar = try await manager.createPartner(body: .json(.init(name: "Cedar Systems"))).created.body.json
            let berlin = try await manager.createPartnerLocation(path: .init(id: cedar.id), body: .json(.init(name: "Berlin", country: "DE")))
                .created.body.json
            _ = try await app.addUser("ana@cedar.example", organization: cedar.id, roles: [(berlin.id, .incentivesAdmin)])
            let anaToken = try await app.token("ana@cedar.example")
            let partner = app.apiClient(anaToken)

            let published = try await manager.publishEngagement(path: .init(id: draft.id)).ok.body.json
            #expect(published.lifecycle == .published && published.status == "active" && published.versionInForce == 1)
            #expect(try await app.api("/api/v1/engagements/\(draft.id)", token: anaToken).status == .notFound)

            // The list: Berlin added, one criterion by hand, the other by a CSV import previewed first.
            let listed = try await manager.addEligibilityLocation(path: .init(id: draft.id), body: .json(.init(locationId: berlin.id)))
                .ok.body.json
            #expect(listed.entries.map(\.locationId) == [berlin.id] && listed.entries[0].criteria.map(\.status) == [.notMet, .notMet])
            _ = try await manager.setLocationCriterion(path: .init(id: draft.id), body: .json(.init(
                locationId: berlin.id, criterion: Self.criteria[0], status: .met, evidence: "Certificates on file"))).ok.body.json
            let csv = "location,criterion,status,expires_on,evidence\n\(berlin.id),\(Self.criteria[1]),expiring,2027-06-30,Agreement 2026\n"
            let preview = try await manager.importLocationCriteria(path: .init(id: draft.id), query: .init(dryRun: true), body: .csv(HTTPBody(csv)))
                .ok.body.json
            #expect(!preview.applied && preview.rows.count == 1 && preview.problems.isEmpty)
            let before = try await reviewer.getEligibilityList(path: .init(id: draft.id)).ok.body.json
            #expect(before.entries[0].criteria.map(\.status) == [.met, .notMet], "a dry run stores nothing")
            #expect(try await manager.importLocationCriteria(path: .init(id: draft.id), body: .csv(HTTPBody(csv))).ok.body.json.applied)
            let list = try await reviewer.getEligibilityList(path: .init(id: draft.id)).ok.body.json
            let results = list.entries[0].criteria
            #expect(results.map(\.met) == [true, true] && results.map(\.status) == [.met, .expiring])
            #expect(results[1].expiresOn == "2027-06-30" && results[0].evidence == "Certificates on file" && results.allSatisfy { $0.setBy != nil })
            #expect(list.history.map(\.action).contains("listed"))

            // Another partner on the list: neither sees the other's entry or criteria.
            let alder = try await manager.createPartner(body: .json(.init(name: "Alder Partners"))).created.body.json
            let lyon = try await manager.createPartnerLocation(path: .init(id: alder.id), body: .json(.init(name: "Lyon", country: "FR")))
                .created.body.json
            _ = try await manager.addEligibilityLocation(path: .init(id: draft.id), body: .json(.init(locationId: lyon.id))).ok.body.json
            _ = try await app.addUser("li@alder.example", organization: alder.id, roles: [(lyon.id, .incentivesAdmin)])
            let other = try await app.apiClient(try await app.token("li@alder.example")).getEngagement(path: .init(id: draft.id)).ok.body.json
            #expect(other.eligibility.map(\.locationId) == [lyon.id] && other.eligibility[0].criteria.map(\.met) == [false, false])
            #expect(try await reviewer.getEligibilityList(path: .init(id: draft.id)).ok.body.json.entries.count == 2)

            // The partner sees its location meeting both, the expiring one with its day.
            let seen = try await partner.getEngagement(path: .init(id: draft.id)).ok.body.json
            #expect(seen.eligibility.map(\.locationId) == [berlin.id])
            #expect(seen.eligibility[0].criteria.map(\.met) == [true, true] && seen.eligibility[0].eligible)
            #expect(seen.eligibility[0].criteria.map(\.expiresOn) == [nil, "2027-06-30"])

            // A new version: started from the one in force, previewed, published from tomorrow.
            let v2 = try await manager.startEngagementVersion(path: .init(id: draft.id)).ok.body.json
            #expect(v2.versions.map(\.state) == [.published, .draft] && v2.versions[1].terms == v2.versions[0].terms)
            _ = try await manager.saveEngagementDraft(path: .init(id: draft.id), body: .json(.init(terms: Self.terms(rateA: "6000")))).ok.body.json
            let changes = try await reviewer.previewEngagementDraft(path: .init(id: draft.id)).ok.body.json
            #expect(changes.draftVersion == 2 && changes.versionInForce == 1 && changes.changes.map(\.label) == ["Rate, market A"])
            let tomorrow = DayDate(app.clock.now.addingTimeInterval(86_400)).description
            let republished = try await manager.publishEngagement(path: .init(id: draft.id), body: .json(.init(effectiveFrom: tomorrow)))
                .ok.body.json
            #expect(republished.versionInForce == 1 && republished.versions.map(\.state) == [.published, .published])
            #expect(republished.versions[1].effectiveFrom == DayDate(tomorrow)?.startUTC)
            let actions = republished.history.map(\.action)
            #expect(["drafted", "draft_saved", "published", "version_started"].allSatisfy(actions.contains))
            let closed = try await manager.closeEngagement(path: .init(id: draft.id)).ok.body.json
            #expect(closed.lifecycle == .closed && closed.status == "closed")
        }
    }

    @Test("reviewers read and are refused every write (403); partners are refused the vendor's operations (403) and foreign ids (404)",
          arguments: TestDatabases.flavors)
    func roles(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let reviewer = try await app.token("reviewer@vendor.example"), partner = try await app.token("admin@bluefin.example")
            let user = try await app.token("user@bluefin.example")
            let writes: [(String, String)] = [
                ("/catalogue/program", #"{"name": "P", "manager_name": "M", "manager_email": "m@vendor.example"}"#),
                ("/catalogue/areas", #"{"code": "new-area", "name": "New"}"#), ("/catalogue/areas/1", #"{"code": "x", "name": "X", "position": 1}"#),
                ("/catalogue/engagements/1/versions", "{}"), ("/catalogue/engagements/1/publish", "{}"), ("/catalogue/engagements/1/close", "{}"),
                ("/catalogue/engagements/1/eligibility", #"{"location_id": 9}"#), ("/catalogue/engagements/1/eligibility/remove", #"{"location_id": 1}"#),
                ("/catalogue/engagements/1/criteria", #"{"location_id": 1, "criterion": "x", "status": "met"}"#),
                ("/inclusion-requests/1/approve", "{}"), ("/inclusion-requests/1/decline", #"{"reason": "No"}"#),
            ]
            for (path, json) in writes {
                for (who, token) in [("reviewer", reviewer), ("partner", partner)] {
                    try await HostileFormsTests.refused(app, "\(path) as \(who)", expect: .forbidden) {
                        try await app.api("/api/v1" + path, method: .post, token: token, json: json).status
                    }
                }
            }
            for path in ["/catalogue/program", "/catalogue/areas", "/catalogue/engagements/1", "/catalogue/engagements/1/eligibility",
                         "/catalogue/engagements/1/preview", "/inclusion-requests"] {
                #expect(try await app.api("/api/v1" + path, token: reviewer).status == .ok, "\(path) as the reviewer")
                #expect(try await app.api("/api/v1" + path, token: partner).status == .forbidden, "\(path) as a partner")
            }
            #expect(try await app.api("/api/v1/catalogue/engagements/987654", token: reviewer).status == .notFound)
            #expect(try await app.api("/api/v1/engagements/987654/inclusion-requests", token: partner).status == .notFound)
            // An Incentives user does not ask; an admin asking for another organization's location is answered 404.
            let (engagement, _) = try await Self.unlisted(app)
            try await HostileFormsTests.refused(app, "request as an Incentives user", expect: .forbidden) {
                try await app.api("/api/v1/engagements/\(engagement)/inclusion-requests", method: .post, token: user,
                                  json: #"{"location_id": 1, "note": "Please"}"#).status
            }
            try await HostileFormsTests.refused(app, "request for Cedar's location", expect: .notFound) {
                try await app.api("/api/v1/engagements/\(engagement)/inclusion-requests", method: .post, token: partner,
                                  json: #"{"location_id": 5, "note": "Please"}"#).status
            }
        }
    }

    /// A published engagement Bluefin's admin sees (a Bluefin location stays listed) and a Bluefin location taken off its list
    /// (the demo lists Bluefin's locations together).
    static func unlisted(_ app: WebHarness) async throws -> (engagement: Int64, location: Int64) {
        let row = try await app.db.read { sql in
            try await sql.raw("""
                SELECT e.id AS engagement, MAX(l.id) AS location FROM engagements e
                JOIN eligibility_entries s ON s.engagement_id = e.id JOIN locations l ON l.id = s.location_id AND l.organization_id = 1
                WHERE e.lifecycle = 'published' GROUP BY e.id HAVING COUNT(*) >= 2 ORDER BY e.id
                """).first()
        }
        let found = try #require(row, "no engagement with two Bluefin locations listed")
        let engagement = try found.decode(column: "engagement", as: Int64.self), location = try found.decode(column: "location", as: Int64.self)
        try await app.db.write { sql in
            try await sql.raw("DELETE FROM eligibility_entries WHERE engagement_id = \(bind: engagement) AND location_id = \(bind: location)").run()
        }
        return (engagement, location)
    }

    @Test("inclusion requests: the partner asks, reads only its own; the program manager declines with a reason, then approves",
          arguments: TestDatabases.flavors)
    func inclusionRequests(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let (engagement, location) = try await Self.unlisted(app)
            let bluefin = app.apiClient(try await app.token("admin@bluefin.example"))
            let manager = app.apiClient(try await app.token("manager@vendor.example"))
            let cedarToken = try await app.token("admin@cedar.example"), bluefinToken = try await app.token("admin@bluefin.example")
            let managerToken = try await app.token("manager@vendor.example")
            let asked = try await bluefin.createInclusionRequest(path: .init(id: engagement), body: .json(.init(locationId: location, note: "We run it")))
                .created.body.json
            #expect(asked.status == .pending && asked.locationId == location && asked.reason == nil)
            let again = try await app.api("/api/v1/engagements/\(engagement)/inclusion-requests", method: .post, token: bluefinToken,
                                          json: "{\"location_id\": \(location), \"note\": \"Again\"}")
            #expect(again.status == .unprocessableContent)
            #expect(try await bluefin.listEngagementInclusionRequests(path: .init(id: engagement)).ok.body.json.inclusionRequests.map(\.id) == [asked.id])
            let cedarView = try await app.api("/api/v1/engagements/\(engagement)/inclusion-requests", token: cedarToken)
            #expect(cedarView.status == .notFound || !String(buffer: cedarView.body).contains("\"id\":\(asked.id),"), "Cedar never sees Bluefin's")
            let queue = try await manager.listInclusionRequests(query: .init(status: .pending)).ok.body.json
            #expect(queue.inclusionRequests.map(\.id).contains(asked.id) && queue.nextCursor == nil)
            try await HostileFormsTests.refused(app, "a blank reason", expect: .unprocessableContent) {
                try await app.api("/api/v1/inclusion-requests/\(asked.id)/decline", method: .post, token: managerToken,
                                  json: #"{"reason": " "}"#).status
            }
            let declined = try await manager.declineInclusionRequest(path: .init(id: asked.id), body: .json(.init(reason: "Not enrolled yet")))
                .ok.body.json
            #expect(declined.status == .declined && declined.reason == "Not enrolled yet" && declined.decidedBy != nil)
            #expect(try await bluefin.listEngagementInclusionRequests(path: .init(id: engagement)).ok.body.json.inclusionRequests.first?.reason
                    == "Not enrolled yet")
            let second = try await bluefin.createInclusionRequest(path: .init(id: engagement), body: .json(.init(locationId: location, note: "Enrolled now")))
                .created.body.json
            #expect(try await manager.approveInclusionRequest(path: .init(id: second.id)).ok.body.json.status == .approved)
            #expect(try await manager.getEligibilityList(path: .init(id: engagement)).ok.body.json.entries.map(\.locationId).contains(location))
            let twice = try await app.api("/api/v1/inclusion-requests/\(second.id)/approve", method: .post, token: managerToken, json: "{}")
            #expect(twice.status == .unprocessableContent)
        }
    }
}
