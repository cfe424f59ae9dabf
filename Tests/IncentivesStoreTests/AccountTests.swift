import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// Two organizations, three locations, and one account admin with a password.
struct AccountWorld {
    let db: Database
    let organization: Int64, otherOrganization: Int64
    let austin: Int64, denver: Int64, foreign: Int64
    /// Account admin on Austin only.
    let admin: Int64
    let now: Date

    var users: UserRepository { UserRepository(db: db) }

    static func make(_ db: Database, now: Date) async throws -> AccountWorld {
        func insert(_ query: SQLQueryString) async throws -> Int64 {
            try await db.write { try #require(try await $0.raw(query).first()).decode(column: "id", as: Int64.self) }
        }
        let organization = try await insert("INSERT INTO organizations (name, created_at) VALUES ('Cedar Systems', \(bind: now)) RETURNING id")
        let other = try await insert("INSERT INTO organizations (name, created_at) VALUES ('Kestrel IT', \(bind: now)) RETURNING id")
        func location(_ name: String, of org: Int64) async throws -> Int64 {
            try await insert("INSERT INTO locations (organization_id, name, country) VALUES (\(bind: org), \(bind: name), 'US') RETURNING id")
        }
        let austin = try await location("Austin", of: organization), denver = try await location("Denver", of: organization)
        let foreign = try await location("Lisbon", of: other)
        let users = UserRepository(db: db)
        let admin = try await users.add(email: "admin@cedar.example", name: "Ada Admin", organizationID: organization, vendorRole: nil,
                                        passwordHash: PasswordHasher.hash("admin password 1", cost: 4), now: now)
        try await users.grant(.accountAdmin, onLocation: austin, toUser: admin)
        return AccountWorld(db: db, organization: organization, otherOrganization: other, austin: austin, denver: denver,
                            foreign: foreign, admin: admin, now: now)
    }

    /// A partner user of the organization with a password and no roles.
    func member(_ email: String, organization: Int64? = nil) async throws -> Int64 {
        try await users.add(email: email, name: "Member \(email)", organizationID: organization ?? self.organization, vendorRole: nil,
                            passwordHash: PasswordHasher.hash("member password", cost: 4), now: now)
    }

    func roles(of userID: Int64) async throws -> [Int64: Set<LocationRole>] {
        try #require(try await users.viewer(userID)).locationRoles
    }

    func count(_ table: String) async throws -> Int {
        let query: SQLQueryString = "SELECT COUNT(*) AS n FROM \(unsafeRaw: table)"
        return try await db.read { try #require(try await $0.raw(query).first()).decode(column: "n", as: Int.self) }
    }
}

@Suite("Users, sessions and invitations on SQLite and PostgreSQL")
struct AccountTests {
    let now = TestDatabases.now

    func withWorld(_ flavor: SQLFlavor, _ body: (AccountWorld) async throws -> Void) async throws {
        try await TestDatabases.with(flavor) { db in try await body(try await AccountWorld.make(db, now: now)) }
    }

    /// Expects a `StoreError` of the given kind.
    func expectStoreError(_ kind: (StoreError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation,
                          _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected a StoreError", sourceLocation: sourceLocation)
        } catch let error as StoreError {
            #expect(kind(error), "got \(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a StoreError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    static func isNotFound(_ error: StoreError) -> Bool { if case .notFound = error { true } else { false } }
    static func isInvalid(_ error: StoreError) -> Bool { if case .invalid = error { true } else { false } }

    // MARK: Users and roles

    @Test("a user is added with a normalized email; the same email in other case is refused and nothing is stored",
          arguments: TestDatabases.flavors)
    func addAndDuplicate(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let id = try await w.users.add(email: "  Ana.Ruiz@Cedar.Example ", name: " Ana Ruiz ", organizationID: w.organization,
                                           vendorRole: nil, passwordHash: PasswordHasher.hash("a good password", cost: 4), now: now)
            let ana = try #require(try await w.users.find(email: "ANA.RUIZ@cedar.example"))
            #expect(ana.id == id && ana.email == "ana.ruiz@cedar.example" && ana.name == "Ana Ruiz")
            #expect(ana.organizationID == w.organization && ana.organizationName == "Cedar Systems" && ana.vendorRole == nil)
            #expect(ana.hasPassword && ana.roles.isEmpty && ana.createdAt == now)
            let credentials = try #require(try await w.users.credentials(email: "ana.ruiz@cedar.example"))
            let hash = try #require(credentials.passwordHash)
            #expect(credentials.id == id && PasswordHasher.verify("a good password", hash: hash))

            let before = try await w.count("users")
            await expectStoreError(Self.isInvalid) {
                _ = try await w.users.add(email: "ANA.RUIZ@cedar.example", name: "Someone Else", organizationID: nil, vendorRole: .reviewer,
                                          passwordHash: nil, now: now)
            }
            await expectStoreError(Self.isInvalid) { // neither organization nor vendor role
                _ = try await w.users.add(email: "b@cedar.example", name: "B", organizationID: nil, vendorRole: nil, passwordHash: nil, now: now)
            }
            await expectStoreError(Self.isInvalid) { // both
                _ = try await w.users.add(email: "b@cedar.example", name: "B", organizationID: w.organization, vendorRole: .reviewer,
                                          passwordHash: nil, now: now)
            }
            await expectStoreError(Self.isInvalid) {
                _ = try await w.users.add(email: "not an email", name: "B", organizationID: w.organization, vendorRole: nil, passwordHash: nil, now: now)
            }
            await expectStoreError(Self.isInvalid) {
                _ = try await w.users.add(email: "b@cedar.example", name: "  ", organizationID: w.organization, vendorRole: nil, passwordHash: nil, now: now)
            }
            await expectStoreError(Self.isNotFound) {
                _ = try await w.users.add(email: "b@cedar.example", name: "B", organizationID: 9_999, vendorRole: nil, passwordHash: nil, now: now)
            }
            #expect(try await w.count("users") == before)

            let reviewer = try await w.users.add(email: "rev@vendor.example", name: "Jordan Lee", organizationID: nil, vendorRole: .reviewer,
                                                 passwordHash: nil, now: now)
            #expect(try await w.users.viewer(reviewer)?.membership == .vendor(.reviewer))
            #expect(try await w.users.list(organizationID: w.organization).map(\.email) == ["admin@cedar.example", "ana.ruiz@cedar.example"])
            #expect(try await w.users.list(organizationID: nil).count == 3)
            #expect(try await w.users.organizationID(named: "cedar systems") == w.organization)
            #expect(try await w.users.locations(ofOrganization: w.organization).map(\.name) == ["Austin", "Denver"])
        }
    }

    @Test("roles are granted and revoked on the user's own locations, within what the caller administers",
          arguments: TestDatabases.flavors)
    func grantAndRevoke(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let ana = try await w.member("ana@cedar.example")
            try await w.users.grant(.incentivesUser, onLocation: w.austin, toUser: ana)
            try await w.users.grant(.incentivesUser, onLocation: w.austin, toUser: ana) // twice is once
            try await w.users.grant(.incentivesAdmin, onLocation: w.austin, toUser: ana, administered: [w.austin])
            #expect(try await w.roles(of: ana) == [w.austin: [.incentivesUser, .incentivesAdmin]])

            // Another organization's location, or one the caller does not administer, does not exist for this user.
            await expectStoreError(Self.isNotFound) { try await w.users.grant(.incentivesUser, onLocation: w.foreign, toUser: ana) }
            await expectStoreError(Self.isNotFound) { try await w.users.grant(.incentivesUser, onLocation: 9_999, toUser: ana) }
            await expectStoreError(Self.isNotFound) {
                try await w.users.grant(.incentivesUser, onLocation: w.denver, toUser: ana, administered: [w.austin])
            }
            await expectStoreError(Self.isNotFound) {
                try await w.users.revoke(.incentivesUser, onLocation: w.austin, fromUser: ana, administered: [w.denver])
            }
            let kestrel = try await w.member("kai@kestrel.example", organization: w.otherOrganization)
            await expectStoreError(Self.isNotFound) { try await w.users.grant(.incentivesUser, onLocation: w.austin, toUser: kestrel) }
            let reviewer = try await w.users.add(email: "rev@vendor.example", name: "Jordan Lee", organizationID: nil, vendorRole: .reviewer,
                                                 passwordHash: nil, now: now)
            await expectStoreError(Self.isNotFound) { try await w.users.grant(.incentivesUser, onLocation: w.austin, toUser: reviewer) }
            #expect(try await w.roles(of: ana) == [w.austin: [.incentivesUser, .incentivesAdmin]])
            #expect(try await w.roles(of: kestrel).isEmpty)

            try await w.users.revoke(.incentivesUser, onLocation: w.austin, fromUser: ana, administered: [w.austin])
            #expect(try await w.roles(of: ana) == [w.austin: [.incentivesAdmin]])
            try await w.users.revoke(.incentivesUser, onLocation: w.austin, fromUser: ana) // not held: nothing happens
            try await w.users.revoke(.incentivesAdmin, onLocation: w.austin, fromUser: ana)
            #expect(try await w.roles(of: ana).isEmpty)
            #expect(try await w.users.member(ana, ofOrganization: w.organization)?.email == "ana@cedar.example")
            #expect(try await w.users.member(ana, ofOrganization: w.otherOrganization) == nil)
        }
    }

    @Test("the last account admin with a password cannot be revoked", arguments: TestDatabases.flavors)
    func lastAccountAdmin(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            await expectStoreError(Self.isInvalid) { try await w.users.revoke(.accountAdmin, onLocation: w.austin, fromUser: w.admin) }
            #expect(try await w.roles(of: w.admin) == [w.austin: [.accountAdmin]])

            // An invited admin who cannot sign in yet does not count.
            let inviter = try #require(try await w.users.viewer(w.admin))
            _ = try await w.users.invite(email: "new@cedar.example", name: "New", roles: [(w.austin, .accountAdmin)], by: inviter, now: now)
            await expectStoreError(Self.isInvalid) { try await w.users.revoke(.accountAdmin, onLocation: w.austin, fromUser: w.admin) }

            // The admin's own role on a second location counts; so does another admin's.
            try await w.users.grant(.accountAdmin, onLocation: w.denver, toUser: w.admin)
            try await w.users.revoke(.accountAdmin, onLocation: w.austin, fromUser: w.admin)
            await expectStoreError(Self.isInvalid) { try await w.users.revoke(.accountAdmin, onLocation: w.denver, fromUser: w.admin) }
            let bea = try await w.member("bea@cedar.example")
            try await w.users.grant(.accountAdmin, onLocation: w.austin, toUser: bea)
            try await w.users.revoke(.accountAdmin, onLocation: w.denver, fromUser: w.admin)
            #expect(try await w.roles(of: w.admin).isEmpty)
            await expectStoreError(Self.isInvalid) { try await w.users.revoke(.accountAdmin, onLocation: w.austin, fromUser: bea) }

            // Another organization's admins do not count for this one.
            let kai = try await w.member("kai@kestrel.example", organization: w.otherOrganization)
            try await w.users.grant(.accountAdmin, onLocation: w.foreign, toUser: kai)
            await expectStoreError(Self.isInvalid) { try await w.users.revoke(.accountAdmin, onLocation: w.austin, fromUser: bea) }
        }
    }

    @Test("a new password ends every session of the user, and only theirs", arguments: TestDatabases.flavors)
    func setPasswordEndsSessions(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let ana = try await w.member("ana@cedar.example")
            let sessions = SessionRepository(db: w.db)
            let first = try await sessions.start(userID: ana, address: "10.0.0.1", userAgent: "test", now: now)
            let second = try await sessions.start(userID: ana, address: "10.0.0.2", userAgent: "test", now: now)
            let admins = try await sessions.start(userID: w.admin, address: "10.0.0.3", userAgent: "test", now: now)

            try await w.users.setPassword(userID: ana, passwordHash: PasswordHasher.hash("a brand new password", cost: 4), now: now)
            #expect(try await sessions.resume(token: first.token, now: now) == nil)
            #expect(try await sessions.resume(token: second.token, now: now) == nil)
            #expect(try await sessions.resume(token: admins.token, now: now)?.viewer.userID == w.admin)
            #expect(try await w.count("sessions") == 1)
            let hash = try #require(try await w.users.credentials(email: "ana@cedar.example")?.passwordHash)
            #expect(PasswordHasher.verify("a brand new password", hash: hash) && !PasswordHasher.verify("member password", hash: hash))

            await expectStoreError(Self.isNotFound) { try await w.users.setPassword(userID: 9_999, passwordHash: hash, now: now) }
        }
    }

