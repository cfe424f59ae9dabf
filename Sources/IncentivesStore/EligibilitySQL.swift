import Foundation
import IncentivesDomain
import SQLKit

/// The one reading of eligibility lists and criteria results that every "is listed" read shares: entries come from
/// `eligibility_entries` (migration 21), the criteria from the engagement's version in force (`partnerCriteria`), and
/// each result from `location_criteria` by the criterion's words, "not met" when there is none yet.
enum EligibilitySQL {
    /// A subquery of the ids of engagements on whose list one of the scope's locations is.
    static func listedEngagements(_ scope: AccessScope) -> SQLQueryString {
        "SELECT ee.engagement_id FROM eligibility_entries ee JOIN locations l ON l.id = ee.location_id WHERE \(scope.locationFilter("l"))"
    }

    /// The partner criteria of the version in force at `instant` of each engagement `engagements` (a subquery) names.
    static func criteriaInForce(of engagements: SQLQueryString, at instant: Date, on sql: any SQLDatabase) async throws -> [Int64: [String]] {
        var versions: [Int64: [EngagementVersion]] = [:], drafts: [Int64: EngagementVersion] = [:]
        for row in try await sql.raw("""
            SELECT v.engagement_id, v.number, v.effective_from, v.pay_model, v.rate_a_minor, v.rate_b_minor, v.rate_c_minor, v.max_hours,
                   v.consent_days, v.submission_days, v.review_days, v.dispute_days, v.cpor_response_days, v.description,
                   v.partner_criteria, v.customer_criteria, v.proof_requirements, v.resource_links, e.currency, v.state
            FROM engagement_versions v JOIN engagements e ON e.id = v.engagement_id
            WHERE v.engagement_id IN (\(engagements))
            ORDER BY v.engagement_id, v.number
            """).all() {
            let version = try row.decoded(EngagementVersionRow.self)
            let currency = Currency(try row.decode(column: "currency", as: String.self))
            // A draft version is not in force: its criteria count only for an engagement not published yet (the
            // program manager prepares its list before publishing).
            if try row.decode(column: "state", as: String.self) == "draft" {
                drafts[version.engagementId] = try version.version(currency: currency)
            } else {
                versions[version.engagementId, default: []].append(try version.version(currency: currency))
            }
        }
        // Same rule as `Engagement.version(inForceAt:)`: the newest already effective, or the first.
        var criteria = versions.compactMapValues { list in (list.last { $0.effectiveFrom <= instant } ?? list.first)?.partnerCriteria }
        for (id, draft) in drafts where criteria[id] == nil { criteria[id] = draft.partnerCriteria }
        return criteria
    }

    /// A stored result of one criterion, as read.
    struct StoredResult: Sendable {
        var status: CriterionStatus
        var expiresOn: DayDate?
        var evidence: String?
        var setByName: String?
        var setAt: Date?

        func result(_ criterion: String, at instant: Date) -> CriterionResult {
            CriterionResult(criterion: criterion, met: status.isMet(expiresOn: expiresOn, at: instant),
                            expiresOn: status == .expiring ? expiresOn : nil)
        }
    }

    struct PairKey: Hashable { var locationID: Int64; var engagementID: Int64 }

    /// The stored results of the scope's locations (of one engagement when given), by location and engagement, then words.
    static func results(in scope: AccessScope, engagementID: Int64? = nil,
                        on sql: any SQLDatabase) async throws -> [PairKey: [String: StoredResult]] {
        var engagement: SQLQueryString = "1 = 1"
        if let engagementID { engagement = "lc.engagement_id = \(bind: engagementID)" }
        var results: [PairKey: [String: StoredResult]] = [:]
        for row in try await sql.raw("""
            SELECT lc.location_id, lc.engagement_id, lc.criterion, lc.status, lc.expires_on, lc.evidence, lc.set_by_name, lc.set_at
            FROM location_criteria lc JOIN locations l ON l.id = lc.location_id
            WHERE \(scope.locationFilter("l")) AND \(engagement)
            """).all(decoding: ResultRow.self, with: .snakeCase) {
            guard let status = CriterionStatus(rawValue: row.status) else {
                throw StoreError.corrupt("A criterion result holds an unknown status (\(row.status)).")
            }
            results[PairKey(locationID: row.locationId, engagementID: row.engagementId), default: [:]][row.criterion] = StoredResult(
                status: status, expiresOn: row.expiresOn.flatMap { DayDate($0) }, evidence: row.evidence, setByName: row.setByName, setAt: row.setAt)
        }
        return results
    }

    private struct ResultRow: Decodable {
        var locationId: Int64
        var engagementId: Int64
        var criterion: String
        var status: String
        var expiresOn: String?
        var evidence: String?
        var setByName: String?
        var setAt: Date?
    }
}
