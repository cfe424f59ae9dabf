import Foundation
import SQLKit

/// The tables kept by row triggers (migrations 8, 9 and 27-30) as a bulk load sees them. Row by row, the triggers cost
/// several times the load itself (a seeded claim fires over a dozen upserts, and each contact re-indexes its claim's search
/// text; on PostgreSQL each is a PL/pgSQL call that plans its statements), so a load of many claims sets them aside in its
/// transaction, writes, then rebuilds each table once with its migration's own backfill (the home page's slot tables with
/// `DashboardCountsSQL.bulkBackfills`, which reads each source once) and puts the triggers back: other connections see
/// either none of it or all of it.
enum KeptTables {
    /// The tables a bulk load writes whose triggers keep the tables below (and the review queue, which keeps its days).
    static let sources = ["claims", "claim_contacts", "claim_history", "earnings", "review_queue"]

    /// The kept tables, by the name every trigger that keeps one starts with.
    static var tables: [String] {
        ["claim_counts", "claim_search", "claim_due_days", "claim_expiry_cells"] + Migrator.keptTotals.map(\.table)
            + ["funnel_slots", "decision_slots", "review_day_slots", "review_queue", "review_queue_days", "partner_customers"]
    }

    /// Every table a seeding load writes rows into.
    static let loaded = ["customers", "claims", "claim_contacts", "claim_history", "claim_proof", "earnings", "earning_ledger"]

    /// A trigger or index set aside: its table, the statement that drops it, and the one that made it (to put it back).
    struct Object: Sendable {
        var name: String
        var table: String
        var drop: String
        var create: String
    }

    /// The triggers and indexes set aside.
    struct SetAside: Sendable {
        var triggers: [Object]
        var indexes: [Object] = []
    }

    /// Drops the sources' triggers and the loaded tables' secondary indexes. A trigger that keeps no table named here
    /// would stay wrong after the rebuild, so it is refused before anything is dropped.
    static func setAside(on sql: any SQLDatabase, flavor: SQLFlavor) async throws -> SetAside {
        let names = sources.map { "'\($0)'" }.joined(separator: ", ")
        // In the order they were made, so they are made again in it: SQLite fires one event's triggers in an order that
        // follows it (PostgreSQL fires them by name).
        let query = switch flavor {
        case .sqlite:
            """
            SELECT name, tbl_name AS table_name, 'DROP TRIGGER ' || name AS drop_sql, sql FROM sqlite_master
            WHERE type = 'trigger' AND tbl_name IN (\(names)) ORDER BY rowid
            """
        case .postgres:
            """
            SELECT t.tgname AS name, c.relname AS table_name,
              'DROP TRIGGER ' || quote_ident(t.tgname) || ' ON ' || quote_ident(c.relname) AS drop_sql, pg_get_triggerdef(t.oid) AS sql
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace AND c.relname IN (\(names)) ORDER BY t.oid
            """
        }
        let triggers = try await objects(query, on: sql)
        let kept = tables
        if let unknown = triggers.first(where: { trigger in !kept.contains { trigger.name.hasPrefix($0 + "_") } }) {
            throw StoreError.corrupt("The bulk load does not know what trigger \(unknown.name) keeps, so it cannot rebuild it.")
        }
        for trigger in triggers { try await sql.raw(SQLQueryString(trigger.drop)).run() }
        return SetAside(triggers: triggers, indexes: try await setAsideIndexes(on: sql, flavor: flavor))
    }

    /// Drops the secondary indexes of the tables the load writes. Kept up row by row, `claims`' two dozen indexes cost
    /// more than the rows themselves (each insert walks every one of them to its place, pages spill and come back); built
    /// once at the end from sorted keys they cost a fraction of that. UNIQUE indexes stay: they are rules the rows must
    /// keep, checked as each one is written. An index made any other way than `CREATE [UNIQUE] INDEX` is refused before
    /// anything is dropped, as the bulk load does not know how to put it back. On PostgreSQL the search table's trigram
    /// index is set aside too: the rebuild adds every loaded claim's text to it.
    static func setAsideIndexes(on sql: any SQLDatabase, flavor: SQLFlavor) async throws -> [Object] {
        let query = switch flavor {
        case .sqlite:
            """
            SELECT name, tbl_name AS table_name, 'DROP INDEX ' || name AS drop_sql, sql FROM sqlite_master
            WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(loaded.map { "'\($0)'" }.joined(separator: ", "))) ORDER BY rowid
            """
        case .postgres:
            // Indexes of constraints (primary keys, UNIQUE) are made by their constraints and stay with them.
            """
            SELECT i.relname AS name, t.relname AS table_name, 'DROP INDEX ' || quote_ident(i.relname) AS drop_sql,
              pg_get_indexdef(i.oid) AS sql
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relnamespace = current_schema()::regnamespace
              AND t.relname IN (\((loaded + ["claim_search"]).map { "'\($0)'" }.joined(separator: ", ")))
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid)
            ORDER BY i.oid
            """
        }
        let indexes = try await objects(query, on: sql)
        if let unknown = indexes.first(where: { !$0.create.hasPrefix("CREATE INDEX ") && !$0.create.hasPrefix("CREATE UNIQUE INDEX ") }) {
            throw StoreError.corrupt("The bulk load does not know how index \(unknown.name) was made, so it cannot set it aside.")
        }
        let aside = indexes.filter { $0.create.hasPrefix("CREATE INDEX ") }
        for index in aside { try await sql.raw(SQLQueryString(index.drop)).run() }
        return aside
    }

