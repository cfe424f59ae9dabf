import Foundation
import IncentivesDomain
import IncentivesStore
import Testing

@Suite("Claims list parameters: one reading for the page (lenient) and the API (strict)")
struct ClaimListParametersTests {
    static let areas = [SolutionArea(id: 1, code: "infra", name: "Infrastructure"), SolutionArea(id: 2, code: "security", name: "Security")]

    static func parameters(_ pairs: [String: String]) -> ClaimListParameters { ClaimListParameters { pairs[$0] } }

    @Test("every value the list knows is read the same both ways")
    func knownValues() throws {
        let cursor = ClaimCursor(key: .text("Alder"), id: 12)
        let sent = Self.parameters(["tab": "security", "q": "  alder ", "status": "submitted", "kind": "use_or_consume", "engagement": "7",
                                    "location": "3", "due": "14", "sort": "customer", "dir": "asc", "per": "100", "after": cursor.token])
        var expected = ClaimListQuery()
        expected.tab = .area(2)
        expected.search = "  alder "
        expected.status = .submitted
        expected.kind = .useOrConsume
        expected.engagementID = 7
        expected.locationID = 3
        expected.dueWithinDays = 14
        expected.sort = .customer
        expected.descending = false
        expected.limit = 100
        expected.after = cursor
        #expect(try sent.query(areas: Self.areas, reading: .lenient) == expected)
        #expect(try sent.query(areas: Self.areas, reading: .strict) == expected)
        #expect(try Self.parameters([:]).query(areas: [], reading: .strict) == ClaimListQuery())
        #expect(try Self.parameters(["tab": "attention"]).query(areas: [], reading: .strict).tab == .attention)
    }

    @Test("the page falls back to the defaults for what it does not know, so a stale shared link still opens")
    func lenient() throws {
        let sent = Self.parameters(["tab": "retired-area", "q": "   ", "status": "lost", "kind": "other", "engagement": "x", "location": "1.5",
                                    "due": "400", "sort": "size", "dir": "sideways", "per": "7", "after": ""])
        var expected = ClaimListQuery()
        // Any dir but "asc" is newest first.
        expected.descending = true
        #expect(try sent.query(areas: Self.areas, reading: .lenient) == expected)
        let long = String(repeating: "e\u{301}", count: 150)
        let search = try Self.parameters(["q": long]).query(areas: [], reading: .lenient).search
        #expect(search?.unicodeScalars.count == 200, "200 code points, as the API's contract counts")
    }

    @Test("a page token that does not decode is refused both ways")
    func damagedCursor() {
        for reading in [ClaimListParameters.Reading.lenient, .strict] {
            #expect(throws: ClaimListParameterRefusal.damagedCursor) {
                try Self.parameters(["after": "not-a-token"]).query(areas: Self.areas, reading: reading)
            }
        }
        #expect(ClaimListParameterRefusal.damagedCursor.message == "after: this cursor is damaged; start from the first page.")
    }

    @Test("the API refuses each unknown value with what it takes, the first in the order it has always checked them",
          arguments: [
              (["status": "lost", "kind": "other"], "status: unknown claim status 'lost'."),
              (["kind": "other", "engagement": "x"], "kind: partner_activities or use_or_consume."),
              (["engagement": "x", "location": "y"], "engagement: an id, a whole number."),
              (["location": "1.5"], "location: an id, a whole number."),
              (["due": "0", "sort": "size"], "due: a number of days from 1 to 365."),
              (["sort": "size", "dir": "up"], "sort: one of updated, name, customer, engagement, location, status, due, amount."),
              (["dir": "up", "per": "7"], "dir: asc or desc."),
              (["per": "7", "q": String(repeating: "a", count: 201)], "per: one of 25, 50, 100, 200."),
              (["q": String(repeating: "a", count: 201), "after": "not-a-token"], "q: at most 200 characters (code points)."),
              (["after": "", "tab": "retired-area"], "after: this cursor is damaged; start from the first page."),
              (["tab": "retired-area"], "tab: attention, or a solution area's code."),
              (["tab": ""], "tab: attention, or a solution area's code."),
          ])
    func strict(_ sent: [String: String], _ message: String) {
        #expect(throws: ClaimListParameterRefusal.self) { try Self.parameters(sent).query(areas: Self.areas, reading: .strict) }
        do throws(ClaimListParameterRefusal) {
            _ = try Self.parameters(sent).query(areas: Self.areas, reading: .strict)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test("the areas are needed only for a tab that may name one")
    func namesArea() {
        #expect(!Self.parameters([:]).namesArea)
        #expect(!Self.parameters(["tab": "attention"]).namesArea)
        #expect(Self.parameters(["tab": "infra"]).namesArea)
    }
}
