import Foundation
import IncentivesDomain
import SQLKit

/// A user's private calendar address: its secret, when it was made and last renewed.
public struct CalendarAddress: Sendable, Hashable {
    public var secret: String
    public var createdAt: Date
    public var renewedAt: Date?
}

/// Calendar feeds (migration 25): each user's private address, and the open deadlines a feed lists.
///
/// The secret is 256 random bits, derived from nothing. It is kept as it is, so the settings page can show the address
/// again (people add one calendar on several devices): it lets its holder read only deadlines this database holds, so
/// whoever can read the stored copy can already read more than the feed. Renewing replaces it at once.
public struct CalendarFeeds: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// The user's address, if they have made one.
    public func address(of userID: Int64) async throws -> CalendarAddress? {
        try await db.read { sql in
            try await sql.raw("SELECT secret, created_at, renewed_at FROM calendar_feeds WHERE user_id = \(bind: userID)")
                .first(decoding: AddressRow.self, with: .snakeCase)?.address
        }
    }

    /// Makes the user's address, or replaces it with a new one: the old one answers 404 from this moment.
    @discardableResult
    public func renew(for userID: Int64, now: Date) async throws -> CalendarAddress {
        let secret = Secret.make()
        return try await db.write(changesClaims: false) { sql in
            guard try await sql.raw("SELECT id FROM users WHERE id = \(bind: userID)").first() != nil else {
                throw StoreError.notFound("No such user.")
            }
            let row = try await sql.raw("""
                INSERT INTO calendar_feeds (user_id, secret, secret_hash, created_at)
                VALUES (\(bind: userID), \(bind: secret), \(bind: Secret.hash(secret)), \(bind: now))
                ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, secret_hash = excluded.secret_hash, renewed_at = \(bind: now)
                RETURNING secret, created_at, renewed_at
                """).first(decoding: AddressRow.self, with: .snakeCase)
            guard let row else { throw StoreError.corrupt("The calendar address could not be stored.") }
            return row.address
        }
    }

    /// Whether text has the shape of a secret (43 base64url characters), checked before anything is hashed or read.
    public static func looksLikeSecret(_ text: String) -> Bool {
        text.utf8.count == 43 && text.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95
        }
    }

    /// The user whose address holds this secret, or nil. Found by the secret's hash (so the index's timing tells nothing
    /// of the secret), then compared in constant time.
    public func owner(of secret: String) async throws -> Int64? {
        guard Self.looksLikeSecret(secret) else { return nil }
        let row = try await db.read { sql in
            try await sql.raw("SELECT user_id, secret FROM calendar_feeds WHERE secret_hash = \(bind: Secret.hash(secret))")
                .first(decoding: OwnerRow.self, with: .snakeCase)
        }
        guard let row, Secret.constantTimeEquals(row.secret, secret) else { return nil }
        return row.userId
    }

    /// The open deadlines the scope sees, soonest first: those of claims with a running clock, due from `from` on, at
    /// most `limit`. One query, on the claims' `(organization_id, due_at)` or `(due_at)` index.
    public func deadlines(in scope: AccessScope, from: Date, limit: Int = CalendarFeed.limit) async throws -> [CalendarDeadline] {
        try await db.read { sql in
            try await sql.raw(Self.deadlinesQuery(in: scope, from: from, limit: limit)).all(decoding: DeadlineRow.self, with: .snakeCase)
                .compactMap(\.deadline)
        }
    }

    static func deadlinesQuery(in scope: AccessScope, from: Date, limit: Int) -> SQLQueryString {
        """
        SELECT c.id, c.name, c.status, c.due_at, c.due_kind, c.expires_at, c.version, c.updated_at,
               cu.name AS customer_name, e.name AS engagement_name, l.name AS location_name, o.name AS organization_name
        FROM claims c
        JOIN customers cu ON cu.id = c.customer_id
        JOIN engagements e ON e.id = c.engagement_id
        JOIN locations l ON l.id = c.location_id
        JOIN organizations o ON o.id = c.organization_id
        WHERE c.due_at IS NOT NULL AND c.due_at >= \(bind: from) AND \(scope.claimFilter("c"))
        ORDER BY c.due_at, c.id LIMIT \(bind: max(1, limit))
        """
    }

    private struct AddressRow: Decodable {
        var secret: String
        var createdAt: Date
        var renewedAt: Date?

        var address: CalendarAddress { CalendarAddress(secret: secret, createdAt: createdAt, renewedAt: renewedAt) }
    }

    private struct OwnerRow: Decodable {
        var userId: Int64
        var secret: String
    }

    private struct DeadlineRow: Decodable {
        var id: Int64
        var name: String
        var status: String
        var dueAt: Date
        var dueKind: String?
        var expiresAt: Date?
        var version: Int
        var updatedAt: Date
        var customerName: String
        var engagementName: String
        var locationName: String
        var organizationName: String

        /// Nil for a row whose codes this version does not know (never written by it).
        var deadline: CalendarDeadline? {
            guard let status = ClaimStatus(rawValue: status), let kind = dueKind.flatMap(DeadlineKind.init(rawValue:)) else { return nil }
            return CalendarDeadline(claimID: id, claimName: name, kind: kind, status: status, dueAt: dueAt, expires: expiresAt != nil,
                                    customerName: customerName, engagementName: engagementName, locationName: locationName,
                                    organizationName: organizationName, version: version, updatedAt: updatedAt)
        }
    }
}
