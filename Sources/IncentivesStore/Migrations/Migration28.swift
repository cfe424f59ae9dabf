import Foundation
import IncentivesDomain

extension Migrator {
    /// Money at scale: the earnings' and the live claims' money kept summed by triggers, so the earnings totals, the
    /// budgets, the payments page's holds and the home page's spend add up a few hundred rows instead of reading every
    /// earning and claim.
    static let migration28 = Migration(number: 28, name: "money totals kept by triggers", statements: [
        // Earnings summed per location, payment month, currency and payment status (the earnings totals), per payment
        // month, currency and status alone (the vendor's totals, a few rows a month), per engagement, currency, status and
        // sign (the budgets), and the owed ones per payee, currency, month and kind (the payments page's holds): how many,
        // and their amount in minor units. Each is narrow, so that its rows are filled by a few hundred earnings.
        """
        CREATE TABLE earning_totals (
          location_id BIGINT NOT NULL, payment_month TEXT NOT NULL, currency TEXT NOT NULL, payment_status TEXT NOT NULL,
          n BIGINT NOT NULL, amount_minor BIGINT NOT NULL, PRIMARY KEY (location_id, payment_month, currency, payment_status))
        """,
        """
        CREATE TABLE earning_month_totals (
          payment_month TEXT NOT NULL, currency TEXT NOT NULL, payment_status TEXT NOT NULL,
          n BIGINT NOT NULL, amount_minor BIGINT NOT NULL, PRIMARY KEY (payment_month, currency, payment_status))
        """,
        """
        CREATE TABLE engagement_earning_totals (
          engagement_id BIGINT NOT NULL, currency TEXT NOT NULL, payment_status TEXT NOT NULL, negative BIGINT NOT NULL,
          n BIGINT NOT NULL, amount_minor BIGINT NOT NULL, PRIMARY KEY (engagement_id, currency, payment_status, negative))
        """,
        """
        CREATE TABLE earning_dues (
          location_id BIGINT NOT NULL, currency TEXT NOT NULL, payment_month TEXT NOT NULL, kind TEXT NOT NULL, owed BIGINT NOT NULL,
          n BIGINT NOT NULL, amount_minor BIGINT NOT NULL, PRIMARY KEY (owed, location_id, currency, payment_month, kind))
        """,
        // Claims per engagement, location, status and currency: priced ones (an amount pinned) summed, the others counted
        // per pinned version and hours (`priced` 0), which is what prices them. The budgets' committed money reads it.
        // A location's rows are its organization's and an engagement's are its area's, so a writer that changes a row
        // here has changed (and locked) the `claim_counts` row it falls in first.
        """
        CREATE TABLE claim_amounts (
          engagement_id BIGINT NOT NULL, location_id BIGINT NOT NULL, status TEXT NOT NULL, currency TEXT NOT NULL,
          priced BIGINT NOT NULL, engagement_version BIGINT NOT NULL, hours TEXT NOT NULL,
          n BIGINT NOT NULL, amount_minor BIGINT NOT NULL,
          PRIMARY KEY (engagement_id, location_id, status, currency, priced, engagement_version, hours))
        """,
        // Earnings by the UTC month and the UTC day of their approval: a period's money (the spend and top partners
        // charts) is whole months, then whole days, then the few earnings of the hours at its edges.
        """
        CREATE TABLE earning_months (
          location_id BIGINT NOT NULL, engagement_id BIGINT NOT NULL, currency TEXT NOT NULL, payment_status TEXT NOT NULL,
          kind TEXT NOT NULL, approved_month TEXT NOT NULL, n BIGINT NOT NULL, amount_minor BIGINT NOT NULL,
          PRIMARY KEY (approved_month, location_id, engagement_id, currency, payment_status, kind))
        """,
        """
        CREATE TABLE earning_days (
          location_id BIGINT NOT NULL, engagement_id BIGINT NOT NULL, currency TEXT NOT NULL, payment_status TEXT NOT NULL,
          kind TEXT NOT NULL, approved_day TEXT NOT NULL, n BIGINT NOT NULL, amount_minor BIGINT NOT NULL,
          PRIMARY KEY (approved_day, location_id, engagement_id, currency, payment_status, kind))
        """,
    ], dialect: [
        .sqlite: keptTotals.flatMap { [$0.backfill(.sqlite)] + $0.sqliteTriggers },
        .postgres: keptTotals.flatMap { [$0.backfill(.postgres)] + $0.postgresTriggers },
    ])

