extension Migrator {
    /// The mail outbox, written in the transaction of the change an email tells about.
    static let migration05 = Migration(number: 5, name: "mail outbox", statements: [
        // Written in the transaction of the change an email tells about; the mail service delivers it.
        // status: pending (next_attempt_at says when), sending (leased until lease_until), sent, failed.
        """
        CREATE TABLE mail_outbox (
          id {pk}, kind TEXT NOT NULL, to_address TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
          claim_id BIGINT NULL REFERENCES claims(id), created_at {ts} NOT NULL,
          status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at {ts} NOT NULL,
          lease_until {ts} NULL, sent_at {ts} NULL, last_error TEXT NULL)
        """,
        "CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at, id)",
        "CREATE INDEX mail_outbox_claim ON mail_outbox (claim_id, id)",
    ])
}
