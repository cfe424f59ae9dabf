extension Migrator {
    /// Claim counts at scale, the rest of them: deadlines per day kept by triggers (the claims list's "due within 7 days"),
    /// and indexes for the review queue, the open claims per partner and a partner's expiring claims.
    static let migration28 = Migration(number: 28, name: "claim deadlines per day kept by triggers; review queue and expiry indexes", statements: [
        // Open clocks per organization, location, status and UTC day of their deadline (`due_at`): the attention tab's
        // "due within 7 days" adds up the whole days of its window here and reads only the claims of its two partial
        // days. A cell whose count falls to zero is removed, so the table holds the open deadlines' days only.
        """
        CREATE TABLE claim_due_days (
          organization_id BIGINT NOT NULL, day BIGINT NOT NULL, location_id BIGINT NOT NULL, status TEXT NOT NULL, n BIGINT NOT NULL,
          PRIMARY KEY (organization_id, day, location_id, status))
        """,
        // The vendor's window (every organization): by day first.
        "CREATE INDEX claim_due_days_day ON claim_due_days (day, organization_id, location_id, status, n)",
        // The open claims per partner: the open statuses' rows of claim_counts only, not every row.
        "CREATE INDEX claim_counts_status ON claim_counts (status, organization_id, n)",
        // The review queue, oldest change first: one index holds exactly the queue, so its first page is read in order
        // and stops there (the OR of the two conditions could use no other index).
        """
        CREATE INDEX claims_review_queue ON claims (updated_at, id)
        WHERE (status IN ('submitted', 'under_review') OR arbitration = 'pending')
        """,
        // A partner's claims that expire soonest, and how many expire each day: in expiry order within the organization,
        // the location at hand without reading the claim.
        "CREATE INDEX claims_org_expires ON claims (organization_id, expires_at, location_id) WHERE expires_at IS NOT NULL",
    ], dialect: [
        .sqlite: [
            // SQLite holds instants as seconds since 1970: the day is their whole number of 86,400s.
            """
            INSERT INTO claim_due_days (organization_id, day, location_id, status, n)
            SELECT organization_id, CAST(due_at / 86400 AS INTEGER), location_id, status, COUNT(*) FROM claims WHERE due_at IS NOT NULL
            GROUP BY organization_id, CAST(due_at / 86400 AS INTEGER), location_id, status
            """,
            """
            CREATE TRIGGER claim_due_days_insert AFTER INSERT ON claims WHEN NEW.due_at IS NOT NULL BEGIN
              INSERT INTO claim_due_days (organization_id, day, location_id, status, n)
              VALUES (NEW.organization_id, CAST(NEW.due_at / 86400 AS INTEGER), NEW.location_id, NEW.status, 1)
              ON CONFLICT (organization_id, day, location_id, status) DO UPDATE SET n = n + 1;
            END
            """,
            """
            CREATE TRIGGER claim_due_days_update AFTER UPDATE OF organization_id, location_id, status, due_at ON claims
            WHEN OLD.organization_id IS NOT NEW.organization_id OR OLD.location_id IS NOT NEW.location_id
              OR OLD.status IS NOT NEW.status OR CAST(OLD.due_at / 86400 AS INTEGER) IS NOT CAST(NEW.due_at / 86400 AS INTEGER)
            BEGIN
              UPDATE claim_due_days SET n = n - 1
              WHERE OLD.due_at IS NOT NULL AND organization_id = OLD.organization_id AND day = CAST(OLD.due_at / 86400 AS INTEGER)
                AND location_id = OLD.location_id AND status = OLD.status;
              DELETE FROM claim_due_days
              WHERE OLD.due_at IS NOT NULL AND organization_id = OLD.organization_id AND day = CAST(OLD.due_at / 86400 AS INTEGER)
                AND location_id = OLD.location_id AND status = OLD.status AND n = 0;
              INSERT INTO claim_due_days (organization_id, day, location_id, status, n)
              SELECT NEW.organization_id, CAST(NEW.due_at / 86400 AS INTEGER), NEW.location_id, NEW.status, 1 WHERE NEW.due_at IS NOT NULL
              ON CONFLICT (organization_id, day, location_id, status) DO UPDATE SET n = n + 1;
            END
            """,
            """
            CREATE TRIGGER claim_due_days_delete AFTER DELETE ON claims WHEN OLD.due_at IS NOT NULL BEGIN
              UPDATE claim_due_days SET n = n - 1
              WHERE organization_id = OLD.organization_id AND day = CAST(OLD.due_at / 86400 AS INTEGER)
                AND location_id = OLD.location_id AND status = OLD.status;
              DELETE FROM claim_due_days
              WHERE organization_id = OLD.organization_id AND day = CAST(OLD.due_at / 86400 AS INTEGER)
                AND location_id = OLD.location_id AND status = OLD.status AND n = 0;
            END
            """,
        ],
        .postgres: [
            """
            INSERT INTO claim_due_days (organization_id, day, location_id, status, n)
            SELECT organization_id, CAST(FLOOR(EXTRACT(EPOCH FROM due_at) / 86400) AS BIGINT), location_id, status, COUNT(*)
            FROM claims WHERE due_at IS NOT NULL
            GROUP BY organization_id, CAST(FLOOR(EXTRACT(EPOCH FROM due_at) / 86400) AS BIGINT), location_id, status
            """,
            // One claim leaves a cell: one less, and the cell gone at zero.
            """
            CREATE FUNCTION claim_due_days_leave(o bigint, d bigint, l bigint, s text) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
              UPDATE claim_due_days SET n = n - 1 WHERE organization_id = o AND day = d AND location_id = l AND status = s;
              DELETE FROM claim_due_days WHERE organization_id = o AND day = d AND location_id = l AND status = s AND n = 0;
            END
            $$
            """,
            // A claim's move takes its old and new cells lower key first (text compared bytewise), as claim_counts_track
            // does (migration 15), so two writers never wait on each other's cells in a circle. It runs after that
            // trigger (PostgreSQL fires them by name), so a status change has taken its claim_counts rows already.
            """
            CREATE FUNCTION claim_due_days_track() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
              old_day bigint;
              new_day bigint;
              old_first boolean;
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.due_at IS NOT NULL THEN
                old_day := CAST(FLOOR(EXTRACT(EPOCH FROM OLD.due_at) / 86400) AS BIGINT);
              END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.due_at IS NOT NULL THEN
                new_day := CAST(FLOOR(EXTRACT(EPOCH FROM NEW.due_at) / 86400) AS BIGINT);
              END IF;
              IF old_day IS NULL AND new_day IS NULL THEN
                RETURN NULL;
              END IF;
              IF TG_OP = 'UPDATE' AND (OLD.organization_id, old_day, OLD.location_id, OLD.status)
                 IS NOT DISTINCT FROM (NEW.organization_id, new_day, NEW.location_id, NEW.status) THEN
                RETURN NULL;
              END IF;
              old_first := new_day IS NULL OR (old_day IS NOT NULL AND
                (OLD.organization_id, old_day, OLD.location_id, OLD.status COLLATE "C")
                < (NEW.organization_id, new_day, NEW.location_id, NEW.status COLLATE "C"));
              IF old_first AND old_day IS NOT NULL THEN
                PERFORM claim_due_days_leave(OLD.organization_id, old_day, OLD.location_id, OLD.status);
              END IF;
              IF new_day IS NOT NULL THEN
                INSERT INTO claim_due_days (organization_id, day, location_id, status, n)
                VALUES (NEW.organization_id, new_day, NEW.location_id, NEW.status, 1)
                ON CONFLICT (organization_id, day, location_id, status) DO UPDATE SET n = claim_due_days.n + 1;
              END IF;
              IF NOT old_first AND old_day IS NOT NULL THEN
                PERFORM claim_due_days_leave(OLD.organization_id, old_day, OLD.location_id, OLD.status);
              END IF;
              RETURN NULL;
            END
            $$
            """,
            "CREATE TRIGGER claim_due_days_track AFTER INSERT OR UPDATE OR DELETE ON claims FOR EACH ROW EXECUTE FUNCTION claim_due_days_track()",
        ],
    ])
}
