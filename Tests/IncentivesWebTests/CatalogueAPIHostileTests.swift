import Foundation
import HTTPTypes
import HummingbirdTesting
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import OpenAPIRuntime
import SQLKit
import Testing

@Suite("Catalogue API: hostile input is a 4xx naming its field, stores nothing; engagement.published reaches the vendor's receiver")
struct CatalogueAPIHostileTests {
    /// The problem's `detail`.
    static func detail(_ response: TestResponse) -> String {
        ((try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["detail"] as? String) ?? ""
    }

    static func engagementJSON(area: Int64, name: String = "Workshop", opensOn: String = "2026-11-25", type: String = "workshop",
                               payModel: String = "fixed", rateA: String = "5000", description: String = "A workshop.", extra: String = "") -> String {
        """
        {"name": "\(name)", "solution_area_id": \(area), "role": "build_intent", "opens_on": "\(opensOn)",
         "terms": {"type": "\(type)", "pay_model": "\(payModel)", "currency": "USD", "rate_a": "\(rateA)", "description": "\(description)",
                   "partner_criteria": ["Certified"]\(extra)}}
        """
    }

    @Test("hostile input in every console, list and request write: 422 naming the field (400 past the contract), nothing stored",
          arguments: TestDatabases.flavors)
    func hostileInput(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, demo: false, seeded: false) { app in
            try await CatalogueAPITests.vendorUsers(app)
            let token = try await app.token("pm@vendor.example")
            let manager = app.apiClient(token)
            let engagement = try await CatalogueAPITests.drafted(manager, app)
            let area = engagement.solutionArea.id
            let cedar = try await manager.createPartner(body: .json(.init(name: "Cedar Systems"))).created.body.json
            let berlin = try await manager.createPartnerLocation(path: .init(id: cedar.id), body: .json(.init(name: "Berlin", country: "DE")))
                .created.body.json
            _ = try await manager.publishEngagement(path: .init(id: engagement.id)).ok.body.json
            _ = try await manager.addEligibilityLocation(path: .init(id: engagement.id), body: .json(.init(locationId: berlin.id)))
            let rlo = HostileFormsTests.rlo, e = engagement.id
            let cases: [(String, String, String, HTTPResponse.Status, String?)] = [
                ("program email", "/catalogue/program", #"{"name": "P", "manager_name": "M", "manager_email": "not an address"}"#,
                 .unprocessableContent, "manager_email"),
                ("program name override", "/catalogue/program", "{\"name\": \"P\(rlo)\", \"manager_name\": \"M\", \"manager_email\": \"m@v.example\"}",
                 .unprocessableContent, "name"),
                ("area code", "/catalogue/areas", #"{"code": "Bad Code!", "name": "X"}"#, .unprocessableContent, "code"),
                ("area code taken", "/catalogue/areas", #"{"code": "cloud", "name": "X"}"#, .unprocessableContent, "code"),
                ("area without position", "/catalogue/areas/\(area)", #"{"code": "cloud", "name": "X"}"#, .unprocessableContent, "position"),
                ("area name too long", "/catalogue/areas", "{\"code\": \"a\", \"name\": \"\(String(repeating: "n", count: 121))\"}", .badRequest, nil),
                ("rate of text", "/catalogue/engagements", Self.engagementJSON(area: area, rateA: "abc"), .unprocessableContent, "rate_a"),
                ("negative rate", "/catalogue/engagements", Self.engagementJSON(area: area, rateA: "-5"), .unprocessableContent, "rate_a"),
                ("name override", "/catalogue/engagements", Self.engagementJSON(area: area, name: "W\(rlo)"), .unprocessableContent, "name"),
                ("blank description", "/catalogue/engagements", Self.engagementJSON(area: area, description: " "), .unprocessableContent, "description"),
                ("variable pay without hours", "/catalogue/engagements", Self.engagementJSON(area: area, payModel: "variable"),
                 .unprocessableContent, "max_hours"),
                ("a day that is none", "/catalogue/engagements", Self.engagementJSON(area: area, opensOn: "2026-13-45"), .unprocessableContent, "opens_on"),
                ("unknown area", "/catalogue/engagements", Self.engagementJSON(area: 987_654), .unprocessableContent, "solution_area"),
                ("unknown type", "/catalogue/engagements", Self.engagementJSON(area: area, type: "<script>"), .badRequest, nil),
                ("a rate past its maxLength", "/catalogue/engagements", Self.engagementJSON(area: area, rateA: String(repeating: "0", count: 37) + "5000"),
                 .badRequest, nil),
                ("an empty link", "/catalogue/engagements", Self.engagementJSON(area: area, extra: #", "resource_links": [{"url": ""}]"#), .badRequest, nil),
                ("five proof kinds", "/catalogue/engagements", Self.engagementJSON(area: area, extra: #", "proof_requirements": "#
                    + #"[{"kind": "invoice"}, {"kind": "invoice"}, {"kind": "invoice"}, {"kind": "invoice"}, {"kind": "invoice"}]"#), .badRequest, nil),
                ("position 0", "/catalogue/areas", #"{"code": "zero", "name": "Zero", "position": 0}"#, .badRequest, nil),
                ("a link that is no address", "/catalogue/engagements",
                 Self.engagementJSON(area: area, extra: #", "resource_links": [{"url": "javascript:alert(1)"}]"#), .unprocessableContent, "resource_links"),
                ("a criterion of two lines", "/catalogue/engagements",
                 Self.engagementJSON(area: area, extra: #", "customer_criteria": ["a\nb"]"#), .unprocessableContent, "customer_criteria"),
                ("a link title with a bar", "/catalogue/engagements",
                 Self.engagementJSON(area: area, extra: #", "resource_links": [{"title": "a | b", "url": "https://example.com"}]"#),
                 .unprocessableContent, "resource_links"),
                ("draft terms", "/catalogue/engagements/\(e)/draft", #"{"terms": {"type": "workshop", "pay_model": "fixed", "currency": "US", "description": "x"}}"#,
                 .unprocessableContent, "currency"),
                ("publishing without a draft", "/catalogue/engagements/\(e)/publish", "{}", .unprocessableContent, "version"),
                ("a version in the past", "/catalogue/engagements/\(e)/publish", #"{"effective_from": "2020-01-01"}"#,
                 .unprocessableContent, "version"),
                ("evidence with a bell", "/catalogue/engagements/\(e)/criteria",
                 "{\"location_id\": \(berlin.id), \"criterion\": \"Two certified consultants\", \"status\": \"met\", \"evidence\": \"ding\\u0007\"}",
                 .unprocessableContent, "evidence"),
                ("expiring without a day", "/catalogue/engagements/\(e)/criteria",
                 "{\"location_id\": \(berlin.id), \"criterion\": \"Two certified consultants\", \"status\": \"expiring\"}", .unprocessableContent, "expires_on"),
                ("a criterion it does not have", "/catalogue/engagements/\(e)/criteria",
                 "{\"location_id\": \(berlin.id), \"criterion\": \"<b>x</b>\", \"status\": \"met\"}", .unprocessableContent, "criterion"),
                ("listing twice", "/catalogue/engagements/\(e)/eligibility", "{\"location_id\": \(berlin.id)}", .unprocessableContent, "location"),
                ("an unknown location", "/catalogue/engagements/\(e)/eligibility", #"{"location_id": 987654}"#, .notFound, nil),
                ("an unknown engagement", "/catalogue/engagements/987654/close", "{}", .notFound, nil),
                ("an unknown request", "/inclusion-requests/987654/approve", "{}", .notFound, nil),
            ]
            for (label, path, json, status, field) in cases {
                var detail = ""
                try await HostileFormsTests.refused(app, label, expect: status) {
                    let response = try await app.api("/api/v1" + path, method: .post, token: token, json: json)
                    detail = Self.detail(response)
                    return response.status
                }
                if let field { #expect(detail.hasPrefix("\(field): "), "\(label): \(detail)") }
            }
            // An import with a bad row: 422 with every row's problem; nothing stored, dry run or not.
            for query in ["?dryRun=true", ""] {
                let csv = "location,criterion,status,expires_on\n\(berlin.id),Two certified consultants,met,\n\(berlin.id),Unknown,soon,\n"
                var body = ""
                try await HostileFormsTests.refused(app, "criteria import\(query)", expect: .unprocessableContent) {
                    let response = try await app.client.executeRequest(uri: "/api/v1/catalogue/engagements/\(e)/criteria/import\(query)", method: .post,
                                                                       headers: [.authorization: "Bearer \(token)", .contentType: "text/csv"],
                                                                       body: .init(string: csv))
                    body = String(buffer: response.body)
                    return response.status
                }
                #expect(body.contains("\"line\":3") && body.contains("\"applied\":false"), "\(body)")
            }
            try await HostileFormsTests.refused(app, "a list import of another format", expect: .unprocessableContent) {
                try await app.client.executeRequest(uri: "/api/v1/catalogue/engagements/\(e)/eligibility/import", method: .post,
                                                    headers: [.authorization: "Bearer \(token)", .contentType: "text/csv"],
                                                    body: .init(bytes: [0x61, 0xFF, 0xFE, 0x41])).status
            }
            for id in HostileFormsTests.badIDs {
                try await HostileFormsTests.refused(app, "engagement \(id)") {
                    try await app.api("/api/v1/catalogue/engagements/\(id)/close", method: .post, token: token, json: "{}").status
                }
            }
        }
    }

    @Test("publishing writes engagement.published in its transaction; the vendor's receiver gets it signed; a partner endpoint may not choose it",
          arguments: TestDatabases.flavors)
    func publishedEvent(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                let (vendor, managerID) = try await WebhookOwners.of("manager@vendor.example", app.db)
                let webhooks = WebhookRepository(db: app.db)
                let (endpoint, secret) = try await webhooks.create(url: url, description: "ERP", events: [.engagementPublished], owner: vendor,
                                                                   by: managerID, policy: .allowLocal, now: app.clock.now)
                let (bluefin, adminID) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                await #expect(throws: StoreError.self, "a partner endpoint can't take an event of no location") {
                    try await webhooks.create(url: url, description: "", events: [.engagementPublished], owner: bluefin, by: adminID,
                                              policy: .allowLocal, now: app.clock.now)
                }
                #expect(!WebhookEventType.subscribable(vendor: false).contains(.engagementPublished))
                let manager = app.apiClient(try await app.token("manager@vendor.example"))
                let id = try #require(try await app.db.read { sql in
                    try await sql.raw("SELECT MIN(id) AS id FROM engagements WHERE lifecycle = 'published'").first(decodingColumn: "id", as: Int64?.self)
                } ?? nil)
                let before = try await manager.getConsoleEngagement(path: .init(id: id)).ok.body.json
                let previous = before.versions.last { $0.state == .published }?.number
                _ = try await manager.startEngagementVersion(path: .init(id: id)).ok.body.json
                let published = try await manager.publishEngagement(path: .init(id: id)).ok.body.json
                let number = try #require(published.versions.last?.number)
                let sender = WebhookDelivery(webhooks: webhooks, addressPolicy: .allowLocal, resolve: WebhookDelivery.systemResolver, clock: app.clock,
                                             interval: .seconds(1), logger: Logger(label: "test"))
                #expect(await sender.deliverDue() == 1)
                let got = await receiver.received
                try #require(got.count == 1)
                #expect(verifiedSecrets(got[0], candidates: [secret]) == [secret])
                let json = try #require(try JSONSerialization.jsonObject(with: Data(got[0].body.utf8)) as? [String: Any])
                #expect(json["type"] as? String == "engagement.published")
                let data = try #require(json["data"] as? [String: Any])
                let engagement = try #require(data["engagement"] as? [String: Any]), version = try #require(data["version"] as? [String: Any])
                #expect(engagement["id"] as? Int == Int(id) && engagement["name"] as? String == before.name && engagement["lifecycle"] as? String == "published")
                #expect((engagement["solution_area"] as? [String: Any])?["code"] as? String == before.solutionArea.code)
                #expect(version["number"] as? Int == number && version["previous_number"] as? Int == previous && data["actor"] as? String != nil)
                #expect(try await webhooks.endpoint(endpoint.id, of: .vendor) != nil)
            }
        }
    }
}
