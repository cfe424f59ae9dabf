import Foundation
import IncentivesDomain
import SQLKit

/// One row of an import as its preview shows it: the line, the location, and what the row changes.
public struct ImportPreviewRow: Sendable, Hashable {
    public var line: Int
    public var location: String
    public var change: String
}

/// What an import would do (or did): a row per line, and every problem found. Applied only when there is none.
public struct ImportPreview: Sendable {
    public var rows: [ImportPreviewRow]
    public var problems: [ImportProblem]
    public var applied: Bool

    /// Nothing wrong, and something to do.
    public var isValid: Bool { problems.isEmpty && !rows.isEmpty }

    init(rows: [ImportPreviewRow], problems: [ImportProblem], applied: Bool) { self.rows = rows; self.problems = problems; self.applied = applied }

    /// A file that could not be read at all.
    public init(unread problem: ImportProblem) { self.init(rows: [], problems: [problem], applied: false) }
}

extension EligibilityLists {
    /// Reads a list import (`location_id` or `organization,location`; `action` add|remove) for an engagement, and with
    /// `apply` stores it in one transaction when every row is right. Adding a listed location or removing one not on the
    /// list changes nothing and says so.
    public func importList(_ text: String, into engagementID: Int64, apply: Bool, by viewer: Viewer, at now: Date) async throws -> ImportPreview {
        let (lines, unread) = ListImportLine.read(text)
        let run: @Sendable (any SQLDatabase) async throws -> ImportPreview = { sql in
            guard let engagement = try await CatalogueRepository.engagement(engagementID, on: sql) else {
                throw StoreError.notFound("No engagement \(engagementID).")
            }
            let places = try await Self.places(programID: engagement.programID, on: sql)
            let listed = Set(try await sql.raw("SELECT location_id FROM eligibility_entries WHERE engagement_id = \(bind: engagementID)")
                .all(decodingColumn: "location_id", as: Int64.self))
            var problems = unread, rows: [ImportPreviewRow] = [], changes: [(ListAction, ProgramLocation)] = [], seen: [Int64: Int] = [:]
            for line in lines {
                let column: String, found: ProgramLocation?
                switch line.place {
                case .id(let id): column = "location_id"; found = places[id]
                case .names(let organization, let location):
                    column = "location"
                    let matches = places.values.filter { $0.organizationName == organization && $0.location.name == location }
                    guard matches.count < 2 else {
                        problems.append(ImportProblem(line: line.line, column: column,
                                                      message: "\(organization) has several locations named \(location); use location_id."))
                        continue
                    }
                    found = matches.first
                }
                guard let place = found else {
                    problems.append(ImportProblem(line: line.line, column: column, message: "No location of the program matches this row."))
                    continue
                }
                if let earlier = seen[place.location.id] {
                    problems.append(ImportProblem(line: line.line, column: column,
                                                  message: "\(place.fullName) is already on line \(earlier) of this file."))
                    continue
                }
                seen[place.location.id] = line.line
                let isListed = listed.contains(place.location.id)
                let enrolled = place.enrollment == .enrolled ? "" : " (not enrolled)"
                switch (line.action, isListed) {
                case (.add, false):
                    rows.append(.init(line: line.line, location: place.fullName, change: "Added\(enrolled)")); changes.append((.add, place))
                case (.remove, true):
                    rows.append(.init(line: line.line, location: place.fullName, change: "Removed")); changes.append((.remove, place))
                case (.add, true): rows.append(.init(line: line.line, location: place.fullName, change: "Already on the list: no change"))
                case (.remove, false): rows.append(.init(line: line.line, location: place.fullName, change: "Not on the list: no change"))
                }
            }
            if lines.isEmpty && problems.isEmpty { problems.append(ImportProblem(line: 2, column: "", message: "The file has no rows to import.")) }
            guard apply, problems.isEmpty else { return ImportPreview(rows: rows, problems: problems, applied: false) }
            for (action, place) in changes {
                if action == .add {
                    try await Self.insertEntry(place, engagement, by: viewer.userID, name: viewer.name, at: now, on: sql)
                } else {
                    try await Self.deleteEntry(place, engagement, by: viewer.name, at: now, on: sql)
                }
                try await ProgramChanges.record(ProgramChange(
                    by: viewer, at: now, subject: .eligibility, subjectID: engagementID, action: action == .add ? "listed" : "unlisted",
                    organizationID: place.location.organizationID, locationID: place.location.id, engagementID: engagementID,
                    detail: "\(place.fullName) \(action == .add ? "added to" : "removed from") the list (import)"), on: sql)
            }
            return ImportPreview(rows: rows, problems: [], applied: true)
        }
        if apply { return try await db.write(run) }
        return try await db.read(run)
    }

