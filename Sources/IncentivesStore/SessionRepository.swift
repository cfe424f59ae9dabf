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
/// sign-in attempts that throttles guessing.
public struct SessionRepository: Sendable {
    public let db: Database
    public let policy: SessionPolicy
    /// Whether demo accounts keep their sessions: only while the server runs in demo mode.
    public let acceptsDemoUsers: Bool

    public init(db: Database, policy: SessionPolicy = .standard, acceptsDemoUsers: Bool = false) {
        self.db = db; self.policy = policy; self.acceptsDemoUsers = acceptsDemoUsers
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
                """).first(decoding: SessionRow.self, with: .snakeCase) else { return nil }
            return (row.userId, row.csrfToken, row.createdAt, row.lastSeenAt)
        }
        guard let found else { return nil }
        guard policy.isAlive(createdAt: found.created, lastSeenAt: found.lastSeen, now: now) else {
            try await end(token: token)
            return nil
        }
        guard let viewer = try await UserRepository(db: db).viewer(found.userID, acceptsDemoUsers: acceptsDemoUsers) else { return nil }
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

    /// Deletes sessions past their idle or absolute limit, and sign-in attempts the throttle no longer reads
    /// (failures past its window, sign-ins past its trust); returns how many sessions.
    @discardableResult
    public func purge(now: Date, throttle: SignInThrottle = .standard) async throws -> Int {
        try await db.write(changesClaims: false) { sql in
            let idleCutoff = now.addingTimeInterval(-policy.idle), absoluteCutoff = now.addingTimeInterval(-policy.absolute)
            let rows = try await sql.raw("""
                DELETE FROM sessions WHERE last_seen_at <= \(bind: idleCutoff) OR created_at <= \(bind: absoluteCutoff) RETURNING user_id
                """).all()
            try await sql.raw("""
                DELETE FROM sign_in_attempts
                WHERE (outcome <> 'succeeded' AND attempted_at <= \(bind: now.addingTimeInterval(-throttle.window)))
                   OR attempted_at <= \(bind: now.addingTimeInterval(-throttle.trustedFor))
                """).run()
            // The failures of versions before migration 13 count no more.
            try await sql.raw("DELETE FROM sign_in_failures").run()
            return rows.count
        }
    }

    // MARK: Throttling

    /// What the throttle said about a sign-in attempt.
    public enum SignInAdmission: Sendable, Hashable {
        /// Check the password, then record how it went with `finishSignIn`.
        case admitted(attemptID: Int64)
        /// Not before this instant; nothing was recorded.
        case refused(until: Date)
    }

    /// Notes an attempt on `account` (the email as typed, normalized) from `address` before its password is
    /// checked, and decides by the throttle over the attempts before it, in one write transaction: concurrent
    /// attempts each see the ones admitted before them, so a burst gets no more checks than one at a time.
    /// A refused attempt is not kept (waiting it out is free; hammering gains nothing).
    public func beginSignIn(account rawAccount: String, address rawAddress: String, now: Date,
                            throttle: SignInThrottle = .standard) async throws -> SignInAdmission {
        let account = String(rawAccount.prefix(254)), address = String(rawAddress.prefix(64))
        let since = now.addingTimeInterval(-throttle.window), trustedSince = now.addingTimeInterval(-throttle.trustedFor)
        let flavor = db.flavor
        return try await db.write(changesClaims: false) { sql in
            // SQLite has one writer at a time; PostgreSQL serializes the attempts of one account and of one address.
            try await TransactionLocks.signIn(account: account, address: address, on: sql, flavor: flavor)
            let attemptID = try await sql.raw("""
                INSERT INTO sign_in_attempts (account, address, attempted_at, outcome)
                VALUES (\(bind: account), \(bind: address), \(bind: now), 'pending') RETURNING id
                """).first(decodingColumn: "id", as: Int64.self)!
            var history = try await Self.attempts(sql, """
                WHERE account = \(bind: account) AND attempted_at > \(bind: since) AND id <> \(bind: attemptID)
                """)
            history += try await Self.attempts(sql, """
                WHERE address = \(bind: address) AND account <> \(bind: account) AND attempted_at > \(bind: since)
                """)
            // The pair's last sign-in, which may be older than the window: it makes the address the owner's.
            history += try await Self.attempts(sql, """
                WHERE account = \(bind: account) AND address = \(bind: address) AND outcome = 'succeeded'
                  AND attempted_at > \(bind: trustedSince) AND attempted_at <= \(bind: since)
                ORDER BY attempted_at DESC LIMIT 1
                """)
            if let until = throttle.notBefore(account: account, address: address, history: history, now: now) {
                try await sql.raw("DELETE FROM sign_in_attempts WHERE id = \(bind: attemptID)").run()
                return .refused(until: until)
            }
            return .admitted(attemptID: attemptID)
        }
    }

    /// Records how an admitted attempt went.
    public func finishSignIn(attemptID: Int64, succeeded: Bool) async throws {
        let outcome: SignInAttempt.Outcome = succeeded ? .succeeded : .failed
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("UPDATE sign_in_attempts SET outcome = \(bind: outcome.rawValue) WHERE id = \(bind: attemptID)").run()
        }
    }

    static func attempts(_ sql: any SQLDatabase, _ condition: SQLQueryString) async throws -> [SignInAttempt] {
        var query: SQLQueryString = "SELECT account, address, attempted_at, outcome FROM sign_in_attempts "
        query.appendInterpolation(condition)
        return try await sql.raw(query).all(decoding: AttemptRow.self, with: .snakeCase).map(\.attempt)
    }

    /// A `sessions` row: whose it is, its CSRF token and its times.
    private struct SessionRow: Decodable {
        var userId: Int64
        var csrfToken: String
        var createdAt: Date
        var lastSeenAt: Date
    }

    /// A `sign_in_attempts` row.
    private struct AttemptRow: Decodable {
        var account: String
        var address: String
        var attemptedAt: Date
        var outcome: String

        var attempt: SignInAttempt {
            SignInAttempt(account: account, address: address, at: attemptedAt, outcome: SignInAttempt.Outcome(rawValue: outcome) ?? .failed)
        }
    }
}
