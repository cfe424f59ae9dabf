import AsyncHTTPClient
import Foundation
import IncentivesDomain
import IncentivesStore
import Logging
import NIOCore
import ServiceLifecycle

/// Sends webhook deliveries for as long as the app runs: every `interval` it takes the due deliveries under
/// a lease (so another instance never sends the same one at once), POSTs each batch in parallel through one
/// HTTP client, and records every attempt; failures retry on `WebhookRetryPolicy`'s schedule.
public struct WebhookDelivery: Service {
    let webhooks: WebhookRepository
    let client: HTTPClient
    let clock: any WallClock
    let interval: Duration
    let logger: Logger

    /// Deliveries leased per pass, sent at once.
    static let batch = 20
    /// A receiver gets this long to answer, connection included.
    static let timeout: TimeAmount = .seconds(10)
    /// Bytes of a response kept on the attempt.
    static let excerptBytes = 1_024

    public init(webhooks: WebhookRepository, clock: any WallClock, interval: Duration, logger: Logger) {
        self.webhooks = webhooks; self.clock = clock; self.interval = interval; self.logger = logger
        // One client for the process (its connection pool is shared by every send). Redirects are not followed:
        // the registered address is the one that gets the signed body, and a 3xx is a failed attempt.
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            redirectConfiguration: .disallow,
            timeout: .init(connect: Self.timeout, read: Self.timeout),
            decompression: .disabled))
    }

    public func run() async throws {
        await DrainLoop.run(batch: Self.batch, interval: interval) { await deliverDue() }
        try await client.shutdown()
    }

    /// Closes the HTTP client; for callers that use `deliverDue` without `run` (tests, the CLI).
    public func shutdown() async throws { try await client.shutdown() }

    /// One pass: takes the due deliveries and sends them in parallel. Returns how many were taken.
    /// Failures are recorded on the delivery, never thrown.
    @discardableResult
    public func deliverDue() async -> Int {
        let taken: [WebhookSend]
        do {
            taken = try await webhooks.take(now: clock.now, limit: Self.batch)
        } catch {
            logger.error("Webhook deliveries could not be read: \(error)")
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            for item in taken {
                group.addTask { await deliver(item) }
            }
        }
        return taken.count
    }

    func deliver(_ item: WebhookSend) async {
        let started = ContinuousClock.now
        let outcome = await send(item)
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        do {
            let status = try await webhooks.record(item, outcome: outcome, durationMS: milliseconds, now: clock.now)
            if !outcome.succeeded {
                logger.warning("Webhook delivery failed", metadata: [
                    "delivery_id": "\(item.deliveryID)", "attempt": "\(item.attempt)", "now": "\(status.rawValue)", "outcome": "\(outcome)",
                ])
            }
        } catch {
            // The lease runs out and the delivery is taken again: at least once, never lost.
            logger.error("Webhook attempt could not be recorded", metadata: ["delivery_id": "\(item.deliveryID)", "error": "\(error)"])
        }
    }

    /// One signed POST of the stored body.
    func send(_ item: WebhookSend) async -> WebhookAttemptOutcome {
        let timestamp = Int(clock.now.timeIntervalSince1970.rounded(.down))
        var request = HTTPClientRequest(url: item.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "partner-incentives-webhooks/1")
        request.headers.add(name: "Webhook-Id", value: item.eventPublicID)
        request.headers.add(name: "Webhook-Timestamp", value: String(timestamp))
        request.headers.add(name: "Webhook-Signature",
                            value: WebhookSignature.header(timestamp: timestamp, body: item.payload, secrets: item.secrets))
        request.body = .bytes(ByteBuffer(string: item.payload))
        do {
            let response = try await client.execute(request, timeout: Self.timeout)
            var excerpt = ByteBuffer()
            for try await chunk in response.body {
                var chunk = chunk
                excerpt.writeBuffer(&chunk)
                if excerpt.readableBytes >= Self.excerptBytes { break }
            }
            return .response(status: Int(response.status.code), excerpt: String(buffer: excerpt))
        } catch {
            return .error(Self.describe(error))
        }
    }

    /// Words for the attempt list ("connect timeout", "connection refused") rather than a type dump.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error)
    }
}
