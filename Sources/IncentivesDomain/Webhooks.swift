import Foundation

/// What a webhook endpoint may subscribe to; the raw value is the `type` of the event's JSON.
public enum WebhookEventType: String, CaseIterable, Sendable, Codable {
    case claimCreated = "claim.created"
    case claimStatusChanged = "claim.status_changed"
    case claimDeadlineApproaching = "claim.deadline_approaching"
    case claimCommentAdded = "claim.comment_added"
    case earningCreated = "earning.created"
    /// An approval was taken back: the earning was reversed before payment, or a negative earning will be netted.
    case earningReversed = "earning.reversed"
    /// A location joined or left an engagement's eligibility list, or one of its partner criteria changed status.
    case eligibilityChanged = "eligibility.changed"
    /// The program manager approved or declined an inclusion request.
    case inclusionRequestDecided = "inclusion_request.decided"
    /// The program manager published an engagement or a new version of one: the vendor's endpoints only, as it names no location.
    case engagementPublished = "engagement.published"
    /// A payment run was sent to the bank: one event per payee location, with its totals and remittance advice.
    case paymentRunSent = "payment_run.sent"
    /// A payment was confirmed: one event per earning it paid.
    case earningPaid = "earning.paid"
    /// The bank returned a payment: one event per earning, which waits for the next run.
    case earningFailed = "earning.failed"
    /// The test event "Send test event" sends; every endpoint takes it, subscribed or not.
    case webhookPing = "webhook.ping"

    /// The types an endpoint chooses from (the ping is always delivered when asked for).
    public static let subscribable: [WebhookEventType] = allCases.filter { $0 != .webhookPing }

    /// Events about the program rather than a location: a partner endpoint takes events of its locations only.
    public var isVendorOnly: Bool { self == .engagementPublished }

    /// What an endpoint of the vendor, or of a partner, may choose.
    public static func subscribable(vendor: Bool) -> [WebhookEventType] { subscribable.filter { vendor || !$0.isVendorOnly } }

