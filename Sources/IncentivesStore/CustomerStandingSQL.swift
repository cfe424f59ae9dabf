import Foundation
import IncentivesDomain
import SQLKit

/// A partner's customers with their standing on an engagement, counted and paged in SQL: the engagements pages
/// bring back a few rows per engagement and one page of customers, and the database looks at a bounded number of the
/// scope's own customers for them (`partner_customers`, kept by the triggers of migration 30), each through its own
/// claims on the engagement (migration 16's index), however many claims there are. The decision itself stays
/// `CustomerStanding.steps`; this translates each of its checks into a condition on the columns below.
///
/// A standing row holds, for one customer (and engagement), what `CustomerStanding` holds: `meets`,
/// `active_claims`, `ours_active`, `approved_ours`, `approved_other`, `consented_other`.
enum CustomerStandingSQL {
    /// Where a walk of the scope's customers starts: after a customer's name and id, or at the first.
    typealias WalkStart = (name: String, id: Int64)?

    /// The scope's customers (`customer_id`, `name`), each once, by name then id after `start`, at most `limit` of them:
    /// a range of `partner_customers` read in index order and stopped at `limit`. `wholeOrganization`: the scope holds every
    /// location of its organization (an admin's), walked by the organization's rows in index order, a customer of several
    /// locations met at its first (a probe of the customer's rows: no grouping that a planner might do over the whole
    /// range first); otherwise each location's range is read, at most `limit` rows each, and merged.
    static func scopeCustomers(_ scope: AccessScope, wholeOrganization: Bool, after start: WalkStart,
                               limit: Int) -> SQLQueryString {
        guard case .partner(let organization, let locations) = scope, !locations.isEmpty else {
            return "SELECT customer_id, name FROM partner_customers WHERE 1 = 0"
        }
        func after(_ alias: String) -> SQLQueryString {
            guard let start else { return "" }
            return " AND (\(ident: alias).name, \(ident: alias).customer_id) > (\(bind: start.name), \(bind: start.id))"
        }
        if wholeOrganization {
            return """
                SELECT pc.customer_id, pc.name FROM partner_customers pc WHERE pc.organization_id = \(bind: organization)\(after("pc"))
                  AND NOT EXISTS (SELECT 1 FROM partner_customers q WHERE q.customer_id = pc.customer_id AND q.location_id < pc.location_id
                                                                        AND q.organization_id = pc.organization_id)
                ORDER BY pc.name, pc.customer_id LIMIT \(literal: limit)
                """
        }
        let ranges = locations.sorted().map { location -> SQLQueryString in
            """
            SELECT pc.customer_id, pc.name FROM partner_customers pc
            WHERE pc.location_id = \(bind: location)\(after("pc")) ORDER BY pc.name, pc.customer_id LIMIT \(literal: limit)
            """
        }
        if ranges.count == 1 { return ranges[0] }
        let merged = ranges.map { range -> SQLQueryString in "SELECT * FROM (\(range)) r" }.joined(separator: " UNION ALL ")
        return """
            SELECT w.customer_id, w.name FROM (\(merged)) w
            GROUP BY w.name, w.customer_id ORDER BY w.name, w.customer_id LIMIT \(literal: limit)
            """
    }

    /// Whether the scope holds every location of its organization (then its customers are the organization's).
    static func coversOrganization(_ scope: AccessScope, on sql: any SQLDatabase) async throws -> Bool {
        guard case .partner(let organization, let locations) = scope, !locations.isEmpty else { return false }
        let others = try await sql.raw("""
            SELECT COUNT(*) AS n FROM locations l WHERE l.organization_id = \(bind: organization)
              AND l.id NOT IN (\(unsafeRaw: locations.sorted().map(String.init).joined(separator: ", ")))
            """).first(decodingColumn: "n", as: Int.self) ?? 0
        return others == 0
    }

    /// A condition on a claim `alias` of the scope: it is the scope's first (lowest id) claim on its customer on the same
    /// engagement (among `statuses` when given), so that a walk of the scope's claims meets each customer once and can stop
    /// after a few (no DISTINCT to gather first). The earlier claims are looked for among the customer's own, a handful:
    /// the scope test is an expression so that no planner tries every location and status of the scope for each claim.
    static func firstOfCustomer(_ alias: String, in scope: AccessScope, statuses: String? = nil) -> SQLQueryString {
        var query: SQLQueryString = "NOT EXISTS (SELECT 1 FROM claims d WHERE d.customer_id = \(ident: alias).customer_id"
        query.appendLiteral(" AND d.engagement_id = \(alias).engagement_id AND d.id < \(alias).id AND (CASE WHEN ")
        query.appendInterpolation(scope.claimFilter("d"))
        if let statuses { query.appendLiteral(" AND d.status IN (\(statuses))") }
        query.appendLiteral(" THEN 1 ELSE 0 END) = 1)")
        return query
    }

