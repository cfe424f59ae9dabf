import Foundation
import IncentivesDomain
import SQLKit

/// What a personal API token may do: read only, or also change things (every POST).
public enum APITokenScope: String, CaseIterable, Sendable, Codable {
    case read, write

    public var label: String {
        switch self {
        case .read: "Read"
        case .write: "Read and write"
        }
    }
}

/// A personal API token as listed: never the secret, only its first characters.
public struct APITokenRecord: Sendable, Hashable {
    public var id: Int64
    public var userID: Int64
    public var name: String
    /// `pi_` and the secret's first characters, to tell tokens apart.
    public var prefix: String
    public var scope: APITokenScope
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
}

/// The person an API request acts for: the token and its user, with the user's roles and locations.
public struct APICaller: Sendable, Hashable {
    public var token: APITokenRecord
    public var viewer: Viewer
}

/// What an `Idempotency-Key` says about a POST about to run.
public enum IdempotencyClaim: Sendable, Hashable {
    /// First time: run it, then `finish` (or `abandon`) the key.
    case fresh
    /// Done before with the same body: send back this response, change nothing.
    case replay(StoredResponse)
    /// The key was used with another body.
    case mismatch
    /// The first request with the key is still running.
    case inFlight
}

/// A response kept for an idempotency key.
public struct StoredResponse: Sendable, Hashable {
    public var status: Int
    public var contentType: String?
    /// Headers worth repeating (ETag, Location), as name and value.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, contentType: String?, headers: [String: String], body: [UInt8]) {
        self.status = status; self.contentType = contentType; self.headers = headers; self.body = body
    }
}

/// Personal API tokens (shown once, stored as SHA-256) and the idempotency keys of their POSTs.
public struct APITokenRepository: Sendable {
    public let db: Database
    /// How long an idempotency key holds its response.
    public static let idempotencyWindow: TimeInterval = 24 * 3600
    /// A token's last use is written at most this often, so reads stay reads.
    public static let touchEvery: TimeInterval = 60
    /// A key whose first request has not finished after this long is taken as abandoned (POSTs take seconds).
    public static let inFlightLimit: TimeInterval = 5 * 60
    static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// Whether demo accounts' tokens work: only while the server runs in demo mode.
    public let acceptsDemoUsers: Bool

    public init(db: Database, acceptsDemoUsers: Bool = false) { self.db = db; self.acceptsDemoUsers = acceptsDemoUsers }

