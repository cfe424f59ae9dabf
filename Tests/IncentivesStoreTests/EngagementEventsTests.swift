import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

@Suite("engagement.published and the program's details, on SQLite and PostgreSQL")
struct EngagementEventsTests {
    let now = TestDatabases.now

    func published(_ db: Database) async throws -> [(endpoint: Int64, json: [String: Any])] {
        let rows = try await db.read { sql in
            try await sql.raw("""
                SELECT d.endpoint_id, ev.payload, ev.location_id FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
                WHERE ev.type = 'engagement.published' ORDER BY d.id
                """).all()
        }
        return try rows.map { row in
            #expect(try row.decode(column: "location_id", as: Int64?.self) == nil, "the event names no location")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(try row.decode(column: "payload", as: String.self).utf8))
                as? [String: Any])
            return (try row.decode(column: "endpoint_id", as: Int64.self), json)
        }
    }

    @Test("publishing writes one event per vendor endpoint that chose it, in its transaction; a refused publication writes none",
          arguments: TestDatabases.flavors)
    func publication(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let chose = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://erp.vendor.example/hooks",
                                                         events: [.engagementPublished], now: now)
            _ = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://crm.vendor.example/hooks",
                                                 events: [.eligibilityChanged], now: now)
            _ = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://crm.bluefin.example/hooks",
                                                 events: Set(WebhookEventType.subscribable(vendor: false)), now: now)
            let console = CatalogueConsole(db: db)
            let pm = try await CatalogueConsoleTests.manager(db, now: now)
            let id = try #require(try await db.read { sql in
                try await sql.raw("SELECT MIN(id) AS id FROM engagements WHERE lifecycle = 'published'").first(decodingColumn: "id", as: Int64?.self)
            } ?? nil)
            await #expect(throws: CatalogueError.self) { try await console.publish(id, effectiveFrom: nil, by: pm, at: now) }
            #expect(try await published(db).isEmpty, "a refused publication tells no one")
            let before = try #require(try await console.file(id)).published.last?.number
            let number = try await console.startVersion(id, by: pm, at: now)
            try await console.publish(id, effectiveFrom: nil, by: pm, at: now)
            let events = try await published(db)
            #expect(events.map(\.endpoint) == [chose.id])
            let data = try #require(events.first?.json["data"] as? [String: Any])
            let version = try #require(data["version"] as? [String: Any]), engagement = try #require(data["engagement"] as? [String: Any])
            #expect(version["number"] as? Int == number && version["previous_number"] as? Int == before)
            #expect(engagement["id"] as? Int == Int(id) && engagement["lifecycle"] as? String == "published" && data["actor"] as? String == "Robin Park")
        }
    }

    @Test("the program's name and contact change by the rules that created it, with its history; before it exists, not found",
          arguments: TestDatabases.flavors)
    func programDetails(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: false) { db in
            let console = CatalogueConsole(db: db)
            let pm = try await CatalogueConsoleTests.manager(db, now: now)
            await #expect(throws: StoreError.self) {
                try await console.editProgram(name: "P", managerName: "M", managerEmail: "m@vendor.example", by: pm, at: now)
            }
            let id = try await console.createProgram(name: "Partner Rewards", managerName: "Robin Park", managerEmail: "pm@vendor.example", by: pm, at: now)
            await #expect(throws: CatalogueError.invalid(field: "manager_email", "nobody is not an email address.")) {
                try await console.editProgram(name: "Partner Rewards", managerName: "Robin Park", managerEmail: "nobody", by: pm, at: now)
            }
            try await console.editProgram(name: "Partner Rewards 2027", managerName: "Sam Lee", managerEmail: "sam@vendor.example", by: pm, at: now)
            let program = try #require(try await CatalogueRepository(db: db).program(id))
            #expect(program.name == "Partner Rewards 2027" && program.managerName == "Sam Lee" && program.managerEmail == "sam@vendor.example")
            let history = try await ProgramChanges.about(.program, id, on: db)
            #expect(history.map(\.action) == ["created", "changed"])
            #expect(history.last?.detail?.contains("Robin Park <pm@vendor.example> → Sam Lee <sam@vendor.example>") == true)
        }
    }
}
