extension Migrator {
    /// The claims list at scale: tab counts kept by triggers, and an index for every sort.
    static let migration08 = Migration(number: 8, name: "claims list at scale: tab counts kept by triggers, sort indexes", statements: [
        // Claims per organization, location, engagement, area, kind and status: the claims list's tab counts
        // under its filters add up a few hundred of these rows instead of reading every claim. Triggers keep
        // it in the transaction of every insert, update and delete of a claim, whichever code writes it.
        """
        CREATE TABLE claim_counts (
          organization_id BIGINT NOT NULL, location_id BIGINT NOT NULL, engagement_id BIGINT NOT NULL,
          solution_area_id BIGINT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, n BIGINT NOT NULL,
          PRIMARY KEY (organization_id, location_id, engagement_id, solution_area_id, kind, status))
        """,
        claimCountsBackfill,
        // The vendor's list (every organization) newest first, and per solution-area tab.
        "CREATE INDEX claims_updated ON claims (updated_at, id)",
        "CREATE INDEX claims_area_updated ON claims (solution_area_id, updated_at, id)",
        // The attention tab's "due within 7 days", counted from the index alone, per organization and for the vendor.
        "CREATE INDEX claims_org_due_cover ON claims (organization_id, due_at, location_id, status, engagement_id, kind)",
        "CREATE INDEX claims_due_cover ON claims (due_at, organization_id, location_id, status, engagement_id, kind)",
    ], dialect: [
        .sqlite: [
            // The "next deadline" sort key, no deadline last (9999-12-31, as ClaimListing.noDeadline), so an
            // index can serve the sort; virtual: computed on read, stored only in the indexes.
            "ALTER TABLE claims ADD COLUMN due_sort REAL GENERATED ALWAYS AS (COALESCE(due_at, 253402214400.0)) VIRTUAL",
            "CREATE INDEX claims_org_due_sort ON claims (organization_id, due_sort, id)",
            "CREATE INDEX claims_due_sort ON claims (due_sort, id)",
            """
            CREATE TRIGGER claim_counts_insert AFTER INSERT ON claims BEGIN
              INSERT INTO claim_counts (organization_id, location_id, engagement_id, solution_area_id, kind, status, n)
              VALUES (NEW.organization_id, NEW.location_id, NEW.engagement_id, NEW.solution_area_id, NEW.kind, NEW.status, 1)
              ON CONFLICT (organization_id, location_id, engagement_id, solution_area_id, kind, status) DO UPDATE SET n = n + 1;
            END
            """,
            """
            CREATE TRIGGER claim_counts_update
            AFTER UPDATE OF organization_id, location_id, engagement_id, solution_area_id, kind, status ON claims
            WHEN OLD.organization_id IS NOT NEW.organization_id OR OLD.location_id IS NOT NEW.location_id
              OR OLD.engagement_id IS NOT NEW.engagement_id OR OLD.solution_area_id IS NOT NEW.solution_area_id
              OR OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status
            BEGIN
              UPDATE claim_counts SET n = n - 1
              WHERE organization_id = OLD.organization_id AND location_id = OLD.location_id AND engagement_id = OLD.engagement_id
                AND solution_area_id = OLD.solution_area_id AND kind = OLD.kind AND status = OLD.status;
              INSERT INTO claim_counts (organization_id, location_id, engagement_id, solution_area_id, kind, status, n)
              VALUES (NEW.organization_id, NEW.location_id, NEW.engagement_id, NEW.solution_area_id, NEW.kind, NEW.status, 1)
              ON CONFLICT (organization_id, location_id, engagement_id, solution_area_id, kind, status) DO UPDATE SET n = n + 1;
            END
            """,
            """
            CREATE TRIGGER claim_counts_delete AFTER DELETE ON claims BEGIN
              UPDATE claim_counts SET n = n - 1
              WHERE organization_id = OLD.organization_id AND location_id = OLD.location_id AND engagement_id = OLD.engagement_id
                AND solution_area_id = OLD.solution_area_id AND kind = OLD.kind AND status = OLD.status;
            END
            """,
        ],
        .postgres: [
            "ALTER TABLE claims ADD COLUMN due_sort TIMESTAMPTZ GENERATED ALWAYS AS (COALESCE(due_at, TIMESTAMPTZ '9999-12-31 00:00:00+00')) STORED",
            "CREATE INDEX claims_org_due_sort ON claims (organization_id, due_sort, id)",
            "CREATE INDEX claims_due_sort ON claims (due_sort, id)",
            """
            CREATE FUNCTION claim_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'UPDATE' AND (OLD.organization_id, OLD.location_id, OLD.engagement_id, OLD.solution_area_id, OLD.kind, OLD.status)
                 IS NOT DISTINCT FROM (NEW.organization_id, NEW.location_id, NEW.engagement_id, NEW.solution_area_id, NEW.kind, NEW.status) THEN
                RETURN NULL;
              END IF;
              IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE claim_counts SET n = n - 1
                WHERE organization_id = OLD.organization_id AND location_id = OLD.location_id AND engagement_id = OLD.engagement_id
                  AND solution_area_id = OLD.solution_area_id AND kind = OLD.kind AND status = OLD.status;
              END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO claim_counts (organization_id, location_id, engagement_id, solution_area_id, kind, status, n)
                VALUES (NEW.organization_id, NEW.location_id, NEW.engagement_id, NEW.solution_area_id, NEW.kind, NEW.status, 1)
                ON CONFLICT (organization_id, location_id, engagement_id, solution_area_id, kind, status)
                DO UPDATE SET n = claim_counts.n + 1;
              END IF;
              RETURN NULL;
            END
            $$
            """,
            "CREATE TRIGGER claim_counts_track AFTER INSERT OR UPDATE OR DELETE ON claims FOR EACH ROW EXECUTE FUNCTION claim_counts_track()",
        ],
    ])
}

extension Migrator {
    /// `claim_counts` filled from the claims as they are (the migration's backfill; a bulk load's rebuild, `KeptTables`).
    static let claimCountsBackfill = """
        INSERT INTO claim_counts (organization_id, location_id, engagement_id, solution_area_id, kind, status, n)
        SELECT organization_id, location_id, engagement_id, solution_area_id, kind, status, COUNT(*) FROM claims
        GROUP BY organization_id, location_id, engagement_id, solution_area_id, kind, status
        """
}
