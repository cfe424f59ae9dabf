import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Database transactions")
struct DatabaseTests {
    /// Raised and awaited by the two transactions below, so they take their locks in the order that deadlocks.
    actor Signals {
        private var raised: Set<String> = []
        private(set) var attempts = 0
        func raise(_ name: String) { raised.insert(name) }
        func wait(for name: String) async throws {
            while !raised.contains(name) { try await Task.sleep(for: .milliseconds(5)) }
        }
        func attempt() -> Int { attempts += 1; return attempts }
    }

    @Test("PostgreSQL: of two transactions that deadlock, the one the server aborts runs again and both are kept",
          .enabled(if: TestDatabases.flavors.contains(.postgres)))
    func deadlockRetried() async throws {
        try await TestDatabases.with(.postgres) { db in
            try await db.write { sql in
                try await sql.raw("CREATE TABLE tallies (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)").run()
                try await sql.raw("INSERT INTO tallies VALUES (1, 0), (2, 0)").run()
            }
            let signals = Signals()
            // Each takes its first row, waits (first attempt only) until the other holds its own, then wants it.
            @Sendable func crossing(_ first: Int, _ second: Int) async throws {
                try await db.write { sql in
                    let attempt = await signals.attempt()
                    try await sql.raw("UPDATE tallies SET n = n + 1 WHERE id = \(bind: first)").run()
                    await signals.raise("holds \(first)")
                    if attempt <= 2 { try await signals.wait(for: "holds \(second)") }
                    try await sql.raw("UPDATE tallies SET n = n + 1 WHERE id = \(bind: second)").run()
                }
            }
            async let a: Void = crossing(1, 2)
            async let b: Void = crossing(2, 1)
            _ = try await (a, b)
            let totals = try await db.read { sql in
                try await sql.raw("SELECT n FROM tallies ORDER BY id").all().map { try $0.decode(column: "n", as: Int.self) }
            }
            #expect(totals == [2, 2], "both transactions are kept, each once")
            #expect(await signals.attempts == 3, "one of the two was aborted by the server and ran again")
        }
    }

    @Test("PostgreSQL: instances starting at once on an empty database all migrate it, and each migration is applied once",
          .enabled(if: TestDatabases.flavors.contains(.postgres)))
    func concurrentMigrations() async throws {
        try await TestDatabases.with(.postgres, migrations: []) { db in
            // Truly empty, as a new deployment's first start finds it.
            try await db.write { try await $0.raw("DROP TABLE schema_migrations").run() }
            let clock = FixedClock(TestDatabases.now)
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<3 { group.addTask { try await Migrator.migrate(db, clock: clock) } }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(applied.sorted() == Migrator.all.map(\.number).sorted(), "each migration applied by exactly one instance")
            let recorded = try await db.read { sql in
                try await sql.raw("SELECT number FROM schema_migrations ORDER BY number").all().map { try $0.decode(column: "number", as: Int.self) }
            }
            #expect(recorded == Migrator.all.map(\.number).sorted())
            #expect(try await Migrator.migrate(db, clock: clock).isEmpty)
        }
    }

    @Test("PostgreSQL: the app's connections compile no statement just in time (a board's counts spent 440 ms on it)",
          .enabled(if: TestDatabases.flavors.contains(.postgres)))
    func noJustInTimeCompilation() async throws {
        try await TestDatabases.with(.postgres) { db in
            let reading = try await db.read { try await $0.raw("SHOW jit").first(decodingColumn: "jit", as: String.self) }
            let writing = try await db.write { try await $0.raw("SHOW jit").first(decodingColumn: "jit", as: String.self) }
            #expect(reading == "off" && writing == "off")
        }
    }

