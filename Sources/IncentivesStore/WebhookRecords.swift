import Crypto
import Foundation
import IncentivesDomain
import SQLKit

/// Whose webhook endpoints a caller works with: a partner user's, or the vendor's own (organization NULL).
public enum WebhookOwner: Hashable, Sendable {
    /// A partner user: `locations` are those where they are Incentives admin (`Viewer.webhookLocations`). They see
    /// the organization's endpoints whose locations all lie among these, and an endpoint they add takes these.
    case partner(organizationID: Int64, locations: Set<Int64>)
    case vendor

    /// The owner a signed-in user acts as.
    public init(_ viewer: Viewer) {
        // Spelled out: the `Optional.map` form crashed the release build's ownership verifier (Swift 6.3.1).
        switch viewer.membership {
        case .partner(let organization, _): self = .partner(organizationID: organization, locations: viewer.webhookLocations)
        case .vendor: self = .vendor
        }
    }

    var organizationID: Int64? {
        if case .partner(let id, _) = self { id } else { nil }
    }

    /// Scopes an endpoint query (alias `e`) to the owner, in the repository itself (DESIGN rule): one location of
    /// the endpoint outside the caller's is enough to hide it.
    var filter: SQLQueryString {
        switch self {
        case .partner(let id, let locations):
            let outside: SQLQueryString = locations.isEmpty ? "" : " AND wl.location_id NOT IN (\(AccessScope.bindList(locations)))"
            return """
                e.organization_id = \(bind: id) AND NOT EXISTS (
                  SELECT 1 FROM webhook_endpoint_locations wl WHERE wl.endpoint_id = e.id\(outside))
                """
        case .vendor: return "e.organization_id IS NULL"
        }
    }

    /// Scopes a delivery query (event alias `ev`): a partner reads the events of its own locations and test events,
    /// never another location's (an endpoint may hold deliveries from before endpoints had locations).
    var eventFilter: SQLQueryString {
        switch self {
        case .partner(_, let locations):
            let own: SQLQueryString = locations.isEmpty ? "" : " OR ev.location_id IN (\(AccessScope.bindList(locations)))"
            return "((ev.location_id IS NULL AND ev.type = \(bind: WebhookEventType.webhookPing.rawValue))\(own))"
        case .vendor: return "1 = 1"
        }
    }
}

/// A registered receiver of events, as the settings pages show it (never its secret).
public struct WebhookEndpoint: Sendable, Hashable {
    public var id: Int64
    public var organizationID: Int64?
    public var url: String
    public var description: String
    public var events: [WebhookEventType]
    /// The names of the locations whose events it takes (empty for the vendor's, which take every organization's).
    public var locations: [String]
    public var enabled: Bool
    public var createdAt: Date
    /// Until when the secret before the last rotation still signs too.
    public var previousSecretUntil: Date?
    /// The newest delivery's status, nil when nothing was ever sent.
    public var lastStatus: WebhookDeliveryStatus?
}

/// One event to one endpoint, as the endpoint page lists it.
public struct WebhookDeliveryRecord: Sendable, Hashable {
    public var id: Int64
    public var endpointID: Int64
    public var eventPublicID: String
    public var type: String
    public var status: WebhookDeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    public var createdAt: Date
    public var lastAttemptAt: Date?
}

/// One try at sending a delivery.
public struct WebhookAttempt: Sendable, Hashable {
    public var at: Date
    public var httpStatus: Int?
    public var error: String?
    public var durationMS: Int
    public var responseExcerpt: String?
}

/// A delivery with the exact body it sends and every attempt, oldest first.
public struct WebhookDeliveryDetail: Sendable, Hashable {
    public var delivery: WebhookDeliveryRecord
    public var payload: String
    public var attempts: [WebhookAttempt]
}

/// A keyset page of an endpoint's deliveries, newest first.
public struct WebhookDeliveryPage: Sendable, Hashable {
    public var deliveries: [WebhookDeliveryRecord]
    /// The id to pass as `before` for the next (older) page; nil on the last page.
    public var nextBefore: Int64?
}

/// A delivery taken by the delivery service: what to send, where, and the secrets that sign it.
public struct WebhookSend: Sendable, Hashable {
    public var deliveryID: Int64
    public var url: String
    public var eventPublicID: String
    public var payload: String
    /// The current secret, then the previous one while its rotation window lasts.
    public var secrets: [String]
    /// This attempt's number, 1-based.
    public var attempt: Int
    /// Why it must not be sent, decided when it was taken (`WebhookDeliveryScope`); nil when it may go.
    public var refusal: String?
}

/// What came of one attempt.
public enum WebhookAttemptOutcome: Sendable, Hashable {
    case response(status: Int, excerpt: String)
    case error(String)
    /// Not sent, and never to be tried again by itself: no longer allowed (scope, address policy).
    case refused(String)