    /// 1 when the scope could claim the customer of the `customers` row `row` on an engagement taking claims, else 0
    /// (`CustomerStanding.canBeClaimed`). A customer with no claim on the engagement (most of a partner's customers on
    /// any one) is decided by its recorded ids alone; the others by their claims' facts, one customer's claims at a time.
    static func claimable(customer row: String, on engagement: Int64, role: PartnerRole, checks: [ProgramCheck], limit: Int,
                          in scope: AccessScope, organization: Int64, at now: Date) -> SQLQueryString {
        let untouched = CustomerStanding(meetsCriteria: true, activeClaims: 0, consentedWithAnotherPartner: false,
                                         approvedWithThisPartner: false, approvedWithAnotherPartner: false)
        var unclaimed: SQLQueryString = "0"
        if untouched.canBeClaimed(limit: limit, engagementTakesClaims: true) {
            unclaimed = meets(checks, role: role, row: row, customer: "\(row).id", engagement: "\(bind: engagement)", activeClaims: "0", at: now)
        }
        let judged = meets(checks, role: role, row: row, customer: "\(row).id", engagement: "\(bind: engagement)",
                           activeClaims: "f.active_claims", at: now)
        return """
            (CASE WHEN NOT EXISTS (SELECT 1 FROM claims t WHERE t.customer_id = \(ident: row).id AND t.engagement_id = \(bind: engagement))
                  THEN \(unclaimed)
                  ELSE (SELECT CASE WHEN \(claimable(limit: "\(bind: limit)")) THEN 1 ELSE 0 END FROM (
                          SELECT f.*, \(judged) AS meets FROM (
                            SELECT \(facts(in: scope, organization: organization)) FROM claims k
                            WHERE k.customer_id = \(ident: row).id AND k.engagement_id = \(bind: engagement)) f) standing)
             END)
            """
    }

    /// The standing's claim facts, aggregated over the claims `k` of one customer on one engagement (every partner's:
    /// the limit and the "another partner" reasons count them; only these facts leave the database). With no claim
    /// (a LEFT JOIN's empty side) every fact is 0.
    static func facts(in scope: AccessScope, organization: Int64) -> SQLQueryString {
        let ours = scope.claimFilter("k")
        return """
            SUM(CASE WHEN k.status IN (\(unsafeRaw: active)) THEN 1 ELSE 0 END) AS active_claims,
            SUM(CASE WHEN k.status IN (\(unsafeRaw: active)) AND \(ours) THEN 1 ELSE 0 END) AS ours_active,
            MAX(CASE WHEN k.status = '\(unsafeRaw: ClaimStatus.approved.rawValue)' AND \(ours) THEN 1 ELSE 0 END) AS approved_ours,
            MAX(CASE WHEN k.status = '\(unsafeRaw: ClaimStatus.approved.rawValue)' AND k.organization_id <> \(bind: organization) THEN 1 ELSE 0 END) AS approved_other,
            MAX(CASE WHEN k.consent_at IS NOT NULL AND k.status IN (\(unsafeRaw: active)) AND k.status <> '\(unsafeRaw: ClaimStatus.approved.rawValue)'
                     AND k.organization_id <> \(bind: organization) THEN 1 ELSE 0 END) AS consented_other
            """
    }

    /// 1 when a customer meets every program check among `checks` on an engagement, else 0: the SQL twin of
    /// `ProgramCheck.evaluate` (`CustomerStanding.judged`). `row` is the alias holding the customer's id columns and
    /// `customer` its id, `engagement` the engagement's id, `activeClaims` the customer's active claims on it. Contacts
    /// belong to a claim, not a customer: that check is decided when a partner gives them (Add customer) and in review.
    static func meets(_ checks: [ProgramCheck], role: PartnerRole, row: String, customer: String, engagement: SQLQueryString,
                      activeClaims: String, at now: Date) -> SQLQueryString {
        var expression: SQLQueryString = "(CASE WHEN 1 = 1"
        for check in checks {
            switch check {
            case .customerIDRecorded:
                let fields = CustomerStanding.identifyingFields(for: role).map { "COALESCE(\(row).\(column($0)), '') <> ''" }
                expression.appendLiteral(" AND (\(fields.joined(separator: " OR ")))")
            case .noOtherActiveClaim:
                expression.appendLiteral(" AND \(activeClaims) = 0")
            case .noApprovedClaimWithin(let months):
                expression.appendLiteral("""
                     AND NOT EXISTS (SELECT 1 FROM claims ap JOIN earnings ea ON ea.claim_id = ap.id
                      WHERE ap.customer_id = \(customer) AND ap.engagement_id = 
                    """)
                expression.appendInterpolation(engagement)
                expression.appendLiteral(" AND ap.status = '\(ClaimStatus.approved.rawValue)' AND ea.approved_at >= ")
                expression.appendInterpolation(bind: ProgramCheck.monthsBefore(now, months))
                expression.appendLiteral(")")
            case .contactsAtCustomerDomain:
                continue
            }
        }
        expression.appendLiteral(" THEN 1 ELSE 0 END)")
        return expression
    }

