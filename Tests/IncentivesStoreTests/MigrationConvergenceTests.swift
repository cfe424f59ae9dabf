import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Migration 17: a database that took migration 9 as it first landed ends as a fresh one, on SQLite and PostgreSQL")
struct MigrationConvergenceTests {
    let now = TestDatabases.now

    /// Migration 9's SQLite statements as they stood at 8229f40, before e5d90f4 rewrote them: no trigger for an edited
    /// contact email. (PostgreSQL's were the same then as now.)
    static let firstMigration9SQLite: [String] = [
        "CREATE VIRTUAL TABLE claim_search USING fts5(doc, tokenize = 'trigram')",
        """
        INSERT INTO claim_search (rowid, doc)
        SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, '') \
        || char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM \
        claims c JOIN customers cu ON cu.id = c.customer_id
        """,
        """
        CREATE TRIGGER claim_search_insert AFTER INSERT ON claims BEGIN
          INSERT INTO claim_search (rowid, doc)
          SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, \
        '') || char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM \
        claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = NEW.id;
        END
        """,
        """
        CREATE TRIGGER claim_search_update AFTER UPDATE OF name, customer_id ON claims BEGIN
          DELETE FROM claim_search WHERE rowid = NEW.id;
          INSERT INTO claim_search (rowid, doc)
          SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, \
        '') || char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM \
        claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = NEW.id;
        END
        """,
        "CREATE TRIGGER claim_search_delete AFTER DELETE ON claims BEGIN DELETE FROM claim_search WHERE rowid = OLD.id; END",
        """
        CREATE TRIGGER claim_search_contact_insert AFTER INSERT ON claim_contacts BEGIN
          DELETE FROM claim_search WHERE rowid = NEW.claim_id;
          INSERT INTO claim_search (rowid, doc)
          SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, \
        '') || char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM \
        claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = NEW.claim_id;
        END
        """,
        """
        CREATE TRIGGER claim_search_contact_delete AFTER DELETE ON claim_contacts BEGIN
          DELETE FROM claim_search WHERE rowid = OLD.claim_id;
          INSERT INTO claim_search (rowid, doc)
          SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, \
        '') || char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM \
        claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = OLD.claim_id;
        END
        """,
        """
        CREATE TRIGGER claim_search_customer_update AFTER UPDATE OF name, domain, tenant_id ON customers BEGIN
          DELETE FROM claim_search WHERE rowid IN (SELECT id FROM claims WHERE customer_id = NEW.id);
          INSERT INTO claim_search (rowid, doc)
          SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, \
        '') || char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM \
        claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.customer_id = NEW.id;
        END
        """,
    ]

    /// Migrations after 17 whose tables the demo seeder writes.
    static let seederNeeds: Set<Int> = [21]

    /// What a test compares of two databases: the search index's rows, and the triggers.
    struct Schema: Equatable {
        var index: [String]
        var triggers: [String]
    }

    @Test("edited contact emails are found after migration 17, those edited before it too; index and triggers as on a fresh database",
          arguments: TestDatabases.flavors)
    func earlyMigration9(flavor: SQLFlavor) async throws {
        let early = try await TestDatabases.with(flavor, migrations: Migrator.all.filter { $0.number < 9 }) { db in
            try await db.write { sql in
                let statements = flavor == .sqlite ? Self.firstMigration9SQLite : Migrator.migration09.sql(for: .postgres)
                for statement in statements { try await sql.raw(SQLQueryString(statement)).run() }
                try await sql.raw("""
                    INSERT INTO schema_migrations (number, name, applied_at) VALUES (9, 'claim search index', \(bind: now))
                    """).run()
            }
            // The demo seeder writes today's eligibility lists (migration 21, which leaves the search index alone): that one
            // runs before the seed too.
            try await Migrator.migrate(db, clock: FixedClock(now),
                                       migrations: Migrator.all.filter { $0.number < 17 || Self.seederNeeds.contains($0.number) })
            try await Seeder(db: db).seedDemo(now: now, passwordCost: 4)
            let (first, last) = try await Self.claimsWithContacts(db)
            try await Self.editEmail(of: first, to: "wren.early@edited.example", db)
            let before = try await Self.found("wren.early", db)
            #expect(before.contains(first) == (flavor == .postgres), "before migration 17 only PostgreSQL's index follows an edited email")

            let applied = try await Migrator.migrate(db, clock: FixedClock(now))
            #expect(applied == Migrator.all.map(\.number).filter { $0 >= 17 && !Self.seederNeeds.contains($0) })
            #expect(try await Self.found("wren.early", db) == [first], "an email edited before migration 17 is found")
            try await Self.editEmail(of: last, to: "kit.late@edited.example", db)
            #expect(try await Self.found("kit.late", db) == [last], "an email edited after migration 17 is found")
            return try await Self.schema(db)
        }
        let fresh = try await TestDatabases.with(flavor, seeded: true) { db in
            let (first, last) = try await Self.claimsWithContacts(db)
            try await Self.editEmail(of: first, to: "wren.early@edited.example", db)
            try await Self.editEmail(of: last, to: "kit.late@edited.example", db)
            return try await Self.schema(db)
        }
        #expect(early.triggers == fresh.triggers)
        #expect(early.index.count == fresh.index.count && early.index.count > 100)
        let differing = Set(early.index).symmetricDifference(fresh.index).sorted()
        #expect(differing.isEmpty, "every claim's indexed text as on a fresh database; differing rows: \(differing)")
    }

    /// The lowest and highest claim ids with a contact (the demo data is the same on every database seeded alike).
    static func claimsWithContacts(_ db: Database) async throws -> (Int64, Int64) {
        let row = try await db.read { sql in
            try #require(try await sql.raw("SELECT MIN(claim_id) AS first, MAX(claim_id) AS last FROM claim_contacts").first())
        }
        return (try row.decode(column: "first", as: Int64.self), try row.decode(column: "last", as: Int64.self))
    }

    static func editEmail(of claim: Int64, to email: String, _ db: Database) async throws {
        try await db.write { sql in
            try await sql.raw("""
                UPDATE claim_contacts SET email = \(bind: email)
                WHERE claim_id = \(bind: claim) AND position = (SELECT MIN(position) FROM claim_contacts WHERE claim_id = \(bind: claim))
                """).run()
        }
    }

    /// The claims the list's search finds for `term`, read through the index.
    static func found(_ term: String, _ db: Database) async throws -> Set<Int64> {
        try await db.read { sql in
            let match = try #require(try await ClaimSearchIndex.match(term, flavor: db.flavor, in: .system, on: sql))
            var query: SQLQueryString = "SELECT c.id FROM claims c WHERE "
            query.appendInterpolation(match.condition)
            return Set(try await sql.raw(query).all().map { try $0.decode(column: "id", as: Int64.self) })
        }
    }

    static func schema(_ db: Database) async throws -> Schema {
        try await db.read { sql in
            let (index, triggers): (SQLQueryString, SQLQueryString) = switch db.flavor {
            case .sqlite: ("SELECT id, c0 AS doc FROM claim_search_content ORDER BY id",
                           "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            case .postgres: ("SELECT claim_id AS id, doc FROM claim_search ORDER BY claim_id",
                             "SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname")
            }
            let rows = try await sql.raw(index).all().map { row in
                "\(try row.decode(column: "id", as: Int64.self)): \(try row.decode(column: "doc", as: String.self))"
            }
            return Schema(index: rows, triggers: try await sql.raw(triggers).all().map { try $0.decode(column: "name", as: String.self) })
        }
    }
}
