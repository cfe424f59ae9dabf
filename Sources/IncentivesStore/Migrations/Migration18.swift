extension Migrator {
    /// The program's own history: every change a vendor or partner makes to the catalogue, partners, eligibility lists,
    /// criteria and inclusion requests, append-only, with who and when. (Claims keep theirs in `claim_history`.) The
    /// organization, location and engagement columns let a partner's view be scoped and an engagement's page list its own.
    static let migration18 = Migration(number: 18, name: "program changes", statements: [
        """
        CREATE TABLE program_changes (
          id {pk}, at {ts} NOT NULL,
          actor_user_id BIGINT NULL REFERENCES users(id), actor_name TEXT NOT NULL,
          subject TEXT NOT NULL, subject_id BIGINT NOT NULL, action TEXT NOT NULL,
          organization_id BIGINT NULL REFERENCES organizations(id), location_id BIGINT NULL REFERENCES locations(id),
          engagement_id BIGINT NULL REFERENCES engagements(id), detail TEXT NULL)
        """,
        "CREATE INDEX program_changes_subject ON program_changes (subject, subject_id, id)",
        "CREATE INDEX program_changes_organization ON program_changes (organization_id, id)",
        "CREATE INDEX program_changes_engagement ON program_changes (engagement_id, id)",
    ])
}
