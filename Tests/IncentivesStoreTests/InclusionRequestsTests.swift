import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Inclusion requests: sent by a partner's Incentives admin, answered by the program manager, on SQLite and PostgreSQL")
struct InclusionRequestsTests {
    let now = TestDatabases.now
    let links = ClaimLinks(publicURL: "https://incentives.example")
    /// Engagement 4 and London (location 2, Bluefin): the vendor takes London off the list first.
    let engagement: Int64 = 4, london: Int64 = 2

    func viewer(_ email: String, _ db: Database) async throws -> Viewer {
        let users = UserRepository(db: db)
        let id = try #require(try await users.find(email: email)).id
        return try #require(try await users.viewer(id, acceptsDemoUsers: true))
    }

    func outbox(_ db: Database) async throws -> [(to: String, subject: String, body: String)] {
        try await db.read { sql in
            try await sql.raw("SELECT to_address, subject, body FROM mail_outbox WHERE subject LIKE 'Inclusion request%' ORDER BY id").all().map {
                (try $0.decode(column: "to_address", as: String.self), try $0.decode(column: "subject", as: String.self),
                 try $0.decode(column: "body", as: String.self))
            }
        }
    }

    @Test("a request is sent once while pending; approved, the location is listed and its Incentives admins are emailed",
          arguments: TestDatabases.flavors)
    func approve(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let pm = try await viewer("manager@vendor.example", db), admin = try await viewer("admin@bluefin.example", db)
            let requests = InclusionRequests(db: db, links: links), lists = EligibilityLists(db: db)
            await #expect(throws: EligibilityRefusal.self, "London is listed") {
                try await requests.send(london, to: engagement, note: "Please", by: admin, at: now)
            }
            try await lists.remove(london, from: engagement, by: pm, at: now)
            await #expect(throws: InputRefusal.self, "a note is required") {
                try await requests.send(london, to: engagement, note: " ", by: admin, at: now)
            }
            let id = try await requests.send(london, to: engagement, note: "London runs these workshops now.", by: admin, at: now)
            await #expect(throws: EligibilityRefusal.self, "one pending per location") {
                try await requests.send(london, to: engagement, note: "Again", by: admin, at: now)
            }
            #expect(try await requests.queue(status: .pending).map(\.id) == [id])
            let later = now.addingTimeInterval(3600)
            let decided = try await requests.decide(id, .approve, by: pm, at: later)
            #expect(decided.status == .approved && decided.decidedByName == pm.name && decided.decidedAt == later)
            #expect(try await lists.list(engagement, at: later)?.entries.contains { $0.place.location.id == london } == true)
            await #expect(throws: EligibilityRefusal.self, "answered once") {
                try await requests.decide(id, .decline(reason: "No"), by: pm, at: later)
            }
            let mail = try await outbox(db)
            #expect(mail.map(\.to) == ["admin@bluefin.example"], "Incentives admins of London only (not its Incentives users)")
            #expect(mail.first?.subject.contains("approved") == true
                    && mail.first?.body.contains("https://incentives.example/engagements/4/eligibility") == true)
            #expect(try await requests.history(of: id).map(\.action) == ["requested", "approved"])
        }
    }

    @Test("declined with a reason, the partner is emailed the reason and the location stays off; another partner sees nothing",
          arguments: TestDatabases.flavors)
    func declineAndScope(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let pm = try await viewer("manager@vendor.example", db), admin = try await viewer("admin@bluefin.example", db)
            let cedar = try await viewer("admin@cedar.example", db)
            let requests = InclusionRequests(db: db, links: links)
            try await EligibilityLists(db: db).remove(london, from: engagement, by: pm, at: now)
            await #expect(throws: StoreError.self, "Cedar cannot ask for Bluefin's location") {
                try await requests.send(london, to: engagement, note: "Ours?", by: cedar, at: now)
            }
            let id = try await requests.send(london, to: engagement, note: "Please", by: admin, at: now)
            #expect(try await requests.ofEngagement(engagement, in: cedar.scope).isEmpty)
            #expect(try await requests.ofEngagement(engagement, in: admin.scope).map(\.id) == [id])
            #expect(throws: InputRefusal.self) { try InclusionDecision(decision: "decline", reason: "") }
            try await requests.decide(id, try InclusionDecision(decision: "decline", reason: "London has no certified staff yet."), by: pm, at: now)
            #expect(try await requests.request(id)?.reason == "London has no certified staff yet.")
            let standing = try await db.read { try await ProgramReads.standings(in: admin.scope, at: now, on: $0) }
            #expect(standing.first { $0.location.id == london }?.engagements[engagement] == nil)
            let mail = try await outbox(db)
            #expect(mail.count == 1 && mail[0].subject.contains("declined") && mail[0].body.contains("London has no certified staff yet."))
            // Declined, a new request may be sent.
            _ = try await requests.send(london, to: engagement, note: "Certified now.", by: admin, at: now.addingTimeInterval(60))
            #expect(try await requests.queue(status: .pending, engagementID: engagement).count == 1)
            #expect(try await requests.queue(engagementID: engagement).map(\.status) == [.pending, .declined])
        }
    }

    @Test("the queue pages by keyset in its order (pending first, oldest first), each request once", arguments: TestDatabases.flavors)
    func queuePages(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let pm = try await viewer("manager@vendor.example", db), admin = try await viewer("admin@bluefin.example", db)
            let requests = InclusionRequests(db: db, links: links), lists = EligibilityLists(db: db)
            var ids: [Int64] = []
            // Seattle stays on the list: a partner asks only on an engagement it sees.
            for (n, location) in [Int64(2), 3, 4].enumerated() {
                try await lists.remove(location, from: engagement, by: pm, at: now)
                ids.append(try await requests.send(location, to: engagement, note: "Please \(n)", by: admin, at: now.addingTimeInterval(Double(n))))
            }
            try await requests.decide(ids[0], .decline(reason: "Not yet"), by: pm, at: now)
            let all = try await requests.queue().map(\.id)
            #expect(all == [ids[1], ids[2], ids[0]])
            var paged: [Int64] = [], after: Int64?
            repeat {
                let page = try await requests.queue(after: after, limit: 2).map(\.id)
                paged += page
                after = page.count == 2 ? page.last : nil
            } while after != nil
            #expect(paged == all)
            #expect(try await requests.queue(status: .pending, after: ids[1], limit: 3).map(\.id) == [ids[2]])
        }
    }
}