    /// The program checks of each engagement's customer criteria in the version in force at `now` (published only; the
    /// first when none is in force yet, as `Engagement.version(inForceAt:)`).
    static func checksInForce(of engagements: [Int64], at now: Date, on sql: any SQLDatabase) async throws -> [Int64: [ProgramCheck]] {
        guard !engagements.isEmpty else { return [:] }
        var versions: [Int64: [(from: Date, criteria: String)]] = [:]
        for row in try await sql.raw("""
            SELECT v.engagement_id, v.effective_from, v.customer_criteria FROM engagement_versions v
            WHERE v.state = 'published' AND v.engagement_id IN (\(unsafeRaw: engagements.map(String.init).joined(separator: ", ")))
            ORDER BY v.engagement_id, v.number
            """).all(decoding: CriteriaRow.self, with: .snakeCase) {
            versions[row.engagementId, default: []].append((row.effectiveFrom, row.customerCriteria))
        }
        return try versions.mapValues { list in
            guard let inForce = list.last(where: { $0.from <= now }) ?? list.first else { return [] }
            return try JSONDecoder().decode([CustomerCriterion].self, from: Data(inForce.criteria.utf8)).programChecks
        }
    }

    private struct CriteriaRow: Decodable {
        var engagementId: Int64
        var effectiveFrom: Date
        var customerCriteria: String
    }

    /// The customer's group (`CustomerEligibility.Group`'s raw value) on a standing row: the outcome of the first
    /// step of `CustomerStanding.steps` whose check holds, `limit` being the engagement's active claims per customer.
    static func group(limit: SQLQueryString) -> SQLQueryString {
        var expression: SQLQueryString = "(CASE"
        for step in CustomerStanding.steps {
            expression.appendLiteral(" WHEN ")
            expression.appendInterpolation(condition(step.check, limit: limit))
            expression.appendLiteral(" THEN '\(step.outcome.group.rawValue)'")
        }
        expression.appendLiteral(" ELSE '\(CustomerEligibility.eligible.group.rawValue)' END)")
        return expression
    }

    /// `CustomerStanding.canBeClaimed` but for the engagement taking claims (the caller knows that): eligible, and not
    /// being claimed by this partner already.
    static func claimable(limit: SQLQueryString) -> SQLQueryString {
        var expression = group(limit: limit)
        expression.appendLiteral(" = '\(CustomerEligibility.eligible.group.rawValue)' AND NOT (")
        expression.appendInterpolation(condition(.claimedByThisPartner, limit: limit))
        expression.appendLiteral(")")
        return expression
    }

    /// A check of `CustomerStanding.holds` on a standing row's columns.
    static func condition(_ check: CustomerStanding.Check, limit: SQLQueryString) -> SQLQueryString {
        switch check {
        case .approvedWithThisPartner: "approved_ours = 1"
        case .claimedByThisPartner: "ours_active > 0"
        case .criteriaNotMet: "meets = 0"
        case .approvedWithAnotherPartner: "approved_other = 1"
        case .consentedWithAnotherPartner: "consented_other = 1"
        case .activeClaimLimitReached: "active_claims >= \(limit)"
        }
    }

    /// A standing row's claim facts, read back.
    struct FactsRow: Decodable {
        var activeClaims: Int
        var oursActive: Int
        var approvedOurs: Int
        var approvedOther: Int
        var consentedOther: Int

        var meets: Int

        /// The standing: these facts, with the criteria as the SQL decided them (`meets`).
        func standing(of customer: Customer, role: PartnerRole) -> CustomerStanding {
            CustomerStanding(
                meetsCriteria: meets == 1, activeClaims: activeClaims,
                consentedWithAnotherPartner: consentedOther == 1, approvedWithThisPartner: approvedOurs == 1,
                approvedWithAnotherPartner: approvedOther == 1, activeClaimsWithThisPartner: oursActive)
        }
    }

    /// The statuses of a claim still running (`ClaimStatus.isActive`), quoted for an IN list.
    static let active = ClaimStatus.allCases.filter(\.isActive).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    static func column(_ field: Customer.Field) -> String {
        switch field {
        case .domain: "domain"
        case .tenantID: "tenant_id"
        case .subscriptionID: "subscription_id"
        }
    }
}
