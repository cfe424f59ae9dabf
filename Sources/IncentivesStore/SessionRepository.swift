import Foundation
import IncentivesDomain
import SQLKit

/// A live session: whose it is and the token its forms must carry.
public struct SessionRecord: Sendable, Hashable {
    public var viewer: Viewer
    public var csrfToken: String
    public var createdAt: Date
}

/// Sessions in the database, so several app instances on one PostgreSQL share them; and the record of
/// failed sign-ins that throttles guessing.
public struct SessionRepository: Sendable {
    public let db: Database
    public let policy: SessionPolicy

    public init(db: Database, policy: SessionPolicy = .standard, acceptsDemoUsers: Bool = false) {
        self.db = db; self.policy = policy
    }

    /// Starts a session; returns the cookie's secret (stored only as a hash) and the session's CSRF token.
    public func start(userID: Int64, address: String, userAgent: String, now: Date) async throws -> (token: String, csrfToken: String) {
        let token = Secret.make(), csrf = Secret.make()
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("""
                INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, address, user_agent)
                VALUES (\(bind: Secret.hash(token)), \(bind: userID), \(bind: csrf), \(bind: now), \(bind: now),
                        \(bind: String(address.prefix(64))), \(bind: String(userAgent.prefix(256))))
                """).run()
        }
        return (token, csrf)
    }

    /// The session behind a cookie, if alive at `now`; notes the visit (at most once per `touchEvery`).
    /// A dead session is deleted on sight.
    public func resume(token: String, now: Date) async throws -> SessionRecord? {
        let hash = Secret.hash(token)
        let found: (userID: Int64, csrf: String, created: Date, lastSeen: Date)? = try await db.read { sql in
            guard let row = try await sql.raw("""
                SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE token_hash = \(bind: hash)
                """).first() else { return nil }
            return (try row.decode(column: "user_id", as: Int64.self), try row.decode(column: "csrf_token", as: String.self),
                    try row.decode(column: "created_at", as: Date.self), try row.decode(column: "last_seen_at", as: Date.self))
        }
        guard let found else { return nil }
        guard policy.isAlive(createdAt: found.created, lastSeenAt: found.lastSeen, now: now) else {
            try await end(token: token)
            return nil
        }
        guard let viewer = try await UserRepository(db: db).viewer(found.userID) else { return nil }
        if now.timeIntervalSince(found.lastSeen) >= policy.touchEvery {
            try await db.write(changesClaims: false) { sql in
                try await sql.raw("UPDATE sessions SET last_seen_at = \(bind: now) WHERE token_hash = \(bind: hash)").run()
            }
        }
        return SessionRecord(viewer: viewer, csrfToken: found.csrf, createdAt: found.created)
    }

    /// Ends one session (sign-out). Ending an unknown session is not an error.
    public func end(token: String) async throws {
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("DELETE FROM sessions WHERE token_hash = \(bind: Secret.hash(token))").run()
        }
    }

    /// Deletes sessions past their idle or absolute limit, and failures too old to count; returns how many sessions.
    @discardableResult
    public func purge(now: Date, throttle: SignInThrottle = .standard) async throws -> Int {
        try await db.write(changesClaims: false) { sql in
            let idleCutoff = now.addingTimeInterval(-policy.idle), absoluteCutoff = now.addingTimeInterval(-policy.absolute)
            let rows = try await sql.raw("""
                DELETE FROM sessions WHERE last_seen_at <= \(bind: idleCutoff) OR created_at <= \(bind: absoluteCutoff) RETURNING user_id
                """).all()
            try await sql.raw("DELETE FROM sign_in_failures WHERE failed_at <= \(bind: now.addingTimeInterval(-throttle.window))").run()
            return rows.count
        }
    }

    // MARK: Throttling

    /// Failed sign-ins within the throttle's window for an account (email as typed, normalized) and an address.
    public func recentFailures(account: String, address: String, now: Date, window: TimeInterval) async throws -> (account: [Date], address: [Date]) {
        let since = now.addingTimeInterval(-window)
        return try await db.read { sql in
            let byAccount = try await sql.raw("""
                SELECT failed_at FROM sign_in_failures WHERE account = \(bind: account) AND failed_at > \(bind: since) ORDER BY failed_at
                """).all().map { try $0.decode(column: "failed_at", as: Date.self) }
            let byAddress = try await sql.raw("""
                SELECT failed_at FROM sign_in_failures WHERE address = \(bind: address) AND failed_at > \(bind: since) ORDER BY failed_at
                """).all().map { try $0.decode(column: "failed_at", as: Date.self) }
            return (byAccount, byAddress)
        }
    }

    public func recordFailure(account: String, address: String, now: Date) async throws {
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("""
                INSERT INTO sign_in_failures (account, address, failed_at) VALUES (\(bind: String(account.prefix(254))), \(bind: String(address.prefix(64))), \(bind: now))
                """).run()
        }
    }

    /// A successful sign-in forgives the account's failures (not the address's).
    public func clearFailures(account: String) async throws {
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("DELETE FROM sign_in_failures WHERE account = \(bind: account)").run()
        }
    }
}
