extension Migrator {
    /// The vendor's home page charts (`DashboardReads`) at any size: counts kept by triggers, read in proportion to the days
    /// of the period (and the program's locations) instead of every claim and history row.
    ///
    /// `funnel_slots`, `decision_slots` and `review_day_slots` count per UTC day (`grain` 86400) and per quarter hour (`grain` 900), both keyed
    /// by the slot's first instant in seconds since 1970: a period cut at the viewer's local midnights reads whole days
    /// where a day lies inside one slice and quarter hours where a slice boundary falls inside the UTC day, so every local
    /// day, week and month is counted exactly (every zone's midnight falls on a quarter hour). `review_queue` is the review
    /// queue itself (one row per claim waiting, with when it was last submitted and its review deadline), and
    /// `review_queue_days` counts it per day of waiting since and day of deadline: "waiting N days" and "past the deadline"
    /// are decided at read time from whole days, and only the claims of the few days a bucket's edge falls in are read one
    /// by one. Every count is kept twice: per organization and location (a partner's scope filters them as it filters
    /// claims) and for the whole program (organization and location 0, what the vendor reads), so the vendor's charts read
    /// in proportion to the days, not to the partners.
    static let migration29 = Migration(number: 29, name: "home dashboard counts kept by triggers", statements: [
        """
        CREATE TABLE funnel_slots (
          grain BIGINT NOT NULL, slot BIGINT NOT NULL, organization_id BIGINT NOT NULL, location_id BIGINT NOT NULL,
          created BIGINT NOT NULL, consented BIGINT NOT NULL, submitted BIGINT NOT NULL, approved BIGINT NOT NULL, paid BIGINT NOT NULL,
          PRIMARY KEY (grain, slot, organization_id, location_id))
        """,
        // `reason_code` '' for none.
        """
        CREATE TABLE decision_slots (
          grain BIGINT NOT NULL, slot BIGINT NOT NULL, organization_id BIGINT NOT NULL, location_id BIGINT NOT NULL,
          action TEXT NOT NULL, reason_code TEXT NOT NULL, n BIGINT NOT NULL,
          PRIMARY KEY (grain, slot, organization_id, location_id, action, reason_code))
        """,
        // The same decisions by whole days since the claim's last submission before each (-1: none, which the review
        // days leave out); a table of its own, so neither multiplies the other's rows.
        """
        CREATE TABLE review_day_slots (
          grain BIGINT NOT NULL, slot BIGINT NOT NULL, organization_id BIGINT NOT NULL, location_id BIGINT NOT NULL,
          days BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (grain, slot, organization_id, location_id, days))
        """,
        """
        CREATE TABLE review_queue (
          claim_id BIGINT PRIMARY KEY, organization_id BIGINT NOT NULL, location_id BIGINT NOT NULL,
          waiting_since {ts} NOT NULL, review_due_at {ts} NULL)
        """,
        "CREATE INDEX review_queue_since ON review_queue (waiting_since)",
        "CREATE INDEX review_queue_due ON review_queue (review_due_at)",
        // `due_day` -1: no review deadline.
        """
        CREATE TABLE review_queue_days (
          since_day BIGINT NOT NULL, due_day BIGINT NOT NULL, organization_id BIGINT NOT NULL, location_id BIGINT NOT NULL,
          n BIGINT NOT NULL, PRIMARY KEY (since_day, due_day, organization_id, location_id))
        """,
    ], dialect: [.sqlite: DashboardCountsSQL(.sqlite).migration, .postgres: DashboardCountsSQL(.postgres).migration])
}

/// The statements of migration 29 in one dialect: backfills from scratch, then the triggers that keep the tables. Written
/// once for both (they differ in slot arithmetic, upserts and trigger syntax); the tests' from-scratch computation is
/// `fromScratch`, the backfills' SELECTs.
struct DashboardCountsSQL {
    let flavor: SQLFlavor
    init(_ flavor: SQLFlavor) { self.flavor = flavor }