    // MARK: Sessions

    let policy = SessionPolicy(idle: 30 * 60, absolute: 12 * 3600, touchEvery: 60)

    func lastSeen(_ token: String, in db: Database) async throws -> Date? {
        try await db.read { sql in
            try await sql.raw("SELECT last_seen_at FROM sessions WHERE token_hash = \(bind: Secret.hash(token))").first()?
                .decode(column: "last_seen_at", as: Date.self)
        }
    }

    @Test("a session resumes with its viewer and CSRF token, and ends on sign-out", arguments: TestDatabases.flavors)
    func sessionLifecycle(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let sessions = SessionRepository(db: w.db, policy: policy)
            let started = try await sessions.start(userID: w.admin, address: "10.0.0.1", userAgent: "test", now: now)
            #expect(started.token != started.csrfToken)
            let resumed = try #require(try await sessions.resume(token: started.token, now: now.addingTimeInterval(5)))
            #expect(resumed.viewer.userID == w.admin && resumed.viewer.email == "admin@cedar.example")
            #expect(resumed.viewer.administeredLocations == [w.austin])
            #expect(resumed.csrfToken == started.csrfToken && resumed.createdAt == now)
            // Only the token's hash is stored.
            let stored = try await w.db.read { sql in
                try await sql.raw("SELECT token_hash FROM sessions").all().map { try $0.decode(column: "token_hash", as: String.self) }
            }
            #expect(stored == [Secret.hash(started.token)])
            #expect(try await sessions.resume(token: "not-a-token", now: now) == nil)

            try await sessions.end(token: started.token)
            #expect(try await sessions.resume(token: started.token, now: now.addingTimeInterval(10)) == nil)
            try await sessions.end(token: started.token) // ending twice is fine
            #expect(try await w.count("sessions") == 0)
        }
    }

    @Test("after the idle time a session is gone", arguments: TestDatabases.flavors)
    func idleExpiry(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let sessions = SessionRepository(db: w.db, policy: policy)
            let kept = try await sessions.start(userID: w.admin, address: "a", userAgent: "t", now: now)
            let idle = try await sessions.start(userID: w.admin, address: "a", userAgent: "t", now: now)
            #expect(try await sessions.resume(token: kept.token, now: now.addingTimeInterval(29 * 60 + 59)) != nil)
            #expect(try await sessions.resume(token: idle.token, now: now.addingTimeInterval(30 * 60)) == nil)
            #expect(try await lastSeen(idle.token, in: w.db) == nil) // deleted on sight
            // The visit at 29:59 moved the other session's idle limit on.
            #expect(try await sessions.resume(token: kept.token, now: now.addingTimeInterval(59 * 60)) != nil)
        }
    }

    @Test("after the absolute time a session is gone however busy it was", arguments: TestDatabases.flavors)
    func absoluteExpiry(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let sessions = SessionRepository(db: w.db, policy: policy)
            let started = try await sessions.start(userID: w.admin, address: "a", userAgent: "t", now: now)
            var t = now
            while t < now.addingTimeInterval(policy.absolute - 20 * 60) {
                t += 20 * 60
                #expect(try await sessions.resume(token: started.token, now: t) != nil)
            }
            #expect(try await lastSeen(started.token, in: w.db) == now.addingTimeInterval(11 * 3600 + 40 * 60))
            #expect(try await sessions.resume(token: started.token, now: now.addingTimeInterval(policy.absolute)) == nil)
            #expect(try await lastSeen(started.token, in: w.db) == nil)
        }
    }

    @Test("last-seen is written only once touchEvery has passed", arguments: TestDatabases.flavors)
    func touchEvery(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let sessions = SessionRepository(db: w.db, policy: policy)
            let started = try await sessions.start(userID: w.admin, address: "a", userAgent: "t", now: now)
            _ = try await sessions.resume(token: started.token, now: now.addingTimeInterval(59))
            #expect(try await lastSeen(started.token, in: w.db) == now)
            _ = try await sessions.resume(token: started.token, now: now.addingTimeInterval(60))
            #expect(try await lastSeen(started.token, in: w.db) == now.addingTimeInterval(60))
            _ = try await sessions.resume(token: started.token, now: now.addingTimeInterval(100))
            #expect(try await lastSeen(started.token, in: w.db) == now.addingTimeInterval(60))
        }
    }

    @Test("purge deletes dead sessions, failed attempts past the window and sign-ins past the trust", arguments: TestDatabases.flavors)
    func purge(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let sessions = SessionRepository(db: w.db, policy: policy)
            let throttle = SignInThrottle(window: 15 * 60, trustedFor: 3600)
            let later = now.addingTimeInterval(12 * 3600)
            // Busy until a minute ago, but started 12 hours ago: past the absolute limit.
            let old = try await sessions.start(userID: w.admin, address: "a", userAgent: "t", now: now)
            try await w.db.write { sql in
                try await sql.raw("""
                    UPDATE sessions SET last_seen_at = \(bind: later.addingTimeInterval(-60)) WHERE token_hash = \(bind: Secret.hash(old.token))
                    """).run()
            }
            _ = try await sessions.start(userID: w.admin, address: "a", userAgent: "t", now: later.addingTimeInterval(-30 * 60)) // idle
            let alive = try await sessions.start(userID: w.admin, address: "a", userAgent: "t", now: later.addingTimeInterval(-29 * 60))
            func attempt(minutesAgo: Double, succeeded: Bool) async throws {
                let admission = try await sessions.beginSignIn(account: "x@example.com", address: "a",
                                                               now: later.addingTimeInterval(-minutesAgo * 60), throttle: throttle)
                guard case .admitted(let id) = admission else { Issue.record("refused"); return }
                try await sessions.finishSignIn(attemptID: id, succeeded: succeeded)
            }
            try await attempt(minutesAgo: 61, succeeded: true)  // past the trust: gone
            try await attempt(minutesAgo: 59, succeeded: true)  // kept
            try await attempt(minutesAgo: 15, succeeded: false) // past the window: gone
            try await attempt(minutesAgo: 14, succeeded: false) // kept

            #expect(try await sessions.purge(now: later, throttle: throttle) == 2)
            #expect(try await w.count("sessions") == 1)
            #expect(try await sessions.resume(token: alive.token, now: later) != nil)
            #expect(try await w.count("sign_in_attempts") == 2)
            #expect(try await sessions.purge(now: later, throttle: throttle) == 0)
        }
    }

    @Test("attempts at one instant, in parallel: the throttle's free ones are admitted, the others refused and not kept",
          arguments: TestDatabases.flavors)
    func parallelAttempts(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let sessions = SessionRepository(db: w.db)
            // Every pooled connection open first, so the attempts really run side by side.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await w.db.read { _ in try await Task.sleep(for: .milliseconds(50)) } } }
                try await group.waitForAll()
            }
            let admissions = try await withThrowingTaskGroup(of: SessionRepository.SignInAdmission.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await sessions.beginSignIn(account: "ana@cedar.example", address: "10.0.0.1", now: now) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let admitted = admissions.compactMap { if case .admitted(let id) = $0 { id } else { nil } }
            #expect(admitted.count == SignInThrottle.standard.freePerPair)
            #expect(admissions.filter { $0 == .refused(until: now.addingTimeInterval(2)) }.count == 20 - admitted.count)
            #expect(try await w.count("sign_in_attempts") == admitted.count)
            for id in admitted { try await sessions.finishSignIn(attemptID: id, succeeded: false) }
            // Another address on the same account, and the same address once the wait is over.
            #expect(try await sessions.beginSignIn(account: "ana@cedar.example", address: "10.0.0.2", now: now) != .refused(until: now.addingTimeInterval(2)))
            if case .refused = try await sessions.beginSignIn(account: "ana@cedar.example", address: "10.0.0.1", now: now.addingTimeInterval(2)) {
                Issue.record("the wait was over")
            }
        }
    }

    // MARK: Invitations

    @Test("an invitation makes a user without a password; the link works once, until it expires", arguments: TestDatabases.flavors)
    func invitationLifecycle(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let inviter = try #require(try await w.users.viewer(w.admin))
            let secret = try await w.users.invite(email: "New.Person@Cedar.Example", name: "New Person",
                                                  roles: [(w.austin, .incentivesUser), (w.austin, .incentivesAdmin)], by: inviter, now: now)
            let invited = try #require(try await w.users.find(email: "new.person@cedar.example"))
            #expect(!invited.hasPassword && invited.roles == [w.austin: [.incentivesUser, .incentivesAdmin]])
            let credentials = try #require(try await w.users.credentials(email: "new.person@cedar.example"))
            #expect(credentials.id == invited.id && credentials.passwordHash == nil)

            let expires = now.addingTimeInterval(7 * 86_400)
            let open = try #require(try await w.users.invitation(secret: secret, now: now))
            #expect(open.userID == invited.id && open.email == "new.person@cedar.example" && open.name == "New Person")
            #expect(open.organizationName == "Cedar Systems" && open.expiresAt == expires)
            #expect(try await w.users.invitation(secret: secret, now: expires.addingTimeInterval(-1)) != nil)
            #expect(try await w.users.invitation(secret: secret, now: expires) == nil)
            #expect(try await w.users.invitation(secret: "not-a-secret", now: now) == nil)
            await expectStoreError(Self.isNotFound) {
                _ = try await w.users.accept(secret: secret, name: "Late", passwordHash: "x", now: expires)
            }

            let acceptedAt = now.addingTimeInterval(3600)
            let id = try await w.users.accept(secret: secret, name: " Nova Person ", passwordHash: PasswordHasher.hash("my own password", cost: 4),
                                              now: acceptedAt)
            #expect(id == invited.id)
            let accepted = try #require(try await w.users.find(email: "new.person@cedar.example"))
            #expect(accepted.hasPassword && accepted.name == "Nova Person")
            let hash = try #require(try await w.users.credentials(email: accepted.email)?.passwordHash)
            #expect(PasswordHasher.verify("my own password", hash: hash))

            #expect(try await w.users.invitation(secret: secret, now: acceptedAt) == nil)
            await expectStoreError(Self.isNotFound) {
                _ = try await w.users.accept(secret: secret, name: "Again", passwordHash: "x", now: acceptedAt.addingTimeInterval(1))
            }
            #expect(try await w.users.credentials(email: accepted.email)?.passwordHash == hash)
        }
    }

    @Test("a new link voids the old one; an accepted user needs none", arguments: TestDatabases.flavors)
    func reinvite(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let inviter = try #require(try await w.users.viewer(w.admin))
            let first = try await w.users.invite(email: "new@cedar.example", name: "New", roles: [(w.austin, .incentivesUser)], by: inviter, now: now)
            let userID = try #require(try await w.users.find(email: "new@cedar.example")).id
            let second = try await w.users.reinvite(userID: userID, by: inviter, now: now.addingTimeInterval(60))
            #expect(second != first)
            #expect(try await w.users.invitation(secret: first, now: now.addingTimeInterval(61)) == nil)
            #expect(try await w.users.invitation(secret: second, now: now.addingTimeInterval(61))?.expiresAt == now.addingTimeInterval(60 + 7 * 86_400))
            await expectStoreError(Self.isNotFound) {
                _ = try await w.users.accept(secret: first, name: "New", passwordHash: "x", now: now.addingTimeInterval(61))
            }

            // Someone of another organization is not found, whoever asks.
            let kai = try await w.member("kai@kestrel.example", organization: w.otherOrganization)
            await expectStoreError(Self.isNotFound) { _ = try await w.users.reinvite(userID: kai, by: inviter, now: now) }

            _ = try await w.users.accept(secret: second, name: "New", passwordHash: PasswordHasher.hash("my own password", cost: 4),
                                         now: now.addingTimeInterval(120))
            await expectStoreError(Self.isInvalid) { _ = try await w.users.reinvite(userID: userID, by: inviter, now: now.addingTimeInterval(180)) }
        }
    }

    @Test("once an operator sets the invited user's password, the open link no longer works", arguments: TestDatabases.flavors)
    func passwordVoidsInvitation(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let inviter = try #require(try await w.users.viewer(w.admin))
            let secret = try await w.users.invite(email: "new@cedar.example", name: "New", roles: [(w.austin, .incentivesUser)], by: inviter, now: now)
            let userID = try #require(try await w.users.find(email: "new@cedar.example")).id
            let hash = PasswordHasher.hash("set by the operator", cost: 4)
            try await w.users.setPassword(userID: userID, passwordHash: hash, now: now)
            #expect(try await w.users.invitation(secret: secret, now: now) == nil)
            await expectStoreError(Self.isNotFound) {
                _ = try await w.users.accept(secret: secret, name: "Someone", passwordHash: "x", now: now.addingTimeInterval(60))
            }
            #expect(try await w.users.credentials(email: "new@cedar.example")?.passwordHash == hash)
        }
    }

    @Test("an invitation onto a location the inviter does not administer is refused and leaves no user behind",
          arguments: TestDatabases.flavors)
    func inviteOutsideAdministered(flavor: SQLFlavor) async throws {
        try await withWorld(flavor) { w in
            let inviter = try #require(try await w.users.viewer(w.admin)) // administers Austin only
            let users = try await w.count("users"), roles = try await w.count("user_location_roles")
            for location in [w.denver, w.foreign, 9_999] {
                await expectStoreError(Self.isNotFound) {
                    _ = try await w.users.invite(email: "new@cedar.example", name: "New",
                                                 roles: [(w.austin, .incentivesUser), (location, .incentivesUser)], by: inviter, now: now)
                }
            }
            await expectStoreError(Self.isInvalid) {
                _ = try await w.users.invite(email: "new@cedar.example", name: "New", roles: [], by: inviter, now: now)
            }
            await expectStoreError(Self.isInvalid) { // the email is taken
                _ = try await w.users.invite(email: "ADMIN@cedar.example", name: "New", roles: [(w.austin, .incentivesUser)], by: inviter, now: now)
            }
            // Someone who administers nothing invites no one.
            let ana = try await w.member("ana@cedar.example")
            try await w.users.grant(.incentivesAdmin, onLocation: w.austin, toUser: ana)
            let notAdmin = try #require(try await w.users.viewer(ana))
            await expectStoreError(Self.isNotFound) {
                _ = try await w.users.invite(email: "new@cedar.example", name: "New", roles: [(w.austin, .incentivesUser)], by: notAdmin, now: now)
            }
            #expect(try await w.users.find(email: "new@cedar.example") == nil)
            #expect(try await w.count("users") == users + 1) // Ana only
            #expect(try await w.count("user_location_roles") == roles + 1) // Ana's role only
            #expect(try await w.count("invitations") == 0)
        }
    }
}
