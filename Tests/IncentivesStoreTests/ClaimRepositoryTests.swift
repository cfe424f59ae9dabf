import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Claim repository on SQLite and PostgreSQL")
struct ClaimRepositoryTests {
    let now = TestDatabases.now
    let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")

    /// The first claim of the demo in a status, with its organization and location.
    func claim(in status: ClaimStatus, kind: ClaimKind = .partnerActivities, db: Database) async throws -> Claim {
        let id = try await db.read { sql in
            try await sql.raw("SELECT id FROM claims WHERE status = \(bind: status.rawValue) AND kind = \(bind: kind.rawValue) ORDER BY id")
                .first()?.decode(column: "id", as: Int64.self)
        }
        let found = try #require(id)
        let claim = try await ClaimRepository(db: db).find(found, in: .system)
        return try #require(claim)
    }

    @Test("migrations apply once and then do nothing", arguments: TestDatabases.flavors)
    func migrationsAreIdempotent(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let applied = try await Migrator.migrate(db, clock: FixedClock(now))
            #expect(applied.isEmpty)
        }
    }

    @Test("the demo holds every status, ~200 claims, and the same data on every database", arguments: TestDatabases.flavors)
    func demoIsCompleteAndDeterministic(flavor: SQLFlavor) async throws {
        let export = { (db: Database) async throws -> String in
            var out: [UInt8] = []
            try await ClaimListing(db: db).export(ClaimListQuery(), as: .csv, in: .system, now: now) { out += $0 }
            return String(decoding: out, as: UTF8.self)
        }
        let (first, overview) = try await TestDatabases.with(flavor, seeded: true) { db in
            (try await export(db), try await ProgramOverview.load(from: db))
        }
        #expect(Set(overview.claimsByStatus.keys) == Set(ClaimStatus.allCases))
        #expect((180...220).contains(overview.claims))
        #expect(overview.organizations == ["Bluefin Consulting", "Cedar Systems", "Kestrel IT"])
        // Same seed and instant on SQLite: byte-identical export, whichever database made it. (For the SQLite case this
        // checks that seeding is deterministic; the PostgreSQL case checks that both databases hold the same data.)
        let reference = try await TestDatabases.with(.sqlite, seeded: true) { try await export($0) }
        #expect(first == reference)
        #expect(first.hasPrefix("claim_id,claim_name,status,status_label,kind,solution_area,customer,engagement,partner,location,due_at,due_kind,amount,currency,consent_at,created_at,updated_at\r\n"))
        #expect(first.components(separatedBy: "\r\n").count - 2 == overview.claims, "a line per claim, the header, and the last CRLF")
    }

    @Test("an action is decided by the domain, saved with its history, and versioned", arguments: TestDatabases.flavors)
    func performSavesTransitionAndHistory(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let submitted = try await claim(in: .submitted, db: db)
            let before = try #require(try await repo.history(of: submitted.id, in: .system))
            let t = try await repo.perform(ClaimCommand(.startReview, by: reviewer), on: submitted.id,
                                           expectedVersion: submitted.version, in: .vendor, at: now)
            #expect(t.claim.status == .underReview)
            let stored = try #require(try await repo.find(submitted.id, in: .vendor))
            #expect(stored.status == .underReview && stored.version == submitted.version + 1)
            let after = try #require(try await repo.history(of: submitted.id, in: .system))
            #expect(after.count == before.count + 1)
            #expect(after.last?.from == .submitted && after.last?.to == .underReview && after.last?.side == .vendor)

            // A stale form: the version moved on, so nothing changes.
            await #expect(throws: StoreError.self) {
                try await repo.perform(ClaimCommand(.approve, by: reviewer), on: submitted.id,
                                       expectedVersion: submitted.version, in: .vendor, at: now)
            }
            #expect(try await repo.find(submitted.id, in: .vendor)?.status == .underReview)

            // The domain's refusal reaches the caller unchanged, and nothing is written.
            await #expect(throws: ClaimRefusal.self) {
                try await repo.perform(ClaimCommand(.startReview, by: reviewer), on: submitted.id, in: .vendor, at: now)
            }
            #expect(try await repo.history(of: submitted.id, in: .system)?.count == after.count)
        }
    }

    /// The columns an `UPDATE claims SET ...` in `statements` writes, in order.
    static func writtenColumns(_ statements: [RecordedStatement]) throws -> [String] {
        let update = try #require(statements.first { $0.sql.contains("UPDATE claims SET") })
        let set = update.sql.components(separatedBy: "UPDATE claims SET")[1].components(separatedBy: " WHERE ")[0]
            .components(separatedBy: " FROM v")[0]
        return set.components(separatedBy: ", ").map { $0.components(separatedBy: " = ")[0].trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    // An index or an `UPDATE OF` trigger on a column moves whenever the column is in the SET list, even to the value it held:
    // a transition that rewrote the amount would move an amount index on every step of every claim.
    @Test("a transition writes the columns it changed and the claim's clock, no others; the sweep writes what its batch changed",
          arguments: TestDatabases.flavors)
    func transitionWritesWhatChanged(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let submitted = try await claim(in: .submitted, db: db)
            let (_, review) = try await db.recordingStatements {
                try await repo.perform(ClaimCommand(.startReview, by: reviewer), on: submitted.id, in: .vendor, at: now)
            }
            #expect(try Self.writtenColumns(review.statements) == ["status", "updated_at", "due_at", "due_kind", "expires_at", "version"])

            let asked = try await claim(in: .awaitingConsent, db: db)
            let customer = Actor(role: .customer, name: "Customer <c@example.com>")
            let (accepted, consent) = try await db.recordingStatements {
                try await repo.perform(ClaimCommand(.acceptConsent, by: customer), on: asked.id, in: .system, at: now)
            }
            let written = try Self.writtenColumns(consent.statements)
            #expect(written.contains("consent_at") && written.contains("amount_minor") == (accepted.claim.amount != asked.amount))
            #expect(!written.contains("first_submitted_at") && !written.contains("hours") && !written.contains("is_dispute_round"))
            let stored = try #require(try await repo.find(asked.id, in: .system))
            #expect(stored.consentAt == accepted.claim.consentAt && stored.amount == accepted.claim.amount && stored.status == accepted.claim.status)

            let (_, sweep) = try await db.recordingStatements { try await repo.expireDue(at: now.adding(calendarDays: 400), batchSize: 50) }
            let swept = try Self.writtenColumns(sweep.statements)
            #expect(!swept.contains("amount_minor") && !swept.contains("consent_at") && !swept.contains("hours"), "\(swept)")
            #expect(swept.contains("status") && swept.contains("expires_at"))
        }
    }

    @Test("a partner sees only its own locations' claims; a foreign id is not found", arguments: TestDatabases.flavors)
    func scopeHidesForeignClaims(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let theirs = try await claim(in: .customerClaimed, db: db)
            let own = AccessScope.partner(organizationID: theirs.organizationID, locationIDs: [theirs.locationID])
            let other = AccessScope.partner(organizationID: theirs.organizationID == 1 ? 2 : 1, locationIDs: [4, 5, 6, 7, 8, 9])
            let sameOrgOtherLocation = AccessScope.partner(organizationID: theirs.organizationID, locationIDs: [999])
            #expect(try await repo.find(theirs.id, in: own) != nil)
            #expect(try await repo.find(theirs.id, in: other) == nil)
            #expect(try await repo.find(theirs.id, in: sameOrgOtherLocation) == nil)
            #expect(try await repo.history(of: theirs.id, in: other) == nil)
            let partner = Actor(role: .incentivesAdmin, userID: 1, name: "Alex Morgan")
            await #expect(throws: StoreError.notFound("No claim \(theirs.id).")) {
                try await repo.perform(ClaimCommand(.sendConsentRequest, by: partner), on: theirs.id, in: other, at: now)
            }
        }
    }

    @Test("two writers racing on one version: exactly one wins, the other gets a conflict", arguments: TestDatabases.flavors)
    func concurrentWritersConflict(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let submitted = try await claim(in: .submitted, db: db)
            // Each writer's error, or nil when it won: the loser must be told of the conflict, not fail any other way.
            let outcomes = await withTaskGroup(of: (any Error)?.self) { group in
                for action in [ClaimAction.approve, .reject] {
                    group.addTask {
                        do {
                            try await repo.perform(ClaimCommand(action, by: reviewer, reason: "Reason", reasonCode: action == .reject ? .duplicateClaim : nil),
                                                   on: submitted.id, expectedVersion: submitted.version, in: .vendor, at: now)
                            return nil
                        } catch { return error }
                    }
                }
                return await group.reduce(into: [(any Error)?]()) { $0.append($1) }
            }
            let errors = outcomes.compactMap { $0 }
            #expect(outcomes.count == 2 && errors.count == 1, "\(errors)")
            for error in errors {
                guard case StoreError.conflict = error else {
                    Issue.record("the losing writer got \(String(reflecting: error)), not a conflict")
                    continue
                }
            }
            #expect(try await repo.history(of: submitted.id, in: .system)?.filter { $0.from == .submitted && $0.action != .submit }.count == 1)
        }
    }

    @Test("the sweeper expires what is due, writes clock history, and is idempotent", arguments: TestDatabases.flavors)
    func sweeperExpiresDueClaims(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            #expect(try await repo.expireDue(at: now).isEmpty) // the demo's open deadlines are all in the future
            let later = now.adding(calendarDays: 400)
            let counts = try await repo.expireDue(at: later, batchSize: 7)
            #expect(counts.values.reduce(0, +) > 30)
            #expect(Set(counts.keys).isSubset(of: [.consentExpired, .notSubmittedExpired, .postSubmissionExpired, .disputedExpired, .rejected]))
            #expect(try await repo.expireDue(at: later).isEmpty)
            let clockRows = try await db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM claim_history WHERE side = 'clock' AND at = \(bind: later)").first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(clockRows == counts.values.reduce(0, +))
            let stillDue = try await db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM claims WHERE expires_at <= \(bind: later)").first()?.decode(column: "n", as: Int.self)
            }
            #expect(stillDue == 0)
        }
    }

    @Test("adding a customer writes the claim, its contacts and its first history row", arguments: TestDatabases.flavors)
    func createClaim(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let scope = AccessScope.partner(organizationID: 1, locationIDs: [1])
            let user = Actor(role: .incentivesUser, userID: 2, name: "Sam Rivera")
            // Engagement 1 is a partner-activities assessment open to Seattle (location 1) in the demo.
            let new = NewClaim(organizationID: 1, locationID: 1, customerID: 1, engagementID: 1, name: "Quote \"and\", comma", kind: .partnerActivities)
            let claim = try await repo.create(new, contacts: [Contact(name: "Ana Chen", title: "CIO", email: "ana@alder.example")],
                                              by: user, in: scope, at: now)
            #expect(claim.status == .customerClaimed && claim.id > 0)
            #expect(try await repo.history(of: claim.id, in: scope)?.map(\.action) == [.create])
            // Someone else's location is refused before anything is written.
            await #expect(throws: StoreError.self) {
                try await repo.create(NewClaim(organizationID: 1, locationID: 5, customerID: 1, engagementID: 1, name: "x", kind: .partnerActivities),
                                      contacts: [], by: user, in: scope, at: now)
            }
            let listing = ClaimListing(db: db)
            var query = ClaimListQuery()
            query.organizationID = try await listing.organizationID(named: "bluefin consulting")
            query.status = .customerClaimed
            #expect(query.organizationID == 1)
            var out: [UInt8] = []
            try await listing.export(query, as: .csv, in: .system, now: now) { out += $0 }
            let lines = String(decoding: out, as: UTF8.self).components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
            #expect(lines.contains { $0.contains("\"Quote \"\"and\"\", comma\"") })
            #expect(!lines.isEmpty && lines.allSatisfy { $0.contains(",customer_claimed,") && $0.contains("Bluefin Consulting") })
        }
    }
}