    /// UTC days, then quarter hours: the order every writer takes a claim's rows in.
    static let grains = [86_400, 900]
    /// The whole program's row (organization and location 0), then the location's: the order every writer takes them in.
    static func levels(_ c: String) -> [(organization: String, location: String)] {
        [("0", "0"), ("\(c).organization_id", "\(c).location_id")]
    }
    /// The statuses of the review queue (`ReviewFilter.statuses`).
    static let queueStatuses = "'submitted', 'under_review'"

    /// The first second of the `grain` slot `instant` falls in, as a 64-bit integer.
    func slot(_ instant: String, _ grain: Int) -> String {
        switch flavor {
        // SQLite holds instants as seconds since 1970; CAST truncates, which is rounding down after 1970.
        case .sqlite: "CAST(\(instant) / \(grain) AS INTEGER) * \(grain)"
        case .postgres: "CAST(FLOOR(EXTRACT(EPOCH FROM \(instant)) / \(grain)) * \(grain) AS BIGINT)"
        }
    }

    /// Whole days from `start` to `end`, as `DashboardReads` counts review days (`PeriodSQL.wholeDays`).
    func wholeDays(from start: String, to end: String) -> String {
        switch flavor {
        case .sqlite: "CAST((\(end) - \(start)) / 86400.0 AS BIGINT)"
        case .postgres: "CAST(FLOOR(EXTRACT(EPOCH FROM (\(end) - \(start))) / 86400.0) AS BIGINT)"
        }
    }

    /// `INSERT … SELECT … WHERE … ON CONFLICT (key) DO UPDATE` adding each counted column.
    func upsert(_ table: String, key: [String], counted: [String], values: [String], from: String = "", where condition: String) -> String {
        let added = counted.map { flavor == .sqlite ? "\($0) = \($0) + excluded.\($0)" : "\($0) = \(table).\($0) + excluded.\($0)" }
        return """
            INSERT INTO \(table) (\((key + counted).joined(separator: ", ")))
            SELECT \(values.joined(separator: ", "))\(from.isEmpty ? "" : " FROM \(from)") WHERE \(condition)
            ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET \(added.joined(separator: ", "))
            """
    }

    // MARK: The funnel: claims by creation, at each stage reached

    static let funnelKey = ["grain", "slot", "organization_id", "location_id"]
    static let funnelCounted = ["created", "consented", "submitted", "approved", "paid"]

    static func consented(_ c: String) -> String {
        "CASE WHEN \(c).consent_at IS NOT NULL OR (\(c).kind = 'use_or_consume' AND \(c).first_submitted_at IS NOT NULL) THEN 1 ELSE 0 END"
    }
    static func submitted(_ c: String) -> String { "CASE WHEN \(c).first_submitted_at IS NOT NULL THEN 1 ELSE 0 END" }
    static func approved(_ c: String) -> String { "(SELECT COUNT(*) FROM earnings ea WHERE ea.claim_id = \(c).id AND ea.kind = 'earning')" }
    static func paid(_ c: String) -> String {
        "(SELECT COUNT(*) FROM earnings ea WHERE ea.claim_id = \(c).id AND ea.kind = 'earning' AND ea.payment_status = 'paid')"
    }

    /// A claim row's (`NEW` or `OLD`) part of the funnel, added (`sign` "") or taken away ("-"), in both grains.
    func funnelClaim(_ c: String, sign: String) -> [String] {
        Self.grains.flatMap { grain in Self.levels(c).map { level in
            upsert("funnel_slots", key: Self.funnelKey, counted: Self.funnelCounted, values: [
                "\(grain)", slot("\(c).created_at", grain), level.organization, level.location, "\(sign)1",
                "\(sign)(\(Self.consented(c)))", "\(sign)(\(Self.submitted(c)))", "\(sign)\(Self.approved(c))", "\(sign)\(Self.paid(c))",
            ], where: "1 = 1")
        } }
    }

    /// An earning row's (`NEW` or `OLD`) part: its claim approved, and paid when it is.
    func funnelEarning(_ e: String, sign: String) -> [String] {
        Self.grains.flatMap { grain in Self.levels("c").map { level in
            upsert("funnel_slots", key: Self.funnelKey, counted: Self.funnelCounted, values: [
                "\(grain)", slot("c.created_at", grain), level.organization, level.location, "0", "0", "0", "\(sign)1",
                "\(sign)(CASE WHEN \(e).payment_status = 'paid' THEN 1 ELSE 0 END)",
            ], from: "claims c", where: "c.id = \(e).claim_id AND \(e).kind = 'earning'")
        } }
    }