    public var label: String {
        switch self {
        case .claimCreated: "A claim was created"
        case .claimStatusChanged: "A claim changed status (every action, the clock's expiries included)"
        case .claimDeadlineApproaching: "A claim's deadline is 7 days or 1 day away"
        case .claimCommentAdded: "A comment was added to a claim"
        case .earningCreated: "An approved claim became an earning"
        case .earningReversed: "An approval was reversed: its earning was canceled, or a negative earning will be netted"
        case .eligibilityChanged: "A location joined or left an eligibility list, or a partner criterion changed status"
        case .inclusionRequestDecided: "An inclusion request was approved or declined"
        case .engagementPublished: "An engagement or a new version of it was published"
        case .paymentRunSent: "A payment run was sent to the bank (per payee location, with its remittance advice)"
        case .earningPaid: "An earning was paid (the payment was confirmed)"
        case .earningFailed: "A payment was returned by the bank; the earning waits for the next run"
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
    /// Endpoints an organization (or the vendor) may have: each claim write adds one delivery per endpoint.
    public static let maxEndpointsPerOwner = 10
    public static let tooManyEndpoints =
        "You have \(maxEndpointsPerOwner) endpoints, the most allowed: delete one before adding another, or send several event types to one endpoint."

    /// Why `url` cannot receive webhooks under `policy`, or nil. Never credentials in the address (they would
    /// show in the list). See `WebhookAddressPolicy` for which hosts are allowed.
    public static func problem(withURL url: String, policy: WebhookAddressPolicy) -> String? {
        if let problem = TextRule.webhookURL.problem(with: url) { return problem }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            return "Enter a whole address, like https://crm.example.com/hooks/incentives."
        }
        if components.user != nil || components.password != nil {
            return "Leave the user name and password out of the address; check the signature instead."
        }
        if components.fragment != nil { return "Leave out the #fragment: it is never sent." }
        // URLComponents reads a port past its range as none, which would send to 443 what was meant elsewhere.
        if let port = writtenPort(url), !port.isEmpty, !(port.allSatisfy { $0.isASCII && $0.isNumber } && (Int(port).map { (1...65_535).contains($0) } ?? false)) {
            return "Write the port as a number from 1 to 65535, or leave it out."
        }
        let parsed = WebhookAddressPolicy.host(host)
        let local = parsed.specialPurpose != nil
        switch parsed {
        case .malformed: return "Check the host: it is neither a host name nor an IP address."
        case .otherNotation where !(local && policy == .publicOnly):
            return "Write an IP address as four numbers from 0 to 255 (like 93.184.216.34), or use the host name."
        default: break
        }
        switch (scheme, policy) {
        case ("https", .allowLocal): return nil
        case ("https", .publicOnly):
            return local ? "Use a public address: this server does not call addresses inside its own network." : nil
        case ("http", .allowLocal):
            return parsed.isLoopback ? nil : "Use https://. Plain http:// is allowed only for 127.0.0.1 and localhost."
        default: return "Use an https:// address."
        }
    }

    /// The port as written after the host (after an IPv6 address's "]"), nil when none is written.
    static func writtenPort(_ url: String) -> Substring? {
        guard let start = url.range(of: "://")?.upperBound else { return nil }
        let authority = url[start...].prefix { !"/?#".contains($0) }
        let host = authority[(authority.lastIndex(of: "]") ?? authority.startIndex)...]
        return host.lastIndex(of: ":").map { host[host.index(after: $0)...] }
    }

    public static func problem(withDescription description: String) -> String? {
        TextRule.webhookDescription.problem(with: description)
    }

    /// The chosen types, or why the choice is not acceptable.
    public static func events(from values: [String], vendor: Bool = true) -> Result<Set<WebhookEventType>, EventChoiceProblem> {
        var chosen: Set<WebhookEventType> = []
        for value in values {
            guard let type = WebhookEventType(rawValue: value), WebhookEventType.subscribable(vendor: vendor).contains(type) else {
                return .failure(EventChoiceProblem(message: "An event type was not recognised; reload the page and try again."))
            }
            chosen.insert(type)
        }
        if chosen.isEmpty { return .failure(EventChoiceProblem(message: "Choose at least one event.")) }
        return .success(chosen)
    }

    public struct EventChoiceProblem: Error, Sendable, Hashable { public let message: String }
}

extension Viewer {
    /// The locations whose events this user's webhook endpoints carry: where they are Incentives admin. An endpoint
    /// stores them when it is added; the user sees an endpoint only when all of its locations are among theirs.
    public var webhookLocations: Set<Int64> {
        Set(locationRoles.filter { $0.value.contains(.incentivesAdmin) }.keys)
    }
}

/// Whether a partner endpoint's delivery may still go out, decided again when it is sent: roles change after an
/// event is written, and a claim's data must reach only someone who may read it now.
public enum WebhookDeliveryScope {
    /// Why the delivery must not be sent, or nil. `eventLocation` is the claim's location (nil for a test event);
    /// `endpointTakesLocation`: the location is one of the endpoint's; `creatorIsIncentivesAdmin`: the endpoint's
    /// creator holds Incentives admin on that location today.
    public static func refusal(eventLocation: Int64?, isTestEvent: Bool, endpointTakesLocation: Bool,
                               creatorIsIncentivesAdmin: Bool) -> String? {
        guard eventLocation != nil else {
            return isTestEvent ? nil : "The event names no location, so no one's right to it can be checked."
        }
        if !endpointTakesLocation { return "This endpoint does not take events of the claim's location." }
        if !creatorIsIncentivesAdmin {
            return "Whoever added this endpoint is no longer Incentives admin of the claim's location; "
                + "an Incentives admin of that location can add an endpoint of their own."
        }
        return nil
    }
}

/// How often a person may push deliveries to one endpoint by hand ("Send test event", "Send again"): enough to try
/// a receiver out, too few to use the server as a load generator.
public struct WebhookManualSendLimit: Sendable, Hashable {
    public var perWindow: Int
    public var window: TimeInterval

    public init(perWindow: Int = 5, window: TimeInterval = 60) { self.perWindow = perWindow; self.window = window }

    public static let standard = WebhookManualSendLimit()

    /// When the next manual send may go, given the earlier ones, or nil when one may go now.
    public func nextAllowed(after earlier: [Date], now: Date) -> Date? {
        let recent = earlier.filter { now.timeIntervalSince($0) < window }.sorted()
        guard recent.count >= perWindow else { return nil }
        return recent[recent.count - perWindow].addingTimeInterval(window)
    }

