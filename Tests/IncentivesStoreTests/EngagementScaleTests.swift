import Foundation
import IncentivesDomain
@testable import IncentivesStore
import Logging
import NIOCore
import SQLKit
import Synchronization
import Testing

/// DESIGN's rule "a request path never reads in proportion to all claims", for the engagements pages and API:
/// the same reads at two data sizes send the same statements and bring back about the same rows, and on SQLite
/// every plan seeks claims and customers by an index instead of scanning them.
@Suite("Engagement reads at scale")
struct EngagementScaleTests {
    let now = TestDatabases.now
    let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
    let seattle = AccessScope.partner(organizationID: 1, locationIDs: [1])

    struct Cost { var statements: [any SQLExpression]; var rows: Int }

    /// What the engagements page, the API's list and one engagement's Customers tab read, for one scope.
    func cost(_ scope: AccessScope, db: Database) async throws -> Cost {
        let now = self.now
        let (_, recording) = try await db.recordingStatements {
            try await db.read { sql in
                _ = try await EngagementReads.board(in: scope, at: now, flavor: db.flavor, on: sql)
                _ = try await EngagementReads.detail(1, in: scope, at: now, customerLimit: 10, on: sql)
            }
        }
        return Cost(statements: recording.statements.map(\.expression), rows: recording.rows)
    }

    @Test("the board and a Customers page send the same statements and read about the same rows with 3,000 more claims",
          arguments: TestDatabases.flavors)
    func flatWithClaims(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let claims = { try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM claims").first()!.decode(column: "n", as: Int.self) } }
            let before = try await claims()
            let small = [try await cost(bluefin, db: db), try await cost(seattle, db: db)]
            try await Seeder(db: db).seedScale(count: 3_000, now: now, batchSize: 1_000)
            #expect(try await claims() - before == 3_000)
            let large = [try await cost(bluefin, db: db), try await cost(seattle, db: db)]
            for (s, l) in zip(small, large) {
                #expect(l.statements.count == s.statements.count)
                // A few rows more is allowed (an engagement that had no claim now has one); one per claim is not.
                #expect(l.rows - s.rows <= 30, "rows read: \(s.rows) with \(before) claims, \(l.rows) with \(before + 3_000)")
            }
        }
    }

    @Test("on SQLite every statement seeks claims by the scope, by customer or by id, customers by id or from the scope's point; nothing is scanned")
    func plansUseIndexes() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            try await Seeder(db: db).seedScale(count: 1_000, now: now, batchSize: 1_000)
            for scope in [bluefin, seattle] {
                for statement in try await cost(scope, db: db).statements {
                    let text = try await db.read { sql in
                        var serializer = SQLSerializer(database: sql)
                        statement.serialize(to: &serializer)
                        return serializer.sql
                    }
                    let plan = try await Self.plan(of: statement, db: db)
                    // Claims are reached through the scope's range of an index (its open ones on one engagement by status), one
                    // customer's claims, or an id; never by a scan, nor by a range that holds other organizations' claims.
                    // Customers by id; the scope's customers (`partner_customers`) walked by name through its organization's
                    // or its location's range, each walk stopped by its LIMIT.
                    let seeks = ["(organization_id=? AND location_id=?)", "(organization_id=? AND engagement_id=? AND status=? AND location_id=?)",
                                 "(customer_id=?", "(rowid=?)", "USING COVERING INDEX partner_customers_organization (organization_id=?",
                                 "USING COVERING INDEX partner_customers_location (location_id=?"]
                    let wrong = plan.filter { line in
                        Self.growingAliases(in: text).contains { alias in
                            line.hasPrefix("SCAN \(alias) ") || line == "SCAN \(alias)"
                                || (line.hasPrefix("SEARCH \(alias) ") && !seeks.contains { line.contains($0) })
                        }
                    }
                    #expect(wrong.isEmpty, "\(wrong) in:\n\(text)\n\(plan.joined(separator: "\n"))")
                }
            }
        }
    }

    /// SQLite's `EXPLAIN QUERY PLAN` lines of a statement, with its binds.
    static func plan(of statement: any SQLExpression, db: Database) async throws -> [String] {
        var explain: SQLQueryString = "EXPLAIN QUERY PLAN "
        explain.appendInterpolation(statement)
        let query = explain
        return try await db.read { try await $0.raw(query).all() }.map { try $0.decode(column: "detail", as: String.self) }
    }

    /// The names a statement gives the tables that grow with the claims (`claims`, and `customers` and `partner_customers`: one
    /// per claim at scale).
    static func growingAliases(in sql: String) -> Set<String> {
        var aliases: Set<String> = []
        let words = sql.replacingOccurrences(of: "\"", with: "").split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
            .map(String.init)
        for (i, word) in words.enumerated() where word == "claims" || word == "customers" || word == "partner_customers" {
            aliases.insert(word)
            var next = i + 1
            if next < words.count, words[next].uppercased() == "AS" { next += 1 }
            if next < words.count, !Self.keywords.contains(words[next].uppercased()) { aliases.insert(words[next]) }
        }
        return aliases
    }

    static let keywords: Set<String> = ["WHERE", "JOIN", "LEFT", "INNER", "ON", "GROUP", "ORDER", "LIMIT", "SET", "VALUES", "UNION", "SELECT", "AND", "OR"]
}
