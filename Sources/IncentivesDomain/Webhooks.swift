import Foundation

/// What a webhook endpoint may subscribe to; the raw value is the `type` of the event's JSON.
public enum WebhookEventType: String, CaseIterable, Sendable, Codable {
    case claimCreated = "claim.created"
    case claimStatusChanged = "claim.status_changed"
    case claimDeadlineApproaching = "claim.deadline_approaching"
    case claimCommentAdded = "claim.comment_added"
    case earningCreated = "earning.created"
    /// The test event "Send test event" sends; every endpoint takes it, subscribed or not.
    case webhookPing = "webhook.ping"

    /// The types an endpoint chooses from (the ping is always delivered when asked for).
    public static let subscribable: [WebhookEventType] = allCases.filter { $0 != .webhookPing }

    public var label: String {
        switch self {
        case .claimCreated: "A claim was created"
        case .claimStatusChanged: "A claim changed status (every action, the clock's expiries included)"
        case .claimDeadlineApproaching: "A claim's deadline is 7 days or 1 day away"
        case .claimCommentAdded: "A comment was added to a claim"
        case .earningCreated: "An approved claim became an earning"
        case .webhookPing: "Test event"
        }
    }
}

/// Where a delivery of one event to one endpoint stands.
public enum WebhookDeliveryStatus: String, CaseIterable, Sendable {
    /// Waiting for its next attempt (or for its endpoint to be enabled again).
    case pending
    case delivered
    /// Every attempt failed; "Send again" starts a new round.
    case failed

    public var label: String {
        switch self {
        case .pending: "Pending"
        case .delivered: "Delivered"
        case .failed: "Failed"
        }
    }
}

/// When a failed webhook delivery is tried again: 1 minute, 5 minutes, 30 minutes, 2 hours, 8 hours and
/// 24 hours after the 1st to 6th failure, each stretched or shortened by up to 10% so that receivers coming
/// back from an outage are not hit by every retry at the same second; after the 7th failure it has failed.
public struct WebhookRetryPolicy: Sendable, Hashable {
    public var delays: [TimeInterval]
    /// The largest share by which a delay moves either way.
    public var jitter: Double

    public init(delays: [TimeInterval] = [60, 300, 1_800, 7_200, 28_800, 86_400], jitter: Double = 0.1) {
        self.delays = delays; self.jitter = jitter
    }

    public static let standard = WebhookRetryPolicy()

    /// Attempts in all before a delivery has failed.
    public var maxAttempts: Int { delays.count + 1 }

    /// The wait after the `attempt`-th failed attempt (1-based), or nil when none is left. `spread` in -1...1
    /// picks the point in the jitter band (random in production, fixed in tests).
    public func delay(afterAttempt attempt: Int, spread: Double) -> TimeInterval? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        return delays[attempt - 1] * (1 + jitter * min(1, max(-1, spread)))
    }
}

/// The checks on an endpoint's form, the same for every way of adding one.
public enum WebhookEndpointRules {
    public static let maxURLLength = 2_000
    public static let maxDescriptionLength = 200

    /// Why `url` cannot receive webhooks under `policy`, or nil. Never credentials in the address (they would
    /// show in the list). See `WebhookAddressPolicy` for which hosts are allowed.
    public static func problem(withURL url: String, policy: WebhookAddressPolicy) -> String? {
        if url.isEmpty { return "Enter the address that receives the events." }
        if url.count > maxURLLength { return "Use at most \(maxURLLength) characters." }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            return "Enter a whole address, like https://crm.example.com/hooks/incentives."
        }
        if components.user != nil || components.password != nil {
            return "Leave the user name and password out of the address; check the signature instead."
        }
        if components.fragment != nil { return "Leave out the #fragment: it is never sent." }
        let local = WebhookAddressPolicy.isLocal(host: host)
        switch (scheme, policy) {
        case ("https", .allowLocal): return nil
        case ("https", .publicOnly):
            return local ? "Use a public address: this server does not call addresses inside its own network." : nil
        case ("http", .allowLocal):
            return WebhookAddressPolicy.isLoopback(host: host) ? nil
                : "Use https://. Plain http:// is allowed only for 127.0.0.1 and localhost."
        default: return "Use an https:// address."
        }
    }

    public static func problem(withDescription description: String) -> String? {
        description.count > maxDescriptionLength ? "Use at most \(maxDescriptionLength) characters." : nil
    }

    /// The chosen types, or why the choice is not acceptable.
    public static func events(from values: [String]) -> Result<Set<WebhookEventType>, EventChoiceProblem> {
        var chosen: Set<WebhookEventType> = []
        for value in values {
            guard let type = WebhookEventType(rawValue: value), WebhookEventType.subscribable.contains(type) else {
                return .failure(EventChoiceProblem(message: "An event type was not recognised; reload the page and try again."))
            }
            chosen.insert(type)
        }
        if chosen.isEmpty { return .failure(EventChoiceProblem(message: "Choose at least one event.")) }
        return .success(chosen)
    }

    public struct EventChoiceProblem: Error, Sendable, Hashable { public let message: String }
}

/// Which endpoint addresses a server accepts. In production (`publicOnly`) only https to a host name or a public
/// address: otherwise any partner admin could make the server POST into its own network (loopback, private
/// ranges, link-local such as a cloud's metadata service at 169.254.169.254). `allowLocal` (demo mode, tests, or
/// `WEBHOOK_ALLOW_LOCAL=true` for a receiver on the same network) also takes plain http to 127.0.0.1/localhost
/// and https to private addresses. Host names are checked as written; what they resolve to is not.
public enum WebhookAddressPolicy: Sendable, Hashable {
    case publicOnly, allowLocal

    static func isLoopback(host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        return ipv4(host).map { $0[0] == 127 } ?? false
    }

    /// Loopback, unspecified, private (RFC 1918, carrier-grade NAT, IPv6 unique local) and link-local addresses.
    static func isLocal(host: String) -> Bool {
        if isLoopback(host: host) { return true }
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if let a = ipv4(host) {
            return a[0] == 0 || a[0] == 10 || (a[0] == 172 && (16...31).contains(a[1])) || (a[0] == 192 && a[1] == 168)
                || (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (64...127).contains(a[1]))
        }
        // Numbers a resolver may read as an address in another notation (2130706433, 127.1, 0177.0.0.1, 0x7f.1):
        // refused rather than guessed.
        if ipv4(host) == nil, host.split(separator: ".").allSatisfy({ part in
            part.allSatisfy(\.isNumber) || (part.hasPrefix("0x") && part.dropFirst(2).allSatisfy(\.isHexDigit))
        }) { return true }
        guard host.contains(":") else { return false }  // a host name
        // IPv6 literals: unspecified, unique local fc00::/7, link-local fe80::/10, and IPv4-mapped ones.
        if host == "::" { return true }
        if host.hasPrefix("::ffff:") { return isLocal(host: String(host.dropFirst(7))) || ipv4(String(host.dropFirst(7))) == nil }
        return host.hasPrefix("fc") || host.hasPrefix("fd") || host.hasPrefix("fe8") || host.hasPrefix("fe9")
            || host.hasPrefix("fea") || host.hasPrefix("feb")
    }

    /// The four numbers of a dotted IPv4 literal, or nil.
    private static func ipv4(_ host: String) -> [Int]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let numbers = parts.compactMap { part -> Int? in
            guard !part.isEmpty, part.count <= 3, !(part.count > 1 && part.hasPrefix("0")), part.allSatisfy(\.isASCII),
                  let n = Int(part), (0...255).contains(n) else { return nil }
            return n
        }
        return numbers.count == 4 ? numbers : nil
    }
}