    public func message(until: Date, now: Date) -> String {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return "At most \(perWindow) test events and resends per endpoint per minute: try again in \(seconds) second\(seconds == 1 ? "" : "s")."
    }
}

/// Which endpoint addresses a server accepts. In production (`publicOnly`) only https to a host name or a public
/// address: otherwise any partner admin could make the server POST into its own network (loopback, private
/// ranges, link-local such as a cloud's metadata service at 169.254.169.254). `allowLocal` (demo mode, tests, or
/// `WEBHOOK_ALLOW_LOCAL=true` for a receiver on the same network) also takes plain http to loopback and https to
/// any address. Addresses are judged by their parsed bytes (`IPAddress`); a host name is judged here by its
/// name, and at every send by every address it resolves to (`refusal(sending:resolvedTo:)`).
public enum WebhookAddressPolicy: Sendable, Hashable {
    case publicOnly, allowLocal

    /// An endpoint's host, read the way a resolver reads it.
    public enum Host: Hashable, Sendable {
        case address(IPAddress)
        /// Numbers a C resolver reads as an IPv4 address although they are not four decimal numbers
        /// (`2130706433`, `0x7f.1`, `127.1`, `0177.0.0.1`): judged by the address, and never accepted as written.
        case otherNotation(IPAddress)
        /// A host name: lower case, without the one trailing dot that names the DNS root.
        case name(String)
        /// Neither a name nor an address (`256.1.1.1`, `1.2.3.4.5`, `[1::2::3]`, a zone id).
        case malformed

        /// `localhost`, `*.localhost` (RFC 6761: always this machine), or a loopback address.
        public var isLoopback: Bool {
            switch self {
            case .address(let address), .otherNotation(let address): address.isLoopback
            case .name(let name): name == "localhost" || name.hasSuffix(".localhost")
            case .malformed: false
            }
        }

        /// Why the server must not call this host in production, or nil when only resolving can tell.
        var specialPurpose: String? {
            switch self {
            case .address(let address), .otherNotation(let address): address.specialPurpose
            case .name: isLoopback ? "loopback (localhost)" : nil
            case .malformed: nil
            }
        }
    }

    /// Reads a URL's host: brackets off, an IPv6 literal, an IPv4 address in any notation a resolver accepts (a host
    /// whose last label is a number is an address, as browsers read it), or a host name.
    public static func host(_ raw: String) -> Host {
        var host = raw.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.contains(":") { return IPAddress(host).map(Host.address) ?? .malformed }
        if host.hasSuffix(".") { host.removeLast() }
        guard !host.isEmpty, !host.hasSuffix("."), let last = host.split(separator: ".", omittingEmptySubsequences: false).last else {
            return .malformed
        }
        let numeric = last.allSatisfy { $0.isASCII && $0.isNumber }
            || (last.hasPrefix("0x") && last.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit })
        guard numeric else { return .name(host) }
        if let address = IPAddress(host) { return .address(address) }
        return IPAddress.inetAton(host).map(Host.otherNotation) ?? .malformed
    }

    /// Why this server must not send to `url` as it stands, or nil: the stored address is checked again at every
    /// send, since the policy may have changed after it was saved.
    public func refusal(sending url: String) -> String? {
        WebhookEndpointRules.problem(withURL: url, policy: self).map { "This address is not allowed: \($0)" }
    }

    /// Why this server must not send to `url`, whose host resolved to `addresses` just now, or nil. Every address
    /// counts: one inward address is enough to refuse, whichever the connection would have used.
    public func refusal(sending url: String, resolvedTo addresses: [IPAddress]) -> String? {
        if let refusal = refusal(sending: url) { return refusal }
        let components = URLComponents(string: url)
        let host = components?.host ?? url
        guard !addresses.isEmpty else { return "\(host) has no address." }
        for address in addresses {
            switch self {
            case .publicOnly:
                if let block = address.specialPurpose {
                    return "\(host) resolves to \(address), \(block): this server does not call addresses inside its own network."
                }
            case .allowLocal:
                if components?.scheme?.lowercased() == "http", !address.isLoopback {
                    return "\(host) resolves to \(address): plain http:// goes only to this machine."
                }
            }
        }
        return nil
    }
}
