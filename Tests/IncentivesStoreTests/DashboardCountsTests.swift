import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// The home page's kept counts (migration 29: funnel and decision slots, the review queue and its days) against counting
/// from scratch, after every one of a run of random real changes through the store's commands (intake walked through
/// consent, submission and review, single transitions by the side whose turn it is, rejections with coded reasons,
/// payments, reversals, the expiry sweep), and the charts' reads from the kept counts against the reads from the claims
/// themselves, in zones whose midnight is off the UTC hour.
@Suite("Dashboard counts kept by triggers equal counting from scratch after random changes, on SQLite and PostgreSQL")
struct DashboardCountsTests {
    static let now = TestDatabases.now
    static let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")
    static let partner = DashboardReadsTests.partner
    static let customer = DashboardReadsTests.customer
    static let places: [(organization: Int64, location: Int64)] = [(1, 1), (1, 2), (2, 5)]
    static let scopes: [AccessScope] = [.vendor, DashboardReadsTests.seattle, DashboardReadsTests.london, DashboardReadsTests.cedar,
                                        .partner(organizationID: 1, locationIDs: [1, 2])]
    static let zones = ["UTC", "America/Los_Angeles", "Asia/Kathmandu", "Australia/Adelaide"].map { TimeZone(identifier: $0)! }

    /// Every table's rows, kept and from scratch, as text (rows whose counts are all zero left out of the kept ones).
    static func compareTables(_ db: Database, _ moment: String) async throws {
        let sql = DashboardCountsSQL(db.flavor)
        let levels = [true, false]
        let tables: [(name: String, key: [String], counted: [String], scratch: String)] = [
            ("funnel_slots", DashboardCountsSQL.funnelKey, DashboardCountsSQL.funnelCounted,
             levels.flatMap { p in DashboardCountsSQL.grains.map { sql.funnelFromScratch($0, program: p) } }.joined(separator: " UNION ALL ")),
            ("decision_slots", DashboardCountsSQL.decisionKey, ["n"],
             levels.flatMap { p in DashboardCountsSQL.grains.map { sql.decisionsFromScratch($0, program: p) } }.joined(separator: " UNION ALL ")),
            ("review_day_slots", DashboardCountsSQL.reviewDayKey, ["n"],
             levels.flatMap { p in DashboardCountsSQL.grains.map { sql.reviewDaysFromScratch($0, program: p) } }.joined(separator: " UNION ALL ")),
            ("review_queue_days", DashboardCountsSQL.queueDayKey, ["n"],
             levels.map { sql.queueDaysFromScratch(program: $0) }.joined(separator: " UNION ALL ")),
        ]
        try await db.read { conn in
            func rows(_ query: String, _ columns: [String]) async throws -> [String] {
                let text = columns.map { "COALESCE(CAST(x.\($0) AS TEXT), '-')" }.joined(separator: " || '|' || ")
                return try await conn.raw(SQLQueryString("SELECT \(text) AS line FROM (\(query)) x ORDER BY 1")).all()
                    .map { try $0.decode(column: "line", as: String.self) }
            }
            for table in tables {
                let nonzero = table.counted.map { "\($0) <> 0" }.joined(separator: " OR ")
                let kept = try await rows("SELECT * FROM \(table.name) WHERE \(nonzero)", table.key + table.counted)
                let scratch = try await rows(table.scratch, table.key + table.counted)
                #expect(kept == scratch, "\(moment): \(table.name) differs from counting from scratch")
            }
            let queue = ["claim_id", "organization_id", "location_id", "waiting_since", "review_due_at"]
            let keptQueue = try await rows("SELECT * FROM review_queue", queue)
            #expect(keptQueue == (try await rows(sql.queueFromScratch(), queue)), "\(moment): review_queue differs from the claims")
        }
    }

