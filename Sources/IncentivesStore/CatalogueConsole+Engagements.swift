import Foundation
import IncentivesDomain
import SQLKit

/// Engagements in the console: drafted, edited while a draft, published in versions, closed.
extension CatalogueConsole {
    /// Starts an engagement as a draft, with its first version's terms; partners see nothing of it until it is published.
    public func draft(_ draft: EngagementDraft, by viewer: Viewer, at now: Date) async throws -> Int64 {
        let name = try Self.engagementNameRule.check(draft.name, field: "name")
        try Self.checkDates(opensOn: draft.opensOn, closesAfter: draft.closesAfter)
        try draft.terms.validate()
        return try await db.write(changesClaims: false) { sql in
            guard let program = try await sql.raw("SELECT MIN(id) AS id FROM programs").first(decodingColumn: "id", as: Int64?.self) ?? nil else {
                throw CatalogueError.invalid(field: "name", "Create the program first: an engagement belongs to it.")
            }
            guard try await sql.raw("SELECT id FROM solution_areas WHERE id = \(bind: draft.solutionAreaID)").first() != nil else {
                throw CatalogueError.invalid(field: "solution_area", "Choose one of the program's solution areas.")
            }
            let terms = draft.terms
            let id = try await sql.raw("""
                INSERT INTO engagements (program_id, solution_area_id, name, role, type, status, last_claim_day, active_claims_per_customer,
                                         cap_minor, currency, created_at, lifecycle, opens_on, closes_after)
                VALUES (\(bind: program), \(bind: draft.solutionAreaID), \(bind: name), \(bind: draft.role.rawValue), \(bind: terms.type.rawValue),
                        'upcoming', \(bind: terms.lastClaimDay?.description), \(bind: terms.activeClaimsPerCustomer),
                        \(bind: Self.minor(terms.earningsCap, terms.rates.currency)), \(bind: terms.rates.currency.code), \(bind: now), 'draft',
                        \(bind: draft.opensOn.description), \(bind: draft.closesAfter?.description))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) ?? 0
            try await Self.insertVersion(terms, engagementID: id, number: 1, effectiveFrom: draft.opensOn.startUTC, on: sql)
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .engagement, subjectID: id, action: "drafted",
                                                          engagementID: id, detail: name), on: sql)
            return id
        }
    }

    /// Replaces the terms of the engagement's draft version (and, while the engagement itself is a draft, its name,
    /// area, role and dates).
    public func saveDraft(_ engagementID: Int64, _ draft: EngagementDraft, by viewer: Viewer, at now: Date) async throws {
        let name = try Self.engagementNameRule.check(draft.name, field: "name")
        try Self.checkDates(opensOn: draft.opensOn, closesAfter: draft.closesAfter)
        try draft.terms.validate()
        try await db.write(changesClaims: false) { sql in
            let head = try await Self.head(engagementID, on: sql)
            guard let number = try await Self.draftNumber(engagementID, on: sql) else {
                throw CatalogueError.invalid(field: "version", "There is no draft version to change: start a new version first.")
            }
            guard draft.terms.rates.currency.code == head.currency || head.lifecycle == .draft else {
                throw CatalogueError.invalid(field: "currency", "The engagement pays in \(head.currency); a new version keeps its currency.")
            }
            if head.lifecycle == .draft {
                try await sql.raw("""
                    UPDATE engagements SET name = \(bind: name), solution_area_id = \(bind: draft.solutionAreaID), role = \(bind: draft.role.rawValue),
                      opens_on = \(bind: draft.opensOn.description), closes_after = \(bind: draft.closesAfter?.description),
                      currency = \(bind: draft.terms.rates.currency.code)
                    WHERE id = \(bind: engagementID)
                    """).run()
            }
            // The form does not carry the template files: a requirement the draft keeps keeps its file.
            var terms = draft.terms
            terms.proofRequirements = ProofTemplates.keepingTemplates(terms.proofRequirements,
                                                                      of: try await ProofTemplates.draftRequirements(engagementID, on: sql).1)
            try await sql.raw("DELETE FROM engagement_versions WHERE engagement_id = \(bind: engagementID) AND number = \(bind: number)").run()
            try await Self.insertVersion(terms, engagementID: engagementID, number: number,
                                         effectiveFrom: head.lifecycle == .draft ? draft.opensOn.startUTC : now, on: sql)
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .engagementVersion, subjectID: Int64(number),
                                                          action: "draft_saved", engagementID: engagementID, detail: "Version \(number)"), on: sql)
        }
    }

    /// Starts the next version of a published engagement as a draft, from the terms of the newest published version.
    public func startVersion(_ engagementID: Int64, by viewer: Viewer, at now: Date) async throws -> Int {
        try await db.write(changesClaims: false) { sql in
            let head = try await Self.head(engagementID, on: sql)
            guard head.lifecycle == .published else {
                throw CatalogueError.invalid(field: "version", head.lifecycle == .draft
                    ? "The engagement is still a draft: change its draft, then publish it." : "A closed engagement takes no new version.")
            }
            if let number = try await Self.draftNumber(engagementID, on: sql) { return number }
            guard let engagement = try await CatalogueRepository.engagement(engagementID, on: sql) else { throw StoreError.notFound("No engagement \(engagementID).") }
            let number = engagement.currentVersion.number + 1
            try await Self.insertVersion(EngagementTerms(engagement.currentVersion, of: engagement), engagementID: engagementID, number: number,
                                         effectiveFrom: now, on: sql)
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .engagementVersion, subjectID: Int64(number),
                                                          action: "version_started", engagementID: engagementID, detail: "Version \(number)"), on: sql)
            return number
        }
    }

    /// Publishes the draft version. The first publication publishes the engagement, effective on its first day; a later
    /// version takes effect at `effectiveFrom` (now or later, and after the version it follows), and claims keep the
    /// version in force at their consent.
    public func publish(_ engagementID: Int64, effectiveFrom: Date?, by viewer: Viewer, at now: Date) async throws {
        try await db.write(changesClaims: false) { sql in
            let head = try await Self.head(engagementID, on: sql)
            guard head.lifecycle != .closed else { throw CatalogueError.invalid(field: "version", "A closed engagement is not published again.") }
            guard let number = try await Self.draftNumber(engagementID, on: sql) else {
                throw CatalogueError.invalid(field: "version", "There is no draft version to publish.")
            }
            var effective = head.lifecycle == .draft ? (head.opensOn?.startUTC ?? now) : (effectiveFrom ?? now)
            if head.lifecycle == .published {
                guard effective >= now.addingTimeInterval(-60) else {
                    throw CatalogueError.invalid(field: "effective_from", "A new version takes effect now or later, never in the past: claims already consented keep theirs.")
                }
                effective = max(effective, now)
                let previous = try await sql.raw("""
                    SELECT MAX(effective_from) AS at FROM engagement_versions WHERE engagement_id = \(bind: engagementID) AND state = 'published'
                    """).first(decodingColumn: "at", as: Date?.self) ?? nil
                if let previous, effective <= previous {
                    throw CatalogueError.invalid(field: "effective_from", "A version takes effect after the one it follows (\(DayDate(previous).text)).")
                }
            }
            try await sql.raw("""
                UPDATE engagement_versions SET state = 'published', effective_from = \(bind: effective), published_at = \(bind: now),
                  published_by = \(bind: viewer.name)
                WHERE engagement_id = \(bind: engagementID) AND number = \(bind: number)
                """).run()
            if head.lifecycle == .draft {
                try await sql.raw("UPDATE engagements SET lifecycle = 'published', published_at = \(bind: now) WHERE id = \(bind: engagementID)").run()
            }
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .engagementVersion, subjectID: Int64(number), action: "published",
                                                          engagementID: engagementID, detail: "Version \(number), in force from \(DayDate(effective).text)"), on: sql)
            try await Self.refresh(engagementID, at: now, on: sql)
            try await EngagementEvents.published(engagementID, version: number, by: viewer.name, at: now, on: sql)
        }
    }

    /// Closes the engagement by hand: it takes no new claims; the claims it has go on.
    public func close(_ engagementID: Int64, by viewer: Viewer, at now: Date) async throws {
        try await db.write(changesClaims: false) { sql in
            let head = try await Self.head(engagementID, on: sql)
            guard head.lifecycle == .published else {
                throw CatalogueError.invalid(field: "lifecycle", head.lifecycle == .closed ? "The engagement is closed already." : "A draft is not closed: it was never open.")
            }
            try await sql.raw("UPDATE engagements SET lifecycle = 'closed', status = 'closed' WHERE id = \(bind: engagementID)").run()
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .engagement, subjectID: engagementID, action: "closed",
                                                          engagementID: engagementID), on: sql)
        }
    }

    /// Brings every published engagement's status and in-force columns up to `now`: what the sweep runs on each beat.
    /// Returns how many engagements changed.
    @discardableResult
    public func refresh(at now: Date) async throws -> Int {
        try await db.write(changesClaims: false) { sql in
            var changed = 0
            for id in try await sql.raw("SELECT id FROM engagements WHERE lifecycle = 'published' ORDER BY id").all(decodingColumn: "id", as: Int64.self) {
                if try await Self.refresh(id, at: now, on: sql) { changed += 1 }
            }
            return changed
        }
    }
}
