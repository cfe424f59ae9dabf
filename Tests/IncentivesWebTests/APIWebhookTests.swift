import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// The API and the webhooks describe a claim the same way: an integration reading `GET /api/v1/claims/{id}` and one
/// receiving `claim.status_changed` see one shape, and an action through the API tells the endpoints like a page does.
@Suite("API and webhooks together")
struct APIWebhookTests {
    @Test("cancelling through the API writes claim.status_changed whose claim is the API's own JSON of it", arguments: TestDatabases.flavors)
    func actionThroughAPIEmitsEvent(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let bluefin = try await WebhookOwners.endpoint(app.db, by: "admin@bluefin.example", url: "https://crm.bluefin.example/hooks")
            let cedar = try await WebhookOwners.endpoint(app.db, by: "admin@cedar.example", url: "https://crm.cedar.example/hooks")
            let claim = try await ClaimPageTests.draftClaim(app)
            let token = try await app.token("admin@bluefin.example")

            let cancelled = try await app.api("/api/v1/claims/\(claim)/cancel", method: .post, token: token,
                                              headers: [HTTPField.Name("Idempotency-Key")!: "cancel-\(claim)"], json: #"{"note": "Customer chose another partner"}"#)
            #expect(cancelled.status == .ok)
            let read = try await app.api("/api/v1/claims/\(claim)", token: token)
            #expect(read.status == .ok)
            let apiClaim = try #require(try JSONSerialization.jsonObject(with: Data(buffer: read.body)) as? NSDictionary)
            #expect(apiClaim["status"] as? String == ClaimStatus.canceled.rawValue)

            let rows = try await app.db.read { sql in
                try await sql.raw("""
                    SELECT d.endpoint_id, ev.payload FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
                    WHERE ev.type = 'claim.status_changed' ORDER BY d.id
                    """).all()
            }
            #expect(try rows.map { try $0.decode(column: "endpoint_id", as: Int64.self) } == [bluefin.id], "Cedar's endpoint hears nothing of Bluefin's claim")
            #expect(!rows.contains { (try? $0.decode(column: "endpoint_id", as: Int64.self)) == cedar.id })
            let payload = try #require(try JSONSerialization.jsonObject(with: Data(try rows[0].decode(column: "payload", as: String.self).utf8)) as? [String: Any])
            let data = try #require(payload["data"] as? [String: Any])
            #expect(data["previous_status"] as? String != nil && data["previous_status"] as? String != ClaimStatus.canceled.rawValue)
            #expect(NSDictionary(dictionary: try #require(data["claim"] as? [String: Any])) == apiClaim,
                    "the webhook's claim and the API's claim are the same JSON, key for key, null for null")
        }
    }
}