    /// A new secret: `pi_` and 24 base62 characters (142 random bits).
    public static func makeSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "pi_" + String((0..<24).map { _ in base62[Int.random(in: 0..<62, using: &generator)] })
    }

    /// Whether text has the shape of a token (checked before hashing anything a client sends).
    public static func looksLikeToken(_ text: String) -> Bool {
        text.hasPrefix("pi_") && (22...64).contains(text.utf8.count - 3) && text.utf8.dropFirst(3).allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122)
        }
    }

    /// Creates a token for a user; returns its record and the secret, which is not kept and can't be shown again.
    public func create(userID: Int64, name rawName: String, scope: APITokenScope, now: Date) async throws -> (APITokenRecord, String) {
        let name: String
        do throws(InputRefusal) { name = try TextRule.tokenName.check(rawName, field: "name") } catch {
            throw StoreError.invalid(field: "name", error.message)
        }
        let secret = Self.makeSecret()
        let prefix = String(secret.prefix(9))
        let id = try await db.write(changesClaims: false) { sql in
            guard try await sql.raw("SELECT id FROM users WHERE id = \(bind: userID)").first() != nil else {
                throw StoreError.notFound("No such user.")
            }
            return try await sql.raw("""
                INSERT INTO api_tokens (user_id, name, prefix, token_hash, scope, created_at)
                VALUES (\(bind: userID), \(bind: name), \(bind: prefix), \(bind: Secret.hash(secret)), \(bind: scope.rawValue), \(bind: now))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self)!
        }
        return (APITokenRecord(id: id, userID: userID, name: name, prefix: prefix, scope: scope, createdAt: now), secret)
    }

    /// A user's tokens, newest first, revoked ones included (they say when).
    public func list(userID: Int64) async throws -> [APITokenRecord] {
        try await db.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM api_tokens WHERE user_id = \(bind: userID) ORDER BY id DESC")
                .all(decoding: TokenRow.self, with: .snakeCase).map(\.record)
        }
    }

    /// One token, by id; with `userID`, only that user's (a foreign id looks missing).
    public func find(_ id: Int64, userID: Int64? = nil) async throws -> APITokenRecord? {
        try await db.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM api_tokens WHERE id = \(bind: id)")
                .first(decoding: TokenRow.self, with: .snakeCase)?.record
        }.flatMap { token in userID.map { $0 == token.userID ? token : nil } ?? token }
    }

    /// Revokes a token at once; with `userID`, only that user's. Revoking a revoked token changes nothing.
    public func revoke(_ id: Int64, userID: Int64? = nil, now: Date) async throws {
        guard try await find(id, userID: userID) != nil else { throw StoreError.notFound("No such token.") }
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("UPDATE api_tokens SET revoked_at = \(bind: now) WHERE id = \(bind: id) AND revoked_at IS NULL").run()
        }
    }

    /// The caller behind a secret: a live token and its user. Notes the use at most once a minute.
    public func authenticate(_ secret: String, now: Date) async throws -> APICaller? {
        guard Self.looksLikeToken(secret) else { return nil }
        let hash = Secret.hash(secret)
        let token = try await db.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM api_tokens WHERE token_hash = \(bind: hash) AND revoked_at IS NULL")
                .first(decoding: TokenRow.self, with: .snakeCase)?.record
        }
        guard let token, let viewer = try await UserRepository(db: db).viewer(token.userID, acceptsDemoUsers: acceptsDemoUsers) else { return nil }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.touchEvery }) ?? true {
            try await db.write(changesClaims: false) { sql in
                try await sql.raw("UPDATE api_tokens SET last_used_at = \(bind: now) WHERE id = \(bind: token.id)").run()
            }
        }
        return APICaller(token: token, viewer: viewer)
    }

    // MARK: Idempotency keys

    /// Takes the key for a POST about to run with a body whose SHA-256 is `requestHash` (method, path and body).
    /// Keys older than the window are forgotten here, so the table holds about a day of POSTs.
    public func claim(key: String, tokenID: Int64, requestHash: String, now: Date) async throws -> IdempotencyClaim {
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: now.addingTimeInterval(-Self.idempotencyWindow))").run()
            // A first request that never finished (its process died, or recording its end failed) was abandoned.
            try await sql.raw("""
                DELETE FROM idempotency_keys WHERE token_id = \(bind: tokenID) AND idem_key = \(bind: key) AND status IS NULL
                  AND created_at < \(bind: now.addingTimeInterval(-Self.inFlightLimit))
                """).run()
            // Two first uses at once: one inserts, the other (on PostgreSQL after the first commits) finds its row.
            let inserted = try await sql.raw("""
                INSERT INTO idempotency_keys (token_id, idem_key, request_hash, created_at)
                VALUES (\(bind: tokenID), \(bind: key), \(bind: requestHash), \(bind: now))
                ON CONFLICT (token_id, idem_key) DO NOTHING RETURNING token_id
                """).first()
            if inserted != nil { return .fresh }
            guard let row = try await sql.raw("""
                SELECT request_hash, status, content_type, headers, body FROM idempotency_keys
                WHERE token_id = \(bind: tokenID) AND idem_key = \(bind: key)
                """).first(decoding: IdempotencyRow.self, with: .snakeCase) else { return .inFlight } // abandoned this very moment: retry later
            guard row.requestHash == requestHash else { return .mismatch }
            guard let status = row.status else { return .inFlight }
            let headers = row.headers.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            let body = row.body.flatMap { Data(base64Encoded: $0) } ?? Data()
            return .replay(StoredResponse(status: status, contentType: row.contentType, headers: headers, body: [UInt8](body)))
        }
    }

    /// Keeps the response of a POST that ran under a key, to be replayed.
    public func finish(key: String, tokenID: Int64, response: StoredResponse) async throws {
        let headers = String(decoding: try JSONEncoder().encode(response.headers), as: UTF8.self)
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("""
                UPDATE idempotency_keys SET status = \(bind: response.status), content_type = \(bind: response.contentType),
                  headers = \(bind: headers), body = \(bind: Data(response.body).base64EncodedString())
                WHERE token_id = \(bind: tokenID) AND idem_key = \(bind: key)
                """).run()
        }
    }

    /// Forgets a key whose POST failed on the server's side (5xx), so a retry runs again.
    public func abandon(key: String, tokenID: Int64) async throws {
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("DELETE FROM idempotency_keys WHERE token_id = \(bind: tokenID) AND idem_key = \(bind: key)").run()
        }
    }

    static let columns = "id, user_id, name, prefix, scope, created_at, last_used_at, revoked_at"

    /// An `api_tokens` row (`columns`), never its hash.
    private struct TokenRow: Decodable {
        var id: Int64
        var userId: Int64
        var name: String
        var prefix: String
        var scope: String
        var createdAt: Date
        var lastUsedAt: Date?
        var revokedAt: Date?

        var record: APITokenRecord {
            APITokenRecord(id: id, userID: userId, name: name, prefix: prefix, scope: APITokenScope(rawValue: scope) ?? .read,
                           createdAt: createdAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt)
        }
    }

    /// A kept idempotency key: the request it was first used with and, once done, its response.
    private struct IdempotencyRow: Decodable {
        var requestHash: String
        var status: Int?
        var contentType: String?
        var headers: String?
        var body: String?
    }
}
