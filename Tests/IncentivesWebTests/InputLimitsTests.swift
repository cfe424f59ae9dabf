import Foundation
import HTTPTypes
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import NIOCore
import SQLKit
import Testing

/// The contract's limits on every write (issue 15): contacts and field lengths refused before anything is written,
/// JSON bodies capped apart from uploads, and multipart uploads read with a byte cap, a part cap and the form token first.
@Suite("Input limits: contract limits on writes, body sizes, multipart uploads")
struct InputLimitsTests {
    static func count(_ app: WebHarness, _ table: String) async throws -> Int {
        try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()!.decode(column: "n", as: Int.self) }
    }

    /// The rows every claim write touches, to show a refusal stored nothing.
    static func rows(_ app: WebHarness) async throws -> [Int] {
        var counts: [Int] = []
        for table in ["claims", "customers", "claim_contacts", "claim_history", "claim_comments", "claim_proof"] {
            counts.append(try await count(app, table))
        }
        return counts
    }

    /// A `POST /claims` body adding a new customer at the demo draft claim's location and engagement.
    static func newClaim(_ app: WebHarness, name: String = "Limits workshop", contacts: [[String: String]]) async throws -> String {
        let template = try await ClaimPageTests.draftClaim(app)
        let model = try #require(try await ClaimRepository(db: app.db).find(template, in: .system))
        let body: [String: Any] = [
            "kind": "partner_activities", "name": name, "location_id": model.locationID, "engagement_id": model.engagementID,
            "customer": ["name": "Northwind Limits", "domain": "northwind-limits.example"], "contacts": contacts,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    static func contact(_ i: Int, title: String = "CIO") -> [String: String] {
        ["name": "Person \(i)", "title": title, "email": "p\(i)@northwind-limits.example"]
    }

    static func detail(_ response: TestResponse) -> String {
        ((try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any])?["detail"] as? String ?? ""
    }

    /// A Seattle partner-activities claim with consent received: its partner may upload a findings document.
    static func consentedClaim(_ app: WebHarness) async throws -> Int64 {
        try await app.db.read { sql in
            try await sql.raw("SELECT id FROM claims WHERE location_id = 1 AND status = 'consent_received' AND kind = 'partner_activities' ORDER BY id")
                .first()!.decode(column: "id", as: Int64.self)
        }
    }

    @Test("POST /claims: a fourth contact, a title or name over 200 characters, are 400s that store nothing", arguments: TestDatabases.flavors)
    func claimLimits(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let token = try await app.token("admin@bluefin.example")
            let before = try await Self.rows(app)

            let four = try await app.api("/api/v1/claims", method: .post, token: token,
                                         json: try await Self.newClaim(app, contacts: (1...4).map { Self.contact($0) }))
            #expect(four.status == .badRequest)
            #expect(Self.detail(four).contains("at most 3 contacts"), "\(Self.detail(four))")
            let title = try await app.api("/api/v1/claims", method: .post, token: token,
                                          json: try await Self.newClaim(app, contacts: [Self.contact(1, title: String(repeating: "t", count: 201))]))
            #expect(title.status == .badRequest)
            #expect(Self.detail(title).contains("200"), "\(Self.detail(title))")
            let name = try await app.api("/api/v1/claims", method: .post, token: token,
                                         json: try await Self.newClaim(app, name: String(repeating: "n", count: 201), contacts: [Self.contact(1)]))
            #expect(name.status == .badRequest)
            // The probe of issue 15: thousands of contacts never reach the store (the body alone is over the JSON limit).
            let many = try await app.api("/api/v1/claims", method: .post, token: token,
                                         json: try await Self.newClaim(app, contacts: (1...3_000).map { Self.contact($0) }))
            #expect(many.status == .contentTooLarge)
            #expect(try await Self.rows(app) == before)

            // At the limits exactly (code points, as the contract counts): accepted.
            let full = try await app.api("/api/v1/claims", method: .post, token: token, json: try await Self.newClaim(
                app, name: String(repeating: "é", count: 200), contacts: (1...3).map { Self.contact($0, title: String(repeating: "é", count: 200)) }))
            #expect(full.status == .created, "\(String(buffer: full.body))")
        }
    }

    @Test("a JSON body over 64 KB is a 413 however large uploads may be; NUL is found in the bytes, escaped or not")
    func jsonBodies() async throws {
        try await WebHarness.with { app in
            let token = try await app.token("admin@bluefin.example")
            let draft = try await ClaimPageTests.draftClaim(app)
            let comments = try await Self.count(app, "claim_comments")
            let big = try await app.api("/api/v1/claims/\(draft)/comments", method: .post, token: token,
                                        json: #"{"body":""# + String(repeating: "a", count: 65 * 1024) + #""}"#)
            #expect(big.status == .contentTooLarge)
            #expect(Self.detail(big).contains("64 KB"), "\(Self.detail(big))")
            let escaped = try await app.api("/api/v1/claims/\(draft)/comments", method: .post, token: token, json: #"{"body":"a\u0000b"}"#)
            #expect(escaped.status == .badRequest)
            let raw = try await app.api("/api/v1/claims/\(draft)/comments", method: .post, token: token, json: "{\"body\":\"a\u{0}b\"}")
            #expect(raw.status == .badRequest)
            #expect(try await Self.count(app, "claim_comments") == comments)
            // A backslash written out before "u0000" is text, not a NUL.
            let text = try await app.api("/api/v1/claims/\(draft)/comments", method: .post, token: token, json: #"{"body":"C:\\u0000 is a path"}"#)
            #expect(text.status == .created, "\(String(buffer: text.body))")
        }
    }

    @Test("an If-Match past the contract's 100 characters is a 400 that changes nothing, whatever it holds (schemathesis found one accepted)")
    func longIfMatch() async throws {
        try await WebHarness.with { app in
            let token = try await app.token("admin@bluefin.example")
            let draft = try await ClaimPageTests.draftClaim(app)
            let before = try await Self.rows(app)
            let long = #"mk?RKng=l9,CA}zM#OaQY/TXDlOy!~wTuTe`x6K79^Lr^JB](FcCX?0gEQdL;[!+}ed(`}Kkl7K{g3}E)F"%jG=f(-wqpGVl1D:fcGc*nD]#O"2hw`{QzCxnhD"#
            #expect(long.count > 100)
            let answer = try await app.api("/api/v1/claims/\(draft)/send-consent", method: .post, token: token, headers: [.ifMatch: long])
            #expect(answer.status == .badRequest, "\(String(buffer: answer.body))")
            #expect(Self.detail(answer).contains("If-Match"))
            #expect(try await Self.rows(app) == before)
        }
    }

    @Test("a search is 200 code points as the contract counts them: one letter carrying a thousand combining marks is not one character")
    func searchCountsCodePoints() async throws {
        try await WebHarness.with { app in
            let token = try await app.token("admin@bluefin.example")
            let heavy = "a" + String(repeating: "\u{0301}", count: 1_000)
            #expect(heavy.count == 1 && heavy.unicodeScalars.count == 1_001)
            let query = heavy.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let api = try await app.api("/api/v1/claims?q=\(query)", method: .get, token: token)
            #expect(api.status == .badRequest, "\(String(buffer: api.body))")
            #expect(Self.detail(api).contains("200"))
            // The page keeps the first 200 code points of what was typed and searches for that.
            let page = try await app.signedIn("admin@bluefin.example").get("/claims?q=\(query)")
            #expect(page.status == .ok)
            // Compared as bytes: String's own `contains` compares whole characters, and all of this is one.
            let shown = Array(page.body.utf8)
            #expect(shown.firstRange(of: Array(("a" + String(repeating: "\u{0301}", count: 199)).utf8)) != nil)
            #expect(shown.firstRange(of: Array(("a" + String(repeating: "\u{0301}", count: 200)).utf8)) == nil)
        }
    }

    @Test("multipart uploads: the form token must come first, hundreds of parts or a body past the limit stop early, unknown fields are ignored",
          arguments: TestDatabases.flavors)
    func multipart(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let id = try await Self.consentedClaim(app)
            let user = try await app.signedIn("user@bluefin.example")
            try await user.get("/claims/\(id)")
            let token = try #require(await user.csrfToken)
            typealias Part = Browser.MultipartPart
            func form() async throws -> [Part] {
                [Part(name: "version", text: try await ClaimPageTests.version(app, id)), Part(name: "kind", text: "findings_document")]
            }
            let file = Part(name: "file", fileName: "findings.pdf", bytes: ClaimPageTests.pdf)
            let proof = try await Self.count(app, "claim_proof")

            let late = try await user.multipart("/claims/\(id)/documents", try await form() + [Part(name: "csrf_token", text: token), file])
            #expect(late.status == .forbidden, "the token after other fields")
            let many = try await user.multipart("/claims/\(id)/documents", [Part(name: "csrf_token", text: token)]
                + (1...300).map { Part(name: "field\($0)", text: "x") } + (try await form()) + [file])
            #expect(many.status == .badRequest)
            #expect(many.body.contains("parts"))
            let padded = try await user.multipart("/claims/\(id)/documents", [Part(name: "csrf_token", text: token),
                Part(name: "padding", text: String(repeating: "p", count: 200 * 1024))] + (try await form()) + [file])
            #expect(padded.status == .contentTooLarge)
            #expect(try await Self.count(app, "claim_proof") == proof)

            // A few unknown fields are simply not read.
            let fine = try await user.multipart("/claims/\(id)/documents", [Part(name: "csrf_token", text: token), Part(name: "color", text: "blue")]
                + (try await form()) + [file])
            #expect(fine.status == .seeOther)
            #expect(try await Self.count(app, "claim_proof") == proof + 1)
        }
    }
}
