import Foundation
@testable import IncentivesStore
import SQLiteKit
import SQLKit
import Testing

/// `InsertRows`: many rows written as one statement would write them, on both databases. On SQLite they go through one
/// kept single-row statement with values in their SQLite form read directly (`StoredValue`), so that form must be the
/// one SQLiteKit's encoder gives, and a failing row must take the rows before it along.
@Suite("Inserting many rows at once")
struct InsertRowsTests {
    @Test("each value's SQLite form is the one SQLiteKit's encoder gives it")
    func sqliteFormAsEncoded() throws {
        let encoder = SQLiteDataEncoder()
        let values: [any StoredValue] = [
            0, -7, Int.max, Int64(42), Int64.min, "", "Fabrikam ü €", 0.5, -1e-9, true, false,
            Date(timeIntervalSince1970: 1_764_000_000.25), Date(timeIntervalSince1970: 0),
            Int64?.none, Int64?.some(3), String?.none, String?.some("x"), Date?.none, Date?.some(Date(timeIntervalSince1970: 9)),
            Bool?.some(true), Double?.none, Int?.some(-1),
        ]
        for value in values {
            #expect(value.sqliteValue == (try encoder.encode(value)), "\(value)")
        }
    }

    static func customers(_ ids: [Int64]) -> InsertRows {
        var insert = InsertRows("customers", ["id", "name", "domain", "tenant_id", "created_at"], rows: ids.count)
        for id in ids {
            insert.values += [id, "Customer \(id)", id.isMultiple(of: 2) ? "c\(id).example" : String?.none, "t\(id)",
                              Date(timeIntervalSince1970: 1_764_000_000)] as [any StoredValue]
        }
        return insert
    }

    static func stored(_ db: Database) async throws -> [String] {
        try await db.read { sql in
            try await sql.raw("SELECT id, name, domain FROM customers WHERE id >= 9000 ORDER BY id").all().map { row in
                "\(try row.decode(column: "id", as: Int64.self)) \(try row.decode(column: "name", as: String.self)) "
                    + (try row.decode(column: "domain", as: String?.self) ?? "-")
            }
        }
    }

    static func line(_ id: Int64) -> String { "\(id) Customer \(id) \(id.isMultiple(of: 2) ? "c\(id).example" : "-")" }

    @Test("rows are written with their values, a few or more than one statement takes on SQLite", arguments: TestDatabases.flavors)
    func written(_ flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            // 450 rows of 5 columns: two whole statements of 200 rows on SQLite, then 50 rows one at a time.
            #expect(Self.customers([1]).sqliteRowsPerStatement == 200)
            let many = (Int64(10_001)...10_450).map { $0 }
            try await db.write { sql in
                try await Self.customers([9_001, 9_002, 9_003]).run(on: sql)
                try await Self.customers([9_004]).run(on: sql)
                try await Self.customers(many).run(on: sql)
            }
            #expect(try await Self.stored(db) == ([9_001, 9_002, 9_003, 9_004] + many).map(Self.line))
        }
    }

    /// SQLite goes on with a transaction after a failed statement (PostgreSQL does not), so there the rows before the
    /// failing one must be taken back by `InsertRows` itself.
    @Test("on SQLite a row that fails leaves none of its rows, and the transaction goes on")
    func allOrNone() async throws {
        try await TestDatabases.with(.sqlite) { db in
            let many = (Int64(10_001)...10_450).map { $0 }
            try await db.write { sql in
                try await Self.customers([9_001]).run(on: sql)
                // The third row repeats the first's id.
                await #expect(throws: (any Error).self) { try await Self.customers([9_002, 9_003, 9_002]).run(on: sql) }
                // A repeated id in the second whole statement (row 251 of 451), and one among the rows after them.
                await #expect(throws: (any Error).self) { try await Self.customers(many[..<250] + [10_001] + many[250...]).run(on: sql) }
                await #expect(throws: (any Error).self) { try await Self.customers(many + [10_300]).run(on: sql) }
                try await Self.customers([9_004]).run(on: sql)
            }
            #expect(try await Self.stored(db) == [9_001, 9_004].map(Self.line))
        }
    }
}
