import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import SQLKit
import Testing

@Suite("Inclusion request pages: the partner asks on the engagement's Eligibility page, the vendor answers in its queue")
struct InclusionRequestPagesTests {
    /// Engagement 4; London (2) and Singapore (3) are Bluefin's, taken off its list for the test.
    static let engagement: Int64 = 4

    /// The mails written so far, delivered to a mail-drop folder, as their decoded bodies with their recipients.
    static func mailDrop(_ app: WebHarness) async throws -> [String] {
        let folder = try MailDeliveryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mail = MailDelivery(outbox: Outbox(db: app.db), transport: MailDropTransport(directory: folder),
                                from: "Incentives <no-reply@incentives.example>",
                                messageIDDomain: "incentives.example", clock: app.clock, interval: .seconds(1), logger: Logger(label: "test"))
        _ = await mail.deliverDue()
        return try MailDeliveryTests.emlFiles(folder).map { file in
            let text = try String(contentsOf: file, encoding: .utf8)
            let parts = text.components(separatedBy: "\r\n\r\n")
            let encoded = parts.dropFirst().joined().replacingOccurrences(of: "\r\n", with: "")
            let body = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) }
            return parts[0] + "\n" + (body ?? "")
        }
    }

    static func unlist(_ app: WebHarness, _ locations: [Int64]) async throws {
        let lists = app.deps.stores.eligibility
        let users = UserRepository(db: app.db)
        let user = try #require(try await users.find(email: "manager@vendor.example"))
        let pm = try #require(try await users.viewer(user.id, acceptsDemoUsers: true))
        for location in locations { try await lists.remove(location, from: engagement, by: pm, at: app.clock.now) }
    }

    @Test("a request approved and one declined: the list changes, both emails are in the mail drop, the partner reads each answer",
          arguments: TestDatabases.flavors)
    func approvedAndDeclined(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await Self.unlist(app, [2, 3])
            let partner = try await app.signedIn("admin@bluefin.example")
            let page = SitePath.engagementEligibility(.id(Self.engagement)).href()
            let asking = try await partner.get(page).body
            #expect(asking.contains("Ask to be included") && asking.contains("to include it here:"))
            let send = SitePath.engagementInclusionRequests(.id(Self.engagement)).href()
            let empty = try await partner.post(send, [("location", "2"), ("note", "")])
            #expect(empty.status == .unprocessableContent && empty.body.contains("Say why the location should be on the list."))
            #expect(try await partner.post(send, [("location", "2"), ("note", "London runs the workshops now.")]).status == .seeOther)
            #expect(try await partner.post(send, [("location", "3"), ("note", "Singapore <too>.")]).status == .seeOther)
            let again = try await partner.post(send, [("location", "2"), ("note", "Again")])
            #expect(again.status == .unprocessableContent && again.body.contains("already pending"))
            #expect(try await partner.get(page).body.contains("waiting for the program manager"))

            let requests = try await app.deps.stores.inclusionRequests.queue(status: .pending)
            let london = try #require(requests.first { $0.locationID == 2 }), singapore = try #require(requests.first { $0.locationID == 3 })
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            try await reviewer.get(SitePath.inclusionRequest(.id(london.id)).href())
            let queue = try await reviewer.get(SitePath.inclusionRequests.href([("status", "pending")]))
            #expect(queue.status == .ok && queue.body.contains("Bluefin Consulting / Bluefin Consulting - London"))
            #expect(try await reviewer.post(SitePath.inclusionRequestDecision(.id(london.id)).href(), [("decision", "approve")]).status == .forbidden)

            let manager = try await app.signedIn("manager@vendor.example")
            // The engagement's list links to its requests in the queue.
            let list = try await manager.get(SitePath.catalogueEligibility(.id(Self.engagement)).href()).body
            #expect(list.contains("href=\"/catalogue/inclusion-requests?engagement=\(Self.engagement)\""))
            let filtered = try await manager.get(SitePath.inclusionRequests.href([("engagement", "\(Self.engagement)")])).body
            #expect(filtered.contains(SitePath.inclusionRequest(.id(singapore.id)).href()))
            #expect(try await manager.get(SitePath.inclusionRequest(.id(singapore.id)).href()).body.contains("Singapore &lt;too&gt;."))
            #expect(try await manager.post(SitePath.inclusionRequestDecision(.id(london.id)).href(), [("decision", "approve")]).status == .seeOther)
            let noReason = try await manager.post(SitePath.inclusionRequestDecision(.id(singapore.id)).href(),
                                                  [("decision", "decline"), ("reason", "")])
            #expect(noReason.status == .unprocessableContent && noReason.body.contains("Say why the request is declined"))
            #expect(try await manager.post(SitePath.inclusionRequestDecision(.id(singapore.id)).href(),
                                           [("decision", "decline"), ("reason", "Singapore is not certified yet.")]).status == .seeOther)
            let twice = try await manager.post(SitePath.inclusionRequestDecision(.id(london.id)).href(), [("decision", "approve")])
            #expect(twice.status == .unprocessableContent && twice.body.contains("already approved"))

            #expect(try await EligibilityListPagesTests.listed(app, 2, on: Self.engagement))
            #expect(try await !EligibilityListPagesTests.listed(app, 3, on: Self.engagement))
            let mails = try await Self.mailDrop(app)
            #expect(mails.filter { $0.contains("To: admin@bluefin.example") }.count == 2)
            #expect(mails.contains { $0.contains("Subject: Inclusion request approved") && $0.contains("London") })
            #expect(mails.contains { $0.contains("Subject: Inclusion request declined") && $0.contains("Singapore is not certified yet.") })
            let answered = try await partner.get(page).body
            #expect(answered.contains("Approved") && answered.contains("Declined") && answered.contains("Singapore is not certified yet."))
        }
    }

    @Test("scoped: another organization's admin gets 404 asking for Bluefin's location and never sees its requests; an Incentives user 403",
          arguments: TestDatabases.flavors)
    func scoping(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await Self.unlist(app, [2])
            let send = SitePath.engagementInclusionRequests(.id(Self.engagement)).href()
            let page = SitePath.engagementEligibility(.id(Self.engagement)).href()
            let bluefin = try await app.signedIn("admin@bluefin.example")
            try await bluefin.get(page)
            #expect(try await bluefin.post(send, [("location", "2"), ("note", "Bluefin's own reason")]).status == .seeOther)
            let cedar = try await app.signedIn("admin@cedar.example")
            try await cedar.get(page)
            #expect(try await cedar.post(send, [("location", "2"), ("note", "Not ours")]).status == .notFound)
            #expect(try await cedar.post(send, [("location", "999999"), ("note", "Nobody's")]).status == .notFound)
            let cedarPage = try await cedar.get(page)
            #expect(cedarPage.status == .ok && !cedarPage.body.contains("Bluefin's own reason"))
            let id = try #require(try await app.deps.stores.inclusionRequests.queue().first?.id)
            #expect(try await cedar.get(SitePath.inclusionRequest(.id(id)).href()).status == .forbidden)
            let user = try await app.signedIn("user@bluefin.example")
            try await user.get(page)
            #expect(try await user.post(send, [("location", "2"), ("note", "x")]).status == .forbidden)
            #expect(try await app.deps.stores.inclusionRequests.queue().count == 1)
        }
    }

    @Test("inclusion request forms refuse hostile input and store nothing", arguments: TestDatabases.flavors)
    func hostileForms(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await Self.unlist(app, [2])
            let partner = try await app.signedIn("admin@bluefin.example")
            try await partner.get(SitePath.engagementEligibility(.id(Self.engagement)).href())
            let send = SitePath.engagementInclusionRequests(.id(Self.engagement)).href()
            for (label, fields) in [
                ("note with a direction override", [("location", "2"), ("note", "ok\u{202E}")]),
                ("note too long", [("location", "2"), ("note", String(repeating: "x", count: 2_001))]),
                ("listed location", [("location", "1"), ("note", "Seattle")]),
            ] {
                try await HostileFormsTests.refusedPage(app, partner, label, send, fields, expect: .unprocessableContent)
            }
            for bad in HostileFormsTests.badIDs + [HostileFormsTests.script] {
                try await HostileFormsTests.refusedPage(app, partner, "location \(bad)", send, [("location", bad), ("note", "x")], expect: .notFound)
            }
            #expect(try await partner.post(send, [("location", "2"), ("note", "London")]).status == .seeOther)
            let id = try #require(try await app.deps.stores.inclusionRequests.queue().first?.id)
            let manager = try await app.signedIn("manager@vendor.example")
            try await manager.get(SitePath.inclusionRequest(.id(id)).href())
            let decide = SitePath.inclusionRequestDecision(.id(id)).href()
            for (label, fields) in [
                ("unknown decision", [("decision", HostileFormsTests.script)]),
                ("reason with a direction override", [("decision", "decline"), ("reason", "no\u{202E}")]),
                ("reason too long", [("decision", "decline"), ("reason", String(repeating: "x", count: 2_001))]),
            ] {
                try await HostileFormsTests.refusedPage(app, manager, label, decide, fields, expect: .unprocessableContent)
            }
        }
    }

    @Test("the queue shows a page of requests and links the next one with the same filters")
    func queuePageLink() {
        let requests = (1...(InclusionQueueView.perPage + 1)).map { n in
            InclusionRequest(id: Int64(n), engagementID: 4, engagementName: "E", organizationID: 1, organizationName: "O", locationID: 2,
                             locationName: "L", note: "N", status: .pending, requestedByName: "A", requestedAt: ProgramFixture.now)
        }
        let query = InclusionQueueView.Query("pending", "4")
        let full = InclusionQueueView(requests, query: query, engagements: [(4, "E")], input: ProgramFixture.input())
        #expect(full.lines.count == InclusionQueueView.perPage)
        #expect(full.nextHref == "/catalogue/inclusion-requests?status=pending&engagement=4&after=\(InclusionQueueView.perPage)")
        let last = InclusionQueueView(Array(requests.prefix(3)), query: query, engagements: [], input: ProgramFixture.input())
        #expect(last.lines.count == 3 && last.nextHref == nil)
    }
}
