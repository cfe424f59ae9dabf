import Foundation
import IncentivesDomain
import SQLKit

/// The catalogue as the console shows it: the program, its areas, and every engagement with its lifecycle, drafts included.
public struct ConsoleOverview: Sendable {
    public var program: Program?
    public var areas: [SolutionArea]
    /// Each area's place in the tabs, by id.
    public var positions: [Int64: Int]
    public var engagements: [ConsoleEngagementLine]
}

/// One engagement in the console's list.
public struct ConsoleEngagementLine: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var solutionAreaID: Int64
    public var role: PartnerRole
    public var type: EngagementType
    public var lifecycle: EngagementLifecycle
    public var status: EngagementStatus
    /// The number of the version in force now, and of the draft being written, if any.
    public var versionInForce: Int?
    public var draftVersion: Int?
    public var terms: EngagementTerms?
}

/// A version as stored: its terms, and when and by whom it was published (nil for the draft).
public struct ConsoleVersion: Sendable, Hashable {
    public var number: Int
    public var effectiveFrom: Date
    public var publishedAt: Date?
    public var publishedBy: String?
    public var terms: EngagementTerms
}

/// Everything the console's page of one engagement shows.
public struct ConsoleEngagementFile: Sendable {
    public var id: Int64
    public var name: String
    public var solutionArea: SolutionArea
    public var role: PartnerRole
    public var lifecycle: EngagementLifecycle
    public var status: EngagementStatus
    public var opensOn: DayDate?
    public var closesAfter: DayDate?
    /// Published versions, oldest first.
    public var published: [ConsoleVersion]
    public var draft: ConsoleVersion?
    public var history: [ProgramChange]

    /// The version in force at `instant`: the newest published one already in effect, or the first.
    public func inForce(at instant: Date) -> ConsoleVersion? {
        published.last { $0.effectiveFrom <= instant } ?? published.first
    }
}

extension CatalogueConsole {
    public func overview(at now: Date) async throws -> ConsoleOverview {
        try await db.read { sql in
            let program = try await sql.raw("SELECT MIN(id) AS id FROM programs").first(decodingColumn: "id", as: Int64?.self) ?? nil
            let areaRows = try await Self.areaRows(on: sql)
            var lines: [ConsoleEngagementLine] = []
            for id in try await sql.raw("SELECT id FROM engagements ORDER BY name, id").all(decodingColumn: "id", as: Int64.self) {
                guard let file = try await Self.file(id, history: false, on: sql) else { continue }
                let inForce = file.inForce(at: now)
                lines.append(ConsoleEngagementLine(id: id, name: file.name, solutionAreaID: file.solutionArea.id, role: file.role,
                                                   type: (inForce ?? file.draft)?.terms.type ?? .workshop, lifecycle: file.lifecycle,
                                                   status: file.status, versionInForce: inForce?.number, draftVersion: file.draft?.number,
                                                   terms: (inForce ?? file.draft)?.terms))
            }
            var found: Program?
            if let program { found = try await CatalogueRepository.program(program, on: sql) }
            return ConsoleOverview(program: found,
                                   areas: areaRows.map { SolutionArea(id: $0.id, code: $0.code, name: $0.name) },
                                   positions: Dictionary(uniqueKeysWithValues: areaRows.map { ($0.id, Int($0.position)) }), engagements: lines)
        }
    }

    /// The solution areas in their order, each with its place: what the forms offer, without reading any engagement.
    public func areas() async throws -> [(area: SolutionArea, position: Int)] {
        try await db.read { sql in
            try await Self.areaRows(on: sql).map { (SolutionArea(id: $0.id, code: $0.code, name: $0.name), Int($0.position)) }
        }
    }

    private static func areaRows(on sql: any SQLDatabase) async throws -> [AreaRow] {
        try await sql.raw("SELECT id, code, name, position FROM solution_areas ORDER BY position, id").all(decoding: AreaRow.self, with: .snakeCase)
    }

