import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

/// The counts read from kept tables (`claim_due_days`, `claim_counts`) instead of the claims: after every kind of write,
/// each equals the same number counted from the claims themselves.
@Suite("Kept claim counts: deadlines per day, the review queue, open claims per partner, claims per status")
struct KeptClaimCountsTests {
    let now = TestDatabases.now

    /// `claim_due_days` as it should be: the claims with an open deadline, per organization, UTC day, location and status,
    /// the day worked out here rather than in SQL.
    func scratchDueDays(on sql: any SQLDatabase) async throws -> [String: Int] {
        struct Row: Decodable { var organizationId: Int64; var locationId: Int64; var status: String; var dueAt: Date }
        let rows = try await sql.raw("SELECT organization_id, location_id, status, due_at FROM claims WHERE due_at IS NOT NULL")
            .all(decoding: Row.self, with: .snakeCase)
        return rows.reduce(into: [:]) { cells, row in
            let day = Int64((row.dueAt.timeIntervalSince1970 / 86_400).rounded(.down))
            cells["\(row.organizationId)/\(day)/\(row.locationId)/\(row.status)", default: 0] += 1
        }
    }

    func keptDueDays(on sql: any SQLDatabase) async throws -> [String: Int] {
        struct Row: Decodable { var organizationId: Int64; var day: Int64; var locationId: Int64; var status: String; var n: Int }
        let rows = try await sql.raw("SELECT organization_id, day, location_id, status, n FROM claim_due_days")
            .all(decoding: Row.self, with: .snakeCase)
        return Dictionary(rows.map { ("\($0.organizationId)/\($0.day)/\($0.locationId)/\($0.status)", $0.n) }, uniquingKeysWith: +)
    }

    /// `claim_expiry_cells` as it should be: the claims with an expiring clock per organization, hour, quarter day or day, and
    /// location.
    func scratchExpiryCells(on sql: any SQLDatabase) async throws -> [String: Int] {
        struct Row: Decodable { var organizationId: Int64; var locationId: Int64; var expiresAt: Date }
        let rows = try await sql.raw("SELECT organization_id, location_id, expires_at FROM claims WHERE expires_at IS NOT NULL")
            .all(decoding: Row.self, with: .snakeCase)
        return rows.reduce(into: [:]) { cells, row in
            for span in [3_600.0, 21_600.0, 86_400.0] {
                let at = Int64((row.expiresAt.timeIntervalSince1970 / span).rounded(.down)) * Int64(span)
                cells["\(row.organizationId)/\(Int64(span))/\(at)/\(row.locationId)", default: 0] += 1
            }
        }
    }

    func keptExpiryCells(on sql: any SQLDatabase) async throws -> [String: Int] {
        struct Row: Decodable { var organizationId: Int64; var span: Int64; var at: Int64; var locationId: Int64; var n: Int }
        let rows = try await sql.raw("SELECT organization_id, span, at, location_id, n FROM claim_expiry_cells")
            .all(decoding: Row.self, with: .snakeCase)
        return Dictionary(rows.map { ("\($0.organizationId)/\($0.span)/\($0.at)/\($0.locationId)", $0.n) }, uniquingKeysWith: +)
    }

