import Foundation
import IncentivesDomain
import SQLKit

/// One engagement of the engagements list, with the viewer's locations on its eligibility list.
public struct EngagementStanding: Sendable, Hashable {
    public var id: Int64
    public var programID: Int64
    public var name: String
    public var solutionArea: SolutionArea
    public var role: PartnerRole
    public var type: EngagementType
    public var status: EngagementStatus
    /// The last UTC day on which customers may be claimed.
    public var lastClaimDay: DayDate?
    /// How many active claims one customer may have on it (across partners).
    public var activeClaimsPerCustomer: Int
    /// The viewer's locations on the list, each with its criteria, enrollment, payee standing and terms.
    public var locations: [LocationEligibility]
    /// Customers with an open (non-terminal) claim of the viewer's locations on it, counted up to the board's cap
    /// (`EngagementReads.customerCountCap`; one more means more than it).
    public var activeCustomers: Int = 0
    /// Customers of the viewer's locations who could be added to it now (`CustomerStanding.canBeClaimed`), counted up to
    /// the board's cap as `activeCustomers`, among the viewer's first `EngagementReads.customerWalk` customers by name.
    public var eligibleCustomers: Int = 0
    /// The viewer has more customers than the board looks through and fewer than the cap of those could be added:
    /// `eligibleCustomers` is a lower bound.
    public var eligibleCustomersAtLeast = false

    /// "N of M": earning locations of the enrolled ones on the list (DOMAIN.md 2).
    public func earningLocations(at instant: Date) -> EarningLocations { EarningLocations(locations, at: instant) }

    /// Whether new claims can be made on it at an instant.
    public func takesClaims(at instant: Date) -> Bool {
        EarningTerms.takesClaims(status: status, lastClaimDay: lastClaimDay, at: instant)
    }
}

/// The engagements page's data: the solution areas (tabs), the viewer's locations and the engagements
/// on which at least one of them is eligible, with customer counts.
public struct EngagementBoard: Sendable {
    public var areas: [SolutionArea]
    public var locations: [LocationStanding]
    public var engagements: [EngagementStanding]
    /// Who partners contact to be added to a list.
    public var program: Program?
}

/// A customer of the viewer's locations as the engagement's Customers page shows it.
public struct EngagementCustomer: Sendable, Hashable {
    public var customer: Customer
    public var eligibility: CustomerEligibility
    /// Whether the viewer could add the customer to the engagement now.
    public var canBeClaimed: Bool
    /// The newest claim of the viewer's locations on the customer for this engagement, if any.
    public var claimID: Int64?
    public var claimName: String?
    public var claimStatus: ClaimStatus?
}

/// One engagement seen by a partner: the catalogue's engagement, the viewer's locations and customers.
public struct EngagementDetail: Sendable {
    public var engagement: Engagement
    public var solutionArea: SolutionArea
    public var program: Program?
    /// The viewer's locations (every one, listed on the engagement or not), with their standing on it.
    public var locations: [LocationStanding]
    /// One page of the customers of the viewer's locations, by name (only when asked for).
    public var customers: [EngagementCustomer]
    /// Where the next page of customers starts, when there is one.
    public var nextCustomers: ClaimCursor?
    /// The page holds fewer customers than asked for because it looked through as many of the viewer's customers as one
    /// request may (`EngagementReads.customerWalk`); `nextCustomers` looks further.
    public var customersLookFurther = false
    /// How many customers of the viewer's locations each group holds (only when customers were asked for), among their
    /// first `EngagementReads.customerWalk` by name.
    public var customerCounts: [CustomerEligibility.Group: Int]
    /// The viewer has more customers than the counts look through: each of `customerCounts` is a lower bound.
    public var customerCountsInPart = false

    /// More customers than `customers` holds.
    public var customersTruncated: Bool { nextCustomers != nil }
}

