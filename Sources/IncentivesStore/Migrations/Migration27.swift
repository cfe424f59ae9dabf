extension Migrator {
    /// Claim counts at scale, the rest of them: deadlines per day and expiries per hour and day kept by triggers (the claims
    /// list's "due within 7 days", a partner's expiries per local day), and indexes for the review queue, the open claims
    /// per partner and a partner's expiring claims.
    static let migration27 = Migration(number: 27, name: "claim deadlines and expiries kept by triggers; review queue and expiry indexes",
                                       statements: [
        // Open clocks per organization, location, status and UTC day of their deadline (`due_at`): the attention tab's
        // "due within 7 days" adds up the whole days of its window here and reads only the claims of its two partial
        // days. A cell whose count falls to zero is removed, so the table holds the open deadlines' days only.
        """
        CREATE TABLE claim_due_days (
          organization_id BIGINT NOT NULL, day BIGINT NOT NULL, location_id BIGINT NOT NULL, status TEXT NOT NULL, n BIGINT NOT NULL,
          PRIMARY KEY (organization_id, day, location_id, status))
        """,
        // Expiring claims per organization and location, in cells of a UTC hour, a quarter of a UTC day and a UTC day (span
        // 3600, 21600, 86400), `at` the cell's first second since 1970: a partner's days in their own zone begin on some hour
        // of a UTC day, so their days are day cells with at most four quarter cells and three hour cells added or taken off
        // at each end, and only a boundary off the hour reads claims.
        """
        CREATE TABLE claim_expiry_cells (
          organization_id BIGINT NOT NULL, span BIGINT NOT NULL, at BIGINT NOT NULL, location_id BIGINT NOT NULL, n BIGINT NOT NULL,
          PRIMARY KEY (organization_id, span, at, location_id))
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
            dueDaysBackfillSQLite,
            expiryCellsBackfillSQLite,
            """
            CREATE TRIGGER claim_expiry_cells_insert AFTER INSERT ON claims WHEN NEW.expires_at IS NOT NULL BEGIN
              INSERT INTO claim_expiry_cells (organization_id, span, at, location_id, n)
              VALUES (NEW.organization_id, 3600, CAST(NEW.expires_at / 3600 AS INTEGER) * 3600, NEW.location_id, 1),
                     (NEW.organization_id, 21600, CAST(NEW.expires_at / 21600 AS INTEGER) * 21600, NEW.location_id, 1),
                     (NEW.organization_id, 86400, CAST(NEW.expires_at / 86400 AS INTEGER) * 86400, NEW.location_id, 1)
              ON CONFLICT (organization_id, span, at, location_id) DO UPDATE SET n = n + 1;
            END
            """,
            """
            CREATE TRIGGER claim_expiry_cells_update AFTER UPDATE OF organization_id, location_id, expires_at ON claims
            WHEN OLD.organization_id IS NOT NEW.organization_id OR OLD.location_id IS NOT NEW.location_id
              OR CAST(OLD.expires_at / 3600 AS INTEGER) IS NOT CAST(NEW.expires_at / 3600 AS INTEGER)
            BEGIN
              UPDATE claim_expiry_cells SET n = n - 1 FROM (SELECT 3600 AS span UNION ALL SELECT 21600 UNION ALL SELECT 86400) v
              WHERE OLD.expires_at IS NOT NULL AND claim_expiry_cells.organization_id = OLD.organization_id
                AND claim_expiry_cells.span = v.span AND claim_expiry_cells.at = CAST(OLD.expires_at / v.span AS INTEGER) * v.span
                AND claim_expiry_cells.location_id = OLD.location_id;
              DELETE FROM claim_expiry_cells
              WHERE OLD.expires_at IS NOT NULL AND organization_id = OLD.organization_id AND span IN (3600, 21600, 86400)
                AND at IN (CAST(OLD.expires_at / 3600 AS INTEGER) * 3600, CAST(OLD.expires_at / 21600 AS INTEGER) * 21600,
                           CAST(OLD.expires_at / 86400 AS INTEGER) * 86400)
                AND location_id = OLD.location_id AND n = 0;
              INSERT INTO claim_expiry_cells (organization_id, span, at, location_id, n)
              SELECT NEW.organization_id, v.span, CAST(NEW.expires_at / v.span AS INTEGER) * v.span, NEW.location_id, 1
              FROM (SELECT 3600 AS span UNION ALL SELECT 21600 UNION ALL SELECT 86400) v WHERE NEW.expires_at IS NOT NULL
              ON CONFLICT (organization_id, span, at, location_id) DO UPDATE SET n = n + 1;
            END
            """,
            """
            CREATE TRIGGER claim_expiry_cells_delete AFTER DELETE ON claims WHEN OLD.expires_at IS NOT NULL BEGIN
              UPDATE claim_expiry_cells SET n = n - 1 FROM (SELECT 3600 AS span UNION ALL SELECT 21600 UNION ALL SELECT 86400) v
              WHERE claim_expiry_cells.organization_id = OLD.organization_id
                AND claim_expiry_cells.span = v.span AND claim_expiry_cells.at = CAST(OLD.expires_at / v.span AS INTEGER) * v.span
                AND claim_expiry_cells.location_id = OLD.location_id;
              DELETE FROM claim_expiry_cells
              WHERE organization_id = OLD.organization_id AND span IN (3600, 21600, 86400)
                AND at IN (CAST(OLD.expires_at / 3600 AS INTEGER) * 3600, CAST(OLD.expires_at / 21600 AS INTEGER) * 21600,
                           CAST(OLD.expires_at / 86400 AS INTEGER) * 86400)
                AND location_id = OLD.location_id AND n = 0;
            END
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
            dueDaysBackfillPostgres,
            expiryCellsBackfillPostgres,
            // A claim's move changes up to six cells in one statement, lowest key first (the order it takes their locks in),
            // so two writers never wait on each other's cells in a circle.
            """
            CREATE FUNCTION claim_expiry_cells_track() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
              old_org bigint; old_location bigint; old_at double precision;
              new_org bigint; new_location bigint; new_at double precision;
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.expires_at IS NOT NULL THEN
                old_org := OLD.organization_id; old_location := OLD.location_id; old_at := EXTRACT(EPOCH FROM OLD.expires_at);
              END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.expires_at IS NOT NULL THEN
                new_org := NEW.organization_id; new_location := NEW.location_id; new_at := EXTRACT(EPOCH FROM NEW.expires_at);
              END IF;
              IF (old_org, old_location, FLOOR(old_at / 3600)) IS NOT DISTINCT FROM (new_org, new_location, FLOOR(new_at / 3600)) THEN
                RETURN NULL;
              END IF;
              INSERT INTO claim_expiry_cells (organization_id, span, at, location_id, n)
              SELECT d.org, d.span, d.at, d.location, SUM(d.delta) FROM (
                SELECT old_org AS org, s.span, CAST(FLOOR(old_at / s.span) AS BIGINT) * s.span AS at, old_location AS location, -1 AS delta
                FROM (VALUES (3600), (21600), (86400)) s(span) WHERE old_at IS NOT NULL
                UNION ALL
                SELECT new_org, s.span, CAST(FLOOR(new_at / s.span) AS BIGINT) * s.span, new_location, 1
                FROM (VALUES (3600), (21600), (86400)) s(span) WHERE new_at IS NOT NULL) d
              GROUP BY d.org, d.span, d.at, d.location HAVING SUM(d.delta) <> 0
              ORDER BY d.org, d.span, d.at, d.location
              ON CONFLICT (organization_id, span, at, location_id) DO UPDATE SET n = claim_expiry_cells.n + EXCLUDED.n;
              IF old_at IS NOT NULL THEN
                DELETE FROM claim_expiry_cells
                WHERE organization_id = old_org AND span IN (3600, 21600, 86400)
                  AND at IN (CAST(FLOOR(old_at / 3600) AS BIGINT) * 3600, CAST(FLOOR(old_at / 21600) AS BIGINT) * 21600,
                             CAST(FLOOR(old_at / 86400) AS BIGINT) * 86400)
                  AND location_id = old_location AND n = 0;
              END IF;
              RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER claim_expiry_cells_track AFTER INSERT OR UPDATE OR DELETE ON claims
            FOR EACH ROW EXECUTE FUNCTION claim_expiry_cells_track()
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

extension Migrator {
    /// `claim_due_days` and `claim_expiry_cells` filled from the claims as they are, in each dialect (the migration's
    /// backfills; a bulk load's rebuild, `KeptTables`).
    static let dueDaysBackfillSQLite = """
        INSERT INTO claim_due_days (organization_id, day, location_id, status, n)
        SELECT organization_id, CAST(due_at / 86400 AS INTEGER), location_id, status, COUNT(*) FROM claims WHERE due_at IS NOT NULL
        GROUP BY organization_id, CAST(due_at / 86400 AS INTEGER), location_id, status
        """
    static let expiryCellsBackfillSQLite = """
        INSERT INTO claim_expiry_cells (organization_id, span, at, location_id, n)
        SELECT c.organization_id, v.span, CAST(c.expires_at / v.span AS INTEGER) * v.span, c.location_id, COUNT(*)
        FROM claims c CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 21600 UNION ALL SELECT 86400) v WHERE c.expires_at IS NOT NULL
        GROUP BY c.organization_id, v.span, CAST(c.expires_at / v.span AS INTEGER), c.location_id
        """
    static let dueDaysBackfillPostgres = """
        INSERT INTO claim_due_days (organization_id, day, location_id, status, n)
        SELECT organization_id, CAST(FLOOR(EXTRACT(EPOCH FROM due_at) / 86400) AS BIGINT), location_id, status, COUNT(*)
        FROM claims WHERE due_at IS NOT NULL
        GROUP BY organization_id, CAST(FLOOR(EXTRACT(EPOCH FROM due_at) / 86400) AS BIGINT), location_id, status
        """
    static let expiryCellsBackfillPostgres = """
        INSERT INTO claim_expiry_cells (organization_id, span, at, location_id, n)
        SELECT c.organization_id, v.span, CAST(FLOOR(EXTRACT(EPOCH FROM c.expires_at) / v.span) AS BIGINT) * v.span, c.location_id, COUNT(*)
        FROM claims c CROSS JOIN (VALUES (3600), (21600), (86400)) v(span) WHERE c.expires_at IS NOT NULL
        GROUP BY c.organization_id, v.span, CAST(FLOOR(EXTRACT(EPOCH FROM c.expires_at) / v.span) AS BIGINT), c.location_id
        """
}
