import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import Testing

@Suite("Webhook settings pages")
struct WebhookPagesTests {
    /// The one secret on a page, if any.
    static func secret(in body: String) -> String? {
        guard let range = body.range(of: #"whsec_[A-Za-z0-9_-]{43}"#, options: .regularExpression) else { return nil }
        return String(body[range])
    }

    @Test("the add form refuses http:// to other hosts, credentials in the address and no events, next to the fields, storing nothing")
    func formErrors() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            #expect(try await admin.get("/settings/webhooks").status == .ok)
            let plain = try await admin.post("/settings/webhooks", [("url", "http://crm.example.com/hook"), ("description", "CRM")])
            #expect(plain.status == .unprocessableContent)
            #expect(plain.body.contains(#"id="webhook-url-error">Use https://. Plain http:// is allowed only for 127.0.0.1 and localhost."#))
            #expect(plain.body.contains(#"id="webhook-events-error">Choose at least one event."#))
            #expect(plain.body.contains(#"value="http://crm.example.com/hook""#), "what was typed stays in the form")
            let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
            let credentials = try await admin.post("/settings/webhooks", [("url", "https://user:pw@crm.example.com/hook"), ("event", "claim.created")])
            #expect(credentials.status == .unprocessableContent && credentials.body.contains("Leave the user name and password out"))
            let unknown = try await admin.post("/settings/webhooks", [("url", "https://crm.example.com/hook"), ("event", "claim.exploded")])
            #expect(unknown.status == .unprocessableContent && unknown.body.contains("An event type was not recognised"))
            #expect(try await WebhookRepository(db: app.db).endpoints(of: bluefin).isEmpty)
            let noToken = try await admin.post("/settings/webhooks", [("url", "https://crm.example.com/hook"), ("event", "claim.created")], csrf: "forged")
            #expect(noToken.status == .forbidden)
            #expect(try await WebhookRepository(db: app.db).endpoints(of: bluefin).isEmpty)
        }
    }

    @Test("endpoints inside the server's network: refused by default, allowed in demo mode or with WEBHOOK_ALLOW_LOCAL")
    func addressPolicy() async throws {
        let none = "/nonexistent/.env"
        #expect(try await AppConfig.load(environment: [:], dotEnvPath: none).webhookAddressPolicy == .publicOnly)
        #expect(try await AppConfig.load(environment: ["WEBHOOK_ALLOW_LOCAL": "true"], dotEnvPath: none).webhookAddressPolicy == .allowLocal)
        #expect(try await AppConfig.load(environment: ["DEMO": "1"], dotEnvPath: none).webhookAddressPolicy == .allowLocal)
        // The store refuses what the page would, whichever way an endpoint comes in.
        try await TestDatabases.with(.sqlite, seeded: true) { (db: Database) async throws -> Void in
            let (bluefin, admin) = try await WebhookOwners.of("admin@bluefin.example", db)
            await #expect(throws: StoreError.invalid(field: "url", "Use a public address: this server does not call addresses inside its own network.")) {
                try await WebhookRepository(db: db).create(url: "https://169.254.169.254/latest", description: "", events: [.claimCreated],
                                                           owner: bluefin, by: admin, policy: .publicOnly, now: TestDatabases.now)
            }
            #expect(try await WebhookRepository(db: db).endpoints(of: bluefin).isEmpty)
        }
    }

    @Test("an admin adds an endpoint (201, secret shown once), sends a test event that a real receiver gets, and sees the attempt")
    func addAndTest() async throws {
        try await WebHarness.with { app in
            try await WebhookReceiver.with { receiver, url in
                let admin = try await app.signedIn("admin@bluefin.example")
                try await admin.get("/settings/webhooks")
                let created = try await admin.post("/settings/webhooks", [("url", url), ("description", "Our CRM"),
                                                                          ("event", "claim.status_changed"), ("event", "earning.created")])
                #expect(created.status == .created)
                let secret = try #require(Self.secret(in: created.body))
                let endpoint = try #require(try await WebhookRepository(db: app.db).endpoints(of: try await WebhookOwners.of("admin@bluefin.example", app.db).owner).first)
                #expect(endpoint.events == [.claimStatusChanged, .earningCreated] && endpoint.description == "Our CRM")
                let list = try await admin.get("/settings/webhooks")
                #expect(list.body.contains(url) && Self.secret(in: list.body) == nil)
                let page = try await admin.get("/settings/webhooks/\(endpoint.id)")
                #expect(page.status == .ok && Self.secret(in: page.body) == nil && page.body.contains("None yet"))
                let test = try await admin.post("/settings/webhooks/\(endpoint.id)/test")
                #expect(test.status == .seeOther)
                let deliveryPath = try #require(test.location)
                let sender = WebhookDelivery(webhooks: WebhookRepository(db: app.db), addressPolicy: .allowLocal, clock: app.clock, interval: .seconds(1),
                                             logger: Logger(label: "test"))
                #expect(await sender.deliverDue() == 1)
                let got = await receiver.received
                try #require(got.count == 1)
                #expect(verifiedSecrets(got[0], candidates: [secret]) == [secret])
                let delivery = try await admin.get(deliveryPath)
                #expect(delivery.status == .ok)
                #expect(delivery.body.contains("HTTP 200") && delivery.body.contains("webhook.ping") && delivery.body.contains("Delivered"))
                #expect(delivery.body.contains("answered 200"), "the response excerpt is shown")
                let listed = try await admin.get("/settings/webhooks/\(endpoint.id)")
                #expect(listed.body.contains(deliveryPath))
                // Rotation shows the new secret once, and says the old one signs for a day.
                let rotated = try await admin.post("/settings/webhooks/\(endpoint.id)/rotate")
                #expect(rotated.status == .ok)
                let newSecret = try #require(Self.secret(in: rotated.body))
                #expect(newSecret != secret && rotated.body.contains("previous secret also signs"))
                // Disable, enable, delete (confirmed).
                #expect(try await admin.post("/settings/webhooks/\(endpoint.id)/disable").status == .seeOther)
                #expect(try await admin.get("/settings/webhooks/\(endpoint.id)").body.contains("Disabled: deliveries wait"))
                #expect(try await admin.post("/settings/webhooks/\(endpoint.id)/enable").status == .seeOther)
                #expect(try await admin.get("/settings/webhooks/\(endpoint.id)/delete").body.contains("Delete endpoint?"))
                #expect(try await admin.post("/settings/webhooks/\(endpoint.id)/delete").status == .unprocessableContent)
                let deleted = try await admin.post("/settings/webhooks/\(endpoint.id)/delete", [("confirm", "delete")])
                #expect(deleted.status == .seeOther && deleted.location == "/settings/webhooks")
                #expect(try await admin.get("/settings/webhooks/\(endpoint.id)").status == .notFound)
            }
        }
    }

    @Test("another organization's endpoint and delivery answer 404; the program manager has the vendor's own endpoints")
    func foreignIDs() async throws {
        try await WebHarness.with { app in
            let webhooks = WebhookRepository(db: app.db)
            let (cedarAdmin, _) = try await WebhookOwners.of("admin@cedar.example", app.db)
            let cedar = try await WebhookOwners.endpoint(app.db, by: "admin@cedar.example", url: "https://cedar.example/hook", events: [.claimCreated])
            let delivery = try await webhooks.sendTest(cedar.id, owner: cedarAdmin, now: app.clock.now)
            let admin = try await app.signedIn("admin@bluefin.example")
            try await admin.get("/settings/webhooks")
            for path in ["/settings/webhooks/\(cedar.id)", "/settings/webhooks/\(cedar.id)/deliveries/\(delivery)",
                         "/settings/webhooks/\(cedar.id)/delete", "/settings/webhooks/987654"] {
                #expect(try await admin.get(path).status == .notFound, "\(path)")
            }
            #expect(try await admin.post("/settings/webhooks/\(cedar.id)/deliveries/\(delivery)/resend").status == .notFound)
            #expect(try await admin.post("/settings/webhooks/\(cedar.id)/delete", [("confirm", "delete")]).status == .notFound)
            #expect(try await webhooks.endpoint(cedar.id, of: cedarAdmin) != nil)
            let manager = try await app.signedIn("manager@vendor.example")
            #expect(try await manager.get("/settings/webhooks/\(cedar.id)").status == .notFound)
            try await manager.get("/settings/webhooks")
            let created = try await manager.post("/settings/webhooks", [("url", "https://finance.vendor.example/hooks"), ("event", "earning.created")])
            #expect(created.status == .created)
            #expect(try await webhooks.endpoints(of: .vendor).map(\.url) == ["https://finance.vendor.example/hooks"])
            #expect(try await app.signedIn("user@bluefin.example").get("/settings/webhooks").status == .forbidden)
            #expect(try await app.signedIn("reviewer@vendor.example").get("/settings/webhooks").status == .forbidden)
        }
    }

    @Test("the endpoint page lists deliveries newest first in keyset pages of 25")
    func deliveryPages() async throws {
        try await WebHarness.with { app in
            // Thirty test events at once: more than a person may send by hand in a minute.
            let webhooks = WebhookRepository(db: app.db, manualSends: WebhookManualSendLimit(perWindow: 30))
            let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
            let endpoint = try await WebhookOwners.endpoint(app.db, by: "admin@bluefin.example", url: "https://bluefin.example/hook", events: [.claimCreated])
            var ids: [Int64] = []
            for _ in 1...30 { ids.append(try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)) }
            let admin = try await app.signedIn("admin@bluefin.example")
            let first = try await admin.get("/settings/webhooks/\(endpoint.id)")
            func listed(_ body: String) -> [Int64] {
                body.matches(of: #/deliveries/(\d+)"/#).map { Int64($0.1)! }
            }
            #expect(listed(first.body) == Array(ids.reversed().prefix(25)))
            #expect(first.body.contains("?before=\(ids[5])") && !first.body.contains("rel=\"first\""))
            let second = try await admin.get("/settings/webhooks/\(endpoint.id)?before=\(ids[5])")
            #expect(listed(second.body) == Array(ids.prefix(5).reversed()))
            #expect(!second.body.contains("rel=\"next\"") && second.body.contains("rel=\"first\""))
        }
    }
}
