import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import SQLKit
import Testing

@Suite("Eligibility list pages: the vendor's list, criteria, imports, and what partners see")
struct EligibilityListPagesTests {
    /// Engagement 15 (business applications): Kestrel's locations 8 and 9 are not on its list.
    static let engagement: Int64 = 15

    static func listed(_ app: WebHarness, _ location: Int64, on engagement: Int64) async throws -> Bool {
        try await app.db.read { sql in
            try await sql.raw("""
                SELECT 1 AS x FROM eligibility_entries WHERE engagement_id = \(bind: engagement) AND location_id = \(bind: location)
                """).first() != nil
        }
    }

    /// The engagements Seattle earns on, as the partner's /eligibility page says ("Earning on N of M listed engagements").
    static func seattleEarning(_ partner: Browser) async throws -> Int? {
        let body = try await partner.get(SitePath.eligibility.href()).body
        guard let row = body.range(of: "Seattle</td>") else { return nil }
        let rest = body[row.upperBound...]
        guard let found = rest.range(of: #"Earning on [0-9]+ of"#, options: .regularExpression) else { return nil }
        return Int(rest[found].dropFirst("Earning on ".count).dropLast(" of".count))
    }

    @Test("the program manager adds a location, sets its criteria and removes it; a reviewer reads the list, changes nothing",
          arguments: TestDatabases.flavors)
    func addSetRemove(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let manager = try await app.signedIn("manager@vendor.example")
            let path = SitePath.catalogueEligibility(.id(Self.engagement)).href()
            let page = try await manager.get(path)
            #expect(page.status == .ok && page.body.contains("Add to the list"))
            #expect(try await manager.post(path, [("location", "8")]).status == .seeOther)
            #expect(try await Self.listed(app, 8, on: Self.engagement))
            let again = try await manager.post(path, [("location", "8")])
            #expect(again.status == .unprocessableContent && again.body.contains("is already on the list"))
            let criterion = try #require(try await CatalogueRepository(db: app.db).engagement(Self.engagement)).currentVersion.partnerCriteria.first
            let criteria = SitePath.catalogueCriterion(.id(Self.engagement), location: 8).href()
            let past = try await manager.post(criteria, [("criterion", try #require(criterion)), ("status", "expiring"), ("expires_on", "2020-01-01"),
                                                          ("evidence", "")])
            #expect(past.status == .unprocessableContent && past.body.contains("The expiry date must be after today"))
            #expect(try await manager.post(criteria, [("criterion", try #require(criterion)), ("status", "met"), ("expires_on", ""),
                                                      ("evidence", "Audit <b>ok</b>")]).status == .seeOther)
            let shown = try await manager.get(path).body
            #expect(shown.contains("Audit &lt;b&gt;ok&lt;/b&gt;") && shown.contains("Casey Kim"))
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let read = try await reviewer.get(path)
            #expect(read.status == .ok && !read.body.contains("Add to the list") && read.body.contains("Audit &lt;b&gt;ok&lt;/b&gt;"))
            #expect(try await reviewer.post(path, [("location", "9")]).status == .forbidden)
            let remove = SitePath.catalogueEligibilityRemove(.id(Self.engagement), location: 8).href()
            #expect(try await manager.get(remove).body.contains("Its claims stay"))
            #expect(try await manager.post(remove, [("confirm", "remove")]).status == .seeOther)
            #expect(try await !Self.listed(app, 8, on: Self.engagement))
            #expect(try await manager.get(path).body.contains("removed from the list"))
        }
    }

    @Test("an import with a bad row stores nothing and shows the row's line, column and problem; a right one applies",
          arguments: TestDatabases.flavors)
    func importWithABadRow(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let manager = try await app.signedIn("manager@vendor.example")
            // The import form is on the list's page: a browser has it open (and its form token) before posting.
            try await manager.get(SitePath.catalogueEligibility(.id(Self.engagement)).href())
            let path = SitePath.catalogueEligibilityImport(.id(Self.engagement)).href()
            let bad = try await manager.post(path, [("kind", "list"), ("csv", "location_id,action\n8,add\n9,drop\n"), ("apply", "1")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("<td>3</td><td>action</td><td>The action is &quot;drop&quot;; use add or remove.</td>"))
            #expect(try await !Self.listed(app, 8, on: Self.engagement))
            let preview = try await manager.post(path, [("kind", "list"), ("csv", "location_id,action\n8,add\n9,add\n")])
            #expect(preview.status == .ok && preview.body.contains("Apply the import"))
            #expect(try await !Self.listed(app, 8, on: Self.engagement))
            let apply = try await manager.post(path, [("kind", "list"), ("csv", "location_id,action\n8,add\n9,add\n"), ("apply", "1")])
            #expect(apply.status == .seeOther)
            #expect(try await Self.listed(app, 8, on: Self.engagement))
            #expect(try await Self.listed(app, 9, on: Self.engagement))
        }
    }

    @Test("an uploaded CSV file is previewed, never applied as it arrives; a bad row or a file that is not UTF-8 stores nothing",
          arguments: TestDatabases.flavors)
    func uploadedFile(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let manager = try await app.signedIn("manager@vendor.example")
            let list = try await manager.get(SitePath.catalogueEligibility(.id(Self.engagement)).href())
            #expect(list.body.contains("enctype=\"multipart/form-data\""))
            let path = SitePath.catalogueEligibilityImport(.id(Self.engagement)).href()
            let badFile = Array("location_id,action\r\n8,add\r\n9,drop\r\n".utf8)
            let bad = try await manager.upload(path, [("kind", "list")], file: ("file", "list.csv", badFile))
            #expect(bad.status == .unprocessableContent && bad.body.contains("<td>3</td><td>action</td>"))
            let latin1: [UInt8] = Array("location_id,action\n8,add\n".utf8) + [0xE9]
            let unreadable = try await manager.upload(path, [("kind", "list")], file: ("file", "list.csv", latin1))
            #expect(unreadable.status == .unprocessableContent && unreadable.body.contains("not UTF-8 text"))
            // A right file, even sent with apply, is only previewed: its text comes back in the form that applies it.
            let goodFile = Array("location_id,action\n8,add\n".utf8)
            let good = try await manager.upload(path, [("kind", "list"), ("apply", "1")], file: ("file", "list.csv", goodFile))
            #expect(good.status == .ok && good.body.contains("Apply the import") && good.body.contains("location_id,action\n8,add"))
            #expect(try await !Self.listed(app, 8, on: Self.engagement))
            #expect(try await manager.post(path, [("kind", "list"), ("csv", "location_id,action\n8,add\n"), ("apply", "1")]).status == .seeOther)
            #expect(try await Self.listed(app, 8, on: Self.engagement))
        }
    }

    @Test("a criterion set to expiring shows its date to the partner; when the day passes the sweep ends it and N of M drops",
          arguments: TestDatabases.flavors)
    func expiringCriterion(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let users = UserRepository(db: app.db)
            let adminID = try #require(try await users.find(email: "admin@bluefin.example")).id
            let scope = try #require(try await users.viewer(adminID, acceptsDemoUsers: true)).scope
            func earning(on id: Int64) async throws -> Int {
                try await app.deps.stores.engagements.board(in: scope, at: app.clock.now).engagements.first { $0.id == id }?
                    .earningLocations(at: app.clock.now).earning ?? 0
            }
            // Engagement 4 is open to Seattle (location 1), which earns on it.
            let before = try await earning(on: 4)
            #expect(before > 0)
            let criterion = try #require(try await CatalogueRepository(db: app.db).engagement(4)?.currentVersion.partnerCriteria.first)
            let manager = try await app.signedIn("manager@vendor.example")
            try await manager.get(SitePath.catalogueEligibility(4).href())
            let day = DayDate(app.clock.now).adding(days: 1)
            #expect(try await manager.post(SitePath.catalogueCriterion(4, location: 1).href(),
                                           [("criterion", criterion), ("status", "expiring"), ("expires_on", day.description),
                                            ("evidence", "")]).status == .seeOther)
            #expect(try await earning(on: 4) == before)
            let partner = try await app.signedIn("admin@bluefin.example")
            #expect(try await partner.get(SitePath.engagementEligibility(4).href()).body.contains("Met until \(day)."))
            let seattleBefore = try #require(try await Self.seattleEarning(partner))
            app.clock.set(day.endUTC.addingTimeInterval(60))
            await DeadlineSweeper(claims: app.deps.stores.claims, eligibility: app.deps.stores.eligibility, clock: app.clock,
                                  interval: .seconds(60), logger: Logger(label: "test")).sweepOnce()
            #expect(try await earning(on: 4) == before - 1)
            let list = try #require(try await app.deps.stores.eligibility.list(4, at: app.clock.now))
            let seattle = try #require(list.entries.first { $0.place.location.id == 1 }?.criteria.first)
            #expect(seattle.status == .notMet && seattle.setByName == EligibilityLists.clockName)
            #expect(list.history.last?.actorName == EligibilityLists.clockName)
            // A day later the earlier session has ended: the partner signs in again and reads the change.
            let nextDay = try await app.signedIn("admin@bluefin.example")
            let page = try await nextDay.get(SitePath.engagementEligibility(4).href())
            #expect(page.status == .ok && page.body.contains("Not met: meet it") && !page.body.contains("Met until \(day)."))
            #expect(try await Self.seattleEarning(nextDay) == seattleBefore - 1, "/eligibility: Seattle earns on one engagement fewer")
        }
    }

    @Test("eligibility forms refuse hostile input and store nothing", arguments: TestDatabases.flavors)
    func hostileForms(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let manager = try await app.signedIn("manager@vendor.example")
            try await manager.get(SitePath.catalogueEligibility(.id(Self.engagement)).href())
            let criteria = SitePath.catalogueCriterion(.id(Self.engagement), location: 1).href()
            let criterion = try #require(try await CatalogueRepository(db: app.db).engagement(Self.engagement)?.currentVersion.partnerCriteria.first)
            for (label, fields) in [
                ("evidence with a direction override", [("criterion", criterion), ("status", "met"), ("expires_on", ""), ("evidence", "ok\u{202E}")]),
                ("evidence too long", [("criterion", criterion), ("status", "met"), ("expires_on", ""),
                                       ("evidence", String(repeating: "x", count: 2_001))]),
                ("unknown status", [("criterion", criterion), ("status", "<script>"), ("expires_on", ""), ("evidence", "")]),
                ("unknown criterion", [("criterion", HostileFormsTests.formula), ("status", "met"), ("expires_on", ""), ("evidence", "")]),
            ] {
                try await HostileFormsTests.refusedPage(app, manager, label, criteria, fields, expect: .unprocessableContent)
            }
            let add = SitePath.catalogueEligibility(.id(Self.engagement)).href()
            for bad in HostileFormsTests.badIDs + [HostileFormsTests.script] {
                try await HostileFormsTests.refusedPage(app, manager, "location \(bad)", add, [("location", bad)], expect: .unprocessableContent)
            }
            try await HostileFormsTests.refusedPage(app, manager, "remove unconfirmed",
                                                    SitePath.catalogueEligibilityRemove(.id(Self.engagement), location: 1).href(), [("confirm", "x")])
            let csv = "location_id,action\n\"\(HostileFormsTests.rlo)1\",add\n"
            let importPath = SitePath.catalogueEligibilityImport(.id(Self.engagement)).href()
            let page = try await HostileFormsTests.refusedPage(app, manager, "import", importPath,
                                                               [("kind", "list"), ("csv", csv), ("apply", "1")], expect: .unprocessableContent)
            #expect(page.body.contains("is not a location id"))
        }
    }
}