    /// The tables above, with what each counts a source row under.
    static let keptTotals: [KeptTotal] = {
        let earning: [(column: String, expression: String, text: Bool)] = [
            ("location_id", "$.location_id", false), ("engagement_id", "$.engagement_id", false), ("currency", "$.currency", true),
            ("payment_status", "$.payment_status", true), ("kind", "$.kind", true),
        ]
        return [
            KeptTotal("earning_totals", on: "earnings", keys: [
                ("location_id", "$.location_id", false), ("payment_month", "$.payment_month", true), ("currency", "$.currency", true),
                ("payment_status", "$.payment_status", true),
            ], amount: "$.amount_minor"),
            KeptTotal("earning_month_totals", on: "earnings", keys: [
                ("payment_month", "$.payment_month", true), ("currency", "$.currency", true), ("payment_status", "$.payment_status", true),
            ], amount: "$.amount_minor"),
            KeptTotal("engagement_earning_totals", on: "earnings", keys: [
                ("engagement_id", "$.engagement_id", false), ("currency", "$.currency", true), ("payment_status", "$.payment_status", true),
                ("negative", "CASE WHEN $.amount_minor < 0 THEN 1 ELSE 0 END", false),
            ], amount: "$.amount_minor"),
            // Owed: not paid, in no run, and not reversed or forfeited (what a run may gather); the others count as 0.
            KeptTotal("earning_dues", on: "earnings", keys: [
                ("owed", "CASE WHEN $.payment_status IN ('unprocessed', 'failed') AND $.run_id IS NULL THEN 1 ELSE 0 END", false),
                ("location_id", "$.location_id", false), ("currency", "$.currency", true), ("payment_month", "$.payment_month", true),
                ("kind", "$.kind", true),
            ], amount: "$.amount_minor"),
            KeptTotal("claim_amounts", on: "claims", keys: [
                ("engagement_id", "$.engagement_id", false), ("location_id", "$.location_id", false), ("status", "$.status", true),
                ("currency", "$.currency", true), ("priced", "CASE WHEN $.amount_minor IS NULL THEN 0 ELSE 1 END", false),
                ("engagement_version", "CASE WHEN $.amount_minor IS NULL THEN $.engagement_version ELSE 0 END", false),
                ("hours", "CASE WHEN $.amount_minor IS NULL THEN COALESCE($.hours, '') ELSE '' END", true),
            ], amount: "COALESCE($.amount_minor, 0)"),
            KeptTotal("earning_months", on: "earnings", keys: earning, amount: "$.amount_minor")
                .with("approved_month", sqlite: "strftime('%Y-%m', $.approved_at, 'unixepoch')",
                      postgres: "to_char($.approved_at AT TIME ZONE 'UTC', 'YYYY-MM')"),
            KeptTotal("earning_days", on: "earnings", keys: earning, amount: "$.amount_minor")
                .with("approved_day", sqlite: "strftime('%Y-%m-%d', $.approved_at, 'unixepoch')",
                      postgres: "to_char($.approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
        ]
    }()
}

/// A summary table kept by triggers on its source table: each row of the source adds 1 to `n` and its amount to
/// `amount_minor` of the summary row its key expressions name. Both dialects' triggers are made from the same key, so
/// they cannot disagree on what a row counts under.
struct KeptTotal {
    /// The summary table, its source, and each key column with the expression computing it from a source row, `$`
    /// standing for the row (NEW or OLD); `text` keys are ordered bytewise on PostgreSQL.
    var table: String
    var source: String
    var keys: [(column: String, sqlite: String, postgres: String, text: Bool)]
    var amount: String

    init(_ table: String, on source: String, keys: [(column: String, expression: String, text: Bool)], amount: String) {
        self.table = table; self.source = source; self.amount = amount
        self.keys = keys.map { ($0.column, $0.expression, $0.expression, $0.text) }
    }

    func with(_ column: String, sqlite: String, postgres: String) -> KeptTotal {
        var copy = self
        copy.keys.append((column, sqlite, postgres, true))
        return copy
    }

    /// Fills the table from the source's rows as they are when the migration runs.
    func backfill(_ flavor: SQLFlavor) -> String { "INSERT INTO \(table) (\(columns), n, amount_minor)\n" + fromScratch(flavor) }