    /// The funnel from scratch: one row per grain, slot and location, or (`program`) per grain and slot.
    func funnelFromScratch(_ grain: Int, program: Bool) -> String {
        let level = program ? Self.levels("c")[0] : Self.levels("c")[1]
        return """
        SELECT \(grain) AS grain, \(slot("c.created_at", grain)) AS slot, \(level.organization) AS organization_id,
          \(level.location) AS location_id, COUNT(*) AS created,
          SUM(\(Self.consented("c"))) AS consented, SUM(\(Self.submitted("c"))) AS submitted,
          SUM(CASE WHEN ea.id IS NOT NULL THEN 1 ELSE 0 END) AS approved,
          SUM(CASE WHEN ea.payment_status = 'paid' THEN 1 ELSE 0 END) AS paid
        FROM claims c LEFT JOIN earnings ea ON ea.claim_id = c.id AND ea.kind = 'earning'
        GROUP BY 1, 2, 3, 4
        """
    }

    // MARK: Decisions: approvals and rejections with their coded reason and the days since the last submission

    static let decisionKey = ["grain", "slot", "organization_id", "location_id", "action", "reason_code"]
    static let reviewDayKey = ["grain", "slot", "organization_id", "location_id", "days"]

    /// Days from the claim's last submission at or before the decision `h` to it, -1 when there was none.
    func reviewDays(_ h: String) -> String {
        let submitted = "(SELECT MAX(s.at) FROM claim_history s WHERE s.claim_id = \(h).claim_id AND s.to_status = 'submitted' AND s.at <= \(h).at)"
        return "COALESCE(\(wholeDays(from: submitted, to: "\(h).at")), -1)"
    }

    func decision(_ h: String) -> [String] {
        let decided = "c.id = \(h).claim_id AND \(h).action IN ('approve', 'reject')"
        return Self.grains.flatMap { grain in Self.levels("c").flatMap { level in [
            upsert("decision_slots", key: Self.decisionKey, counted: ["n"], values: [
                "\(grain)", slot("\(h).at", grain), level.organization, level.location, "\(h).action", "COALESCE(\(h).reason_code, '')", "1",
            ], from: "claims c", where: decided),
            upsert("review_day_slots", key: Self.reviewDayKey, counted: ["n"], values: [
                "\(grain)", slot("\(h).at", grain), level.organization, level.location, reviewDays(h), "1",
            ], from: "claims c", where: decided),
        ] } }
    }

    /// A claim moved to another organization or location takes its decisions along: `c` (`OLD` or `NEW`)'s, added or
    /// taken away (the program's rows stay as they are).
    func decisionsOfClaim(_ c: String, sign: String) -> [String] {
        let decided = "h.claim_id = \(c).id AND h.action IN ('approve', 'reject')"
        return Self.grains.flatMap { grain in [
            upsert("decision_slots", key: Self.decisionKey, counted: ["n"], values: [
                "\(grain)", slot("h.at", grain), "\(c).organization_id", "\(c).location_id", "h.action",
                "COALESCE(h.reason_code, '')", "\(sign)COUNT(*)",
            ], from: "claim_history h", where: "\(decided) GROUP BY 1, 2, 3, 4, 5, 6"),
            upsert("review_day_slots", key: Self.reviewDayKey, counted: ["n"], values: [
                "\(grain)", slot("h.at", grain), "\(c).organization_id", "\(c).location_id", reviewDays("h"), "\(sign)COUNT(*)",
            ], from: "claim_history h", where: "\(decided) GROUP BY 1, 2, 3, 4, 5"),
        ] }
    }

    func decisionsFromScratch(_ grain: Int, program: Bool) -> String {
        let level = program ? Self.levels("c")[0] : Self.levels("c")[1]
        return """
        SELECT \(grain) AS grain, \(slot("h.at", grain)) AS slot, \(level.organization) AS organization_id,
          \(level.location) AS location_id, h.action, COALESCE(h.reason_code, '') AS reason_code, COUNT(*) AS n
        FROM claim_history h JOIN claims c ON c.id = h.claim_id WHERE h.action IN ('approve', 'reject')
        GROUP BY 1, 2, 3, 4, 5, 6
        """
    }

