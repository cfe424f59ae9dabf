import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// The home page's aggregates on a small known dataset walked through the real claim actions (created, consented,
/// submitted, reviewed, decided with coded reasons, approved with earnings, one paid) on top of the demo: each figure
/// is checked to the claim, in the period after the demo's last event, and in each partner's scope.
@Suite("Dashboard reads: funnel, review waits, decisions, spend, top partners, deadlines, on SQLite and PostgreSQL")
struct DashboardReadsTests {
    static let now = TestDatabases.now
    static let partner = Actor(role: .incentivesAdmin, userID: 1, name: "Alex Morgan")
    static let customer = Actor(role: .customer, name: "Ana Chen")
    static let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")
    /// After every event of the demo (seeded up to `now`): the period holds the walked claims alone.
    static let start = now.addingTimeInterval(60)
    static let span = DateInterval(start: start, end: start.adding(calendarDays: 60))

    /// How far a walk goes.
    enum Goal: Equatable { case created, consented, submitted, approved, paid, rejected(ReviewReason) }

    /// One walked claim: where it is, what it reached, and when it was submitted and decided.
    struct Walked {
        var id: Int64
        var organization: Int64
        var location: Int64
        var submittedAt: Date?
        var decidedAt: Date?
        var earned: Money?
    }

    /// Walks a claim of engagement 1 (a fixed-rate assessment) from `at` to `goal`, a day between steps.
    static func walk(_ goal: Goal, organization: Int64, location: Int64, customer customerID: Int64, from at: Date,
                     reviewDays: Int = 2, on db: Database) async throws -> Walked {
        let repo = ClaimRepository(db: db)
        let scope = AccessScope.partner(organizationID: organization, locationIDs: [location])
        let claim = try await repo.create(NewClaim(organizationID: organization, locationID: location, customerID: customerID, engagementID: 1,
                                                   name: "Dashboard \(goal)", kind: .partnerActivities),
                                          contacts: [Contact(name: "Ana Chen", title: "CIO", email: "ana@alder.example")],
                                          by: partner, in: scope, at: at)
        var walked = Walked(id: claim.id, organization: organization, location: location)
        var t = at
        func act(_ action: ClaimAction, _ actor: Actor, days: Int = 1, code: ReviewReason? = nil) async throws {
            t = t.adding(calendarDays: days)
            let done = try await repo.perform(ClaimCommand(action, by: actor, reason: code.map { $0.label }, reasonCode: code),
                                              on: claim.id, in: .system, at: t)
            if case .create(let earning) = done.earning { walked.earned = earning.amount }
        }
        guard goal != .created else { return walked }
        try await act(.sendConsentRequest, partner)
        try await act(.acceptConsent, customer)
        guard goal != .consented else { return walked }
        let proofAt = t.addingTimeInterval(3_600)
        try await db.write { sql in
            try await ClaimWriter.insertProof(ProofRequirement.Kind.allCases.map {
                (claim.id, ProofRecord(kind: $0, fileName: "proof.pdf", addedBy: partner.name, addedAt: proofAt))
            }, on: sql)
        }
        try await act(.submit, partner)
        walked.submittedAt = t
        guard goal != .submitted else { return walked }
        try await act(.startReview, reviewer, days: reviewDays - 1)
        if case .rejected(let reason) = goal {
            try await act(.reject, reviewer, code: reason)
        } else {
            try await act(.approve, reviewer)
        }
        walked.decidedAt = t
        if goal == .paid { try await BudgetsTests.pay(claim: claim.id, paid: true, at: t, on: db) }
        return walked
    }

    /// Seattle (Bluefin's location 1): one claim at each stage, two approved (one paid), one rejected; London (Bluefin's
    /// location 2): one rejected; Cedar's location 5: one approved.
    static func dataset(_ db: Database) async throws -> [String: Walked] {
        var claims: [String: Walked] = [:]
        let seattle: [(String, Goal, Int)] = [("created", .created, 2), ("consented", .consented, 2), ("submitted", .submitted, 2),
                                               ("approved", .approved, 2), ("paid", .paid, 5), ("rejected", .rejected(.notEligible), 3)]
        for (i, (name, goal, days)) in seattle.enumerated() {
            claims[name] = try await walk(goal, organization: 1, location: 1, customer: Int64(i + 1),
                                          from: start.addingTimeInterval(Double(i) * 600), reviewDays: days, on: db)
        }
        claims["london"] = try await walk(.rejected(.duplicateClaim), organization: 1, location: 2, customer: 7,
                                          from: start.adding(calendarDays: 10), reviewDays: 4, on: db)
        claims["cedar"] = try await walk(.approved, organization: 2, location: 5, customer: 8, from: start.adding(calendarDays: 20), on: db)
        return claims
    }

