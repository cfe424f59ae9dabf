import ArgumentParser
import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesWeb

/// `incentives claims`: work on claims from the command line, as a named user, through the same service as the pages.
struct Claims: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take an action on a claim as a user (for operators and scripts).",
        subcommands: [ClaimsAct.self])
}

/// One lifecycle action, run by `ClaimActions` exactly as the claim page, the API and bulk review run it: the user's
/// roles decide what they may do, and the domain decides whether the claim allows it now.
struct ClaimsAct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "act", abstract: "Take a lifecycle action on a claim as a user.",
        discussion: "Actions: \(actionNames). Reason codes: \(ReviewReason.allCases.map(\.rawValue).joined(separator: ", ")).")

    static var actionNames: String {
        ClaimAction.allCases.filter { (try? ClaimActionRequest.action(named: $0.rawValue)) != nil && $0.isDirect }
            .map(\.rawValue).joined(separator: ", ")
    }

    @Argument(help: "The claim's id.") var claim: Int64
    @Argument(help: "The action, e.g. approve.") var action: String
    @Option(name: .customLong("as"), help: "The email of the user who acts.") var user: String
    @Option(help: "The note: a justification, what is needed, why.") var note = ""
    @Option(name: .customLong("reason-code"), help: "A reviewer's coded reason (request_information, reject, reverse).") var reasonCode: String?
    @Option(help: "Act only if the claim is still at this version (as a page's form or the API's If-Match does).")
    var version: Int?
    @Option(help: "The instant to act at (ISO 8601 or a day); now by default.") var now: String?
    @Option(name: .customLong("confirm"), help: "Approve: a customer criterion you confirm, by its number on the claim page (repeat it).")
    var confirm: [Int] = []
    @Flag(name: .customLong("confirm-all"), help: "Approve: confirm every customer criterion the reviewer confirms.")
    var confirmAll = false

    func run() async throws {
        let chosen: ClaimAction
        do { chosen = try ClaimActionRequest.action(named: action) } catch {
            throw CLIError("Unknown action '\(action)'. Use one of: \(Self.actionNames).")
        }
        let at = try now.map(Runtime.parseInstant) ?? SystemClock().now
        let config = try await AppConfig.load()
        let request = ClaimActionRequest(chosen, note: note, reasonCode: reasonCode, confirmedCriteria: confirm.map(String.init),
                                         confirmsAllCriteria: confirmAll)
        let transition = try await Runtime.withDatabase(config) { db in
            guard let found = try await UserRepository(db: db).find(email: user),
                  let viewer = try await UserRepository(db: db).viewer(found.id, acceptsDemoUsers: true) else {
                throw CLIError("No active user has the email '\(user)'.")
            }
            // The operator holds the database anyway: the demo accounts act here as they sign in under `serve --demo`.
            return try await ClaimActions(db: db, links: ClaimLinks(publicURL: config.publicURL))
                .run(request, on: claim, expectedVersion: version, by: viewer, at: at)
        }
        print("\(chosen.label): done. Claim #\(claim) is now \(transition.claim.status.label.lowercased()) (version \(transition.claim.version)).")
    }
}