    func reviewDaysFromScratch(_ grain: Int, program: Bool) -> String {
        let level = program ? Self.levels("c")[0] : Self.levels("c")[1]
        return """
        SELECT \(grain) AS grain, \(slot("h.at", grain)) AS slot, \(level.organization) AS organization_id,
          \(level.location) AS location_id, \(reviewDays("h")) AS days, COUNT(*) AS n
        FROM claim_history h JOIN claims c ON c.id = h.claim_id WHERE h.action IN ('approve', 'reject')
        GROUP BY 1, 2, 3, 4, 5
        """
    }

    // MARK: The review queue

    /// When the claim `c` was last submitted (its last change when its history has no submission, as the seed's oldest
    /// claims), and its review deadline when the clock running is the review's.
    static func waitingSince(_ c: String) -> String {
        "COALESCE((SELECT MAX(h.at) FROM claim_history h WHERE h.claim_id = \(c).id AND h.to_status = 'submitted'), \(c).updated_at)"
    }
    static func reviewDue(_ c: String) -> String { "CASE WHEN \(c).due_kind = 'review' THEN \(c).due_at END" }

    /// The claim `NEW` joins the queue (or its row is brought up to date) when it waits for a review, and leaves it when not.
    var queueClaim: [String] {
        let changed = ["organization_id", "location_id", "waiting_since", "review_due_at"].map {
            flavor == .sqlite ? "review_queue.\($0) IS NOT excluded.\($0)" : "review_queue.\($0) IS DISTINCT FROM excluded.\($0)"
        }
        return [
            "DELETE FROM review_queue WHERE claim_id = NEW.id AND NEW.status NOT IN (\(Self.queueStatuses))",
            """
            INSERT INTO review_queue (claim_id, organization_id, location_id, waiting_since, review_due_at)
            SELECT NEW.id, NEW.organization_id, NEW.location_id, \(Self.waitingSince("NEW")), \(Self.reviewDue("NEW"))
            WHERE NEW.status IN (\(Self.queueStatuses))
            ON CONFLICT (claim_id) DO UPDATE SET organization_id = excluded.organization_id, location_id = excluded.location_id,
              waiting_since = excluded.waiting_since, review_due_at = excluded.review_due_at
            WHERE \(changed.joined(separator: " OR "))
            """,
        ]
    }

    /// A submission written to the history moves its claim's "waiting since", when the claim is queued already.
    static let queueSubmission = """
        UPDATE review_queue SET waiting_since = (SELECT MAX(h.at) FROM claim_history h WHERE h.claim_id = NEW.claim_id AND h.to_status = 'submitted')
        WHERE claim_id = NEW.claim_id AND NEW.to_status = 'submitted'
        """

    func queueFromScratch() -> String {
        """
        SELECT c.id AS claim_id, c.organization_id, c.location_id, \(Self.waitingSince("c")) AS waiting_since,
          \(Self.reviewDue("c")) AS review_due_at
        FROM claims c WHERE c.status IN (\(Self.queueStatuses))
        """
    }

    static let queueDayKey = ["since_day", "due_day", "organization_id", "location_id"]

    func dueDay(_ q: String) -> String { "CASE WHEN \(q).review_due_at IS NULL THEN -1 ELSE \(slot("\(q).review_due_at", 86_400)) END" }

    /// A queue row's (`NEW` or `OLD`) count in its days.
    func queueDay(_ q: String, sign: String) -> [String] {
        Self.levels(q).map { level in
            upsert("review_queue_days", key: Self.queueDayKey, counted: ["n"], values: [
                slot("\(q).waiting_since", 86_400), dueDay(q), level.organization, level.location, "\(sign)1",
            ], where: "1 = 1")
        }
    }

    func queueDaysFromScratch(program: Bool) -> String {
        let level = program ? Self.levels("q")[0] : Self.levels("q")[1]
        return """
        SELECT \(slot("q.waiting_since", 86_400)) AS since_day, \(dueDay("q")) AS due_day, \(level.organization) AS organization_id,
          \(level.location) AS location_id, COUNT(*) AS n
        FROM review_queue q GROUP BY 1, 2, 3, 4
        """
    }

