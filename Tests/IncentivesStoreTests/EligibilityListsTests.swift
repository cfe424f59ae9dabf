import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Eligibility lists and criteria results (migration 21) on SQLite and PostgreSQL")
struct EligibilityListsTests {
    let now = TestDatabases.now
    // The demo: Kestrel (organization 3, locations 8-9) is on no business applications list (solution area 3).
    let kestrel = AccessScope.partner(organizationID: 3, locationIDs: [8, 9])
    let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])

    func manager(_ db: Database) async throws -> Viewer {
        let id = try #require(try await UserRepository(db: db).find(email: "manager@vendor.example")).id
        return try #require(try await UserRepository(db: db).viewer(id, acceptsDemoUsers: true))
    }

    /// A business applications engagement (Kestrel is not on its list) and its criteria in force.
    func unlistedEngagement(_ db: Database) async throws -> Engagement {
        let id = try #require(try await db.read { sql in
            try await sql.raw("SELECT MIN(id) AS id FROM engagements WHERE solution_area_id = 3").first(decodingColumn: "id", as: Int64?.self) ?? nil
        })
        return try #require(try await CatalogueRepository(db: db).engagement(id))
    }

    func standing(_ location: Int64, on engagement: Int64, in scope: AccessScope, at instant: Date, _ db: Database) async throws -> LocationEligibility? {
        try await db.read { try await ProgramReads.standings(in: scope, at: instant, on: $0) }
            .first { $0.location.id == location }?.engagements[engagement]
    }

    @Test("migration 21 lists every pair location_criteria implied and gives each result its status", arguments: TestDatabases.flavors)
    func migrationFillsTheList(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, migrations: Migrator.all.filter { $0.number < 21 }) { db in
            try await db.write { sql in
                try await sql.raw("""
                    INSERT INTO programs (id, name, manager_name, manager_email, weekend, holidays) VALUES (1, 'P', 'M', 'm@x.example', '[]', '[]')
                    """).run()
                try await sql.raw("INSERT INTO solution_areas (id, code, name, position) VALUES (1, 'A', 'Area', 1)").run()
                try await sql.raw("""
                    INSERT INTO engagements (id, program_id, solution_area_id, name, role, type, status, last_claim_day,
                                             active_claims_per_customer, cap_minor, currency, created_at)
                    VALUES (1, 1, 1, 'E', 'build_intent', 'workshop', 'active', NULL, 1, NULL, 'USD', \(bind: now))
                    """).run()
                try await sql.raw("INSERT INTO organizations (id, name, created_at) VALUES (1, 'O', \(bind: now))").run()
                try await sql.raw("INSERT INTO locations (id, organization_id, name, country) VALUES (1, 1, 'L1', 'US'), (2, 1, 'L2', 'US')").run()
                try await sql.raw("""
                    INSERT INTO location_criteria (location_id, engagement_id, position, criterion, met)
                    VALUES (1, 1, 0, 'One', \(bind: true)), (1, 1, 1, 'Two', \(bind: false)), (2, 1, 0, 'One', \(bind: true))
                    """).run()
            }
            // Migration 21 alone (later ones have their own tests).
            #expect(try await Migrator.migrate(db, clock: FixedClock(now), migrations: Migrator.all.filter { $0.number <= 21 }) == [21])
            try await db.read { sql in
                let pairs = try await sql.raw("SELECT engagement_id, location_id FROM eligibility_entries ORDER BY location_id").all()
                #expect(try pairs.map { try $0.decode(column: "location_id", as: Int64.self) } == [1, 2])
                let statuses = try await sql.raw("SELECT status FROM location_criteria ORDER BY location_id, position")
                    .all(decodingColumn: "status", as: String.self)
                #expect(statuses == ["met", "not_met", "met"])
            }
        }
    }

    @Test("a location added to a list appears to its partner at once, its criteria not met until set; removed, it is gone",
          arguments: TestDatabases.flavors)
    func addSetAndRemove(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let lists = EligibilityLists(db: db), pm = try await manager(db)
            let engagement = try await unlistedEngagement(db)
            let criteria = engagement.version(inForceAt: now).partnerCriteria
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: now, db) == nil)
            try await lists.add(8, to: engagement.id, by: pm, at: now)
            let added = try #require(try await standing(8, on: engagement.id, in: kestrel, at: now, db))
            #expect(added.listed && added.criteria.map(\.criterion) == criteria && added.criteria.allSatisfy { !$0.met })
            #expect(added.isEligible == criteria.isEmpty)
            await #expect(throws: EligibilityRefusal.self) { try await lists.add(8, to: engagement.id, by: pm, at: now) }
            for criterion in criteria {
                try await lists.setCriterion(criterion, of: 8, on: engagement.id, to: CriterionSetting(status: .met, expiresOn: nil, evidence: "Checked"),
                                             by: pm, at: now)
            }
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: now, db)?.isEligible == true)
            // Another partner never sees it.
            let bluefinView = try await db.read { try await ProgramReads.standings(in: bluefin, at: now, on: $0) }
            #expect(!bluefinView.contains { $0.location.id == 8 })
            await #expect(throws: EligibilityRefusal.self) {
                try await lists.setCriterion("No such words", of: 8, on: engagement.id, to: CriterionSetting(status: .met, expiresOn: nil, evidence: ""),
                                             by: pm, at: now)
            }
            let list = try #require(try await lists.list(engagement.id, at: now))
            let entry = try #require(list.entries.first { $0.place.location.id == 8 })
            #expect(entry.listedByName == pm.name && entry.criteria.allSatisfy { $0.status == .met && $0.evidence == "Checked" && $0.setByName == pm.name })
            #expect(!list.others.contains { $0.location.id == 8 })
            try await lists.remove(8, from: engagement.id, by: pm, at: now)
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: now, db) == nil)
            let history = try #require(try await lists.list(engagement.id, at: now)).history
            #expect(history.map(\.action) == ["listed"] + criteria.map { _ in "set_met" } + ["unlisted"])
            #expect(history.allSatisfy { $0.actorUserID == pm.userID && $0.organizationID == 3 })
        }
    }

    @Test("an expiring criterion is met through its day; after it the clock's sweep makes it not met and says so",
          arguments: TestDatabases.flavors)
    func expiringCriterion(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let lists = EligibilityLists(db: db), pm = try await manager(db)
            let engagement = try await unlistedEngagement(db)
            let criteria = engagement.version(inForceAt: now).partnerCriteria
            let first = try #require(criteria.first)
            try await lists.add(8, to: engagement.id, by: pm, at: now)
            for criterion in criteria {
                try await lists.setCriterion(criterion, of: 8, on: engagement.id, to: CriterionSetting(status: .met, expiresOn: nil, evidence: ""), by: pm, at: now)
            }
            let day = DayDate(now).adding(days: 1)
            let setting = try CriterionSetting(status: "expiring", expiresOn: day.description, evidence: "Certificate until then", today: DayDate(now))
            try await lists.setCriterion(first, of: 8, on: engagement.id, to: setting, by: pm, at: now)
            let lastMoment = day.endUTC.addingTimeInterval(-1), after = day.endUTC
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: lastMoment, db)?.isEligible == true)
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: now, db)?.criteria.first?.expiresOn == day)
            #expect(try await lists.expireDue(at: lastMoment) == 0)
            #expect(try await lists.expireDue(at: after) == 1)
            #expect(try await lists.expireDue(at: after) == 0)
            let entry = try #require(try await lists.list(engagement.id, at: after)?.entries.first { $0.place.location.id == 8 })
            #expect(entry.criteria.first?.status == .notMet && entry.criteria.first?.setByName == EligibilityLists.clockName)
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: after, db)?.isEligible == false)
            let last = try #require(try await lists.list(engagement.id, at: after)?.history.last)
            #expect(last.action == "expired" && last.actorUserID == nil && last.actorName == EligibilityLists.clockName)
        }
    }

    @Test("results follow a criterion's words into a new version; a new criterion starts not met", arguments: TestDatabases.flavors)
    func resultsKeyedByWords(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let lists = EligibilityLists(db: db), pm = try await manager(db)
            let engagement = try await unlistedEngagement(db)
            let kept = try #require(engagement.version(inForceAt: now).partnerCriteria.first)
            try await lists.add(8, to: engagement.id, by: pm, at: now)
            try await lists.setCriterion(kept, of: 8, on: engagement.id, to: CriterionSetting(status: .met, expiresOn: nil, evidence: ""), by: pm, at: now)
            let words = String(data: try JSONEncoder().encode([kept, "A criterion new in this version"]), encoding: .utf8)!
            let number = engagement.currentVersion.number + 1
            try await db.write { sql in
                try await sql.raw("""
                    INSERT INTO engagement_versions (engagement_id, number, effective_from, pay_model, rate_a_minor, rate_b_minor, rate_c_minor,
                      max_hours, consent_days, submission_days, review_days, dispute_days, cpor_response_days, description, partner_criteria,
                      customer_criteria, proof_requirements, resource_links)
                    SELECT engagement_id, \(bind: number), \(bind: now.addingTimeInterval(3600)), pay_model, rate_a_minor, rate_b_minor, rate_c_minor,
                      max_hours, consent_days, submission_days, review_days, dispute_days, cpor_response_days, description, \(bind: words),
                      customer_criteria, proof_requirements, resource_links
                    FROM engagement_versions WHERE engagement_id = \(bind: engagement.id) AND number = \(bind: number - 1)
                    """).run()
            }
            let later = now.addingTimeInterval(7200)
            let criteria = try #require(try await standing(8, on: engagement.id, in: kestrel, at: later, db)).criteria
            #expect(criteria == [CriterionResult(criterion: kept, met: true), CriterionResult(criterion: "A criterion new in this version", met: false)])
        }
    }

    @Test("an import with a bad row stores nothing and names the row; a right one applies in full", arguments: TestDatabases.flavors)
    func imports(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let lists = EligibilityLists(db: db), pm = try await manager(db)
            let engagement = try await unlistedEngagement(db)
            let bad = "location_id,action\n8,add\n9,delete\n"
            let refused = try await lists.importList(bad, into: engagement.id, apply: true, by: pm, at: now)
            #expect(!refused.applied && refused.problems == [ImportProblem(line: 3, column: "action", message: "The action is \"delete\"; use add or remove.")])
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: now, db) == nil)
            let good = "organization,location,action\n\"Kestrel Cloud\",Paris,add\n"
            let names = try await db.read { sql in
                try await sql.raw("SELECT o.name AS o, l.name AS l FROM locations l JOIN organizations o ON o.id = l.organization_id WHERE l.id = 8").first()
            }
            let org = try #require(names).decode(column: "o", as: String.self), place = try #require(names).decode(column: "l", as: String.self)
            let file = good.replacingOccurrences(of: "\"Kestrel Cloud\",Paris", with: "\"\(org)\",\"\(place)\"")
            let preview = try await lists.importList(file, into: engagement.id, apply: false, by: pm, at: now)
            #expect(preview.isValid && !preview.applied && preview.rows.count == 1)
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: now, db) == nil)
            #expect(try await lists.importList(file, into: engagement.id, apply: true, by: pm, at: now).applied)
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: now, db)?.listed == true)
            let criterion = try #require(engagement.version(inForceAt: now).partnerCriteria.first)
            let criteriaFile = "location,criterion,status,expires_on,evidence\n8,\"\(criterion)\",met,,Audit\n8,\"\(criterion)\",expiring,2020-01-01,\n"
            let wrong = try await lists.importCriteria(criteriaFile, into: engagement.id, apply: true, by: pm, at: now)
            #expect(!wrong.applied && wrong.problems.map(\.line) == [3] && wrong.problems.first?.column == "expires_on")
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: now, db)?.criteria.first?.met == false)
            let right = "location,criterion,status,expires_on,evidence\n8,\"\(criterion)\",met,,Audit\n"
            #expect(try await lists.importCriteria(right, into: engagement.id, apply: true, by: pm, at: now).applied)
            #expect(try await standing(8, on: engagement.id, in: kestrel, at: now, db)?.criteria.first?.met == true)
        }
    }
}
