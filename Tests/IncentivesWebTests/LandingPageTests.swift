import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import Testing

@Suite("Web app shell")
struct LandingPageTests {
    func withApp(demo: Bool, _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-web-\(UUID().uuidString).sqlite").path
        let db = try await Database.open(.sqlite(path: path))
        let clock = FixedClock(Date(timeIntervalSince1970: 1_795_600_000))
        try await Migrator.migrate(db, clock: clock)
        if demo { try await Seeder(db: db).seedDemo(now: clock.now, passwordCost: 4) }
        let deps = try await AppDependencies(config: AppConfig(demo: demo), db: db, clock: clock)
        let app = buildApplication(deps, logger: .init(label: "test"))
        do { try await app.test(.router, test) } catch { await db.close(); throw error }
        await db.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test("/health answers 200 ok")
    func health() async throws {
        try await withApp(demo: false) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok")
            }
        }
    }

    @Test("/ names the product, shows what the demo holds, and the demo sign-ins, with security headers")
    func landing() async throws {
        try await withApp(demo: true) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                let page = String(buffer: response.body)
                #expect(page.contains("<h1>Partner Incentives</h1>"))
                #expect(page.contains("Partner Incentives Program"))
                #expect(page.contains("<dt>Partner organizations</dt><dd>3</dd>"))
                #expect(page.contains("Kestrel IT"))
                for status in ClaimStatus.allCases { #expect(page.contains(status.label)) }
                #expect(page.contains("reviewer@vendor.example") && page.contains("demo-password"))
            }
        }
    }

    @Test("without demo mode no sign-ins or password are shown")
    func noDemoSecrets() async throws {
        try await withApp(demo: false) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(!page.contains("demo-password"))
                #expect(page.contains("<dt>Claims</dt><dd>0</dd>"))
            }
        }
    }

    @Test("static CSS is served; an unknown path is 404")
    func staticAndMissing() async throws {
        try await withApp(demo: false) { client in
            try await client.execute(uri: "/static/app.css", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/no-such-page", method: .get) { #expect($0.status == .notFound) }
        }
    }
}
