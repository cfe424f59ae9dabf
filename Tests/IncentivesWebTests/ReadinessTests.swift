import Foundation
import HTTPTypes
import HummingbirdTesting
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

@Suite("Readiness: /ready checks the database and its migrations; /health stays bare")
struct ReadinessTests {
    func ready(_ app: WebHarness) async throws -> (status: HTTPResponse.Status, body: [String: String]) {
        let response = try await app.client.executeRequest(uri: "/ready", method: .get, headers: [:], body: nil)
        let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: String]
        return (response.status, body ?? [:])
    }

    @Test("ready on a migrated database; 503 with the reason when a migration is missing; still ready when a newer build added one",
          arguments: TestDatabases.flavors)
    func migrations(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let fine = try await ready(app)
            #expect(fine.status == .ok && fine.body == ["status": "ready"])
            let last = try #require(Migrator.all.map(\.number).max())
            try await app.db.write { try await $0.raw("DELETE FROM schema_migrations WHERE number = \(bind: last)").run() }
            let missing = try await ready(app)
            #expect(missing.status == .serviceUnavailable && missing.body["status"] == "not_ready")
            #expect(missing.body["reason"] == "Migrations not applied: \(last) (run `incentives migrate`).")

            try await app.db.write { sql in
                for (number, name) in [(last, "back"), (999, "from a newer build")] {
                    try await sql.raw("""
                        INSERT INTO schema_migrations (number, name, applied_at) VALUES (\(bind: number), \(bind: name), \(bind: app.clock.now))
                        """).run()
                }
            }
            // A newer build migrated the database first (the upgrade order in docs/deploy.md): this instance, still on the
            // old build, has every migration it needs and stays in rotation until its own restart.
            let newer = try await ready(app)
            #expect(newer.status == .ok)
            #expect(newer.body["status"] == "ready")
            #expect(try await app.client.executeRequest(uri: "/health", method: .get, headers: [:], body: nil).status == .ok)
        }
    }

    @Test("503 within the short wait when the pool cannot answer, while /health still says ok", arguments: TestDatabases.flavors)
    func poolDown(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, configure: { $0.readyWait = .seconds(2) }) { app in
            await app.db.close()
            let started = ContinuousClock.now
            let down = try await ready(app)
            // The test pool would keep the probe waiting 600 s for a connection (TestDatabases.leaseTimeout); /ready
            // gives up after readyWait (2 s here). The bound is far from both, so a loaded machine can't fail it and a probe
            // that waits for the pool still does.
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(down.status == .serviceUnavailable && down.body["status"] == "not_ready")
            #expect(down.body["reason"]?.hasPrefix("The database did not answer") == true, "\(down.body)")
            let health = try await app.client.executeRequest(uri: "/health", method: .get, headers: [:], body: nil)
            #expect(health.status == .ok && String(buffer: health.body) == "ok" && health.headers[.setCookie] == nil)
        }
    }
}