    // MARK: The migration

    var backfills: [String] { slotBackfills + queueBackfills }

    private static let funnelInsert = "INSERT INTO funnel_slots (\((funnelKey + funnelCounted).joined(separator: ", ")))"
    private static let decisionsInsert = "INSERT INTO decision_slots (\((decisionKey + ["n"]).joined(separator: ", ")))"
    private static let reviewDaysInsert = "INSERT INTO review_day_slots (\((reviewDayKey + ["n"]).joined(separator: ", ")))"

    /// The three slot tables from scratch, each level and grain by a statement of its own.
    private var slotBackfills: [String] {
        var statements: [String] = []
        for program in [true, false] {
            for grain in Self.grains {
                statements.append("\(Self.funnelInsert) \(funnelFromScratch(grain, program: program))")
                statements.append("\(Self.decisionsInsert) \(decisionsFromScratch(grain, program: program))")
                statements.append("\(Self.reviewDaysInsert) \(reviewDaysFromScratch(grain, program: program))")
            }
        }
        return statements
    }

    private var queueBackfills: [String] {
        let days = "INSERT INTO review_queue_days (\((Self.queueDayKey + ["n"]).joined(separator: ", ")))"
        return ["INSERT INTO review_queue (claim_id, organization_id, location_id, waiting_since, review_due_at) \(queueFromScratch())"]
            + [true, false].map { "\(days) \(queueDaysFromScratch(program: $0))" }
    }

    /// The same tables from scratch for a bulk load over many rows (`KeptTables`), each source read once: `backfills`
    /// counts every claim and decision four times (two grains, two levels), and a decision's review days look up its
    /// last submission each time. Here a table's rows per location and quarter hour are counted once, into a temporary
    /// table, and the other three are summed from those: a UTC day is 96 whole quarter hours (`slot` rounds down from
    /// 1970), and the program's row is the sum of its locations'. At a million claims 48 s of a seed became about 15.
    var bulkBackfills: [String] {
        summedUp(Self.funnelInsert, key: [], counted: Self.funnelCounted, from: funnelFromScratch(900, program: false))
            + summedUp(Self.decisionsInsert, key: ["action", "reason_code"], counted: ["n"], from: decisionsFromScratch(900, program: false))
            + summedUp(Self.reviewDaysInsert, key: ["days"], counted: ["n"], from: reviewDaysFromScratch(900, program: false))
            + queueBackfills
    }

    /// `insert`'s rows from `perQuarterHour` (grain 900, per location: grain, slot, organization_id, location_id, then
    /// `key`, then `counted`), then the other grain and level summed from them.
    private func summedUp(_ insert: String, key: [String], counted: [String], from perQuarterHour: String) -> [String] {
        let sums = counted.map { "SUM(\($0))" }.joined(separator: ", ")
        let keys = key.isEmpty ? "" : ", " + key.joined(separator: ", ")
        var statements = ["CREATE TEMP TABLE bulk_slots AS \(perQuarterHour)", "\(insert) SELECT * FROM bulk_slots"]
        for (grain, program) in [(86_400, false), (900, true), (86_400, true)] {
            let slot = grain == 900 ? "slot" : "slot / 86400 * 86400"
            let place = program ? "0, 0" : "organization_id, location_id"
            let groups = (program ? [slot] : [slot, "organization_id", "location_id"]) + key
            statements.append("""
                \(insert) SELECT \(grain), \(slot), \(place)\(keys), \(sums) FROM bulk_slots GROUP BY \(groups.joined(separator: ", "))
                """)
        }
        return statements + ["DROP TABLE bulk_slots"]
    }

    /// The claim columns the funnel counts by.
    static let funnelColumns = ["created_at", "organization_id", "location_id", "kind", "consent_at", "first_submitted_at"]
    /// The claim columns the review queue reads.
    static let queueColumns = ["status", "updated_at", "due_at", "due_kind", "organization_id", "location_id"]

    var migration: [String] {
        backfills + (flavor == .sqlite ? sqliteTriggers : postgresTriggers)
    }