/// Scoped reads behind `/engagements` and `/engagements/{id}`. Engagements are few (a program's catalogue:
/// tens), so their lists are read whole; customers are counted in SQL up to a cap or over a bounded walk of the scope's
/// own customers, and read one keyset page at a time (`CustomerStandingSQL`), so no read grows with the claims.
public struct EngagementReads: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// The engagements page: every solution area, and the engagements with an eligible location of the scope, their
    /// customers counted up to `countCap` (`countCap + 1`: more), the eligible ones among the scope's first `walk`.
    public func board(in scope: AccessScope, at now: Date, countCap: Int = Self.customerCountCap,
                      walk: Int = Self.customerWalk) async throws -> EngagementBoard {
        let flavor = db.flavor
        return try await db.read { try await Self.board(in: scope, at: now, countCap: countCap, walk: walk, flavor: flavor, on: $0) }
    }

    static func board(in scope: AccessScope, at now: Date, countCap: Int = customerCountCap, walk: Int = customerWalk,
                      flavor: SQLFlavor, on sql: any SQLDatabase) async throws -> EngagementBoard {
        let areas = try await sql.raw("SELECT id, code, name FROM solution_areas ORDER BY position, id")
            .all(decoding: SolutionArea.self, with: .snakeCase)
        let locations = try await ProgramReads.standings(in: scope, at: now, on: sql)
        var engagements = try await engagementStandings(in: scope, at: now, onlyEligible: true, locations: locations, on: sql)
        try await countCustomers(of: &engagements, in: scope, at: now, cap: countCap, walk: walk, flavor: flavor, on: sql)
        let programID = try await sql.raw("SELECT MIN(id) AS id FROM programs").first(decodingColumn: "id", as: Int64?.self) ?? nil
        let program = try await programID.asyncMap { try await CatalogueRepository.program($0, on: sql) } ?? nil
        return EngagementBoard(areas: areas, locations: locations, engagements: engagements, program: program)
    }

    /// One engagement, if at least one of the scope's locations is on its eligibility list; nil otherwise
    /// (unknown and foreign alike). Customers are read only when `customerLimit` is above zero: that many of
    /// `group` (every group when nil) by name, after the `after` cursor of an earlier page, looking through at most
    /// `walk` of the scope's customers.
    public func detail(_ id: Int64, in scope: AccessScope, at now: Date, customerLimit: Int = 0,
                       group: CustomerEligibility.Group? = nil, after: ClaimCursor? = nil,
                       walk: Int = Self.customerWalk) async throws -> EngagementDetail? {
        try await db.read {
            try await Self.detail(id, in: scope, at: now, customerLimit: customerLimit, group: group, after: after, walk: walk, on: $0)
        }
    }

    static func detail(_ id: Int64, in scope: AccessScope, at now: Date, customerLimit: Int = 0, group: CustomerEligibility.Group? = nil,
                       after: ClaimCursor? = nil, walk: Int = customerWalk, on sql: any SQLDatabase) async throws -> EngagementDetail? {
        guard try await sql.raw("""
            SELECT 1 AS listed FROM eligibility_entries ee JOIN locations l ON l.id = ee.location_id
              JOIN engagements e ON e.id = ee.engagement_id AND e.lifecycle <> 'draft'
            WHERE ee.engagement_id = \(bind: id) AND \(scope.locationFilter("l"))
            LIMIT 1
            """).first() != nil,
              let engagement = try await CatalogueRepository.engagement(id, on: sql),
              let area = try await sql.raw("SELECT id, code, name FROM solution_areas WHERE id = \(bind: engagement.solutionAreaID)")
                .first(decoding: SolutionArea.self, with: .snakeCase)
        else { return nil }
        let locations = try await ProgramReads.standings(in: scope, at: now, on: sql)
        let program = try await CatalogueRepository.program(engagement.programID, on: sql)
        var detail = EngagementDetail(engagement: engagement, solutionArea: area, program: program, locations: locations,
                                      customers: [], nextCustomers: nil, customerCounts: [:])
        if customerLimit > 0 {
            let page = try await customers(on: engagement, in: scope, at: now, group: group, after: after, limit: customerLimit,
                                           walk: walk, on: sql)
            detail.customers = page.customers
            detail.nextCustomers = page.next
            detail.customersLookFurther = page.lookFurther
            detail.customerCounts = page.counts
            detail.customerCountsInPart = page.countsInPart
        }
        return detail
    }

    // MARK: Engagements

    /// Engagements with one of the scope's locations on their list (with `onlyEligible`: with every criterion
    /// met by one of them), by solution area then name.
    static func engagementStandings(in scope: AccessScope, at instant: Date, onlyEligible: Bool,
                                    locations known: [LocationStanding]? = nil, on sql: any SQLDatabase) async throws -> [EngagementStanding] {
        let locations: [LocationStanding]
        if let known { locations = known } else { locations = try await ProgramReads.standings(in: scope, at: instant, on: sql) }
        let rows = try await sql.raw("""
            SELECT e.id, e.program_id, e.name, e.role, e.type, e.status, e.last_claim_day, e.active_claims_per_customer,
                   sa.id AS area_id, sa.code AS area_code, sa.name AS area_name
            FROM engagements e JOIN solution_areas sa ON sa.id = e.solution_area_id
            WHERE e.id IN (SELECT ee.engagement_id FROM eligibility_entries ee JOIN locations l ON l.id = ee.location_id
                           WHERE \(scope.locationFilter("l")))
              AND e.lifecycle <> 'draft'
            ORDER BY sa.position, sa.id, e.name, e.id
            """).all(decoding: EngagementStandingRow.self, with: .snakeCase)
        return try rows.compactMap { row in
            let listed = locations.compactMap { $0.engagements[row.id] }
            let standing = try row.standing(locations: listed)
            return onlyEligible && !listed.contains(where: \.isEligible) ? nil : standing
        }
    }

    /// The engagement's side of earning for every engagement the scope is listed on, as a function of the
    /// location's market: status, last day, and whether the version in force at `instant` pays there.
    static func earningTerms(in scope: AccessScope, at instant: Date, on sql: any SQLDatabase) async throws -> [Int64: @Sendable (Market) -> EarningTerms] {
        var versions: [Int64: [(number: Int, from: Date, paid: Set<Market>)]] = [:]
        for row in try await sql.raw("""
            SELECT v.engagement_id, v.number, v.effective_from, v.rate_a_minor, v.rate_b_minor, v.rate_c_minor
            FROM engagement_versions v
            WHERE v.state = 'published' AND v.engagement_id IN (SELECT ee.engagement_id FROM eligibility_entries ee JOIN locations l ON l.id = ee.location_id
                                      WHERE \(scope.locationFilter("l")))
            ORDER BY v.engagement_id, v.number
            """).all(decoding: VersionRatesRow.self, with: .snakeCase) {
            var paid = Set<Market>()
            for (market, rate) in [(Market.a, row.rateAMinor), (.b, row.rateBMinor), (.c, row.rateCMinor)] where rate != nil { paid.insert(market) }
            versions[row.engagementId, default: []].append((row.number, row.effectiveFrom, paid))
        }
        var terms: [Int64: @Sendable (Market) -> EarningTerms] = [:]
        for row in try await sql.raw("""
            SELECT e.id, e.status, e.last_claim_day FROM engagements e
            WHERE e.id IN (SELECT ee.engagement_id FROM eligibility_entries ee JOIN locations l ON l.id = ee.location_id
                           WHERE \(scope.locationFilter("l")))
              AND e.lifecycle <> 'draft'
            """).all(decoding: EngagementTermsRow.self, with: .snakeCase) {
            let id = row.id
            guard let status = EngagementStatus(rawValue: row.status) else {
                throw StoreError.corrupt("Engagement \(id) holds an unknown status.")
            }
            let last = row.lastClaimDay.flatMap { DayDate($0) }
            // Same rule as `Engagement.version(inForceAt:)`: the newest already effective, or the first.
            let list = versions[id] ?? []
            let inForce = list.last { $0.from <= instant } ?? list.first
            let paid = inForce?.paid ?? []
            terms[id] = { market in EarningTerms(status: status, lastClaimDay: last, paysInLocationMarket: paid.contains(market)) }
        }
        return terms
    }

    // MARK: Customers

    /// How far the board counts an engagement's customers: past it a count shows as "100+" (the API: 101). Counting on
    /// would read every customer of a large partner, and past a hundred the exact figure changes nothing a partner does there.
    public static let customerCountCap = 100

    /// How many of the scope's customers (by name, `partner_customers`) one request looks at: an engagement's Customers
    /// page looks through at most this many after its cursor for a page of its tab ("Look further" when they hold less
    /// than a page), its tab counts are over the first this many (exact for a partner with no more customers, a lower
    /// bound past it), and the board's eligible count looks through as many. ReadGrowthTests holds it there: Seattle's user
    /// has 116 customers in the demo at 1,000 claims, and a request may read at most about twice as much at 20,000.
    public static let customerWalk = 250

    /// Fills each engagement's active and eligible customer counts, each exact up to `cap` and `cap + 1` past it, with
    /// two counts per engagement that stop at `cap + 1` customers: the scope's open claims on it, one per customer; and
    /// the scope's customers, each once, that could be claimed on it now, among the first `walk` by name (a lower bound,
    /// `eligibleCustomersAtLeast`, when the scope has more and fewer than `cap + 1` of those could be).
    ///
    /// On SQLite each count is a statement of its own: small, kept prepared, answered in the process. On PostgreSQL each
    /// statement is a round trip and a plan, forty of them for a board of twenty engagements: there the counts go as one
    /// statement, a row per engagement, the scope's walk of customers read once.
    static func countCustomers(of engagements: inout [EngagementStanding], in scope: AccessScope, at now: Date,
                               cap: Int = customerCountCap, walk: Int = customerWalk, flavor: SQLFlavor,
                               on sql: any SQLDatabase) async throws {
        guard case .partner(let organization, _) = scope, !engagements.isEmpty else { return }
        let inForce = try await CustomerStandingSQL.checksInForce(of: engagements.map(\.id), at: now, on: sql)
        let whole = try await CustomerStandingSQL.coversOrganization(scope, on: sql)
        let walked = try await sql.raw("""
            SELECT COUNT(*) AS n FROM (\(CustomerStandingSQL.scopeCustomers(scope, wholeOrganization: whole, after: nil, limit: walk + 1))) w
            """).first(decodingColumn: "n", as: Int.self) ?? 0
        let active = CustomerStandingSQL.active
        // The two counts of an engagement; the eligible one reads the walked customers as `w` (nil: it takes no claims now).
        let counts = engagements.map { e -> (active: SQLQueryString, eligible: SQLQueryString?) in
            let open: SQLQueryString = """
                SELECT COUNT(*) AS n FROM (
                  SELECT 1 AS one FROM claims k
                  WHERE \(scope.claimFilter("k")) AND k.engagement_id = \(bind: e.id) AND k.status IN (\(unsafeRaw: active))
                    AND \(CustomerStandingSQL.firstOfCustomer("k", in: scope, statuses: active))
                  LIMIT \(literal: cap + 1)) x
                """
            guard e.takesClaims(at: now) else { return (open, nil) }
            let claimable = CustomerStandingSQL.claimable(
                customer: "cu", on: e.id, role: e.role, checks: inForce[e.id] ?? [], limit: e.activeClaimsPerCustomer,
                in: scope, organization: organization, at: now)
            return (open, """
                SELECT COUNT(*) AS n FROM (
                  SELECT 1 AS one FROM w CROSS JOIN customers cu
                  WHERE cu.id = w.customer_id AND \(claimable) = 1 LIMIT \(literal: cap + 1)) x
                """)
        }
        let customers = CustomerStandingSQL.scopeCustomers(scope, wholeOrganization: whole, after: nil, limit: walk)
        var found: [(active: Int, eligible: Int?)] = []
        switch flavor {
        case .sqlite:
            for (open, eligible) in counts {
                let active = try await sql.raw(open).first(decodingColumn: "n", as: Int.self) ?? 0
                let claimable = try await eligible.asyncMap { eligible in
                    try await sql.raw("WITH w AS (\(customers)) \(eligible)").first(decodingColumn: "n", as: Int.self) ?? 0
                }
                found.append((active, claimable))
            }
        case .postgres:
            var statement: SQLQueryString = "WITH w AS MATERIALIZED (\(customers)) "
            for (i, (open, eligible)) in counts.enumerated() {
                statement.appendLiteral(i == 0 ? "SELECT " : " UNION ALL SELECT ")
                statement.appendLiteral("\(i) AS i, (")
                statement.appendInterpolation(open)
                statement.appendLiteral(") AS active, ")
                if let eligible { statement.appendLiteral("("); statement.appendInterpolation(eligible); statement.appendLiteral(")") }
                else { statement.appendLiteral("CAST(NULL AS BIGINT)") }
                statement.appendLiteral(" AS eligible")
            }
            let rows = try await sql.raw(statement).all()
            found = Array(repeating: (0, nil), count: counts.count)
            for row in rows {
                let column = StoredColumns(row)
                found[try column("i", as: Int.self)] = (try column("active", as: Int.self), try column("eligible", as: Int?.self))
            }
        }
        for (i, (active, eligible)) in found.enumerated() {
            engagements[i].activeCustomers = active
            guard let eligible else { engagements[i].eligibleCustomers = 0; continue }
            engagements[i].eligibleCustomers = eligible
            engagements[i].eligibleCustomersAtLeast = eligible <= cap && walked > walk
        }
    }

    /// One keyset page of the scope's customers in a group (nil: all), by name then id, each with its eligibility and the
    /// newest claim of the scope on it; the cursor of the next page (`lookFurther`: the page holds fewer than `limit`
    /// because it looked through `walk` customers, and more follow); and the customers in each group among the scope's
    /// first `walk` by name (`countsInPart`: the scope has more, so each count is a lower bound). Neither statement reads
    /// more than `walk` of the scope's customers (and their claims on the engagement), however many the partner has.
    static func customers(on engagement: Engagement, in scope: AccessScope, at now: Date, group: CustomerEligibility.Group?,
                          after: ClaimCursor?, limit: Int, walk: Int = customerWalk, on sql: any SQLDatabase)
    async throws -> CustomerPage {
        guard case .partner(let organization, _) = scope, limit > 0 else { return CustomerPage() }
        var start: CustomerStandingSQL.WalkStart = nil
        if let after {
            guard case .text(let name) = after.key else { throw ClaimCursorRefused() }
            start = (name, after.id)
        }
        let whole = try await CustomerStandingSQL.coversOrganization(scope, on: sql)
        var inGroup: SQLQueryString = "1 = 1"
        if let group { inGroup = "grp = \(bind: group.rawValue)" }
        // The newest claim is looked up for the page's rows only, through the customer's claims: the scope test is an
        // expression, so that no planner walks the organization's claims on the engagement for it instead.
        let rows = try await sql.raw("""
            WITH \(standing(on: engagement, of: CustomerStandingSQL.scopeCustomers(scope, wholeOrganization: whole, after: start, limit: walk),
                            in: scope, organization: organization, at: now)),
            edge AS (SELECT w.customer_id AS edge_id, w.name AS edge_name, (SELECT COUNT(*) FROM walked) AS walked_count
                     FROM walked w ORDER BY w.name DESC, w.customer_id DESC LIMIT 1),
            page AS (SELECT * FROM standing WHERE \(inGroup) ORDER BY name, id LIMIT \(literal: limit + 1))
            SELECT n.edge_id, n.edge_name, CAST(n.walked_count AS BIGINT) AS walked_count,
                   p.id, p.name, p.domain, p.tenant_id, p.top_parent_id, p.subscription_id, p.opportunity_id,
                   CAST(p.active_claims AS BIGINT) AS active_claims, CAST(p.ours_active AS BIGINT) AS ours_active,
                   CAST(p.approved_ours AS BIGINT) AS approved_ours, CAST(p.approved_other AS BIGINT) AS approved_other,
                   CAST(p.consented_other AS BIGINT) AS consented_other, CAST(p.meets AS BIGINT) AS meets,
                   x.id AS claim_id, x.name AS claim_name, x.status AS claim_status
            FROM edge n
            LEFT JOIN page p ON 1 = 1
            LEFT JOIN claims x ON x.id = (
              SELECT y.id FROM claims y
              WHERE y.customer_id = p.id AND y.engagement_id = \(bind: engagement.id) AND (CASE WHEN \(scope.claimFilter("y")) THEN 1 ELSE 0 END) = 1
              ORDER BY y.updated_at DESC, y.id DESC LIMIT 1)
            ORDER BY p.name, p.id
            """).all()
        let open = EarningTerms.takesClaims(status: engagement.status, lastClaimDay: engagement.lastClaimDay, at: now)
        let customers = try rows.prefix(limit).compactMap { row -> EngagementCustomer? in
            let line = try row.decoded(CustomerLineRow.self)
            guard line.id != nil else { return nil } // none of the walked customers is in the group
            let customer = try row.decoded(CustomerRow.self).customer
            let standing = try row.decoded(CustomerStandingSQL.FactsRow.self).standing(of: customer, role: engagement.role)
            var status: ClaimStatus?
            if let claimID = line.claimId {
                status = line.claimStatus.flatMap(ClaimStatus.init(rawValue:))
                if status == nil { throw StoreError.corrupt("Claim \(claimID) holds an unknown status.") }
            }
            return EngagementCustomer(
                customer: customer, eligibility: standing.eligibility(limit: engagement.activeClaimsPerCustomer),
                canBeClaimed: standing.canBeClaimed(limit: engagement.activeClaimsPerCustomer, engagementTakesClaims: open),
                claimID: line.claimId, claimName: line.claimName, claimStatus: status)
        }
        var page = CustomerPage(customers: customers)
        var more = false
        if let edge = try rows.first?.decoded(WalkEdgeRow.self) {
            // Whether a customer follows the last one walked: asked whatever the page holds, so every page asks the same.
            let after = CustomerStandingSQL.scopeCustomers(scope, wholeOrganization: whole, after: (edge.edgeName, edge.edgeId), limit: 1)
            more = try await sql.raw("SELECT COUNT(*) AS n FROM (\(after)) m").first(decodingColumn: "n", as: Int.self) ?? 0 > 0
            if rows.count <= limit && edge.walkedCount >= walk && more {
                // The walk stopped at its bound short of a page: the next request looks on after the last customer it saw.
                page.next = ClaimCursor(key: .text(edge.edgeName), id: edge.edgeId)
                page.lookFurther = true
            }
        }
        if rows.count > limit {
            page.next = customers.last.map { ClaimCursor(key: .text($0.customer.name), id: $0.customer.id) }
        }
        (page.counts, page.countsInPart) = try await groupCounts(on: engagement, in: scope, wholeOrganization: whole, at: now,
                                                                 walk: walk, on: sql)
        return page
    }

    /// The customers in each group among the scope's first `walk` by name, and whether the scope has more (the counts are
    /// then lower bounds): one statement over at most `walk + 1` customers.
    static func groupCounts(on engagement: Engagement, in scope: AccessScope, wholeOrganization: Bool, at now: Date, walk: Int,
                            on sql: any SQLDatabase) async throws -> (counts: [CustomerEligibility.Group: Int], inPart: Bool) {
        guard case .partner(let organization, _) = scope else { return ([:], false) }
        let rows = try await sql.raw("""
            WITH \(standing(on: engagement, of: CustomerStandingSQL.scopeCustomers(scope, wholeOrganization: wholeOrganization, after: nil,
                                                                                    limit: walk + 1),
                            in: scope, organization: organization, at: now))
            SELECT grp, CAST(COUNT(*) AS BIGINT) AS n FROM standing GROUP BY grp
            """).all(decoding: GroupCountRow.self, with: .snakeCase)
        var counts: [CustomerEligibility.Group: Int] = [:]
        for group in CustomerEligibility.Group.allCases { counts[group] = rows.first { $0.grp == group.rawValue }?.n ?? 0 }
        return (counts, rows.reduce(0) { $0 + $1.n } > walk)
    }

    /// The common table expressions `walked` (the customers `customers` walks), `facts`, `judged` and `standing` (each walked
    /// customer with its standing columns and `grp`, its group on the engagement), for a statement to go on with. (CROSS JOIN:
    /// SQLite joins in the order written, from the few walked customers to their records, never the other way round.)
    static func standing(on engagement: Engagement, of customers: SQLQueryString, in scope: AccessScope, organization: Int64,
                         at now: Date) -> SQLQueryString {
        let meets = CustomerStandingSQL.meets(engagement.version(inForceAt: now).customerCriteria.programChecks, role: engagement.role,
                                              row: "facts", customer: "facts.id", engagement: "\(bind: engagement.id)",
                                              activeClaims: "facts.active_claims", at: now)
        return """
            walked AS (\(customers)),
            facts AS (
              SELECT cu.id, cu.name, cu.domain, cu.tenant_id, cu.top_parent_id, cu.subscription_id, cu.opportunity_id,
                     \(CustomerStandingSQL.facts(in: scope, organization: organization))
              FROM walked w CROSS JOIN customers cu
              LEFT JOIN claims k ON k.customer_id = cu.id AND k.engagement_id = \(bind: engagement.id)
              WHERE cu.id = w.customer_id
              GROUP BY cu.id, cu.name, cu.domain, cu.tenant_id, cu.top_parent_id, cu.subscription_id, cu.opportunity_id
            ),
            judged AS (SELECT facts.*, \(meets) AS meets FROM facts),
            standing AS (
              SELECT judged.*, \(CustomerStandingSQL.group(limit: "\(bind: engagement.activeClaimsPerCustomer)")) AS grp FROM judged
            )
            """
    }

    /// One page of an engagement's Customers page, as `customers(on:...)` reads it.
    struct CustomerPage {
        var customers: [EngagementCustomer] = []
        var next: ClaimCursor?
        var lookFurther = false
        var counts: [CustomerEligibility.Group: Int] = [:]
        var countsInPart = false
    }

    /// A customer's standing on one engagement from every partner's claims on it (Add customer decides one
    /// customer at a time with it; the engagements pages count the same facts in SQL, `CustomerStandingSQL`).
    enum CustomerFacts {
        struct ClaimFact {
            var status: ClaimStatus; var consented: Bool; var ours: Bool; var sameOrganization: Bool
            var approvedAt: Date? = nil
        }

        /// The standing, its criteria judged by the program checks among `criteria` (`contacts`: those the partner gives).
        static func standing(of customer: Customer, claims facts: [ClaimFact], role: PartnerRole, criteria: [CustomerCriterion],
                             contacts: [Contact]?, at now: Date) -> CustomerStanding {
            let others = facts.filter { !$0.sameOrganization }
            let judging = CriterionFacts(
                customer: customer, role: role, otherActiveClaims: facts.filter(\.status.isActive).count,
                lastApproval: facts.filter { $0.status == .approved }.compactMap(\.approvedAt).max(),
                contactEmails: contacts?.map(\.email), now: now)
            return CustomerStanding(
                meetsCriteria: true,
                activeClaims: facts.filter(\.status.isActive).count,
                consentedWithAnotherPartner: others.contains { $0.consented && $0.status.isActive && $0.status != .approved },
                approvedWithThisPartner: facts.contains { $0.ours && $0.status == .approved },
                approvedWithAnotherPartner: others.contains { $0.status == .approved },
                activeClaimsWithThisPartner: facts.filter { $0.ours && $0.status.isActive }.count
            ).judged(by: criteria, judging)
        }
    }
}

