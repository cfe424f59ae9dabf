import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

/// SQLite's writer runs the writes queued at once in one transaction, each in its own savepoint (`SQLiteWriter`): a
/// write that fails leaves the others of its batch committed, a write that returned is visible to every other
/// connection, and expected versions still refuse every loser of a race. PostgreSQL runs the same writes side by side,
/// in transactions of their own, and must give the same outcomes.
@Suite("Group commit", .timeLimit(.minutes(15)))
struct GroupCommitTests {
    let now = TestDatabases.now
    let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")
    let links = ClaimLinks(publicURL: "https://incentives.example")

    struct Thrown: Error {}

    /// What a caller's write left: the claim's status and version, its history rows and its emails in the outbox.
    struct Trace: Equatable {
        var status: String
        var version: Int
        var history: Int
        var emails: Int
    }

    func trace(of id: Int64, on db: Database) async throws -> Trace {
        try await db.read { sql in
            let claim = try #require(try await sql.raw("SELECT status, version FROM claims WHERE id = \(bind: id)").first())
            let history = try await sql.raw("SELECT COUNT(*) AS n FROM claim_history WHERE claim_id = \(bind: id)").first()!
            let emails = try await sql.raw("SELECT COUNT(*) AS n FROM mail_outbox WHERE claim_id = \(bind: id)").first()!
            return Trace(status: try claim.decode(column: "status", as: String.self), version: try claim.decode(column: "version", as: Int.self),
                         history: try history.decode(column: "n", as: Int.self), emails: try emails.decode(column: "n", as: Int.self))
        }
    }

    func traces(of ids: [Int64], on db: Database) async throws -> [Int64: Trace] {
        var traces: [Int64: Trace] = [:]
        for id in ids { traces[id] = try await trace(of: id, on: db) }
        return traces
    }

    func submittedClaims(_ db: Database, count: Int) async throws -> [Int64] {
        let ids = try await db.read { sql in
            try await sql.raw("SELECT id FROM claims WHERE status = 'submitted' AND arbitration IS NULL ORDER BY id LIMIT \(unsafeRaw: "\(count)")")
                .all(decodingColumn: "id", as: Int64.self)
        }
        #expect(ids.count == count, "the demo has \(count) submitted claims")
        return ids
    }

    /// On SQLite, a first write that holds the writer until `callers` others queue behind it, so that they share
    /// transactions; on PostgreSQL (no writer) nothing waits. It waits for the queue, not for a clock: on a loaded
    /// machine the callers may take minutes to be scheduled, and a deadline here failed the test while nothing was
    /// wrong. A writer that never lets them queue is caught by the suite's time limit instead.
    func holdUntilQueued(_ callers: Int, on db: Database) async throws {
        guard let writer = db.writer else { return }
        try await db.write { _ in
            while writer.waiting < callers { try await Task.sleep(for: .milliseconds(2)) }
        }
    }

