import Foundation
import IncentivesDomain
import IncentivesStore
import Logging
import SQLKit

/// Every repository test runs on a fresh SQLite file, and on a fresh PostgreSQL database when
/// `TEST_DATABASE_URL` is set (scripts/test.sh starts one). Shared by the store and web test targets.
public enum TestDatabases {
    public static let now = Date(timeIntervalSince1970: 1_795_600_000) // 2026-11-25 (UTC)

    /// How long a test's call waits for a connection. Tests run side by side on two cores, and some queue a hundred
    /// writers on four connections: on a loaded machine 23 of 100 racing transactions once waited over 120 s without
    /// the database being down. A hang still ends: scripts/test.sh stops a run after 40 minutes and names it.
    public static let leaseTimeout: Duration = .seconds(600)

    /// How many PostgreSQL test databases may be open at once. Swift Testing starts every test at once, and each
    /// database holds up to five connections (its pool of four and the one that created it): with the suites of
    /// issue 20 that passed the test server's 400 connections ("sorry, too many clients already"). 64 × 5 = 320.
    static let postgresSlots = AsyncSemaphore(permits: 64)

    public static var flavors: [SQLFlavor] {
        ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    /// Opens an empty, migrated database of the flavor, runs `body`, and drops it. `migrations`: all, unless a test
    /// checks how one applies to data written before it; `logger`: the database's (a test may read what it logs).
    public static func with<T>(_ flavor: SQLFlavor, seeded: Bool = false, migrations: [Migration] = Migrator.all,
                               logger: Logger = Logger(label: "incentives.db"),
                               _ body: (Database) async throws -> T) async throws -> T {
        guard flavor == .postgres else { return try await open(flavor, seeded: seeded, migrations: migrations, logger: logger, body) }
        return try await postgresSlots.withPermit {
            try await open(flavor, seeded: seeded, migrations: migrations, logger: logger, body)
        }
    }

    private static func open<T>(_ flavor: SQLFlavor, seeded: Bool, migrations: [Migration], logger: Logger,
                                _ body: (Database) async throws -> T) async throws -> T {
        let name = "t_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        let location: DatabaseLocation
        var admin: Database?
        switch flavor {
        case .sqlite:
            location = .sqlite(path: FileManager.default.temporaryDirectory.appendingPathComponent("incentives-tests/\(name).sqlite").path)
        case .postgres:
            let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"]!
            let a = try await Database.open(try DatabaseLocation(parsing: url), maxConnections: 1, leaseTimeout: leaseTimeout)
            try await a.read { try await $0.raw(SQLQueryString("CREATE DATABASE \(name)")).run() }
            admin = a
            var parts = URLComponents(string: url)!
            parts.path = "/\(name)"
            location = .postgres(url: parts.string!)
        }
        let db = try await Database.open(location, maxConnections: 4, leaseTimeout: leaseTimeout, logger: logger)
        func cleanUp() async throws {
            await db.close()
            if case .sqlite(let path) = location {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            if let admin {
                try await admin.read { try await $0.raw(SQLQueryString("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")).run() }
                await admin.close()
            }
        }
        do {
            try await Migrator.migrate(db, clock: FixedClock(now), migrations: migrations)
            if seeded { try await Seeder(db: db).seedDemo(now: now, passwordCost: 4) }
            let result = try await body(db)
            try await cleanUp()
            return result
        } catch {
            try? await cleanUp()
            throw error
        }
    }
}
