extension Migrator {
    /// Calendar feeds: each user's private calendar address (`/calendar/{secret}.ics`), one a user.
    static let migration25 = Migration(number: 25, name: "calendar feed addresses", statements: [
        // The secret is kept so the settings page can show the address again (it grants only a read of deadlines this
        // database holds anyway); requests find it by its SHA-256 hash, the unique index, and then compare it in
        // constant time. Renewing replaces both, so the old address stops at once.
        """
        CREATE TABLE calendar_feeds (
          user_id BIGINT NOT NULL PRIMARY KEY REFERENCES users(id), secret TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
          created_at {ts} NOT NULL, renewed_at {ts} NULL)
        """,
    ])
}
