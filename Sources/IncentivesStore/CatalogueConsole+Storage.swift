import Foundation
import IncentivesDomain
import SQLKit

/// The console's rows: an engagement's head, its versions with the new terms' columns, and the refresh of the columns
/// that hold the version in force.
extension CatalogueConsole {
    struct Head: Sendable {
        var lifecycle: EngagementLifecycle
        var currency: String
        var opensOn: DayDate?
        var closesAfter: DayDate?
        var status: EngagementStatus
    }

    private struct HeadRow: Decodable {
        var lifecycle: String
        var currency: String
        var opensOn: String?
        var closesAfter: String?
        var status: String
    }

    static func head(_ id: Int64, on sql: any SQLDatabase) async throws -> Head {
        guard let row = try await sql.raw("""
            SELECT lifecycle, currency, opens_on, closes_after, status FROM engagements WHERE id = \(bind: id)
            """).first()?.decoded(HeadRow.self) else { throw StoreError.notFound("No engagement \(id).") }
        guard let lifecycle = EngagementLifecycle(rawValue: row.lifecycle), let status = EngagementStatus(rawValue: row.status) else {
            throw StoreError.corrupt("Engagement \(id) has an unknown lifecycle \(row.lifecycle) or status \(row.status).")
        }
        return Head(lifecycle: lifecycle, currency: row.currency, opensOn: row.opensOn.flatMap { DayDate($0) },
                    closesAfter: row.closesAfter.flatMap { DayDate($0) }, status: status)
    }

    /// The number of the engagement's draft version, if it has one (at most one at a time).
    static func draftNumber(_ id: Int64, on sql: any SQLDatabase) async throws -> Int? {
        try await sql.raw("SELECT number FROM engagement_versions WHERE engagement_id = \(bind: id) AND state = 'draft'")
            .first(decodingColumn: "number", as: Int.self)
    }

    static func checkDates(opensOn: DayDate, closesAfter: DayDate?) throws {
        if let closesAfter, closesAfter < opensOn {
            throw CatalogueError.invalid(field: "closes_after", "The last day comes on or after the first day (\(opensOn.text)).")
        }
    }

    static func minor(_ amount: Decimal?, _ currency: Currency) -> Int64? {
        amount.map { Money($0, currency).minorUnits }
    }

    enum VersionState: String { case draft, published }

    /// Writes a version of `terms` (a draft, unless the seeder writes a published one); lists are JSON text with sorted keys.
    static func insertVersion(_ terms: EngagementTerms, engagementID: Int64, number: Int, effectiveFrom: Date, state: VersionState = .draft,
                              publishedAt: Date? = nil, publishedBy: String? = nil, on sql: any SQLDatabase) async throws {
        let json = JSONEncoder()
        json.outputFormatting = .sortedKeys
        func text<T: Encodable>(_ value: T) throws -> String { String(decoding: try json.encode(value), as: UTF8.self) }
        let currency = terms.rates.currency
        let deadlines = terms.deadlines
        try await sql.raw("""
            INSERT INTO engagement_versions (engagement_id, number, effective_from, pay_model, rate_a_minor, rate_b_minor, rate_c_minor,
              max_hours, consent_days, submission_days, review_days, dispute_days, cpor_response_days, description, partner_criteria,
              customer_criteria, proof_requirements, resource_links, state, type, cap_minor, active_claims_per_customer, last_claim_day,
              published_at, published_by)
            VALUES (\(bind: engagementID), \(bind: number), \(bind: effectiveFrom), \(bind: terms.payModel.rawValue),
              \(bind: minor(terms.rates.a, currency)), \(bind: minor(terms.rates.b, currency)), \(bind: minor(terms.rates.c, currency)),
              \(bind: terms.maxHours.map { "\($0)" }), \(bind: deadlines.consentDays), \(bind: deadlines.submissionDays),
              \(bind: deadlines.reviewDays), \(bind: deadlines.disputeDays), \(bind: deadlines.cporResponseBusinessDays),
              \(bind: terms.description), \(bind: try text(terms.partnerCriteria)), \(bind: try text(terms.customerCriteria)),
              \(bind: try text(terms.proofRequirements)), \(bind: try text(terms.resourceLinks)), \(bind: state.rawValue), \(bind: terms.type.rawValue),
              \(bind: minor(terms.earningsCap, currency)), \(bind: terms.activeClaimsPerCustomer), \(bind: terms.lastClaimDay?.description),
              \(bind: publishedAt), \(bind: publishedBy))
            """).run()
    }

    private struct InForceRow: Decodable {
        var number: Int
        var effectiveFrom: Date
        var type: String?
        var capMinor: Int64?
        var activeClaimsPerCustomer: Int?
        var lastClaimDay: String?
    }

    /// Sets one published engagement's status from its dates and its in-force columns from its version in force (the
    /// newest published one already in effect, or the first, as `Engagement.version(inForceAt:)` reads it); returns
    /// whether anything changed.
    @discardableResult
    static func refresh(_ id: Int64, at now: Date, on sql: any SQLDatabase) async throws -> Bool {
        let head = try await head(id, on: sql)
        let status = head.lifecycle.status(on: DayDate(now), opensOn: head.opensOn, closesAfter: head.closesAfter, current: head.status)
        let versions = try await sql.raw("""
            SELECT number, effective_from, type, cap_minor, active_claims_per_customer, last_claim_day FROM engagement_versions
            WHERE engagement_id = \(bind: id) AND state = 'published' ORDER BY number
            """).all(decoding: InForceRow.self, with: .snakeCase)
        guard let terms = versions.last(where: { $0.effectiveFrom <= now }) ?? versions.first,
              let type = terms.type, let perCustomer = terms.activeClaimsPerCustomer else { return false }
        let changed = try await sql.raw("""
            UPDATE engagements SET status = \(bind: status.rawValue), type = \(bind: type), cap_minor = \(bind: terms.capMinor),
              active_claims_per_customer = \(bind: perCustomer), last_claim_day = \(bind: terms.lastClaimDay)
            WHERE id = \(bind: id) AND NOT (status = \(bind: status.rawValue) AND type = \(bind: type)
              AND COALESCE(cap_minor, -1) = \(bind: terms.capMinor ?? -1) AND active_claims_per_customer = \(bind: perCustomer)
              AND COALESCE(last_claim_day, '') = \(bind: terms.lastClaimDay ?? ""))
            RETURNING id
            """).first() != nil
        return changed
    }
}
