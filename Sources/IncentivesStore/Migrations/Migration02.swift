extension Migrator {
    /// Signing in: sessions, sign-in failures, invitations, and each user's time zone.
    static let migration02 = Migration(number: 2, name: "sessions, sign-in failures, invitations", statements: [
        // The cookie carries a random token; only its SHA-256 is stored, so a copy of the
        // database does not hand out live sessions.
        """
        CREATE TABLE sessions (
          token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
          csrf_token TEXT NOT NULL, created_at {ts} NOT NULL, last_seen_at {ts} NOT NULL,
          address TEXT NOT NULL, user_agent TEXT NOT NULL)
        """,
        "CREATE INDEX sessions_user ON sessions (user_id)",
        """
        CREATE TABLE sign_in_failures (
          id {pk}, account TEXT NOT NULL, address TEXT NOT NULL, failed_at {ts} NOT NULL)
        """,
        "CREATE INDEX sign_in_failures_account ON sign_in_failures (account, failed_at)",
        "CREATE INDEX sign_in_failures_address ON sign_in_failures (address, failed_at)",
        // An invited user exists without a password until the invitation is accepted.
        """
        CREATE TABLE invitations (
          id {pk}, token_hash TEXT NOT NULL UNIQUE, user_id BIGINT NOT NULL REFERENCES users(id),
          invited_by BIGINT NOT NULL REFERENCES users(id), created_at {ts} NOT NULL,
          expires_at {ts} NOT NULL, accepted_at {ts} NULL)
        """,
        "CREATE INDEX invitations_user ON invitations (user_id)",
        // Pages show times in the user's zone (an IANA name); storage stays UTC.
        "ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC'",
    ])
}
