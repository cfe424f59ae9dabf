import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Synchronization
import Testing

/// The PostgreSQL side of the guard against reads that grow (issue 20): the same reads as `ReadGrowthTests`, on the demo
/// grown to 20,000 claims on PostgreSQL, each reading statement explained with sequential scans switched off. A plan
/// that still scans a large table whole has no index to read instead, so it would read every claim (or history row,
/// earning, customer) at ten million as well. Small tables (engagements, locations, users) may be scanned. The claims
/// list's sorted pages are also run under `EXPLAIN ANALYZE`, and no step of their plans may handle more than a few pages
/// of rows.
@Suite("Reads at scale on PostgreSQL: no read needs a whole scan of a large table")
struct ReadPlanTests {
    /// The tables that grow with the claims.
    static let largeTables: Set<String> = ["claims", "claim_history", "claim_proof", "earnings", "earning_ledger", "customers",
                                           "claim_search", "claim_comments", "claim_reminders", "mail_outbox", "webhook_deliveries",
                                           "webhook_attempts", "payment_run_items", "partner_customers"]

    /// Reads whose plans still scan a large table whole, each waiting for its fix in issue 20. An entry that no longer
    /// scans fails the test too, so the list can only shrink.
    static let knownScans: Set<String> = []

    /// Sorted pages whose plans still handle more than `sortedPageRows` in a step, each waiting for its fix in issue 20:
    /// on PostgreSQL the scope's filters on the claims are indexable, and the planner ANDs the scope's index with the
    /// sort's (a one-location user's whole location); the customer walk's scope is stated inside its LATERAL subquery,
    /// so the vendor's index of every customer is read. The list can only shrink, as `knownScans`.
    static let knownHeavySortedPages: Set<String> = [
        "admin@bluefin.example GET /claims?sort=engagement&after=M3x0Ok0",
        "admin@bluefin.example GET /claims?sort=engagement&dir=asc&after=M3x0Ok0",
        "user@bluefin.example GET /claims?sort=engagement&after=M3x0Ok0",
        "user@bluefin.example GET /claims?sort=engagement&dir=asc&after=M3x0Ok0",
        "user@bluefin.example GET /claims?sort=name&dir=asc&after=M3x0Ok0",
    ]

    @Test("each page and API read has a plan without a whole scan of claims, their history, earnings or customers")
    func plansUseIndexes() async throws {
        guard let flavor = TestDatabases.flavors.first(where: { $0 == .postgres }) else { return }
        let scans = Mutex<(found: [String: [String]], heavy: [String: [String]])>(([:], [:]))
        try await WebHarness.with(flavor: flavor) { app in
            try await Seeder(db: app.db).seedScale(count: 20_000 - 200, now: app.clock.now)
            // Fresh statistics, as autovacuum would have them on a real database: the planner's choices follow them.
            try await app.db.write(changesClaims: false) { try await $0.raw("ANALYZE").run() }
            var found: [String: [String]] = [:], heavy: [String: [String]] = [:]
            for (read, statements) in try await ReadGrowthTests.recordReads(app) {
                for statement in statements {
                    let plan = try await Self.plan(of: statement, on: app.db)
                    let tables = Self.wholeScans(in: plan).filter(Self.largeTables.contains)
                    if !tables.isEmpty {
                        found[read, default: []].append("scans \(tables.sorted().joined(separator: ", ")) whole: "
                                                        + statement.sql.prefix(300) + "\n" + plan)
                    }
                    // A sorted page may read its index ranges, never a step that handles the scope's claims: with every
                    // claim joined first and each location's then sorted, a page by location read a whole location.
                    if read.contains("/claims?sort=") {
                        let (rows, ran) = try await Self.rowsHandled(by: statement, on: app.db)
                        if rows > Self.sortedPageRows {
                            heavy[read, default: []].append("handles \(rows) rows in one step: " + statement.sql.prefix(300) + "\n" + ran)
                        }
                    }
                }
            }
            scans.withLock { $0 = (found, heavy) }
        }
        let (found, heavy) = scans.withLock { $0 }
        if let file = ProcessInfo.processInfo.environment["READ_PLAN_REPORT"] {
            try? found.merging(heavy) { $0 + $1 }.sorted { $0.key < $1.key }.map { "\($0.key):\n\($0.value.joined(separator: "\n"))\n" }.joined(separator: "\n")
                .write(toFile: file, atomically: true, encoding: .utf8)
        }
        for (read, problems) in found.sorted(by: { $0.key < $1.key }) where !Self.knownScans.contains(read) {
            Issue.record("\(read) scans a large table whole on PostgreSQL:\n\(problems.joined(separator: "\n"))")
        }
        for read in Self.knownScans.subtracting(found.keys).sorted() {
            Issue.record("\(read) no longer scans a large table whole: take it off ReadPlanTests.knownScans")
        }
        for (read, problems) in heavy.sorted(by: { $0.key < $1.key }) where !Self.knownHeavySortedPages.contains(read) {
            Issue.record("\(read) handles more than a few pages of rows on PostgreSQL:\n\(problems.joined(separator: "\n"))")
        }
        for read in Self.knownHeavySortedPages.subtracting(heavy.keys).sorted() {
            Issue.record("\(read) no longer handles more than a few pages of rows: take it off ReadPlanTests.knownHeavySortedPages")
        }
    }

    /// The text plan of the statement with its values, sequential scans switched off for this transaction only.
    static func plan(of statement: RecordedStatement, on db: Database) async throws -> String {
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("SET LOCAL enable_seqscan = off").run()
            let rows = try await sql.raw("EXPLAIN \(statement.expression)").all(decodingColumn: "QUERY PLAN", as: String.self)
            return rows.joined(separator: "\n")
        }
    }

    /// The most rows one step of a sorted claims page's plan may handle at 20,000 claims: a few pages' worth for each of
    /// the demo's locations or engagements that a walked read passes through.
    static let sortedPageRows = 2_000

    /// The most rows any step of the statement's plan handled when it ran (each step's rows times its loops), with the
    /// plan as it ran, the planner's settings as the app's.
    static func rowsHandled(by statement: RecordedStatement, on db: Database) async throws -> (Int, String) {
        try await db.write(changesClaims: false) { sql in
            let rows = try await sql.raw("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) \(statement.expression)")
                .all(decodingColumn: "QUERY PLAN", as: String.self)
            let plan = rows.joined(separator: "\n")
            let most = plan.matches(of: /actual rows=(\d+) loops=(\d+)/).map { Int($0.output.1)! * Int($0.output.2)! }.max() ?? 0
            return (most, plan)
        }
    }

    /// The tables a plan reads whole (`Seq Scan on <table>`, parallel or not).
    static func wholeScans(in plan: String) -> Set<String> {
        Set(plan.matches(of: /Seq Scan on (\w+)/).map { String($0.output.1) })
    }

    @Test("a plan's whole scans are found, parallel ones too, and index scans are not taken for them")
    func readsPlans() {
        let plan = """
            Hash Join  (cost=1.09..2.2 rows=1 width=8)
              ->  Parallel Seq Scan on claims c  (cost=0.00..1.01 rows=1 width=8)
              ->  Index Scan using earnings_pkey on earnings e  (cost=0.15..8.17 rows=1 width=8)
              ->  Seq Scan on locations l  (cost=0.00..1.04 rows=4 width=8)
            """
        #expect(Self.wholeScans(in: plan) == ["claims", "locations"])
    }
}