    @Test("A batch's failing callers roll back only their own work; the others commit, and are visible once they return",
          arguments: TestDatabases.flavors)
    func failingCallerLeavesOthersCommitted(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let ids = try await submittedClaims(db, count: 6)
            let before = try await traces(of: ids, on: db)
            let commitsBefore = db.writer?.committed ?? 0
            // Even claims move; odd ones are moved by a write that then throws (its update, history, outbox rows and the
            // kept tables' trigger changes must all go), or by a stale expected version, or by an action refused.
            let outcomes = try await withThrowingTaskGroup(of: (Int64, String).self) { group in
                group.addTask { try await holdUntilQueued(ids.count, on: db); return (0, "held") }
                for (k, id) in ids.enumerated() {
                    group.addTask {
                        switch k % 4 {
                        case 0, 2:
                            let moved = try await repo.perform(ClaimCommand(.startReview, by: reviewer), on: id, in: .vendor, at: now, links: links)
                            // Returned means committed: another connection sees it.
                            let seen = try await repo.find(id, in: .system)
                            #expect(seen?.status == .underReview && seen?.version == moved.claim.version, "claim \(id) seen after its write")
                            return (id, "moved")
                        case 1:
                            do {
                                try await db.write { sql in
                                    _ = try await ClaimRepository.perform(ClaimCommand(.startReview, by: reviewer), on: id, expectedVersion: nil,
                                                                          in: .vendor, at: now, links: links, on: sql, flavor: db.flavor)
                                    throw Thrown()
                                }
                                return (id, "committed a thrown write")
                            } catch is Thrown { return (id, "thrown") }
                        default:
                            do {
                                try await repo.perform(ClaimCommand(.startReview, by: reviewer), on: id, expectedVersion: before[id]!.version - 1,
                                                       in: .vendor, at: now, links: links)
                                return (id, "won with a stale version")
                            } catch StoreError.conflict { return (id, "conflict") }
                        }
                    }
                }
                return try await group.reduce(into: [Int64: String]()) { $0[$1.0] = $1.1 }
            }
            for (k, id) in ids.enumerated() {
                let after = try await trace(of: id, on: db)
                let old = before[id]!
                if k % 2 == 0 {
                    #expect(outcomes[id] == "moved")
                    #expect(after.status == "under_review" && after.version == old.version + 1 && after.history == old.history + 1,
                            "claim \(id): \(old) → \(after)")
                    #expect(after.emails > old.emails, "claim \(id): the partner's email went with the change")
                } else {
                    #expect(outcomes[id] == (k % 4 == 1 ? "thrown" : "conflict"))
                    #expect(after == old, "claim \(id): nothing of a failed write is kept")
                }
            }
            if let writer = db.writer {
                #expect(writer.committed - commitsBefore < ids.count + 1, "the queued writes shared transactions")
            }
            try await KeptClaimCountsTests().compare("after a batch with failed callers", on: db)
        }
    }

    @Test("Callers racing with one expected version: one wins per claim, the others hear a conflict, each claim moves once",
          arguments: TestDatabases.flavors)
    func racingExpectedVersions(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let ids = try await submittedClaims(db, count: 4)
            let before = try await traces(of: ids, on: db)
            let racers = 3
            let outcomes = try await withThrowingTaskGroup(of: (Int64, String).self) { group in
                group.addTask { try await holdUntilQueued(ids.count * racers, on: db); return (0, "held") }
                for id in ids {
                    for _ in 0..<racers {
                        group.addTask {
                            do {
                                let ask = ClaimCommand(.requestInformation, by: reviewer, reason: "Unreadable.", reasonCode: .missingProof)
                                try await repo.perform(ask, on: id, expectedVersion: before[id]!.version, in: .vendor, at: now, links: links)
                                return (id, "won")
                            } catch StoreError.conflict { return (id, "conflict") }
                        }
                    }
                }
                return try await group.reduce(into: [Int64: [String]]()) { $0[$1.0, default: []].append($1.1) }
            }
            for id in ids {
                #expect(outcomes[id]?.sorted() == ["conflict", "conflict", "won"], "claim \(id): \(outcomes[id] ?? [])")
                let after = try await trace(of: id, on: db)
                #expect(after.status == "partner_action_required" && after.version == before[id]!.version + 1
                        && after.history == before[id]!.history + 1, "claim \(id) moved once")
            }
            try await KeptClaimCountsTests().compare("after racing expected versions", on: db)
        }
    }

    @Test("SQLite: a write that fails alone leaves the writer usable; one queued behind it commits in a transaction of its own")
    func failureAloneThenNext() async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await db.write { try await $0.raw("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)").run() }
            await #expect(throws: Thrown.self) {
                try await db.write { sql in
                    try await sql.raw("INSERT INTO notes (text) VALUES ('gone')").run()
                    throw Thrown()
                }
            }
            // A statement the database refuses, after a row written in the same write.
            await #expect(throws: (any Error).self) {
                try await db.write { sql in
                    try await sql.raw("INSERT INTO notes (text) VALUES ('gone too')").run()
                    try await sql.raw("INSERT INTO notes (text) VALUES (NULL)").run()
                }
            }
            try await db.write { try await $0.raw("INSERT INTO notes (text) VALUES ('kept')").run() }
            let texts = try await db.read { try await $0.raw("SELECT text FROM notes ORDER BY id").all(decodingColumn: "text", as: String.self) }
            #expect(texts == ["kept"])
        }
    }

    @Test("SQLite: a write's work and statements run on the writer's own thread, never on Swift's cooperative pool")
    func writesRunOnTheWriterThread() async throws {
        try await TestDatabases.with(.sqlite) { db in
            let thread = try #require(db.writer?.thread)
            let (before, after) = try await db.write { sql in
                let before = thread.isCurrent
                try await sql.raw("CREATE TABLE marks (n INTEGER)").run()
                try await sql.raw("INSERT INTO marks VALUES (1)").run()
                return (before, thread.isCurrent)
            }
            #expect(before && after, "the write's code ran on the writer's thread")
            #expect(!thread.isCurrent, "the caller goes on elsewhere once its write returned")
            let read = try await db.read { _ in thread.isCurrent }
            #expect(!read, "reads do not take the writer's thread")
        }
    }
}
