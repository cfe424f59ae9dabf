import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

/// The deadline sweep writes a batch of expiries with a few set-based statements; these tests hold it to what the
/// claim-by-claim sweep writes, row for row, in every table.
@Suite("The deadline sweep in bulk")
struct BulkSweepTests {
    let now = TestDatabases.now
    let links = ClaimLinks(publicURL: "https://incentives.example")

    @Test("a bulk sweep leaves every table as the claim-by-claim sweep does: claims, history, outbox, webhooks, counts, search",
          arguments: TestDatabases.flavors)
    func sameRowsAsOneByOne(flavor: SQLFlavor) async throws {
        let later = now.adding(calendarDays: 45)
        let (oneByOne, oneByOneCounts) = try await TestDatabases.with(flavor, seeded: true) { db in
            try await prepare(db, sweepingAt: later)
            let counts = try await ClaimRepository(db: db).expireDue(at: later, links: links, batchSize: 97, oneByOne: true)
            return (try await Self.dump(db), counts)
        }
        let (bulk, bulkCounts) = try await TestDatabases.with(flavor, seeded: true) { db in
            try await prepare(db, sweepingAt: later)
            let counts = try await ClaimRepository(db: db).expireDue(at: later, links: links, batchSize: 250)
            return (try await Self.dump(db), counts)
        }
        #expect(oneByOneCounts.values.reduce(0, +) > 200, "the sweep has work to do")
        #expect(bulkCounts == oneByOneCounts)
        #expect(Set(bulk.keys) == Set(oneByOne.keys))
        for (table, rows) in oneByOne.sorted(by: { $0.key < $1.key }) {
            let other = bulk[table] ?? []
            #expect(other.count == rows.count, "\(table): \(other.count) rows in bulk, \(rows.count) one by one")
            let differing = zip(rows, other).filter { $0 != $1 }
            #expect(differing.isEmpty, "\(table): first difference \(differing.first.map { "\($0.0)\n  vs \($0.1)" } ?? "")")
        }
        // What the preparation set up was met: events, mail, a passed-over location, an arbitration left.
        #expect((oneByOne["webhook_deliveries"]?.count ?? 0) > 50 && (oneByOne["mail_outbox"]?.count ?? 0) > 200)
    }