    @Test("an error of the caller's own is not retried")
    func ownErrorsNotRetried() async throws {
        try await TestDatabases.with(.sqlite) { db in
            struct Refused: Error {}
            let signals = Signals()
            await #expect(throws: Refused.self) {
                try await db.write { _ in _ = await signals.attempt(); throw Refused() }
            }
            #expect(await signals.attempts == 1)
        }
    }

    @Test("SQLite: readers and the writer read the file through a memory map, and a reader sees what the writer committed")
    func sqliteMemoryMapped() async throws {
        try await TestDatabases.with(.sqlite) { db in
            let mapped = { @Sendable (sql: any SQLDatabase) async throws -> Int64? in
                try await sql.raw("PRAGMA mmap_size").first(decodingColumn: "mmap_size", as: Int64.self)
            }
            // Several readers at once, so the pool opens more than one connection.
            let readers = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for _ in 0..<4 { group.addTask { try await db.read { try await mapped($0) } } }
                return try await group.reduce(into: [Int64?]()) { $0.append($1) }
            }
            #expect(readers.allSatisfy { $0 == Database.sqliteMemoryMap }, "\(readers)")
            #expect(try await db.write(changesClaims: false) { try await mapped($0) } == Database.sqliteMemoryMap)
            try await db.write(changesClaims: false) { sql in
                try await sql.raw("CREATE TABLE marks (n INTEGER)").run()
                try await sql.raw("INSERT INTO marks VALUES (1)").run()
            }
            try await db.write(changesClaims: false) { try await $0.raw("UPDATE marks SET n = 2").run() }
            let n = try await db.read { try await $0.raw("SELECT n FROM marks").first(decodingColumn: "n", as: Int.self) }
            #expect(n == 2)
        }
    }

    @Test("SQLite: a task cancelled inside a transaction rolls it back and leaves the database writable")
    func cancelledTransactionReleasesTheWriter() async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await db.write { try await $0.raw("CREATE TABLE marks (n INTEGER)").run() }
            let signals = Signals()
            let cancelled = Task {
                try await db.write { sql in
                    try await sql.raw("INSERT INTO marks VALUES (1)").run()
                    await signals.raise("inside")
                    try await Task.sleep(for: .seconds(60))
                }
            }
            try await signals.wait(for: "inside")
            cancelled.cancel()
            _ = await cancelled.result
            // A cancelled task's queries never run (the thread pool drops them), ROLLBACK and close included: the
            // connection kept its open transaction and SQLite's write lock, and every later writer waited for it.
            let later = Task { try await db.write { try await $0.raw("INSERT INTO marks VALUES (2)").run() } }
            let guardTask = Task { try await Task.sleep(for: .seconds(20)); later.cancel() }
            try await later.value
            guardTask.cancel()
            let marks = try await db.read { try await $0.raw("SELECT n FROM marks ORDER BY n").all(decodingColumn: "n", as: Int.self) }
            #expect(marks == [2], "the cancelled transaction's row is rolled back")
        }
    }

    @Test("PostgreSQL: a statement on a connection the server has just closed fails as unreachable instead of waiting forever",
          .enabled(if: TestDatabases.flavors.contains(.postgres)))
    func statementOnAClosedConnectionFails() async throws {
        try await TestDatabases.with(.postgres, migrations: []) { db in
            // The race of a server going down: the pool lends a connection whose server process has just ended it.
            // postgres-nio 1.33 wrote such a statement to the closed channel with no promise, so it was never answered
            // and the request behind it hung (seen in the outage test: one request in ~500 never answered).
            let outcome = await Readiness.firstOf(.seconds(20)) {
                try await db.read { sql in
                    let pid = try await sql.raw("SELECT pg_backend_pid() AS pid").first(decodingColumn: "pid", as: Int.self)
                    try await db.read { other in
                        _ = try await other.raw("SELECT pg_terminate_backend(CAST(\(bind: pid) AS integer)) AS done").all()
                    }
                    try await Task.sleep(for: .milliseconds(500)) // the server's goodbye reaches the client and closes it
                    return try await sql.raw("SELECT 1 AS one").first(decodingColumn: "one", as: Int.self)
                }
            }
            switch outcome {
            case nil:
                Issue.record("the statement on the closed connection was not answered within 20 s")
            case .success(let value):
                Issue.record("a statement on a connection the server closed answered \(String(describing: value))")
            case .failure(let error):
                guard case .unreachable = error as? StoreError else {
                    Issue.record("expected StoreError.unreachable (a 503), got \(error)")
                    return
                }
            }
            let one = try await db.read { try await $0.raw("SELECT 1 AS one").first(decodingColumn: "one", as: Int.self) }
            #expect(one == 1, "the pool serves on another connection")
        }
    }
    /// The journal mode of the file as `sql`'s connection sees it ("wal", "delete").
    static func journalMode(_ sql: any SQLDatabase) async throws -> String? {
        try await sql.raw("PRAGMA journal_mode").first(decodingColumn: "journal_mode", as: String.self)
    }

    struct Refused: Error {}

    @Test("SQLite: a load with the file to itself is journaled by a rollback journal, and the file is in WAL again after it, committed or not")
    func loadAloneLeavesWALForItsTransaction() async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await db.write { try await $0.raw("CREATE TABLE marks (n INTEGER)").run() }
            let (during, synchronousDuring) = try await db.write(journal: .rollbackWhenAlone) { sql in
                try await sql.raw("INSERT INTO marks VALUES (1)").run()
                return (try await Self.journalMode(sql),
                        try await sql.raw("PRAGMA synchronous").first(decodingColumn: "synchronous", as: Int.self))
            }
            #expect(during == "delete" && synchronousDuring == 2, "a rollback journal, synced in full (FULL)")
            await #expect(throws: Refused.self) {
                try await db.write(journal: .rollbackWhenAlone) { sql in
                    try await sql.raw("INSERT INTO marks VALUES (2)").run()
                    throw Refused()
                }
            }
            let (mode, synchronous, marks) = try await db.read { sql in
                (try await Self.journalMode(sql), try await sql.raw("PRAGMA synchronous").first(decodingColumn: "synchronous", as: Int.self),
                 try await sql.raw("SELECT n FROM marks ORDER BY n").all(decodingColumn: "n", as: Int.self))
            }
            #expect(mode == "wal" && synchronous == 1, "back in WAL, synced as usual (NORMAL)")
            #expect(marks == [1], "the first load committed, the second rolled back")
        }
    }

    @Test("SQLite: with the file open elsewhere (a server), a load is journaled in the WAL, its connection waits for locks as usual after, and the other reads it")
    func loadBesideAnotherConnectionStaysInWAL() async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await db.write { try await $0.raw("CREATE TABLE marks (n INTEGER)").run() }
            let other = try await Database.open(db.location, maxConnections: 1)
            let read = { try await other.read { try await $0.raw("SELECT n FROM marks").all(decodingColumn: "n", as: Int.self) } }
            #expect(try await read() == [])
            // Not timed (a loaded machine makes any bound flaky): the refusal is asked with no busy timeout, and the
            // connection's usual timeout is back for the load's own statements.
            let (during, timeout) = try await db.write(journal: .rollbackWhenAlone) { sql in
                try await sql.raw("INSERT INTO marks VALUES (1)").run()
                return (try await Self.journalMode(sql),
                        try await sql.raw("PRAGMA busy_timeout").first(decodingColumn: "timeout", as: Int.self))
            }
            #expect(during == "wal")
            #expect(timeout == Database.sqliteBusyTimeout)
            #expect(try await read() == [1])
            await other.close()
        }
    }
}
