import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb
import Testing

/// The users page and one colleague's page, from plain values: an account admin of two of Bluefin's three locations
/// (the third's roles show but can't be changed), a colleague who has not accepted the invitation, one with an
/// apostrophe in the name.
@Suite("Page snapshots: users and their roles")
struct UserPagesSnapshotTests {
    static let now = ClaimFixture.at("2026-11-20T10:00:00Z")
    static let zone = TimeZone(identifier: "America/Los_Angeles")!

    static let admin = Viewer(userID: 5, email: "ana@bluefin.example", name: "Ana Almeida",
                              membership: .partner(organizationID: 2, roles: [3: [.accountAdmin, .incentivesAdmin], 4: [.accountAdmin]]),
                              organizationName: "Bluefin Consulting", timeZone: zone)

    static let locations = [
        LocationSummary(id: 3, name: "Bluefin Seattle", country: "US"),
        LocationSummary(id: 6, name: "Bluefin Portland", country: "US"),
        LocationSummary(id: 4, name: "Bluefin Vancouver", country: "CA"),
    ]

    static func member(_ id: Int64, _ name: String, _ email: String, accepted: Bool, roles: [Int64: Set<LocationRole>]) -> UserRecord {
        UserRecord(id: id, email: email, name: name, organizationID: 2, organizationName: "Bluefin Consulting", vendorRole: nil,
                   hasPassword: accepted, createdAt: ClaimFixture.at("2026-03-02T17:30:00Z"), timeZone: "America/Los_Angeles", roles: roles)
    }

    static let members = [
        member(5, "Ana Almeida", "ana@bluefin.example", accepted: true, roles: [3: [.accountAdmin, .incentivesAdmin], 4: [.accountAdmin]]),
        member(8, "Ben Okafor", "ben@bluefin.example", accepted: false, roles: [4: [.incentivesUser]]),
        member(9, "Seán O'Brien", "sean@bluefin.example", accepted: true, roles: [6: [.incentivesAdmin], 3: [.incentivesUser]]),
    ]

    static var input: PageInput {
        PageInput(viewer: admin, csrfToken: "csrf-token", flash: nil, database: "embedded SQLite", demo: false, now: now)
    }

    @Test("the users list, and the invitation form sent back with what was wrong")
    func usersList() async throws {
        let plain = UserListView(members: Self.members, locations: Self.locations, input: Self.input)
        try await PageSnapshots.pin(plain, template: "users", state: "list")
        let refused = InviteForm(FormFields(urlEncoded: "email=ben%40bluefin&name=&role=3%3Aincentives_user&role=4%3Aaccount_admin"))
        let sentBack = UserListView(members: Self.members, locations: Self.locations, form: refused, input: Self.input)
        #expect(sentBack.formError)
        try await PageSnapshots.pin(sentBack, template: "users", state: "invite-refused")
    }

    @Test("one colleague's page: roles on the locations the admin administers can be changed, the others only shown")
    func oneUser() async throws {
        let view = UserView(Self.members[2], locations: Self.locations, input: Self.input)
        try await PageSnapshots.pin(view, template: "user", state: "roles")
        let invited = UserView(Self.members[1], locations: Self.locations, input: Self.input)
        try await PageSnapshots.pin(invited, template: "user", state: "invited")
    }
}
