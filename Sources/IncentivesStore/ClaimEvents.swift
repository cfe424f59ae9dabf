import Foundation
import IncentivesDomain
import SQLKit

/// The webhook events of claims, written in the transaction of the change: a history row (created, every status
/// change: partner, reviewer, customer and clock), an earning, a comment, a deadline reminder. `data.claim` is the
/// shared `ClaimJSON` as it stands after the change.
enum ClaimEvents {
    struct Actor: Encodable {
        let role: String
        let name: String
        init(_ actor: IncentivesDomain.Actor) { role = actor.role.rawValue; name = actor.name }
    }

    /// `claim.created` and `claim.status_changed`.
    struct Change: Encodable {
        let claim: ClaimJSON
        let previousStatus: String?
        let action: String
        let actor: Actor

        enum CodingKeys: String, CodingKey { case claim, previousStatus = "previous_status", action, actor }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(claim, forKey: .claim)
            try c.encode(previousStatus, forKey: .previousStatus)
            try c.encode(action, forKey: .action)
            try c.encode(actor, forKey: .actor)
        }
    }

    struct Comment: Encodable {
        struct Body: Encodable { let at: Date; let author: String; let side: String; let body: String }
        let claim: ClaimJSON
        let comment: Body
    }

    struct EarningData: Encodable {
        struct Body: Encodable {
            let earning: Earning
            enum CodingKeys: String, CodingKey {
                case claimID = "claim_id", locationID = "location_id", engagementID = "engagement_id"
                case engagementVersion = "engagement_version", market, rate, hours, amount, approvedAt = "approved_at"
                case estimatedPaymentMonth = "estimated_payment_month", paymentStatus = "payment_status"
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(earning.claimID, forKey: .claimID)
                try c.encode(earning.locationID, forKey: .locationID)
                try c.encode(earning.engagementID, forKey: .engagementID)
                try c.encode(earning.engagementVersion, forKey: .engagementVersion)
                try c.encode(earning.market.rawValue, forKey: .market)
                try c.encode(ClaimJSON.Amount(earning.rate), forKey: .rate)
                try c.encode(earning.hours.map { "\($0)" }, forKey: .hours)
                try c.encode(ClaimJSON.Amount(earning.amount), forKey: .amount)
                try c.encode(earning.approvedAt, forKey: .approvedAt)
                try c.encode(earning.estimatedPaymentMonth, forKey: .estimatedPaymentMonth)
                try c.encode(earning.paymentStatus.rawValue, forKey: .paymentStatus)
            }
        }
        let claim: ClaimJSON
        let earning: Body
    }

    struct Deadline: Encodable {
        struct Body: Encodable {
            let kind: String
            let dueAt: Date
            let expiresClaim: Bool
            let daysBefore: Int
            enum CodingKeys: String, CodingKey { case kind, dueAt = "due_at", expiresClaim = "expires_claim", daysBefore = "days_before" }
        }
        let claim: ClaimJSON
        let deadline: Body
    }

    /// Events of history rows: `claim.created` for a new claim, `claim.status_changed` for a row that moved it; in the
    /// entries' order, with one read of the listeners and of the claims however many entries there are.
    static func history(_ entries: [ClaimHistoryEntry], on sql: any SQLDatabase) async throws {
        let moves = entries.filter { $0.action == .create || ($0.from != nil && $0.from != $0.to) }
        let events = moves.map { (type: $0.action == .create ? WebhookEventType.claimCreated : .claimStatusChanged, claimID: $0.claimID, at: $0.at) }
        try await publish(events, on: sql) { index, claim in
            let entry = moves[index]
            return Change(claim: claim, previousStatus: entry.action == .create ? nil : entry.from?.rawValue, action: entry.action.rawValue,
                          actor: Actor(entry.actor))
        }
    }

    static func earning(_ earning: Earning, at now: Date, on sql: any SQLDatabase) async throws {
        try await publish(.earningCreated, claimID: earning.claimID, at: now, on: sql) {
            EarningData(claim: $0, earning: .init(earning: earning))
        }
    }

    static func comment(on claimID: Int64, by actor: IncentivesDomain.Actor, body: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await publish(.claimCommentAdded, claimID: claimID, at: now, on: sql) {
            Comment(claim: $0, comment: .init(at: now, author: actor.name, side: actor.role.side.rawValue, body: body))
        }
    }

    static func deadline(claimID: Int64, kind: DeadlineKind, due: Date, reminder: DeadlineReminder, at now: Date,
                         on sql: any SQLDatabase) async throws {
        try await publish(.claimDeadlineApproaching, claimID: claimID, at: now, on: sql) {
            Deadline(claim: $0, deadline: .init(kind: kind.rawValue, dueAt: due, expiresClaim: $0.nextDeadline?.expiresClaim ?? true,
                                                daysBefore: reminder.days))
        }
    }

    /// One event for every endpoint subscribed to `type` that takes the claim's location (a partner endpoint takes
    /// its creator's Incentives-admin locations), and for the vendor's (disabled ones too: their deliveries wait).
    /// Nothing is written when none listens, and the claim is not read when no endpoint at all takes `type`.
    static func publish<Payload: Encodable>(_ type: WebhookEventType, claimID: Int64, at now: Date, on sql: any SQLDatabase,
                                           data: (ClaimJSON) -> Payload) async throws {
        try await publish([(type, claimID, now)], on: sql) { _, claim in data(claim) }
    }

    /// `publish` for many events at once, written in the order given; `data` is given each one's index and claim.
    static func publish<Payload: Encodable>(_ events: [(type: WebhookEventType, claimID: Int64, at: Date)], on sql: any SQLDatabase,
                                           data: (Int, ClaimJSON) -> Payload) async throws {
        guard !events.isEmpty else { return }
        let listeners = try await listeners(of: Set(events.map(\.type)), on: sql)
        guard !listeners.isEmpty else { return }
        var claims: [Int64: ClaimJSON] = [:]
        for chunk in Array(Set(events.map(\.claimID))).sorted().chunked(columns: 1) {
            for claim in try await ClaimJSON.load(ids: Array(chunk), on: sql) { claims[claim.id] = claim }
        }
        var pending: [WebhookEvents.Pending] = []
        for (index, event) in events.enumerated() {
            guard let claim = claims[event.claimID] else { continue }
            let endpoints = listeners.filter { $0.type == event.type && $0.takes(claim) }.map(\.endpoint)
            guard !endpoints.isEmpty else { continue }
            pending.append(try WebhookEvents.Pending(event.type, organizationID: claim.organizationID, locationID: claim.locationID,
                                                     data: data(index, claim), endpoints: endpoints, now: event.at))
        }
        try await WebhookEvents.insert(pending, on: sql)
    }

    /// The endpoints subscribed to any of `types`, in id order, with the locations a partner endpoint takes.
    private static func listeners(of types: Set<WebhookEventType>, on sql: any SQLDatabase) async throws -> [Listener] {
        let rows = try await sql.raw("""
            SELECT t.event_type, e.id, e.organization_id, wl.location_id FROM webhook_endpoint_events t
            JOIN webhook_endpoints e ON e.id = t.endpoint_id
            LEFT JOIN webhook_endpoint_locations wl ON wl.endpoint_id = e.id AND e.organization_id IS NOT NULL
            WHERE t.event_type IN (\(binds: types.map(\.rawValue).sorted()))
            ORDER BY e.id
            """).all(decoding: ListenerRow.self, with: .snakeCase)
        var listeners: [Listener] = []
        for row in rows {
            guard let type = WebhookEventType(rawValue: row.eventType) else { continue }
            if let i = listeners.lastIndex(where: { $0.endpoint == row.id && $0.type == type }) {
                if let location = row.locationId { listeners[i].locations.insert(location) }
            } else {
                listeners.append(Listener(type: type, endpoint: row.id, organization: row.organizationId,
                                          locations: Set(row.locationId.map { [$0] } ?? [])))
            }
        }
        return listeners
    }

    /// An endpoint listening for an event type: the vendor's (no organization) takes every claim, a partner's the claims
    /// of its organization at its locations.
    private struct Listener {
        let type: WebhookEventType
        let endpoint: Int64
        let organization: Int64?
        var locations: Set<Int64>

        func takes(_ claim: ClaimJSON) -> Bool {
            guard let organization else { return true }
            return organization == claim.organizationID && locations.contains(claim.locationID)
        }
    }

    /// A subscription of an endpoint, with one of its locations (none for the vendor's).
    private struct ListenerRow: Decodable {
        var eventType: String
        var id: Int64
        var organizationId: Int64?
        var locationId: Int64?
    }
}
