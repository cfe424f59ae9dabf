import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Mail outbox on SQLite and PostgreSQL")
struct OutboxTests {
    let now = TestDatabases.now
    func mail(_ n: Int) -> MailMessage {
        MailMessage(kind: .reminder, to: "partner\(n)@bluefin.example", subject: "Reminder \(n)", body: "Body \(n)")
    }

    @Test("a message written in a transaction that fails is not stored; a bad address fails the transaction", arguments: TestDatabases.flavors)
    func transactional(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await db.write { sql in
                    try await Outbox.enqueue(mail(1), now: now, on: sql)
                    throw Boom()
                }
            }
            let outbox = Outbox(db: db)
            #expect(try await outbox.counts().isEmpty)
            await #expect(throws: StoreError.self) {
                try await outbox.enqueue(MailMessage(kind: .reminder, to: "not an address", subject: "s", body: "b"), now: now)
            }
            try await outbox.enqueue(mail(2), now: now)
            #expect(try await outbox.counts() == [.pending: 1])
        }
    }

    @Test("take leases due messages oldest first; a lease that runs out lets another take it; sent is final", arguments: TestDatabases.flavors)
    func leases(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let outbox = Outbox(db: db)
            for n in 1...3 { try await outbox.enqueue(mail(n), now: now.addingTimeInterval(Double(n))) }
            #expect(try await outbox.take(now: now).isEmpty, "nothing is due before it was written")
            let first = try await outbox.take(now: now.addingTimeInterval(10), limit: 2, lease: 60)
            #expect(first.map(\.message.subject) == ["Reminder 1", "Reminder 2"])
            #expect(first.allSatisfy { $0.attempts == 1 })
            let second = try await outbox.take(now: now.addingTimeInterval(11), limit: 10, lease: 60)
            #expect(second.map(\.message.subject) == ["Reminder 3"], "leased messages are not taken twice")
            try await outbox.markSent(first[0].id, now: now.addingTimeInterval(12))
            // The taker of message 2 died: after its lease, it is taken again, as a second attempt.
            let retaken = try await outbox.take(now: now.addingTimeInterval(100), limit: 10, lease: 60)
            #expect(Set(retaken.map(\.id)) == [first[1].id, second[0].id])
            #expect(retaken.first { $0.id == first[1].id }?.attempts == 2)
            // A late report on a message already sent changes nothing.
            try await outbox.markFailed(first[0].id, attempts: 1, error: "late", now: now.addingTimeInterval(101))
            #expect(try await outbox.counts() == [.sent: 1, .sending: 2])
        }
    }

    @Test("take walks the due index in order, so a backlog of many due messages is not read whole and sorted each time",
          arguments: TestDatabases.flavors)
    func takeWalksTheDueIndex(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let outbox = Outbox(db: db)
            for n in 1...30 { try await outbox.enqueue(mail(n), now: now.addingTimeInterval(Double(n))) }
            let (taken, recording) = try await db.recordingStatements { try await outbox.take(now: now.addingTimeInterval(100), limit: 5) }
            #expect(taken.map(\.message.subject) == (1...5).map { "Reminder \($0)" })
            let reads = recording.statements.filter { $0.sql.drop(while: \.isWhitespace).uppercased().hasPrefix("SELECT") }
            #expect(!reads.isEmpty)
            for read in reads {
                let plan = try await Self.plan(of: read, on: db)
                #expect(plan.contains("mail_outbox_due"), "reads the due index:\n\(read.sql)\n\(plan)")
                // A sort would read every due message to return the first few: the backlog after a long outage's sweep.
                #expect(!plan.contains("TEMP B-TREE") && !plan.contains("Sort"), "sorts what it reads:\n\(read.sql)\n\(plan)")
            }
        }
    }

    /// The plan of a recorded statement: SQLite's `EXPLAIN QUERY PLAN`, or PostgreSQL's `EXPLAIN` with whole scans and
    /// sorts priced out, so a plan that still has one has no other way.
    static func plan(of statement: RecordedStatement, on db: Database) async throws -> String {
        try await db.write(changesClaims: false) { sql in
            switch db.flavor {
            case .sqlite:
                return try await sql.raw("EXPLAIN QUERY PLAN \(statement.expression)").all(decodingColumn: "detail", as: String.self)
                    .joined(separator: "\n")
            case .postgres:
                try await sql.raw("SET LOCAL enable_seqscan = off").run()
                try await sql.raw("SET LOCAL enable_sort = off").run()
                return try await sql.raw("EXPLAIN \(statement.expression)").all(decodingColumn: "QUERY PLAN", as: String.self)
                    .joined(separator: "\n")
            }
        }
    }

    @Test("a failed try waits the policy's delay, and the last one leaves the message failed with its error", arguments: TestDatabases.flavors)
    func retries(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let policy = DeliveryPolicy(firstDelay: 30, maxDelay: 3_600, maxAttempts: 3)
            let outbox = Outbox(db: db, policy: policy)
            try await outbox.enqueue(mail(1), now: now)
            var clock = now
            for attempt in 1...3 {
                let taken = try #require(try await outbox.take(now: clock).first)
                #expect(taken.attempts == attempt)
                let status = try await outbox.markFailed(taken.id, attempts: taken.attempts, error: "connection refused", now: clock)
                #expect(status == (attempt < 3 ? .pending : .failed))
                if let delay = policy.retryDelay(afterAttempt: attempt) {
                    #expect(try await outbox.take(now: clock.addingTimeInterval(delay - 1)).isEmpty, "not before the delay")
                    clock = clock.addingTimeInterval(delay)
                }
            }
            #expect(try await outbox.take(now: clock.addingTimeInterval(86_400)).isEmpty)
            #expect(try await outbox.counts() == [.failed: 1])
            let error = try await db.read { try await $0.raw("SELECT last_error FROM mail_outbox").first()!.decode(column: "last_error", as: String.self) }
            #expect(error == "connection refused")
        }
    }

    @Test("takers running at once never share a message", arguments: TestDatabases.flavors)
    func concurrentTakers(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let outbox = Outbox(db: db)
            for n in 1...40 { try await outbox.enqueue(mail(n), now: now) }
            let batches = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for _ in 0..<4 { group.addTask { try await outbox.take(now: now.addingTimeInterval(1), limit: 15).map(\.id) } }
                var all: [[Int64]] = []
                for try await batch in group { all.append(batch) }
                return all
            }
            let ids = batches.flatMap { $0 }
            #expect(ids.count == Set(ids).count, "a message was taken twice: \(batches)")
            #expect(ids.count == 40)
        }
    }
}
