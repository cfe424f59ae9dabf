import Foundation
import IncentivesDomain
import IncentivesStore
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
            #expect(lines.dropFirst().allSatisfy { $0.contains(",approved,Approved,") })
            // Seattle only: the user's one location.
            #expect(lines.dropFirst().allSatisfy { $0.contains("Bluefin Consulting - Seattle") })
        }
    }
}
