import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import SQLKit
import Testing

/// A scrape read as Prometheus reads the text format: each sample line `name{labels} value` (or `name value`), each
/// family announced by `# HELP` and `# TYPE` before its samples. What breaks the format is collected in `problems`.
struct Exposition {
    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    private(set) var samples: [Sample] = []
    private(set) var help: [String: String] = [:]
    private(set) var types: [String: String] = [:]
    private(set) var problems: [String] = []

    init(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) where !line.isEmpty {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { problems.append("bad comment: \(line)"); continue }
                if line.hasPrefix("# HELP ") { help[parts[0]] = parts[1] } else { types[parts[0]] = parts[1] }
            } else if let sample = Self.sample(line) {
                let family = family(of: sample.name)
                if help[family] == nil || types[family] == nil { problems.append("\(sample.name) before its HELP and TYPE") }
                samples.append(sample)
            } else {
                problems.append("not a sample: \(line)")
            }
        }
    }

    /// The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` are its own.
    func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return name
    }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// `name{key="value",...} number`, label values with `\"`, `\\` and `\n` escaped.
    static func sample(_ line: String) -> Sample? {
        let chars = Array(line)
        var i = 0
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == ":" { i += 1 }
        guard i > 0, !chars[0].isNumber else { return nil }
        let name = String(chars[..<i])
        var labels: [String: String] = [:]
        if i < chars.count, chars[i] == "{" {
            i += 1
            while i < chars.count, chars[i] != "}" {
                let keyStart = i
                while i < chars.count, chars[i] != "=" { i += 1 }
                let key = String(chars[keyStart..<i])
                guard i + 1 < chars.count, chars[i + 1] == "\"", key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
                i += 2
                var value = ""
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count {
                        i += 1
                        value.append(chars[i] == "n" ? "\n" : chars[i])
                    } else {
                        value.append(chars[i])
                    }
                    i += 1
                }
                guard i < chars.count else { return nil }
                labels[key] = value
                i += 1
                if i < chars.count, chars[i] == "," { i += 1 }
            }
            guard i < chars.count else { return nil }
            i += 1
        }
        guard i < chars.count, chars[i] == " ", let value = Double(String(chars[(i + 1)...])) else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }
}

extension TestClientProtocol {
    /// `GET /metrics`, with the bearer token when one is given.
    func metrics(token: String? = MetricsTests.token) async throws -> TestResponse {
        try await executeRequest(uri: "/metrics", method: .get, headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:], body: nil)
    }
}

extension WebHarness {
    /// `/metrics` as Prometheus scrapes it, with the token.
    func scrape() async throws -> Exposition {
        let response = try await client.metrics()
        #expect(response.status == .ok)
        return Exposition(String(buffer: response.body))
    }
}

@Suite("Metrics: /metrics in Prometheus' text format, protected, with bounded labels")
struct MetricsTests {
    static let token = "scrape-token-0123456789"
    static let withToken: @Sendable (inout AppConfig) -> Void = { $0.metricsToken = token }

