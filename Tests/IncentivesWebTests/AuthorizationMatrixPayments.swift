import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

enum PaymentWorldLinks {
    static let links = ClaimLinks(publicURL: "https://incentives.example")
}

/// The payment runs the matrix's payment rows act on, made through the store as the pages would make them.
extension AuthorizationMatrixTests {
    /// The newest sent or completed demo run that paid one of `locations`: (run, location).
    static func paidRemittance(_ app: WebHarness, locations: [Int64]) async throws -> (Int64, Int64) {
        let row = try await app.db.read { sql in
            try await sql.raw("""
                SELECT li.run_id, li.location_id FROM payment_run_lines li JOIN payment_runs r ON r.id = li.run_id
                WHERE r.status IN ('sent', 'completed') AND li.location_id IN (\(unsafeRaw: locations.map(String.init).joined(separator: ",")))
                ORDER BY li.run_id DESC, li.location_id LIMIT 1
                """).first()
        }
        let found = try #require(row, "the demo's runs paid one of \(locations)")
        return (try found.decode(column: "run_id", as: Int64.self), try found.decode(column: "location_id", as: Int64.self))
    }

    static func viewer(_ app: WebHarness, _ email: String) async throws -> Viewer {
        try #require(try await UserRepository(db: app.db).find(email: email)).viewer
    }

    /// No draft or approved run stands in the way of a new one.
    static func cancelOpenRuns(_ app: WebHarness) async throws {
        let runs = PaymentRuns(db: app.db, links: PaymentWorldLinks.links)
        let manager = try await viewer(app, "manager@vendor.example")
        for run in try await runs.runs() where [.draft, .approved].contains(run.status) {
            try await runs.cancel(run.id, expectedVersion: nil, by: manager, at: app.clock.now)
        }
    }

    /// A claim under review at a payable location approved now, its earning's payment month moved into the past so that a
    /// run gathered today pays it (a real approval; only the month is the fixture's).
    static func dueEarning(_ app: WebHarness) async throws {
        let today = DayDate(app.clock.now).description
        // An earning already owed at a payable location, when there is one; else a claim approved now.
        let owed = try await app.db.read { sql in
            try await sql.raw("""
                SELECT e.id FROM earnings e JOIN locations l ON l.id = e.location_id JOIN bank_profiles b ON b.id = l.bank_profile_id
                WHERE e.payment_status = 'unprocessed' AND e.run_id IS NULL AND e.kind = 'earning' AND e.amount_minor > 0
                  AND b.status = 'approved' AND (SELECT MAX(t.expires_on) FROM tax_profiles t WHERE t.location_id = l.id) >= \(bind: today)
                ORDER BY e.id LIMIT 1
                """).first(decodingColumn: "id", as: Int64.self)
        }
        if let owed {
            try await app.db.write { sql in try await sql.raw("UPDATE earnings SET payment_month = '2000-01' WHERE id = \(bind: owed)").run() }
            return
        }
        struct Row: Decodable { var id: Int64; var status: String }
        let claim = try await app.db.read { sql in
            try await sql.raw("""
                SELECT c.id, c.status FROM claims c JOIN locations l ON l.id = c.location_id JOIN bank_profiles b ON b.id = l.bank_profile_id
                WHERE c.status IN ('under_review', 'submitted') AND b.status = 'approved'
                  AND (SELECT MAX(t.expires_on) FROM tax_profiles t WHERE t.location_id = l.id) >= \(bind: today)
                ORDER BY c.status DESC, c.id LIMIT 1
                """).first(decoding: Row.self)
        }
        let found = try #require(claim, "a claim in review at a payable location")
        let reviewer = Actor(role: .reviewer, userID: nil, name: "Jordan Lee"), claims = ClaimRepository(db: app.db)
        if found.status == "submitted" { _ = try await claims.perform(ClaimCommand(.startReview, by: reviewer), on: found.id, in: .vendor, at: app.clock.now) }
        _ = try await claims.perform(ClaimCommand(.approve, by: reviewer), on: found.id, in: .vendor, at: app.clock.now)
        try await app.db.write { sql in
            try await sql.raw("UPDATE earnings SET payment_month = '2000-01' WHERE claim_id = \(bind: found.id)").run()
        }
    }

    /// A run gathered by the second program manager and taken to `status` (draft, exported or sent).
    static func paymentRun(_ app: WebHarness, upTo status: PaymentRunStatus) async throws -> Int64 {
        try await cancelOpenRuns(app)
        try await dueEarning(app)
        let runs = PaymentRuns(db: app.db, links: PaymentWorldLinks.links)
        let (manager, finance) = (try await viewer(app, "manager@vendor.example"), try await viewer(app, "finance@vendor.example"))
        let now = app.clock.now
        let id = try await runs.gather(cutoff: DayDate(now), by: finance, at: now)
        guard status != .draft else { return id }
        try await runs.approve(id, expectedVersion: nil, by: manager, at: now)
        try await runs.recordExport(id, file: "csv", by: manager, at: now)
        guard status != .exported else { return id }
        try await runs.send(id, expectedVersion: nil, by: manager, at: now)
        return id
    }
}