    @Test("a claim changed after the sweep read it is not expired from the stale version: no history, mail or event of it",
          arguments: TestDatabases.flavors)
    func staleVersionIsPassedOver(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            _ = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://vendor.example/hooks")
            let later = now.adding(calendarDays: 400)
            let (expired, staleID) = try await db.write { sql in
                let due = try await ClaimRepository.dueBatch(at: later, after: nil, limit: 50, on: sql, flavor: db.flavor)
                var contexts = ContextCache()
                var expiries: [ClaimRepository.Expiry] = []
                for row in due {
                    let context = try await contexts.context(for: row.claim, on: sql)
                    expiries.append(ClaimRepository.Expiry(claim: row.claim, area: row.area, inArbitration: row.inArbitration,
                                                           context: context, at: later))
                }
                // Someone acts on the third claim between the sweep's read and its write.
                let stale = expiries[2].claim.id
                try await sql.raw("UPDATE claims SET version = version + 1 WHERE id = \(bind: stale)").run()
                let expired = try await ClaimRepository.expireInBulk(expiries, links: links, now: later, on: sql, flavor: db.flavor,
                                                                     logger: db.logger)
                return (expired, stale)
            }
            #expect(expired.count == 49 && !expired.contains { $0.claim.id == staleID })
            let (history, mail, events, status) = try await db.read { sql in
                let count = { (query: SQLQueryString) in try await sql.raw(query).first()!.decode(column: "n", as: Int.self) }
                return (try await count("SELECT COUNT(*) AS n FROM claim_history WHERE claim_id = \(bind: staleID) AND action = 'expire'"),
                        try await count("SELECT COUNT(*) AS n FROM mail_outbox WHERE claim_id = \(bind: staleID)"),
                        try await count("SELECT COUNT(*) AS n FROM webhook_events WHERE payload LIKE \(bind: "%\"id\":\(staleID),%")"),
                        try await sql.raw("SELECT status FROM claims WHERE id = \(bind: staleID)").first()!.decode(column: "status", as: String.self))
            }
            #expect(history == 0 && mail == 0 && events == 0)
            #expect(!(ClaimStatus(rawValue: status)?.isTerminal ?? true), "\(status)")
        }
    }

    /// Synthetic claims beside the demo, webhook endpoints of a partner and of the vendor, an arbitration among
    /// claims due, a location with an undeliverable recipient (its claims are passed over) and a stale stored clock.
    func prepare(_ db: Database, sweepingAt later: Date) async throws {
        try await Seeder(db: db).seedScale(count: 1_500, now: now, batchSize: 700)
        _ = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://bluefin.example/hooks")
        _ = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://vendor.example/hooks")
        try await db.write { sql in
            let due = try await sql.raw("""
                SELECT id, engagement_id, customer_id, location_id FROM claims WHERE expires_at <= \(bind: later) ORDER BY id LIMIT 400
                """).all()
            let first = try due[0].decode(column: "engagement_id", as: Int64.self)
            let customer = try due[0].decode(column: "customer_id", as: Int64.self)
            let sameEngagement = try due.filter { try $0.decode(column: "engagement_id", as: Int64.self) == first }
                .map { try $0.decode(column: "id", as: Int64.self) }
            for id in sameEngagement.prefix(3) {
                try await sql.raw("UPDATE claims SET customer_id = \(bind: customer), arbitration = 'pending' WHERE id = \(bind: id)").run()
            }
            // A location whose one recipient cannot be written to: its claims fail and are passed over.
            let broken = try due[200].decode(column: "location_id", as: Int64.self)
            try await sql.raw("""
                UPDATE users SET email = 'not an address' WHERE id = (SELECT MIN(u.id) FROM users u JOIN user_location_roles r
                  ON r.user_id = u.id WHERE r.location_id = \(bind: broken) AND r.role IN ('incentives_admin', 'incentives_user')
                  AND u.password_hash IS NOT NULL)
                """).run()
            // A stored clock earlier than the claim's true deadline: the domain refuses and the true clock is stored.
            try await sql.raw("""
                UPDATE claims SET expires_at = \(bind: later.addingTimeInterval(-86_400)) WHERE id = (SELECT MIN(id) FROM claims
                  WHERE expires_at > \(bind: later.addingTimeInterval(86_400 * 30)))
                """).run()
        }
    }

    /// Every table's rows as text, in id order, without what is random by design (secrets, password hashes, public ids).
    static func dump(_ db: Database) async throws -> [String: [String]] {
        try await db.read { sql in
            let tables: [String] = db.flavor == .sqlite
                ? try await sql.raw("""
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'claim_search_%'
                    """)
                    .all(decodingColumn: "name", as: String.self)
                : try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")
                    .all(decodingColumn: "name", as: String.self)
            var dump: [String: [String]] = [:]
            for table in tables {
                let columns: [String] = db.flavor == .sqlite
                    ? try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table)) ORDER BY cid")
                        .all(decodingColumn: "name", as: String.self)
                    : try await sql.raw("""
                        SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = \(bind: table)
                        ORDER BY ordinal_position
                        """).all(decodingColumn: "name", as: String.self)
                // PostgreSQL's sequences do not roll back with a savepoint: where the claim-by-claim sweep rolled back a
                // passed-over claim's rows, their ids stay used, so the rows written after it are numbered higher.
                let numbered = db.flavor == .postgres && ["claim_history", "webhook_events", "webhook_deliveries", "mail_outbox"].contains(table)
                // The catalogue's revision starts at random in each database (Migration32); neither sweep changes it.
                let random = ["public_id", "password_hash", "secret", "previous_secret", "token_hash"] + (numbered ? ["id", "event_id"] : [])
                    + (table == "catalogue_revision" ? ["n"] : [])
                let kept = columns.filter { !random.contains($0) }
                let key = table == "claim_search" && db.flavor == .sqlite ? ["rowid"] : []
                let selected = (key + kept).map { "CAST(\($0) AS TEXT) AS \($0 == "rowid" ? "row_id" : $0)" }.joined(separator: ", ")
                let rows = try await sql.raw(SQLQueryString("SELECT \(selected) FROM \(table)")).all()
                dump[table] = try rows.map { row in
                    try row.allColumns.map { column -> String in
                        let text = try row.decode(column: column, as: String?.self) ?? "NULL"
                        guard column == "payload" else { return text }
                        // The same body with its keys in one order, and without its random public id.
                        let json = try JSONSerialization.jsonObject(with: Data(text.replacing(/"id":"evt_[^"]*"/, with: "\"id\":\"evt\"").utf8))
                        return String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
                    }.joined(separator: " | ")
                }.sorted()
            }
            return dump
        }
    }
}
