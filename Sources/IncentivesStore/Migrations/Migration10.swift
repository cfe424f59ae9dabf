extension Migrator {
    /// Personal API tokens (only their hashes) and the idempotency keys of their POSTs.
    static let migration10 = Migration(number: 10, name: "API tokens and idempotency keys", statements: [
        """
        CREATE TABLE api_tokens (
          id {pk}, user_id BIGINT NOT NULL REFERENCES users(id), name TEXT NOT NULL, prefix TEXT NOT NULL,
          token_hash TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, created_at {ts} NOT NULL,
          last_used_at {ts} NULL, revoked_at {ts} NULL)
        """,
        "CREATE INDEX api_tokens_user ON api_tokens (user_id, id)",
        // A POST's response kept under its key for a day; status NULL while the first request still runs.
        """
        CREATE TABLE idempotency_keys (
          token_id BIGINT NOT NULL REFERENCES api_tokens(id), idem_key TEXT NOT NULL, request_hash TEXT NOT NULL,
          status BIGINT NULL, content_type TEXT NULL, headers TEXT NULL, body TEXT NULL, created_at {ts} NOT NULL,
          PRIMARY KEY (token_id, idem_key))
        """,
        "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
    ])
}
