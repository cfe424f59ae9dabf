import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb
import Testing

/// The webhooks page and one endpoint's page with its deliveries, from plain values: a partner's Incentives admin on two
/// locations with two endpoints, one of them disabled after failures.
@Suite("Page snapshots: webhook endpoints and their deliveries")
struct WebhookPagesSnapshotTests {
    static let now = ClaimFixture.at("2026-11-20T10:00:00Z")

    static let admin = Viewer(userID: 5, email: "ana@bluefin.example", name: "Ana Almeida",
                              membership: .partner(organizationID: 2, roles: [3: [.incentivesAdmin], 4: [.incentivesAdmin, .accountAdmin]]),
                              organizationName: "Bluefin Consulting", timeZone: TimeZone(identifier: "America/Los_Angeles")!)

    static let crm = WebhookEndpoint(id: 11, organizationID: 2, url: "https://hooks.bluefin.example/incentives?source=pi&team=r&d",
                                     description: "CRM sync", events: [.claimStatusChanged, .earningCreated],
                                     locations: ["Bluefin Seattle", "Bluefin Vancouver"], enabled: true,
                                     createdAt: ClaimFixture.at("2026-10-01T16:00:00Z"),
                                     previousSecretUntil: ClaimFixture.at("2026-11-21T09:00:00Z"), lastStatus: .failed)
    static let alerts = WebhookEndpoint(id: 12, organizationID: 2, url: "https://alerts.bluefin.example/pi", description: "",
                                        events: [.claimDeadlineApproaching], locations: [], enabled: false,
                                        createdAt: ClaimFixture.at("2026-10-15T08:00:00Z"), previousSecretUntil: nil, lastStatus: nil)

    static func delivery(_ id: Int64, _ status: WebhookDeliveryStatus, attempts: Int, type: WebhookEventType, hour: Int) -> WebhookDeliveryRecord {
        let created = now.addingTimeInterval(TimeInterval(-hour * 3600))
        return WebhookDeliveryRecord(id: id, endpointID: 11, eventPublicID: "evt_0000\(id)", type: type.rawValue, status: status,
                                     attempts: attempts, nextAttemptAt: created.addingTimeInterval(600), createdAt: created,
                                     lastAttemptAt: attempts == 0 ? nil : created.addingTimeInterval(5))
    }

    static let deliveries = WebhookDeliveryPage(deliveries: [
        delivery(43, .pending, attempts: 0, type: .claimStatusChanged, hour: 1),
        delivery(42, .failed, attempts: 8, type: .earningCreated, hour: 30),
        delivery(41, .delivered, attempts: 1, type: .claimStatusChanged, hour: 50),
    ], nextBefore: 41)

    static var input: PageInput {
        PageInput(viewer: admin, csrfToken: "csrf-token", flash: nil, database: "embedded SQLite", demo: false, now: now)
    }

    @Test("the webhooks list with its add form")
    func webhooksList() async throws {
        let view = WebhookListView([Self.crm, Self.alerts], full: false, input: Self.input)
        try await PageSnapshots.pin(view, template: "webhooks", state: "list")
    }

    @Test("one endpoint with a page of deliveries, pending, failed and delivered, and an older page to go to")
    func oneEndpoint() async throws {
        let view = WebhookEndpointView(Self.crm, deliveries: Self.deliveries, before: nil, input: Self.input)
        try await PageSnapshots.pin(view, template: "webhook", state: "with-deliveries")
    }
}
