import Foundation
import IncentivesDomain
import SQLKit

extension CatalogueFile {
    /// Writes a document read by `read(_:)` into a database whose catalogue is empty, in one transaction: all of it or
    /// none. Each record written is in the program's history as imported by `actor`.
    /// - Parameter progress: the partners and engagements written so far (of `steps(in:)`).
    public static func apply(_ document: CatalogueDocument, actor: String, at now: Date, to db: Database,
                             progress: (@Sendable (Int) -> Void)? = nil) async throws {
        try await db.write(changesClaims: false) { sql in
            try await apply(document, actor: actor, at: now, on: sql, progress: progress)
        }
    }

    /// What `apply` reports its progress in: the document's partners and engagements.
    public static func steps(in document: CatalogueDocument) -> Int { document.partners.count + document.engagements.count }

    /// The import inside the caller's transaction: the demo seeder builds its program through it too.
    static func apply(_ document: CatalogueDocument, actor: String, at now: Date, on sql: any SQLDatabase,
                      progress: (@Sendable (Int) -> Void)? = nil) async throws {
        let taken = try await sql.raw("""
            SELECT (SELECT COUNT(*) FROM programs) + (SELECT COUNT(*) FROM solution_areas) + (SELECT COUNT(*) FROM engagements)
                 + (SELECT COUNT(*) FROM organizations) AS n
            """).first(decodingColumn: "n", as: Int.self) ?? 0
        guard taken == 0 else {
            throw CatalogueFileRefused(problems: [CatalogueFileProblem(line: 1, message:
                "This database has a catalogue already: a file is imported into an empty one (incentives migrate on a new database).")])
        }
        let recorder: Recorder = { subject, id, detail, organization, location, engagement in
            try await ProgramChanges.record(ProgramChange(at: now, actorUserID: nil, actorName: actor, subject: subject, subjectID: id,
                                                          action: "imported", organizationID: organization, locationID: location,
                                                          engagementID: engagement, detail: detail), on: sql)
        }
        func record(_ subject: ProgramChange.Subject, _ id: Int64, _ detail: String, engagement: Int64? = nil) async throws {
            try await recorder(subject, id, detail, nil, nil, engagement)
        }
        var programID: Int64?
        if let p = document.program {
            programID = try await sql.raw("""
                INSERT INTO programs (name, manager_name, manager_email, weekend, holidays)
                VALUES (\(bind: p.name), \(bind: p.managerName), \(bind: p.managerEmail), \(bind: CatalogueConsole.weekendText(p.calendar)),
                        \(bind: p.calendar.holidays.sorted().map(\.description).joined(separator: ",")))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self)
            try await record(.program, programID ?? 0, p.name)
        }
        var areas: [String: Int64] = [:]
        for area in document.areas {
            let id = try await sql.raw("""
                INSERT INTO solution_areas (code, name, position) VALUES (\(bind: area.code), \(bind: area.name), \(bind: Int64(area.position)))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) ?? 0
            areas[area.code] = id
            try await record(.solutionArea, id, "\(area.name) (\(area.code))")
        }
        let locations = try await applyPartners(document.partners, programID: programID, record: recorder, at: now, on: sql)
        progress?(document.partners.count)
        for (done, e) in document.engagements.enumerated() {
            defer { progress?(document.partners.count + done + 1) }
            guard let programID, let area = areas[e.area], let first = e.versions.first else { continue }
            let terms = first.terms
            let id = try await sql.raw("""
                INSERT INTO engagements (program_id, solution_area_id, name, role, type, status, last_claim_day, active_claims_per_customer,
                                         cap_minor, currency, created_at, lifecycle, opens_on, closes_after)
                VALUES (\(bind: programID), \(bind: area), \(bind: e.name), \(bind: e.role.rawValue), \(bind: terms.type.rawValue),
                        \(bind: e.status.rawValue), \(bind: terms.lastClaimDay?.description), \(bind: terms.activeClaimsPerCustomer),
                        \(bind: CatalogueConsole.minor(terms.earningsCap, terms.rates.currency)), \(bind: terms.rates.currency.code), \(bind: now),
                        \(bind: e.lifecycle.rawValue), \(bind: e.opensOn?.description), \(bind: e.closesAfter?.description))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) ?? 0
            let files = try await applyTemplates(e.templateFiles, engagementID: id, on: sql)
            for v in e.versions {
                try await CatalogueConsole.insertVersion(Self.terms(of: v, files: files), engagementID: id, number: v.number, effectiveFrom: v.effectiveFrom,
                                                         state: v.isDraft ? .draft : .published, publishedAt: v.publishedAt,
                                                         publishedBy: v.publishedBy, on: sql)
            }
            try await applyEligibility(e.eligibility, engagementID: id, locations: locations, at: now, on: sql)
            try await record(.engagement, id, "\(e.name), \(e.versions.count) version\(e.versions.count == 1 ? "" : "s")", engagement: id)
            // The in-force columns as of now, and the status its dates give (one without dates keeps the file's), as the sweep does.
            if e.lifecycle == .published { try await CatalogueConsole.refresh(id, at: now, on: sql) }
        }
    }
}
