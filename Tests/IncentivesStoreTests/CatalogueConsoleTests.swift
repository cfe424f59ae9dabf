import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

@Suite("The catalogue console: the program, areas, engagements drafted, published in versions and closed, on SQLite and PostgreSQL")
struct CatalogueConsoleTests {
    let now = TestDatabases.now
    let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])

    static func manager(_ db: Database, now: Date) async throws -> Viewer {
        let users = UserRepository(db: db)
        var id = try await users.find(email: "pm@vendor.example")?.id
        if id == nil {
            id = try await users.add(email: "pm@vendor.example", name: "Robin Park", organizationID: nil, vendorRole: .programManager,
                                     passwordHash: nil, now: now)
        }
        let userID = try #require(id)
        return Viewer(userID: userID, email: "pm@vendor.example", name: "Robin Park", membership: .vendor(.programManager))
    }

    static func workshopTerms(rateA: String = "5000", currency: String = "USD") -> EngagementTermsInput {
        var input = EngagementTermsInput()
        input.type = "workshop"; input.payModel = "fixed"; input.currency = currency
        input.rateA = rateA; input.rateB = "3,000"; input.rateC = ""
        input.description = "A one-day workshop on the customer's cloud plans."
        input.partnerCriteria = "Solutions partner designation\nTwo certified engineers"
        input.customerCriteria = "At least 50 seats"
        input.proof = [.findingsDocument: "", .customerSurvey: ""]
        input.resourceLinks = "Playbook | https://example.com/playbook"
        input.activeClaimsPerCustomer = "1"
        return input
    }

    @Test("from an empty database: the program, an area, a draft, then published; each refusal names its field and stores nothing",
          arguments: TestDatabases.flavors)
    func fromEmpty(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: false) { db in
            let console = CatalogueConsole(db: db)
            let pm = try await Self.manager(db, now: now)
            await #expect(throws: CatalogueError.invalid(field: "manager_email", "nobody is not an email address.")) {
                _ = try await console.createProgram(name: "Partner Rewards", managerName: "Robin Park", managerEmail: "nobody", by: pm, at: now)
            }
            let program = try await console.createProgram(name: "Partner Rewards", managerName: "Robin Park", managerEmail: "pm@vendor.example", by: pm, at: now)
            // Business days (the use-or-consume answer) count Monday to Friday until the program says otherwise.
            #expect(try await CatalogueRepository(db: db).program(program)?.calendar == .mondayToFriday)
            await #expect(throws: CatalogueError.self) {
                _ = try await console.createProgram(name: "Second", managerName: "X", managerEmail: "x@vendor.example", by: pm, at: now)
            }
            await #expect(throws: CatalogueError.invalid(field: "code", "A code is lower-case letters, digits and hyphens (it is part of addresses), such as cloud-infrastructure.")) {
                _ = try await console.addArea(code: "Cloud Infra!", name: "Cloud", position: nil, by: pm, at: now)
            }
            let area = try await console.addArea(code: "Cloud-Infrastructure", name: "Cloud infrastructure", position: nil, by: pm, at: now)
            await #expect(throws: CatalogueError.invalid(field: "code", "Another solution area has the code cloud-infrastructure.")) {
                _ = try await console.addArea(code: "cloud-infrastructure", name: "Again", position: nil, by: pm, at: now)
            }
            #expect(try await CatalogueRepository(db: db).solutionAreas().map(\.code) == ["cloud-infrastructure"])

            // A bad field is refused by name, before anything is written.
            var bad = Self.workshopTerms(rateA: "5,000.005")
            #expect(throws: CatalogueError.invalid(field: "rate_a", "USD has 2 decimal places: 5000.005 has more.")) { try bad.terms() }
            bad = Self.workshopTerms(); bad.payModel = "variable"
            #expect(throws: CatalogueError.self) { try bad.terms() }
            bad = Self.workshopTerms(); bad.rateA = ""; bad.rateB = ""
            #expect(throws: CatalogueError.invalid(field: "rate_a", "Give a rate for at least one market: an engagement with no rate pays no one.")) { try bad.terms() }

            let terms = try Self.workshopTerms().terms()
            #expect(terms.deadlines == .standard(for: .workshop) && terms.rates.b == 3000 && terms.rates.c == nil)
            let opens = DayDate(now.adding(calendarDays: 10))
            let id = try await console.draft(EngagementDraft(name: "Cloud plans workshop", solutionAreaID: area, role: .buildIntent,
                                                             opensOn: opens, closesAfter: DayDate(now.adding(calendarDays: 100)), terms: terms),
                                             by: pm, at: now)
            try await console.publish(id, effectiveFrom: nil, by: pm, at: now)
            let published = try #require(try await CatalogueRepository(db: db).engagement(id))
            #expect(published.programID == program && published.status == .upcoming, "published before its first day: upcoming")
            #expect(published.currentVersion.effectiveFrom == opens.startUTC && published.currentVersion.rates.a == 5000)
            #expect(published.currentVersion.proofRequirements.map(\.kind) == [.findingsDocument, .customerSurvey])
            // Its dates move it: active on its first day, closed after its last.
            #expect(try await console.refresh(at: opens.startUTC) == 1)
            #expect(try await CatalogueRepository(db: db).engagement(id)?.status == .active)
            #expect(try await console.refresh(at: opens.startUTC.addingTimeInterval(3_600)) == 0, "nothing to move twice")
            try await console.refresh(at: now.adding(calendarDays: 101))
            #expect(try await CatalogueRepository(db: db).engagement(id)?.status == .closed)
            let history = try await ProgramChanges.ofEngagement(id, on: db).map(\.action)
            #expect(history == ["drafted", "published"])
            #expect(try await ProgramChanges.about(.solutionArea, area, on: db).first?.actorName == "Robin Park")
        }
    }

    @Test("a draft is the vendor's alone; a new version takes effect on its day, claims keep theirs, and a closed engagement takes none",
          arguments: TestDatabases.flavors)
    func versions(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let console = CatalogueConsole(db: db)
            let pm = try await Self.manager(db, now: now)
            let area = try #require(try await CatalogueRepository(db: db).solutionAreas().first).id
            let id = try await console.draft(EngagementDraft(name: "Secret workshop", solutionAreaID: area, role: .buildIntent,
                                                             opensOn: DayDate(now), closesAfter: nil, terms: try Self.workshopTerms().terms()),
                                             by: pm, at: now)
            // On Bluefin Seattle's list with its criteria met (the program manager may prepare it before publishing), yet a draft
            // shows nowhere on the partner's side.
            let lists = EligibilityLists(db: db)
            try await lists.add(1, to: id, by: pm, at: now)
            for criterion in ["Solutions partner designation", "Two certified engineers"] {
                try await lists.setCriterion(criterion, of: 1, on: id, to: CriterionSetting(status: .met, expiresOn: nil, evidence: "Checked"), by: pm, at: now)
            }
            let reads = EngagementReads(db: db)
            #expect(!(try await reads.board(in: bluefin, at: now).engagements.contains { $0.id == id }))
            #expect(try await reads.detail(id, in: bluefin, at: now) == nil)
            #expect(!(try await ClaimListing(db: db).choices(in: bluefin).engagements.contains { $0.0 == id }))
            #expect(!(try await ClaimIntake(db: db).options(kind: .partnerActivities, locationID: 1, customer: nil, in: bluefin, at: now)
                .contains { $0.id == id }), "Add customer does not offer a draft")
            try await console.publish(id, effectiveFrom: nil, by: pm, at: now)
            #expect(try await reads.board(in: bluefin, at: now).engagements.first { $0.id == id }?.status == .active)
            #expect(try await ClaimIntake(db: db).options(kind: .partnerActivities, locationID: 1, customer: nil, in: bluefin, at: now)
                .contains { $0.id == id })

            // Version 2: a higher rate and a cap, from a day ahead; before that day version 1 is in force.
            let two = try await console.startVersion(id, by: pm, at: now)
            #expect(two == 2)
            #expect(try await console.startVersion(id, by: pm, at: now) == 2, "one draft version at a time")
            var input = Self.workshopTerms(rateA: "6500"); input.earningsCap = "20000"
            let later = now.adding(calendarDays: 5)
            try await console.saveDraft(id, EngagementDraft(name: "Secret workshop", solutionAreaID: area, role: .buildIntent,
                                                            opensOn: DayDate(now), closesAfter: nil, terms: try input.terms()), by: pm, at: now)
            let draftDiff = try input.terms().changes(from: try Self.workshopTerms().terms())
            #expect(draftDiff.map(\.label) == ["Rate, market A", "Cap per location"])
            #expect(draftDiff.first?.before == "USD 5,000.00" && draftDiff.first?.after == "USD 6,500.00")
            await #expect(throws: CatalogueError.self) { try await console.publish(id, effectiveFrom: now.adding(calendarDays: -1), by: pm, at: now) }
            var euros = Self.workshopTerms(currency: "EUR")
            euros.rateA = "4000"
            await #expect(throws: CatalogueError.invalid(field: "currency", "The engagement pays in USD; a new version keeps its currency.")) {
                try await console.saveDraft(id, EngagementDraft(name: "Secret workshop", solutionAreaID: area, role: .buildIntent,
                                                                opensOn: DayDate(now), closesAfter: nil, terms: try euros.terms()), by: pm, at: now)
            }
            try await console.publish(id, effectiveFrom: later, by: pm, at: now)
            let engagement = try #require(try await CatalogueRepository(db: db).engagement(id))
            #expect(engagement.versions.count == 2 && engagement.version(inForceAt: now).rates.a == 5000)
            #expect(engagement.version(inForceAt: later).rates.a == 6500)
            #expect(engagement.earningsCap == nil, "the cap comes with version 2, on its day")
            #expect(try await console.refresh(at: later) == 1)
            #expect(try await CatalogueRepository(db: db).engagement(id)?.earningsCap == Money(20000, .usd))

            try await console.close(id, by: pm, at: later)
            #expect(try await CatalogueRepository(db: db).engagement(id)?.status == .closed)
            await #expect(throws: CatalogueError.self) { _ = try await console.startVersion(id, by: pm, at: later) }
            try await console.refresh(at: later.adding(calendarDays: 1))
            #expect(try await CatalogueRepository(db: db).engagement(id)?.status == .closed, "closed by hand stays closed")
            // The console's own changes, in order (the list's changes are the engagement's history too).
            #expect(try await ProgramChanges.ofEngagement(id, on: db).filter { [.engagement, .engagementVersion].contains($0.subject) }.map(\.action)
                    == ["drafted", "published", "version_started", "draft_saved", "published", "closed"])
            // The demo's engagements, from before the console, keep their statuses through a refresh.
            let before = try await CatalogueRepository(db: db).engagements().filter { $0.id != id }.map(\.status)
            try await console.refresh(at: now)
            #expect(try await CatalogueRepository(db: db).engagements().filter { $0.id != id }.map(\.status) == before)
        }
    }

    @Test("a draft version's criteria are never in force: the list counts the published version's, or the draft's before any is published",
          arguments: TestDatabases.flavors)
    func draftCriteria(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let console = CatalogueConsole(db: db)
            let pm = try await Self.manager(db, now: now)
            var input = Self.workshopTerms()
            input.partnerCriteria = "Designation"
            let draft = EngagementDraft(name: "Criteria test", solutionAreaID: 1, role: .buildIntent, opensOn: DayDate(now), closesAfter: nil,
                                        terms: try input.terms())
            let id = try await console.draft(draft, by: pm, at: now)
            func criteria() async throws -> [String]? {
                try await db.read { try await EligibilitySQL.criteriaInForce(of: "SELECT \(bind: id)", at: now, on: $0)[id] }
            }
            #expect(try await criteria() == ["Designation"], "before publishing, the draft's (the list is prepared against them)")
            try await console.publish(id, effectiveFrom: nil, by: pm, at: now)
            _ = try await console.startVersion(id, by: pm, at: now)
            input.partnerCriteria = "Designation\nTraining"
            var next = draft
            next.terms = try input.terms()
            try await console.saveDraft(id, next, by: pm, at: now)
            #expect(try await criteria() == ["Designation"], "version 2 is a draft: version 1's criteria are in force")
        }
    }
}
