import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

/// A claim transition's engagement and calendar are kept per catalogue revision (`CatalogueCache`): after any committed
/// change to a program, an engagement or a version the next transition sees the change, and a change rolled back is never
/// seen by anyone else.
@Suite("Catalogue cache")
struct CatalogueCacheTests {
    let now = TestDatabases.now
    let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")

    struct Thrown: Error {}

    /// What a transition would decide with: its engagement's first version's review days, its cap and its calendar's weekend.
    struct Seen: Equatable {
        var reviewDays: Int
        var cap: Int64?
        var weekend: Set<Int>
    }

    func seen(_ context: ClaimContext) -> Seen {
        Seen(reviewDays: context.engagement.versions[0].deadlines.reviewDays, cap: context.engagement.earningsCap?.minorUnits,
             weekend: context.calendar.weekend)
    }

    /// The same read from the tables themselves, past any cache.
    func fresh(_ id: Int64, on db: Database) async throws -> Seen {
        try await db.read { sql in
            let engagement = try #require(try await CatalogueRepository.engagement(id, on: sql))
            let program = try await CatalogueRepository.program(engagement.programID, on: sql)
            return Seen(reviewDays: engagement.versions[0].deadlines.reviewDays, cap: engagement.earningsCap?.minorUnits,
                        weekend: program?.calendar.weekend ?? WorkingCalendar.mondayToFriday.weekend)
        }
    }

    func inTransition(_ id: Int64, on db: Database) async throws -> Seen {
        try await db.write { seen(try await ClaimRepository.context(engagementID: id, market: .a, on: $0)) }
    }

    @Test("Every committed catalogue change is seen by the next transition; a rolled-back one by none", arguments: TestDatabases.flavors)
    func changesSeenRollbacksNot(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let (engagement, program, claim) = try await db.read { sql in
                let row = try #require(try await sql.raw("""
                    SELECT c.id, c.engagement_id, e.program_id FROM claims c JOIN engagements e ON e.id = c.engagement_id
                    WHERE c.status = 'submitted' AND c.kind = 'partner_activities' AND NOT c.is_dispute_round ORDER BY c.id LIMIT 1
                    """).first())
                return (try row.decode(column: "engagement_id", as: Int64.self), try row.decode(column: "program_id", as: Int64.self),
                        try row.decode(column: "id", as: Int64.self))
            }
            let revision: @Sendable () async throws -> Int64? = {
                try await db.read { try await $0.raw("SELECT n FROM catalogue_revision").first(decodingColumn: "n", as: Int64.self) }
            }
            var expected = try await fresh(engagement, on: db)
            #expect(try await inTransition(engagement, on: db) == expected)
            #expect(db.catalogue.entry(engagement, at: try #require(try await revision())) != nil, "a committed read is kept")

            // Each table, changed by a plain statement (as an import, another process or a hand-made fix would).
            let changes: [(table: String, change: SQLQueryString)] = [
                ("engagement_versions", "UPDATE engagement_versions SET review_days = review_days + 7 WHERE engagement_id = \(bind: engagement)"),
                ("engagements", "UPDATE engagements SET cap_minor = 123456 WHERE id = \(bind: engagement)"),
                ("programs", "UPDATE programs SET weekend = '6,7' WHERE id = \(bind: program)"),
            ]
            for (table, change) in changes {
                let before = try #require(try await revision())
                try await db.write { try await $0.raw(change).run() }
                let after = try #require(try await revision())
                #expect(after > before, "a change of \(table) raised the revision")
                let changed = try await fresh(engagement, on: db)
                #expect(changed != expected, "a change of \(table) changed what a transition decides with")
                expected = changed
                let seenNow = try await inTransition(engagement, on: db)
                #expect(seenNow == expected, "after a change of \(table)")
            }

            // A change read by its own transaction, then rolled back: kept by nobody.
            let before = expected
            await #expect(throws: Thrown.self) {
                try await db.write { sql in
                    try await sql.raw("""
                        UPDATE engagement_versions SET review_days = review_days + 100 WHERE engagement_id = \(bind: engagement)
                        """).run()
                    let inside = seen(try await ClaimRepository.context(engagementID: engagement, market: .a, on: sql))
                    #expect(inside.reviewDays == before.reviewDays + 100, "the transaction sees its own change")
                    throw Thrown()
                }
            }
            #expect(try await inTransition(engagement, on: db) == expected)

            // A transition decides with the changed terms: the review deadline is its consent plus the new review days.
            let moved = try await ClaimRepository(db: db).perform(ClaimCommand(.startReview, by: reviewer), on: claim, in: .vendor, at: now)
            let dueAt = try await db.read { sql in
                try await sql.raw("SELECT due_at FROM claims WHERE id = \(bind: claim)").first(decodingColumn: "due_at", as: Date.self)
            }
            let consent = moved.claim.consentAt ?? moved.claim.createdAt
            let version = try await db.read { try #require(try await CatalogueRepository.engagement(engagement, on: $0)) }
                .version(number: moved.claim.engagementVersion)
            #expect(dueAt == consent.adding(calendarDays: try #require(version).deadlines.reviewDays))
        }
    }

    @Test("A statement that changes no program, engagement or version (the sweep's engagement refresh with nothing to move) leaves the revision as it is",
          arguments: TestDatabases.flavors)
    func unchangedCatalogueKeepsItsRevision(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let revision: @Sendable () async throws -> Int64? = {
                try await db.read { try await $0.raw("SELECT n FROM catalogue_revision").first(decodingColumn: "n", as: Int64.self) }
            }
            let console = CatalogueConsole(db: db)
            _ = try await console.refresh(at: now)
            let before = try await revision()
            #expect(try await console.refresh(at: now) == 0)
            try await db.write { sql in
                for (table, key) in [("programs", "id"), ("engagements", "id"), ("engagement_versions", "engagement_id")] {
                    try await sql.raw("UPDATE \(unsafeRaw: table) SET \(unsafeRaw: key) = \(unsafeRaw: key) WHERE \(unsafeRaw: key) = -1").run()
                    try await sql.raw("DELETE FROM \(unsafeRaw: table) WHERE \(unsafeRaw: key) = -1").run()
                }
            }
            #expect(try await revision() == before, "nothing changed, so what is kept under the revision still holds")
            try await db.write { try await $0.raw("UPDATE engagements SET name = name || ' ' WHERE id = (SELECT MIN(id) FROM engagements)").run() }
            #expect(try await revision() != before, "a changed row raises it")
        }
    }
}
