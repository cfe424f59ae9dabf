import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
import NIOCore
@testable import IncentivesWeb
import Testing

@Suite("The claims list page")
struct ClaimListPageTests {
    @Test("a search typed with spaces (sent as +) finds the customer; a literal + stays a plus")
    func plusIsSpace() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            let customer = try #require(try await ClaimListing(db: app.db).recent(in: .partner(organizationID: 1, locationIDs: [1, 2, 3, 4]), limit: 1).first)
                .customerName
            #expect(customer.contains(" "))
            let page = try await admin.get("/claims?q=" + customer.replacingOccurrences(of: " ", with: "+"))
            #expect(page.status == .ok && page.body.contains("data-claim="))
            #expect(page.body.contains(#"value="\#(customer)""#), "the box shows the search as typed")
            let plus = try await admin.get("/claims?q=a%2Bb")
            #expect(plus.body.contains(#"value="a+b""#) && !plus.body.contains("data-claim="))
        }
    }

    @Test("a damaged page link is a 400 saying what to do; the CSV is an attachment of the view")
    func damagedAndCSV() async throws {
        try await WebHarness.with { app in
            let user = try await app.signedIn("user@bluefin.example")
            let damaged = try await user.get("/claims?after=not-a-token")
            #expect(damaged.status == .badRequest && damaged.body.contains("Start again from the first page."))
            let csv = try await user.get("/claims.csv?status=approved")
            #expect(csv.status == .ok)
            let lines = csv.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first?.hasPrefix("claim_id,claim_name,status") == true)
            // Seattle's two approved (use-or-consume) claims in the demo.
            #expect(lines.count == 3 && lines.dropFirst().allSatisfy { $0.contains(",approved,Approved,") })
            // Seattle only: the user's one location.
            #expect(lines.dropFirst().allSatisfy { $0.contains("Bluefin Consulting - Seattle") })
        }
    }

    @Test("a page link naming another organization's claim is refused like a damaged one, on the page and in the API")
    func foreignCursor() async throws {
        try await WebHarness.with { app in
            let cedar = try await app.db.read {
                try await $0.raw("SELECT id FROM claims WHERE organization_id = 2 ORDER BY id").first()!.decode(column: "id", as: Int64.self)
            }
            let token = ClaimCursor(key: .date(app.clock.now), id: cedar).token
            let admin = try await app.signedIn("admin@bluefin.example")
            let page = try await admin.get("/claims?sort=updated&after=\(token)")
            #expect(page.status == .badRequest && page.body.contains("Start again from the first page."))
            let api = try await app.api("/api/v1/claims?sort=due&dir=asc&after=\(token)", token: try await app.token("admin@bluefin.example"))
            #expect(api.status == .badRequest && String(buffer: api.body).contains("after: this cursor"))
        }
    }

    @Test("the XLSX is an attachment of the current view: same filters, same scope, the page links to it")
    func xlsx() async throws {
        try await WebHarness.with { app in
            let user = try await app.signedIn("user@bluefin.example")
            let page = try await user.get("/claims?status=approved&sort=due&dir=asc")
            #expect(page.body.contains(#"href="/claims.xlsx?status=approved&amp;sort=due&amp;dir=asc" download>Export XLSX</a>"#))
            let cookies = await user.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let response = try await app.client.executeRequest(uri: "/claims.xlsx?status=approved&sort=due&dir=asc", method: .get,
                                                               headers: [.cookie: cookies], body: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(response.headers[.contentDisposition] == #"attachment; filename="claims-2026-11-25.xlsx""#)
            let book = try SpreadsheetReader.read(Array(buffer: response.body))
            let rows = try #require(book.sheets.first?.rows).dropFirst()
            var query = ClaimListQuery()
            query.status = .approved; query.sort = .due; query.descending = false; query.limit = 500
            let expected = try await ClaimListing(db: app.db).page(query, in: .partner(organizationID: 1, locationIDs: [1]), now: app.clock.now)
            #expect(!rows.isEmpty && rows.map { Int64($0[0].value) } == expected.claims.map(\.id))
            // Seattle only: the user's one location; approved only.
            #expect(rows.allSatisfy { $0[2].value == "approved" && $0[9].value == "Bluefin Consulting - Seattle" })
            let signedOut = try await app.client.executeRequest(uri: "/claims.xlsx", method: .get, headers: [:], body: nil)
            #expect(signedOut.status == .seeOther)
        }
    }
}
