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

/// `POST /api/v1/claims/{id}/reversal`: the reviewer's reversal through the API, its refusals, and hostile bodies.
@Suite("API: reversing an approved claim")
struct ReversalAPITests {
    static let rlo = "\u{202E}"

    static func body(reason: String = "proof_invalid", note: String = "The invoice names another customer.", version: Int) -> String {
        let object: [String: Any] = ["reason": reason, "note": note, "version": version]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test("a reviewer reverses inside the window: the claim answers rejected final with the reversal in its history",
          arguments: TestDatabases.flavors)
    func reverses(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let reviewer = try await app.token("reviewer@vendor.example")
            let claim = try await ReversalPageTests.approved(app)
            let answer = try await app.api("/api/v1/claims/\(claim.id)/reversal", method: .post, token: reviewer,
                                           json: Self.body(version: claim.version))
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            #expect(answer.headers[.eTag] == "\"\(claim.version + 1)\"")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [String: Any])
            #expect(json["status"] as? String == "rejected_final")
            let history = try #require(try await app.api("/api/v1/claims/\(claim.id)/history", token: reviewer).body)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(buffer: history)) as? [String: Any])
            let last = try #require((rows["history"] as? [[String: Any]])?.last, "\(rows)")
            #expect(last["action"] as? String == "reverse" && last["reason_code"] as? String == "proof_invalid")
            #expect(last["note"] as? String == "Proof of execution found invalid: The invoice names another customer.")
            // Twice: the claim is final now.
            let again = try await app.api("/api/v1/claims/\(claim.id)/reversal", method: .post, token: reviewer,
                                          json: Self.body(version: claim.version + 1))
            #expect(again.status == .unprocessableContent && again.problemType == "/api/docs#problem-action-not-allowed")
        }
    }

    @Test("409 on a stale version, 422 outside the window (naming the last day) or before approval, 403 for partners, 404 foreign",
          arguments: TestDatabases.flavors)
    func refusals(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let reviewer = try await app.token("reviewer@vendor.example")
            let manager = try await app.token("manager@vendor.example")
            let partner = try await app.token("admin@bluefin.example")
            let claim = try await ReversalPageTests.approved(app, daysAgo: 181)
            let path = "/api/v1/claims/\(claim.id)/reversal"
            let stale = try await app.api(path, method: .post, token: reviewer, json: Self.body(version: claim.version + 7))
            #expect(stale.status == .conflict)
            let late = try await app.api(path, method: .post, token: reviewer, json: Self.body(version: claim.version))
            #expect(late.status == .unprocessableContent)
            let lastDay = DayDate(app.clock.now.addingTimeInterval(-181 * 86_400).adding(calendarDays: 180))
            #expect(String(buffer: late.body).contains(lastDay.description), "\(String(buffer: late.body))")
            for token in [partner, manager] {
                let refused = try await app.api(path, method: .post, token: token, json: Self.body(version: claim.version))
                #expect(refused.status == .forbidden, "\(String(buffer: refused.body))")
            }
            let foreign = try await ReversalPageTests.approved(app, location: 5)
            #expect(try await app.api("/api/v1/claims/\(foreign.id)/reversal", method: .post, token: partner,
                                      json: Self.body(version: foreign.version)).status == .notFound)
            let submitted = try #require(try await app.db.read { sql in
                try await sql.raw("SELECT id, version FROM claims WHERE status = 'submitted' ORDER BY id").first()
            })
            let notApproved = try await app.api("/api/v1/claims/\(try submitted.decode(column: "id", as: Int64.self))/reversal", method: .post,
                                                token: reviewer, json: Self.body(version: try submitted.decode(column: "version", as: Int.self)))
            #expect(notApproved.status == .unprocessableContent)
            #expect(try await ClaimRepository(db: app.db).find(claim.id, in: .vendor)?.status == .approved)
        }
    }

    @Test("hostile bodies: notes, reasons and versions the contract or the domain refuse, storing nothing", arguments: TestDatabases.flavors)
    func hostileInput(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let reviewer = try await app.token("reviewer@vendor.example")
            let claim = try await ReversalPageTests.approved(app)
            let path = "/api/v1/claims/\(claim.id)/reversal"
            let v = claim.version
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("over-long note", .badRequest, Self.body(note: String(repeating: "n", count: 4_001), version: v)),
                ("empty note", .badRequest, Self.body(note: "", version: v)),
                ("blank note", .unprocessableContent, Self.body(note: "   ", version: v)),
                ("note with an override", .unprocessableContent, Self.body(note: "see \(Self.rlo)here", version: v)),
                ("note with a bell", .unprocessableContent, Self.body(note: "ding\u{7}", version: v)),
                ("note with an escaped NUL", .badRequest, #"{"reason":"other","note":"a\u0000b","version":\#(v)}"#),
                ("no note", .badRequest, #"{"reason":"other","version":\#(v)}"#),
                ("a review's code", .badRequest, Self.body(reason: "missing_poe", version: v)),
                ("reason of HTML", .badRequest, Self.body(reason: "<script>", version: v)),
                ("reason with an override", .badRequest, Self.body(reason: "other\(Self.rlo)", version: v)),
                ("no version", .badRequest, #"{"reason":"other","note":"x"}"#),
                ("version 0", .badRequest, Self.body(version: 0)),
                ("version as text", .badRequest, #"{"reason":"other","note":"x","version":"1"}"#),
                ("version past Int64", .badRequest, #"{"reason":"other","note":"x","version":99999999999999999999}"#),
                ("not JSON", .badRequest, "reason=other&note=x"),
            ]
            for (label, status, json) in cases {
                try await HostileInputTests.refused(app, "reversal: \(label)", expect: status) {
                    try await app.api(path, method: .post, token: reviewer, json: json).status
                }
            }
            try await HostileInputTests.refused(app, "reversal: raw bytes", expect: .badRequest) {
                var bytes = ByteBuffer(string: #"{"reason":"other","version":1,"note":"bad "#)
                bytes.writeBytes([0xFF, 0xFE])
                bytes.writeString(#""}"#)
                return try await app.client.executeRequest(uri: path, method: .post,
                    headers: [.authorization: "Bearer \(reviewer)", .contentType: "application/json"], body: bytes).status
            }
            for id in ["-1", "0", "99999999999999999999", "1e3", "%00"] {
                try await HostileInputTests.refused(app, "reversal on claim \(id)") {
                    try await app.api("/api/v1/claims/\(id)/reversal", method: .post, token: reviewer, json: Self.body(version: v)).status
                }
            }
        }
    }
}