    static let seattle = AccessScope.partner(organizationID: 1, locationIDs: [1])
    static let london = AccessScope.partner(organizationID: 1, locationIDs: [2])
    static let cedar = AccessScope.partner(organizationID: 2, locationIDs: [5])

    @Test("the funnel counts the period's claims at each stage they reached, in each scope", arguments: TestDatabases.flavors)
    func funnel(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = DashboardReads(db: db)
            #expect(try await reads.funnel(Self.span, in: .vendor).count(.created) == 0, "the demo has nothing after its now")
            _ = try await Self.dataset(db)
            let all = try await reads.funnel(Self.span, in: .vendor)
            #expect(all.counts == [.created: 8, .consented: 7, .submitted: 6, .approved: 3, .paid: 1])
            #expect(all.percentOfCreated(.approved) == 38)
            #expect(try await reads.funnel(Self.span, in: Self.seattle).counts == [.created: 6, .consented: 5, .submitted: 4, .approved: 2, .paid: 1])
            #expect(try await reads.funnel(Self.span, in: Self.london).counts == [.created: 1, .consented: 1, .submitted: 1, .approved: 0, .paid: 0])
            #expect(try await reads.funnel(Self.span, in: Self.cedar).counts == [.created: 1, .consented: 1, .submitted: 1, .approved: 1, .paid: 0])
            #expect(try await reads.funnel(Self.span, in: .partner(organizationID: 2, locationIDs: [1])).count(.created) == 0,
                    "another organization's location id gives nothing")
        }
    }

    @Test("claims waiting for review by buckets of whole days since their submission, against the review deadline", arguments: TestDatabases.flavors)
    func reviewWaits(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = DashboardReads(db: db)
            // The walk is day by day: the third Seattle claim (created 20 minutes in) is submitted on its third day.
            let submitted = Self.start.addingTimeInterval(1_200).adding(calendarDays: 3)
            // 12.5 days after it (12 whole days, the review deadline far ahead), 80 days (its deadline, 90 days from consent,
            // within 14 days) and 200 days (past it); the demo's own waiting claims are read first, at the same instants.
            let instants = [submitted.addingTimeInterval(12.5 * 86_400), submitted.adding(calendarDays: 80), submitted.adding(calendarDays: 200)]
            var before: [[AccessScope: [ReviewWaitCount]]] = []
            for at in instants {
                var byScope: [AccessScope: [ReviewWaitCount]] = [:]
                for scope in [Self.seattle, Self.london, Self.cedar, .vendor] { byScope[scope] = try await reads.reviewWaits(at: at, in: scope) }
                before.append(byScope)
            }
            let claims = try await Self.dataset(db)
            #expect(claims["submitted"]?.submittedAt == submitted)
            func adding(_ rows: [ReviewWaitCount], _ mine: ReviewWaitCount) -> Set<ReviewWaitCount> {
                var rows = rows
                if let i = rows.firstIndex(where: { $0.bucket == mine.bucket && $0.standing == mine.standing }) {
                    rows[i].claims += 1
                } else {
                    rows.append(mine)
                }
                return Set(rows)
            }
            for (i, (days, standing)) in [(12, ReviewDeadlineStanding.later), (80, .near), (200, .past)].enumerated() {
                let mine = ReviewWaitCount(bucket: ReviewWait.bucket(days: days), standing: standing, claims: 1)
                for scope in [Self.seattle, .vendor] {
                    #expect(Set(try await reads.reviewWaits(at: instants[i], in: scope)) == adding(before[i][scope]!, mine), "\(scope) at \(days)")
                }
                for scope in [Self.london, Self.cedar] {
                    #expect(try await reads.reviewWaits(at: instants[i], in: scope) == before[i][scope]!, "\(scope): its claims were decided")
                }
            }
            #expect(ReviewWait.bucket(days: 12) == ReviewWait.firstBucketPastTarget)
            // The answer comes in one order, bucket then standing, from the kept tables and from the claims alike:
            // PostgreSQL's hash grouping gave its rows in any order, and callers compared answers as lists.
            for at in instants {
                for scope in [Self.seattle, Self.london, Self.cedar, .vendor] {
                    let kept = try await reads.reviewWaits(at: at, in: scope)
                    let counted = try await reads.reviewWaitsFromClaims(at: at, in: scope)
                    #expect(kept == counted, "\(scope) at \(at)")
                    #expect(kept == kept.sorted { ($0.bucket, $0.standing.rawValue) < ($1.bucket, $1.standing.rawValue) }, "\(scope) at \(at)")
                }
            }
        }
    }

    @Test("approvals and rejections per week with their coded reasons, and the review days behind the median", arguments: TestDatabases.flavors)
    func decisions(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = DashboardReads(db: db)
            let claims = try await Self.dataset(db)
            let weeks = Self.span.weeks(in: TimeZone(identifier: "UTC")!)
            func week(_ claim: String) throws -> Int {
                let at = try #require(claims[claim]?.decidedAt)
                return try #require(weeks.firstIndex { $0.start <= at && at < $0.end })
            }
            let counts = try await reads.decisions(weeks, in: .vendor)
            var expected: [DecisionCount] = []
            func add(_ claim: String, _ action: ClaimAction, _ reason: ReviewReason?) throws {
                let slice = try week(claim)
                if let i = expected.firstIndex(where: { $0.slice == slice && $0.action == action && $0.reason == reason }) {
                    expected[i].claims += 1
                } else {
                    expected.append(DecisionCount(slice: slice, action: action, reason: reason, claims: 1))
                }
            }
            for claim in ["approved", "paid", "cedar"] { try add(claim, .approve, nil) }
            try add("rejected", .reject, .notEligible)
            try add("london", .reject, .duplicateClaim)
            #expect(Set(counts) == Set(expected))
            #expect(Set(try await reads.decisions(weeks, in: Self.london)) == [DecisionCount(slice: try week("london"), action: .reject,
                                                                                               reason: .duplicateClaim, claims: 1)])
            // Review days: submitted, then decided 2 (approved, cedar), 5 (paid), 3 (rejected) and 4 (london) days later.
            #expect(try await reads.reviewDays(Self.span, in: .vendor) == [2: 2, 3: 1, 4: 1, 5: 1])
            #expect(ReviewWait.median([2: 2, 3: 1, 4: 1, 5: 1]) == 3)
            #expect(try await reads.reviewDays(Self.span, in: Self.seattle) == [2: 1, 3: 1, 5: 1])
        }
    }

    @Test("spend per engagement and month: the period's approvals and payments, and what stood approved before it, as budgets count it",
          arguments: TestDatabases.flavors)
    func spend(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = DashboardReads(db: db)
            let before = try #require(try await Budgets(db: db).overview().engagements.first { $0.id == 1 }).figures
            try await Budgets(db: db).setEngagementBudget(1, amount: "250000", currency: nil,
                                                          by: try await BudgetsTests.manager(db), at: Self.now)
            let claims = try await Self.dataset(db)
            let months = Self.span.months(in: TimeZone(identifier: "UTC")!)
            let (lines, engagements) = try await reads.spend(months, in: .vendor)
            #expect(engagements == [SpendEngagement(id: 1, name: "Cloud migration assessment", currency: .usd, budgetMinor: 25_000_000)])
            let mine = lines.filter { $0.engagementID == 1 }
            let earlier = mine.filter { $0.slice == nil }
            #expect(earlier.count <= 1)
            #expect(earlier.reduce(0) { $0 + $1.approvedMinor } == before.approvedMinor)
            #expect(earlier.reduce(0) { $0 + $1.paidMinor } == before.paidMinor)
            func month(of claim: String) throws -> Int {
                let at = try #require(claims[claim]?.decidedAt)
                return try #require(months.firstIndex { $0.start <= at && at < $0.end })
            }
            var approved: [Int: Int64] = [:], paid: [Int: Int64] = [:]
            for claim in ["approved", "paid", "cedar"] { approved[try month(of: claim), default: 0] += try #require(claims[claim]?.earned).minorUnits }
            paid[try month(of: "paid")] = try #require(claims["paid"]?.earned).minorUnits
            for line in mine where line.slice != nil {
                #expect(line.approvedMinor == approved[line.slice!] ?? 0)
                #expect(line.paidMinor == paid[line.slice!] ?? 0)
            }
            #expect(Set(mine.compactMap(\.slice)) == Set(approved.keys))
            // Seattle's own: only its two approvals, in its scope; what the vendor saw before holds Cedar's and London's too.
            let seattle = try await reads.spend(months, in: Self.seattle).months.filter { $0.slice != nil }
            #expect(seattle.reduce(0) { $0 + $1.approvedMinor } == 1_000_000)
            #expect(try await reads.spend(months, in: Self.london).months.filter { $0.slice != nil }.isEmpty)
        }
    }

    @Test("top partners: money approved in the period per currency with the claims approved, largest first, per scope",
          arguments: TestDatabases.flavors)
    func topPartners(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = DashboardReads(db: db)
            let claims = try await Self.dataset(db)
            let cedar = try #require(claims["cedar"]?.earned)
            let top = try await reads.topPartners(Self.span, in: .vendor)
            #expect(top == [
                PartnerApprovals(organizationID: 1, organizationName: "Bluefin Consulting", approved: Money(10_000, .usd), claims: 2),
                PartnerApprovals(organizationID: 2, organizationName: "Cedar Systems", approved: cedar, claims: 1),
            ])
            #expect(try await reads.topPartners(Self.span, in: Self.seattle).map(\.organizationName) == ["Bluefin Consulting"])
            #expect(try await reads.topPartners(Self.span, in: Self.london).isEmpty)
            #expect(try await reads.topPartners(Self.span, in: Self.cedar).map(\.claims) == [1])
        }
    }

    @Test("claims expiring per day, in the scope", arguments: TestDatabases.flavors)
    func expiringPerDay(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = DashboardReads(db: db)
            // Of the walked claims, only the one left at "created" has a clock running out in these days: its consent
            // deadline, 30 days after its creation.
            let days = DateInterval(start: Self.start.adding(calendarDays: 28), end: Self.start.adding(calendarDays: 33))
                .days(in: TimeZone(identifier: "UTC")!)
            let before = try await reads.expiring(days, in: Self.seattle)
            let cedarBefore = try await reads.expiring(days, in: Self.cedar)
            let claims = try await Self.dataset(db)
            let createdID = try #require(claims["created"]).id
            let created = try #require(try await ClaimRepository(db: db).find(createdID, in: .system))
            let due = created.createdAt.adding(calendarDays: 30)
            let slice = try #require(days.firstIndex { $0.start <= due && due < $0.end })
            var expected = before
            expected[slice, default: 0] += 1
            #expect(try await reads.expiring(days, in: Self.seattle) == expected)
            #expect(try await reads.expiring(days, in: Self.cedar) == cedarBefore)
            #expect(try await reads.expiring(days, in: .vendor).values.reduce(0, +) >= 1)
        }
    }

    @Test("the period reads seek migration 26's indexes, not a scan of every claim or history row (SQLite plan)")
    func plansUseIndexes() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            func plan(_ query: SQLQueryString) async throws -> String {
                var explain: SQLQueryString = "EXPLAIN QUERY PLAN "
                explain.appendInterpolation(query)
                let statement = explain
                return try await db.read { try await $0.raw(statement).all() }
                    .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            }
            let vendor = try await plan(DashboardReads.funnelQuery(Self.span, in: .vendor))
            #expect(vendor.contains("claims_created") && !vendor.contains("SCAN c"), "\(vendor)")
            let partner = try await plan(DashboardReads.funnelQuery(Self.span, in: Self.seattle))
            #expect(!partner.contains("SCAN c"), "\(partner)")
            let days = try await plan(DashboardReads.reviewDaysQuery(Self.span, in: .vendor, flavor: .sqlite))
            #expect(days.contains("claim_history_action_at") && days.contains("claim_history_claim") && !days.contains("SCAN h"), "\(days)")
            // The queue's kept days are kept for every scope; the vendor's and a partner's reads seek their own rows
            // (a scan of every scope's rows was a fifth of the vendor's home page at a million claims).
            for scope in [AccessScope.vendor, Self.seattle] {
                let waits = try await plan(DashboardReads.reviewWaitsQuery(at: Self.span.end, in: scope))
                #expect(waits.contains("review_queue_days_scope") && !waits.contains("SCAN q"), "\(waits)")
            }
        }
    }
}
