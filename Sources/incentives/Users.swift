import ArgumentParser
import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesWeb

/// `incentives users ...`: what an operator needs to let people in before (or besides) the web's invitations.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage users: add them, list them, grant and revoke roles on locations, set passwords.",
        subcommands: [UsersAdd.self, UsersList.self, UsersGrant.self, UsersRevoke.self, UsersPasswd.self])
}

struct UsersAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a partner user (no roles until granted) or a vendor user, with a password.",
        discussion: "Without --password-stdin a strong random password is generated and printed once.")

    @Option(help: "Email address; it is the sign-in name.") var email: String
    @Option(help: "Full name.") var name: String
    @Option(help: "The partner organization the user belongs to (its name).") var organization: String?
    @Option(help: "A vendor user's role: \(codes(VendorRole.self)).") var vendor: String?
    @Flag(help: "Read the password from one line of standard input.") var passwordStdin = false

    func run() async throws {
        guard (organization == nil) != (vendor == nil) else {
            throw CLIError("Say where the user belongs: --organization NAME or --vendor ROLE (one of them).")
        }
        let vendorRole = try vendor.map { try code($0, of: VendorRole.self, option: "--vendor") }
        let password = try NewPassword.obtain(fromStandardInput: passwordStdin)
        let hash = PasswordHasher.hash(password.text) // ~0.25 s of bcrypt, before the database is opened
        let now = SystemClock().now
        let config = try await AppConfig.load()
        let added = try await Runtime.withDatabase(config) { db in
            let users = UserRepository(db: db)
            let organizationID = try await organizationID(named: organization, in: users)
            _ = try await users.add(email: email, name: name, organizationID: organizationID, vendorRole: vendorRole,
                                    passwordHash: hash, now: now)
            return try await users.find(email: email)
        }
        guard let added else { throw CLIError("The user was added but could not be read back.") }
        if let role = added.vendorRole {
            print("Added \(added.email) (\(added.name)), vendor \(role.label.lowercased()).")
        } else {
            print("Added \(added.email) (\(added.name)) to \(added.organizationName ?? "?") with no roles yet; "
                  + "grant them with `incentives users grant --email \(added.email) --location ID --role ROLE`.")
        }
        password.printIfGenerated()
    }
}

struct UsersList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List users with their organization or vendor role and their roles per location.")

    @Option(help: "Only this partner organization's users (its name).") var organization: String?

    func run() async throws {
        let config = try await AppConfig.load()
        let (users, locations) = try await Runtime.withDatabase(config) { db in
            let repo = UserRepository(db: db)
            let organizationID = try await organizationID(named: organization, in: repo)
            let users = try await repo.list(organizationID: organizationID)
            var locations: [Int64: String] = [:]
            for id in Set(users.compactMap(\.organizationID)) {
                for location in try await repo.locations(ofOrganization: id) { locations[location.id] = location.name }
            }
            return (users, locations)
        }
        guard !users.isEmpty else {
            print(organization.map { "No users in \($0)." } ?? "No users.")
            return
        }
        print(UserTable(users: users, locationNames: locations).text, terminator: "")
    }
}

/// The users as a plain-text table; a user with roles on several locations takes a line per location.
struct UserTable {
    let users: [UserRecord]
    let locationNames: [Int64: String]

    var text: String {
        var rows = [["EMAIL", "NAME", "MEMBER OF", "STATUS", "ROLES"]]
        for user in users {
            let memberOf = user.vendorRole.map { "vendor: \($0.rawValue)" } ?? user.organizationName ?? ""
            var roleLines = user.roles.keys.sorted().map { locationID in
                "#\(locationID) \(locationNames[locationID] ?? "?"): "
                    + user.roles[locationID, default: []].sorted().map(\.rawValue).joined(separator: ", ")
            }
            if roleLines.isEmpty { roleLines = [user.vendorRole == nil ? "(none)" : "-"] }
            rows.append([user.email, user.name, memberOf, user.hasPassword ? "active" : "invited", roleLines[0]])
            rows += roleLines.dropFirst().map { ["", "", "", "", $0] }
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            (0..<4).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                + "  " + row[4] + "\n"
        }.joined()
    }
}

/// The options of `grant` and `revoke`: who, where, which role.
struct RoleChange: ParsableArguments {
    @Option(help: "The user's email address.") var email: String
    @Option(help: "The location's id (`incentives users list` shows them).") var location: Int64
    @Option(help: "One of: \(codes(LocationRole.self)).") var role: String

