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

    /// Events of history rows: `claim.created` for a new claim, `claim.status_changed` for a row that moved it.
    static func history(_ entries: [ClaimHistoryEntry], on sql: any SQLDatabase) async throws {
        for entry in entries {
            if entry.action == .create {
                try await publish(.claimCreated, claimID: entry.claimID, at: entry.at, on: sql) {
                    Change(claim: $0, previousStatus: nil, action: entry.action.rawValue, actor: Actor(entry.actor))
                }
            } else if let from = entry.from, from != entry.to {
                try await publish(.claimStatusChanged, claimID: entry.claimID, at: entry.at, on: sql) {
                    Change(claim: $0, previousStatus: from.rawValue, action: entry.action.rawValue, actor: Actor(entry.actor))
                }
            }
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
    /// Nothing is written, and the claim is not read, when none listens.
    static func publish<Payload: Encodable>(_ type: WebhookEventType, claimID: Int64, at now: Date, on sql: any SQLDatabase,
                                           data: (ClaimJSON) -> Payload) async throws {
        let rows = try await sql.raw("""
            SELECT e.id, c.organization_id, c.location_id FROM webhook_endpoint_events t
            JOIN webhook_endpoints e ON e.id = t.endpoint_id
            JOIN claims c ON c.id = \(bind: claimID)
            WHERE t.event_type = \(bind: type.rawValue)
              AND (e.organization_id IS NULL OR (e.organization_id = c.organization_id AND EXISTS (
                SELECT 1 FROM webhook_endpoint_locations wl WHERE wl.endpoint_id = e.id AND wl.location_id = c.location_id)))
            ORDER BY e.id
            """).all(decoding: ListenerRow.self, with: .snakeCase)
        guard let first = rows.first else { return }
        guard let claim = try await ClaimJSON.load(ids: [claimID], on: sql).first else { return }
        try await WebhookEvents.insert(type, organizationID: first.organizationId, locationID: first.locationId, data: data(claim),
                                       endpoints: rows.map(\.id), now: now, on: sql)
    }

    /// An endpoint listening for an event, with the claim's organization and location (the same on every row).
    private struct ListenerRow: Decodable {
        var id: Int64
        var organizationId: Int64
        var locationId: Int64
    }
}
