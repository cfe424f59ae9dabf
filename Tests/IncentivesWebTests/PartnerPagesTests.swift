import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import SQLKit
import Testing

@Suite("Partner pages: a program manager brings a partner in on an empty database")
struct PartnerPagesTests {
    /// A program manager and a reviewer with passwords, and the program, on an empty database.
    static func vendor(_ app: WebHarness) async throws {
        let users = UserRepository(db: app.db)
        for (email, role) in [("pm@vendor.example", VendorRole.programManager), ("rv@vendor.example", .reviewer)] {
            _ = try await users.add(email: email, name: role.label, organizationID: nil, vendorRole: role,
                                    passwordHash: PasswordHasher.hash("correct horse battery", cost: 4), now: app.clock.now)
        }
        // The program itself is the catalogue's to set up; here it is written as its table holds it.
        try await app.db.write { sql in
            try await sql.raw("""
                INSERT INTO programs (name, manager_name, manager_email, weekend, holidays)
                VALUES ('Growth Program', 'Program Manager', 'pm@vendor.example', '1,7', '')
                """).run()
        }
    }

    /// The emails delivered to the mail-drop folder, as (to, decoded body).
    static func mailDrop(_ app: WebHarness) async throws -> [(to: String, body: String)] {
        let folder = try MailDeliveryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mail = MailDelivery(outbox: Outbox(db: app.db), transport: MailDropTransport(directory: folder), from: "Incentives <no-reply@x.example>",
                                messageIDDomain: "x.example", clock: app.clock, interval: .seconds(3600), logger: Logger(label: "test"))
        _ = await mail.deliverDue()
        return try MailDeliveryTests.emlFiles(folder).map { file in
            let text = try String(contentsOf: file, encoding: .utf8)
            let parts = text.components(separatedBy: "\r\n\r\n")
            let to = parts[0].components(separatedBy: "\r\n").first { $0.hasPrefix("To: ") }.map { String($0.dropFirst(4)) } ?? ""
            let body = Data(base64Encoded: parts[1].replacingOccurrences(of: "\r\n", with: "")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return (to, body)
        }
    }

    @Test("create an organization, add a location, invite its admin by email, who accepts and enrolls the invited location",
          arguments: TestDatabases.flavors)
    func endToEnd(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, demo: false, seeded: false) { app in
            try await Self.vendor(app)
            let manager = try await app.signedIn("pm@vendor.example")
            let empty = try await manager.get("/partners")
            #expect(empty.status == .ok && empty.body.contains("No partners yet. Add the first partner organization."))
            #expect(empty.body.navigation.contains("Partners"))

            let blank = try await manager.post("/partners/new", [("name", " ")])
            #expect(blank.status == .unprocessableContent)
            #expect(blank.body.contains(#"<p class="field-error" id="organization-name-error">Enter the partner organization&#39;s name.</p>"#))
            let created = try await manager.post("/partners/new", [("name", "Cedar Systems")])
            #expect(created.status == .seeOther)
            let orgPath = try #require(created.location)
            let twice = try await manager.post("/partners/new", [("name", "CEDAR systems")])
            #expect(twice.status == .unprocessableContent && twice.body.contains("already exists") && twice.body.contains(#"value="CEDAR systems""#))

            let noPlace = try await manager.get(orgPath)
            #expect(noPlace.body.h1 == "Cedar Systems" && noPlace.body.contains("No locations yet. Add the first location below."))
            let badCountry = try await manager.post(orgPath + "/locations", [("name", "Berlin"), ("country", "XX")])
            #expect(badCountry.status == .unprocessableContent)
            #expect(badCountry.body.contains(#"id="location-country-error">&#39;XX&#39; is not a country code"#))
            #expect(badCountry.body.contains(#"value="Berlin""#), "what was typed stays")
            #expect(try await manager.post(orgPath + "/locations", [("name", "Berlin"), ("country", "de")]).status == .seeOther)
            let withPlace = try await manager.get(orgPath)
            #expect(withPlace.body.contains("<td>DE</td><td>Market A</td><td>Not invited</td>"))

            let invited = try await manager.post(orgPath + "/admin", [("name", "Ana Admin"), ("email", "Ana@Cedar.example")])
            #expect(invited.status == .seeOther)
            let mail = try await Self.mailDrop(app)
            let letter = try #require(mail.first { $0.to == "ana@cedar.example" })
            let found = letter.body.range(of: #"/invitations/[A-Za-z0-9_-]{43}"#, options: .regularExpression)
            let link = try #require(found.map { String(letter.body[$0]) })
            #expect(letter.body.contains("invited you to work on Cedar Systems"))

            let ana = app.browser()
            #expect(try await ana.get(link).status == .ok)
            let joined = try await ana.post(link, [("name", "Ana Admin"), ("password", "a long enough password"),
                                                   ("password_confirmation", "a long enough password"), ("time_zone", "Europe/Berlin")])
            #expect(joined.status == .seeOther)
            let home = try await ana.get("/")
            #expect(home.body.navigation.contains("Enrollment") && home.body.navigation.contains("Users"))
            let record = try #require(try await UserRepository(db: app.db).find(email: "ana@cedar.example"))
            let berlin = try #require(record.roles.keys.first)
            #expect(record.roles == [berlin: [.accountAdmin, .incentivesAdmin]])
            let again = try await manager.post(orgPath + "/admin", [("name", "Bo"), ("email", "bo@cedar.example")])
            #expect(again.status == .unprocessableContent && again.body.contains("already has an account admin (Ana Admin)"))

            let enroll = try await manager.post(orgPath + "/enrollment", [("only", "\(berlin)")])
            #expect(enroll.status == .seeOther)
            #expect(try await manager.get(orgPath).body.contains("Invited to enroll: Berlin."))
            let enrollMail = try await Self.mailDrop(app)
            #expect(enrollMail.contains { $0.to == "ana@cedar.example" && $0.body.contains("/enrollment") })
            let enrollment = try await ana.get("/enrollment")
            #expect(enrollment.status == .ok && enrollment.body.contains("Invited") && enrollment.body.contains(#"value="accept""#))
            let program = try await app.db.read { try await $0.raw("SELECT id FROM programs").first(decodingColumn: "id", as: Int64.self) }
            let accepted = try await ana.post("/enrollment/\(try #require(program))/\(berlin)", [("action", "accept"), ("version", "1")])
            #expect(accepted.status == .seeOther)
            #expect(try await ana.get("/enrollment").body.contains("Enrolling"))
            #expect(try await manager.get(orgPath).body.contains("<td>Enrolling</td>"))
        }
    }

    @Test("the reviewer reads without forms and is refused changes; partners never open the section; foreign ids are 404")
    func access() async throws {
        try await WebHarness.with(demo: false, seeded: false) { app in
            try await Self.vendor(app)
            let manager = try await app.signedIn("pm@vendor.example")
            try await manager.get("/partners")
            let orgPath = try #require(try await manager.post("/partners/new", [("name", "Bluefin")]).location)
            let reviewer = try await app.signedIn("rv@vendor.example")
            let page = try await reviewer.get(orgPath)
            #expect(page.status == .ok && !page.body.contains("Add location") && !page.body.contains("Deactivate organization"))
            #expect(try await reviewer.post(orgPath + "/locations", [("name", "A"), ("country", "US")]).status == .forbidden)
            #expect(try await reviewer.get("/partners/new").status == .forbidden)
            #expect(try await manager.get("/partners/987654").status == .notFound)
            #expect(try await manager.get(orgPath + "/locations/987654").status == .notFound)
        }
    }

    @Test("deactivating needs a reason next to the field; the list filters active and deactivated; reactivation restores")
    func deactivation() async throws {
        try await WebHarness.with(demo: false, seeded: false) { app in
            try await Self.vendor(app)
            let manager = try await app.signedIn("pm@vendor.example")
            try await manager.get("/partners")
            let orgPath = try #require(try await manager.post("/partners/new", [("name", "Bluefin")]).location)
            #expect(try await manager.post(orgPath + "/locations", [("name", "Seattle"), ("country", "US")]).status == .seeOther)
            let noReason = try await manager.post(orgPath + "/deactivate", [("reason", "")])
            #expect(noReason.status == .unprocessableContent && noReason.body.contains(#"id="deactivate-reason-error""#))
            #expect(try await manager.post(orgPath + "/deactivate", [("reason", "Contract ended")]).status == .seeOther)
            let page = try await manager.get(orgPath)
            #expect(page.body.contains("Deactivated: Contract ended") && page.body.contains("Reactivate organization"))
            #expect(try await manager.get("/partners?show=active").body.contains("No partner organization matches."))
            #expect(try await manager.get("/partners?show=deactivated&q=blue").body.contains(">Bluefin</a>"))
            #expect(try await manager.post(orgPath + "/reactivate").status == .seeOther)
            #expect(try await manager.get(orgPath).body.contains("is active again"))
        }
    }

    @Test("hostile input: direction controls and bad codes are refused next to the field, storing nothing; markup is stored and shown escaped",
          arguments: TestDatabases.flavors)
    func hostileInput(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, demo: false, seeded: false) { app in
            try await Self.vendor(app)
            let manager = try await app.signedIn("pm@vendor.example")
            try await manager.get("/partners")
            let rlo = HostileFormsTests.rlo, script = HostileFormsTests.script, formula = HostileFormsTests.formula
            let org = try #require(try await manager.post("/partners/new", [("name", script)]).location)
            #expect(try await manager.get(org).body.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"))
            #expect(try await manager.post(org + "/locations", [("name", "Seattle"), ("country", "US")]).status == .seeOther)
            let pm = try #require(try await UserRepository(db: app.db).find(email: "pm@vendor.example"))
            let location = try #require(try await PartnerDirectory(db: app.db).list(by: pm.viewer).first?.locations.first?.id)
            let cases: [(String, String, [(String, String)])] = [
                ("new", "/partners/new", [("name", "Evil\(rlo)Corp")]),
                ("rename", org + "/edit", [("name", "\(rlo)x")]),
                ("deactivate", org + "/deactivate", [("reason", "\(rlo)why")]),
                ("location name", org + "/locations", [("name", "A\(rlo)"), ("country", "US")]),
                ("location country", org + "/locations", [("name", "A"), ("country", formula)]),
                ("location edit", org + "/locations/\(location)", [("name", "S\(rlo)"), ("country", "US")]),
                ("location deactivate", org + "/locations/\(location)/deactivate", [("reason", "\(rlo)")]),
                ("admin name", org + "/admin", [("name", "A\(rlo)"), ("email", "a@x.example")]),
                ("admin email", org + "/admin", [("name", "Ana"), ("email", formula)]),
            ]
            for (label, path, fields) in cases {
                let page = try await HostileFormsTests.refusedPage(app, manager, label, path, fields, expect: .unprocessableContent)
                #expect(page.body.contains("field-error"), "\(label): the refusal is next to its field")
            }
            try await HostileFormsTests.refused(app, "enrollment", expect: .badRequest) {
                try await manager.post(org + "/enrollment", [("location", script)]).status
            }
            try await HostileFormsTests.refused(app, "invitation of no user", expect: .notFound) {
                try await manager.post(org + "/users/\(formula)/invitation").status
            }
            // One-button changes take no text: an extra field changes nothing, and a refusal comes back as the flash.
            let before = try await HostileInputTests.snapshot(app)
            #expect(try await manager.post(org + "/reactivate", [("reason", script)]).status == .seeOther)
            #expect(try await manager.post(org + "/locations/\(location)/reactivate", [("name", rlo)]).status == .seeOther)
            #expect(try await HostileInputTests.snapshot(app) == before)
            #expect(try await manager.get(org).body.contains("The location is active already."))
        }
    }

    @Test("a location the program manager deactivates is no longer offered in Add customer, and shows as deactivated")
    func deactivatedLocationLeavesAddCustomer() async throws {
        try await WebHarness.with { app in
            let partner = try await app.signedIn("admin@bluefin.example")
            let option = #"<option value="1">Bluefin Consulting - Seattle (US)</option>"#
            #expect(try await partner.get("/claims/new?kind=partner_activities").body.contains(option))
            let manager = try await app.signedIn("manager@vendor.example")
            try await manager.get("/partners/1/locations/1")
            #expect(try await manager.post("/partners/1/locations/1/deactivate", [("reason", "Office closed")]).status == .seeOther)
            #expect(try await manager.get("/partners/1").body.contains("Deactivated: Office closed"))
            let form = try await partner.get("/claims/new?kind=partner_activities")
            #expect(form.status == .ok && !form.body.contains(option))
        }
    }
}
