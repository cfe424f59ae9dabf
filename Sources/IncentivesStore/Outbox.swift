import Foundation
import IncentivesDomain
import SQLKit

/// A message of the outbox, as the mail service takes it for delivery.
public struct OutboxMessage: Sendable, Hashable {
    public var id: Int64
    public var message: MailMessage
    public var createdAt: Date
    /// Tries so far, this one included.
    public var attempts: Int

    /// Stable per row, so every try of one message carries the same Message-ID.
    public func messageID(domain: String) -> String { "outbox-\(id)@\(domain)" }
}

/// Delivery state of an outbox message, for the claim page and for operators.
public enum OutboxStatus: String, Sendable, CaseIterable {
    case pending, sending, sent, failed
}

/// The mail outbox: emails are written here in the same transaction as the change they tell about, so
/// a change and its email both happen or neither does; the mail service then delivers each once.
///
/// Delivery takes a lease: `take` moves due messages to `sending` until `lease_until`, so two app
/// instances never take the same message; a message whose taker died is taken again after its lease.
public struct Outbox: Sendable {
    public let db: Database
    public let policy: DeliveryPolicy

    public init(db: Database, policy: DeliveryPolicy = .standard) { self.db = db; self.policy = policy }

    /// Writes a message inside the caller's transaction. Refuses an address that cannot be delivered,
    /// so a bad address fails the change that wanted the email instead of failing later, unseen.
    public static func enqueue(_ message: MailMessage, now: Date, on sql: any SQLDatabase) async throws {
        try await enqueue([message], now: now, on: sql)
    }

    /// Writes messages inside the caller's transaction, in order, with multi-row inserts; refuses them all when one
    /// address cannot be delivered (`refusal(of:)`).
    static func enqueue(_ messages: [MailMessage], now: Date, on sql: any SQLDatabase) async throws {
        if let refusal = messages.lazy.compactMap(refusal(of:)).first { throw refusal }
        for chunk in messages.chunked(columns: 9) {
            var insert = InsertRows("mail_outbox", ["kind", "to_address", "subject", "body", "claim_id", "created_at", "status", "attempts",
                                                    "next_attempt_at"], rows: chunk.count)
            for message in chunk {
                insert.values += [message.kind.rawValue, message.to.trimmingCharacters(in: .whitespaces), message.subject, message.body,
                                  message.claimID, now, "pending", 0, now] as [any StoredValue]
            }
            try await insert.run(on: sql)
        }
    }

    /// Why `enqueue` refuses the message, or nil: its address cannot be written to.
    static func refusal(of message: MailMessage) -> StoreError? {
        let to = message.to.trimmingCharacters(in: .whitespaces)
        return MailMessage.isAddress(to) ? nil : StoreError.invalid(field: "email", "\(to) is not an email address we can write to.")
    }

    /// Writes a message in a transaction of its own.
    public func enqueue(_ message: MailMessage, now: Date) async throws {
        try await db.write(changesClaims: false) { try await Self.enqueue(message, now: now, on: $0) }
    }

    /// Takes up to `limit` messages due at `now` (sending with an expired lease first, then pending and due), oldest
    /// first, and leases them for `lease`. Each taken message counts one attempt.
    public func take(now: Date, limit: Int = 20, lease: TimeInterval = 120) async throws -> [OutboxMessage] {
        try await db.write(changesClaims: false) { sql in
            let rows = try await LeasedQueue.take(
                from: "mail_outbox", alias: "mail_outbox", table: "mail_outbox",
                columns: "id, kind, to_address, subject, body, claim_id, created_at, attempts",
                // Messages whose taker died (their lease ran out) first: they were taken once already, so they have
                // waited longest as a rule; then the pending ones, oldest first.
                due: ["status = 'sending' AND lease_until <= \(bind: now)", "status = 'pending' AND next_attempt_at <= \(bind: now)"],
                order: "next_attempt_at, id", limit: limit,
                lease: "status = 'sending', attempts = attempts + 1, lease_until = \(bind: now.addingTimeInterval(lease))",
                flavor: db.flavor, on: sql)
            return try rows.map { try $0.decoded(MessageRow.self).message() }
        }
    }

    /// A `mail_outbox` row as `take` leases it.
    private struct MessageRow: Decodable {
        var id: Int64
        var kind: String
        var toAddress: String
        var subject: String
        var body: String
        var claimId: Int64?
        var createdAt: Date
        var attempts: Int

        func message() throws -> OutboxMessage {
            guard let kind = MailKind(rawValue: kind) else { throw StoreError.corrupt("Outbox message \(id) holds an unknown kind.") }
            return OutboxMessage(id: id, message: MailMessage(kind: kind, to: toAddress, subject: subject, body: body, claimID: claimId),
                                 createdAt: createdAt, attempts: attempts + 1)
        }
    }

    /// Records a delivery. Only a message still in `sending` moves, so a late report changes nothing twice.
    public func markSent(_ id: Int64, now: Date) async throws {
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("""
                UPDATE mail_outbox SET status = 'sent', sent_at = \(bind: now), lease_until = NULL, last_error = NULL
                WHERE id = \(bind: id) AND status = 'sending'
                """).run()
        }
    }

    /// Records a failed try: pending again after the policy's delay, or failed when no try is left.
    /// Returns the status the message is left in.
    @discardableResult
    public func markFailed(_ id: Int64, attempts: Int, error: String, now: Date) async throws -> OutboxStatus {
        let delay = policy.retryDelay(afterAttempt: attempts)
        let status: OutboxStatus = delay == nil ? .failed : .pending
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("""
                UPDATE mail_outbox SET status = \(bind: status.rawValue), lease_until = NULL, last_error = \(bind: String(error.prefix(1_000))),
                       next_attempt_at = \(bind: now.addingTimeInterval(delay ?? 0))
                WHERE id = \(bind: id) AND status = 'sending'
                """).run()
        }
        return status
    }

    /// The messages pending or being sent, and how long the most overdue has been due (`/metrics`).
    public func backlog(now: Date) async throws -> QueueBacklog {
        try await LeasedQueue.backlog(of: "mail_outbox", waiting: ["pending", "sending"], now: now, on: db)
    }

    /// Counts per status (for `/health`-style checks and tests).
    public func counts() async throws -> [OutboxStatus: Int] {
        try await LeasedQueue.counts(of: "mail_outbox", as: OutboxStatus.self, on: db)
    }
}
