import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// `StoredColumns` reads SQLite's values directly, where SQLKit decodes them through `Decodable`: the two must
/// read every value the same, and refuse the same wrong reads.
@Suite("Columns read without Decodable, on SQLite and PostgreSQL")
struct StoredColumnsTests {
    @Test("each type reads as SQLKit's decoder reads it, and SQLite rows take the direct path", arguments: TestDatabases.flavors)
    func readsAsSQLKit(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let when = Date(timeIntervalSince1970: 1_795_572_077.25)
            let rows = try await db.read { sql in
                try await sql.raw("""
                    SELECT CAST(\(bind: Int64(-9_007_199_254_740_993)) AS BIGINT) AS big, CAST(\(bind: 42) AS INTEGER) AS small,
                           CAST(\(bind: "Bluefin – Zürich 🐟") AS TEXT) AS name, CAST(NULL AS TEXT) AS no_text,
                           CAST(NULL AS BIGINT) AS no_number, \(bind: true) AS flag, \(bind: when) AS at,
                           CAST(NULL AS \(unsafeRaw: flavor == .sqlite ? "REAL" : "TIMESTAMPTZ")) AS never
                    """).all()
            }
            let row = try #require(rows.first)
            #expect((row is SQLiteStatementRow) == (flavor == .sqlite))
            let column = StoredColumns(row)
            #expect(try column("big", as: Int64.self) == (try row.decode(column: "big", as: Int64.self)))
            #expect(try column("big", as: Int64.self) == -9_007_199_254_740_993)
            #expect(try column("small", as: Int.self) == 42)
            #expect(try column("name", as: String.self) == "Bluefin – Zürich 🐟")
            #expect(try column("no_text", as: String?.self) == nil)
            #expect(try column("name", as: String?.self) == "Bluefin – Zürich 🐟")
            #expect(try column("no_number", as: Int64?.self) == nil)
            #expect(try column("small", as: Int64?.self) == 42)
            #expect(try column("flag", as: Bool.self) == (try row.decode(column: "flag", as: Bool.self)))
            #expect(try column("flag", as: Bool.self))
            #expect(try column("at", as: Date.self) == (try row.decode(column: "at", as: Date.self)))
            #expect(try column("never", as: Date?.self) == nil)
            #expect(throws: (any Error).self) { try column("absent", as: Int64.self) }
            #expect(throws: (any Error).self) { try column("no_text", as: String.self) }
            #expect(throws: (any Error).self) { try column("name", as: Int64.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "name", as: Int64.self) }
        }
    }
}
