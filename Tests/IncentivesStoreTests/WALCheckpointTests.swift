import Foundation
@testable import IncentivesStore
import SQLKit
import Testing

/// SQLite's write-ahead log is copied into the database file by a thread of its own (`WALCheckpointer`), not inside the
/// writer's COMMIT, where SQLite's automatic checkpoint and its sync ran on every thousand pages.
@Suite("SQLite checkpoints")
struct WALCheckpointTests {
    /// Pages of 4 KiB: a row of a 4,000-byte blob takes one.
    static let pageSize = 4_096
    static let commits = 8
    static let rowsACommit = 300

    /// A fresh file opened with `limits`, `body` on it, then closed and removed.
    static func with(_ limits: WALCheckpointer.Limits, _ body: (Database, String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("incentives-tests/wal-\(UUID().uuidString.prefix(12)).sqlite").path
        let db = try await Database.open(.sqlite(path: path), maxConnections: 2, checkpoints: limits)
        do {
            try await db.write { try await $0.raw("CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)").run() }
            try await body(db, path)
        } catch {
            await db.close()
            throw error
        }
        await db.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Eight commits of about 300 pages each.
    static func writePages(_ db: Database) async throws {
        for _ in 0..<commits {
            try await db.write { sql in
                try await sql.raw("""
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(unsafeRaw: String(rowsACommit)))
                    INSERT INTO blobs (b) SELECT randomblob(4000) FROM n
                    """).run()
            }
        }
    }

    static func logPages(_ path: String) throws -> Int {
        let size = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        return size / (pageSize + 24)
    }

    @Test("a COMMIT copies nothing into the file: with no checkpoint due, the log holds every commit's pages")
    func commitsLeaveTheLog() async throws {
        try await Self.with(.init(background: .max, writer: .max)) { db, path in
            try await Self.writePages(db)
            // SQLite's own checkpoint, run by the COMMIT past 1,000 pages, would have let the log start over from its
            // beginning (about 1,200 pages at most).
            #expect(try Self.logPages(path) >= Self.commits * Self.rowsACommit)
            #expect(db.checkpointer?.copies == 0)
        }
    }

    @Test("past its threshold the log is copied into the file by the checkpointer's thread, all of it once writes stop")
    func checkpointerCopiesTheLog() async throws {
        try await Self.with(.init(background: 100, writer: .max)) { db, path in
            try await Self.writePages(db)
            let checkpointer = try #require(db.checkpointer)
            let deadline = ContinuousClock.now + .seconds(30)
            while checkpointer.lastCopy.map({ $0.copied < $0.log || $0.log < checkpointer.lastCommitPages }) ?? true,
                  ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let last = try #require(checkpointer.lastCopy)
            // (SQLite's commit hook counts the log a frame shorter than its checkpoint does.)
            #expect(last.copied == last.log && last.log >= checkpointer.lastCommitPages, "the whole log, up to the last commit")
            #expect(checkpointer.writerCopies == 0, "the writer copied nothing")
            #expect(checkpointer.copies >= 1)
            // The log starts over at the next write instead of growing.
            let before = try Self.logPages(path)
            try await db.write { try await $0.raw("INSERT INTO blobs (b) VALUES (randomblob(4000))").run() }
            #expect(try Self.logPages(path) == before)
            #expect(try await db.read { try await $0.raw("SELECT count(*) AS n FROM blobs").first(decodingColumn: "n", as: Int.self) }
                    == Self.commits * Self.rowsACommit + 1)
        }
    }

    @Test("when the log passes the writer's ceiling (the checkpointer behind), the writer copies it itself, and it starts over")
    func writerCatchesUp() async throws {
        try await Self.with(.init(background: .max, writer: 500)) { db, path in
            try await Self.writePages(db)
            let checkpointer = try #require(db.checkpointer)
            #expect(checkpointer.writerCopies >= 1)
            #expect(try Self.logPages(path) < 1_000, "the log started over after each copy")
        }
    }
}
