import Foundation
import IncentivesDomain
import SQLKit

/// Headline figures of what a database holds (the landing page, `seed` output).
public struct ProgramOverview: Sendable, Equatable {
    public var programName: String?
    public var organizations: [String]
    public var locations: Int
    public var engagements: Int
    public var customers: Int
    public var claims: Int
    public var claimsByStatus: [ClaimStatus: Int]

    public static func load(from db: Database) async throws -> ProgramOverview {
        try await db.read { sql in
            func count(_ table: String) async throws -> Int {
                try await sql.raw(SQLQueryString("SELECT COUNT(*) AS n FROM \(table)")).first(decodingColumn: "n", as: Int.self) ?? 0
            }
            var byStatus: [ClaimStatus: Int] = [:]
            for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM claims GROUP BY status")
                .all(decoding: StatusCountRow.self, with: .snakeCase) {
                if let status = ClaimStatus(rawValue: row.status) { byStatus[status] = row.n }
            }
            return ProgramOverview(
                programName: try await sql.raw("SELECT name FROM programs ORDER BY id").first(decodingColumn: "name", as: String.self),
                organizations: try await sql.raw("SELECT name FROM organizations ORDER BY name").all(decodingColumn: "name", as: String.self),
                locations: try await count("locations"), engagements: try await count("engagements"),
                customers: try await count("customers"), claims: byStatus.values.reduce(0, +), claimsByStatus: byStatus)
        }
    }
}
