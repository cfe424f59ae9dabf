import Foundation
import HTTPTypes
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import Synchronization
import Testing

/// Log lines as `LOG_FORMAT=json` writes them, kept for a test to read (those written before `arm()` are dropped).
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    private let armed = Atomic<Bool>(false)

    func arm() { armed.store(true, ordering: .releasing) }

    var all: [String] { lines.withLock { $0 } }

    /// A logger at trace level, so everything the app and its database say is written, as the app's handler writes it.
    func logger(_ label: String) -> Logger {
        Logger(label: label) { label in
            AppLogHandler(label: label, format: .json, level: .trace, sink: { [self] line in
                if armed.load(ordering: .acquiring) { lines.withLock { $0.append(line) } }
            })
        }
    }

    /// Every line as a JSON object (a line that is not one fails the test).
    func objects() throws -> [[String: Any]] {
        try all.map { line in try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)") }
    }
}

@Suite("Request ids and logs: one access line per request, JSON lines, nothing secret written")
struct RequestLogTests {
    static let idField = HTTPField.Name(RequestID.header)!

    @Test("a request id is kept when short and plain, made otherwise (32 hex digits, unique)")
    func requestIDs() {
        #expect(RequestID.accepted("proxy-id.42_A") == "proxy-id.42_A")
        #expect(RequestID.accepted(String(repeating: "a", count: 64)) != nil && RequestID.accepted(String(repeating: "a", count: 65)) == nil)
        for bad in [nil, "", "two words", "line\nbreak", "quote\"", "naïve", "a/b", "{x}"] { #expect(RequestID.accepted(bad) == nil) }
        let made = RequestID.make()
        #expect(made.count == 32 && made.allSatisfy { $0.isHexDigit && !$0.isUppercase } && made != RequestID.make())
        // The process's half is the same, the counter's half differs in most of its digits.
        let many = (0..<10_000).map { _ in RequestID.make() }
        #expect(Set(many).count == many.count && Set(many.map { $0.prefix(16) }).count == 1)
        let (a, b) = (Array(many[0].suffix(16)), Array(many[1].suffix(16)))
        #expect(zip(a, b).filter { $0 != $1 }.count > 8, "consecutive ids look consecutive: \(many[0]) \(many[1])")
    }

    @Test("redaction masks secret keys, IBANs (whole or in fours), bearer and API tokens, webhook secrets, long random words")
    func redaction() {
        let scrub = LogRedaction.scrub
        #expect(scrub("paid to DE89370400440532013000 today") == "paid to [REDACTED] today")
        #expect(scrub("iban=GB82 WEST 1234 5698 7654 32.") == "iban=[REDACTED].")
        #expect(scrub("typed gb82 west 1234 5698 7654 32") == "typed [REDACTED]")
        #expect(scrub("Authorization: Bearer abc.DEF-123") == "Authorization: Bearer [REDACTED]")
        #expect(scrub("token pi_Ab3dEf6hIj9kLm2nOp5qRs8t") == "token [REDACTED]")
        #expect(scrub("secret whsec_abc_def-ghi_jkl_mno") == "secret [REDACTED]")
        #expect(scrub("/consent/Xy9_aB3-kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk") == "/consent/[REDACTED]")
        #expect(scrub("Authorization: Basic dXNlcjpw/YXNz+d29yZA== sent") == "Authorization: Basic [REDACTED] sent")
        // What operators need stays: ids, routes, hashes in lower-case hex, sentences.
        for kept in ["request_id 0f1e2d3c4b5a69788796a5b4c3d2e1f0", "cb068284b2629d93b587f0624f83c4c0", "GET /claims/{id} 200",
                     "claim 42 expired at 2026-11-25T10:00:00Z", "Database operation ClaimRepository.expireDue(at:links:batchSize:) failed",
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                     "Serving files from /srv/build/x86_64-unknown-linux-gnu/release/partner-incentives_IncentivesWeb.resources/Public"] {
            #expect(scrub(kept) == kept)
        }
        let metadata = LogRedaction.redact(["password": "hunter2", "Set-Cookie": "pi_session=abc", "binds": .array(["GB82WEST12345698765432"]),
                                            "route": "/claims/{id}", "nested": .dictionary(["api_token": "x", "note": "Bearer zz"])])
        #expect(metadata["password"] == .string("[REDACTED]") && metadata["Set-Cookie"] == .string("[REDACTED]"))
        #expect(metadata["binds"] == .string("[REDACTED]") && metadata["route"] == .string("/claims/{id}"))
        #expect(metadata["nested"] == .dictionary(["api_token": .string("[REDACTED]"), "note": .string("Bearer [REDACTED]")]))
    }

    @Test("JSON lines: time in UTC with milliseconds, level, message, escaped text, numbers where they are numbers")
    func jsonLine() throws {
        let lines = Mutex<[String]>([])
        let handler = AppLogHandler(label: "t", format: .json, metadataProvider: nil, now: { Date(timeIntervalSince1970: 1_795_600_000.25) },
                                    sink: { line in lines.withLock { $0.append(line) } })
        Logger(label: "t", factory: { _ in handler }).info("said \"hi\"\n", metadata: ["status": "200", "route": "/x", "user_id": "7"])
        let line = try #require(lines.withLock { $0.first })
        #expect(line == #"{"time":"2026-11-25T09:46:40.250Z","level":"info","message":"said \"hi\"\n","logger":"t","user_id":7,"#
                + #""route":"/x","status":200}"#)
    }

    @Test("real requests write one access line each with their id, and no password, token, secret or IBAN anywhere",
          arguments: TestDatabases.flavors)
    func noSecrets(flavor: SQLFlavor) async throws {
        let capture = LogCapture()
        try await WebHarness.with(flavor: flavor, logger: capture.logger("incentives")) { app in
            capture.arm()
            var ids: [String] = [], secrets = ["wrong-horse-battery-staple-7", "demo-password", "a long enough password 42",
                                               "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32"]
            func seen(_ page: Browser.Page) throws -> Browser.Page {
                ids.append(try #require(page.headers[Self.idField], "every response has its id"))
                return page
            }
            let admin = app.browser()
            _ = try seen(try await admin.get("/login"))
            for (password, status) in [(secrets[0], HTTPResponse.Status.unprocessableContent), (secrets[1], .seeOther)] {
                #expect(try seen(try await admin.post("/login", [("email", "admin@bluefin.example"), ("password", password)])).status == status)
            }

            let token = try await app.token("admin@bluefin.example")
            secrets.append(token)
            let me = try await app.api("/api/v1/me", token: token)
            #expect(me.status == .ok)
            ids.append(try #require(me.headers[Self.idField]))

            _ = try seen(try await admin.get("/payee-profiles/bank/new"))
            let bank = try seen(try await admin.post("/payee-profiles/bank/new", [("country", "GB"), ("holder_name", "Bluefin Consulting Ltd"),
                                                                                 ("bank_name", "Thames Bank"), ("routing_code", ""),
                                                                                 ("swift_bic", "THBKGB2L"), ("account_number", secrets[4])]))
            #expect(bank.status == .seeOther)

            _ = try seen(try await admin.get("/settings/webhooks"))
            let created = try seen(try await admin.post("/settings/webhooks", [("url", "http://127.0.0.1:9/hook"), ("description", "CRM"),
                                                                               ("event", "claim.status_changed")]))
            secrets.append(try #require(WebhookPagesTests.secret(in: created.body)))
            let owner = try await WebhookOwners.of("admin@bluefin.example", app.db).owner
            let endpoint = try #require(try await WebhookRepository(db: app.db).endpoints(of: owner).first)
            let rotated = try seen(try await admin.post("/settings/webhooks/\(endpoint.id)/rotate"))
            secrets.append(try #require(WebhookPagesTests.secret(in: rotated.body)))

            _ = try seen(try await admin.get("/settings/users"))
            let invited = try seen(try await admin.post("/settings/users", [("email", "dana@bluefin.example"), ("name", "Dana Cole"),
                                                                            ("role", "1:incentives_user")]))
            let member = try seen(try await admin.get(try #require(invited.location)))
            let link = try #require(member.body.range(of: #"/invitations/[A-Za-z0-9_-]{43}"#, options: .regularExpression)
                .map { String(member.body[$0]) })
            let colleague = app.browser()
            _ = try seen(try await colleague.get(link))
            let joined = try seen(try await colleague.post(link, [("name", "Dana Cole"), ("password", secrets[2]),
                                                                   ("password_confirmation", secrets[2]), ("time_zone", "Europe/London")]))
            #expect(joined.status == .seeOther)

            await colleague.set(header: RequestID.header, "proxy-id.42_A")
            let kept = try await colleague.get("/")
            #expect(kept.headers[Self.idField] == "proxy-id.42_A")
            ids.append("proxy-id.42_A")

            let lines = capture.all
            // SQLite's statements are logged at trace level with their binds (PostgreSQL's pool logs from warning on).
            if flavor == .sqlite { #expect(lines.count > ids.count * 5, "the database's statements are logged at trace level too") }
            for secret in secrets {
                let found = lines.filter { $0.contains(secret) }
                #expect(found.isEmpty, "\(secret) was logged: \(found.prefix(3))")
            }
            let objects = try capture.objects()
            for object in objects {
                #expect(object["level"] is String && object["message"] is String)
                #expect((object["time"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil)
            }
            let access = objects.filter { $0["message"] as? String == "request" }
            for id in ids {
                #expect(access.filter { $0["request_id"] as? String == id }.count == 1,
                        "one access line for \(id) in \(access.map { "\($0["request_id"] ?? "-") \($0["route"] ?? "-")" })")
            }
            let api = try #require(access.first { $0["route"] as? String == "/api/v1/me" })
            let adminID = try #require(try await UserRepository(db: app.db).find(email: "admin@bluefin.example")).id
            #expect(api["status"] as? Int == 200 && (api["user_id"] as? Int).map(Int64.init) == adminID && api["method"] as? String == "GET")
            #expect(api["duration_ms"] is Double || api["duration_ms"] is Int)
            // A line written inside a request (the database's) names the request too.
            if flavor == .sqlite {
                #expect(objects.contains { $0["message"] as? String == "Executing query" && $0["request_id"] as? String == ids[1] })
            }
        }
    }
}
