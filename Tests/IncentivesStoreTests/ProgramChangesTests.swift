import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import Testing

@Suite("The program's history: appended with the change, read per record, per organization and per engagement")
struct ProgramChangesTests {
    let now = TestDatabases.now

    @Test("entries are kept in order with who, when and where; an organization reads only its own; a failed change leaves none",
          arguments: TestDatabases.flavors)
    func recordAndRead(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let manager = try #require(try await UserRepository(db: db).find(email: "manager@vendor.example"))
            let viewer = Viewer(userID: manager.id, email: manager.email, name: manager.name, membership: .vendor(.programManager))
            try await db.write { sql in
                try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .location, subjectID: 2, action: "renamed",
                                                              organizationID: 1, locationID: 2, detail: "Name: London → London City"), on: sql)
                try await ProgramChanges.record(ProgramChange(by: viewer, at: now.addingTimeInterval(60), subject: .eligibility, subjectID: 2,
                                                              action: "listed", organizationID: 1, locationID: 2, engagementID: 3), on: sql)
                try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .location, subjectID: 5, action: "deactivated",
                                                              organizationID: 2, locationID: 5), on: sql)
            }
            // A change that fails takes its entry with it.
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await db.write { sql in
                    try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .location, subjectID: 2, action: "deactivated",
                                                                  organizationID: 1, locationID: 2), on: sql)
                    throw Refused()
                }
            }
            // The demo's program came in through the catalogue import: its records are in the history as imported.
            let all = try await ProgramChanges.ofOrganization(1, on: db)
            #expect(all.prefix(5).allSatisfy { $0.action == "imported" && $0.actorName == "Demo data" }, "the organization and its 4 locations")
            let bluefin = all.filter { $0.action != "imported" }
            #expect(bluefin.map(\.action) == ["renamed", "listed"])
            #expect(bluefin.first?.actorName == manager.name && bluefin.first?.actorUserID == manager.id)
            #expect(bluefin.first?.detail == "Name: London → London City" && bluefin.first?.at == now)
            let own = { (entries: [ProgramChange]) in entries.filter { $0.action != "imported" } }
            #expect(own(try await ProgramChanges.ofOrganization(2, on: db)).map(\.subjectID) == [5])
            #expect(own(try await ProgramChanges.about(.location, 2, on: db)).map(\.action) == ["renamed"])
            #expect(own(try await ProgramChanges.ofEngagement(3, on: db)).map(\.subject) == [.eligibility])
        }
    }
}