    /// The charts' reads from the kept counts against the same reads from the claims, for periods in several zones.
    static func compareReads(_ db: Database, at t: Date, _ moment: String) async throws {
        let reads = DashboardReads(db: db)
        for zone in zones {
            for period in [DashboardPeriod.lastDays(30), .lastDays(365)] {
                let span = period.span(now: t, zone: zone)
                let weeks = span.weeks(in: zone)
                for scope in scopes {
                    let label = "\(moment): \(zone.identifier) \(period.parameter) \(scope)"
                    #expect(try await reads.funnel(span, in: scope) == (try await reads.funnelFromClaims(span, in: scope)), "\(label)")
                    #expect(Set(try await reads.decisions(weeks, in: scope)) == Set(try await reads.decisionsFromClaims(weeks, in: scope)),
                            "\(label)")
                    #expect(try await reads.reviewDays(span, in: scope) == (try await reads.reviewDaysFromClaims(span, in: scope)), "\(label)")
                }
            }
        }
        for offset: TimeInterval in [0, 3.5 * 86_400, 12.25 * 86_400, 40 * 86_400] {
            for scope in scopes {
                let at = t.addingTimeInterval(offset)
                #expect(Set(try await reads.reviewWaits(at: at, in: scope)) == Set(try await reads.reviewWaitsFromClaims(at: at, in: scope)),
                        "\(moment): waits at +\(offset)s \(scope)")
            }
        }
    }

    static func claims(_ db: Database, where condition: SQLQueryString) async throws -> [Int64] {
        try await db.read { sql in
            try await sql.raw("SELECT id FROM claims WHERE \(condition) ORDER BY id").all().map { try $0.decode(column: "id", as: Int64.self) }
        }
    }

    @Test("funnel, decisions, review days and the review queue stay equal to counting from scratch", arguments: TestDatabases.flavors)
    func keptEqualsScratch(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            try await Self.compareTables(db, "seeded")
            try await Self.compareReads(db, at: Self.now, "seeded")
            var random = SeededRandom(seed: 20)
            let repo = ClaimRepository(db: db)
            var t = Self.now
            var customer: Int64 = 0
            for step in 0..<18 {
                t = t.addingTimeInterval(Double(random.int(600...(2 * 86_400))))
                let choice = random.int(0...5)
                var did = ""
                do {
                    switch choice {
                    case 0, 1:
                        // Intake, walked as far as a random goal (refusals, such as a customer's limit, change nothing).
                        let place = random.pick(Self.places)
                        customer = customer % 8 + 1
                        let goals: [DashboardReadsTests.Goal] = [.created, .consented, .submitted, .approved, .paid,
                                                                 .rejected(random.pick(ReviewReason.allCases))]
                        let goal = random.pick(goals)
                        did = "walked a claim to \(goal)"
                        let walked = try await DashboardReadsTests.walk(goal, organization: place.organization, location: place.location,
                                                                        customer: customer, from: t, reviewDays: random.int(1...4), on: db)
                        t = max(t, walked.decidedAt ?? walked.submittedAt ?? t)
                    case 2:
                        // One transition of a waiting claim, by the side whose turn it is.
                        let waiting = try await Self.claims(db, where: "status IN ('submitted', 'under_review', 'awaiting_consent', 'disputed')")
                        guard !waiting.isEmpty else { continue }
                        let id = random.pick(waiting)
                        let (action, actor): (ClaimAction, Actor) = random.pick([
                            (.startReview, Self.reviewer), (.approve, Self.reviewer), (.reject, Self.reviewer),
                            (.requestInformation, Self.reviewer), (.acceptConsent, Self.customer), (.cancel, Self.partner),
                        ])
                        did = "\(action) on claim \(id)"
                        _ = try await repo.perform(ClaimCommand(action, by: actor, reason: "Random", reasonCode: action == .reject
                                                                ? random.pick(ReviewReason.allCases) : nil), on: id, in: .system, at: t)
                    case 3:
                        let approved = try await Self.claims(db, where: """
                            id IN (SELECT claim_id FROM earnings WHERE kind = 'earning' AND payment_status <> 'paid')
                            """)
                        guard !approved.isEmpty else { continue }
                        let id = random.pick(approved)
                        did = "paid claim \(id)"
                        try await BudgetsTests.pay(claim: id, paid: random.chance(0.7), at: t, on: db)
                    case 4:
                        let paid = try await Self.claims(db, where: "id IN (SELECT claim_id FROM earnings WHERE kind = 'earning')")
                        guard !paid.isEmpty else { continue }
                        let id = random.pick(paid)
                        did = "reversed claim \(id)"
                        try await BudgetsTests.reverse(claim: id, at: t, on: db)
                    default:
                        t = t.adding(calendarDays: random.int(5...60))
                        did = "swept expiries"
                        _ = try await repo.expireDue(at: t)
                    }
                } catch let refusal as any DomainRefusal {
                    did += " (refused: \(refusal))"
                }
                try await Self.compareTables(db, "step \(step), \(did)")
                if step % 3 == 2 { try await Self.compareReads(db, at: t, "step \(step), \(did)") }
            }
            try await Self.compareReads(db, at: t, "at the end")
        }
    }

    @Test("a period is read in UTC days where a day lies inside one slice, and in quarter hours around a local midnight")
    func slotPlan() throws {
        let kathmandu = TimeZone(identifier: "Asia/Kathmandu")!
        let span = DashboardPeriod.lastDays(30).span(now: Self.now, zone: kathmandu)
        let plan = try #require(SlotPlan(span))
        // 05:45 ahead of UTC: the local midnight is 18:15 UTC, so each end of the span reads a part of a day by the quarter hour.
        #expect(plan.ranges.map(\.grain) == [SlotPlan.quarterHour, SlotPlan.day, SlotPlan.quarterHour])
        #expect(plan.ranges.first?.from == Int64(span.start.timeIntervalSince1970) && plan.ranges.last?.to == Int64(span.end.timeIntervalSince1970))
        #expect(zip(plan.ranges, plan.ranges.dropFirst()).allSatisfy { $0.to == $1.from }, "the ranges cover the span once")
        let weeks = span.weeks(in: kathmandu)
        let weekly = try #require(SlotPlan(weeks))
        #expect(weekly.boundaries.count == weeks.count - 1)
        let utc = try #require(SlotPlan(DashboardPeriod.lastDays(90).span(now: Self.now, zone: TimeZone(identifier: "UTC")!)))
        #expect(utc.ranges.map(\.grain) == [SlotPlan.day], "UTC days are read whole")
        // A zone's midnight off the quarter hours (local mean time before standard offsets) is counted from the claims.
        let amsterdam1900 = DateInterval(start: Date(timeIntervalSince1970: -2_208_989_972), duration: 86_400)
        #expect(SlotPlan(amsterdam1900) == nil)
    }
}
