extension Migrator {
    /// Deadline reminders sent, one row each, so none is sent twice.
    static let migration06 = Migration(number: 6, name: "deadline reminders sent", statements: [
        // One row per reminder sent for one deadline of a claim: a moved deadline gets its own reminders,
        // and a reminder is never sent twice (the key refuses a second row, even from another instance).
        """
        CREATE TABLE claim_reminders (
          claim_id BIGINT NOT NULL REFERENCES claims(id), due_at {ts} NOT NULL, reminder BIGINT NOT NULL,
          sent_at {ts} NOT NULL, PRIMARY KEY (claim_id, due_at, reminder))
        """,
    ])
}
