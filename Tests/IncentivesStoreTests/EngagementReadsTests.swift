import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Engagement reads (the engagements page and one engagement) on SQLite and PostgreSQL")
struct EngagementReadsTests {
    let now = TestDatabases.now
    let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
    let seattle = AccessScope.partner(organizationID: 1, locationIDs: [1])
    let kestrel = AccessScope.partner(organizationID: 3, locationIDs: [8, 9])
    /// Cedar's locations claimed under Bluefin's organization: a forged session must see nothing.
    let forged = AccessScope.partner(organizationID: 1, locationIDs: [5, 6, 7])

    /// Engagement ids on which one of `locations` meets every criterion, straight from the table.
    func eligibleEngagements(_ locations: Set<Int64>, db: Database) async throws -> Set<Int64> {
        try await db.read { sql in
            var unmet = Set<[Int64]>(), listed = Set<[Int64]>()
            // On the list (migration 21's entries), with no criterion result unmet (the demo's results are all met or not met).
            for row in try await sql.raw("SELECT location_id, engagement_id FROM eligibility_entries").all() {
                let key = [try row.decode(column: "location_id", as: Int64.self), try row.decode(column: "engagement_id", as: Int64.self)]
                if locations.contains(key[0]) { listed.insert(key) }
            }
            for row in try await sql.raw("SELECT location_id, engagement_id, met FROM location_criteria").all() {
                let key = [try row.decode(column: "location_id", as: Int64.self), try row.decode(column: "engagement_id", as: Int64.self)]
                if !(try row.decode(column: "met", as: Bool.self)) { unmet.insert(key) }
            }
            return Set(listed.subtracting(unmet).map { $0[1] })
        }
    }