    private func sqliteTrigger(_ name: String, _ event: String, when: String? = nil, _ body: [String]) -> String {
        """
        CREATE TRIGGER \(name) \(event)\(when.map { " WHEN \($0)" } ?? "") BEGIN
        \(body.map { $0 + ";" }.joined(separator: "\n"))
        END
        """
    }

    private var sqliteTriggers: [String] {
        let funnelChanged = Self.funnelColumns.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
        let earningChanged = ["claim_id", "kind", "payment_status"].map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
        let queueChanged = ["organization_id", "location_id", "waiting_since", "review_due_at"].map { "OLD.\($0) IS NOT NEW.\($0)" }
        let placeChanged = "OLD.organization_id IS NOT NEW.organization_id OR OLD.location_id IS NOT NEW.location_id"
        return [
            sqliteTrigger("funnel_slots_claim_insert", "AFTER INSERT ON claims", funnelClaim("NEW", sign: "")),
            sqliteTrigger("funnel_slots_claim_update", "AFTER UPDATE OF \(Self.funnelColumns.joined(separator: ", ")) ON claims",
                          when: funnelChanged, funnelClaim("OLD", sign: "-") + funnelClaim("NEW", sign: "")),
            sqliteTrigger("funnel_slots_earning_insert", "AFTER INSERT ON earnings", when: "NEW.kind = 'earning'", funnelEarning("NEW", sign: "")),
            sqliteTrigger("funnel_slots_earning_update", "AFTER UPDATE OF claim_id, kind, payment_status ON earnings", when: earningChanged,
                          funnelEarning("OLD", sign: "-") + funnelEarning("NEW", sign: "")),
            sqliteTrigger("funnel_slots_earning_delete", "AFTER DELETE ON earnings", when: "OLD.kind = 'earning'", funnelEarning("OLD", sign: "-")),
            sqliteTrigger("funnel_slots_claim_delete", "AFTER DELETE ON claims", funnelClaim("OLD", sign: "-")),
            sqliteTrigger("decision_slots_insert", "AFTER INSERT ON claim_history", when: "NEW.action IN ('approve', 'reject')", decision("NEW")),
            sqliteTrigger("decision_slots_claim_move", "AFTER UPDATE OF organization_id, location_id ON claims", when: placeChanged,
                          decisionsOfClaim("OLD", sign: "-") + decisionsOfClaim("NEW", sign: "")),
            sqliteTrigger("review_queue_claim_delete", "AFTER DELETE ON claims", ["DELETE FROM review_queue WHERE claim_id = OLD.id"]),
            sqliteTrigger("review_queue_claim_insert", "AFTER INSERT ON claims", queueClaim),
            sqliteTrigger("review_queue_claim_update", "AFTER UPDATE OF \(Self.queueColumns.joined(separator: ", ")) ON claims", queueClaim),
            sqliteTrigger("review_queue_submission", "AFTER INSERT ON claim_history", when: "NEW.to_status = 'submitted'", [Self.queueSubmission]),
            sqliteTrigger("review_queue_days_insert", "AFTER INSERT ON review_queue", queueDay("NEW", sign: "")),
            sqliteTrigger("review_queue_days_update", "AFTER UPDATE ON review_queue", when: queueChanged.joined(separator: " OR "),
                          queueDay("OLD", sign: "-") + queueDay("NEW", sign: "")),
            sqliteTrigger("review_queue_days_delete", "AFTER DELETE ON review_queue", queueDay("OLD", sign: "-")),
        ]
    }

    private func plpgsql(_ name: String, _ body: String) -> String {
        """
        CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
        \(body)
          RETURN NULL;
        END
        $$
        """
    }

    private func statements(_ list: [String]) -> String { list.map { "  " + $0 + ";" }.joined(separator: "\n") }

