import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
import NIOCore
@testable import IncentivesWeb
import Testing

/// A quote followed by a combining mark (U+0301) or an emoji modifier (U+1F3FB) is one Swift `Character` that is not a
/// quote; the schemathesis run of 5fe52ad found a search of 0, a quote and U+1F3FB breaking the claims export's stream. These check every surface
/// that writes a typed text into another language: the search (FTS5, LIKE), the exports and the page's HTML.
@Suite("Quotes and marks: the search, the exports and the pages")
struct CodePointEscapingPageTests {
    static let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])

    /// Whether `text` holds `part` byte for byte (String's own `contains` compares grapheme clusters, and a mark
    /// after the part's last code point would hide it).
    static func holds(_ text: String, _ part: String) -> Bool {
        Array(text.utf8).firstRange(of: Array(part.utf8)) != nil
    }

    @Test("a search of a quote and an emoji modifier answers the list, both exports and the API's list and exports, each whole",
          arguments: TestDatabases.flavors)
    func search(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let token = try await app.token("admin@bluefin.example")
            let header = "claim_id,claim_name,status"
            for term in ["0%22%F0%9F%8F%BB", "%22%F0%9F%8F%BB", "0%22%CC%81x", "%25%CC%81%22%F0%9F%8F%BB%22"] {
                let list = try await app.api("/api/v1/claims?q=\(term)", token: token)
                #expect(list.status == .ok, "the API's list, q=\(term)")
                let answer = try JSONSerialization.jsonObject(with: Data(buffer: list.body)) as? [String: Any]
                #expect((answer?["claims"] as? [Any])?.isEmpty == true, "nothing matches q=\(term)")
                let csv = try await app.api("/api/v1/exports/claims.csv?q=\(term)", token: token)
                #expect(csv.status == .ok && String(buffer: csv.body).hasPrefix(header), "the API's CSV, q=\(term)")
                #expect(String(buffer: csv.body).components(separatedBy: "\r\n") == [Self.csvHeader, ""], "a header and no claim, q=\(term)")
                let xlsx = try await app.api("/api/v1/exports/claims.xlsx?q=\(term)", token: token)
                // A whole ZIP ends with its end-of-central-directory record (22 bytes, no comment).
                let bytes = Array(xlsx.body.readableBytesView)
                #expect(xlsx.status == .ok && bytes.starts(with: [0x50, 0x4B]) && bytes.suffix(22).starts(with: [0x50, 0x4B, 0x05, 0x06]),
                        "the API's XLSX, q=\(term)")
                let user = try await app.signedIn("admin@bluefin.example")
                #expect(try await user.get("/claims?q=\(term)").status == .ok, "the page, q=\(term)")
                let pageCSV = try await user.get("/claims.csv?q=\(term)")
                #expect(pageCSV.status == .ok && pageCSV.body.components(separatedBy: "\r\n") == [Self.csvHeader, ""], "the page's CSV, q=\(term)")
                #expect(try await user.get("/claims.xlsx?q=\(term)").status == .ok, "the page's XLSX, q=\(term)")
            }
        }
    }

    static let csvHeader = ClaimListing.exportColumns.map(\.name).joined(separator: ",")

    @Test("a quote followed by a mark stays inside its attribute and its text: the search box, a claim's name, its export line",
          arguments: TestDatabases.flavors)
    func html(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let user = try await app.signedIn("admin@bluefin.example")
            // Reflected: the search box echoes the search in its value="...".
            let search = try await user.get("/claims?q=%22%CC%81%20autofocus%20data-x%3D%22%F0%9F%8F%BB%27%CC%81%3C%CC%B8")
            #expect(search.status == .ok)
            // (Texts with marks are kept out of #expect: the macro copies literals into its expansion with an escape of
            // Swift characters, which has this very flaw.)
            let escapedBox = "value=\"&quot;\u{301} autofocus data-x=&quot;\u{1F3FB}&#39;\u{301}&lt;\u{338}\"", leftBox = "\"\u{301} autofocus"
            #expect(Self.holds(search.body, escapedBox))
            #expect(!Self.holds(search.body, leftBox), "the quote left the attribute")
            // Stored: a claim's name, on its page, in the list and in the CSV.
            let claim = try #require(try await ClaimListing(db: app.db).recent(in: Self.bluefin, limit: 1).first)
            let name = "=\u{301}HYPERLINK(\"\u{1F3FB}x\"),\u{301} \"\u{301} title=\"\u{301}y"
            try await app.db.write { sql in try await sql.raw("UPDATE claims SET name = \(bind: name) WHERE id = \(bind: claim.id)").run() }
            let page = try await user.get("/claims/\(claim.id)")
            let escapedName = "=\u{301}HYPERLINK(&quot;\u{1F3FB}x&quot;),\u{301} &quot;\u{301} title=&quot;\u{301}y", leftName = "\"\u{301} title="
            #expect(page.status == .ok && Self.holds(page.body, escapedName))
            #expect(!Self.holds(page.body, leftName))
            let list = try await user.get("/claims?sort=updated")
            #expect(list.status == .ok && !Self.holds(list.body, leftName))
            let csv = try await user.get("/claims.csv")
            let line = try #require(csv.body.components(separatedBy: "\r\n").first { $0.hasPrefix("\(claim.id),") })
            // Quoted (it holds a comma and quotes), every quote doubled, and kept from being read as a formula.
            let field = "\"'=\u{301}HYPERLINK(\"\"\u{1F3FB}x\"\"),\u{301} \"\"\u{301} title=\"\"\u{301}y\""
            #expect(Self.holds(line, "\(claim.id),\(field),"), "the name's CSV field: \(line)")
        }
    }
}