    /// The rows of a catalogue query: name, table_name, drop_sql and sql.
    private static func objects(_ query: String, on sql: any SQLDatabase) async throws -> [Object] {
        try await sql.raw(SQLQueryString(query)).all().map { row in
            let column = StoredColumns(row)
            return Object(name: try column("name", as: String.self), table: try column("table_name", as: String.self),
                          drop: try column("drop_sql", as: String.self), create: try column("sql", as: String.self))
        }
    }

    /// FTS5's default hash size, what requests write with, and the one a bulk load indexes its texts with.
    static let searchHashSize = 1 << 20
    static let loadSearchHashSize = 256 << 20

    /// Puts the indexes back, rebuilds every kept table from the rows as they are now (with the migrations' backfills, the
    /// slot tables' counted in one pass), and puts the triggers back.
    /// The search index, which holds one row per claim, only gains the claims from `firstClaimID` on (the load's).
    static func restore(_ aside: SetAside, firstClaimID: Int64, on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        // The loaded tables' indexes first: the backfills below read through them as the migrations' did. The search
        // table's last, built once over every text rather than grown by each.
        let searchIndexes = aside.indexes.filter { $0.table == "claim_search" }
        for index in aside.indexes where index.table != "claim_search" { try await sql.raw(SQLQueryString(index.create)).run() }
        let dashboard = DashboardCountsSQL(flavor)
        var statements = ["claim_counts", "claim_due_days", "claim_expiry_cells"].map { "DELETE FROM \($0)" } + [Migrator.claimCountsBackfill]
        statements += flavor == .sqlite
            ? [Migrator.dueDaysBackfillSQLite, Migrator.expiryCellsBackfillSQLite]
            : [Migrator.dueDaysBackfillPostgres, Migrator.expiryCellsBackfillPostgres]
        for total in Migrator.keptTotals { statements += ["DELETE FROM \(total.table)", total.backfill(flavor)] }
        statements += ["funnel_slots", "decision_slots", "review_day_slots", "review_queue", "review_queue_days"].map { "DELETE FROM \($0)" }
        statements += dashboard.bulkBackfills
        statements += ["DELETE FROM partner_customers", Migrator.partnerCustomersBackfill]
        for statement in statements { try await sql.raw(SQLQueryString(statement)).run() }
        let texts = switch flavor {
        case .sqlite: SQLQueryString(Migrator.claimSearchBackfillSQLite) + " AND c.id >= \(bind: firstClaimID)"
        case .postgres: SQLQueryString(Migrator.claimSearchBackfillPostgres) + " WHERE c.id >= \(bind: firstClaimID)"
        }
        if flavor == .sqlite {
            // FTS5 gathers new terms in memory and writes them out as a segment each time they pass its hash size (1 MiB
            // by default), merging segments as they pile up, so a million texts were written in small pieces and merged
            // over and over. With room for 256 MiB the load writes far fewer: 45 s became about 25 s at a million (64 MiB
            // and 1 GiB were both slower). The setting is stored in the index's own config table, so it is put back
            // before the transaction ends.
            let hashSize = { (bytes: Int) in
                try await sql.raw("INSERT INTO claim_search (claim_search, rank) VALUES ('hashsize', \(unsafeRaw: String(bytes)))").run()
            }
            try await hashSize(Self.loadSearchHashSize)
            try await sql.raw(texts).run()
            try await hashSize(Self.searchHashSize)
        } else {
            try await sql.raw(texts).run()
        }
        for index in searchIndexes { try await sql.raw(SQLQueryString(index.create)).run() }
        for trigger in aside.triggers { try await sql.raw(SQLQueryString(trigger.create)).run() }
    }
}