    /// On PostgreSQL each writer takes its rows in one order (a claim's funnel rows day first, then quarter hour; a queue
    /// row's old and new days lower key first, as migration 15 does for claim counts), so two writers never wait on each
    /// other in a circle.
    private var postgresTriggers: [String] {
        let funnelChanged = Self.funnelColumns.map { "OLD.\($0) IS DISTINCT FROM NEW.\($0)" }.joined(separator: " OR ")
        let earningChanged = ["claim_id", "kind", "payment_status"].map { "OLD.\($0) IS DISTINCT FROM NEW.\($0)" }.joined(separator: " OR ")
        let queueKey = { (q: String) in "(\(slot("\(q).waiting_since", 86_400)), \(dueDay(q)), \(q).organization_id, \(q).location_id)" }
        return [
            plpgsql("funnel_slots_claim_track", """
                IF TG_OP = 'UPDATE' AND NOT (\(funnelChanged)) THEN RETURN NULL; END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                \(statements(funnelClaim("OLD", sign: "-")))
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                \(statements(funnelClaim("NEW", sign: "")))
                END IF;
                """),
            """
            CREATE TRIGGER funnel_slots_claim_track AFTER INSERT OR UPDATE OF \(Self.funnelColumns.joined(separator: ", ")) OR DELETE ON claims
            FOR EACH ROW EXECUTE FUNCTION funnel_slots_claim_track()
            """,
            plpgsql("funnel_slots_earning_track", """
                IF TG_OP = 'UPDATE' AND NOT (\(earningChanged)) THEN RETURN NULL; END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                \(statements(funnelEarning("OLD", sign: "-")))
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                \(statements(funnelEarning("NEW", sign: "")))
                END IF;
                """),
            """
            CREATE TRIGGER funnel_slots_earning_track AFTER INSERT OR UPDATE OF claim_id, kind, payment_status OR DELETE ON earnings
            FOR EACH ROW EXECUTE FUNCTION funnel_slots_earning_track()
            """,
            plpgsql("decision_slots_track", statements(decision("NEW"))),
            """
            CREATE TRIGGER decision_slots_track AFTER INSERT ON claim_history
            FOR EACH ROW WHEN (NEW.action IN ('approve', 'reject')) EXECUTE FUNCTION decision_slots_track()
            """,
            plpgsql("decision_slots_claim_move", statements(decisionsOfClaim("OLD", sign: "-") + decisionsOfClaim("NEW", sign: ""))),
            """
            CREATE TRIGGER decision_slots_claim_move AFTER UPDATE OF organization_id, location_id ON claims
            FOR EACH ROW WHEN (OLD.organization_id IS DISTINCT FROM NEW.organization_id OR OLD.location_id IS DISTINCT FROM NEW.location_id)
            EXECUTE FUNCTION decision_slots_claim_move()
            """,
            plpgsql("review_queue_claim_track", """
                IF TG_OP = 'DELETE' THEN
                  DELETE FROM review_queue WHERE claim_id = OLD.id;
                  RETURN NULL;
                END IF;
                \(statements(queueClaim))
                """),
            """
            CREATE TRIGGER review_queue_claim_track AFTER INSERT OR UPDATE OF \(Self.queueColumns.joined(separator: ", ")) OR DELETE ON claims
            FOR EACH ROW EXECUTE FUNCTION review_queue_claim_track()
            """,
            plpgsql("review_queue_submission_track", statements([Self.queueSubmission])),
            """
            CREATE TRIGGER review_queue_submission_track AFTER INSERT ON claim_history
            FOR EACH ROW WHEN (NEW.to_status = 'submitted') EXECUTE FUNCTION review_queue_submission_track()
            """,
            plpgsql("review_queue_days_track", """
                IF TG_OP = 'UPDATE' AND \(queueKey("OLD")) IS NOT DISTINCT FROM \(queueKey("NEW")) THEN RETURN NULL; END IF;
                IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND \(queueKey("OLD")) < \(queueKey("NEW"))) THEN
                \(statements(queueDay("OLD", sign: "-")))
                  IF TG_OP = 'DELETE' THEN RETURN NULL; END IF;
                \(statements(queueDay("NEW", sign: "")))
                ELSE
                \(statements(queueDay("NEW", sign: "")))
                  IF TG_OP = 'UPDATE' THEN
                \(statements(queueDay("OLD", sign: "-")))
                  END IF;
                END IF;
                """),
            """
            CREATE TRIGGER review_queue_days_track AFTER INSERT OR UPDATE OR DELETE ON review_queue
            FOR EACH ROW EXECUTE FUNCTION review_queue_days_track()
            """,
        ]
    }
}
