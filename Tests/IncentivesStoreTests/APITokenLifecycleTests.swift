import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("API tokens after a password reset, and idempotency keys left behind, on SQLite and PostgreSQL")
struct APITokenLifecycleTests {
    let now = TestDatabases.now

    @Test("a new password revokes the user's API tokens, and only theirs", arguments: TestDatabases.flavors)
    func passwordResetRevokesTokens(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let w = try await AccountWorld.make(db, now: now)
            let ana = try await w.member("ana@cedar.example")
            let tokens = APITokenRepository(db: db)
            let anas = try await tokens.create(userID: ana, name: "CRM", scope: .write, now: now).1
            let admins = try await tokens.create(userID: w.admin, name: "CRM", scope: .write, now: now).1
            #expect(try await tokens.authenticate(anas, now: now) != nil)

            try await w.users.setPassword(userID: ana, passwordHash: PasswordHasher.hash("a brand new password", cost: 4),
                                          now: now.addingTimeInterval(60))
            #expect(try await tokens.authenticate(anas, now: now.addingTimeInterval(61)) == nil)
            #expect(try await tokens.list(userID: ana).allSatisfy { $0.revokedAt == now.addingTimeInterval(60) })
            #expect(try await tokens.authenticate(admins, now: now.addingTimeInterval(61))?.viewer.userID == w.admin)
        }
    }

    /// A token to hold idempotency keys.
    func token(_ db: Database) async throws -> Int64 {
        let w = try await AccountWorld.make(db, now: now)
        return try await APITokenRepository(db: db).create(userID: w.admin, name: "CRM", scope: .write, now: now).0.id
    }

    @Test("a key whose first request never finished is taken as abandoned after a few minutes", arguments: TestDatabases.flavors)
    func staleKeyAbandoned(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let tokens = APITokenRepository(db: db), id = try await token(db)
            #expect(try await tokens.claim(key: "k1", tokenID: id, requestHash: "a", now: now) == .fresh)
            // The process died here: neither finish nor abandon ran.
            #expect(try await tokens.claim(key: "k1", tokenID: id, requestHash: "a", now: now.addingTimeInterval(60)) == .inFlight)
            let later = now.addingTimeInterval(APITokenRepository.inFlightLimit + 1)
            #expect(try await tokens.claim(key: "k1", tokenID: id, requestHash: "a", now: later) == .fresh)
            #expect(try await tokens.claim(key: "k1", tokenID: id, requestHash: "a", now: later.addingTimeInterval(1)) == .inFlight)
            // A finished key is replayed however old, within the day.
            try await tokens.finish(key: "k1", tokenID: id, response: StoredResponse(status: 201, contentType: nil, headers: [:], body: [1]))
            let replay = try await tokens.claim(key: "k1", tokenID: id, requestHash: "a", now: later.addingTimeInterval(3600))
            #expect(replay == .replay(StoredResponse(status: 201, contentType: nil, headers: [:], body: [1])))
        }
    }

    @Test("the first uses of one key at the same moment: one runs, the others are told it is in flight", arguments: TestDatabases.flavors)
    func concurrentFirstUse(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor) { db in
            let tokens = APITokenRepository(db: db), id = try await token(db)
            for round in 0..<10 {
                let claims = try await withThrowingTaskGroup(of: IdempotencyClaim.self) { group in
                    for _ in 0..<8 { group.addTask { try await tokens.claim(key: "race-\(round)", tokenID: id, requestHash: "h", now: now) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(claims.filter { $0 == .fresh }.count == 1)
                #expect(claims.filter { $0 == .inFlight }.count == 7)
            }
        }
    }
}

@Suite("Migration 13 on a database seeded before it")
struct DemoAccountMigrationTests {
    @Test("the demo's sign-ins are marked as demo accounts; other users are not")
    func demoSignInsMarked() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-tests/m13-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try await Database.open(.sqlite(path: path))
        let clock = FixedClock(TestDatabases.now)
        try await Migrator.migrate(db, clock: clock, migrations: Migrator.all.filter { $0.number < 13 })
        try await db.write { sql in
            try await sql.raw("INSERT INTO seed_runs (name, seeded_at) VALUES ('demo', \(bind: clock.now))").run()
            for email in ["manager@vendor.example", "someone@vendor.example"] {
                try await sql.raw("""
                    INSERT INTO users (email, name, vendor_role, created_at) VALUES (\(bind: email), 'X', 'program_manager', \(bind: clock.now))
                    """).run()
            }
        }
        #expect(try await Migrator.migrate(db, clock: clock).contains(13))
        let users = UserRepository(db: db)
        #expect(try await users.find(email: "manager@vendor.example")?.isDemo == true)
        #expect(try await users.find(email: "someone@vendor.example")?.isDemo == false)
        #expect(try await users.demoUserCount() == 1)
        await db.close()
    }
}
