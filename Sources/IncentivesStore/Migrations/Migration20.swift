extension Migrator {
    /// The catalogue console (issue 17): an engagement is drafted, published and closed, and its status follows its dates;
    /// a version is a draft until published and holds the terms that were the engagement's alone (type, cap, limit per
    /// customer, last day to claim). The engagement's own columns keep the values of the version in force, so every read
    /// of them stays as it is; the console and the sweep keep them current. Engagements from before it are published,
    /// and the closed ones closed; their versions take the engagement's terms.
    static let migration20 = Migration(number: 20, name: "catalogue console: lifecycle, dates, version terms", statements: [
        "ALTER TABLE engagements ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'published'",
        "ALTER TABLE engagements ADD COLUMN opens_on TEXT NULL",
        "ALTER TABLE engagements ADD COLUMN closes_after TEXT NULL",
        "ALTER TABLE engagements ADD COLUMN published_at {ts} NULL",
        "UPDATE engagements SET lifecycle = 'closed' WHERE status = 'closed'",
        "ALTER TABLE engagement_versions ADD COLUMN state TEXT NOT NULL DEFAULT 'published'",
        "ALTER TABLE engagement_versions ADD COLUMN type TEXT NULL",
        "ALTER TABLE engagement_versions ADD COLUMN cap_minor BIGINT NULL",
        "ALTER TABLE engagement_versions ADD COLUMN active_claims_per_customer BIGINT NULL",
        "ALTER TABLE engagement_versions ADD COLUMN last_claim_day TEXT NULL",
        "ALTER TABLE engagement_versions ADD COLUMN published_at {ts} NULL",
        "ALTER TABLE engagement_versions ADD COLUMN published_by TEXT NULL",
        """
        UPDATE engagement_versions SET
          type = (SELECT e.type FROM engagements e WHERE e.id = engagement_versions.engagement_id),
          cap_minor = (SELECT e.cap_minor FROM engagements e WHERE e.id = engagement_versions.engagement_id),
          active_claims_per_customer = (SELECT e.active_claims_per_customer FROM engagements e WHERE e.id = engagement_versions.engagement_id),
          last_claim_day = (SELECT e.last_claim_day FROM engagements e WHERE e.id = engagement_versions.engagement_id)
        """,
        "CREATE INDEX engagements_lifecycle ON engagements (lifecycle, id)",
    ])
}
