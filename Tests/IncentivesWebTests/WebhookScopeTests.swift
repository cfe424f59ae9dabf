import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import SQLKit
import Testing

/// Issue 15: an Incentives admin of one location added an endpoint and received another location's comments.
/// Endpoints now carry their creator's Incentives-admin locations, checked again at every send.
@Suite("Webhooks scoped to the locations of the endpoint's creator")
struct WebhookScopeTests {
    static let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")

    func sender(_ app: WebHarness) -> WebhookDelivery {
        WebhookDelivery(webhooks: WebhookRepository(db: app.db), addressPolicy: .allowLocal, clock: app.clock, interval: .seconds(1),
                        logger: Logger(label: "test"))
    }

    /// Bluefin's locations A and B, and a claim under review at each.
    func setting(_ app: WebHarness) async throws -> (a: Int64, b: Int64, claimA: Int64, claimB: Int64) {
        let locations = try await UserRepository(db: app.db).locations(ofOrganization: 1).map(\.id).sorted()
        func claim(_ location: Int64) async throws -> Int64 {
            try #require(try await app.db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE location_id = \(bind: location) AND status = 'under_review' ORDER BY id")
                    .first()?.decode(column: "id", as: Int64.self)
            })
        }
        return (locations[0], locations[1], try await claim(locations[0]), try await claim(locations[1]))
    }

    func comment(_ body: String, on claim: Int64, _ app: WebHarness) async throws {
        try await ClaimWork(db: app.db, links: ClaimLinks(publicURL: "https://incentives.example"))
            .comment(body, on: claim, by: Self.reviewer, in: .vendor, at: app.clock.now)
    }

    /// Adds an endpoint on the page; returns its id and secret.
    func addEndpoint(_ browser: Browser, url: String, _ app: WebHarness) async throws -> (Int64, String) {
        try await browser.get("/settings/webhooks")
        let created = try await browser.post("/settings/webhooks", [("url", url), ("event", "claim.comment_added"), ("event", "claim.status_changed")])
        try #require(created.status == .created, "\(created.body)")
        let secret = try #require(WebhookPagesTests.secret(in: created.body))
        let id = try #require(try await app.db.read { sql in
            try await sql.raw("SELECT id FROM webhook_endpoints WHERE url = \(bind: url)").first()?.decode(column: "id", as: Int64.self)
        })
        return (id, secret)
    }

    @Test("an Incentives admin of location A receives A's events only, and cannot open B-scoped endpoints or their deliveries",
          arguments: TestDatabases.flavors)
    func adminOfOneLocation(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                let (a, _, claimA, claimB) = try await setting(app)
                _ = try await app.addUser("only-a@bluefin.example", organization: 1, roles: [(a, .incentivesAdmin)])
                let onlyA = try await app.signedIn("only-a@bluefin.example")
                let wide = try await app.signedIn("admin@bluefin.example")
                let (endpointA, secretA) = try await addEndpoint(onlyA, url: url + "?for=a", app)
                let (endpointAll, secretAll) = try await addEndpoint(wide, url: url + "?for=all", app)
                try await comment("Comment at A.", on: claimA, app)
                try await comment("Comment at B.", on: claimB, app)
                #expect(await sender(app).deliverDue() == 3)
                let got = await receiver.received
                func locations(signedWith secret: String) throws -> [Int64] {
                    try got.filter { !verifiedSecrets($0, candidates: [secret]).isEmpty }.map { request in
                        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
                        let claim = try #require((json["data"] as? [String: Any])?["claim"] as? [String: Any])
                        return Int64(try #require(claim["location_id"] as? Int))
                    }
                }
                #expect(try locations(signedWith: secretA) == [a], "A's admin never receives B's comment")
                #expect(try locations(signedWith: secretAll).count == 2)

                // The pages: A's admin sees only the endpoints whose locations are all theirs.
                let list = try await onlyA.get("/settings/webhooks")
                #expect(list.body.contains(url + "?for=a") && !list.body.contains(url + "?for=all"))
                let foreignDelivery = try #require(try await app.db.read { sql in
                    try await sql.raw("SELECT id FROM webhook_deliveries WHERE endpoint_id = \(bind: endpointAll) ORDER BY id").first()?
                        .decode(column: "id", as: Int64.self)
                })
                for path in ["/settings/webhooks/\(endpointAll)", "/settings/webhooks/\(endpointAll)/deliveries/\(foreignDelivery)",
                             "/settings/webhooks/\(endpointAll)/delete"] {
                    #expect(try await onlyA.get(path).status == .notFound, "\(path)")
                }
                for path in ["/settings/webhooks/\(endpointAll)/test", "/settings/webhooks/\(endpointAll)/deliveries/\(foreignDelivery)/resend",
                             "/settings/webhooks/\(endpointAll)/disable", "/settings/webhooks/\(endpointAll)/rotate"] {
                    #expect(try await onlyA.post(path).status == .notFound, "\(path)")
                }
                #expect(try await onlyA.post("/settings/webhooks/\(endpointAll)/delete", [("confirm", "delete")]).status == .notFound)
                let own = try await onlyA.get("/settings/webhooks/\(endpointA)")
                #expect(own.status == .ok && own.body.contains("Bluefin Consulting - "))
                // The organization-wide admin sees both, with the locations each takes.
                let wideList = try await wide.get("/settings/webhooks")
                #expect(wideList.body.contains(url + "?for=a") && wideList.body.contains(url + "?for=all"))
                #expect(try await wide.get("/settings/webhooks/\(endpointA)").status == .ok)
            }
        }
    }

    @Test("revoking the creator's Incentives admin role stops delivery: a waiting delivery is marked failed with the reason, never sent",
          arguments: TestDatabases.flavors)
    func revokedRoleStopsDelivery(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                let (a, b, claimA, _) = try await setting(app)
                let user = try await app.addUser("two@bluefin.example", organization: 1, roles: [(a, .incentivesAdmin), (b, .incentivesAdmin)])
                let browser = try await app.signedIn("two@bluefin.example")
                let (endpoint, _) = try await addEndpoint(browser, url: url, app)
                try await comment("Delivered while the role holds.", on: claimA, app)
                #expect(await sender(app).deliverDue() == 1)
                #expect(await receiver.received.count == 1)

                try await comment("Written while the role holds, sent after it is gone.", on: claimA, app)
                try await UserRepository(db: app.db).revoke(.incentivesAdmin, onLocation: a, fromUser: user)
                #expect(await sender(app).deliverDue() == 1)
                #expect(await receiver.received.count == 1, "nothing more reaches the receiver")
                let refused = try #require(try await app.db.read { sql in
                    try await sql.raw("""
                        SELECT d.status, a.error, a.http_status FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id
                        WHERE d.endpoint_id = \(bind: endpoint) ORDER BY d.id DESC
                        """).first()
                })
                #expect(try refused.decode(column: "status", as: String.self) == "failed")
                #expect(try refused.decode(column: "http_status", as: Int?.self) == nil)
                let reason = try #require(try refused.decode(column: "error", as: String?.self))
                #expect(reason.hasPrefix("Not sent. Whoever added this endpoint is no longer Incentives admin of the claim's location"))
                // Without A, the endpoint (A and B) is no longer the user's to see; an admin of both reads the reason.
                #expect(try await browser.get("/settings/webhooks/\(endpoint)").status == .notFound)
                app.clock.advance(days: 2)
                #expect(await sender(app).deliverDue() == 0, "a refused delivery is not tried again by itself")
                let delivery = try #require(try await app.db.read { sql in
                    try await sql.raw("SELECT MAX(id) AS id FROM webhook_deliveries WHERE endpoint_id = \(bind: endpoint)").first()?
                        .decode(column: "id", as: Int64?.self)
                })
                let page = try await app.signedIn("admin@bluefin.example").get("/settings/webhooks/\(endpoint)/deliveries/\(delivery)")
                #expect(page.status == .ok && page.body.contains("no longer Incentives admin of the claim"))
            }
        }
    }

    @Test("the form says when the owner has 10 endpoints, and refuses an 11th with 422")
    func endpointCapOnThePage() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            try await admin.get("/settings/webhooks")
            for i in 1...9 {
                _ = try await WebhookOwners.endpoint(app.db, by: "admin@bluefin.example", url: "https://n\(i).example/hooks")
            }
            let tenth = try await admin.post("/settings/webhooks", [("url", "https://n10.example/hooks"), ("event", "claim.created")])
            #expect(tenth.status == .created)
            let full = try await admin.get("/settings/webhooks")
            #expect(full.body.contains(#"id="webhook-limit">You have 10 endpoints, the most allowed"#))
            #expect(!full.body.contains(#"action="/settings/webhooks" class="stack""#), "no form to fill in for nothing")
            let eleventh = try await admin.post("/settings/webhooks", [("url", "https://n11.example/hooks"), ("event", "claim.created")])
            #expect(eleventh.status == .unprocessableContent)
            #expect(eleventh.body.contains(#"id="webhook-form-error">The endpoint was not added. You have 10 endpoints"#))
            #expect(try await WebhookRepository(db: app.db).count(of: try await WebhookOwners.of("admin@bluefin.example", app.db).owner) == 10)
        }
    }

    @Test("Send test event and Send again answer 429 with a clear message past 5 a minute per endpoint")
    func manualSendLimitOnThePage() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            let endpoint = try await WebhookOwners.endpoint(app.db, by: "admin@bluefin.example", url: "https://crm.bluefin.example/hooks")
            try await admin.get("/settings/webhooks/\(endpoint.id)")
            var last = ""
            for _ in 1...5 {
                let sent = try await admin.post("/settings/webhooks/\(endpoint.id)/test")
                #expect(sent.status == .seeOther)
                last = try #require(sent.location)
            }
            let refused = try await admin.post("/settings/webhooks/\(endpoint.id)/test")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.body.contains("At most 5 test events and resends per endpoint per minute: try again in 60 seconds."))
            #expect(try await admin.post(last + "/resend").status == .tooManyRequests)
            app.clock.advance(by: 61)
            #expect(try await admin.post(last + "/resend").status == .seeOther)
        }
    }
}
