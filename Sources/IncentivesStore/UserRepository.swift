import Crypto
import Foundation
import HummingbirdBcrypt
import IncentivesDomain
import SQLKit

/// A user as the users page and the command line show them.
public struct UserRecord: Sendable, Hashable {
    public var id: Int64
    public var email: String
    public var name: String
    public var organizationID: Int64?
    public var organizationName: String?
    public var vendorRole: VendorRole?
    /// False while an invitation is not yet accepted: such a user cannot sign in.
    public var hasPassword: Bool
    public var createdAt: Date
    public var timeZone: String
    public var roles: [Int64: Set<LocationRole>]
    /// Seeded by the demo, with the published password: usable only while the server runs in demo mode.
    public var isDemo = false

    public var viewer: Viewer {
        Viewer(userID: id, email: email, name: name,
               membership: vendorRole.map { .vendor($0) } ?? .partner(organizationID: organizationID ?? 0, roles: roles),
               organizationName: organizationName ?? "", timeZone: TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!)
    }
}

/// A location as pickers and role tables show it (decoded as is from its `locations` columns).
public struct LocationSummary: Sendable, Hashable, Decodable {
    public var id: Int64
    public var name: String
    public var country: String
}

/// Secrets for cookies and links: 256 random bits, URL-safe; only their SHA-256 is stored.
public enum Secret {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encode(Data(bytes))
    }

    /// Lower-case hex of the SHA-256, by table: it runs on every signed-in request and every API call, and
    /// `String(format:)` costs microseconds a byte on Linux.
    public static func hash(_ secret: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(secret.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Whether two secrets are equal, in a time that depends on their length only, never on where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Password hashing in one place; the cost is a parameter so tests and the demo stay fast.
public enum PasswordHasher {
    public static let productionCost: UInt8 = 12

    public static func hash(_ password: String, cost: UInt8 = productionCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    public static func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// A hash no password matches: signing in as an unknown user costs the same time as a wrong password.
    public static let decoy = Bcrypt.hash("no password matches this decoy hash", cost: productionCost)
}

/// Users, their organization and their roles per location; invitations.
public struct UserRepository: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// What a signed-in user may see and do; nil for an unknown user, and for a demo account unless `acceptsDemoUsers`.
    public func viewer(_ userID: Int64, acceptsDemoUsers: Bool = false) async throws -> Viewer? {
        let record = try await db.read { try await Self.records(where: "u.id = \(bind: userID)", on: $0).first }
        guard let record, acceptsDemoUsers || !record.isDemo else { return nil }
        return record.viewer
    }

    /// The user with this email, for signing in.
    public func credentials(email: String) async throws -> (id: Int64, passwordHash: String?, isDemo: Bool)? {
        guard let email = Credentials.normalizedEmail(email) else { return nil }
        return try await db.read { sql in
            guard let row = try await sql.raw("SELECT id, password_hash, demo FROM users WHERE email = \(bind: email)")
                .first(decoding: CredentialsRow.self, with: .snakeCase) else { return nil }
            return (row.id, row.passwordHash, row.demo)
        }
    }

    /// How many demo accounts the database holds (a warning at start-up outside demo mode).
    /// How many program managers can run the program (nobody can sign in to a fresh database until one exists).
    public func programManagerCount() async throws -> Int {
        try await db.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM users WHERE vendor_role = 'program_manager'").first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    public func demoUserCount() async throws -> Int {
        try await db.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM users WHERE demo = \(bind: true)").first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    public func find(email: String) async throws -> UserRecord? {
        guard let email = Credentials.normalizedEmail(email) else { return nil }
        return try await db.read { try await Self.records(where: "u.email = \(bind: email)", on: $0).first }
    }

    /// Users of one organization (or, with nil, everyone), by name.
    public func list(organizationID: Int64?) async throws -> [UserRecord] {
        try await db.read { sql in
            if let organizationID {
                return try await Self.records(where: "u.organization_id = \(bind: organizationID)", on: sql)
            }
            return try await Self.records(where: "1 = 1", on: sql)
        }
    }

    /// A user of an organization, seen from an account admin of it; nil for anyone else's.
    public func member(_ userID: Int64, ofOrganization organizationID: Int64) async throws -> UserRecord? {
        try await db.read {
            try await Self.records(where: "u.id = \(bind: userID) AND u.organization_id = \(bind: organizationID)", on: $0).first
        }
    }

    public func organizationID(named name: String) async throws -> Int64? {
        try await db.read { sql in
            try await sql.raw("SELECT id FROM organizations WHERE lower(name) = lower(\(bind: name))").first(decodingColumn: "id", as: Int64.self)
        }
    }

    public func organizationName(_ id: Int64) async throws -> String? {
        try await db.read { sql in
            try await sql.raw("SELECT name FROM organizations WHERE id = \(bind: id)").first(decodingColumn: "name", as: String.self)
        }
    }

    /// The organization's locations, by name.
    public func locations(ofOrganization organizationID: Int64) async throws -> [LocationSummary] {
        try await db.read { sql in
            try await sql.raw("SELECT id, name, country FROM locations WHERE organization_id = \(bind: organizationID) ORDER BY name, id")
                .all(decoding: LocationSummary.self, with: .snakeCase)
        }
    }

    /// Adds a user with a password (the command line) or without one (an invitation).
    /// A partner user needs an organization, a vendor user a vendor role, never both.
    public func add(email rawEmail: String, name rawName: String, organizationID: Int64?, vendorRole: VendorRole?,
                    passwordHash: String?, now: Date) async throws -> Int64 {
        try await db.write { sql in
            try await Self.insertUser(email: rawEmail, name: rawName, organizationID: organizationID, vendorRole: vendorRole,
                                      passwordHash: passwordHash, now: now, on: sql)
        }
    }

    /// Grants a role on a location of the user's own organization. `administered` limits the locations
    /// the caller may change (nil: any, for operators); others answer not found.
    public func grant(_ role: LocationRole, onLocation locationID: Int64, toUser userID: Int64, administered: Set<Int64>? = nil) async throws {
        try await db.write { sql in
            try await Self.checkLocation(locationID, ofUser: userID, administered: administered, on: sql)
            let held = try await sql.raw("""
                SELECT 1 AS held FROM user_location_roles WHERE user_id = \(bind: userID) AND location_id = \(bind: locationID) AND role = \(bind: role.rawValue)
                """).first()
            guard held == nil else { return }
            try await sql.raw("INSERT INTO user_location_roles (user_id, location_id, role) VALUES (\(bind: userID), \(bind: locationID), \(bind: role.rawValue))").run()
        }
    }

    /// Takes a role away. An organization keeps at least one account admin, so nobody locks it out of its own users.
    public func revoke(_ role: LocationRole, onLocation locationID: Int64, fromUser userID: Int64, administered: Set<Int64>? = nil) async throws {
        try await db.write { sql in
            let organizationID = try await Self.checkLocation(locationID, ofUser: userID, administered: administered, on: sql)
            if role == .accountAdmin {
                if db.flavor == .postgres {
                    // Two admins revoking each other at once must not both see "someone else is left".
                    try await sql.raw("SELECT id FROM organizations WHERE id = \(bind: organizationID) FOR UPDATE").run()
                }
                let others = try await sql.raw("""
                    SELECT COUNT(DISTINCT r.user_id) AS n FROM user_location_roles r JOIN users u ON u.id = r.user_id
                    WHERE u.organization_id = \(bind: organizationID) AND r.role = 'account_admin' AND u.password_hash IS NOT NULL
                      AND NOT (r.user_id = \(bind: userID) AND r.location_id = \(bind: locationID))
                    """).first(decodingColumn: "n", as: Int.self) ?? 0
                if others == 0 {
                    throw StoreError.invalid(field: "role", "The organization needs at least one account admin; grant the role to someone else first.")
                }
            }
            try await sql.raw("""
                DELETE FROM user_location_roles WHERE user_id = \(bind: userID) AND location_id = \(bind: locationID) AND role = \(bind: role.rawValue)
                """).run()
        }
    }

    /// Sets a new password, ends every session of the user and revokes their API tokens and calendar address: after a
    /// reset nothing made with the old password still works. A demo account given a password of its own is an ordinary account.
    public func setPassword(userID: Int64, passwordHash: String, now: Date) async throws {
        try await db.write { sql in
            let found = try await sql.raw("SELECT id FROM users WHERE id = \(bind: userID)").first()
            guard found != nil else { throw StoreError.notFound("No such user.") }
            try await sql.raw("""
                UPDATE users SET password_hash = \(bind: passwordHash), demo = \(bind: false) WHERE id = \(bind: userID)
                """).run()
            try await sql.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
            try await sql.raw("UPDATE api_tokens SET revoked_at = \(bind: now) WHERE user_id = \(bind: userID) AND revoked_at IS NULL").run()
            try await sql.raw("DELETE FROM calendar_feeds WHERE user_id = \(bind: userID)").run()
        }
    }

    // MARK: Invitations

    /// An open invitation: who it is for and from which organization.
    public struct Invitation: Sendable, Hashable {
        public var userID: Int64
        public var email: String
        public var name: String
        public var organizationName: String
        public var expiresAt: Date
    }

    /// Invites a colleague into the inviter's organization with roles on locations the inviter administers.
    /// Returns the invitation link's secret, which is stored only as a hash.
    /// `mail` writes the invitation email (given the link's secret and the invitee's name) to the outbox
    /// in the same transaction, so there is never an invitation without its email, nor the reverse.
    public func invite(email: String, name: String, roles: [(locationID: Int64, role: LocationRole)], by inviter: Viewer,
                       now: Date, validFor: TimeInterval = 7 * 86_400,
                       mail: (@Sendable (_ secret: String, _ name: String) -> MailMessage)? = nil) async throws -> String {
        guard let organizationID = inviter.organizationID, !inviter.administeredLocations.isEmpty else {
            throw StoreError.notFound("Only an account admin of a partner organization invites users.")
        }
        guard !roles.isEmpty else { throw StoreError.invalid(field: "roles", "Choose at least one role on one location.") }
        let secret = Secret.make()
        try await db.write { sql in
            try await Self.checkInvitable(email, organizationID: organizationID, on: sql)
            let userID = try await Self.insertUser(email: email, name: name, organizationID: organizationID, vendorRole: nil,
                                                   passwordHash: nil, now: now, on: sql)
            for (locationID, role) in roles {
                try await Self.checkLocation(locationID, ofUser: userID, administered: inviter.administeredLocations, on: sql)
                try await sql.raw("INSERT INTO user_location_roles (user_id, location_id, role) VALUES (\(bind: userID), \(bind: locationID), \(bind: role.rawValue))").run()
            }
            try await Self.insertInvitation(secret: secret, userID: userID, invitedBy: inviter.userID, now: now, validFor: validFor, on: sql)
            if let mail { try await Outbox.enqueue(mail(secret, name), now: now, on: sql) }
        }
        return secret
    }

    /// A new link for a user who has not accepted yet; earlier links stop working. `mail` as for `invite`.
    /// The program manager re-sends a partner organization's first admin invitation (`PartnerDirectory.inviteFirstAdmin`).
    public func reinvite(userID: Int64, by inviter: Viewer, now: Date, validFor: TimeInterval = 7 * 86_400,
                         mail: (@Sendable (_ secret: String, _ name: String) -> MailMessage)? = nil) async throws -> String {
        let scope: SQLQueryString
        if inviter.vendorRole == .programManager {
            scope = "organization_id IS NOT NULL"
        } else if let organizationID = inviter.organizationID, !inviter.administeredLocations.isEmpty {
            scope = "organization_id = \(bind: organizationID)"
        } else {
            throw StoreError.notFound("No such user.")
        }
        let secret = Secret.make()
        try await db.write { sql in
            let row = try await sql.raw("""
                SELECT password_hash, name FROM users WHERE id = \(bind: userID) AND \(scope)
                """).first(decoding: InviteeRow.self, with: .snakeCase)
            guard let row else { throw StoreError.notFound("No such user.") }
            guard row.passwordHash == nil else {
                throw StoreError.invalid(field: "user", "This user has already accepted the invitation.")
            }
            try await sql.raw("UPDATE invitations SET expires_at = \(bind: now) WHERE user_id = \(bind: userID) AND accepted_at IS NULL AND expires_at > \(bind: now)").run()
            try await Self.insertInvitation(secret: secret, userID: userID, invitedBy: inviter.userID, now: now, validFor: validFor, on: sql)
            if let mail { try await Outbox.enqueue(mail(secret, row.name), now: now, on: sql) }
        }
        return secret
    }

    /// The invitation behind a link, if it is open at `now`.
    public func invitation(secret: String, now: Date) async throws -> Invitation? {
        try await db.read { sql in
            try await Self.openInvitation(secret: secret, now: now, on: sql)
        }
    }

    /// Accepts an open invitation: sets the user's name and password. Returns the user's id.
    public func accept(secret: String, name: String, passwordHash: String, timeZone: String = "UTC", now: Date) async throws -> Int64 {
        try await db.write { sql in
            guard let invitation = try await Self.openInvitation(secret: secret, now: now, on: sql) else {
                throw StoreError.notFound("This invitation link is not valid any more. Ask your account admin for a new one.")
            }
            let name = try Self.checked(name)
            guard TimeZone(identifier: timeZone) != nil else { throw StoreError.invalid(field: "time_zone", "Choose a time zone from the list.") }
            try await sql.raw("""
                UPDATE users SET name = \(bind: name), password_hash = \(bind: passwordHash), time_zone = \(bind: timeZone) WHERE id = \(bind: invitation.userID)
                """).run()
            try await sql.raw("UPDATE invitations SET accepted_at = \(bind: now) WHERE token_hash = \(bind: Secret.hash(secret))").run()
            return invitation.userID
        }
    }

    // MARK: Shared SQL

    /// A link stops working once the user has a password by any route (accepted, or set by an operator).
    static func openInvitation(secret: String, now: Date, on sql: any SQLDatabase) async throws -> Invitation? {
        try await sql.raw("""
            SELECT i.user_id, i.expires_at, u.email, u.name, o.name AS organization_name
            FROM invitations i JOIN users u ON u.id = i.user_id JOIN organizations o ON o.id = u.organization_id
            WHERE i.token_hash = \(bind: Secret.hash(secret)) AND i.accepted_at IS NULL AND i.expires_at > \(bind: now)
              AND u.password_hash IS NULL
            """).first(decoding: InvitationRow.self, with: .snakeCase)?.invitation
    }

    /// An invitation link's row: only the secret's hash is stored.
    static func insertInvitation(secret: String, userID: Int64, invitedBy: Int64, now: Date, validFor: TimeInterval,
                                 on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO invitations (token_hash, user_id, invited_by, created_at, expires_at)
            VALUES (\(bind: Secret.hash(secret)), \(bind: userID), \(bind: invitedBy), \(bind: now), \(bind: now.addingTimeInterval(validFor)))
            """).run()
    }

    /// A person's name by the domain's rule, for every way a name gets in (pages, CLI).
    static func checked(_ name: String) throws -> String {
        do throws(InputRefusal) { return try TextRule.personName.check(name, field: "name") } catch {
            throw StoreError.invalid(field: "name", error.message)
        }
    }

    static func insertUser(email rawEmail: String, name rawName: String, organizationID: Int64?, vendorRole: VendorRole?,
                           passwordHash: String?, now: Date, on sql: any SQLDatabase) async throws -> Int64 {
        guard let email = Credentials.normalizedEmail(rawEmail) else {
            throw StoreError.invalid(field: "email", "Enter an email address like name@example.com.")
        }
        let name = try checked(rawName)
        guard (organizationID == nil) != (vendorRole == nil) else {
            throw StoreError.invalid(field: "organization", "A user belongs either to a partner organization or to the vendor.")
        }
        if let organizationID {
            let org = try await sql.raw("SELECT id FROM organizations WHERE id = \(bind: organizationID)").first()
            guard org != nil else { throw StoreError.notFound("No such organization.") }
        }
        let taken = try await sql.raw("SELECT id FROM users WHERE email = \(bind: email)").first()
        guard taken == nil else { throw StoreError.invalid(field: "email", "A user with the email \(email) already exists.") }
        let id = try await sql.raw("""
            INSERT INTO users (email, name, password_hash, organization_id, vendor_role, created_at)
            VALUES (\(bind: email), \(bind: name), \(bind: passwordHash), \(bind: organizationID), \(bind: vendorRole?.rawValue), \(bind: now))
            RETURNING id
            """).first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StoreError.conflict("The user could not be added.") }
        return id
    }

    /// An email already taken is named only to an account admin of the same organization: whether an address
    /// belongs to another organization or to the vendor is not theirs to learn.
    static func checkInvitable(_ rawEmail: String, organizationID: Int64, on sql: any SQLDatabase) async throws {
        guard let email = Credentials.normalizedEmail(rawEmail),
              let taken = try await sql.raw("SELECT organization_id FROM users WHERE email = \(bind: email)")
                .first(decodingColumn: "organization_id", as: Int64?.self) else { return }
        if taken == organizationID {
            throw StoreError.invalid(field: "email", "\(email) is already a user of your organization.")
        }
        throw StoreError.invalid(field: "email", "This email address can't be invited. Check it, or ask your colleague for another one.")
    }

    /// The location must belong to the user's organization (and be one the caller administers);
    /// anything else looks like a missing location. Returns the organization's id.
    @discardableResult
    static func checkLocation(_ locationID: Int64, ofUser userID: Int64, administered: Set<Int64>?, on sql: any SQLDatabase) async throws -> Int64 {
        let organizationID = try await sql.raw("""
            SELECT l.organization_id FROM locations l JOIN users u ON u.organization_id = l.organization_id
            WHERE l.id = \(bind: locationID) AND u.id = \(bind: userID)
            """).first(decodingColumn: "organization_id", as: Int64.self)
        guard let organizationID, administered.map({ $0.contains(locationID) }) ?? true else {
            throw StoreError.notFound("No such location in the user's organization.")
        }
        return organizationID
    }

    static func records(where condition: SQLQueryString, on sql: any SQLDatabase) async throws -> [UserRecord] {
        var query: SQLQueryString = """
            SELECT u.id, u.email, u.name, u.organization_id, o.name AS organization_name, u.vendor_role,
                   u.password_hash IS NOT NULL AS has_password, u.created_at, u.time_zone, u.demo
            FROM users u LEFT JOIN organizations o ON o.id = u.organization_id WHERE
            """
        query.appendLiteral(" ")
        query.appendInterpolation(condition)
        query.appendLiteral(" ORDER BY u.name, u.id")
        // Read by hand, not a `Decodable` row: every signed-in request resumes its user and roles through here.
        var users = try await sql.raw(query).all().map { row -> UserRecord in
            let column = StoredColumns(row)
            return UserRecord(id: try column("id"), email: try column("email"), name: try column("name"),
                              organizationID: try column("organization_id"), organizationName: try column("organization_name"),
                              vendorRole: try column("vendor_role", as: String?.self).flatMap(VendorRole.init(rawValue:)),
                              hasPassword: try column("has_password"), createdAt: try column("created_at"),
                              timeZone: try column("time_zone"), roles: [:], isDemo: try column("demo"))
        }
        guard !users.isEmpty else { return [] }
        var roleQuery: SQLQueryString = "SELECT user_id, location_id, role FROM user_location_roles WHERE user_id IN ("
        for (i, user) in users.enumerated() {
            if i > 0 { roleQuery.appendLiteral(", ") }
            roleQuery.appendInterpolation(bind: user.id)
        }
        roleQuery.appendLiteral(")")
        var roles: [Int64: [Int64: Set<LocationRole>]] = [:]
        for row in try await sql.raw(roleQuery).all() {
            let column = StoredColumns(row)
            guard let role = LocationRole(rawValue: try column("role", as: String.self)) else { continue }
            roles[try column("user_id", as: Int64.self), default: [:]][try column("location_id", as: Int64.self), default: []].insert(role)
        }
        for i in users.indices { users[i].roles = roles[users[i].id] ?? [:] }
        return users
    }
}

// MARK: Rows

/// What signing in needs of a user.
private struct CredentialsRow: Decodable {
    var id: Int64
    var passwordHash: String?
    var demo: Bool
}

/// A user about to be invited again.
private struct InviteeRow: Decodable {
    var passwordHash: String?
    var name: String
}

/// An open invitation with its user and organization.
private struct InvitationRow: Decodable {
    var userId: Int64
    var expiresAt: Date
    var email: String
    var name: String
    var organizationName: String

    var invitation: UserRepository.Invitation {
        UserRepository.Invitation(userID: userId, email: email, name: name, organizationName: organizationName, expiresAt: expiresAt)
    }
}