    public var succeeded: Bool {
        if case .response(let status, _) = self { (200..<300).contains(status) } else { false }
    }
}

/// Signatures of webhook requests: `Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
/// `"<t>.<body>"`, keyed with the endpoint secret's UTF-8 bytes (the whole `whsec_...` string); one `v1=` per
/// secret in force, so a receiver keeps working through a rotation.
public enum WebhookSignature {
    public static func v1(timestamp: Int, body: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    public static func header(timestamp: Int, body: String, secrets: [String]) -> String {
        (["t=\(timestamp)"] + secrets.map { "v1=" + v1(timestamp: timestamp, body: body, secret: $0) }).joined(separator: ",")
    }

    /// A new endpoint secret: `whsec_` and 32 random bytes, base64url.
    public static func newSecret() -> String { "whsec_" + Secret.make() }
}

/// Webhook events, written in the same transaction as the change they tell about (like the mail outbox),
/// one delivery per listening endpoint; the delivery service sends them. Claim events: `ClaimEvents`.
public enum WebhookEvents {
    /// The API's encoder: the same dates and keys as `ClaimJSON` everywhere.
    static let encoder = ClaimJSON.makeEncoder()

    struct Envelope<Payload: Encodable>: Encodable {
        let id: String
        let type: String
        let created_at: Date
        let data: Payload
    }

    /// The event row and its deliveries, due now. Returns the delivery ids.
    @discardableResult
    static func insert<Payload: Encodable>(_ type: WebhookEventType, organizationID: Int64?, locationID: Int64?, data: Payload,
                                          endpoints: [Int64], now: Date, on sql: any SQLDatabase) async throws -> [Int64] {
        let event = try Pending(type, organizationID: organizationID, locationID: locationID, data: data, endpoints: endpoints, now: now)
        return try await insert([event], on: sql).first ?? []
    }

    /// An event ready to be written: its body encoded once, with the public id it carries.
    struct Pending {
        let publicID: String
        let type: WebhookEventType
        let organizationID: Int64?
        let locationID: Int64?
        let payload: String
        let endpoints: [Int64]
        let now: Date

        init<Payload: Encodable>(_ type: WebhookEventType, organizationID: Int64?, locationID: Int64?, data: Payload,
                                 endpoints: [Int64], now: Date) throws {
            publicID = "evt_" + Secret.make()
            // Whole seconds, as every date of the API: the stored body is sent byte for byte on each attempt.
            let created = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            payload = String(decoding: try encoder.encode(Envelope(id: publicID, type: type.rawValue, created_at: created, data: data)),
                             as: UTF8.self)
            self.type = type; self.organizationID = organizationID; self.locationID = locationID
            self.endpoints = endpoints; self.now = now
        }
    }

    /// Event rows in order, then their deliveries in order (ids ascending as if written one event at a time), with
    /// multi-row inserts. Returns each event's delivery ids.
    @discardableResult
    static func insert(_ events: [Pending], on sql: any SQLDatabase) async throws -> [[Int64]] {
        var eventIDs: [String: Int64] = [:]
        for chunk in events.chunked(columns: 6) {
            let insert = sql.insert(into: "webhook_events").columns("public_id", "type", "organization_id", "location_id", "payload", "created_at")
            for e in chunk {
                insert.values([SQLBind(e.publicID), SQLBind(e.type.rawValue), SQLBind(e.organizationID), SQLBind(e.locationID),
                               SQLBind(e.payload), SQLBind(e.now)])
            }
            for row in try await insert.returning("id", "public_id").all() {
                eventIDs[try row.decode(column: "public_id", as: String.self)] = try row.decode(column: "id", as: Int64.self)
            }
        }
        var deliveries: [(event: Int64, endpoint: Int64, now: Date)] = []
        for e in events {
            guard let id = eventIDs[e.publicID] else { throw StoreError.corrupt("The database did not return the new webhook event's id.") }
            deliveries += e.endpoints.map { (id, $0, e.now) }
        }
        var written: [Int64: [Int64]] = [:]
        for chunk in deliveries.chunked(columns: 6) {
            let insert = sql.insert(into: "webhook_deliveries")
                .columns("event_id", "endpoint_id", "status", "attempts", "next_attempt_at", "created_at")
            for d in chunk { insert.values([SQLBind(d.event), SQLBind(d.endpoint), SQLBind("pending"), SQLBind(0), SQLBind(d.now), SQLBind(d.now)]) }
            for row in try await insert.returning("id", "event_id").all() {
                written[try row.decode(column: "event_id", as: Int64.self), default: []].append(try row.decode(column: "id", as: Int64.self))
            }
        }
        return events.map { e in (written[eventIDs[e.publicID] ?? 0] ?? []).sorted() }
    }
}

