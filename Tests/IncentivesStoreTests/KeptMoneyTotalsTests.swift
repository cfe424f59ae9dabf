import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// The money totals kept by triggers (migration 28) against the same sums made from scratch.
enum KeptMoneyTotals {
    /// One row of a kept total or of its from-scratch GROUP BY: the key as text, how many, how much.
    struct Row: Decodable, Hashable { var key: String; var n: Int64; var amount: Int64 }

    /// Every non-empty row of each kept total equals the GROUP BY of its source table now, to the cent and the count.
    static func expectMatch(_ db: Database, _ moment: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for total in Migrator.keptTotals {
            let key = total.keys.map { "CAST(\($0.column) AS TEXT)" }.joined(separator: " || '|' || ")
            let (kept, scratch) = try await db.read { sql -> ([Row], [Row]) in
                (try await sql.raw("""
                    SELECT \(unsafeRaw: key) AS key, CAST(n AS BIGINT) AS n, CAST(amount_minor AS BIGINT) AS amount FROM \(unsafeRaw: total.table)
                    WHERE n <> 0 OR amount_minor <> 0
                    """).all(decoding: Row.self),
                 try await sql.raw("""
                    SELECT \(unsafeRaw: key) AS key, CAST(n AS BIGINT) AS n, CAST(amount_minor AS BIGINT) AS amount
                    FROM (\(unsafeRaw: total.fromScratch(db.flavor))) t
                    """).all(decoding: Row.self))
            }
            let keptByKey = Dictionary(kept.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            let scratchByKey = Dictionary(scratch.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(!scratch.isEmpty, "\(moment): \(total.table) has rows to compare", sourceLocation: sourceLocation)
            for key in Set(keptByKey.keys).union(scratchByKey.keys).sorted() where keptByKey[key] != scratchByKey[key] {
                let (kept, summed) = (String(describing: keptByKey[key]), String(describing: scratchByKey[key]))
                Issue.record("\(moment): \(total.table) \(key) kept \(kept) but summed \(summed)", sourceLocation: sourceLocation)
            }
        }
    }
}

@Suite("Money totals kept by triggers equal the earnings and claims summed from scratch, on SQLite and PostgreSQL")
struct KeptMoneyTotalsTests {
    let now = TestDatabases.now
    let reviewer = PaymentWorld.reviewer

    @Test("random claim moves (reviews, approvals, rejections, hours, bulk intake, re-filing, deletion) keep the totals exact",
          arguments: TestDatabases.flavors)
    func randomClaimMoves(flavor: SQLFlavor) async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["MONEY_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        print("kept money totals seed \(seed) (MONEY_SEED=\(seed) runs it again)")
        var random = SplitMix64(state: seed)
        try await TestDatabases.with(flavor, seeded: true) { db in
            try await KeptMoneyTotals.expectMatch(db, "seeded")
            // Claims in bulk, as the seeder writes them (one statement per batch).
            try await Seeder(db: db).seedScale(count: Int.random(in: 20...60, using: &random), now: now, batchSize: 15)
            try await KeptMoneyTotals.expectMatch(db, "seed \(seed) bulk intake")
            let repo = ClaimRepository(db: db)
            let partner = Actor(role: .incentivesAdmin, userID: nil, name: "Partner admin")
            var clock = now
            var moved = 0
            for i in 0..<60 {
                clock = clock.addingTimeInterval(Double(Int.random(in: 60...86_400, using: &random)))
                let at = clock
                switch Int.random(in: 0..<10, using: &random) {
                case 0:
                    // One statement moving several claims at once, as a sweep's batch does.
                    try await db.write { sql in
                        try await sql.raw("""
                            UPDATE claims SET status = 'disputed', updated_at = \(bind: at)
                            WHERE id IN (SELECT id FROM claims WHERE status = 'rejected' ORDER BY id LIMIT 3)
                            """).run()
                    }
                case 1:
                    // Plain SQL the triggers must follow too: hours and amounts entered, a claim re-filed to another location.
                    try await db.write { sql in
                        try await sql.raw("""
                            UPDATE claims SET hours = '7.5', amount_minor = COALESCE(amount_minor, 0) + 125
                            WHERE id IN (SELECT id FROM claims WHERE amount_minor IS NULL ORDER BY id LIMIT 2)
                            """).run()
                        try await sql.raw("""
                            UPDATE claims SET location_id = 2, amount_minor = NULL
                            WHERE id IN (SELECT id FROM claims WHERE location_id = 1 AND status = 'submitted' ORDER BY id LIMIT 1)
                            """).run()
                    }
                case 2:
                    try await db.write { sql in
                        guard let victim = try await sql.raw("""
                            SELECT MAX(id) AS id FROM claims WHERE id NOT IN (SELECT claim_id FROM earnings)
                            """).first(decodingColumn: "id", as: Int64?.self) ?? nil else { return }
                        for table in ["claim_contacts", "claim_history", "claim_proof", "claim_reminders", "mail_outbox"] {
                            try await sql.raw("DELETE FROM \(ident: table) WHERE claim_id = \(bind: victim)").run()
                        }
                        try await sql.raw("DELETE FROM claims WHERE id = \(bind: victim)").run()
                    }
                default:
                    let (action, actor, statuses): (ClaimAction, Actor, String) = [
                        (.startReview, reviewer, "'submitted'"), (.approve, reviewer, "'under_review'"),
                        (.reject, reviewer, "'under_review'"), (.requestInformation, reviewer, "'under_review'"),
                        (.submit, partner, "'consent_received', 'partner_action_required'"),
                        (.cancel, partner, "'customer_claimed', 'awaiting_consent'"),
                    ].randomElement(using: &random)!
                    let ids = try await db.read { sql in
                        try await sql.raw("SELECT id FROM claims WHERE status IN (\(unsafeRaw: statuses)) ORDER BY id")
                            .all(decodingColumn: "id", as: Int64.self)
                    }
                    guard let id = ids.randomElement(using: &random) else { continue }
                    let command = ClaimCommand(action, by: actor, reason: "Property", reasonCode: action == .reject ? .other : nil)
                    do {
                        _ = try await repo.perform(command, on: id, in: .system, at: at)
                        moved += 1
                    } catch where error is ClaimRefusal || error is InputRefusal || error is any DomainRefusal {
                        // The rules refuse this move now (proof missing, a window closed): nothing may have changed.
                    }
                }
                try await KeptMoneyTotals.expectMatch(db, "seed \(seed) step \(i)")
            }
            #expect(moved > 0, "seed \(seed): some claims moved")
        }
    }
}
