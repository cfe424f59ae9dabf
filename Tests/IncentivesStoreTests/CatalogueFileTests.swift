import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

@Suite("The catalogue as a file: export, import into an empty database, export again gives the same file; a bad file is refused by line")
struct CatalogueFileTests {
    let now = TestDatabases.now

    @Test("the demo's catalogue with a draft and a later version round-trips byte for byte, on SQLite and PostgreSQL",
          arguments: TestDatabases.flavors)
    func roundTrip(flavor: SQLFlavor) async throws {
        let exported = try await TestDatabases.with(flavor, seeded: true) { db in
            let pm = try await CatalogueConsoleTests.manager(db, now: now)
            let console = CatalogueConsole(db: db)
            let area = try #require(try await CatalogueRepository(db: db).solutionAreas().last).id
            var input = CatalogueConsoleTests.workshopTerms()
            input.description = "Two lines:\nthe second one, with \"quotes\", a colon: and # a hash."
            input.partnerCriteria = "yes\nnull\n1.0"
            input.surveys[.customerSurvey] = "Did it \"work\": yes? | yes/no\nnull | text | optional"
            let draft = EngagementDraft(name: "Quoted: \"no\"", solutionAreaID: area, role: .useOrConsume, opensOn: DayDate(now),
                                        closesAfter: DayDate(now.adding(calendarDays: 90)), terms: try input.terms())
            _ = try await console.draft(draft, by: pm, at: now)
            let published = try await console.draft(EngagementDraft(name: "Later rates", solutionAreaID: area, role: .buildIntent,
                                                                    opensOn: DayDate(now), closesAfter: nil, terms: try CatalogueConsoleTests.workshopTerms().terms()),
                                                    by: pm, at: now)
            try await console.publish(published, effectiveFrom: nil, by: pm, at: now.addingTimeInterval(0.123))
            _ = try await console.startVersion(published, by: pm, at: now)
            try await console.publish(published, effectiveFrom: now.adding(calendarDays: 3), by: pm, at: now.addingTimeInterval(1.5))
            // Partners and lists as the vendor changes them: a deactivated location, a new partner with a quoted name, an
            // expiring criterion with evidence, and a location taken off a list whose results stay.
            let directory = PartnerDirectory(db: db), lists = EligibilityLists(db: db)
            try await directory.deactivateLocation(2, reason: "Office closed: \"for now\"", by: pm, now: now)
            let newcomer = try await directory.addOrganization(name: "No: \"yes\"", by: pm, now: now)
            _ = try await directory.addLocation(organization: newcomer, name: "true", country: "jp", by: pm, now: now)
            let engagement = try #require(try await CatalogueRepository(db: db).engagements().first { !$0.currentVersion.partnerCriteria.isEmpty })
            let criterion = engagement.currentVersion.partnerCriteria[0]
            try await lists.setCriterion(criterion, of: 1, on: engagement.id, to: CriterionSetting(
                status: .expiring, expiresOn: DayDate(now).adding(days: 40), evidence: "Audit report\nsecond line"), by: pm, at: now)
            try await lists.remove(3, from: engagement.id, by: pm, at: now)
            return try CatalogueFile.yaml(try await CatalogueFile.document(of: db))
        }
        #expect(exported.contains("name: \"No: \\\"yes\\\"\""), "a partner's name stays text")
        #expect(exported.contains("status: expiring") && exported.contains("Audit report"))
        #expect(exported.contains("template_files:") && exported.contains("template_file: \"t2\""), "the demo's template files travel, bytes and all")
        #expect(exported.contains("reason: \"Office closed: \\\"for now\\\"\""))
        #expect(exported.hasPrefix("format: partner-incentives catalogue 1\n"))
        #expect(exported.contains("prompt: \"Did it \\\"work\\\": yes?\"") && exported.contains("prompt: \"null\""), "a version's own survey questions travel")
        #expect(exported.contains("name: \"yes\"") || exported.contains("- \"yes\""), "a criterion that YAML would read as true stays text")
        let again = try await TestDatabases.with(flavor, seeded: false) { db in
            let document = try CatalogueFile.read(exported)
            try await CatalogueFile.apply(document, actor: "incentives catalogue import", at: now, to: db)
            #expect(try await CatalogueRepository(db: db).engagements().count == document.engagements.filter { $0.lifecycle != .draft }.count)
            #expect(document.partners.count == 4 && document.partners.flatMap(\.locations).count == 10)
            return try CatalogueFile.yaml(try await CatalogueFile.document(of: db))
        }
        #expect(again == exported)
    }