    @Test("the board lists only engagements with an eligible location of the scope, by area then name", arguments: TestDatabases.flavors)
    func boardIsScoped(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = EngagementReads(db: db)
            let cases: [(AccessScope, Set<Int64>)] = [(bluefin, [1, 2, 3, 4]), (seattle, [1]), (kestrel, [8, 9])]
            for (scope, ids) in cases {
                let board = try await reads.board(in: scope, at: now)
                #expect(Set(board.engagements.map(\.id)) == (try await eligibleEngagements(ids, db: db)))
                #expect(Set(board.locations.map(\.location.id)) == ids)
                #expect(board.engagements.allSatisfy { $0.locations.allSatisfy { ids.contains($0.locationID) } })
                let keys = board.engagements.map { [String(format: "%04d", $0.solutionArea.id), $0.name] }
                #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
                #expect(board.areas.map(\.code) == ["cloud-infrastructure", "modern-work-security", "business-applications"])
                #expect(board.program?.managerEmail == "incentives-team@vendor.example")
            }
            #expect(try await reads.board(in: kestrel, at: now).engagements.allSatisfy { $0.solutionArea.id != 3 })
            #expect(try await reads.board(in: forged, at: now).engagements.isEmpty)
            #expect(try await reads.board(in: .partner(organizationID: 1, locationIDs: []), at: now).engagements.isEmpty)
        }
    }

    @Test("N of M follows the engagement: upcoming, closed and unpaid markets earn nothing", arguments: TestDatabases.flavors)
    func earningFollowsTheEngagement(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let board = try await EngagementReads(db: db).board(in: bluefin, at: now)
            for e in board.engagements {
                let figure = e.earningLocations(at: now)
                #expect(figure.enrolled == e.locations.count) // every Bluefin location is enrolled
                if e.status != .active { #expect(figure.earning == 0 && !figure.showsGreenIcon) }
                // Bangalore's tax profile has expired: never earning (and it is on every list).
                let bangalore = try #require(e.locations.first { $0.locationID == 4 }, "Bangalore on \(e.name)")
                #expect(!bangalore.isEarning(at: now))
            }
            // Identity and access workshop pays market A only: Singapore (B) never earns on it.
            let identity = try #require(board.engagements.first { $0.id == 12 })
            let singapore = try #require(identity.locations.first { $0.locationID == 3 })
            #expect(!singapore.isEarning(at: now))
            #expect(board.engagements.contains { $0.earningLocations(at: now).showsGreenIcon })
        }
    }

    @Test("active customers are the scope's customers with an open claim; eligible ones could be claimed now", arguments: TestDatabases.flavors)
    func customerCounts(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = EngagementReads(db: db)
            let cases: [(AccessScope, Set<Int64>)] = [(bluefin, [1, 2, 3, 4]), (seattle, [1])]
            for (scope, ids) in cases {
                let board = try await reads.board(in: scope, at: now)
                let open: [Int64: Set<Int64>] = try await db.read { sql in
                    var byEngagement: [Int64: Set<Int64>] = [:]
                    for row in try await sql.raw("SELECT engagement_id, customer_id, location_id, status FROM claims WHERE organization_id = 1").all() {
                        guard ids.contains(try row.decode(column: "location_id", as: Int64.self)),
                              let status = ClaimStatus(rawValue: try row.decode(column: "status", as: String.self)), status.isActive else { continue }
                        byEngagement[try row.decode(column: "engagement_id", as: Int64.self), default: []].insert(try row.decode(column: "customer_id", as: Int64.self))
                    }
                    return byEngagement
                }
                for e in board.engagements {
                    #expect(e.activeCustomers == (open[e.id]?.count ?? 0), "engagement \(e.id)")
                    if !e.takesClaims(at: now) { #expect(e.eligibleCustomers == 0) }
                }
                #expect(board.engagements.contains { $0.activeCustomers > 0 })
                #expect(board.engagements.contains { $0.eligibleCustomers > 0 })
                // The detail's Eligible tab agrees with the counts.
                for e in board.engagements.prefix(4) {
                    let detail = try #require(try await reads.detail(e.id, in: scope, at: now, customerLimit: 10_000))
                    #expect(detail.customers.filter(\.canBeClaimed).count == e.eligibleCustomers)
                    #expect(detail.customers.filter { $0.claimStatus?.isActive == true }.count == e.activeCustomers)
                }
            }
        }
    }

    @Test("one engagement: nil when unknown or unlisted; customers and claims of the scope only, bounded", arguments: TestDatabases.flavors)
    func detailIsScoped(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = EngagementReads(db: db)
            #expect(try await reads.detail(987_654, in: bluefin, at: now) == nil)
            #expect(try await reads.detail(15, in: kestrel, at: now) == nil)
            #expect(try await reads.detail(1, in: forged, at: now) == nil)
            let detail = try #require(try await reads.detail(1, in: seattle, at: now, customerLimit: 10_000))
            #expect(detail.engagement.name == "Cloud migration assessment")
            #expect(detail.solutionArea.code == "cloud-infrastructure")
            #expect(detail.locations.map(\.location.id) == [1])
            let seattleClaims = try await db.read { sql in
                Set(try await sql.raw("SELECT id FROM claims WHERE location_id = 1").all().map { try $0.decode(column: "id", as: Int64.self) })
            }
            #expect(detail.customers.compactMap(\.claimID).allSatisfy { seattleClaims.contains($0) })
            let seattleCustomers = try await db.read { sql in
                Set(try await sql.raw("SELECT DISTINCT customer_id FROM claims WHERE location_id = 1").all().map { try $0.decode(column: "customer_id", as: Int64.self) })
            }
            #expect(Set(detail.customers.map(\.customer.id)) == seattleCustomers)
            let names = detail.customers.map(\.customer.name)
            #expect(names == names.sorted())
            let bounded = try #require(try await reads.detail(1, in: bluefin, at: now, customerLimit: 3))
            #expect(bounded.customers.count == 3 && bounded.customersTruncated)
            #expect(try #require(try await reads.detail(1, in: bluefin, at: now)).customers.isEmpty)
        }
    }

    @Test("the SQL that groups and counts customers decides as CustomerStanding does, for every standing and limit",
          arguments: TestDatabases.flavors)
    func sqlDecidesAsTheDomain(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            var standings: [(row: [Int], standing: CustomerStanding)] = []
            for meets in [0, 1] {
                for active in 0...2 {
                    for ours in 0...min(active, 1) {
                        for approvedOurs in [0, 1] {
                            for approvedOther in [0, 1] {
                                for consentedOther in [0, 1] {
                                    standings.append(([meets, active, ours, approvedOurs, approvedOther, consentedOther], CustomerStanding(
                                        meetsCriteria: meets == 1, activeClaims: active, consentedWithAnotherPartner: consentedOther == 1,
                                        approvedWithThisPartner: approvedOurs == 1, approvedWithAnotherPartner: approvedOther == 1,
                                        activeClaimsWithThisPartner: ours)))
                                }
                            }
                        }
                    }
                }
            }
            let values = standings.map { "(\($0.row.map(String.init).joined(separator: ", ")))" }.joined(separator: ", ")
            for limit in 0...2 {
                let bound: SQLQueryString = "\(bind: limit)"
                let rows = try await db.read { sql in
                    try await sql.raw("""
                        WITH standing (meets, active_claims, ours_active, approved_ours, approved_other, consented_other) AS (VALUES \(unsafeRaw: values))
                        SELECT \(CustomerStandingSQL.group(limit: bound)) AS grp,
                               CASE WHEN \(CustomerStandingSQL.claimable(limit: bound)) THEN 1 ELSE 0 END AS claimable
                        FROM standing
                        """).all()
                }
                #expect(rows.count == standings.count)
                // VALUES keeps its order: row i is standing i.
                for (row, expected) in zip(rows, standings) {
                    let standing = expected.standing
                    #expect(try row.decode(column: "grp", as: String.self) == standing.eligibility(limit: limit).group.rawValue, "\(expected.row) limit \(limit)")
                    #expect(try row.decode(column: "claimable", as: Int.self) == (standing.canBeClaimed(limit: limit, engagementTakesClaims: true) ? 1 : 0),
                            "\(expected.row) limit \(limit)")
                }
            }
        }
    }

    @Test("each customer's eligibility on each engagement, and the counts (capped, or over a bounded walk), are what the scope's claims say",
          arguments: TestDatabases.flavors)
    func customersMatchTheClaims(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            try await Seeder(db: db).seedScale(count: 400, now: now, batchSize: 400)
            let reads = EngagementReads(db: db)
            let scopes: [(AccessScope, Set<Int64>)] = [(bluefin, [1, 2, 3, 4]), (seattle, [1])]
            let all = 100_000
            for (scope, locations) in scopes {
                let board = try await reads.board(in: scope, at: now, countCap: all, walk: all)
                let cap = EngagementReads.customerCountCap
                // The counts stop one past the cap: with a cap of 3, "4" stands for more than 3.
                let counted = try await reads.board(in: scope, at: now, countCap: 3, walk: all).engagements
                let capped = Dictionary(uniqueKeysWithValues: counted.map { ($0.id, $0) })
                #expect(!board.engagements.isEmpty)
                #expect(board.engagements.contains { $0.eligibleCustomers > 3 } && board.engagements.contains { $0.activeCustomers > 3 })
                #expect(board.engagements.allSatisfy { !$0.eligibleCustomersAtLeast }, "a walk past every customer counts them all")
                for e in board.engagements {
                    let expected = try await referenceEligibility(engagement: e, organization: 1, locations: locations, db: db)
                    let detail = try #require(try await reads.detail(e.id, in: scope, at: now, customerLimit: all, walk: all))
                    #expect(detail.customers.count == expected.count && !detail.customersTruncated && !detail.customerCountsInPart)
                    // A walk that ends on the scope's last customer has nothing further to look at.
                    let exact = try #require(try await reads.detail(e.id, in: scope, at: now, customerLimit: all, walk: expected.count))
                    #expect(exact.customers.count == expected.count && exact.nextCustomers == nil && !exact.customersLookFurther)
                    for c in detail.customers { #expect(c.eligibility == expected[c.customer.id], "engagement \(e.id), customer \(c.customer.id)") }
                    for group in CustomerEligibility.Group.allCases {
                        #expect(detail.customerCounts[group, default: 0] == expected.values.filter { $0.group == group }.count)
                    }
                    let claimable = detail.customers.filter(\.canBeClaimed).count
                    #expect(e.eligibleCustomers == claimable, "engagement \(e.id)")
                    #expect(capped[e.id]?.eligibleCustomers == min(claimable, 4), "engagement \(e.id) counted to 3")
                    let active = detail.customers.filter { $0.claimStatus?.isActive == true }.count
                    #expect(e.activeCustomers == active && capped[e.id]?.activeCustomers == min(active, 4), "engagement \(e.id)")
                    // The tab counts over the first 40 customers by name: lower bounds past them, exact when there are no more.
                    let engagement = try #require(try await db.read { try await CatalogueRepository.engagement(e.id, on: $0) })
                    let first40 = try await db.read { sql in
                        try await EngagementReads.groupCounts(on: engagement, in: scope, wholeOrganization: scope == bluefin, at: now,
                                                              walk: 40, on: sql)
                    }
                    #expect(first40.inPart == (expected.count > 40), "engagement \(e.id)")
                    #expect(first40.counts.values.reduce(0, +) == min(expected.count, 41))
                    for group in CustomerEligibility.Group.allCases {
                        let inFirst = detail.customers.prefix(41).filter { $0.eligibility.group == group }.count
                        #expect(first40.counts[group] == inFirst, "engagement \(e.id), \(group) among the first 41 by name")
                    }
                    // A board looking through 40 customers: the eligible count is a lower bound when it found at most the cap.
                    if e.id == board.engagements.first(where: { $0.takesClaims(at: now) })?.id {
                        let short = try #require(try await reads.board(in: scope, at: now, walk: 40).engagements.first { $0.id == e.id })
                        let eligibleInFirst = detail.customers.prefix(40).filter(\.canBeClaimed).count
                        #expect(short.eligibleCustomers == min(eligibleInFirst, cap + 1))
                        #expect(short.eligibleCustomersAtLeast == (expected.count > 40 && eligibleInFirst <= cap))
                    }
                    // A page of each group, then the rest by cursor: every customer of the group once, by name; and the same
                    // with a walk of 30 customers a request: short pages that look further, until every customer was seen.
                    for group in CustomerEligibility.Group.allCases where e.id == board.engagements.first?.id {
                        let inGroup = detail.customers.filter { $0.eligibility.group == group }.map(\.customer.id)
                        for walk in [all, 30] {
                            var seen: [EngagementCustomer] = [], after: ClaimCursor?, shortPages = 0
                            repeat {
                                let page = try #require(try await reads.detail(e.id, in: scope, at: now, customerLimit: 15, group: group,
                                                                               after: after, walk: walk))
                                seen += page.customers
                                after = page.nextCustomers
                                #expect(page.customersLookFurther == (after != nil && page.customers.count < 15))
                                if page.customersLookFurther { shortPages += 1 }
                            } while after != nil
                            #expect(seen.map(\.customer.id) == inGroup, "\(group), walking \(walk)")
                            if walk == all { #expect(shortPages == 0) }
                        }
                    }
                }
            }
        }
    }

    @Test("after random writes (claims in every status, deadline sweeps) the counts equal the standing worked out from every claim",
          arguments: TestDatabases.flavors)
    func countsFollowTheWrites(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            var random = SeededRandom(seed: 27)
            let reads = EngagementReads(db: db)
            for step in 0..<4 {
                // The store's own writes: claims walked through the state machine, then the sweeper's expiries.
                // (Each batch with its own seed: the synthetic customers' tenant ids follow it.)
                var seeder = Seeder(db: db)
                seeder.seed = random.next()
                try await seeder.seedScale(count: Int.random(in: 20...80, using: &random), now: now, batchSize: 40)
                if step % 2 == 1 {
                    let days = Double(Int.random(in: 5...60, using: &random))
                    _ = try await ClaimRepository(db: db).expireDue(at: now.addingTimeInterval(days * 86_400))
                }
                for (scope, locations) in [(bluefin, Set<Int64>([1, 2, 3, 4])), (seattle, Set<Int64>([1]))] {
                    let cap = Int.random(in: 2...30, using: &random)
                    let board = try await reads.board(in: scope, at: now, countCap: cap, walk: 100_000)
                    #expect(board.engagements.count > 3)
                    for e in board.engagements {
                        let expected = try await referenceEligibility(engagement: e, organization: 1, locations: locations, db: db)
                        let active = try await db.read { sql in
                            Set(try await sql.raw("""
                                SELECT DISTINCT customer_id FROM claims WHERE organization_id = 1 AND engagement_id = \(bind: e.id)
                                  AND location_id IN (\(unsafeRaw: locations.map(String.init).joined(separator: ", ")))
                                  AND status IN (\(unsafeRaw: CustomerStandingSQL.active))
                                """).all().map { try $0.decode(column: "customer_id", as: Int64.self) })
                        }
                        let claimable = e.takesClaims(at: now) ? expected.filter { $0.value == .eligible && !active.contains($0.key) }.count : 0
                        #expect(e.activeCustomers == min(active.count, cap + 1), "step \(step), engagement \(e.id)")
                        #expect(e.eligibleCustomers == min(claimable, cap + 1), "step \(step), engagement \(e.id)")
                        let engagement = try #require(try await db.read { try await CatalogueRepository.engagement(e.id, on: $0) })
                        let counts = try await db.read { sql in
                            try await EngagementReads.groupCounts(on: engagement, in: scope, wholeOrganization: scope == bluefin, at: now,
                                                                  walk: 100_000, on: sql)
                        }
                        #expect(!counts.inPart)
                        for group in CustomerEligibility.Group.allCases {
                            #expect(counts.counts[group] == expected.values.filter { $0.group == group }.count, "step \(step), \(group)")
                        }
                    }
                }
            }
        }
    }

    /// Each customer of the scope's claims with its eligibility on an engagement, worked out in Swift from every claim
    /// on it, as the reads did before they counted in SQL.
    func referenceEligibility(engagement e: EngagementStanding, organization: Int64, locations: Set<Int64>,
                              db: Database) async throws -> [Int64: CustomerEligibility] {
        try await db.read { sql in
            var customers: [Int64: Customer] = [:]
            for row in try await sql.raw("SELECT cu.id, cu.name, cu.domain, cu.tenant_id, cu.subscription_id, c.location_id FROM customers cu JOIN claims c ON c.customer_id = cu.id WHERE c.organization_id = \(bind: organization)").all()
            where locations.contains(try row.decode(column: "location_id", as: Int64.self)) {
                let id = try row.decode(column: "id", as: Int64.self)
                customers[id] = Customer(id: id, name: try row.decode(column: "name", as: String.self), domain: try row.decode(column: "domain", as: String?.self),
                                         tenantID: try row.decode(column: "tenant_id", as: String?.self),
                                         subscriptionID: try row.decode(column: "subscription_id", as: String?.self))
            }
            var facts: [Int64: [EngagementReads.CustomerFacts.ClaimFact]] = [:]
            for row in try await sql.raw("""
                SELECT k.customer_id, k.organization_id, k.location_id, k.status, k.consent_at, ea.approved_at
                FROM claims k LEFT JOIN earnings ea ON ea.claim_id = k.id WHERE k.engagement_id = \(bind: e.id)
                """).all() {
                let customer = try row.decode(column: "customer_id", as: Int64.self)
                guard customers[customer] != nil else { continue }
                let same = try row.decode(column: "organization_id", as: Int64.self) == organization
                let location = try row.decode(column: "location_id", as: Int64.self)
                facts[customer, default: []].append(.init(
                    status: ClaimStatus(rawValue: try row.decode(column: "status", as: String.self))!,
                    consented: try row.decode(column: "consent_at", as: Date?.self) != nil,
                    ours: same && locations.contains(location), sameOrganization: same,
                    approvedAt: try row.decode(column: "approved_at", as: Date?.self)))
            }
            let criteria = try await CatalogueRepository.engagement(e.id, on: sql)?.version(inForceAt: now).customerCriteria ?? []
            return customers.mapValues { customer in
                EngagementReads.CustomerFacts.standing(of: customer, claims: facts[customer.id] ?? [], role: e.role, criteria: criteria,
                                                       contacts: nil, at: now).eligibility(limit: e.activeClaimsPerCustomer)
            }
        }
    }
}