    /// The table's rows summed from the source alone: the key columns, `n` and `amount_minor`.
    func fromScratch(_ flavor: SQLFlavor) -> String {
        let expressions = keys.map { row(flavor == .sqlite ? $0.sqlite : $0.postgres, "") }
        return """
            SELECT \(zip(expressions, keys).map { "\($0) AS \($1.column)" }.joined(separator: ", ")), COUNT(*) AS n,
              SUM(\(row(amount, ""))) AS amount_minor
            FROM \(source) GROUP BY \(expressions.joined(separator: ", "))
            """
    }

    var columns: String { keys.map(\.column).joined(separator: ", ") }

    private func row(_ expression: String, _ name: String) -> String { expression.replacingOccurrences(of: "$.", with: name) }

    /// SQLite runs one writer at a time: a trigger per row adds the new row's share and takes the old one's away.
    var sqliteTriggers: [String] {
        func add(_ name: String) -> String {
            """
              INSERT INTO \(table) (\(columns), n, amount_minor)
              VALUES (\(keys.map { row($0.sqlite, name) }.joined(separator: ", ")), 1, \(row(amount, name)))
              ON CONFLICT (\(columns)) DO UPDATE SET n = n + 1, amount_minor = amount_minor + excluded.amount_minor;
            """
        }
        func take(_ name: String) -> String {
            """
              UPDATE \(table) SET n = n - 1, amount_minor = amount_minor - \(row(amount, name))
              WHERE \(keys.map { "\($0.column) = (\(row($0.sqlite, name)))" }.joined(separator: " AND "));
            """
        }
        let changed = (keys.map(\.sqlite) + [amount]).map { "(\(row($0, "OLD."))) IS NOT (\(row($0, "NEW.")))" }
        return [
            "CREATE TRIGGER \(table)_insert AFTER INSERT ON \(source) BEGIN\n\(add("NEW."))\nEND",
            "CREATE TRIGGER \(table)_update AFTER UPDATE ON \(source)\nWHEN \(changed.joined(separator: "\n  OR "))\n"
                + "BEGIN\n\(take("OLD."))\n\(add("NEW."))\nEND",
            "CREATE TRIGGER \(table)_delete AFTER DELETE ON \(source) BEGIN\n\(take("OLD."))\nEND",
        ]
    }

    /// PostgreSQL runs writers side by side: one trigger per statement adds up the statement's changes per summary row
    /// (the new rows' share less the old rows') and applies the changed ones in ascending key order, so two statements
    /// (a payment run's earnings, a sweep's batch) never wait on each other's rows in a circle. A transition table
    /// belongs to one event, so each event has its trigger; they share the function.
    var postgresTriggers: [String] {
        func delta(_ rows: String, sign: String) -> String {
            "SELECT \(keys.map { "\(row($0.postgres, "")) AS \($0.column)" }.joined(separator: ", ")), "
                + "\(sign)1 AS n, \(sign)(\(row(amount, ""))) AS amount_minor FROM \(rows)"
        }
        func apply(_ parts: [String]) -> String {
            let grouped = keys.map { "d.\($0.column)" }.joined(separator: ", ")
            return """
                INSERT INTO \(table) (\(columns), n, amount_minor)
                SELECT \(grouped), SUM(d.n), SUM(d.amount_minor)
                FROM (\(parts.joined(separator: " UNION ALL "))) d
                GROUP BY \(grouped)
                HAVING SUM(d.n) <> 0 OR SUM(d.amount_minor) <> 0
                ORDER BY \(keys.map { "d.\($0.column)\($0.text ? " COLLATE \"C\"" : "")" }.joined(separator: ", "))
                ON CONFLICT (\(columns))
                DO UPDATE SET n = \(table).n + excluded.n, amount_minor = \(table).amount_minor + excluded.amount_minor;
            """
        }
        let function = """
            CREATE FUNCTION \(table)_apply() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
            \(apply([delta("new_rows", sign: "")]))
              ELSIF TG_OP = 'UPDATE' THEN
            \(apply([delta("new_rows", sign: ""), delta("old_rows", sign: "-")]))
              ELSE
            \(apply([delta("old_rows", sign: "-")]))
              END IF;
              RETURN NULL;
            END
            $$
            """
        let run = "FOR EACH STATEMENT EXECUTE FUNCTION \(table)_apply()"
        return [
            function,
            "CREATE TRIGGER \(table)_insert AFTER INSERT ON \(source) REFERENCING NEW TABLE AS new_rows \(run)",
            "CREATE TRIGGER \(table)_update AFTER UPDATE ON \(source) REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows \(run)",
            "CREATE TRIGGER \(table)_delete AFTER DELETE ON \(source) REFERENCING OLD TABLE AS old_rows \(run)",
        ]
    }
}
