import Foundation
import IncentivesDomain
@testable import IncentivesStore
import Testing

@Suite("Partner directory: organizations and locations from an empty database, deactivation, the first admin, enrollment invitations")
struct PartnerDirectoryTests {
    let now = TestDatabases.now

    /// A program manager, a reviewer and the program on an otherwise empty database.
    static func vendor(_ db: Database, now: Date) async throws -> (manager: Viewer, reviewer: Viewer) {
        let users = UserRepository(db: db)
        let manager = try await users.add(email: "pm@vendor.example", name: "Pat Manager", organizationID: nil, vendorRole: .programManager,
                                          passwordHash: "x", now: now)
        let reviewer = try await users.add(email: "rv@vendor.example", name: "Rae Reviewer", organizationID: nil, vendorRole: .reviewer,
                                           passwordHash: "x", now: now)
        try await db.write { sql in
            try await sql.raw("""
                INSERT INTO programs (name, manager_name, manager_email, weekend, holidays)
                VALUES ('Growth Program', 'Pat Manager', 'pm@vendor.example', '1,7', '')
                """).run()
        }
        return (try #require(try await users.viewer(manager)), try #require(try await users.viewer(reviewer)))
    }

    /// Bluefin with two locations in the US, A and B.
    static func bluefin(_ directory: PartnerDirectory, by manager: Viewer, now: Date) async throws -> (Int64, Int64, Int64) {
        let org = try await directory.addOrganization(name: "Bluefin", by: manager, now: now)
        let a = try await directory.addLocation(organization: org, name: "A", country: "US", by: manager, now: now)
        return (org, a, try await directory.addLocation(organization: org, name: "B", country: "US", by: manager, now: now))
    }

    @Test("create and edit organizations and locations; names unique case-insensitively; every change in the history",
          arguments: TestDatabases.flavors)
    func createAndEdit(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let (manager, reviewer) = try await Self.vendor(db, now: now)
            let directory = PartnerDirectory(db: db)
            #expect(try await directory.list(by: manager).isEmpty)
            let cedar = try await directory.addOrganization(name: " Cedar Systems ", by: manager, now: now)
            await #expect(throws: PartnerRefusal.self) { try await directory.addOrganization(name: "cedar SYSTEMS", by: manager, now: now) }
            await #expect(throws: PartnerRefusal.self) { try await directory.addOrganization(name: "Bluefin", by: reviewer, now: now) }
            let berlin = try await directory.addLocation(organization: cedar, name: "Berlin", country: "de", by: manager, now: now)
            let warsaw = try await directory.addLocation(organization: cedar, name: "Warsaw", country: "PL", by: manager, now: now)
            await #expect(throws: PartnerRefusal.self) {
                try await directory.addLocation(organization: cedar, name: "BERLIN", country: "DE", by: manager, now: now)
            }
            await #expect(throws: PartnerRefusal.self) {
                try await directory.addLocation(organization: cedar, name: "Paris", country: "XX", by: manager, now: now)
            }
            await #expect(throws: StoreError.notFound("No such partner organization.")) {
                try await directory.addLocation(organization: 999, name: "Paris", country: "FR", by: manager, now: now)
            }
            try await directory.renameOrganization(cedar, to: "Cedar Systems GmbH", by: manager, now: now)
            try await directory.editLocation(warsaw, name: "Warszawa", country: "BR", by: manager, now: now)
            try await directory.editLocation(berlin, name: "Berlin", country: "DE", by: manager, now: now)

            let file = try #require(try await directory.organization(cedar, by: reviewer))
            #expect(file.summary.name == "Cedar Systems GmbH" && file.program?.name == "Growth Program")
            #expect(file.summary.locations.map(\.name) == ["Berlin", "Warszawa"])
            #expect(file.summary.locations.map(\.market) == [.a, .c])
            #expect(file.history.map(\.action) == ["created", "created", "created", "renamed", "edited"])
            #expect(file.history.last?.detail == "Name: Warsaw → Warszawa; Country: PL → BR (Market C)")
            #expect(file.history.allSatisfy { $0.actorName == "Pat Manager" })
            #expect(try await directory.list(search: "gmbh", by: reviewer).map(\.id) == [cedar])
            #expect(try await directory.list(search: "nothing", by: reviewer).isEmpty)
            // Partners read nothing here.
            let partner = Viewer(userID: 99, email: "p@x.example", name: "P",
                                 membership: .partner(organizationID: cedar, roles: [berlin: [.accountAdmin]]))
            #expect(try await directory.organization(cedar, by: partner) == nil)
            await #expect(throws: StoreError.self) { try await directory.list(by: partner) }
        }
    }

    @Test("deactivating an organization deactivates its locations; reactivating brings back those that went with it",
          arguments: TestDatabases.flavors)
    func deactivation(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let (manager, _) = try await Self.vendor(db, now: now)
            let directory = PartnerDirectory(db: db)
            let (org, a, b) = try await Self.bluefin(directory, by: manager, now: now)
            try await directory.deactivateLocation(b, reason: "Closed", by: manager, now: now)
            await #expect(throws: PartnerRefusal.self) { try await directory.deactivateLocation(b, reason: "Again", by: manager, now: now) }
            await #expect(throws: PartnerRefusal.self) { try await directory.deactivateOrganization(org, reason: " ", by: manager, now: now) }
            let later = now.addingTimeInterval(3600)
            try await directory.deactivateOrganization(org, reason: "Contract ended", by: manager, now: later)
            var file = try #require(try await directory.organization(org, by: manager))
            #expect(file.summary.deactivation?.reason == "Contract ended")
            #expect(file.summary.locations.map { $0.deactivation?.reason } == ["Contract ended", "Closed"])
            await #expect(throws: PartnerRefusal.self) { try await directory.reactivateLocation(a, by: manager, now: later) }
            #expect(try await directory.list(filter: .deactivated, by: manager).map(\.id) == [org])
            #expect(try await directory.list(filter: .active, by: manager).isEmpty)
            try await directory.reactivateOrganization(org, by: manager, now: later)
            file = try #require(try await directory.organization(org, by: manager))
            #expect(file.summary.deactivation == nil && file.summary.locations.map { $0.deactivation == nil } == [true, false])
            try await directory.reactivateLocation(b, by: manager, now: later)
            let actions = try await ProgramChanges.about(.location, b, on: db).map(\.action)
            #expect(actions == ["created", "deactivated", "reactivated"])
        }
    }

    @Test("the first admin is invited with roles on every active location and an email; refused once one accepted or for a taken email",
          arguments: TestDatabases.flavors)
    func firstAdmin(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let (manager, _) = try await Self.vendor(db, now: now)
            let directory = PartnerDirectory(db: db)
            let users = UserRepository(db: db)
            let org = try await directory.addOrganization(name: "Bluefin", by: manager, now: now)
            await #expect(throws: PartnerRefusal.self, "no location yet") {
                try await directory.inviteFirstAdmin(organization: org, email: "ana@bluefin.example", name: "Ana", by: manager, now: now)
            }
            let a = try await directory.addLocation(organization: org, name: "A", country: "US", by: manager, now: now)
            let b = try await directory.addLocation(organization: org, name: "B", country: "CA", by: manager, now: now)
            await #expect(throws: StoreError.invalid(field: "email", "A user with the email pm@vendor.example already exists.")) {
                try await directory.inviteFirstAdmin(organization: org, email: "PM@vendor.example", name: "Ana", by: manager, now: now)
            }
            let secret = try await directory.inviteFirstAdmin(organization: org, email: " Ana@Bluefin.example", name: "Ana Admin",
                                                              by: manager, now: now) { secret, invitee in
                MailMessage.invitation(to: invitee.email, name: invitee.name, organization: invitee.organization, inviter: manager.name,
                                       link: "https://x/invitations/\(secret)", expires: "soon")
            }
            let ana = try #require(try await users.find(email: "ana@bluefin.example"))
            #expect(ana.roles == [a: [.accountAdmin, .incentivesAdmin], b: [.accountAdmin, .incentivesAdmin]] && !ana.hasPassword)
            let mail = try await Outbox(db: db).take(now: now.addingTimeInterval(1))
            #expect(mail.map(\.message.to) == ["ana@bluefin.example"] && mail.first?.message.body.contains(secret) == true)
            // Re-sent by the program manager through the users' flow; then accepted, after which no first admin is invited.
            let again = try await users.reinvite(userID: ana.id, by: manager, now: now)
            #expect(try await users.invitation(secret: secret, now: now) == nil)
            _ = try await users.accept(secret: again, name: "Ana Admin", passwordHash: "h", now: now)
            await #expect(throws: PartnerRefusal("The organization already has an account admin (Ana Admin); they invite their colleagues.")) {
                try await directory.inviteFirstAdmin(organization: org, email: "bo@bluefin.example", name: "Bo", by: manager, now: now)
            }
            #expect(try await users.find(email: "bo@bluefin.example") == nil)
            #expect(try await ProgramChanges.about(.organization, org, on: db).map(\.action) == ["created", "admin_invited"])
        }
    }

    @Test("enrollment invitations: each location on its own, invited with an email to its Incentives admins, or refused with why",
          arguments: TestDatabases.flavors)
    func enrollmentInvitations(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let (manager, _) = try await Self.vendor(db, now: now)
            let directory = PartnerDirectory(db: db)
            let (org, a, b) = try await Self.bluefin(directory, by: manager, now: now)
            _ = try await directory.inviteFirstAdmin(organization: org, email: "ana@bluefin.example", name: "Ana", by: manager, now: now)
            let c = try await directory.addLocation(organization: org, name: "C", country: "US", by: manager, now: now)
            try await directory.deactivateLocation(b, reason: "Closed", by: manager, now: now)
            let mail: @Sendable (EnrollmentInvitee) -> MailMessage = {
                MailMessage.enrollmentInvitation(to: $0.email, name: $0.name, organization: $0.organization, location: $0.location,
                                                 program: $0.program, link: "https://x/enrollment")
            }
            let outcomes = try await directory.inviteToEnroll(organization: org, locations: [c, b, a], by: manager, now: now, mail: mail)
            #expect(outcomes.map(\.locationID) == [a, b, c])
            #expect(outcomes.map(\.invitation) == [.invite, nil, nil])
            #expect(outcomes[1].refusal == "It is deactivated." && outcomes[2].refusal?.hasPrefix("Nobody holds Incentives admin") == true)
            let again = try await directory.inviteToEnroll(organization: org, locations: [a], by: manager, now: now, mail: mail)
            #expect(again.map(\.invitation) == [.remind])
            let file = try #require(try await directory.organization(org, by: manager))
            let programID = try #require(file.program?.id)
            #expect(file.summary.locations.map { $0.enrollments[programID] } == [.invited, nil, nil])
            let sent = try await Outbox(db: db).take(now: now.addingTimeInterval(1), limit: 10).map(\.message)
            let invitedA = sent.filter { $0.subject == "A is invited to enroll in Growth Program" }
            #expect(invitedA.map(\.to) == ["ana@bluefin.example", "ana@bluefin.example"])
            // A location of another organization is not found, and nothing is invited.
            let other = try await directory.addOrganization(name: "Other", by: manager, now: now)
            await #expect(throws: StoreError.self) {
                try await directory.inviteToEnroll(organization: other, locations: [a], by: manager, now: now, mail: mail)
            }
            #expect(try await ProgramChanges.about(.enrollment, a, on: db).map(\.action) == ["invited", "reminded"])
        }
    }

    @Test("a deactivated location takes no new claims and is marked in the standings; its claims stay",
          arguments: TestDatabases.flavors)
    func deactivatedLocationTakesNoClaims(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let intake = ClaimIntake(db: db)
            let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
            let open = try await ClaimIntakeTests().openEngagement(intake)
            let (location, engagement) = try #require(open)
            let manager = try #require(try await UserRepository(db: db).find(email: "manager@vendor.example")).viewer
            let claimsBefore = try await db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM claims WHERE location_id = \(bind: location)").first(decodingColumn: "n", as: Int.self)
            }
            try await PartnerDirectory(db: db).deactivateLocation(location, reason: "Office closed", by: manager, now: now)
            let request = IntakeRequest(kind: .partnerActivities, name: "After closing", organizationID: 1, locationID: location,
                                        customer: .named(name: "Late Co", domain: "late.example", tenantID: nil, subscriptionID: nil),
                                        engagementID: engagement, contacts: [Contact(name: "Lu", title: "CIO", email: "lu@late.example")],
                                        mismatchReason: "")
            await #expect(throws: PartnerRefusal("This location is deactivated; it takes no new claims.")) {
                try await intake.create(request, by: Actor(role: .incentivesAdmin, userID: nil, name: "Admin"), in: bluefin, at: now)
            }
            let standing = try await ProgramReads(db: db).locations(in: bluefin, at: now).first { $0.location.id == location }
            #expect(standing?.deactivated == true)
            let claimsAfter = try await db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM claims WHERE location_id = \(bind: location)").first(decodingColumn: "n", as: Int.self)
            }
            #expect(claimsAfter == claimsBefore && (claimsBefore ?? 0) > 0, "its claims stay")
        }
    }
}
