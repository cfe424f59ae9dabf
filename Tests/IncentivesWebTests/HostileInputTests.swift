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

/// A hostile-input corpus sent to every claim write of the pages and the API (issue 15): over-long text, NUL,
/// bytes that are not UTF-8, direction overrides, spreadsheet formulas, HTML, huge and negative numbers and
/// impossible dates. Each is refused with a clear 4xx that stores nothing, or (text a person may legitimately
/// write, like HTML in a comment or a formula in a name) stored as written and shown escaped.
@Suite("Hostile input: every claim write refuses or stores verbatim, never half-stores")
struct HostileInputTests {
    static let rlo = "\u{202E}"
    static let formula = "=cmd|' /C calc'!A0"
    static let script = "<script>alert(1)</script>"

    /// Every table's row count, and what an update without a new row changes (versions, names, passwords, descriptions):
    /// equal before and after a refusal, whichever table the route writes.
    static func snapshot(_ app: WebHarness) async throws -> [String: Int] {
        let listing: SQLQueryString = app.db.flavor == .postgres
            ? "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        return try await app.db.read { sql in
            var state: [String: Int] = [:]
            func number(_ query: SQLQueryString) async throws -> Int {
                try await sql.raw("SELECT CAST(COALESCE((\(query)), 0) AS BIGINT) AS n").first()!.decode(column: "n", as: Int.self)
            }
            for table in try await sql.raw(listing).all().map({ try $0.decode(column: "name", as: String.self) }) {
                state[table] = try await number("SELECT COUNT(*) FROM \(unsafeRaw: table)")
            }
            for (name, query) in [("claims.version", "SELECT SUM(version) FROM claims"), ("bank_profiles.version", "SELECT SUM(version) FROM bank_profiles"),
                                  ("enrollments.version", "SELECT SUM(version) FROM enrollments"),
                                  ("users.name", "SELECT SUM(LENGTH(name)) FROM users"), ("users.password", "SELECT COUNT(password_hash) FROM users"),
                                  ("webhook_endpoints.description", "SELECT SUM(LENGTH(description)) FROM webhook_endpoints"),
                                  ("api_tokens.revoked", "SELECT COUNT(revoked_at) FROM api_tokens")] as [(String, SQLQueryString)] {
                state[name] = try await number(query)
            }
            return state
        }
    }

    /// Sends a request and checks it was refused with a 4xx that changed nothing.
    static func refused(_ app: WebHarness, _ label: String, expect status: HTTPResponse.Status? = nil,
                        _ send: () async throws -> HTTPResponse.Status) async throws {
        let before = try await snapshot(app)
        let answer = try await send()
        if let status { #expect(answer == status, "\(label): \(answer)") }
        #expect((400..<500).contains(answer.code), "\(label): \(answer)")
        let after = try await snapshot(app)
        #expect(after == before, "\(label) stored something: \(after.filter { before[$0.key] != $0.value }.map(\.key).sorted())")
    }

    /// The first Seattle partner-activities claim in Consent received whose engagement version asks for `what`.
    static func consented(_ app: WebHarness, where what: (ClaimFile) -> Bool) async throws -> Int64 {
        let ids = try await app.db.read { sql in
            try await sql.raw("SELECT id FROM claims WHERE location_id = 1 AND status = 'consent_received' AND kind = 'partner_activities' ORDER BY id")
                .all().map { try $0.decode(column: "id", as: Int64.self) }
        }
        let work = ClaimWork(db: app.db, links: ClaimLinks(publicURL: "http://x"))
        for id in ids { if let file = try await work.file(id, in: .system), what(file) { return id } }
        throw TestFailure("no consented claim fits")
    }

    struct TestFailure: Error { let message: String; init(_ message: String) { self.message = message } }

    @Test("the pages: Add customer, contacts, comments, actions with reasons, hours, the partner survey, document uploads",
          arguments: TestDatabases.flavors)
    func pages(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let user = try await app.signedIn("user@bluefin.example")
            let draft = try await ClaimPageTests.draftClaim(app)
            func version(_ id: Int64) async throws -> String { try await ClaimPageTests.version(app, id) }

            // Add customer, the create step with every field filled in as a browser would.
            let engagement = try await app.db.read { sql in
                try await sql.raw("SELECT engagement_id FROM claims WHERE id = \(bind: draft)").first()!.decode(column: "engagement_id", as: Int64.self)
            }
            let fields = AddCustomerPageTests.fields(engagement: engagement, step: "create")
            func with(_ name: String, _ value: String) -> [(String, String)] { fields.map { $0.0 == name ? ($0.0, value) : $0 } }
            let hostile: [(String, String, String)] = [
                ("name", String(repeating: "n", count: 201), "over-long claim name"),
                ("name", "Work\(Self.rlo)shop", "claim name with a direction override"),
                ("name", "Work\u{0}shop", "claim name with NUL"),
                ("name", "Work\u{7}shop", "claim name with a bell"),
                ("customer_name", "Fabrikam\(Self.rlo) Labs", "customer name with a direction override"),
                ("customer_name", String(repeating: "c", count: 201), "over-long customer name"),
                ("contact_name_1", "Omar\(Self.rlo)Haddad", "contact name with a direction override"),
                ("contact_name_1", "Omar\u{1B}[31m", "contact name with an escape sequence"),
                ("contact_title_1", String(repeating: "t", count: 201), "over-long title"),
                ("contact_title_1", "CIO\u{2067}", "title with an isolate"),
                ("contact_email_1", String(repeating: "a", count: 250) + "@fabrikam-labs.com", "over-long email"),
                ("contact_email_1", "ops\u{0}@fabrikam-labs.com", "email with NUL"),
                ("mismatch_reason", String(repeating: "r", count: 2_001), "over-long reason"),
                ("id_value", String(repeating: "x", count: 400) + ".com", "over-long domain"),
            ]
            for (field, value, label) in hostile {
                try await user.get("/claims/new?kind=partner_activities")
                try await Self.refused(app, "Add customer: \(label)") { try await user.post("/claims/new", with(field, value)).status }
            }
            // Bytes no browser sends: percent-encoded non-UTF-8, and raw.
            var encoded = fields.filter { $0.0 != "contact_title_1" }.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                .joined(separator: "&")
            try await user.get("/claims/new?kind=partner_activities")
            try await Self.refused(app, "Add customer: title not UTF-8", expect: .badRequest) {
                try await user.post("/claims/new", encoded: Array((encoded + "&contact_title_1=CI%FF%FEO").utf8)).status
            }
            try await Self.refused(app, "Add customer: raw bytes", expect: .badRequest) {
                try await user.post("/claims/new", encoded: Array((encoded + "&contact_title_1=CI").utf8) + [0xFF, 0xC3]).status
            }
            // A formula is a name like any other: stored as typed (the exports guard it).
            encoded = with("name", Self.formula).map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                .joined(separator: "&")
            try await user.get("/claims/new?kind=partner_activities")
            let created = try await user.post("/claims/new", encoded: Array(encoded.utf8))
            #expect(created.status == .seeOther)
            let stored = try await app.db.read { sql in
                try await sql.raw("SELECT name FROM claims WHERE name = \(bind: Self.formula)").all().count
            }
            #expect(stored == 1)

            // Contacts on the claim page.
            for (field, value, label) in [("contact_name_1", "Ravi\(Self.rlo)Iyer", "name with an override"),
                                          ("contact_title_1", String(repeating: "t", count: 201), "over-long title"),
                                          ("contact_name_1", "Ravi\u{0}", "name with NUL"),
                                          ("contact_email_1", "ravi@willow\u{200F}studios.example", "email with a direction mark")] {
                var form = [("version", try await version(draft)), ("contact_name_1", "Ravi Iyer"), ("contact_title_1", "CTO"),
                            ("contact_email_1", "ravi@willowstudios.example")]
                form = form.map { $0.0 == field ? ($0.0, value) : $0 }
                try await user.get("/claims/\(draft)")
                try await Self.refused(app, "contacts: \(label)") { try await user.post("/claims/\(draft)/contacts", form).status }
            }
            try await user.get("/claims/\(draft)")
            try await Self.refused(app, "contacts: not UTF-8", expect: .badRequest) {
                try await user.post("/claims/\(draft)/contacts", encoded: Array(
                    "version=\(try await version(draft))&contact_name_1=Ravi&contact_title_1=%C3%28&contact_email_1=ravi%40willowstudios.example".utf8)).status
            }

            // Comments: HTML is text, stored and shown escaped; the rest is refused.
            for (body, label) in [(String(repeating: "c", count: 4_001), "over-long"), ("a\u{0}b", "NUL"), ("look \(Self.rlo)here", "override"),
                                  ("bell\u{7}", "control character")] {
                try await user.get("/claims/\(draft)")
                try await Self.refused(app, "comment: \(label)") { try await user.post("/claims/\(draft)/comments", [("body", body)]).status }
            }
            try await user.get("/claims/\(draft)")
            #expect(try await user.post("/claims/\(draft)/comments", [("body", Self.script + "\n" + Self.formula)]).status == .seeOther)
            let page = try await user.get("/claims/\(draft)")
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.body.contains(Self.script))
            let comment = try await app.db.read { sql in
                try await sql.raw("SELECT body FROM claim_comments WHERE claim_id = \(bind: draft) ORDER BY id DESC").first()!.decode(column: "body", as: String.self)
            }
            #expect(comment == Self.script + "\n" + Self.formula)

            // Actions with reasons (a reviewer's rejection), and numbers where the form has them.
            let submitted = try await app.db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE status = 'submitted' AND kind = 'partner_activities' ORDER BY id").first()!
                    .decode(column: "id", as: Int64.self)
            }
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            for (reason, label) in [(String(repeating: "r", count: 4_001), "over-long"), ("no\u{0}", "NUL"), ("see \(Self.rlo)here", "override")] {
                try await reviewer.get("/claims/\(submitted)")
                try await Self.refused(app, "reject: \(label) reason") {
                    try await reviewer.post("/claims/\(submitted)/actions", [("action", "reject"), ("reason_code", "other"), ("reason", reason),
                                                                             ("version", try await version(submitted))]).status
                }
            }
            for (value, label) in [("-1", "negative version"), ("99999999999999999999999", "huge version")] {
                try await reviewer.get("/claims/\(submitted)")
                try await Self.refused(app, "reject: \(label)") {
                    try await reviewer.post("/claims/\(submitted)/actions", [("action", "reject"), ("reason_code", "not_eligible"), ("version", value)]).status
                }
            }
            for path in ["/claims/-1", "/claims/99999999999999999999999", "/claims/1e3"] {
                try await Self.refused(app, "comment on \(path)") { try await user.post("\(path)/comments", [("body", "hello")]).status }
            }

            // Hours, on a variable-pay claim the partner may still work on.
            let hourly = try await Self.consented(app) { $0.version.payModel == .variable }
            for hours in ["-5", "0", "1e9", "99999999999999999999999999", "10001", "１２", "12.5.1", "12\u{0}", "NaN", "Infinity", "0x10"] {
                try await user.get("/claims/\(hourly)")
                try await Self.refused(app, "hours \(hours)") {
                    try await user.post("/claims/\(hourly)/hours", [("hours", hours), ("version", try await version(hourly))]).status
                }
            }

            // The partner's survey: over-long or hidden text and impossible dates.
            let surveyed = try await Self.consented(app) { $0.version.proofRequirements.contains { $0.kind == .partnerSurvey } }
            let answers = [("delivered", "A one-day workshop"), ("delivered_on", "2026-11-20"), ("products", "Power Apps")]
            for (id, value, label) in [("delivered_on", "0000-00-00", "day zero"), ("delivered_on", "9999-12-31", "far future"),
                                       ("delivered_on", "1899-12-31", "before the program"), ("delivered_on", "2026-02-30", "no such day"),
                                       ("delivered_on", "+2026-11-20", "signed year"), ("delivered", String(repeating: "d", count: 2_001), "over-long"),
                                       ("products", "Power\(Self.rlo)Apps", "override")] {
                try await user.get("/claims/\(surveyed)")
                let form = answers.map { $0.0 == id ? ($0.0, value) : $0 } + [("version", try await version(surveyed))]
                try await Self.refused(app, "survey: \(label)") { try await user.post("/claims/\(surveyed)/survey", form).status }
            }

            // Document uploads: a hostile `kind` or `version` is refused like a stale form.
            for (kind, value, label) in [("findings_document\u{0}", try await version(surveyed), "NUL kind"),
                                         ("findings_document", "-1", "negative version"),
                                         ("findings_document", String(repeating: "9", count: 40), "huge version")] {
                try await user.get("/claims/\(surveyed)")
                try await Self.refused(app, "upload: \(label)") {
                    try await user.upload("/claims/\(surveyed)/documents", [("version", value), ("kind", kind)],
                                          file: ("file", "f\(Self.rlo)fdp.pdf", ClaimPageTests.pdf)).status
                }
            }
        }
    }

    @Test("the API: new claims, comments, notes and reasons, documents, and numbers in paths and parameters", arguments: TestDatabases.flavors)
    func api(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let token = try await app.token("admin@bluefin.example")
            let reviewer = try await app.token("reviewer@vendor.example")
            let draft = try await ClaimPageTests.draftClaim(app)
            let template = try #require(try await ClaimRepository(db: app.db).find(draft, in: .system))

            func claim(_ change: (inout [String: Any]) -> Void) throws -> String {
                var body: [String: Any] = [
                    "kind": "partner_activities", "name": "Hostile workshop", "location_id": template.locationID,
                    "engagement_id": template.engagementID, "customer": ["name": "Northwind Hostile", "domain": "northwind-limits.example"],
                    "contacts": [InputLimitsTests.contact(1)],
                ]
                change(&body)
                return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            }
            func contact(_ field: String, _ value: String) -> (inout [String: Any]) -> Void {
                { body in var c = InputLimitsTests.contact(1); c[field] = value; body["contacts"] = [c] }
            }
            let cases: [(String, HTTPResponse.Status?, String)] = [
                ("name over 200", .badRequest, try claim { $0["name"] = String(repeating: "n", count: 201) }),
                ("name with an override", .unprocessableContent, try claim { $0["name"] = "Hostile\(Self.rlo)shop" }),
                ("name with an escaped NUL", .badRequest, try claim { $0["name"] = "Hostile\u{0}shop" }),
                ("customer name over 200", .badRequest, try claim { $0["customer"] = ["name": String(repeating: "c", count: 201), "domain": "northwind-limits.example"] }),
                ("domain over 253", .badRequest, try claim { $0["customer"] = ["name": "N", "domain": String(repeating: "d", count: 260) + ".example"] }),
                ("tenant id over 36", .badRequest, try claim { $0["customer"] = ["name": "N", "tenant_id": "{72f988bf-86f1-41af-91ab-2d7cd011db47}"] }),
                ("contact name with a bell", .unprocessableContent, try claim(contact("name", "Nora\u{7}"))),
                ("contact title over 200", .badRequest, try claim(contact("title", String(repeating: "t", count: 201)))),
                ("contact title with an isolate", .unprocessableContent, try claim(contact("title", "CIO\u{2066}"))),
                ("contact email over 254", .badRequest, try claim(contact("email", String(repeating: "a", count: 250) + "@northwind-hostile.example"))),
                ("mismatch reason over 2000", .badRequest, try claim { $0["mismatch_reason"] = String(repeating: "r", count: 2_001) }),
                ("four contacts", .badRequest, try claim { $0["contacts"] = (1...4).map { InputLimitsTests.contact($0) } }),
                ("a negative location", .notFound, try claim { $0["location_id"] = -1 }),
                ("a location past Int64", .badRequest, try claim { $0["location_id"] = 1e30 }),
                ("a negative engagement", .notFound, try claim { $0["engagement_id"] = -7 }),
            ]
            for (label, status, json) in cases {
                try await Self.refused(app, "POST /claims: \(label)", expect: status) {
                    try await app.api("/api/v1/claims", method: .post, token: token, json: json).status
                }
            }
            // Bytes that are not UTF-8 in a JSON body.
            try await Self.refused(app, "POST /claims: raw bytes", expect: .badRequest) {
                var body = ByteBuffer(string: #"{"kind":"partner_activities","name":"Bad "#)
                body.writeBytes([0xFF, 0xFE])
                body.writeString(#"","location_id":1,"engagement_id":1,"customer":{"id":1}}"#)
                return try await app.client.executeRequest(uri: "/api/v1/claims", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: body).status
            }
            // A formula is a name like any other: stored as sent, and the export guards it.
            let formula = try await app.api("/api/v1/claims", method: .post, token: token, json: try claim { $0["name"] = Self.formula })
            #expect(formula.status == .created, "\(String(buffer: formula.body))")
            let csv = String(buffer: try await app.api("/api/v1/exports/claims.csv?status=customer_claimed", token: token).body)
            #expect(csv.contains("'" + Self.formula) && !csv.contains("," + Self.formula))

            // Comments, notes and reasons.
            for (body, status, label) in [(String(repeating: "c", count: 4_001), HTTPResponse.Status.badRequest, "over-long"),
                                          ("see \(Self.rlo)here", .unprocessableContent, "override"), ("", .badRequest, "empty")] {
                let json = String(decoding: try JSONSerialization.data(withJSONObject: ["body": body]), as: UTF8.self)
                try await Self.refused(app, "comment: \(label)", expect: status) {
                    try await app.api("/api/v1/claims/\(draft)/comments", method: .post, token: token, json: json).status
                }
            }
            try await Self.refused(app, "comment: not JSON text", expect: .badRequest) {
                try await app.client.executeRequest(uri: "/api/v1/claims/\(draft)/comments", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(bytes: Array(#"{"body":""#.utf8) + [0xC0, 0x80] + Array(#""}"#.utf8))).status
            }
            try await Self.refused(app, "cancel: note with an override", expect: .unprocessableContent) {
                try await app.api("/api/v1/claims/\(draft)/cancel", method: .post, token: token, json: #"{"note":"bye \u202E"}"#).status
            }
            let submitted = try await app.db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE status = 'submitted' ORDER BY id").first()!.decode(column: "id", as: Int64.self)
            }
            for (json, status, label) in [(#"{"reason_code":"other","note":"x\u0000"}"#, HTTPResponse.Status.badRequest, "NUL note"),
                                          (#"{"reason_code":"other","note":"\u202Eevil"}"#, .unprocessableContent, "override"),
                                          (#"{"reason_code":"<script>","note":"x"}"#, .badRequest, "unknown code")] {
                try await Self.refused(app, "reject: \(label)", expect: status) {
                    try await app.api("/api/v1/claims/\(submitted)/reject", method: .post, token: reviewer, json: json).status
                }
            }

            // Documents: the file name is the contract's (255), without NUL.
            let consented = try await Self.consented(app) { $0.version.proofRequirements.contains { $0.kind == .findingsDocument } }
            for (name, label) in [(String(repeating: "f", count: 256) + ".pdf", "over-long name"), ("f%00.pdf", "NUL in the name")] {
                try await Self.refused(app, "upload: \(label)") {
                    try await app.client.executeRequest(uri: "/api/v1/claims/\(consented)/documents?kind=findings_document&file_name=\(name)", method: .post,
                        headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: ClaimPageTests.pdf)).status
                }
            }

            // Numbers in paths and parameters.
            for path in ["/api/v1/claims/-1", "/api/v1/claims/99999999999999999999999", "/api/v1/claims?per=-1", "/api/v1/claims?per=99999999999999999999",
                         "/api/v1/claims?due=-5", "/api/v1/claims?due=100000", "/api/v1/claims?engagement=1e3", "/api/v1/claims?location=-1%00"] {
                let answer = try await app.api(path, token: token)
                #expect((400..<500).contains(answer.status.code), "\(path): \(answer.status)")
            }
            try await Self.refused(app, "cancel a claim past Int64") {
                try await app.api("/api/v1/claims/99999999999999999999999/cancel", method: .post, token: token).status
            }
        }
    }
}
