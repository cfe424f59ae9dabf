import Foundation
import IncentivesDomain
import SQLKit

/// The program manager's side of the catalogue (issue 17): the program, its solution areas, and engagements drafted,
/// published in versions and closed. Every change is one transaction with its `ProgramChange`. The engagement's own
/// columns (type, cap, limit per customer, last day, status) hold the version in force, so the partner-side reads
/// stay as they are; `refresh(at:)` moves them when a version's date or an engagement's first or last day comes.
public struct CatalogueConsole: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    static let programNameRule = TextRule(label: "The program's name", maxLength: 120, required: true)
    static let managerNameRule = TextRule(label: "The program manager's name", maxLength: 120, required: true)
    static let areaCodeRule = TextRule(label: "The code", maxLength: 40, required: true)
    static let areaNameRule = TextRule(label: "The name", maxLength: 120, required: true)
    static let engagementNameRule = TextRule(label: "The engagement's name", maxLength: 200, required: true)

    // MARK: The program

    /// Creates the program on an empty database: its name and who partners contact (shown on their pages).
    public func createProgram(name: String, managerName: String, managerEmail: String, by viewer: Viewer, at now: Date) async throws -> Int64 {
        let (name, manager, email) = try Self.checkedProgram(name: name, managerName: managerName, managerEmail: managerEmail)
        return try await db.write(changesClaims: false) { sql in
            guard try await sql.raw("SELECT id FROM programs").first() == nil else {
                throw CatalogueError.invalid(field: "name", "The program exists already; change its details instead.")
            }
            let id = try await sql.raw("""
                INSERT INTO programs (name, manager_name, manager_email, weekend, holidays)
                VALUES (\(bind: name), \(bind: manager), \(bind: email), \(bind: Self.weekendText(WorkingCalendar.mondayToFriday)), '')
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) ?? 0
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .program, subjectID: id, action: "created",
                                                          detail: name), on: sql)
            return id
        }
    }

    static func checkedProgram(name: String, managerName: String, managerEmail: String) throws -> (String, String, String) {
        let name = try programNameRule.check(name, field: "name")
        let manager = try managerNameRule.check(managerName, field: "manager_name")
        let email = try TextRule.contactEmail.check(managerEmail, field: "manager_email")
        guard MailMessage.isAddress(email) else { throw CatalogueError.invalid(field: "manager_email", "\(email) is not an email address.") }
        return (name, manager, email)
    }

    /// The weekend as stored: Foundation's weekday numbers (1 is Sunday, 7 Saturday), comma-separated.
    static func weekendText(_ calendar: WorkingCalendar) -> String {
        calendar.weekend.sorted().map(String.init).joined(separator: ",")
    }

    // MARK: Solution areas

    /// Adds a solution area (a tab on the engagements and claims lists) at `position`, or last.
    public func addArea(code: String, name: String, position: Int?, by viewer: Viewer, at now: Date) async throws -> Int64 {
        let (code, name) = try Self.checkedArea(code: code, name: name)
        return try await db.write(changesClaims: false) { sql in
            try await Self.refuseTakenCode(code, except: nil, on: sql)
            let last = try await sql.raw("SELECT COALESCE(MAX(position), 0) AS p FROM solution_areas").first(decodingColumn: "p", as: Int64.self) ?? 0
            let id = try await sql.raw("""
                INSERT INTO solution_areas (code, name, position) VALUES (\(bind: code), \(bind: name), \(bind: position.map(Int64.init) ?? last + 1))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) ?? 0
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .solutionArea, subjectID: id, action: "created",
                                                          detail: "\(name) (\(code))"), on: sql)
            return id
        }
    }

    /// Renames, recodes or moves a solution area.
    public func editArea(_ id: Int64, code: String, name: String, position: Int, by viewer: Viewer, at now: Date) async throws {
        let (code, name) = try Self.checkedArea(code: code, name: name)
        try await db.write(changesClaims: false) { sql in
            guard let old = try await sql.raw("SELECT id, code, name FROM solution_areas WHERE id = \(bind: id)").first()?
                .decoded(SolutionArea.self) else { throw StoreError.notFound("No solution area \(id).") }
            try await Self.refuseTakenCode(code, except: id, on: sql)
            try await sql.raw("""
                UPDATE solution_areas SET code = \(bind: code), name = \(bind: name), position = \(bind: Int64(position)) WHERE id = \(bind: id)
                """).run()
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .solutionArea, subjectID: id, action: "changed",
                                                          detail: "\(old.name) (\(old.code)) → \(name) (\(code)), position \(position)"), on: sql)
        }
    }

    static func checkedArea(code: String, name: String) throws -> (String, String) {
        let code = try areaCodeRule.check(code, field: "code").lowercased()
        guard code.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw CatalogueError.invalid(field: "code", "A code is lower-case letters, digits and hyphens (it is part of addresses), such as cloud-infrastructure.")
        }
        return (code, try areaNameRule.check(name, field: "name"))
    }

    static func refuseTakenCode(_ code: String, except id: Int64?, on sql: any SQLDatabase) async throws {
        if let other = try await sql.raw("SELECT id FROM solution_areas WHERE code = \(bind: code)").first(decodingColumn: "id", as: Int64.self),
           other != id {
            throw CatalogueError.invalid(field: "code", "Another solution area has the code \(code).")
        }
    }
}

/// What a program manager writes to start an engagement: its name and place, who earns on it, its dates, and the
/// terms of its first version.
public struct EngagementDraft: Sendable, Hashable {
    public var name: String
    public var solutionAreaID: Int64
    public var role: PartnerRole
    /// The first day partners may claim on it (it is upcoming before).
    public var opensOn: DayDate
    /// The last day it is active, if it ends by itself.
    public var closesAfter: DayDate?
    public var terms: EngagementTerms

    public init(name: String, solutionAreaID: Int64, role: PartnerRole, opensOn: DayDate, closesAfter: DayDate?, terms: EngagementTerms) {
        self.name = name; self.solutionAreaID = solutionAreaID; self.role = role; self.opensOn = opensOn
        self.closesAfter = closesAfter; self.terms = terms
    }
}
