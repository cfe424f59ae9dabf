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

    /// Why `url` cannot receive webhooks, or nil. HTTPS only, except plain HTTP to this machine (127.0.0.1,
    /// localhost) for development and tests; never credentials in the address (they would show in the list).
    public static func problem(withURL url: String) -> String? {
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
        switch scheme {
        case "https": return nil
        case "http":
            return ["127.0.0.1", "localhost"].contains(host.lowercased()) ? nil
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
