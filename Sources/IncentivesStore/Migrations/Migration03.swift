extension Migrator {
    /// Bank routing codes, versions of payee records for optimistic locking, and the payee history.
    static let migration03 = Migration(number: 3, name: "bank routing codes, payee versions and history", statements: [
        // Outside IBAN countries an account needs its national bank code (ABA routing number, IFSC, ...).
        "ALTER TABLE bank_profiles ADD COLUMN routing_code TEXT NULL",
        // Optimistic locking: a decision or an enrollment step saves only over the version it was shown.
        "ALTER TABLE bank_profiles ADD COLUMN version BIGINT NOT NULL DEFAULT 1",
        "ALTER TABLE enrollments ADD COLUMN version BIGINT NOT NULL DEFAULT 1",
        // The manager's queue: profiles awaiting validation, oldest first.
        "CREATE INDEX bank_profiles_status ON bank_profiles (status, created_at, id)",
        """
        CREATE TABLE payee_history (
          id {pk}, organization_id BIGINT NOT NULL REFERENCES organizations(id),
          subject TEXT NOT NULL, subject_id BIGINT NOT NULL, location_id BIGINT NULL REFERENCES locations(id),
          at {ts} NOT NULL, actor_user_id BIGINT NULL REFERENCES users(id), actor_name TEXT NOT NULL,
          action TEXT NOT NULL, from_status TEXT NULL, to_status TEXT NULL, note TEXT NULL)
        """,
        "CREATE INDEX payee_history_subject ON payee_history (subject, subject_id, id)",
        "CREATE INDEX payee_history_organization ON payee_history (organization_id, id)",
    ])
}
