import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// Writers at the same moment, as two reviewers, two partners or the sweepers of two instances make them: every
/// rule still holds, nothing is done twice, and no batch fails on a deadlock. PostgreSQL lets these transactions run
/// side by side (SQLite runs one writer at a time, so the same tests there check the rules, not the locks).
@Suite("Concurrent writers")
struct ConcurrentWriterTests {
    let now = TestDatabases.now
    let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")

    /// A second pool on the same database: what another app instance holds.
    func secondInstance(of db: Database) async throws -> Database {
        try await Database.open(db.location, maxConnections: 4, leaseTimeout: TestDatabases.leaseTimeout)
    }

    @Test("100 identical actions on one claim at once: exactly one wins and writes one history row", arguments: TestDatabases.flavors)
    func identicalActionsOnce(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let id = try #require(try await db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE status = 'submitted' ORDER BY id").first()?.decode(column: "id", as: Int64.self)
            })
            let before = try #require(try await repo.history(of: id, in: .system)).count
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        do {
                            _ = try await repo.perform(ClaimCommand(.startReview, by: reviewer), on: id, in: .vendor, at: now)
                            return "won"
                        } catch is ClaimRefusal { return "refused" } catch let error as StoreError {
                            if case .conflict = error { return "conflict" }
                            return "\(error)"
                        } catch { return "\(error)" }
                    }
                }
                return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(outcomes["won"] == 1, "\(outcomes)")
            #expect((outcomes["refused"] ?? 0) + (outcomes["conflict"] ?? 0) == 99, "the others are refused or lose the race: \(outcomes)")
            let history = try #require(try await repo.history(of: id, in: .system))
            #expect(history.count == before + 1)
            #expect(try await repo.find(id, in: .system)?.status == .underReview)
        }
    }

    @Test("PostgreSQL: approvals at once near an engagement's cap: the cap holds",
          .enabled(if: TestDatabases.flavors.contains(.postgres)))
    func capHoldsUnderParallelApprovals() async throws {
        try await TestDatabases.with(.postgres, seeded: true) { db in
            // A location and fixed-pay engagement with claims under review: put the cap just above what is earned,
            // so that one approval fits and the next ones only fill it up.
            let (location, engagement, claims) = try await db.read { sql -> (Int64, Int64, [Int64]) in
                let pair = try #require(try await sql.raw("""
                    SELECT c.location_id, c.engagement_id FROM claims c
                    JOIN engagement_versions v ON v.engagement_id = c.engagement_id AND v.number = c.engagement_version
                    WHERE c.status IN ('submitted', 'under_review') AND v.pay_model = 'fixed'
                    GROUP BY c.location_id, c.engagement_id HAVING COUNT(*) >= 2 ORDER BY COUNT(*) DESC, 1, 2 LIMIT 1
                    """).first())
                let location = try pair.decode(column: "location_id", as: Int64.self)
                let engagement = try pair.decode(column: "engagement_id", as: Int64.self)
                let claims = try await sql.raw("""
                    SELECT id FROM claims WHERE status IN ('submitted', 'under_review') AND location_id = \(bind: location)
                      AND engagement_id = \(bind: engagement) ORDER BY id
                    """).all().map { try $0.decode(column: "id", as: Int64.self) }
                return (location, engagement, claims)
            }
            for id in claims where try await ClaimRepository(db: db).find(id, in: .system)?.status == .submitted {
                try await ClaimRepository(db: db).perform(ClaimCommand(.startReview, by: reviewer), on: id, in: .vendor, at: now)
            }
            let currency = Currency(try await db.read { sql in
                try await sql.raw("SELECT currency FROM engagements WHERE id = \(bind: engagement)").first()!.decode(column: "currency", as: String.self)
            })
            let earned = try await db.read { try await ClaimRepository.earned(locationID: location, engagementID: engagement, currency: currency, on: $0) }
            let cap = earned.minorUnits + 1
            try await db.write { try await $0.raw("UPDATE engagements SET cap_minor = \(bind: cap) WHERE id = \(bind: engagement)").run() }
            let other = try await secondInstance(of: db)
            await withTaskGroup(of: Void.self) { group in
                for (k, id) in claims.enumerated() {
                    let repo = ClaimRepository(db: k.isMultiple(of: 2) ? db : other)
                    group.addTask { _ = try? await repo.perform(ClaimCommand(.approve, by: reviewer), on: id, in: .vendor, at: now) }
                }
            }
            await other.close()
            let after = try await db.read { try await ClaimRepository.earned(locationID: location, engagementID: engagement, currency: currency, on: $0) }
            #expect(after.minorUnits <= cap, "earned \(after.minorUnits) past the cap \(cap)")
            #expect(after.minorUnits == cap, "the first approval fills the cap's last cent")
        }
    }

    @Test("PostgreSQL: two partners add the same new subscription at once: one customer record, both claims flagged for arbitration",
          .enabled(if: TestDatabases.flavors.contains(.postgres)))
    func simultaneousIntakesOfOneCustomer() async throws {
        try await TestDatabases.with(.postgres, seeded: true) { db in
            let partners = try await db.read { sql in
                try await sql.raw("SELECT organization_id, id FROM locations ORDER BY organization_id, id").all().map {
                    (try $0.decode(column: "organization_id", as: Int64.self), try $0.decode(column: "id", as: Int64.self))
                }
            }
            let scopes = Dictionary(grouping: partners, by: \.0).mapValues { $0.map(\.1) }
            // A use-or-consume engagement open to a new customer at a location of two organizations.
            var open: [Int64: [(organization: Int64, location: Int64)]] = [:]
            for (organization, locations) in scopes {
                for location in locations {
                    let scope = AccessScope.partner(organizationID: organization, locationIDs: Set(locations))
                    for option in try await ClaimIntake(db: db).options(kind: .useOrConsume, locationID: location, customer: nil, in: scope, at: now)
                    where option.option.isOpen && !(open[option.id] ?? []).contains(where: { $0.organization == organization }) {
                        open[option.id, default: []].append((organization, location))
                    }
                }
            }
            let (engagement, pair) = try #require(open.first(where: { $0.value.count >= 2 }).map { ($0.key, Array($0.value.prefix(2))) },
                                                  "the demo has a use-or-consume engagement open to two partners")
            let other = try await secondInstance(of: db)
            for round in 0..<5 {
                let subscription = "race-subscription-\(round)"
                await withTaskGroup(of: Void.self) { group in
                    for (k, side) in pair.enumerated() {
                        let intake = ClaimIntake(db: k == 0 ? db : other)
                        let request = IntakeRequest(kind: .useOrConsume, name: "Race \(round)", organizationID: side.organization,
                                                    locationID: side.location,
                                                    customer: .named(name: "Race Co \(round)", domain: nil, tenantID: nil, subscriptionID: subscription),
                                                    engagementID: engagement, contacts: [], mismatchReason: "")
                        let scope = AccessScope.partner(organizationID: side.organization, locationIDs: Set(scopes[side.organization] ?? []))
                        let actor = Actor(role: .incentivesAdmin, userID: nil, name: "Admin \(side.organization)")
                        group.addTask { _ = try? await intake.create(request, by: actor, in: scope, at: now) }
                    }
                }
                let (customers, flagged) = try await db.read { sql in
                    (try await sql.raw("SELECT COUNT(*) AS n FROM customers WHERE subscription_id = \(bind: subscription)").first()!.decode(column: "n", as: Int.self),
                     try await sql.raw("""
                        SELECT COUNT(*) AS n FROM claims c JOIN customers cu ON cu.id = c.customer_id
                        WHERE cu.subscription_id = \(bind: subscription) AND c.arbitration = 'pending'
                        """).first()!.decode(column: "n", as: Int.self))
                }
                #expect(customers == 1, "round \(round): one customer record per subscription")
                #expect(flagged == 2, "round \(round): each partner's claim waits for arbitration")
            }
            await other.close()
        }
    }

    @Test("PostgreSQL: the sweeps of two instances at once expire every due claim once, and neither fails",
          .enabled(if: TestDatabases.flavors.contains(.postgres)))
    func twoSweepsAtOnce() async throws {
        try await TestDatabases.with(.postgres, seeded: true) { db in
            _ = try await Seeder(db: db).seedScale(count: 3_000, now: now)
            let later = now.addingTimeInterval(90 * 86_400)
            let due = try await db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM claims WHERE expires_at <= \(bind: later)").first()!.decode(column: "n", as: Int.self)
            }
            let other = try await secondInstance(of: db)
            // Small batches, so the two interleave over many transactions.
            async let first = ClaimRepository(db: db).expireDue(at: later, batchSize: 40)
            async let second = ClaimRepository(db: other).expireDue(at: later, batchSize: 40)
            let (a, b) = try await (first, second)
            await other.close()
            let expired = a.values.reduce(0, +) + b.values.reduce(0, +)
            #expect(expired > 500, "a sweep with work to share (\(due) due)")
            let (histories, twice) = try await db.read { sql in
                (try await sql.raw("SELECT COUNT(*) AS n FROM claim_history WHERE action = 'expire' AND at = \(bind: later)").first()!.decode(column: "n", as: Int.self),
                 try await sql.raw("""
                    SELECT COUNT(*) AS n FROM (SELECT claim_id, from_status FROM claim_history WHERE action = 'expire' AND at = \(bind: later)
                                               GROUP BY claim_id, from_status HAVING COUNT(*) > 1) t
                    """).first()!.decode(column: "n", as: Int.self))
            }
            #expect(histories == expired, "every expiry counted once, by the instance that made it")
            #expect(twice == 0, "no claim expired twice from one status")
            #expect(try await ClaimRepository(db: db).expireDue(at: later).isEmpty, "nothing left due")
            // The claims list's counts still agree with the claims.
            let drift = try await db.read { sql in
                try await sql.raw("""
                    SELECT COUNT(*) AS n FROM (SELECT organization_id, location_id, engagement_id, solution_area_id, kind, status, COUNT(*) AS n
                                               FROM claims GROUP BY 1, 2, 3, 4, 5, 6) t
                    FULL JOIN claim_counts k USING (organization_id, location_id, engagement_id, solution_area_id, kind, status)
                    WHERE COALESCE(t.n, 0) <> COALESCE(k.n, 0)
                    """).first()!.decode(column: "n", as: Int.self)
            }
            #expect(drift == 0)
            // And so do the deadlines per day the attention tab adds up.
            let dueDrift = try await db.read { sql in
                try await sql.raw("""
                    SELECT COUNT(*) AS n FROM (SELECT organization_id, CAST(FLOOR(EXTRACT(EPOCH FROM due_at) / 86400) AS BIGINT) AS day,
                                                      location_id, status, COUNT(*) AS n
                                               FROM claims WHERE due_at IS NOT NULL GROUP BY 1, 2, 3, 4) t
                    FULL JOIN claim_due_days k USING (organization_id, day, location_id, status)
                    WHERE COALESCE(t.n, 0) <> COALESCE(k.n, 0)
                    """).first()!.decode(column: "n", as: Int.self)
            }
            #expect(dueDrift == 0)
        }
    }

    @Test("PostgreSQL: the reminders of two instances at once: each reminder is written once, and neither pass fails",
          .enabled(if: TestDatabases.flavors.contains(.postgres)))
    func twoReminderPassesAtOnce() async throws {
        try await TestDatabases.with(.postgres, seeded: true) { db in
            _ = try await Seeder(db: db).seedScale(count: 1_500, now: now)
            let links = ClaimLinks(publicURL: "https://incentives.example")
            let other = try await secondInstance(of: db)
            async let first = ClaimRepository(db: db).remindDue(at: now, links: links, batchSize: 30)
            async let second = ClaimRepository(db: other).remindDue(at: now, links: links, batchSize: 30)
            let (a, b) = try await (first, second)
            await other.close()
            let (claims, mails, twice) = try await db.read { sql in
                (try await sql.raw("SELECT COUNT(DISTINCT claim_id) AS n FROM claim_reminders").first()!.decode(column: "n", as: Int.self),
                 try await sql.raw("SELECT COUNT(DISTINCT claim_id) AS n FROM mail_outbox WHERE kind = 'reminder'").first()!.decode(column: "n", as: Int.self),
                 try await sql.raw("""
                    SELECT COUNT(*) AS n FROM (SELECT claim_id, to_address FROM mail_outbox WHERE kind = 'reminder'
                                               GROUP BY claim_id, to_address HAVING COUNT(*) > 1) t
                    """).first()!.decode(column: "n", as: Int.self))
            }
            #expect(a + b > 20, "reminders to share")
            #expect(a + b == claims && claims == mails, "each claim reminded once, by one instance")
            #expect(twice == 0, "nobody got the same reminder twice")
        }
    }

    @Test("a statement the database refuses names the operation and its SQL state, not the driver's generic text",
          arguments: TestDatabases.flavors)
    func failuresSayWhatFailed(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            do {
                try await db.write { try await $0.raw("INSERT INTO no_such_table VALUES (1)").run() }
                Issue.record("the insert should fail")
            } catch {
                let text = "\(error)"
                #expect(text.contains("no_such_table"), "\(text)")
                #expect(!text.contains("Generic description"), "\(text)")
                if flavor == .postgres {
                    #expect(text.contains("SQLSTATE 42P01") && text.contains("ConcurrentWriterTests.failuresSayWhatFailed"), "\(text)")
                }
            }
        }
    }
}
