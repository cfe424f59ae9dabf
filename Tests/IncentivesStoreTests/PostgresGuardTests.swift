import Foundation
import IncentivesStore
import Testing

/// Without `TEST_DATABASE_URL` every PostgreSQL case drops out without a word; in CI that must be a failure.
@Suite("PostgreSQL guard")
struct PostgresGuardTests {
    /// Whether this run promises the PostgreSQL cases: `CI` set (scripts/test.sh exports it) or `REQUIRE_POSTGRES=1`.
    static func postgresRequired(_ environment: [String: String]) -> Bool {
        TestEnvironment.isCI(environment) || environment["REQUIRE_POSTGRES"] == "1"
    }

    @Test("in CI (or with REQUIRE_POSTGRES=1) the PostgreSQL cases run")
    func postgresCasesRan() {
        guard Self.postgresRequired(ProcessInfo.processInfo.environment) else { return }
        #expect(TestDatabases.flavors.contains(.postgres), """
            CI or REQUIRE_POSTGRES=1 is set, but TEST_DATABASE_URL is not, so every PostgreSQL test case was left out. \
            Set TEST_DATABASE_URL=postgres://USER@HOST:PORT/postgres (a server where the user may create databases; \
            scripts/test.sh starts one), or unset CI and REQUIRE_POSTGRES for a SQLite-only run.
            """)
    }

    @Test("which environments promise PostgreSQL")
    func requirement() {
        #expect(Self.postgresRequired(["CI": "1"]))
        #expect(Self.postgresRequired(["CI": "true"]))
        #expect(Self.postgresRequired(["REQUIRE_POSTGRES": "1"]))
        #expect(!Self.postgresRequired([:]))
        #expect(!Self.postgresRequired(["CI": ""]))
        #expect(!Self.postgresRequired(["CI": "0"]))
        #expect(!Self.postgresRequired(["CI": "false"]))
        #expect(!Self.postgresRequired(["REQUIRE_POSTGRES": "0"]))
    }
}