    /// Reads a criteria import (`location` as its id or name, `criterion` in its exact words, `status`, `expires_on`,
    /// `evidence`) for an engagement's listed locations, and with `apply` stores it in one transaction when every row is right.
    public func importCriteria(_ text: String, into engagementID: Int64, apply: Bool, by viewer: Viewer, at now: Date) async throws -> ImportPreview {
        let (lines, unread) = CriteriaImportLine.read(text, today: DayDate(now))
        let run: @Sendable (any SQLDatabase) async throws -> ImportPreview = { sql in
            guard let engagement = try await CatalogueRepository.engagement(engagementID, on: sql) else {
                throw StoreError.notFound("No engagement \(engagementID).")
            }
            let criteria = Set(engagement.version(inForceAt: now).partnerCriteria)
            let places = try await Self.places(programID: engagement.programID, on: sql)
            let listed = try await sql.raw("SELECT location_id FROM eligibility_entries WHERE engagement_id = \(bind: engagementID)")
                .all(decodingColumn: "location_id", as: Int64.self).compactMap { places[$0] }
            var problems = unread, rows: [ImportPreviewRow] = [], changes: [(CriteriaImportLine, ProgramLocation)] = []
            var seen: [String: Int] = [:]
            for line in lines {
                let matches = Int64(line.location).map { id in listed.filter { $0.location.id == id } }
                    ?? listed.filter { $0.location.name == line.location || $0.fullName == line.location }
                guard matches.count == 1, let place = matches.first else {
                    problems.append(ImportProblem(line: line.line, column: "location", message: matches.isEmpty
                        ? "No location on this engagement's list is \"\(line.location)\"."
                        : "Several listed locations are named \"\(line.location)\"; use the location's id."))
                    continue
                }
                guard criteria.contains(line.criterion) else {
                    problems.append(ImportProblem(line: line.line, column: "criterion",
                                                  message: "\(engagement.name) has no partner criterion \"\(line.criterion)\" "
                                                      + "(use its exact words)."))
                    continue
                }
                let key = "\(place.location.id)\u{1F}\(line.criterion)"
                if let earlier = seen[key] {
                    problems.append(ImportProblem(line: line.line, column: "criterion", message: "Line \(earlier) already sets this criterion."))
                    continue
                }
                seen[key] = line.line
                rows.append(ImportPreviewRow(line: line.line, location: place.fullName, change: "\(line.criterion) → \(line.setting.summary)"))
                changes.append((line, place))
            }
            if lines.isEmpty && problems.isEmpty { problems.append(ImportProblem(line: 2, column: "", message: "The file has no rows to import.")) }
            guard apply, problems.isEmpty else { return ImportPreview(rows: rows, problems: problems, applied: false) }
            for (line, place) in changes {
                try await Self.store(line.criterion, of: place, on: engagement, line.setting, by: viewer.userID, name: viewer.name, at: now, on: sql)
                try await ProgramChanges.record(ProgramChange(
                    by: viewer, at: now, subject: .criterion, subjectID: place.location.id, action: "set_\(line.setting.status.rawValue)",
                    organizationID: place.location.organizationID, locationID: place.location.id, engagementID: engagementID,
                    detail: "\(place.fullName): \(line.criterion) → \(line.setting.summary) (import)"), on: sql)
            }
            return ImportPreview(rows: rows, problems: [], applied: true)
        }
        if apply { return try await db.write(run) }
        return try await db.read(run)
    }
}
