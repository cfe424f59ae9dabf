import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Deadline reminders and expiry emails through the outbox, on SQLite and PostgreSQL")
struct ClaimNoticesTests {
    let now = TestDatabases.now
    let links = ClaimLinks(publicURL: "https://incentives.example")

    func outboxRows(_ db: Database) async throws -> [(kind: String, to: String, subject: String, claim: Int64?)] {
        try await db.read { sql in
            try await sql.raw("SELECT kind, to_address, subject, claim_id FROM mail_outbox ORDER BY id").all().map {
                (try $0.decode(column: "kind", as: String.self), try $0.decode(column: "to_address", as: String.self),
                 try $0.decode(column: "subject", as: String.self), try $0.decode(column: "claim_id", as: Int64?.self))
            }
        }
    }

    @Test("each partner-side deadline gets its week and day reminders once, to the location's Incentives users", arguments: TestDatabases.flavors)
    func reminders(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let claims = ClaimRepository(db: db)
            // A claim of Seattle waiting on the partner, its deadline moved to 10 days from now.
            let id = try await db.write { sql -> Int64 in
                let id = try await sql.raw("""
                    SELECT id FROM claims WHERE location_id = 1 AND status = 'consent_received' AND expires_at IS NOT NULL ORDER BY id
                    """).first()!.decode(column: "id", as: Int64.self)
                // Keep other claims out of the way: only this one has a deadline within the fortnight.
                try await sql.raw("UPDATE claims SET expires_at = \(bind: now.addingTimeInterval(400 * 86_400)) WHERE expires_at IS NOT NULL").run()
                try await sql.raw("UPDATE claims SET expires_at = \(bind: now.addingTimeInterval(10 * 86_400)), due_kind = 'submission' WHERE id = \(bind: id)").run()
                return id
            }
            #expect(try await claims.remindDue(at: now, links: links) == 0, "10 days ahead: not yet")
            let week = now.addingTimeInterval(3 * 86_400 + 60)
            #expect(try await claims.remindDue(at: week, links: links) == 1)
            #expect(try await claims.remindDue(at: week.addingTimeInterval(3_600), links: links) == 0, "once")
            let sent = try await outboxRows(db)
            // Seattle's Incentives users in the demo: the Bluefin admin and the Seattle user.
            #expect(Set(sent.map(\.to)) == ["admin@bluefin.example", "user@bluefin.example"])
            #expect(sent.allSatisfy { $0.kind == "reminder" && $0.claim == id && $0.subject.hasSuffix("submission deadline in 7 days") })
            let day = now.addingTimeInterval(9 * 86_400 + 60)
            #expect(try await claims.remindDue(at: day, links: links) == 1)
            #expect(try await outboxRows(db).filter { $0.subject.hasSuffix("tomorrow") }.count == 2)
            #expect(try await claims.remindDue(at: day.addingTimeInterval(60), links: links) == 0)
            // A deadline that moves gets reminders of its own.
            try await db.write { try await $0.raw("UPDATE claims SET expires_at = \(bind: day.addingTimeInterval(5 * 86_400)) WHERE id = \(bind: id)").run() }
            #expect(try await claims.remindDue(at: day.addingTimeInterval(120), links: links) == 1)
        }
    }

    @Test("an expiry writes its email with its history row", arguments: TestDatabases.flavors)
    func expiryEmails(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let claims = ClaimRepository(db: db)
            let later = now.addingTimeInterval(400 * 86_400)
            let expired = try await claims.expireDue(at: later, links: links)
            let total = expired.values.reduce(0, +)
            #expect(total > 0)
            let mails = try await outboxRows(db).filter { $0.kind == "decision" }
            #expect(Set(mails.compactMap(\.claim)).count == total, "every expired claim told its partner")
            #expect(mails.allSatisfy { $0.subject.contains("deadline passed, now ") })
            #expect(try await claims.expireDue(at: later, links: links).isEmpty)
            #expect(try await outboxRows(db).filter { $0.kind == "decision" }.count == mails.count, "nothing twice")
        }
    }

    @Test("the reminder scan reads the week's deadlines through the deadline index, not every claim of the statuses (SQLite plan)")
    func reminderScanSeeksDeadlines() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            // Every sweep (each minute) looks for reminders. Walking every claim of the four partner-side statuses and
            // sorting them, per batch of 500, cost about a minute of CPU per sweep at a million claims.
            var explain: SQLQueryString = "EXPLAIN QUERY PLAN "
            explain.appendInterpolation(ClaimRepository.reminderWindowQuery(now: now, horizon: now.adding(calendarDays: 7)))
            let statement = explain
            let plan = try await db.read { try await $0.raw(statement).all() }
                .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            #expect(plan.contains("USING INDEX claims_expires (expires_at>? AND expires_at<?)") && !plan.contains("TEMP B-TREE"), "\(plan)")
        }
    }
}