    /// Every kept count against its count from scratch.
    func compare(_ moment: String, on db: Database) async throws {
        let scopes: [AccessScope] = [.vendor, .partner(organizationID: 1, locationIDs: [1, 2, 3, 4]), .partner(organizationID: 1, locationIDs: [1]),
                                     .partner(organizationID: 2, locationIDs: [5, 6, 7])]
        try await db.read { sql in
            let kept = try await keptDueDays(on: sql)
            #expect(kept == (try await scratchDueDays(on: sql)), "\(moment): claim_due_days")
            #expect(!kept.values.contains { $0 <= 0 }, "\(moment): no empty or negative cell is kept")
            // The attention tab's "due within 7 days" at moments that cut days differently (the test clock's, a midnight,
            // a second before one), under filters the cells hold and ones they do not.
            for offset in [0.0, 3_600 * 7.5, -(now.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400)), 86_399] {
                let at = now.addingTimeInterval(offset)
                for scope in scopes {
                    for change in 0..<4 {
                        var query = ClaimListQuery()
                        switch change {
                        case 1: query.status = .submitted
                        case 2: query.locationID = 1
                        case 3: query.kind = .useOrConsume
                        default: break
                        }
                        let fast = try await ClaimListing.tabCounts(query, match: nil, in: scope, now: at, on: sql)
                        let slow = try await ClaimListing.tabCounts(query, match: nil, in: scope, now: at, scan: true, on: sql)
                        #expect(fast.attention == slow.attention, "\(moment): attention at \(at), \(scope), \(query)")
                    }
                }
            }
            let expiries = try await keptExpiryCells(on: sql)
            #expect(expiries == (try await scratchExpiryCells(on: sql)), "\(moment): claim_expiry_cells")
            #expect(!expiries.values.contains { $0 <= 0 }, "\(moment): no empty or negative expiry cell is kept")
            // A partner's expiries per local day for 14 days, in zones whose midnights fall on every kind of UTC hour (early,
            // late, half and three quarters past), from a moment off the hour and one on it.
            for zone in ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Auckland", "Pacific/Chatham"] {
                for offset in [0.0, -now.timeIntervalSince1970.truncatingRemainder(dividingBy: 3_600), 41 * 3_600 + 1_234.5] {
                    let at = now.addingTimeInterval(offset)
                    let slices = DateInterval(start: at, end: at.addingTimeInterval(14 * 86_400)).days(in: TimeZone(identifier: zone)!)
                    for scope in scopes.dropFirst() {
                        let fast = try await ExpiryCounts.counts(slices, in: scope, on: sql)
                        let scan = try await ExpiryCounts.scan(slices, in: scope, on: sql)
                        #expect(fast == scan, "\(moment): expiries in \(zone) from \(at), \(scope)")
                    }
                }
            }
            // The review queue's total.
            for change in 0..<5 {
                var filter = ReviewFilter()
                switch change {
                case 1: filter.status = .underReview
                case 2: filter.kind = .useOrConsume; filter.organizationID = 1
                case 3: filter.engagementID = 1
                case 4: filter.disputesOnly = true
                default: break
                }
                let scratch = try await sql.raw("SELECT COUNT(*) AS n FROM claims c WHERE \(ReviewDesk.condition(filter))")
                    .first(decodingColumn: "n", as: Int.self)
                #expect(try await ReviewDesk.count(filter, on: sql) == scratch, "\(moment): review queue \(filter)")
            }
            // Open claims per partner.
            let active = ClaimStatus.allCases.filter { !$0.isTerminal }.map { SQLQueryString("\(bind: $0.rawValue)") }
            let open = try await sql.raw("""
                SELECT organization_id, COUNT(*) AS n FROM claims WHERE status IN (\(active.joined(separator: ", "))) GROUP BY organization_id
                """).all().reduce(into: [Int64: Int]()) {
                $0[try $1.decode(column: "organization_id", as: Int64.self)] = try $1.decode(column: "n", as: Int.self)
            }
            for partner in try await PartnerDirectory.summaries(nil, on: sql) {
                #expect(partner.openClaims == open[partner.id] ?? 0, "\(moment): open claims of \(partner.name)")
            }
            #expect(try await PartnerDirectory.summaries(1, on: sql).first?.openClaims == open[1] ?? 0, "\(moment): one partner's open claims")
        }
        // Claims per status, as each scope sees them.
        for scope in scopes {
            let scratch = try await db.read { sql in
                try await sql.raw("SELECT c.status, COUNT(*) AS n FROM claims c WHERE \(scope.claimFilter("c")) GROUP BY c.status").all()
                    .reduce(into: [ClaimStatus: Int]()) {
                        $0[ClaimStatus(rawValue: try $1.decode(column: "status", as: String.self))!] = try $1.decode(column: "n", as: Int.self)
                    }
            }
            #expect(try await ClaimListing(db: db).countsByStatus(in: scope) == scratch, "\(moment): claims per status, \(scope)")
        }
    }

    @Test("kept counts equal counting the claims after intake, transitions, sweeps, edits and deletes", arguments: TestDatabases.flavors)
    func keptEqualsScratch(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            try await compare("seeded", on: db)
            #expect(try await db.read { try await keptDueDays(on: $0) }.count > 10, "the demo has deadlines to keep")
            let soon = try await db.read { sql in
                try await ExpiryCounts.scan(DateInterval(start: now, end: now.addingTimeInterval(14 * 86_400)).days(in: TimeZone(identifier: "UTC")!),
                                            in: .partner(organizationID: 1, locationIDs: [1, 2, 3, 4]), on: sql)
            }
            #expect(soon.count > 3, "the demo's claims expire on several of the next 14 days")

            // New claims, as the seeder writes them.
            try await Seeder(db: db).seedScale(count: 60, now: now, batchSize: 25)
            try await compare("after intake", on: db)

            // Transitions through the repository, picked at random (a fixed seed) among the open claims; the domain refuses
            // many, and those write nothing.
            var random = SeededRandom(seed: 20)
            let repo = ClaimRepository(db: db)
            let steps: [(ClaimAction, ActorRole)] = [
                (.sendConsentRequest, .incentivesUser), (.acceptConsent, .customer), (.submit, .incentivesAdmin), (.startReview, .reviewer),
                (.requestInformation, .reviewer), (.reject, .reviewer), (.dispute, .incentivesAdmin), (.cancel, .incentivesAdmin),
            ]
            let open = try await db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE due_at IS NOT NULL ORDER BY id").all(decodingColumn: "id", as: Int64.self)
            }
            var moved = 0
            for round in 0..<120 {
                let id = open[Int(random.next() % UInt64(open.count))]
                let (action, role) = steps[Int(random.next() % UInt64(steps.count))]
                let command = ClaimCommand(action, by: Actor(role: role, userID: nil, name: "Tester"), reason: "Round \(round)",
                                           reasonCode: action == .reject || action == .requestInformation ? ReviewReason.allCases.first : nil)
                if (try? await repo.perform(command, on: id, in: .system, at: now.addingTimeInterval(Double(round) * 600))) != nil { moved += 1 }
            }
            #expect(moved > 10, "transitions were made (\(moved))")
            try await compare("after transitions", on: db)

            // A sweep a month on: every claim whose clock ran out expires, its deadline closed.
            let swept = try await repo.expireDue(at: now.addingTimeInterval(30 * 86_400), batchSize: 17)
            #expect(swept.values.reduce(0, +) > 0, "the sweep expired claims")
            try await compare("after a sweep", on: db)

            // Plain SQL: deadlines and expiries moved by minutes, hours and days, claims re-filed and deleted, clocks cleared.
            try await db.write { sql in
                let clocked = try await sql.raw("SELECT id FROM claims WHERE due_at IS NOT NULL ORDER BY id LIMIT 12")
                    .all(decodingColumn: "id", as: Int64.self)
                for (i, id) in clocked.enumerated() {
                    let (due, expires) = (now.addingTimeInterval(Double(i) * 37_000 - 50_000), now.addingTimeInterval(Double(i) * 5_100 + 900))
                    try await sql.raw("UPDATE claims SET due_at = \(bind: due), expires_at = \(bind: expires) WHERE id = \(bind: id)").run()
                }
                let refiled = "SELECT id FROM claims WHERE location_id = 1 AND expires_at IS NOT NULL ORDER BY id LIMIT 3"
                try await sql.raw("UPDATE claims SET location_id = 2 WHERE id IN (\(unsafeRaw: refiled))").run()
                let cleared = "SELECT id FROM claims WHERE due_at IS NOT NULL ORDER BY id DESC LIMIT 2"
                try await sql.raw("UPDATE claims SET due_at = NULL, expires_at = NULL WHERE id IN (\(unsafeRaw: cleared))").run()
                let victim = try await sql.raw("SELECT MAX(id) AS id FROM claims WHERE due_at IS NOT NULL").first()!
                    .decode(column: "id", as: Int64.self)
                for table in ["claim_contacts", "claim_history", "claim_proof", "earnings", "claim_reminders", "mail_outbox"] {
                    try await sql.raw("DELETE FROM \(ident: table) WHERE claim_id = \(bind: victim)").run()
                }
                try await sql.raw("DELETE FROM claims WHERE id = \(bind: victim)").run()
            }
            try await compare("after edits and a delete", on: db)
        }
    }
}
