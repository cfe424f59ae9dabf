import Foundation
import IncentivesDomain
import IncentivesStore

/// One endpoint's page: its settings, its actions, and a keyset page of its deliveries, newest first.
struct WebhookEndpointView: PageView {
    let shell: Shell
    let endpoint: WebhookEndpointLine
    let created: String
    let previousUntil: String?
    let deliveries: [WebhookDeliveryLine]
    let hasDeliveries: Bool
    let newestHref: String?
    let olderHref: String?

    /// - Parameters:
    ///   - before: the delivery id this page starts before; nil on the newest page.
    init(_ endpoint: WebhookEndpoint, deliveries page: WebhookDeliveryPage, before: Int64?, input: PageInput) {
        let times = input.times
        let path = SitePath.webhook(.id(endpoint.id))
        shell = Shell(input, title: endpoint.url, section: .webhooks, trail: [(endpoint.url, nil)])
        self.endpoint = WebhookEndpointLine(endpoint)
        created = times.dateTime(endpoint.createdAt)
        // The previous secret is worth a line only while it still signs.
        previousUntil = endpoint.previousSecretUntil.flatMap { $0 > input.now ? times.dateTime($0) : nil }
        deliveries = page.deliveries.map { WebhookDeliveryLine($0, times: times) }
        hasDeliveries = !page.deliveries.isEmpty
        newestHref = before == nil ? nil : path.href()
        olderHref = page.nextBefore.map { path.href([("before", String($0))]) }
    }
}

/// One delivery's page: what was sent, every attempt, and the button that sends it again.
struct WebhookDeliveryView: PageView {
    struct AttemptLine: Sendable {
        let number: Int
        let at: String
        let result: String
        let ok: Bool
        let duration: Int
        let excerpt: String?
    }

    let shell: Shell
    let endpoint: WebhookEndpointLine
    let delivery: WebhookDeliveryLine
    let payload: String
    let attempts: [AttemptLine]
    let hasAttempts: Bool

    init(_ detail: WebhookDeliveryDetail, of endpoint: WebhookEndpoint, input: PageInput) {
        let times = input.times
        let line = WebhookEndpointLine(endpoint)
        shell = Shell(input, title: "Delivery \(detail.delivery.eventPublicID)", section: .webhooks,
                      trail: [(endpoint.url, line.href), (detail.delivery.type, nil)])
        self.endpoint = line
        delivery = WebhookDeliveryLine(detail.delivery, times: times)
        payload = Self.pretty(detail.payload)
        attempts = detail.attempts.enumerated().map { i, a in
            AttemptLine(number: i + 1, at: times.dateTime(a.at), result: a.httpStatus.map { "HTTP \($0)" } ?? (a.error ?? "No answer"),
                        ok: a.httpStatus.map { (200..<300).contains($0) } ?? false, duration: a.durationMS,
                        excerpt: a.responseExcerpt.flatMap { $0.isEmpty ? nil : $0 })
        }
        hasAttempts = !attempts.isEmpty
    }

    /// The payload indented for reading (the receiver gets the compact bytes the signature covers).
    static func pretty(_ payload: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return payload
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The page that asks before an endpoint is deleted with its deliveries.
struct WebhookDeleteView: PageView {
    let shell: Shell
    let endpoint: WebhookEndpointLine

    init(_ endpoint: WebhookEndpoint, input: PageInput) {
        let line = WebhookEndpointLine(endpoint)
        shell = Shell(input, title: "Delete endpoint", section: .webhooks, trail: [(endpoint.url, line.href), ("Delete", nil)])
        self.endpoint = line
    }
}

/// One event sent to an endpoint, in a line: its status, attempts and times, and where its page is.
struct WebhookDeliveryLine: Sendable {
    let eventID: String
    let type: String
    let status: String
    let statusClass: String
    let attempts: Int
    let created: String
    let lastAttempt: String?
    let next: String?
    let href: String
    let resendAction: String

    init(_ d: WebhookDeliveryRecord, times: PageTimes) {
        eventID = d.eventPublicID
        type = d.type
        status = d.status.label
        statusClass = WebhookEndpointLine.badge(d.status)
        attempts = d.attempts
        created = times.dateTime(d.createdAt)
        lastAttempt = d.lastAttemptAt.map(times.dateTime)
        next = d.status == .pending ? times.dateTime(d.nextAttemptAt) : nil
        href = SitePath.webhookDelivery(.id(d.endpointID), delivery: .id(d.id)).href()
        resendAction = SitePath.webhookResend(.id(d.endpointID), delivery: .id(d.id)).href()
    }
}
