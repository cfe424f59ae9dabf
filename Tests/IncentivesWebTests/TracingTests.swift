import Foundation
import HTTPTypes
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
import InMemoryTracing
@testable import IncentivesWeb
import Logging
import Testing
import Tracing

@Suite("Tracing: a span per request, per database call and per background pass")
struct TracingTests {
    @Test("a request's span names its route and status and holds its request id; its database calls are its children",
          arguments: TestDatabases.flavors)
    func requestSpans(flavor: SQLFlavor) async throws {
        let tracer = InMemoryTracer()
        try await WebHarness.with(flavor: flavor, telemetry: AppTelemetry(tracer: tracer)) { app in
            let id = try #require(try await app.db.read {
                try await $0.raw("SELECT id FROM claims ORDER BY id LIMIT 1").first(decodingColumn: "id", as: Int64.self)
            })
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let page = try await reviewer.get("/claims/\(id)")
            #expect(page.status == .ok)
            let requestID = try #require(page.headers[HTTPField.Name(RequestID.header)!])
            let spans = tracer.finishedSpans
            let request = try #require(spans.first { $0.attributes.get("request.id") == .string(requestID) })
            #expect(request.operationName == "GET /claims/{id}" && request.kind == .server)
            #expect(request.attributes.get("http.route") == .string("/claims/{id}") && request.attributes.get("http.method") == .string("GET"))
            #expect(request.attributes.get("http.status_code") == .int64(200))
            let calls = spans.filter { $0.traceID == request.traceID && $0.spanID != request.spanID }
            #expect(!calls.isEmpty && calls.allSatisfy { $0.parentSpanID == request.spanID })
            #expect(calls.allSatisfy { ["db.query", "db.transaction"].contains($0.operationName) && $0.kind == .client })
            #expect(calls.first?.attributes.get("db.system") == .string(flavor == .sqlite ? "sqlite" : "postgresql"))
            #expect(!spans.contains { $0.operationName.contains(String(id)) }, "span names carry the route, not the path")

            // A caller's trace goes on: the span continues the trace its headers name (here, the in-memory tracer's own).
            await reviewer.set(header: InMemoryTracer.traceIDKey, "trace-from-the-proxy")
            await reviewer.set(header: InMemoryTracer.spanIDKey, "span-of-the-proxy")
            let continued = try await reviewer.get("/claims/\(id)")
            let child = try #require(tracer.finishedSpans.first {
                $0.attributes.get("request.id") == .string(continued.headers[HTTPField.Name(RequestID.header)!] ?? "")
            })
            #expect(child.traceID == "trace-from-the-proxy" && child.parentSpanID == "span-of-the-proxy")
        }
    }

    @Test("each background pass is a span of its own with its database calls under it")
    func backgroundSpans() async throws {
        let tracer = InMemoryTracer()
        try await WebHarness.with(telemetry: AppTelemetry(tracer: tracer)) { app in
            let sweeper = DeadlineSweeper(claims: app.deps.stores.claims, clock: app.clock, interval: .seconds(60),
                                          logger: Logger(label: "test"), telemetry: app.deps.telemetry)
            await sweeper.sweepOnce()
            let mail = MailDelivery(outbox: app.deps.stores.outbox, setting: app.deps.config.mailTransport, from: "Incentives <no-reply@x.example>",
                                    messageIDDomain: "x.example", clock: app.clock, interval: .seconds(5), logger: Logger(label: "test"),
                                    telemetry: app.deps.telemetry)
            await mail.deliverDue()
            let spans = tracer.finishedSpans
            for name in ["sweeper.pass", "mail.drain"] {
                let pass = try #require(spans.first { $0.operationName == name }, "no \(name) span")
                #expect(pass.parentSpanID == nil)
                #expect(spans.contains { $0.traceID == pass.traceID && $0.parentSpanID == pass.spanID && $0.operationName.hasPrefix("db.") })
            }
        }
    }
}