    /// One engagement with its versions, draft and history; nil when there is none.
    public func file(_ id: Int64) async throws -> ConsoleEngagementFile? {
        try await db.read { try await Self.file(id, history: true, on: $0) }
    }

    private struct AreaRow: Decodable { var id: Int64; var code: String; var name: String; var position: Int64 }

    private struct FileRow: Decodable {
        var name: String
        var solutionAreaId: Int64
        var areaCode: String
        var areaName: String
        var role: String
        var lifecycle: String
        var status: String
        var opensOn: String?
        var closesAfter: String?
        var currency: String
    }

    private struct VersionExtras: Decodable {
        var state: String
        var type: String?
        var capMinor: Int64?
        var activeClaimsPerCustomer: Int?
        var lastClaimDay: String?
        var publishedAt: Date?
        var publishedBy: String?
    }

    static func file(_ id: Int64, history: Bool, on sql: any SQLDatabase) async throws -> ConsoleEngagementFile? {
        guard let row = try await sql.raw("""
            SELECT e.name, e.solution_area_id, sa.code AS area_code, sa.name AS area_name, e.role, e.lifecycle, e.status, e.opens_on,
                   e.closes_after, e.currency
            FROM engagements e JOIN solution_areas sa ON sa.id = e.solution_area_id WHERE e.id = \(bind: id)
            """).first()?.decoded(FileRow.self) else { return nil }
        guard let role = PartnerRole(rawValue: row.role), let lifecycle = EngagementLifecycle(rawValue: row.lifecycle),
              let status = EngagementStatus(rawValue: row.status) else {
            throw StoreError.corrupt("Engagement \(id) has an unknown role, lifecycle or status.")
        }
        let currency = Currency(row.currency)
        var published: [ConsoleVersion] = [], draft: ConsoleVersion?
        for versionRow in try await sql.raw("""
            SELECT engagement_id, number, effective_from, pay_model, rate_a_minor, rate_b_minor, rate_c_minor, max_hours, consent_days,
                   submission_days, review_days, dispute_days, cpor_response_days, description, partner_criteria, customer_criteria,
                   proof_requirements, resource_links, state, type, cap_minor, active_claims_per_customer, last_claim_day, published_at, published_by
            FROM engagement_versions WHERE engagement_id = \(bind: id) ORDER BY number
            """).all() {
            let version = try versionRow.decoded(EngagementVersionRow.self).version(currency: currency)
            let extras = try versionRow.decoded(VersionExtras.self)
            guard let type = extras.type.flatMap(EngagementType.init(rawValue:)) else {
                throw StoreError.corrupt("Version \(version.number) of engagement \(id) has no type.")
            }
            var terms = EngagementTerms(type: type, payModel: version.payModel, rates: version.rates, maxHours: version.maxHours,
                                        deadlines: version.deadlines, description: version.description)
            terms.partnerCriteria = version.partnerCriteria; terms.customerCriteria = version.customerCriteria
            terms.proofRequirements = version.proofRequirements; terms.resourceLinks = version.resourceLinks
            terms.earningsCap = extras.capMinor.map { Money(minorUnits: $0, currency: currency).amount }
            terms.activeClaimsPerCustomer = extras.activeClaimsPerCustomer ?? 1
            terms.lastClaimDay = extras.lastClaimDay.flatMap { DayDate($0) }
            let stored = ConsoleVersion(number: version.number, effectiveFrom: version.effectiveFrom, publishedAt: extras.publishedAt,
                                        publishedBy: extras.publishedBy, terms: terms)
            if extras.state == "draft" { draft = stored } else { published.append(stored) }
        }
        return ConsoleEngagementFile(id: id, name: row.name, solutionArea: SolutionArea(id: row.solutionAreaId, code: row.areaCode, name: row.areaName),
                                     role: role, lifecycle: lifecycle, status: status, opensOn: row.opensOn.flatMap { DayDate($0) },
                                     closesAfter: row.closesAfter.flatMap { DayDate($0) }, published: published, draft: draft,
                                     history: history ? try await ProgramChanges.entries(where: "engagement_id = \(bind: id)", on: sql) : [])
    }
}
