import Foundation
import SQLKit

/// The tables kept by row triggers on SQLite (migrations 8, 9 and 27-30) as a bulk load sees them. Row by row, the triggers
/// cost about eight times the load itself (a seeded claim fires over a dozen upserts, and each contact re-indexes its claim's
/// search text), so a load of many claims sets them aside in its transaction, writes, then rebuilds each table once with
/// its migration's own backfill and puts the triggers back: other connections see either none of it or all of it.
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

    /// The triggers and indexes set aside, with the SQL that made them.
    struct SetAside: Sendable {
        var triggers: [(name: String, sql: String)]
        var indexes: [(name: String, sql: String)] = []
    }

    /// Drops the sources' triggers (SQLite only). A trigger that keeps no table named here would stay wrong after the
    /// rebuild, so it is refused before anything is dropped.
    static func setAside(on sql: any SQLDatabase) async throws -> SetAside {
        let names = sources.map { "'\($0)'" }.joined(separator: ", ")
        let rows = try await sql.raw(SQLQueryString("""
            SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (\(names)) ORDER BY rowid
            """)).all()
        let triggers = try rows.map { (name: try $0.decode(column: "name", as: String.self), sql: try $0.decode(column: "sql", as: String.self)) }
        let kept = tables
        if let unknown = triggers.first(where: { trigger in !kept.contains { trigger.name.hasPrefix($0 + "_") } }) {
            throw StoreError.corrupt("The bulk load does not know what trigger \(unknown.name) keeps, so it cannot rebuild it.")
        }
        for trigger in triggers { try await sql.raw(SQLQueryString("DROP TRIGGER \(trigger.name)")).run() }
        return SetAside(triggers: triggers, indexes: try await setAsideIndexes(on: sql))
    }

    /// Drops the secondary indexes of the tables the load writes. Kept up row by row, `claims`' two dozen indexes cost
    /// more than the rows themselves (each insert walks every one of them to its place, pages spill and come back); built
    /// once at the end from sorted keys they cost a fraction of that. UNIQUE indexes stay: they are rules the rows must
    /// keep, checked as each one is written. An index made any other way than `CREATE [UNIQUE] INDEX` is refused before
    /// anything is dropped, as the bulk load does not know how to put it back.
    static func setAsideIndexes(on sql: any SQLDatabase) async throws -> [(name: String, sql: String)] {
        let names = loaded.map { "'\($0)'" }.joined(separator: ", ")
        let rows = try await sql.raw(SQLQueryString("""
            SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(names)) ORDER BY rowid
            """)).all()
        let indexes = try rows.map { (name: try $0.decode(column: "name", as: String.self), sql: try $0.decode(column: "sql", as: String.self)) }
        if let unknown = indexes.first(where: { !$0.sql.hasPrefix("CREATE INDEX ") && !$0.sql.hasPrefix("CREATE UNIQUE INDEX ") }) {
            throw StoreError.corrupt("The bulk load does not know how index \(unknown.name) was made, so it cannot set it aside.")
        }
        let aside = indexes.filter { $0.sql.hasPrefix("CREATE INDEX ") }
        for index in aside { try await sql.raw(SQLQueryString("DROP INDEX \(index.name)")).run() }
        return aside
    }

    /// Puts the indexes back, rebuilds every kept table from the rows as they are now, with the migrations' backfills, and
    /// puts the triggers back.
    /// The search index, which holds one row per claim, only gains the claims from `firstClaimID` on (the load's).
    static func restore(_ aside: SetAside, firstClaimID: Int64, on sql: any SQLDatabase) async throws {
        // The indexes first: the backfills below read through them as the migrations' did.
        for index in aside.indexes { try await sql.raw(SQLQueryString(index.sql)).run() }
        let dashboard = DashboardCountsSQL(.sqlite)
        var statements = ["claim_counts", "claim_due_days", "claim_expiry_cells"].map { "DELETE FROM \($0)" }
            + [Migrator.claimCountsBackfill, Migrator.dueDaysBackfillSQLite, Migrator.expiryCellsBackfillSQLite]
        for total in Migrator.keptTotals { statements += ["DELETE FROM \(total.table)", total.backfill(.sqlite)] }
        statements += ["funnel_slots", "decision_slots", "review_day_slots", "review_queue", "review_queue_days"].map { "DELETE FROM \($0)" }
        statements += dashboard.backfills
        statements += ["DELETE FROM partner_customers", Migrator.partnerCustomersBackfill]
        for statement in statements { try await sql.raw(SQLQueryString(statement)).run() }
        try await sql.raw(SQLQueryString(Migrator.claimSearchBackfillSQLite) + " AND c.id >= \(bind: firstClaimID)").run()
        for trigger in aside.triggers { try await sql.raw(SQLQueryString(trigger.sql)).run() }
    }
}
