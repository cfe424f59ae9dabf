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
import Synchronization
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

    /// `host`: the loopback address it listens on (any of 127/8 on Linux).
    static func with(host: String = "127.0.0.1", _ body: @Sendable (WebhookReceiver, String) async throws -> Void) async throws {
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
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(receiver, "http://\(host):\(port)/hook")
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
    func service(_ app: WebHarness, policy: WebhookRetryPolicy = .standard, addresses: WebhookAddressPolicy = .allowLocal,
                 resolve: @escaping WebhookDelivery.Resolver = WebhookDelivery.systemResolver) -> WebhookDelivery {
        WebhookDelivery(webhooks: WebhookRepository(db: app.db, policy: policy), addressPolicy: addresses, resolve: resolve, clock: app.clock,
                        interval: .seconds(1), logger: Logger(label: "test"))
    }

    /// An endpoint of Bluefin's admin (Incentives admin of every Bluefin location).
    func endpoint(_ app: WebHarness, url: String, events: Set<WebhookEventType> = [.claimStatusChanged],
                  policy: WebhookAddressPolicy = .allowLocal) async throws -> (WebhookEndpoint, String) {
        let (owner, user) = try await WebhookOwners.of("admin@bluefin.example", app.db)
        return try await WebhookRepository(db: app.db).create(url: url, description: "CRM", events: events, owner: owner, by: user,
                                                              policy: policy, now: app.clock.now)
    }

    @Test("a test event reaches the receiver signed with the endpoint's secret; the attempt and the response are kept",
          arguments: TestDatabases.flavors)
    func signedDelivery(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                let webhooks = WebhookRepository(db: app.db)
                let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                let (cedar, _) = try await WebhookOwners.of("admin@cedar.example", app.db)
                let (endpoint, secret) = try await endpoint(app, url: url)
                #expect(secret.hasPrefix("whsec_") && secret.count >= 6 + 43)
                let deliveryID = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
                let sender = service(app)
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
                let detail = try #require(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: bluefin))
                #expect(detail.delivery.status == .delivered && detail.delivery.attempts == 1)
                #expect(detail.payload == request.body, "the stored body is the one signed and sent")
                #expect(detail.attempts.count == 1 && detail.attempts[0].httpStatus == 200)
                #expect(detail.attempts[0].responseExcerpt == "answered 200")
                #expect(await sender.deliverDue() == 0, "a delivered event is not sent again")
                // Another organization sees neither the endpoint nor the delivery.
                #expect(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: cedar) == nil)
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
                let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                let (endpoint, _) = try await endpoint(app, url: url)
                let deliveryID = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
                let sender = service(app)
                let expected: [TimeInterval] = [60, 300, 1_800, 7_200, 28_800, 86_400]
                for (i, delay) in expected.enumerated() {
                    #expect(await sender.deliverDue() == 1, "attempt \(i + 1)")
                    let detail = try #require(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: bluefin))
                    #expect(detail.delivery.status == .pending && detail.delivery.attempts == i + 1)
                    let wait = detail.delivery.nextAttemptAt.timeIntervalSince(app.clock.now)
                    #expect(wait >= delay * 0.9 - 1 && wait <= delay * 1.1 + 1, "after attempt \(i + 1): \(wait)s")
                    app.clock.advance(by: wait - 1)
                    #expect(await sender.deliverDue() == 0, "not before its time")
                    app.clock.advance(by: 2)
                }
                #expect(await sender.deliverDue() == 1, "attempt 7")
                let detail = try #require(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: bluefin))
                #expect(detail.delivery.status == .failed && detail.delivery.attempts == 7)
                #expect(detail.attempts.count == 7 && detail.attempts.allSatisfy { $0.httpStatus == 500 })
                app.clock.advance(days: 30)
                #expect(await sender.deliverDue() == 0, "a failed delivery is not tried again by itself")
                #expect(await receiver.received.count == 7)
                // "Send again" gives it one more attempt, now; the receiver answers 500 once more.
                try await webhooks.sendAgain(deliveryID, of: endpoint.id, owner: bluefin, now: app.clock.now)
                #expect(await sender.deliverDue() == 1)
                #expect(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: bluefin)?.delivery.status == .failed)
                try await webhooks.sendAgain(deliveryID, of: endpoint.id, owner: bluefin, now: app.clock.now)
                #expect(await sender.deliverDue() == 1)
                #expect(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: bluefin)?.delivery.status == .delivered)
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
                let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                let (endpoint, _) = try await endpoint(app, url: url)
                _ = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
                let one = service(app), two = service(app)
                async let first = one.deliverDue()
                async let second = two.deliverDue()
                let taken = await [first, second]
                #expect(taken.sorted() == [0, 1])
                #expect(await receiver.received.count == 1)
                // A taker that died: its lease (120 s) runs out and the delivery is taken again as attempt 2.
                _ = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
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
                let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                let (cedar, _) = try await WebhookOwners.of("admin@cedar.example", app.db)
                let (endpoint, _) = try await endpoint(app, url: url)
                try await webhooks.setEnabled(endpoint.id, false, of: bluefin)
                let deliveryID = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
                let sender = service(app)
                app.clock.advance(days: 3)
                #expect(await sender.deliverDue() == 0)
                #expect(try await webhooks.delivery(deliveryID, of: endpoint.id, owner: bluefin)?.delivery.status == .pending)
                try await webhooks.setEnabled(endpoint.id, true, of: bluefin)
                #expect(await sender.deliverDue() == 1)
                #expect(await receiver.received.count == 1)
                await #expect(throws: StoreError.self) { try await webhooks.setEnabled(endpoint.id, false, of: cedar) }
            }
        }
    }

    @Test("after a rotation both secrets sign for 24 hours, then only the new one", arguments: TestDatabases.flavors)
    func rotation(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                let webhooks = WebhookRepository(db: app.db)
                let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                let (endpoint, old) = try await endpoint(app, url: url)
                let new = try await webhooks.rotateSecret(endpoint.id, of: bluefin, now: app.clock.now)
                #expect(new != old && new.hasPrefix("whsec_"))
                let sender = service(app)
                _ = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
                #expect(await sender.deliverDue() == 1)
                app.clock.advance(by: 24 * 3600 + 1)
                _ = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
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
                let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                let (redirected, _) = try await endpoint(app, url: url)
                // Port 9 (discard) on this machine: nothing listens, the connection is refused at once.
                let (closed, _) = try await endpoint(app, url: "http://127.0.0.1:9/hook")
                let a = try await webhooks.sendTest(redirected.id, owner: bluefin, now: app.clock.now)
                let b = try await webhooks.sendTest(closed.id, owner: bluefin, now: app.clock.now)
                let sender = service(app)
                #expect(await sender.deliverDue() == 2)
                let first = try #require(try await webhooks.delivery(a, of: redirected.id, owner: bluefin))
                #expect(first.delivery.status == .pending && first.attempts.first?.httpStatus == 301)
                let second = try #require(try await webhooks.delivery(b, of: closed.id, owner: bluefin))
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
                let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                let (cedar, _) = try await WebhookOwners.of("admin@cedar.example", app.db)
                let (endpoint, _) = try await endpoint(app, url: url)
                _ = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
                let sender = service(app)
                #expect(await sender.deliverDue() == 1)
                await #expect(throws: StoreError.self) { try await webhooks.delete(endpoint.id, of: cedar) }
                try await webhooks.delete(endpoint.id, of: bluefin)
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

    /// A stand-in resolver: the addresses it gives each name, and the names it was asked for.
    final class Resolutions: Sendable {
        let answers: [String: [IPAddress]]
        let asked = Mutex<[String]>([])
        init(_ answers: [String: [String]]) { self.answers = answers.mapValues { $0.map { IPAddress($0)! } } }

        var resolve: WebhookDelivery.Resolver {
            { host in
                self.asked.withLock { $0.append(host) }
                guard let addresses = self.answers[host] else { throw WebhookDelivery.LookupFailed(description: "Name or service not known") }
                return addresses
            }
        }
    }

    /// The error of a delivery's only attempt, and its status.
    func attempt(_ delivery: Int64, _ app: WebHarness) async throws -> (status: String, error: String?) {
        let row = try #require(try await app.db.read { sql in
            try await sql.raw("""
                SELECT d.status, a.error FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id WHERE d.id = \(bind: delivery)
                """).first()
        })
        return (try row.decode(column: "status", as: String.self), try row.decode(column: "error", as: String?.self))
    }

    @Test("a public name that resolves inward at send time is refused, whichever of its addresses is inward; the lookup failing is retried",
          arguments: TestDatabases.flavors)
    func resolvesInward(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
            let webhooks = WebhookRepository(db: app.db)
            let resolutions = Resolutions(["crm.partner.example": ["127.0.0.1"], "mixed.partner.example": ["93.184.216.34", "::ffff:10.0.0.1"]])
            var deliveries: [String: Int64] = [:]
            for name in ["crm.partner.example", "mixed.partner.example", "gone.partner.example"] {
                let (endpoint, _) = try await endpoint(app, url: "https://\(name)/hooks", policy: .publicOnly)
                deliveries[name] = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
            }
            #expect(await service(app, addresses: .publicOnly, resolve: resolutions.resolve).deliverDue() == 3)
            #expect(Set(resolutions.asked.withLock { $0 }) == ["crm.partner.example", "mixed.partner.example", "gone.partner.example"])
            let loopback = try await attempt(deliveries["crm.partner.example"]!, app)
            #expect(loopback.status == "failed")
            #expect(loopback.error == "Not sent. crm.partner.example resolves to 127.0.0.1, loopback (127.0.0.0/8): "
                    + "this server does not call addresses inside its own network.")
            let mixed = try await attempt(deliveries["mixed.partner.example"]!, app)
            #expect(mixed.status == "failed" && mixed.error?.contains("resolves to ::ffff:a00:1, IPv4-mapped (::ffff:0:0/96) of private (10.0.0.0/8)") == true)
            let gone = try await attempt(deliveries["gone.partner.example"]!, app)
            #expect(gone.status == "pending" && gone.error == "gone.partner.example could not be looked up: Name or service not known")
        }
    }

    @Test("an endpoint saved while local addresses were allowed posts nothing once they are not; names refused as written are not looked up",
          arguments: TestDatabases.flavors)
    func storedEndpointsCheckedAtSend(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await WebhookReceiver.with { receiver, url in
                let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                let webhooks = WebhookRepository(db: app.db)
                let (local, _) = try await endpoint(app, url: url)
                let (dotted, _) = try await endpoint(app, url: "https://localhost./hooks")
                let first = try await webhooks.sendTest(local.id, owner: bluefin, now: app.clock.now)
                let second = try await webhooks.sendTest(dotted.id, owner: bluefin, now: app.clock.now)
                let resolutions = Resolutions([:])
                #expect(await service(app, addresses: .publicOnly, resolve: resolutions.resolve).deliverDue() == 2)
                #expect(await receiver.received.isEmpty)
                #expect(resolutions.asked.withLock { $0 }.isEmpty)
                #expect(try await attempt(first, app) == ("failed", "Not sent. This address is not allowed: Use an https:// address."))
                #expect(try await attempt(second, app)
                        == ("failed", "Not sent. This address is not allowed: Use a public address: this server does not call addresses inside its own network."))
                // With local addresses allowed again (demo mode, WEBHOOK_ALLOW_LOCAL), Send again delivers it.
                try await webhooks.sendAgain(first, of: local.id, owner: bluefin, now: app.clock.now)
                #expect(await service(app).deliverDue() == 1)
                #expect(await receiver.received.count == 1)
            }
        }
    }

    @Test("the connection goes to the address that was checked, not to a second lookup of the name")
    func connectsToTheCheckedAddress() async throws {
        try await WebHarness.with { app in
            // The receiver listens on 127.0.0.2 only; the system's resolver reads localhost as 127.0.0.1 and ::1.
            try await WebhookReceiver.with(host: "127.0.0.2") { receiver, url in
                let (bluefin, _) = try await WebhookOwners.of("admin@bluefin.example", app.db)
                let webhooks = WebhookRepository(db: app.db)
                let port = try #require(URLComponents(string: url)?.port)
                let (endpoint, _) = try await endpoint(app, url: "http://localhost:\(port)/hook")
                let delivery = try await webhooks.sendTest(endpoint.id, owner: bluefin, now: app.clock.now)
                let resolutions = Resolutions(["localhost": ["127.0.0.2"]])
                #expect(await service(app, resolve: resolutions.resolve).deliverDue() == 1)
                #expect(try await attempt(delivery, app) == ("delivered", nil))
                #expect(await receiver.received.count == 1)
            }
        }
    }

    @Test("the system resolver gives this machine's addresses for localhost, and fails for a name that cannot exist")
    func systemResolver() async throws {
        let addresses = try await WebhookDelivery.systemResolver("localhost")
        #expect(!addresses.isEmpty && addresses.allSatisfy(\.isLoopback), "\(addresses)")
        await #expect(throws: WebhookDelivery.LookupFailed.self) { _ = try await WebhookDelivery.systemResolver("no-such-host.invalid") }
    }
}
