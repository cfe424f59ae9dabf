extension Migrator {
    /// Eligibility lists made explicit: `eligibility_entries` holds which locations are on an engagement's list (filled
    /// from the pairs `location_criteria` implied until now), criteria results gain a status (met, not met, expiring on a
    /// day), evidence and who set them, keyed by the criterion's words within the engagement, and partners' inclusion
    /// requests get their table (one pending per engagement and location).
    static let migration21 = Migration(number: 21, name: "eligibility lists, criterion results and inclusion requests", statements: [
        """
        CREATE TABLE eligibility_entries (
          engagement_id BIGINT NOT NULL REFERENCES engagements(id), location_id BIGINT NOT NULL REFERENCES locations(id),
          listed_at {ts} NOT NULL, listed_by BIGINT NULL REFERENCES users(id), listed_by_name TEXT NOT NULL,
          PRIMARY KEY (engagement_id, location_id))
        """,
        "CREATE INDEX eligibility_entries_location ON eligibility_entries (location_id, engagement_id)",
        """
        INSERT INTO eligibility_entries (engagement_id, location_id, listed_at, listed_by, listed_by_name)
        SELECT lc.engagement_id, lc.location_id, MIN(e.created_at), NULL, 'Before eligibility lists'
        FROM location_criteria lc JOIN engagements e ON e.id = lc.engagement_id
        GROUP BY lc.engagement_id, lc.location_id
        """,
        "ALTER TABLE location_criteria ADD COLUMN status TEXT NOT NULL DEFAULT 'not_met'",
        "ALTER TABLE location_criteria ADD COLUMN expires_on TEXT NULL",
        "ALTER TABLE location_criteria ADD COLUMN evidence TEXT NULL",
        "ALTER TABLE location_criteria ADD COLUMN set_by BIGINT NULL REFERENCES users(id)",
        "ALTER TABLE location_criteria ADD COLUMN set_by_name TEXT NULL",
        "ALTER TABLE location_criteria ADD COLUMN set_at {ts} NULL",
        "UPDATE location_criteria SET status = CASE WHEN met THEN 'met' ELSE 'not_met' END",
        // A result is keyed by its words: a repeated criterion (none known) keeps its first result.
        """
        DELETE FROM location_criteria WHERE EXISTS (
          SELECT 1 FROM location_criteria o
          WHERE o.location_id = location_criteria.location_id AND o.engagement_id = location_criteria.engagement_id
            AND o.criterion = location_criteria.criterion AND o.position < location_criteria.position)
        """,
        "CREATE UNIQUE INDEX location_criteria_words ON location_criteria (engagement_id, location_id, criterion)",
        "CREATE INDEX location_criteria_expiring ON location_criteria (status, expires_on)",
        """
        CREATE TABLE inclusion_requests (
          id {pk}, engagement_id BIGINT NOT NULL REFERENCES engagements(id),
          organization_id BIGINT NOT NULL REFERENCES organizations(id), location_id BIGINT NOT NULL REFERENCES locations(id),
          note TEXT NOT NULL, status TEXT NOT NULL,
          requested_by BIGINT NULL REFERENCES users(id), requested_by_name TEXT NOT NULL, requested_at {ts} NOT NULL,
          decided_by BIGINT NULL REFERENCES users(id), decided_by_name TEXT NULL, decided_at {ts} NULL, reason TEXT NULL)
        """,
        "CREATE UNIQUE INDEX inclusion_requests_pending ON inclusion_requests (engagement_id, location_id) WHERE status = 'pending'",
        "CREATE INDEX inclusion_requests_queue ON inclusion_requests (status, requested_at, id)",
        "CREATE INDEX inclusion_requests_organization ON inclusion_requests (organization_id, engagement_id, id)",
    ])
}
