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
    /// The customers of the viewer's locations, by name (only when asked for).
    public var customers: [EngagementCustomer]
    /// More customers than `customers` holds (the list is bounded).
    public var customersTruncated: Bool
}

/// Scoped reads behind `/engagements` and `/engagements/{id}`. Engagements are few (a program's catalogue:
/// tens), so their lists are read whole; customers are read per organization and bounded per page.
public struct EngagementReads: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// The engagements page: every solution area, and the engagements with an eligible location of the scope.
    public func board(in scope: AccessScope, at now: Date) async throws -> EngagementBoard {
        try await db.read { sql in
            let areas = try await sql.raw("SELECT id, code, name FROM solution_areas ORDER BY position, id").all().map { row in
                SolutionArea(id: try row.decode(column: "id", as: Int64.self), code: try row.decode(column: "code", as: String.self),
                             name: try row.decode(column: "name", as: String.self))
            }
            let locations = try await ProgramReads.standings(in: scope, at: now, on: sql)
            var engagements = try await Self.engagementStandings(in: scope, at: now, onlyEligible: true, locations: locations, on: sql)
            let facts = try await Self.customerFacts(in: scope, engagementID: nil, on: sql)
            for i in engagements.indices {
                let e = engagements[i]
                let standings = facts.standings(engagementID: e.id, role: e.role)
                engagements[i].activeCustomers = standings.values.filter { $0.activeClaimsWithThisPartner > 0 }.count
                let open = e.takesClaims(at: now)
                engagements[i].eligibleCustomers = standings.values.filter {
                    $0.canBeClaimed(limit: e.activeClaimsPerCustomer, engagementTakesClaims: open)
                }.count
            }
            let programID = try await sql.raw("SELECT MIN(id) AS id FROM programs").first()?.decode(column: "id", as: Int64?.self)
            let program = try await programID.asyncMap { try await CatalogueRepository.program($0, on: sql) } ?? nil
            return EngagementBoard(areas: areas, locations: locations, engagements: engagements, program: program)
        }
    }

    /// One engagement, if at least one of the scope's locations is on its eligibility list; nil otherwise
    /// (unknown and foreign alike). Customers are read only when `customerLimit` is above zero.
    public func detail(_ id: Int64, in scope: AccessScope, at now: Date, customerLimit: Int = 0) async throws -> EngagementDetail? {
        try await db.read { sql in
            guard try await sql.raw("""
                SELECT 1 AS listed FROM location_criteria lc JOIN locations l ON l.id = lc.location_id
                WHERE lc.engagement_id = \(bind: id) AND \(scope.locationFilter("l"))
                LIMIT 1
                """).first() != nil,
                  let engagement = try await CatalogueRepository.engagement(id, on: sql),
                  let areaRow = try await sql.raw("SELECT id, code, name FROM solution_areas WHERE id = \(bind: engagement.solutionAreaID)").first()
            else { return nil }
            let area = SolutionArea(id: try areaRow.decode(column: "id", as: Int64.self), code: try areaRow.decode(column: "code", as: String.self),
                                    name: try areaRow.decode(column: "name", as: String.self))
            let locations = try await ProgramReads.standings(in: scope, at: now, on: sql)
            let program = try await CatalogueRepository.program(engagement.programID, on: sql)
            var customers: [EngagementCustomer] = []
            var truncated = false
            if customerLimit > 0 {
                let facts = try await Self.customerFacts(in: scope, engagementID: id, on: sql)
                let standings = facts.standings(engagementID: id, role: engagement.role)
                let open = EarningTerms.takesClaims(status: engagement.status, lastClaimDay: engagement.lastClaimDay, at: now)
                let ordered = facts.customers.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
                truncated = ordered.count > customerLimit
                customers = ordered.prefix(customerLimit).map { customer in
                    let standing = standings[customer.id] ?? CustomerStanding(
                        meetsCriteria: CustomerStanding.meetsRecordedCriteria(role: engagement.role, customer: customer), activeClaims: 0,
                        consentedWithAnotherPartner: false, approvedWithThisPartner: false, approvedWithAnotherPartner: false)
                    let claim = facts.latestOwnClaim[customer.id]
                    return EngagementCustomer(
                        customer: customer, eligibility: standing.eligibility(limit: engagement.activeClaimsPerCustomer),
                        canBeClaimed: standing.canBeClaimed(limit: engagement.activeClaimsPerCustomer, engagementTakesClaims: open),
                        claimID: claim?.id, claimName: claim?.name, claimStatus: claim?.status)
                }
            }
            return EngagementDetail(engagement: engagement, solutionArea: area, program: program, locations: locations,
                                    customers: customers, customersTruncated: truncated)
        }
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
            WHERE e.id IN (SELECT lc.engagement_id FROM location_criteria lc JOIN locations l ON l.id = lc.location_id
                           WHERE \(scope.locationFilter("l")))
            ORDER BY sa.position, sa.id, e.name, e.id
            """).all()
        return try rows.compactMap { row in
            let id = try row.decode(column: "id", as: Int64.self)
            guard let role = PartnerRole(rawValue: try row.decode(column: "role", as: String.self)),
                  let type = EngagementType(rawValue: try row.decode(column: "type", as: String.self)),
                  let status = EngagementStatus(rawValue: try row.decode(column: "status", as: String.self)) else {
                throw StoreError.corrupt("Engagement \(id) holds an unknown role, type or status.")
            }
            let listed = locations.compactMap { $0.engagements[id] }
            if onlyEligible && !listed.contains(where: \.isEligible) { return nil }
            return EngagementStanding(
                id: id, programID: try row.decode(column: "program_id", as: Int64.self),
                name: try row.decode(column: "name", as: String.self),
                solutionArea: SolutionArea(id: try row.decode(column: "area_id", as: Int64.self),
                                           code: try row.decode(column: "area_code", as: String.self),
                                           name: try row.decode(column: "area_name", as: String.self)),
                role: role, type: type, status: status,
                lastClaimDay: try row.decode(column: "last_claim_day", as: String?.self).flatMap { DayDate($0) },
                activeClaimsPerCustomer: try row.decode(column: "active_claims_per_customer", as: Int.self),
                locations: listed)
        }
    }

    /// The engagement's side of earning for every engagement the scope is listed on, as a function of the
    /// location's market: status, last day, and whether the version in force at `instant` pays there.
    static func earningTerms(in scope: AccessScope, at instant: Date, on sql: any SQLDatabase) async throws -> [Int64: @Sendable (Market) -> EarningTerms] {
        var versions: [Int64: [(number: Int, from: Date, paid: Set<Market>)]] = [:]
        for row in try await sql.raw("""
            SELECT v.engagement_id, v.number, v.effective_from, v.rate_a_minor, v.rate_b_minor, v.rate_c_minor
            FROM engagement_versions v
            WHERE v.engagement_id IN (SELECT lc.engagement_id FROM location_criteria lc JOIN locations l ON l.id = lc.location_id
                                      WHERE \(scope.locationFilter("l")))
            ORDER BY v.engagement_id, v.number
            """).all() {
            var paid = Set<Market>()
            for (market, column) in [(Market.a, "rate_a_minor"), (.b, "rate_b_minor"), (.c, "rate_c_minor")]
            where try row.decode(column: column, as: Int64?.self) != nil { paid.insert(market) }
            versions[try row.decode(column: "engagement_id", as: Int64.self), default: []].append(
                (try row.decode(column: "number", as: Int.self), try row.decode(column: "effective_from", as: Date.self), paid))
        }
        var terms: [Int64: @Sendable (Market) -> EarningTerms] = [:]
        for row in try await sql.raw("""
            SELECT e.id, e.status, e.last_claim_day FROM engagements e
            WHERE e.id IN (SELECT lc.engagement_id FROM location_criteria lc JOIN locations l ON l.id = lc.location_id
                           WHERE \(scope.locationFilter("l")))
            """).all() {
            let id = try row.decode(column: "id", as: Int64.self)
            guard let status = EngagementStatus(rawValue: try row.decode(column: "status", as: String.self)) else {
                throw StoreError.corrupt("Engagement \(id) holds an unknown status.")
            }
            let last = try row.decode(column: "last_claim_day", as: String?.self).flatMap { DayDate($0) }
            // Same rule as `Engagement.version(inForceAt:)`: the newest already effective, or the first.
            let list = versions[id] ?? []
            let inForce = list.last { $0.from <= instant } ?? list.first
            let paid = inForce?.paid ?? []
            terms[id] = { market in EarningTerms(status: status, lastClaimDay: last, paysInLocationMarket: paid.contains(market)) }
        }
        return terms
    }

    // MARK: Customers

    /// What decides customer eligibility, for the customers of the scope's claims.
    struct CustomerFacts {
        var customers: [Int64: Customer] = [:]
        /// Per engagement, per customer.
        var claims: [Int64: [Int64: [ClaimFact]]] = [:]
        var latestOwnClaim: [Int64: (id: Int64, name: String, status: ClaimStatus)] = [:]

        struct ClaimFact { var status: ClaimStatus; var consented: Bool; var ours: Bool; var sameOrganization: Bool }

        /// A standing for every customer of the scope on the engagement (the domain decides eligibility from it).
        func standings(engagementID: Int64, role: PartnerRole) -> [Int64: CustomerStanding] {
            let byCustomer = claims[engagementID] ?? [:]
            var result: [Int64: CustomerStanding] = [:]
            for (id, customer) in customers {
                result[id] = Self.standing(of: customer, claims: byCustomer[id] ?? [], role: role)
            }
            return result
        }

        /// A customer's standing on one engagement from every partner's claims on it.
        static func standing(of customer: Customer, claims facts: [ClaimFact], role: PartnerRole) -> CustomerStanding {
            let others = facts.filter { !$0.sameOrganization }
            return CustomerStanding(
                meetsCriteria: CustomerStanding.meetsRecordedCriteria(role: role, customer: customer),
                activeClaims: facts.filter(\.status.isActive).count,
                consentedWithAnotherPartner: others.contains { $0.consented && $0.status.isActive && $0.status != .approved },
                approvedWithThisPartner: facts.contains { $0.ours && $0.status == .approved },
                approvedWithAnotherPartner: others.contains { $0.status == .approved },
                activeClaimsWithThisPartner: facts.filter { $0.ours && $0.status.isActive }.count)
        }
    }

    /// The customers on the scope's claims, and every claim on them (any partner's, for the limit and the
    /// "another partner" reasons; only the facts leave, never another partner's claim), optionally for one engagement.
    static func customerFacts(in scope: AccessScope, engagementID: Int64?, on sql: any SQLDatabase) async throws -> CustomerFacts {
        var facts = CustomerFacts()
        guard case .partner(let organization, let locationIDs) = scope else { return facts }
        let onEngagement: SQLQueryString = engagementID.map { "AND cl.engagement_id = \(bind: $0)" } ?? ""
        for row in try await sql.raw("""
            SELECT cu.id, cu.name, cu.domain, cu.tenant_id, cu.top_parent_id, cu.subscription_id, cu.opportunity_id
            FROM customers cu WHERE cu.id IN (SELECT c.customer_id FROM claims c WHERE \(scope.claimFilter("c")))
            """).all() {
            let customer = Customer(
                id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                domain: try row.decode(column: "domain", as: String?.self), tenantID: try row.decode(column: "tenant_id", as: String?.self),
                topParentID: try row.decode(column: "top_parent_id", as: String?.self),
                subscriptionID: try row.decode(column: "subscription_id", as: String?.self),
                opportunityID: try row.decode(column: "opportunity_id", as: String?.self))
            facts.customers[customer.id] = customer
        }
        var latest: [Int64: Date] = [:]
        for row in try await sql.raw("""
            SELECT cl.id, cl.name, cl.customer_id, cl.engagement_id, cl.organization_id, cl.location_id, cl.status, cl.updated_at,
                   CASE WHEN cl.consent_at IS NULL THEN 0 ELSE 1 END AS consented
            FROM claims cl
            WHERE cl.customer_id IN (SELECT c.customer_id FROM claims c WHERE \(scope.claimFilter("c"))) \(onEngagement)
            """).all() {
            let id = try row.decode(column: "id", as: Int64.self)
            guard let status = ClaimStatus(rawValue: try row.decode(column: "status", as: String.self)) else {
                throw StoreError.corrupt("Claim \(id) holds an unknown status.")
            }
            let customer = try row.decode(column: "customer_id", as: Int64.self)
            let sameOrganization = try row.decode(column: "organization_id", as: Int64.self) == organization
            let locationID = try row.decode(column: "location_id", as: Int64.self)
            let ours = sameOrganization && locationIDs.contains(locationID)
            facts.claims[try row.decode(column: "engagement_id", as: Int64.self), default: [:]][customer, default: []].append(
                CustomerFacts.ClaimFact(status: status, consented: try row.decode(column: "consented", as: Int.self) == 1,
                                        ours: ours, sameOrganization: sameOrganization))
            if ours, engagementID != nil {
                let updated = try row.decode(column: "updated_at", as: Date.self)
                if latest[customer].map({ updated > $0 }) ?? true {
                    latest[customer] = updated
                    facts.latestOwnClaim[customer] = (id, try row.decode(column: "name", as: String.self), status)
                }
            }
        }
        return facts
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