    /// The partner user, the role, and the location, which must be one of the user's organization.
    func resolve(in users: UserRepository) async throws -> (user: UserRecord, role: LocationRole, place: LocationSummary) {
        let locationRole = try code(role, of: LocationRole.self, option: "--role")
        guard let user = try await users.find(email: email) else { throw CLIError("No user has the email '\(email)'.") }
        guard let organizationID = user.organizationID else {
            throw CLIError("\(user.email) is a vendor user; roles on locations are for partner users.")
        }
        guard let place = try await users.locations(ofOrganization: organizationID).first(where: { $0.id == location }) else {
            throw CLIError("Location \(location) is not a location of \(user.organizationName ?? "the user's organization").")
        }
        return (user, locationRole, place)
    }

    /// Grants or revokes the role and prints what happened; holding it already (or not at all) changes nothing.
    func apply(grant: Bool) async throws {
        let config = try await AppConfig.load()
        let line = try await Runtime.withDatabase(config) { db in
            let users = UserRepository(db: db)
            let (user, role, place) = try await resolve(in: users)
            let what = "\(role.rawValue) on #\(place.id) \(place.name)"
            let holds = user.roles[place.id]?.contains(role) == true
            if holds == grant { return "\(user.email) \(holds ? "already holds" : "does not hold") \(what); nothing changed." }
            if grant {
                try await users.grant(role, onLocation: place.id, toUser: user.id)
                return "Granted \(what) to \(user.email)."
            }
            try await users.revoke(role, onLocation: place.id, fromUser: user.id)
            return "Revoked \(what) from \(user.email)."
        }
        print(line)
    }
}

struct UsersGrant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: "Grant a partner user a role on a location of their organization.")

    @OptionGroup var change: RoleChange

    func run() async throws { try await change.apply(grant: true) }
}

struct UsersRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Take a role on a location away from a partner user.",
        discussion: "An organization keeps at least one account admin.")

    @OptionGroup var change: RoleChange

    func run() async throws { try await change.apply(grant: false) }
}

struct UsersPasswd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Set a user's password; it ends all of the user's sessions and revokes their API tokens and calendar address.",
        discussion: "Without --password-stdin a strong random password is generated and printed once.")

    @Option(help: "The user's email address.") var email: String
    @Flag(help: "Read the password from one line of standard input.") var passwordStdin = false

    func run() async throws {
        let password = try NewPassword.obtain(fromStandardInput: passwordStdin)
        let hash = PasswordHasher.hash(password.text)
        let config = try await AppConfig.load()
        let user = try await Runtime.withDatabase(config) { db in
            let users = UserRepository(db: db)
            guard let user = try await users.find(email: email) else { throw CLIError("No user has the email '\(email)'.") }
            try await users.setPassword(userID: user.id, passwordHash: hash, now: SystemClock().now)
            return user
        }
        print("Set a new password for \(user.email); every session of theirs has ended and their API tokens are revoked.")
        password.printIfGenerated()
    }
}

/// A new password: one line of standard input, or a strong random one that is printed once.
struct NewPassword {
    let text: String
    let generated: Bool

    /// Reads or makes the password and checks it before anything touches the database.
    static func obtain(fromStandardInput: Bool) throws -> NewPassword {
        guard fromStandardInput else { return NewPassword(text: String(Secret.make().prefix(20)), generated: true) }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIError("--password-stdin: standard input holds no password.")
        }
        if let problem = Credentials.problem(withPassword: line) { throw CLIError("The password is not acceptable: \(problem)") }
        return NewPassword(text: line, generated: false)
    }

    func printIfGenerated() {
        if generated { print("Password (shown only now): \(text)") }
    }
}

/// The organization's id when a name is given; an unknown name is a one-line error.
func organizationID(named name: String?, in users: UserRepository) async throws -> Int64? {
    guard let name else { return nil }
    guard let id = try await users.organizationID(named: name) else { throw CLIError("No partner organization is named '\(name)'.") }
    return id
}

/// The codes of a string-coded enum, for help and error messages.
func codes<T: CaseIterable & RawRepresentable>(_ type: T.Type) -> String where T.RawValue == String {
    T.allCases.map(\.rawValue).joined(separator: ", ")
}

/// Parses a code ourselves (not via ArgumentParser) so an unknown one is a one-line error with exit status 1.
func code<T: CaseIterable & RawRepresentable>(_ text: String, of type: T.Type, option: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: text) else { throw CLIError("Unknown \(option) '\(text)'. Use one of: \(codes(T.self)).") }
    return value
}
