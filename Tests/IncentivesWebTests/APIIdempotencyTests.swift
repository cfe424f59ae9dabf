import Crypto
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

/// The API gateway's promises about POSTs: idempotency keys (replay, reuse, in flight, abandoned, kept 24 hours) and
/// body limits (413), on SQLite and PostgreSQL.
@Suite("API idempotency keys and body limits")
struct APIIdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    @Test("an Idempotency-Key replays the first response, refuses another body, and a read token can't POST", arguments: TestDatabases.flavors)
    func idempotency(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let token = try await app.token("admin@bluefin.example")
            let draft = try await ClaimPageTests.draftClaim(app)
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "consent-1"]
            let first = try await app.api("/api/v1/claims/\(draft)/send-consent", method: .post, token: token, headers: key, json: "{}")
            #expect(first.status == .ok)
            let mails = { try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM mail_outbox WHERE claim_id = \(bind: draft)").first()!.decode(column: "n", as: Int.self) } }
            let sent = try await mails()
            let again = try await app.api("/api/v1/claims/\(draft)/send-consent", method: .post, token: token, headers: key, json: "{}")
            #expect(again.status == .ok && again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(String(buffer: again.body) == String(buffer: first.body))
            #expect(again.headers[.eTag] == first.headers[.eTag])
            #expect(try await mails() == sent, "a replay sends no second email")
            let other = try await app.api("/api/v1/claims/\(draft)/send-consent", method: .post, token: token, headers: key, json: "{\"note\": \"x\"}")
            #expect(other.status == .unprocessableContent && other.problemType == "/api/docs#problem-idempotency-key-reused")
            // Keys belong to a token: another token's same key is a new request.
            let second = try await app.token("admin@bluefin.example")
            let resend = try await app.api("/api/v1/claims/\(draft)/send-consent", method: .post, token: second, headers: key, json: "{}")
            #expect(resend.status == .ok && resend.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
        }
    }

    /// The outbox emails about a claim.
    static func mails(_ app: WebHarness, _ claim: Int64) async throws -> Int {
        try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM mail_outbox WHERE claim_id = \(bind: claim)").first()!.decode(column: "n", as: Int.self) }
    }

    @Test("a key whose first request is still running answers 409; left unfinished 5 minutes it is free again; kept 24 hours",
          arguments: TestDatabases.flavors)
    func inFlightAbandonedAndKept(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let token = try await app.token("admin@bluefin.example")
            let tokenID = try #require(try await APITokenRepository(db: app.db, acceptsDemoUsers: true).authenticate(token, now: app.clock.now)).token.id
            let draft = try await ClaimPageTests.draftClaim(app)
            let path = "/api/v1/claims/\(draft)/send-consent"
            // Another instance took the key for the same request a moment ago and has not answered yet.
            let hash = SHA256.hash(data: Array("POST \(path)?\n{}".utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(try await APITokenRepository(db: app.db).claim(key: "busy", tokenID: tokenID, requestHash: hash, now: app.clock.now) == .fresh)
            let busy = try await app.api(path, method: .post, token: token, headers: [Self.key: "busy"], json: "{}")
            #expect(busy.status == .conflict && busy.problemType == "/api/docs#problem-idempotency-key-in-flight")
            #expect(try await ClaimPageTests.status(app, draft) == "customer_claimed", "nothing ran")
            #expect(try await Self.mails(app, draft) == 0)
            // Its process died: 5 minutes on, the key is free and the request runs.
            app.clock.set(app.clock.now.addingTimeInterval(5 * 60 + 1))
            let retried = try await app.api(path, method: .post, token: token, headers: [Self.key: "busy"], json: "{}")
            #expect(retried.status == .ok && retried.headers[Self.replayed] == nil)
            #expect(try await Self.mails(app, draft) == 1)
            // Replayed for 24 hours; after that the key is new and the request runs again (a consent request sent again).
            app.clock.set(app.clock.now.addingTimeInterval(24 * 3600 - 1))
            let replay = try await app.api(path, method: .post, token: token, headers: [Self.key: "busy"], json: "{}")
            #expect(replay.status == .ok && replay.headers[Self.replayed] == "true")
            #expect(try await Self.mails(app, draft) == 1)
            app.clock.set(app.clock.now.addingTimeInterval(2))
            let fresh = try await app.api(path, method: .post, token: token, headers: [Self.key: "busy"], json: "{}")
            #expect(fresh.status == .ok && fresh.headers[Self.replayed] == nil)
            #expect(try await Self.mails(app, draft) == 2)
        }
    }

    @Test("a JSON body over 64 KB and a document over the upload limit answer 413 problems, and nothing is stored")
    func tooLarge() async throws {
        try await WebHarness.with { app in
            let token = try await app.token("admin@bluefin.example")
            let draft = try await ClaimPageTests.draftClaim(app)
            let long = try await app.api("/api/v1/claims/\(draft)/comments", method: .post, token: token,
                                         json: #"{"body": ""# + String(repeating: "x", count: 65 * 1024) + #""}"#)
            #expect(long.status == .contentTooLarge && long.problemType == "/api/docs#problem-too-large")
            // The harness keeps uploads to 64 KB: past it the handler refuses, past it and 64 KB more the gateway does.
            let consented = try await app.db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE location_id = 1 AND status = 'consent_received' AND kind = 'partner_activities' ORDER BY id")
                    .first()!.decode(column: "id", as: Int64.self)
            }
            for size in [70 * 1024, 200 * 1024] {
                let upload = try await app.client.executeRequest(
                    uri: "/api/v1/claims/\(consented)/documents?kind=findings_document&file_name=big.pdf", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"],
                    body: ByteBuffer(bytes: ClaimPageTests.pdf + Array(repeating: 0x20, count: size)))
                #expect(upload.status == .contentTooLarge && upload.problemType == "/api/docs#problem-too-large", "\(size) bytes")
            }
            let stored = try await app.db.read { sql in
                (try await sql.raw("SELECT COUNT(*) AS n FROM claim_comments WHERE claim_id = \(bind: draft)").first()!.decode(column: "n", as: Int.self),
                 try await sql.raw("SELECT COUNT(*) AS n FROM claim_proof WHERE claim_id = \(bind: consented) AND file_name = 'big.pdf'").first()!
                    .decode(column: "n", as: Int.self))
            }
            #expect(stored == (0, 0))
        }
    }
}
