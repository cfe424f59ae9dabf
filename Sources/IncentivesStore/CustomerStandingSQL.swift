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

    /// 1 when the customer `cu` meets a role's recorded criteria (`CustomerStanding.meetsRecordedCriteria`), else 0.
    static func meets(_ role: PartnerRole) -> SQLQueryString {
        let fields = CustomerStanding.identifyingFields(for: role).map { "COALESCE(cu.\(column($0)), '') <> ''" }
        return "(CASE WHEN \(unsafeRaw: fields.joined(separator: " OR ")) THEN 1 ELSE 0 END)"
    }

    /// `meets` for the role of the engagement `e` of each row.
    static var meetsByRole: SQLQueryString {
        var expression: SQLQueryString = "(CASE e.role"
        for role in PartnerRole.allCases {
            expression.appendLiteral(" WHEN '\(role.rawValue)' THEN ")
            expression.appendInterpolation(meets(role))
        }
        expression.appendLiteral(" ELSE 0 END)")
        return expression
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

        /// The standing: criteria from the customer's own fields, as the domain decides them, and these facts.
        func standing(of customer: Customer, role: PartnerRole) -> CustomerStanding {
            CustomerStanding(
                meetsCriteria: CustomerStanding.meetsRecordedCriteria(role: role, customer: customer), activeClaims: activeClaims,
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
