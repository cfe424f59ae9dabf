import ArgumentParser
import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesWeb

/// `incentives tokens ...`: personal API tokens, for an operator setting up an integration.
struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage personal API tokens: create one for a user, list a user's tokens, revoke one.",
        subcommands: [TokensCreate.self, TokensList.self, TokensRevoke.self])
}

struct TokensCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create an API token that acts as the user, with the user's roles and locations.",
        discussion: "The token is printed once; only its hash is stored.")

    @Option(help: "The user's email address.") var user: String
    @Option(help: "One of: \(codes(APITokenScope.self)).") var scope = "read"
    @Option(help: "A name to recognise the token by.") var name = "Command line"

    func run() async throws {
        let tokenScope = try code(scope, of: APITokenScope.self, option: "--scope")
        let config = try await AppConfig.load()
        let now = SystemClock().now
        let (record, secret, email) = try await Runtime.withDatabase(config) { db in
            guard let found = try await UserRepository(db: db).find(email: user) else { throw CLIError("No user has the email '\(user)'.") }
            let (record, secret) = try await APITokenRepository(db: db).create(userID: found.id, name: name, scope: tokenScope, now: now)
            return (record, secret, found.email)
        }
        print("Created token #\(record.id) \"\(record.name)\" (\(record.scope.rawValue)) for \(email).")
        print("Token (shown only now): \(secret)")
    }
}

struct TokensList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a user's API tokens (never the tokens themselves).")

    @Option(help: "The user's email address.") var user: String

    func run() async throws {
        let config = try await AppConfig.load()
        let tokens = try await Runtime.withDatabase(config) { db in
            guard let found = try await UserRepository(db: db).find(email: user) else { throw CLIError("No user has the email '\(user)'.") }
            return try await APITokenRepository(db: db).list(userID: found.id)
        }
        guard !tokens.isEmpty else {
            print("\(user) has no API tokens.")
            return
        }
        var rows = [["ID", "NAME", "PREFIX", "SCOPE", "CREATED", "LAST USED", "STATUS"]]
        for t in tokens {
            rows.append([String(t.id), t.name, t.prefix + "…", t.scope.rawValue, iso8601UTC(t.createdAt),
                         t.lastUsedAt.map(iso8601UTC) ?? "never", t.revokedAt.map { "revoked \(iso8601UTC($0))" } ?? "active"])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
    }
}

struct TokensRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an API token at once, by its id.")

    @Argument(help: "The token's id (`incentives tokens list` shows it).") var id: Int64

    func run() async throws {
        let config = try await AppConfig.load()
        let now = SystemClock().now
        try await Runtime.withDatabase(config) { db in
            do {
                try await APITokenRepository(db: db).revoke(id, now: now)
            } catch StoreError.notFound {
                throw CLIError("No API token has the id \(id).")
            }
        }
        print("Revoked API token #\(id); requests with it now answer 401.")
    }
}
