import Foundation
import IncentivesDomain
import SQLKit

/// The program's append-only history (`program_changes`, migration 18). Written inside the transaction of the change
/// it records, so a change and its entry are stored together or not at all; never updated or deleted.
public enum ProgramChanges {
    /// Appends `change` on the transaction `sql` of the change itself.
    static func record(_ change: ProgramChange, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO program_changes (at, actor_user_id, actor_name, subject, subject_id, action,
                                         organization_id, location_id, engagement_id, detail)
            VALUES (\(bind: change.at), \(bind: change.actorUserID), \(bind: change.actorName), \(bind: change.subject.rawValue),
                    \(bind: change.subjectID), \(bind: change.action), \(bind: change.organizationID), \(bind: change.locationID),
                    \(bind: change.engagementID), \(bind: change.detail))
            """).run()
    }

    /// The entries about one record, oldest first.
    public static func about(_ subject: ProgramChange.Subject, _ id: Int64, on db: Database) async throws -> [ProgramChange] {
        try await db.read { sql in
            try await entries(where: "subject = \(bind: subject.rawValue) AND subject_id = \(bind: id)", on: sql)
        }
    }

    /// The entries that belong to a partner organization (its own records, locations, list entries, criteria, requests),
    /// oldest first: what that partner may read of the program's history.
    public static func ofOrganization(_ organizationID: Int64, on db: Database) async throws -> [ProgramChange] {
        try await db.read { sql in try await entries(where: "organization_id = \(bind: organizationID)", on: sql) }
    }

    /// The entries of one engagement (its versions, templates, list and criteria), oldest first; vendor reads only.
    public static func ofEngagement(_ engagementID: Int64, on db: Database) async throws -> [ProgramChange] {
        try await db.read { sql in try await entries(where: "engagement_id = \(bind: engagementID)", on: sql) }
    }

    private struct Row: Decodable {
        var at: Date
        var actorUserId: Int64?
        var actorName: String
        var subject: String
        var subjectId: Int64
        var action: String
        var organizationId: Int64?
        var locationId: Int64?
        var engagementId: Int64?
        var detail: String?
    }

    static func entries(where condition: SQLQueryString, on sql: any SQLDatabase) async throws -> [ProgramChange] {
        var query: SQLQueryString = """
            SELECT at, actor_user_id, actor_name, subject, subject_id, action, organization_id, location_id, engagement_id, detail
            FROM program_changes WHERE
            """
        query.appendLiteral(" ")
        query.appendInterpolation(condition)
        query.appendLiteral(" ORDER BY id")
        return try await sql.raw(query).all(decoding: Row.self, with: .snakeCase).compactMap { row in
            guard let subject = ProgramChange.Subject(rawValue: row.subject) else { return nil }
            return ProgramChange(at: row.at, actorUserID: row.actorUserId, actorName: row.actorName, subject: subject,
                                 subjectID: row.subjectId, action: row.action, organizationID: row.organizationId,
                                 locationID: row.locationId, engagementID: row.engagementId, detail: row.detail)
        }
    }
}
