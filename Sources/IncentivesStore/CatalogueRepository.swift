import Foundation
import IncentivesDomain
import SQLKit

/// Reads the program's catalogue: engagements with their versions, programs, solution areas.
/// The catalogue is the vendor's and is the same for every partner, so it takes no scope.
public struct CatalogueRepository: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    public func solutionAreas() async throws -> [SolutionArea] {
        try await db.read { sql in
            // `SolutionArea`'s properties are its columns.
            try await sql.raw("SELECT id, code, name FROM solution_areas ORDER BY position, id").all(decoding: SolutionArea.self, with: .snakeCase)
        }
    }

    public func engagement(_ id: Int64) async throws -> Engagement? {
        try await db.read { try await Self.engagement(id, on: $0) }
    }

    /// Every published or closed engagement.
    public func engagements() async throws -> [Engagement] {
        try await db.read { sql in
            // A draft has no published version yet: it is the console's (`CatalogueConsole.file`), not an engagement of the program.
            let ids = try await sql.raw("SELECT id FROM engagements WHERE lifecycle <> 'draft' ORDER BY id").all(decodingColumn: "id", as: Int64.self)
            var result: [Engagement] = []
            for id in ids { if let e = try await Self.engagement(id, on: sql) { result.append(e) } }
            return result
        }
    }

    public func program(_ id: Int64) async throws -> Program? {
        try await db.read { try await Self.program(id, on: $0) }
    }

    static func program(_ id: Int64, on sql: any SQLDatabase) async throws -> Program? {
        try await sql.raw("SELECT id, name, manager_name, manager_email, weekend, holidays FROM programs WHERE id = \(bind: id)")
            .first()?.decoded(ProgramRow.self).program
    }

    static func engagement(_ id: Int64, on sql: any SQLDatabase) async throws -> Engagement? {
        guard let row = try await sql.raw("""
            SELECT id, program_id, solution_area_id, name, role, type, status, last_claim_day,
                   active_claims_per_customer, cap_minor, currency
            FROM engagements WHERE id = \(bind: id)
            """).first()?.decoded(EngagementRow.self) else { return nil }
        let currency = Currency(row.currency)
        // The published versions; an engagement not published yet is read with its draft (the console prepares its
        // eligibility list before publishing). Partner-side reads never reach a draft: they leave drafts out first.
        let rows = try await sql.raw("""
            SELECT engagement_id, number, effective_from, pay_model, rate_a_minor, rate_b_minor, rate_c_minor, max_hours,
                   consent_days, submission_days, review_days, dispute_days, cpor_response_days, description,
                   partner_criteria, customer_criteria, proof_requirements, resource_links, state
            FROM engagement_versions WHERE engagement_id = \(bind: id) ORDER BY number
            """).all()
        let published = try rows.filter { try $0.decode(column: "state", as: String.self) == "published" }
        let versions = try (published.isEmpty ? rows : published).map { try $0.decoded(EngagementVersionRow.self).version(currency: currency) }
        guard !versions.isEmpty,
              let role = PartnerRole(rawValue: row.role), let type = EngagementType(rawValue: row.type),
              let status = EngagementStatus(rawValue: row.status) else {
            throw StoreError.invalid(field: "engagement", "Engagement \(id) is stored incompletely (versions, role, type or status).")
        }
        return Engagement(id: row.id, programID: row.programId, solutionAreaID: row.solutionAreaId, name: row.name,
                          role: role, type: type, status: status, lastClaimDay: row.lastClaimDay.flatMap { DayDate($0) },
                          activeClaimsPerCustomer: row.activeClaimsPerCustomer,
                          earningsCap: row.capMinor.map { Money(minorUnits: $0, currency: currency) }, versions: versions)
    }
}
