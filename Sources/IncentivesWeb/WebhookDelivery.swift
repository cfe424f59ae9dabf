import AsyncHTTPClient
import Foundation
import IncentivesDomain
import IncentivesStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends webhook deliveries for as long as the app runs: every `interval` it takes the due deliveries under
/// a lease (so another instance never sends the same one at once), POSTs each batch in parallel, and records
/// every attempt; failures retry on `WebhookRetryPolicy`'s schedule. Before each POST the endpoint's address is
/// checked again under `addressPolicy` and its host resolved: every address must pass, and the connection goes to
/// the address that was checked.
public struct WebhookDelivery: Service {
    /// Looks up a host name's addresses: the system's resolver in production, a stand-in in tests.
    public typealias Resolver = @Sendable (String) async throws -> [IPAddress]

    let webhooks: WebhookRepository
    let addressPolicy: WebhookAddressPolicy
    let resolve: Resolver
    let clock: any WallClock
    let interval: Duration
    let logger: Logger
    /// Counts failed attempts and traces each pass.
    let telemetry: AppTelemetry?

    /// Deliveries leased per pass, sent at once.
    static let batch = 20
    /// A receiver gets this long to answer, connection included.
    static let timeout: TimeAmount = .seconds(10)
    /// Bytes of a response kept on the attempt.
    static let excerptBytes = 1_024

    public init(webhooks: WebhookRepository, addressPolicy: WebhookAddressPolicy, resolve: @escaping Resolver = WebhookDelivery.systemResolver,
                clock: any WallClock, interval: Duration, logger: Logger, telemetry: AppTelemetry? = nil) {
        self.webhooks = webhooks; self.addressPolicy = addressPolicy; self.resolve = resolve
        self.clock = clock; self.interval = interval; self.logger = logger; self.telemetry = telemetry
    }

    public func run() async throws {
        await DrainLoop.run(batch: Self.batch, interval: interval) { await deliverDue() }
    }

    /// One pass, in a span of its own: takes the due deliveries and sends them in parallel. Returns how many were taken.
    /// Failures are recorded on the delivery, never thrown.
    @discardableResult
    public func deliverDue() async -> Int {
        await (telemetry?.store ?? .off).traced("webhooks.drain") { _ in await deliverPass() }
    }

    private func deliverPass() async -> Int {
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
                telemetry?.webhookFailures.increment()
                logger.warning("Webhook delivery failed", metadata: [
                    "delivery_id": "\(item.deliveryID)", "attempt": "\(item.attempt)", "now": "\(status.rawValue)", "outcome": "\(outcome)",
                ])
            }
        } catch {
            // The lease runs out and the delivery is taken again: at least once, never lost.
            logger.error("Webhook attempt could not be recorded", metadata: ["delivery_id": "\(item.deliveryID)", "error": "\(error)"])
        }
    }

    /// One signed POST of the stored body, unless the delivery or its address is no longer allowed.
    func send(_ item: WebhookSend) async -> WebhookAttemptOutcome {
        if let refusal = item.refusal { return .refused("Not sent. \(refusal)") }
        let pin: [String: String]
        switch await destination(of: item.url) {
        case .pinned(let checked): pin = checked
        case .notSent(let outcome): return outcome
        }
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
        // A client per send, so that it connects to the address just checked (`dnsOverride`: the host is not looked
        // up again, and DNS cannot swap the address in between), while TLS still sends SNI for the host name and
        // verifies its certificate. Redirects are not followed: the registered address is the one that gets the
        // signed body, and a 3xx is a failed attempt.
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: Self.timeout, read: Self.timeout),
                                                     decompression: .disabled)
        configuration.dnsOverride = pin
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let outcome: WebhookAttemptOutcome
        do {
            let response = try await client.execute(request, timeout: Self.timeout)
            var excerpt = ByteBuffer()
            for try await chunk in response.body {
                var chunk = chunk
                excerpt.writeBuffer(&chunk)
                if excerpt.readableBytes >= Self.excerptBytes { break }
            }
            outcome = .response(status: Int(response.status.code), excerpt: String(buffer: excerpt))
        } catch {
            outcome = .error(Self.describe(error))
        }
        try? await client.shutdown()
        return outcome
    }

    enum Destination {
        /// Host name → the checked address to connect to (empty when the URL names an address itself).
        case pinned([String: String])
        case notSent(WebhookAttemptOutcome)
    }

    /// Checks `url` at send time: the stored address under today's policy, then every address its host resolves to.
    /// A lookup that fails is an ordinary failed attempt (retried); an address the policy refuses is refused.
    func destination(of url: String) async -> Destination {
        // The host as the HTTP client reads it: the string it would look up.
        guard let raw = URL(string: url)?.host, !raw.isEmpty else { return .notSent(.refused("Not sent. The address has no host.")) }
        let host = raw.hasPrefix("[") && raw.hasSuffix("]") ? String(raw.dropFirst().dropLast()) : raw
        if let literal = IPAddress(host) {
            return addressPolicy.refusal(sending: url, resolvedTo: [literal]).map { .notSent(.refused("Not sent. \($0)")) } ?? .pinned([:])
        }
        // What the policy refuses as written (localhost, http://) is refused before any lookup.
        if let refusal = addressPolicy.refusal(sending: url) { return .notSent(.refused("Not sent. \(refusal)")) }
        let addresses: [IPAddress]
        do {
            addresses = try await resolve(host)
        } catch {
            return .notSent(.error("\(host) could not be looked up: \(error)"))
        }
        if let refusal = addressPolicy.refusal(sending: url, resolvedTo: addresses) { return .notSent(.refused("Not sent. \(refusal)")) }
        return .pinned([raw: addresses[0].description])
    }

    /// Words for the attempt list ("connect timeout", "connection refused") rather than a type dump.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error)
    }

    /// The system's resolver (`getaddrinfo`, which the HTTP client itself would use), off the cooperative threads.
    public static let systemResolver: Resolver = { host in
        try await NIOThreadPool.singleton.runIfActive { try lookUp(host) }
    }

    struct LookupFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Every IPv4 and IPv6 address `getaddrinfo` gives for `host`, in its order, each once.
    static func lookUp(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else { throw LookupFailed(description: String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            next = info.pointee.ai_next
            guard let socketAddress = info.pointee.ai_addr else { continue }
            let bytes: [UInt8]
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                bytes = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { withUnsafeBytes(of: $0.pointee.sin_addr, Array.init) }
            case AF_INET6:
                bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { withUnsafeBytes(of: $0.pointee.sin6_addr, Array.init) }
            default: continue
            }
            if let address = IPAddress(bytes: bytes), !addresses.contains(address) { addresses.append(address) }
        }
        return addresses
    }
}
