import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// `seedScale` loads in bulk (the kept tables' triggers and the written tables' secondary indexes are set aside, and the
/// indexes and kept tables built once at the end): the rows it writes stay those the state machine produced before, and
/// every kept table equals counting from scratch after it, on both databases.
@Suite("Seeding at scale in bulk: the same rows, and kept tables equal to counting from scratch")
struct SeederBulkLoadTests {
    let now = TestDatabases.now

    /// The tables the seeder writes, each row as JSON in id order (SQLite; instants with six decimals, so the text does not
    /// hang on how a SQLite version prints a REAL), hashed (FNV-1a, 64 bits).
    static func rowsHash(_ db: Database) async throws -> String {
        try await db.read { sql in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for table in ["customers", "claims", "claim_contacts", "claim_history", "claim_proof", "earnings", "earning_ledger"] {
                let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table)) ORDER BY cid")
                    .all(decodingColumn: "name", as: String.self)
                let cells = columns.map { "CASE typeof(\($0)) WHEN 'real' THEN printf('%.6f', \($0)) ELSE \($0) END" }
                let query = "SELECT json_array(\(cells.joined(separator: ", "))) AS line FROM \(table) ORDER BY rowid"
                for line in try await sql.raw(SQLQueryString(query)).all(decodingColumn: "line", as: String.self) {
                    for byte in line.utf8 + [10] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                }
            }
            return String(hash, radix: 16)
        }
    }

    @Test("the same seed and instant write the same customers, claims, histories, proof and earnings as before the bulk load")
    func sameRowsAsBefore() async throws {
        let hash = try await TestDatabases.with(.sqlite) { db in
            try await Seeder(db: db).seedScale(count: 1_300, now: now)
            return try await Self.rowsHash(db)
        }
        // Taken from the seeder as it was before the bulk load (row triggers, a transaction per batch of 5,000), through
        // `incentives seed --scale 1300 --now 2026-11-25T09:46:40Z` and the same hash over its file.
        #expect(hash == "62b7680b9db4b9c6")
    }

    /// A `sqlite_master` row's name and SQL (none for an index SQLite made for a constraint).
    static func nameAndSQL(_ row: any SQLRow) throws -> String {
        "\(try row.decode(column: "name", as: String.self)) \(try row.decodeNil(column: "sql") ? "" : row.decode(column: "sql", as: String.self))"
    }

    /// The triggers of the database, by name, with their SQL.
    static func triggers(_ db: Database) async throws -> [String: String] {
        let query: SQLQueryString = db.flavor == .sqlite
            ? "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            : "SELECT tgname AS name, pg_get_triggerdef(oid) AS sql FROM pg_trigger WHERE NOT tgisinternal"
        return try await db.read { sql in
            try await sql.raw(query).all().reduce(into: [:]) {
                $0[try $1.decode(column: "name", as: String.self)] = try $1.decode(column: "sql", as: String.self)
            }
        }
    }

    @Test("after seeding at scale, twice, every kept table equals counting from scratch and the triggers are all back",
          arguments: TestDatabases.flavors)
    func keptTablesAfterSeed(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let before = try await Self.triggers(db)
            let indexes = flavor == .sqlite
                ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
                : "SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"
            let indexesBefore = try await db.read { try await $0.raw(SQLQueryString(indexes)).all().map(Self.nameAndSQL) }
            // A first load onto the demo, then one onto that: the rebuild counts the rows already there too.
            try await Seeder(db: db).seedScale(count: flavor == .sqlite ? 20_000 : 2_000, now: now)
            // Another seed: the same one would draw the first load's customers (and tenant ids) again.
            var again = Seeder(db: db)
            again.seed = 7
            try await again.seedScale(count: 700, now: now.addingTimeInterval(86_400), batchSize: 300)
            #expect(try await Self.triggers(db) == before, "the same triggers, with the same SQL, after the load")
            // The written tables' secondary indexes, set aside during the load, are all back with the SQL that made them.
            let after = try await db.read { try await $0.raw(SQLQueryString(indexes)).all().map(Self.nameAndSQL) }
            #expect(after == indexesBefore)
            #expect(after.contains(flavor == .sqlite ? "claims_updated CREATE INDEX claims_updated ON claims (updated_at, id)"
                                   : "claims_updated CREATE INDEX claims_updated ON public.claims USING btree (updated_at, id)"))
            try await KeptMoneyTotals.expectMatch(db, "after seeding")
            try await DashboardCountsTests.compareTables(db, "after seeding")
            try await KeptClaimCountsTests().compare("after seeding", on: db)
            try await db.read { sql in
                // Each location's customers (migration 30), rebuilt by the load like the rest.
                let scratch = """
                    SELECT c.customer_id, c.location_id, c.organization_id, cu.name, COUNT(*) AS claims
                    FROM claims c JOIN customers cu ON cu.id = c.customer_id GROUP BY c.customer_id, c.location_id, c.organization_id, cu.name
                    """
                let kept = "SELECT customer_id, location_id, organization_id, name, claims FROM partner_customers"
                for (left, right) in [(kept, scratch), (scratch, kept)] {
                    let extra = try await sql.raw(SQLQueryString("SELECT COUNT(*) AS n FROM (\(left) EXCEPT \(right)) d"))
                        .first(decodingColumn: "n", as: Int.self)
                    #expect(extra == 0, "partner_customers after seeding")
                }
            }
            try await db.read { sql in
                let counts = { (query: String) in
                    try await sql.raw(SQLQueryString(query)).all().map {
                        "\(try $0.decode(column: "k", as: String.self)) \(try $0.decode(column: "n", as: Int64.self))"
                    }.sorted()
                }
                let key = "organization_id || '/' || location_id || '/' || engagement_id || '/' || solution_area_id || '/' || kind || '/' || status"
                #expect(try await counts("SELECT \(key) AS k, n FROM claim_counts WHERE n <> 0")
                            == (try await counts("SELECT \(key) AS k, COUNT(*) AS n FROM claims GROUP BY \(key)")), "claim_counts")
                // The search index holds every claim's text, the seeded ones' made once from their contacts.
                let docs = { (query: String) in
                    try await sql.raw(SQLQueryString(query)).all().map {
                        "\(try $0.decode(column: "k", as: Int64.self)) \(try $0.decode(column: "doc", as: String.self))"
                    }.sorted()
                }
                let kept = try await docs(flavor == .sqlite ? "SELECT rowid AS k, doc FROM claim_search" : "SELECT claim_id AS k, doc FROM claim_search")
                #expect(kept.count == (try await sql.raw("SELECT COUNT(*) AS n FROM claims").first(decodingColumn: "n", as: Int.self)))
                // From scratch: on PostgreSQL by the function its triggers call.
                #expect(kept == (try await docs(flavor == .sqlite ? """
                    SELECT c.id AS k, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31)
                      || COALESCE(cu.tenant_id, '') || char(31)
                      || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) AS doc
                    FROM claims c JOIN customers cu ON cu.id = c.customer_id
                    """ : "SELECT c.id AS k, claim_search_doc(c.id) AS doc FROM claims c")), "claim_search")
            }
            if flavor == .sqlite {
                try await db.write(changesClaims: false) { sql in
                    // The trigram index agrees with its texts, and the load's larger hash size is gone with it.
                    try await sql.raw("INSERT INTO claim_search (claim_search) VALUES ('integrity-check')").run()
                    let hashSize = try await sql.raw("SELECT v FROM claim_search_config WHERE k = 'hashsize'").first(decodingColumn: "v", as: Int.self)
                    #expect(hashSize ?? KeptTables.searchHashSize == KeptTables.searchHashSize)
                }
            }
        }
    }
}