    @Test("a bad file names each problem with its line and writes nothing; a database with a catalogue refuses an import",
          arguments: TestDatabases.flavors)
    func refused(flavor: SQLFlavor) async throws {
        let good = try await TestDatabases.with(flavor, seeded: true) { db in try CatalogueFile.yaml(try await CatalogueFile.document(of: db)) }
        var lines = good.components(separatedBy: "\n")
        // Break three things at known lines: an area's code, a rate with too many decimals, an engagement's area.
        let code = try #require(lines.firstIndex { $0.contains("code: \"cloud-infrastructure\"") })
        lines[code] = lines[code].replacingOccurrences(of: "cloud-infrastructure", with: "Cloud Infra!")
        let rate = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("a: 5000.00") })
        lines[rate] = lines[rate].replacingOccurrences(of: "5000.00", with: "5000.001")
        // And three in the partners and lists: a second partner of the same name, a list entry naming a location no partner
        // has, and an expiring result without its day.
        let partner = try #require(lines.firstIndex { $0.contains("- name: \"Cedar Systems\"") })
        lines[partner] = lines[partner].replacingOccurrences(of: "Cedar Systems", with: "bluefin consulting")
        let entry = try #require(lines.firstIndex { $0.contains("location: \"Kestrel IT - Paris\"") })
        lines[entry] = lines[entry].replacingOccurrences(of: "Kestrel IT - Paris", with: "Kestrel IT - Lyon")
        let status = try #require(lines.firstIndex { $0.contains("status: met") })
        // And a template file whose bytes no longer match its sha256.
        let content = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("content: |") }) + 1
        var base64 = Array(lines[content])
        let first = try #require(base64.firstIndex { $0 != " " })
        base64[first] = base64[first] == "Q" ? "R" : "Q"
        lines[content] = String(base64)
        lines[status] = lines[status].replacingOccurrences(of: "status: met", with: "status: expiring")
        let bad = lines.joined(separator: "\n")
        let problems = try #require(#expect(throws: CatalogueFileRefused.self) { try CatalogueFile.read(bad) }).problems
        #expect(problems.contains { $0.line == partner + 1 && $0.message.contains("named \"Bluefin Consulting\" already exists") }, "\(problems)")
        #expect(problems.contains { $0.line == entry && $0.message == "Kestrel IT / Kestrel IT - Lyon is not a location the file's partners list." },
                "\(problems)")
        #expect(problems.contains { $0.line == status && $0.message.contains("`expires_on` is given for an expiring criterion") }, "\(problems)")
        #expect(problems.contains { $0.line == content && $0.message.contains("does not match its sha256") }, "\(problems)")
        #expect(problems.contains { $0.line == code + 1 && $0.message.contains("A code is lower-case letters") }, "\(problems)")
        #expect(problems.contains { $0.line == rate + 1 && $0.message == "USD has 2 decimal places: 5000.001 has more." }, "\(problems)")
        #expect(problems.contains { $0.message.contains("which the file does not list") }, "engagements of the broken area: \(problems)")
        let notYAML = try #require(#expect(throws: CatalogueFileRefused.self) { try CatalogueFile.read("format: x\n  bad: [\n") }).problems
        #expect(notYAML.count == 1 && notYAML[0].message.hasPrefix("This is not YAML"))
        try await TestDatabases.with(flavor, seeded: true) { db in
            let document = try CatalogueFile.read(good)
            await #expect(throws: CatalogueFileRefused.self) { try await CatalogueFile.apply(document, actor: "test", at: now, to: db) }
        }
    }
}
