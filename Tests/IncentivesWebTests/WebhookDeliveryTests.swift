import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import NIOCore
import SQLKit
import Testing

/// A real HTTP server on 127.0.0.1 (a random port) that records what it receives and answers with the
/// statuses it is told to, for as long as the test body runs.
actor WebhookReceiver {
    struct Received: Sendable {
        let headers: HTTPFields
        let body: String
        func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
    }

    private(set) var received: [Received] = []
    /// Answers to give in turn; 200 once they run out.
    var answers: [HTTPResponse.Status] = []
    /// How long each answer is held back (to keep a request in flight).
    var delay: Duration = .zero

    func setAnswers(_ statuses: [HTTPResponse.Status]) { answers = statuses }
    func setDelay(_ value: Duration) { delay = value }

    fileprivate func take(_ headers: HTTPFields, _ body: String) -> (HTTPResponse.Status, Duration) {
        received.append(Received(headers: headers, body: body))
        return (answers.isEmpty ? .ok : answers.removeFirst(), delay)
    }

    static func with(_ body: @Sendable (WebhookReceiver, String) async throws -> Void) async throws {
        let receiver = WebhookReceiver()
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let (status, delay) = await receiver.take(request.headers, String(buffer: bytes))
            if delay > .zero { try await Task.sleep(for: delay) }
            return Response(status: status, headers: [.contentType: "text/plain"],
                            body: .init(byteBuffer: ByteBuffer(string: "answered \(status.code)")))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        // Quiet: the server is cancelled, not shut down gracefully, when the test is done.
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(receiver, "http://127.0.0.1:\(port)/hook")
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}

/// The receiver's side of a signature, computed here from the header, the timestamp and the body alone.
func verifiedSecrets(_ request: WebhookReceiver.Received, candidates: [String]) -> [String] {
    guard let header = request.header("Webhook-Signature"), let timestamp = request.header("Webhook-Timestamp") else { return [] }
    let parts = header.split(separator: ",").map(String.init)
    guard parts.first == "t=\(timestamp)" else { return [] }
    let signatures = Set(parts.dropFirst().filter { $0.hasPrefix("v1=") }.map { String($0.dropFirst(3)) })
    return candidates.filter { secret in
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(request.body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return signatures.contains(mac.map { String(format: "%02x", $0) }.joined())
    }
}

@Suite("Webhook delivery: signed POSTs to a real receiver, retries, leases, disabled endpoints, rotation")
struct WebhookDeliveryTests {
    func service(_ app: WebHarness, policy: WebhookRetryPolicy = .standard) -> WebhookDelivery {
        WebhookDelivery(webhooks: WebhookRepository(db: app.db, policy: policy), clock: app.clock, interval: .seconds(1),
                        logger: Logger(label: "test"))
    }

    func endpoint(_ app: WebHarness, url: String, owner: WebhookOwner = .organization(1),
                  events: Set<WebhookEventType> = [.claimStatusChanged]) async throws -> (WebhookEndpoint, String) {
        try await WebhookRepository(db: app.db).create(url: url, description: "CRM", events: events, owner: owner, by: nil, policy: .allowLocal, now: app.clock.now)
    }

    @Test("a test event reaches the receiver signed with the endpoint's secret; the attempt and the response are kept",
          arguments: TestDatabases.flavors)
    func signedDelivery(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                let webhooks = WebhookRepository(db: app.db)
                let (endpoint, secret) = try await endpoint(app, url: url)
                #expect(secret.hasPrefix("whsec_") && secret.count >= 6 + 43)
                let deliveryID = try await webhooks.sendTest(endpoint.id, owner: .organization(1), now: app.clock.now)
                let sender = service(app)
                defer { Task { try? await sender.shutdown() } }
                #expect(await sender.deliverDue() == 1)
                let got = await receiver.received
                try #require(got.count == 1)
                let request = got[0]
                #expect(verifiedSecrets(request, candidates: [secret, "whsec_wrong"]) == [secret])
                #expect(request.header("Webhook-Timestamp") == String(Int(app.clock.now.timeIntervalSince1970)))
                #expect(request.header("Content-Type") == "application/json")
                let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
                #expect(json["type"] as? String == "webhook.ping")
                #expect(request.header("Webhook-Id") == json["id"] as? String)
                #expect((json["id"] as? String)?.hasPrefix("evt_") == true)
                #expect(json["created_at"] as? String == "2026-11-25T09:46:40Z")
                let detail = try #require(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: .organization(1)))
                #expect(detail.delivery.status == .delivered && detail.delivery.attempts == 1)
                #expect(detail.payload == request.body, "the stored body is the one signed and sent")
                #expect(detail.attempts.count == 1 && detail.attempts[0].httpStatus == 200)
                #expect(detail.attempts[0].responseExcerpt == "answered 200")
                #expect(await sender.deliverDue() == 0, "a delivered event is not sent again")
                // Another organization sees neither the endpoint nor the delivery.
                #expect(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: .organization(2)) == nil)
                #expect(try await webhooks.endpoint(endpoint.id, of: .vendor) == nil)
            }
        }
    }

    @Test("failures retry after 1m, 5m, 30m, 2h, 8h and 24h (within 10%), and the 7th failure leaves the delivery failed",
          arguments: TestDatabases.flavors)
    func retries(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                await receiver.setAnswers(Array(repeating: .internalServerError, count: 8))
                let webhooks = WebhookRepository(db: app.db)
                let (endpoint, _) = try await endpoint(app, url: url)
                let deliveryID = try await webhooks.sendTest(endpoint.id, owner: .organization(1), now: app.clock.now)
                let sender = service(app)
                defer { Task { try? await sender.shutdown() } }
                let expected: [TimeInterval] = [60, 300, 1_800, 7_200, 28_800, 86_400]
                for (i, delay) in expected.enumerated() {
                    #expect(await sender.deliverDue() == 1, "attempt \(i + 1)")
                    let detail = try #require(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: .organization(1)))
                    #expect(detail.delivery.status == .pending && detail.delivery.attempts == i + 1)
                    let wait = detail.delivery.nextAttemptAt.timeIntervalSince(app.clock.now)
                    #expect(wait >= delay * 0.9 - 1 && wait <= delay * 1.1 + 1, "after attempt \(i + 1): \(wait)s")
                    app.clock.advance(by: wait - 1)
                    #expect(await sender.deliverDue() == 0, "not before its time")
                    app.clock.advance(by: 2)
                }
                #expect(await sender.deliverDue() == 1, "attempt 7")
                let detail = try #require(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: .organization(1)))
                #expect(detail.delivery.status == .failed && detail.delivery.attempts == 7)
                #expect(detail.attempts.count == 7 && detail.attempts.allSatisfy { $0.httpStatus == 500 })
                app.clock.advance(days: 30)
                #expect(await sender.deliverDue() == 0, "a failed delivery is not tried again by itself")
                #expect(await receiver.received.count == 7)
                // "Send again" gives it one more attempt, now; the receiver answers 500 once more.
                try await webhooks.sendAgain(deliveryID, of: endpoint.id, owner: .organization(1), now: app.clock.now)
                #expect(await sender.deliverDue() == 1)
                #expect(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: .organization(1))?.delivery.status == .failed)
                try await webhooks.sendAgain(deliveryID, of: endpoint.id, owner: .organization(1), now: app.clock.now)
                #expect(await sender.deliverDue() == 1)
                #expect(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: .organization(1))?.delivery.status == .delivered)
            }
        }
    }

    @Test("the jitter band: the policy never moves a delay by more than 10%, and nothing is left after 7 attempts")
    func policyBounds() {
        let policy = WebhookRetryPolicy.standard
        #expect(policy.maxAttempts == 7)
        #expect(policy.delay(afterAttempt: 1, spread: -1) == 54 && policy.delay(afterAttempt: 1, spread: 1) == 66)
        #expect(policy.delay(afterAttempt: 6, spread: 0) == 86_400)
        #expect(policy.delay(afterAttempt: 7, spread: 0) == nil)
        #expect(policy.delay(afterAttempt: 2, spread: 5) == 330, "spread is clamped")
    }

    @Test("a lease keeps a delivery from being sent twice at once: two services on one database send it once",
          arguments: TestDatabases.flavors)
    func lease(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                await receiver.setDelay(.milliseconds(300))
                let webhooks = WebhookRepository(db: app.db)
                let (endpoint, _) = try await endpoint(app, url: url)
                _ = try await webhooks.sendTest(endpoint.id, owner: .organization(1), now: app.clock.now)
                let one = service(app), two = service(app)
                defer { Task { try? await one.shutdown(); try? await two.shutdown() } }
                async let first = one.deliverDue()
                async let second = two.deliverDue()
                let taken = await [first, second]
                #expect(taken.sorted() == [0, 1])
                #expect(await receiver.received.count == 1)
                // A taker that died: its lease (120 s) runs out and the delivery is taken again as attempt 2.
                _ = try await webhooks.sendTest(endpoint.id, owner: .organization(1), now: app.clock.now)
                let leased = try await webhooks.take(now: app.clock.now)
                #expect(leased.count == 1 && leased[0].attempt == 1)
                #expect(try await webhooks.take(now: app.clock.now.addingTimeInterval(119)).isEmpty)
                let retaken = try await webhooks.take(now: app.clock.now.addingTimeInterval(121))
                #expect(retaken.map(\.deliveryID) == leased.map(\.deliveryID) && retaken[0].attempt == 2)
            }
        }
    }

    @Test("deliveries to a disabled endpoint wait, and go out when it is enabled again", arguments: TestDatabases.flavors)
    func disabledWaits(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                let webhooks = WebhookRepository(db: app.db)
                let (endpoint, _) = try await endpoint(app, url: url)
                try await webhooks.setEnabled(endpoint.id, false, of: .organization(1))
                let deliveryID = try await webhooks.sendTest(endpoint.id, owner: .organization(1), now: app.clock.now)
                let sender = service(app)
                defer { Task { try? await sender.shutdown() } }
                app.clock.advance(days: 3)
                #expect(await sender.deliverDue() == 0)
                #expect(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: .organization(1))?.delivery.status == .pending)
                try await webhooks.setEnabled(endpoint.id, true, of: .organization(1))
                #expect(await sender.deliverDue() == 1)
                #expect(await receiver.received.count == 1)
                await #expect(throws: StoreError.self) { try await webhooks.setEnabled(endpoint.id, false, of: .organization(2)) }
            }
        }
    }

    @Test("after a rotation both secrets sign for 24 hours, then only the new one", arguments: TestDatabases.flavors)
    func rotation(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                let webhooks = WebhookRepository(db: app.db)
                let (endpoint, old) = try await endpoint(app, url: url)
                let new = try await webhooks.rotateSecret(endpoint.id, of: .organization(1), now: app.clock.now)
                #expect(new != old && new.hasPrefix("whsec_"))
                let sender = service(app)
                defer { Task { try? await sender.shutdown() } }
                _ = try await webhooks.sendTest(endpoint.id, owner: .organization(1), now: app.clock.now)
                #expect(await sender.deliverDue() == 1)
                app.clock.advance(by: 24 * 3600 + 1)
                _ = try await webhooks.sendTest(endpoint.id, owner: .organization(1), now: app.clock.now)
                #expect(await sender.deliverDue() == 1)
                let got = await receiver.received
                try #require(got.count == 2)
                #expect(Set(verifiedSecrets(got[0], candidates: [old, new])) == [old, new])
                #expect(got[0].header("Webhook-Signature")?.components(separatedBy: "v1=").count == 3)
                #expect(verifiedSecrets(got[1], candidates: [old, new]) == [new])
                await #expect(throws: StoreError.self) { _ = try await webhooks.rotateSecret(endpoint.id, of: .vendor, now: app.clock.now) }
            }
        }
    }

    @Test("an unreachable receiver and a redirect are failed attempts with the reason kept; redirects are not followed",
          arguments: TestDatabases.flavors)
    func unreachableAndRedirect(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                await receiver.setAnswers([.movedPermanently])
                let webhooks = WebhookRepository(db: app.db)
                let (redirected, _) = try await endpoint(app, url: url)
                // Port 9 (discard) on this machine: nothing listens, the connection is refused at once.
                let (closed, _) = try await endpoint(app, url: "http://127.0.0.1:9/hook")
                let a = try await webhooks.sendTest(redirected.id, owner: .organization(1), now: app.clock.now)
                let b = try await webhooks.sendTest(closed.id, owner: .organization(1), now: app.clock.now)
                let sender = service(app)
                defer { Task { try? await sender.shutdown() } }
                #expect(await sender.deliverDue() == 2)
                let first = try #require(try await webhooks.delivery(a, of: redirected.id, owner: .organization(1)))
                #expect(first.delivery.status == .pending && first.attempts.first?.httpStatus == 301)
                let second = try #require(try await webhooks.delivery(b, of: closed.id, owner: .organization(1)))
                #expect(second.delivery.status == .pending && second.attempts.first?.httpStatus == nil)
                #expect(second.attempts.first?.error?.isEmpty == false)
                #expect(await receiver.received.count == 1)
            }
        }
    }

    @Test("deleting an endpoint deletes its deliveries and attempts", arguments: TestDatabases.flavors)
    func deleteCascades(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { _, url in
                let webhooks = WebhookRepository(db: app.db)
                let (endpoint, _) = try await endpoint(app, url: url)
                _ = try await webhooks.sendTest(endpoint.id, owner: .organization(1), now: app.clock.now)
                let sender = service(app)
                defer { Task { try? await sender.shutdown() } }
                #expect(await sender.deliverDue() == 1)
                await #expect(throws: StoreError.self) { try await webhooks.delete(endpoint.id, of: .organization(2)) }
                try await webhooks.delete(endpoint.id, of: .organization(1))
                let left = try await app.db.read { sql in
                    try await sql.raw("""
                        SELECT (SELECT COUNT(*) FROM webhook_deliveries) + (SELECT COUNT(*) FROM webhook_attempts)
                             + (SELECT COUNT(*) FROM webhook_endpoint_events) AS n
                        """).first()!.decode(column: "n", as: Int.self)
                }
                #expect(left == 0)
            }
        }
    }
}