    @Test("no METRICS_TOKEN: 404; with one, a scrape without it or with another is 401 and with it 200 in the text format",
          arguments: TestDatabases.flavors)
    func protection(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let unset = try await app.client.metrics()
            #expect(unset.status == .notFound)
        }
        try await WebHarness.with(flavor: flavor, configure: Self.withToken) { app in
            let none = try await app.client.metrics(token: nil)
            #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate] == #"Bearer realm="metrics""#)
            #expect(try await app.client.metrics(token: "scrape-token-0123456780").status == .unauthorized)
            let right = try await app.client.metrics()
            #expect(right.status == .ok && right.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(right.headers[.setCookie] == nil, "a scrape meets no session middleware")
        }
    }

    @Test("METRICS_ADDRESS: the main port's /metrics is 404 and the listener of its own serves /metrics alone")
    func ownListener() async throws {
        try await WebHarness.with(configure: { $0.metricsToken = Self.token; $0.metricsAddress = ListenAddress(host: "127.0.0.1", port: 0) }) { app in
            #expect(try await app.client.metrics().status == .notFound)
            let listener = MetricsListener.application(app.deps, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
            try await listener.test(.router) { client in
                let scraped = try await client.metrics()
                #expect(scraped.status == .ok && String(buffer: scraped.body).contains("# TYPE incentives_http_requests_total counter"))
                #expect(try await client.metrics(token: nil).status == .unauthorized)
                #expect(try await client.executeRequest(uri: "/claims", method: .get, headers: [:], body: nil).status == .notFound)
            }
        }
    }

    @Test("requests count by method, route pattern and status, never the path; their times land in the histogram",
          arguments: TestDatabases.flavors)
    func requestsByRoute(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, configure: Self.withToken) { app in
            let ids = try await app.db.read {
                try await $0.raw("SELECT id FROM claims ORDER BY id LIMIT 2").all(decodingColumn: "id", as: Int64.self)
            }
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            for id in ids { #expect(try await reviewer.get("/claims/\(id)").status == .ok) }
            #expect(try await reviewer.get("/claims/\(ids[0])/no-such-page").status == .notFound)
            #expect(try await app.browser().get("/health").status == .ok)
            #expect(try await app.client.executeRequest(uri: "/health", method: HTTPRequest.Method("BREW")!, headers: [:], body: nil).status != .ok)
            let scrape = try await app.scrape()
            #expect(scrape.problems.isEmpty, "\(scrape.problems)")
            #expect(scrape.value("incentives_http_requests_total", ["method": "GET", "route": "/claims/{id}", "status": "200"]) == 2)
            #expect(scrape.value("incentives_http_requests_total", ["method": "GET", "route": "unmatched", "status": "404"]) == 1)
            #expect(scrape.value("incentives_http_requests_total", ["method": "GET", "route": "/health", "status": "200"]) == 1)
            #expect(scrape.samples.contains { $0.name == "incentives_http_requests_total" && $0.labels["method"] == "other" })
            #expect(scrape.value("incentives_http_request_duration_seconds_count", ["method": "GET", "route": "/claims/{id}"]) == 2)
            #expect(scrape.value("incentives_http_request_duration_seconds_bucket", ["method": "GET", "route": "/claims/{id}", "le": "+Inf"]) == 2)
            let routes = Set(scrape.samples.compactMap { $0.labels["route"] })
            #expect(!routes.contains { $0.contains(String(ids[0])) }, "paths as sent never become labels: \(routes)")
            #expect(!scrape.samples.contains { $0.labels["method"] == "BREW" })
        }
    }

    @Test("a committed claim transition counts once by action and side; a refused or stale one does not", arguments: TestDatabases.flavors)
    func transitions(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, configure: Self.withToken) { app in
            let id = try await app.db.read {
                try await $0.raw("SELECT id FROM claims WHERE status = 'submitted' ORDER BY id LIMIT 1").first(decodingColumn: "id", as: Int64.self)
            }
            let claims = ClaimRepository(db: app.db), reviewer = Actor(role: .reviewer, name: "Rita Reviewer")
            let claimID = try #require(id)
            await #expect(throws: StoreError.self) {
                try await claims.perform(ClaimCommand(.startReview, by: reviewer), on: claimID, expectedVersion: 0, in: .vendor, at: app.clock.now)
            }
            try await claims.perform(ClaimCommand(.startReview, by: reviewer), on: claimID, in: .vendor, at: app.clock.now)
            await #expect(throws: (any Error).self) {
                try await claims.perform(ClaimCommand(.startReview, by: reviewer), on: claimID, in: .vendor, at: app.clock.now)
            }
            let scrape = try await app.scrape()
            #expect(scrape.value("incentives_claim_transitions_total", ["action": "start_review", "side": "vendor"]) == 1)
        }
    }

    @Test("wrong passwords count as sign-in failures; an attempt the throttle turns away counts as a lockout", arguments: TestDatabases.flavors)
    func signIns(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, configure: Self.withToken) { app in
            let browser = app.browser()
            try await browser.get("/login")
            let wrong = [("email", "admin@bluefin.example"), ("password", "not the password")]
            for _ in 0..<3 { #expect(try await browser.post("/login", wrong).status == .unprocessableContent) }
            #expect(try await browser.post("/login", wrong).status == .tooManyRequests)
            let scrape = try await app.scrape()
            #expect(scrape.value("incentives_sign_in_failures_total") == 3)
            #expect(scrape.value("incentives_sign_in_lockouts_total") == 1)
        }
    }

    @Test("a sweep counts its run and expiries and sets the lag behind the oldest passed deadline, as of its start",
          arguments: TestDatabases.flavors)
    func sweeps(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, configure: Self.withToken) { app in
            app.clock.advance(days: 90)
            let now = app.clock.now
            let oldest = try #require(try await app.deps.stores.claims.oldestOverdue(at: now), "the demo has deadlines within 90 days")
            let sweeper = DeadlineSweeper(claims: app.deps.stores.claims, clock: app.clock, interval: .seconds(60),
                                          logger: Logger(label: "test"), telemetry: app.deps.telemetry)
            await sweeper.sweepOnce()
            var scrape = try await app.scrape()
            #expect(scrape.value("incentives_sweeper_runs_total") == 1)
            #expect(scrape.value("incentives_sweeper_lag_seconds") == now.timeIntervalSince(oldest))
            let expiries = try #require(scrape.value("incentives_sweeper_expiries_total"))
            #expect(expiries > 0)
            #expect(scrape.value("incentives_claim_transitions_total", ["action": "expire", "side": "clock"]) == expiries)
            let left = try await app.deps.stores.claims.oldestOverdue(at: now)
            await sweeper.sweepOnce()
            scrape = try await app.scrape()
            #expect(scrape.value("incentives_sweeper_runs_total") == 2)
            #expect(scrape.value("incentives_sweeper_lag_seconds") == left.map { now.timeIntervalSince($0) } ?? 0)
            #expect(scrape.value("incentives_sweeper_expiries_total") == expiries)
        }
    }

    @Test("the queues' depth and most overdue age are read at the scrape; the pool reports its waits and holds nothing idle",
          arguments: TestDatabases.flavors)
    func queuesAndPool(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, configure: Self.withToken) { app in
            let outbox = try await app.deps.stores.outbox.counts()
            let webhooks = try await app.deps.stores.webhooks.counts()
            app.clock.advance(by: 600)
            let scrape = try await app.scrape()
            #expect(scrape.value("incentives_outbox_depth") == Double((outbox[.pending] ?? 0) + (outbox[.sending] ?? 0)))
            #expect(scrape.value("incentives_webhook_queue_depth") == Double(webhooks[.pending] ?? 0))
            let oldest = try #require(scrape.value("incentives_outbox_oldest_pending_seconds"))
            #expect((outbox[.pending] ?? 0) > 0 ? oldest >= 600 : oldest == 0)
            #expect(try #require(scrape.value("incentives_db_pool_wait_seconds_count")) > 0)
            #expect(scrape.value("incentives_db_pool_connections_in_use") == 0)
        }
    }

    @Test("the whole scrape is well formed: every sample line parses, every family has HELP and TYPE, every family is there")
    func wellFormed() async throws {
        try await WebHarness.with(configure: Self.withToken) { app in
            try await app.browser().get("/login")
            let scrape = try await app.scrape()
            #expect(scrape.problems.isEmpty, "\(scrape.problems)")
            #expect(!scrape.samples.isEmpty)
            for family in MetricFamily.all where family.name != MetricFamily.claimTransitions.name {
                #expect(scrape.types[family.name] != nil && scrape.help[family.name] == family.help, "\(family.name) is missing")
            }
            // The parser itself refuses what is not the format.
            #expect(Exposition("incentives_x{a=\"1\" 2\n").problems.count == 1)
            #expect(Exposition("# TYPE a counter\na 1\n").problems == ["a before its HELP and TYPE"])
        }
    }
}
