import ArgumentParser
import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesWeb

/// `incentives partners ...`: the program manager's partner directory from the command line, through the same
/// `PartnerDirectory` as the pages, recorded in the history as the program manager who runs it (`--as`).
struct Partners: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage partner organizations and locations, and invite an organization's first account admin.",
        subcommands: [PartnersAdd.self, PartnersList.self, PartnersLocations.self, PartnersInviteAdmin.self])
}

/// Who the change is recorded as: the program manager named by `--as`, or the only one there is.
struct PartnerActor: ParsableArguments {
    @Option(name: .customLong("as"), help: "The program manager's email (needed when there are several).") var manager: String?

    func viewer(_ db: Database) async throws -> Viewer {
        let users = UserRepository(db: db)
        if let manager {
            guard let user = try await users.find(email: manager), user.vendorRole == .programManager, user.hasPassword else {
                throw CLIError("No active program manager has the email '\(manager)'.")
            }
            return user.viewer
        }
        let managers = try await users.list(organizationID: nil).filter { $0.vendorRole == .programManager && $0.hasPassword }
        guard managers.count == 1, let only = managers.first else {
            throw CLIError(managers.isEmpty
                ? "Add a program manager first: incentives users add --vendor program_manager --email E --name N."
                : "Several program managers exist; say which one acts with --as EMAIL.")
        }
        return only.viewer
    }
}

/// The organization a `--partner NAME` names.
func partnerID(named name: String, in directory: PartnerDirectory, by viewer: Viewer) async throws -> Int64 {
    guard let id = try await directory.organizationID(named: name, by: viewer) else {
        throw CLIError("No partner organization is named '\(name)'.")
    }
    return id
}

struct PartnersAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a partner organization.")

    @Argument(help: "The organization's name.") var name: String
    @OptionGroup var actor: PartnerActor

    func run() async throws {
        let config = try await AppConfig.load()
        let id = try await Runtime.withDatabase(config) { db in
            try await PartnerDirectory(db: db).addOrganization(name: name, by: try await actor.viewer(db), now: SystemClock().now)
        }
        print("Added partner organization #\(id) \(name.trimmingCharacters(in: .whitespaces)).")
    }
}

struct PartnersList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List partner organizations with their locations.")

    @OptionGroup var actor: PartnerActor

    func run() async throws {
        let config = try await AppConfig.load()
        let partners = try await Runtime.withDatabase(config) { db in
            try await PartnerDirectory(db: db).list(by: try await actor.viewer(db))
        }
        guard !partners.isEmpty else {
            print("No partner organizations yet. Add one with `incentives partners add NAME`.")
            return
        }
        for partner in partners {
            let state = partner.deactivation.map { " (deactivated: \($0.reason))" } ?? ""
            print("#\(partner.id) \(partner.name)\(state): \(partner.locations.count) location\(partner.locations.count == 1 ? "" : "s"), "
                  + "\(partner.users) user\(partner.users == 1 ? "" : "s"), \(partner.openClaims) open claim\(partner.openClaims == 1 ? "" : "s")")
            for location in partner.locations {
                let enrollment = location.enrollments.values.first?.rawValue ?? "not invited"
                let off = location.deactivation.map { ", deactivated: \($0.reason)" } ?? ""
                print("  #\(location.id) \(location.name), \(location.country) (\(location.market.label)), \(enrollment)\(off)")
            }
        }
    }
}

struct PartnersLocations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "locations", abstract: "Manage a partner's locations.",
                                                    subcommands: [PartnersLocationsAdd.self])
}

struct PartnersLocationsAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a location to a partner organization.")

    @Option(help: "The partner organization's name.") var partner: String
    @Option(help: "The location's name, unique within its organization.") var name: String
    @Option(help: "The location's country: an ISO 3166-1 alpha-2 code such as DE.") var country: String
    @OptionGroup var actor: PartnerActor

    func run() async throws {
        let config = try await AppConfig.load()
        let id = try await Runtime.withDatabase(config) { db in
            let directory = PartnerDirectory(db: db)
            let viewer = try await actor.viewer(db)
            return try await directory.addLocation(organization: try await partnerID(named: partner, in: directory, by: viewer),
                                                   name: name, country: country, by: viewer, now: SystemClock().now)
        }
        let code = country.trimmingCharacters(in: .whitespaces).uppercased()
        print("Added location #\(id) \(name.trimmingCharacters(in: .whitespaces)), \(code) (\(Market(country: code).label)).")
    }
}

struct PartnersInviteAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite-admin", abstract: "Invite a partner organization's first account admin; prints the invitation link.",
        discussion: "The person holds account admin and Incentives admin on every active location; the email goes through the outbox.")

    @Option(help: "The partner organization's name.") var partner: String
    @Option(help: "The admin's email address.") var email: String
    @Option(help: "The admin's name.") var name: String
    @OptionGroup var actor: PartnerActor

    func run() async throws {
        let config = try await AppConfig.load()
        let now = SystemClock().now
        let expires = iso8601UTC(now.addingTimeInterval(7 * 86_400))
        let link = config.publicURL + "/invitations/"
        let secret = try await Runtime.withDatabase(config) { db in
            let directory = PartnerDirectory(db: db)
            let viewer = try await actor.viewer(db)
            let id = try await partnerID(named: partner, in: directory, by: viewer)
            return try await directory.inviteFirstAdmin(organization: id, email: email, name: name, by: viewer, now: now) { secret, invitee in
                MailMessage.invitation(to: invitee.email, name: invitee.name, organization: invitee.organization, inviter: viewer.name,
                                       link: link + secret, expires: expires)
            }
        }
        print("Invited \(email.lowercased()) as the first account admin of \(partner); the invitation email is in the outbox.")
        print("Invitation link (works once, for 7 days): \(link + secret)")
    }
}
