import Foundation
import IncentivesDomain
import SQLKit

/// A partner's customers with their standing on an engagement, counted and paged in SQL: the engagements pages
/// bring back a few rows per engagement and one page of customers, however many claims there are, while the
/// database walks the partner's customers through two indexes (migration 16). The decision itself stays
/// `CustomerStanding.steps`; this translates each of its checks into a condition on the columns below.
///
/// A standing row holds, for one customer (and engagement), what `CustomerStanding` holds: `meets`,
/// `active_claims`, `ours_active`, `approved_ours`, `approved_other`, `consented_other`.
enum CustomerStandingSQL {
    /// The customer ids of the scope's claims (the customers the engagements pages list; repeats included), for
    /// `IN (...)`: both databases walk that list in id order, probing each customer's claims by index.
    static func scopeCustomerIDs(_ scope: AccessScope) -> SQLQueryString {
        "SELECT c.customer_id FROM claims c WHERE \(scope.claimFilter("c"))"
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

    /// `meets` for each row's engagement `e` (`e.id`), with the checks of the version in force of each; an engagement
    /// not in `checks` has none.
    static func meetsByEngagement(_ checks: [Int64: (role: PartnerRole, checks: [ProgramCheck])], row: String, customer: String,
                                  activeClaims: String, at now: Date) -> SQLQueryString {
        var expression: SQLQueryString = "(CASE e.id"
        for (id, entry) in checks.sorted(by: { $0.key < $1.key }) {
            expression.appendLiteral(" WHEN \(id) THEN ")
            expression.appendInterpolation(meets(entry.checks, role: entry.role, row: row, customer: customer, engagement: "e.id",
                                                 activeClaims: activeClaims, at: now))
        }
        expression.appendLiteral(" ELSE 1 END)")
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
