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
    /// Customers with an open (non-terminal) claim of the viewer's locations on it.
    public var activeCustomers: Int = 0
    /// Customers of the viewer's locations who could be added to it now (`CustomerStanding.canBeClaimed`).
    public var eligibleCustomers: Int = 0

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
    /// How many customers of the viewer's locations each group holds (only when customers were asked for).
    public var customerCounts: [CustomerEligibility.Group: Int]

    /// More customers than `customers` holds.
    public var customersTruncated: Bool { nextCustomers != nil }
}

/// Scoped reads behind `/engagements` and `/engagements/{id}`. Engagements are few (a program's catalogue:
/// tens), so their lists are read whole; customers are counted in SQL and read one keyset page at a time
/// (`CustomerStandingSQL`), so no read grows with the claims.
public struct EngagementReads: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// The engagements page: every solution area, and the engagements with an eligible location of the scope.
    public func board(in scope: AccessScope, at now: Date) async throws -> EngagementBoard {
        try await db.read { try await Self.board(in: scope, at: now, on: $0) }
    }

    static func board(in scope: AccessScope, at now: Date, on sql: any SQLDatabase) async throws -> EngagementBoard {
        let areas = try await sql.raw("SELECT id, code, name FROM solution_areas ORDER BY position, id")
            .all(decoding: SolutionArea.self, with: .snakeCase)
        let locations = try await ProgramReads.standings(in: scope, at: now, on: sql)
        var engagements = try await engagementStandings(in: scope, at: now, onlyEligible: true, locations: locations, on: sql)
        try await countCustomers(of: &engagements, in: scope, at: now, on: sql)
        let programID = try await sql.raw("SELECT MIN(id) AS id FROM programs").first(decodingColumn: "id", as: Int64?.self) ?? nil
        let program = try await programID.asyncMap { try await CatalogueRepository.program($0, on: sql) } ?? nil
        return EngagementBoard(areas: areas, locations: locations, engagements: engagements, program: program)
    }

    /// One engagement, if at least one of the scope's locations is on its eligibility list; nil otherwise
    /// (unknown and foreign alike). Customers are read only when `customerLimit` is above zero: that many of
    /// `group` (every group when nil) by name, after the `after` cursor of an earlier page.
    public func detail(_ id: Int64, in scope: AccessScope, at now: Date, customerLimit: Int = 0,
                       group: CustomerEligibility.Group? = nil, after: ClaimCursor? = nil) async throws -> EngagementDetail? {
        try await db.read {
            try await Self.detail(id, in: scope, at: now, customerLimit: customerLimit, group: group, after: after, on: $0)
        }
    }

    static func detail(_ id: Int64, in scope: AccessScope, at now: Date, customerLimit: Int = 0, group: CustomerEligibility.Group? = nil,
                       after: ClaimCursor? = nil, on sql: any SQLDatabase) async throws -> EngagementDetail? {
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
            (detail.customers, detail.nextCustomers, detail.customerCounts) = try await customers(
                on: engagement, in: scope, at: now, group: group, after: after, limit: customerLimit, on: sql)
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

    /// Fills each engagement's active and eligible customer counts with two aggregate statements: a row per
    /// engagement for the customers with a claim on it, and how many of the scope's customers meet each role's
    /// criteria (a customer without a claim on an engagement stands on those alone).
    static func countCustomers(of engagements: inout [EngagementStanding], in scope: AccessScope, at now: Date,
                               on sql: any SQLDatabase) async throws {
        guard case .partner(let organization, _) = scope, !engagements.isEmpty else { return }
        let limit: SQLQueryString = "claim_limit"
        let inForce = try await CustomerStandingSQL.checksInForce(of: engagements.map(\.id), at: now, on: sql)
        var checks: [Int64: (role: PartnerRole, checks: [ProgramCheck])] = [:]
        var idChecks = checks
        for e in engagements {
            let list = inForce[e.id] ?? []
            checks[e.id] = (e.role, list)
            idChecks[e.id] = (e.role, list.filter { $0 == .customerIDRecorded })
        }
        let meets = CustomerStandingSQL.meetsByEngagement(checks, row: "cu", customer: "f.customer_id", activeClaims: "f.active_claims", at: now)
        let meetsID = CustomerStandingSQL.meetsByEngagement(idChecks, row: "cu", customer: "f.customer_id", activeClaims: "f.active_claims", at: now)
        var claimed: [Int64: (meeting: Int, active: Int, claimable: Int)] = [:]
        for row in try await sql.raw("""
            WITH facts AS (
              SELECT k.customer_id, k.engagement_id, \(CustomerStandingSQL.facts(in: scope, organization: organization))
              FROM claims k WHERE k.customer_id IN (\(CustomerStandingSQL.scopeCustomerIDs(scope)))
              GROUP BY k.customer_id, k.engagement_id
            ),
            standing AS (
              SELECT f.*, e.active_claims_per_customer AS claim_limit, \(meets) AS meets, \(meetsID) AS meets_id
              FROM facts f JOIN engagements e ON e.id = f.engagement_id JOIN customers cu ON cu.id = f.customer_id
            )
            SELECT engagement_id, CAST(SUM(meets_id) AS BIGINT) AS meeting,
                   CAST(SUM(CASE WHEN \(CustomerStandingSQL.condition(.claimedByThisPartner, limit: limit)) THEN 1 ELSE 0 END) AS BIGINT) AS active,
                   CAST(SUM(CASE WHEN \(CustomerStandingSQL.claimable(limit: limit)) THEN 1 ELSE 0 END) AS BIGINT) AS claimable
            FROM standing GROUP BY engagement_id
            """).all(decoding: ClaimedCustomersRow.self, with: .snakeCase) {
            claimed[row.engagementId] = (row.meeting, row.active, row.claimable)
        }
        // A customer with no claim on an engagement has no active or approved claim there: only its recorded ids decide.
        var meetingRole: SQLQueryString = "CAST(COUNT(*) AS BIGINT) AS every_customer"
        for role in PartnerRole.allCases {
            meetingRole.appendLiteral(", CAST(COALESCE(SUM(")
            meetingRole.appendInterpolation(CustomerStandingSQL.meets([.customerIDRecorded], role: role, row: "cu", customer: "cu.id",
                                                                      engagement: "0", activeClaims: "0", at: now))
            meetingRole.appendLiteral("), 0) AS BIGINT) AS \(role.rawValue)")
        }
        guard let totals = try await sql.raw("""
            SELECT \(meetingRole) FROM customers cu WHERE cu.id IN (\(CustomerStandingSQL.scopeCustomerIDs(scope)))
            """).first() else { return }
        let untouched = CustomerStanding(meetsCriteria: true, activeClaims: 0, consentedWithAnotherPartner: false,
                                         approvedWithThisPartner: false, approvedWithAnotherPartner: false)
        for i in engagements.indices {
            let e = engagements[i]
            let open = e.takesClaims(at: now)
            let facts = claimed[e.id] ?? (0, 0, 0)
            // The rest of the scope's customers meeting the criteria have no claim here: nothing else decides for them.
            // (By hand: the column is named after the role.)
            let column = inForce[e.id, default: []].contains(.customerIDRecorded) ? e.role.rawValue : "every_customer"
            let unclaimed = try totals.decode(column: column, as: Int.self) - facts.meeting
            engagements[i].activeCustomers = facts.active
            engagements[i].eligibleCustomers = !open ? 0
                : facts.claimable + (untouched.canBeClaimed(limit: e.activeClaimsPerCustomer, engagementTakesClaims: open) ? unclaimed : 0)
        }
    }

    /// One keyset page of the scope's customers in a group (nil: all), by name then id, each with its eligibility
    /// and the newest claim of the scope on it; the cursor of the next page; and how many customers each group
    /// holds. One statement: every customer's standing is worked out once, for the counts and the page.
    static func customers(on engagement: Engagement, in scope: AccessScope, at now: Date, group: CustomerEligibility.Group?,
                          after: ClaimCursor?, limit: Int, on sql: any SQLDatabase)
    async throws -> (customers: [EngagementCustomer], next: ClaimCursor?, counts: [CustomerEligibility.Group: Int]) {
        guard case .partner(let organization, _) = scope, limit > 0 else { return ([], nil, [:]) }
        var condition: SQLQueryString = "1 = 1"
        if let group { condition.appendLiteral(" AND grp = "); condition.appendInterpolation(bind: group.rawValue) }
        if let after {
            guard case .text(let name) = after.key else { throw ClaimCursorRefused() }
            condition.appendLiteral(" AND (name, id) > (")
            condition.appendInterpolation(bind: name)
            condition.appendLiteral(", ")
            condition.appendInterpolation(bind: after.id)
            condition.appendLiteral(")")
        }
        var counts: SQLQueryString = ""
        for (i, group) in CustomerEligibility.Group.allCases.enumerated() {
            counts.appendLiteral("\(i > 0 ? ", " : "")CAST(COALESCE(SUM(CASE WHEN grp = '\(group.rawValue)' THEN 1 ELSE 0 END), 0) AS BIGINT) AS n_\(group.rawValue)")
        }
        let meets = CustomerStandingSQL.meets(engagement.version(inForceAt: now).customerCriteria.programChecks, role: engagement.role,
                                              row: "facts", customer: "facts.id", engagement: "\(bind: engagement.id)",
                                              activeClaims: "facts.active_claims", at: now)
        // The newest claim is looked up for the page's rows only, through the customer's claims: the scope test is an
        // expression, so that no planner walks the organization's claims on the engagement for it instead.
        let rows = try await sql.raw("""
            WITH facts AS (
              SELECT cu.id, cu.name, cu.domain, cu.tenant_id, cu.top_parent_id, cu.subscription_id, cu.opportunity_id,
                     \(CustomerStandingSQL.facts(in: scope, organization: organization))
              FROM customers cu LEFT JOIN claims k ON k.customer_id = cu.id AND k.engagement_id = \(bind: engagement.id)
              WHERE cu.id IN (\(CustomerStandingSQL.scopeCustomerIDs(scope)))
              GROUP BY cu.id, cu.name, cu.domain, cu.tenant_id, cu.top_parent_id, cu.subscription_id, cu.opportunity_id
            ),
            judged AS (SELECT facts.*, \(meets) AS meets FROM facts),
            standing AS (
              SELECT judged.*, \(CustomerStandingSQL.group(limit: "\(bind: engagement.activeClaimsPerCustomer)")) AS grp FROM judged
            ),
            counts AS (SELECT \(counts) FROM standing),
            page AS (SELECT * FROM standing WHERE \(condition) ORDER BY name, id LIMIT \(literal: limit + 1))
            SELECT n.*, p.id, p.name, p.domain, p.tenant_id, p.top_parent_id, p.subscription_id, p.opportunity_id,
                   CAST(p.active_claims AS BIGINT) AS active_claims, CAST(p.ours_active AS BIGINT) AS ours_active,
                   CAST(p.approved_ours AS BIGINT) AS approved_ours, CAST(p.approved_other AS BIGINT) AS approved_other,
                   CAST(p.consented_other AS BIGINT) AS consented_other, CAST(p.meets AS BIGINT) AS meets,
                   x.id AS claim_id, x.name AS claim_name, x.status AS claim_status
            FROM counts n
            LEFT JOIN page p ON 1 = 1
            LEFT JOIN claims x ON x.id = (
              SELECT y.id FROM claims y
              WHERE y.customer_id = p.id AND y.engagement_id = \(bind: engagement.id) AND (CASE WHEN \(scope.claimFilter("y")) THEN 1 ELSE 0 END) = 1
              ORDER BY y.updated_at DESC, y.id DESC LIMIT 1)
            ORDER BY p.name, p.id
            """).all()
        var groups: [CustomerEligibility.Group: Int] = [:]
        if let first = rows.first {
            // By hand: the count columns are named after the groups.
            for group in CustomerEligibility.Group.allCases { groups[group] = try first.decode(column: "n_\(group.rawValue)", as: Int.self) }
        }
        let open = EarningTerms.takesClaims(status: engagement.status, lastClaimDay: engagement.lastClaimDay, at: now)
        let customers = try rows.prefix(limit).compactMap { row -> EngagementCustomer? in
            let line = try row.decoded(CustomerLineRow.self)
            guard line.id != nil else { return nil } // no customer in the group
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
        let next = rows.count > limit ? customers.last.map { ClaimCursor(key: .text($0.customer.name), id: $0.customer.id) } : nil
        return (customers, next, groups)
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

/// The scope's customers with a claim on one engagement, counted.
private struct ClaimedCustomersRow: Decodable {
    var engagementId: Int64
    var meeting: Int
    var active: Int
    var claimable: Int
}

/// A customers-page row past its customer and standing columns: no id on the one row of a page with no customer
/// (the counts alone), and the scope's newest claim on the customer, if any.
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
