import Foundation
import IncentivesDomain
import SQLKit

/// The clock's side of eligibility lists: an "expiring" criterion result whose day has ended becomes "not met".
extension EligibilityLists {
    // MARK: The clock

    /// Who the history names for the sweep's changes.
    public static let clockName = "The clock"

    /// Moves every "expiring" result whose day has ended by `now` to "not met", each with a history row naming the clock,
    /// in batches; returns how many moved. Safe beside other instances: rows are claimed with `SKIP LOCKED` on PostgreSQL,
    /// and SQLite's write transactions run one at a time.
    public func expireDue(at now: Date, batch: Int = 200) async throws -> Int {
        let today = DayDate(now).description
        let lock: SQLQueryString = db.flavor == .postgres ? " FOR UPDATE OF lc SKIP LOCKED" : ""
        var total = 0
        while true {
            let moved = try await db.write { sql in
                let rows = try await sql.raw("""
                    SELECT lc.location_id, lc.engagement_id, lc.criterion, lc.expires_on, l.organization_id, l.name AS location_name,
                           e.name AS engagement_name
                    FROM location_criteria lc JOIN locations l ON l.id = lc.location_id JOIN engagements e ON e.id = lc.engagement_id
                    WHERE lc.status = 'expiring' AND lc.expires_on < \(bind: today)
                    ORDER BY lc.expires_on LIMIT \(literal: batch)\(lock)
                    """).all(decoding: ExpiringRow.self, with: .snakeCase)
                for row in rows {
                    try await sql.raw("""
                        UPDATE location_criteria SET status = 'not_met', met = \(bind: false), expires_on = NULL, set_by = NULL,
                          set_by_name = \(bind: Self.clockName), set_at = \(bind: now)
                        WHERE engagement_id = \(bind: row.engagementId) AND location_id = \(bind: row.locationId)
                          AND criterion = \(bind: row.criterion)
                        """).run()
                    try await ProgramChanges.record(ProgramChange(
                        at: now, actorUserID: nil, actorName: Self.clockName, subject: .criterion, subjectID: row.locationId,
                        action: "expired", organizationID: row.organizationId, locationID: row.locationId, engagementID: row.engagementId,
                        detail: "\(row.locationName): \(row.criterion) → Not met (expired on \(row.expiresOn))"), on: sql)
                    try await EligibilityEvents.criterionChanged(
                        .init(id: row.locationId, name: row.locationName, organizationID: row.organizationId),
                        .init(id: row.engagementId, name: row.engagementName), criterion: row.criterion, from: .expiring, to: .notMet,
                        expiresOn: nil, by: Self.clockName, at: now, on: sql)
                }
                return rows.count
            }
            total += moved
            if moved < batch { return total }
        }
    }
}

private struct ExpiringRow: Decodable {
    var locationId: Int64
    var engagementId: Int64
    var criterion: String
    var expiresOn: String
    var organizationId: Int64
    var locationName: String
    var engagementName: String
}