// MARK: Rows

/// An engagement of the scope's lists, with its solution area.
private struct EngagementStandingRow: Decodable {
    var id: Int64
    var programId: Int64
    var name: String
    var role: String
    var type: String
    var status: String
    var lastClaimDay: String?
    var activeClaimsPerCustomer: Int
    var areaId: Int64
    var areaCode: String
    var areaName: String

    func standing(locations: [LocationEligibility]) throws -> EngagementStanding {
        guard let role = PartnerRole(rawValue: role), let type = EngagementType(rawValue: type),
              let status = EngagementStatus(rawValue: status) else {
            throw StoreError.corrupt("Engagement \(id) holds an unknown role, type or status.")
        }
        return EngagementStanding(
            id: id, programID: programId, name: name, solutionArea: SolutionArea(id: areaId, code: areaCode, name: areaName),
            role: role, type: type, status: status, lastClaimDay: lastClaimDay.flatMap { DayDate($0) },
            activeClaimsPerCustomer: activeClaimsPerCustomer, locations: locations)
    }
}

/// Which markets an engagement version pays in, and from when.
private struct VersionRatesRow: Decodable {
    var engagementId: Int64
    var number: Int
    var effectiveFrom: Date
    var rateAMinor: Int64?
    var rateBMinor: Int64?
    var rateCMinor: Int64?
}

/// An engagement's status and last day.
private struct EngagementTermsRow: Decodable {
    var id: Int64
    var status: String
    var lastClaimDay: String?
}

/// The last customer a Customers page looked at, and how many it looked at.
private struct WalkEdgeRow: Decodable {
    var edgeId: Int64
    var edgeName: String
    var walkedCount: Int
}

/// The customers of one eligibility group.
private struct GroupCountRow: Decodable {
    var grp: String
    var n: Int
}

/// A customers-page row past its customer and standing columns: no id on the one row of a page with no customer
/// (the walk's edge alone), and the scope's newest claim on the customer, if any.
private struct CustomerLineRow: Decodable {
    var id: Int64?
    var claimId: Int64?
    var claimName: String?
    var claimStatus: String?
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
