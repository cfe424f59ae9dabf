import Foundation
@testable import IncentivesStore
import SQLKit
import Testing

/// The SQLite connection that keeps its prepared statements: a kept statement answers as a fresh one would.
@Suite("SQLite kept statements")
struct SQLiteStatementsTests {
    /// A file of its own with one table of `rows` rows, opened twice: `a` and `b`.
    static func withTwoConnections(rows: Int = 10,
                                   _ body: (SQLiteStatementDatabase, SQLiteStatementDatabase) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kept-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let a = SQLiteStatementDatabase(connection: try await .open(path: path), logger: .init(label: "test"))
        let b = SQLiteStatementDatabase(connection: try await .open(path: path), logger: .init(label: "test"))
        do {
            try await a.raw("PRAGMA journal_mode = WAL").run()
            try await a.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)").run()
            for i in 1...rows {
                try await a.raw("INSERT INTO t (id, name, score) VALUES (\(bind: i), \(bind: "n\(i)"), \(bind: Double(i) / 2))").run()
            }
            try await body(a, b)
        } catch {
            try? await a.connection.close(); try? await b.connection.close()
            throw error
        }
        try await a.connection.close()
        try await b.connection.close()
    }

    @Test("a statement run again with other values answers with the rows of those values")
    func runAgain() async throws {
        try await Self.withTwoConnections { a, _ in
            for i in [3, 7, 3] {
                let name = try await a.raw("SELECT name FROM t WHERE id = \(bind: i)").first(decodingColumn: "name", as: String.self)
                #expect(name == "n\(i)")
            }
            let none = try await a.raw("SELECT name FROM t WHERE id = \(bind: 99)").first(decodingColumn: "name", as: String.self)
            #expect(none == nil)
            let score = try await a.raw("SELECT score FROM t WHERE id = \(bind: 5)").first(decodingColumn: "score", as: Double.self)
            #expect(score == 2.5)
        }
    }

    @Test("a kept statement is prepared once, run after run with other values, even where SQLite's plan looked at a value")
    func preparedOnce() async throws {
        try await Self.withTwoConnections { a, _ in
            // `score = ?` on a column no index holds: SQLite's planner guesses its selectivity from the bound value
            // (0 or 1, or another), and marks the statement to be prepared again should the value change between them.
            for (first, second, score) in [(2, 4, 1.0), (3, 6, 3.0), (8, 9, 4.0), (5, 1, 2.5)] {
                let names = try await a.raw("""
                    SELECT name FROM t WHERE id IN (\(bind: first), \(bind: second)) AND score = \(bind: score) ORDER BY id
                    """).all(decodingColumn: "name", as: String.self)
                #expect(names == ["n\(Int(score * 2))"])
            }
            #expect(a.connection.timesPreparedAgain == 0)
        }
    }

    @Test("a kept read whose rows were not all taken holds no read transaction: another connection's checkpoint completes")
    func noReadLeftOpen() async throws {
        try await Self.withTwoConnections { a, b in
            _ = try await a.raw("SELECT id FROM t ORDER BY id").first()
            try await b.raw("UPDATE t SET name = 'changed' WHERE id = 1").run()
            // busy = 1 when a reader still holds a snapshot older than the last write.
            let busy = try await b.raw("PRAGMA wal_checkpoint(TRUNCATE)").first(decodingColumn: "busy", as: Int.self)
            #expect(busy == 0)
            let name = try await a.raw("SELECT name FROM t WHERE id = \(bind: 1)").first(decodingColumn: "name", as: String.self)
            #expect(name == "changed", "the kept statement reads the latest data")
        }
    }

    @Test("a kept statement sees a column added after it was prepared")
    func schemaChange() async throws {
        try await Self.withTwoConnections { a, b in
            #expect(try await a.raw("SELECT * FROM t WHERE id = 1").first()?.allColumns == ["id", "name", "score", "data"])
            try await b.raw("ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'x'").run()
            let row = try await a.raw("SELECT * FROM t WHERE id = 1").first()
            #expect(row?.allColumns == ["id", "name", "score", "data", "extra"])
            #expect(try row?.decode(column: "extra", as: String.self) == "x")
        }
    }

    @Test("a failed statement says why and leaves the connection usable, its kept statements too")
    func failure() async throws {
        try await Self.withTwoConnections { a, _ in
            try await a.raw("INSERT INTO t (id, name) VALUES (\(bind: 100), 'first')").run()
            do {
                try await a.raw("INSERT INTO t (id, name) VALUES (\(bind: 100), 'again')").run()
                Issue.record("a duplicate key must fail")
            } catch {
                #expect("\(error)".contains("UNIQUE constraint failed"), "\(error)")
            }
            try await a.raw("INSERT INTO t (id, name) VALUES (\(bind: 101), 'next')").run()
            #expect(try await a.raw("SELECT COUNT(*) AS n FROM t").first(decodingColumn: "n", as: Int.self) == 12)
        }
    }

    @Test("more distinct statements than a connection keeps: the oldest are let go and every answer stays right")
    func eviction() async throws {
        try await Self.withTwoConnections { a, _ in
            for i in 0..<(Database.keptStatements + 20) {
                let n = try await a.raw("SELECT \(unsafeRaw: "\(i)") + id AS n FROM t WHERE id = 1").first(decodingColumn: "n", as: Int.self)
                #expect(n == i + 1)
            }
            #expect(try await a.raw("SELECT 0 + id AS n FROM t WHERE id = 1").first(decodingColumn: "n", as: Int.self) == 1)
        }
    }

    @Test("text, numbers, blobs and nulls come back as they were written")
    func values() async throws {
        try await Self.withTwoConnections { a, _ in
            let text = "naïve \u{0}zero 😀"
            try await a.raw("INSERT INTO t (id, name, score, data) VALUES (50, \(bind: text), NULL, X'00FF10')").run()
            let row = try await a.raw("SELECT name, score, data, hex(data) AS hex FROM t WHERE id = 50").first()
            #expect(try row?.decode(column: "name", as: String.self) == text)
            #expect(try row?.decodeNil(column: "score") == true)
            #expect(try row?.decode(column: "hex", as: String.self) == "00FF10")
            #expect(try row?.decodeNil(column: "data") == false)
        }
    }
}
