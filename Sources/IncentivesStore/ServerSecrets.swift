import Foundation
import SQLKit

/// Secrets the server makes for itself once and keeps in the database, so every instance on it signs alike.
public struct ServerSecrets: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// The secret of this name: 256 random bits made on first use, the same ever after.
    public func secret(named name: String, now: Date) async throws -> String {
        try await db.write(changesClaims: false) { sql in
            // Two instances starting at once: one inserts, the other finds its row.
            try await sql.raw("""
                INSERT INTO server_secrets (name, secret, created_at) VALUES (\(bind: name), \(bind: Secret.make()), \(bind: now))
                ON CONFLICT (name) DO NOTHING
                """).run()
            guard let secret = try await sql.raw("SELECT secret FROM server_secrets WHERE name = \(bind: name)")
                .first(decodingColumn: "secret", as: String.self) else {
                throw StoreError.corrupt("The server secret '\(name)' could not be stored.")
            }
            return secret
        }
    }
}
