import Foundation
import IncentivesDomain
import IncentivesStore

/// The users page's view model: the organization's people with their roles, and the invitation form (sent back with
/// what was wrong). Built from the store's values and the page input only.
struct UserListView: PageView {
    let shell: Shell
    let members: [MemberLine]
    let locations: [RoleMatrixRow]
    let email: String
    let name: String
    let emailError: String?
    let nameError: String?
    let rolesError: String?
    let formError: Bool
    /// Where the invitation form posts.
    let inviteAction: String

    init(members: [UserRecord], locations: [LocationSummary], form: InviteForm? = nil, input: PageInput) {
        let errors = form?.errors ?? [:]
        shell = Shell(input, title: "Users", section: .users)
        self.members = members.map { MemberLine($0, locations: locations, viewerID: input.viewer?.userID) }
        self.locations = RoleMatrixRow.matrix(locations, administered: input.viewer?.administeredLocations ?? [],
                                              holding: [:], ticked: form?.ticked)
        email = form?.email ?? ""
        name = form?.name ?? ""
        emailError = errors["email"]
        nameError = errors["name"]
        rolesError = errors["roles"]
        formError = !errors.isEmpty
        inviteAction = SitePath.users.href()
    }
}

/// One colleague's page: who they are, and their roles per location to change.
struct UserView: PageView {
    let shell: Shell
    let member: MemberLine
    let locations: [RoleMatrixRow]
    let since: String
    let rolesAction: String
    let invitationAction: String

    init(_ member: UserRecord, locations: [LocationSummary], input: PageInput) {
        shell = Shell(input, title: member.name, section: .users, trail: [(member.name, nil)])
        self.member = MemberLine(member, locations: locations, viewerID: input.viewer?.userID)
        self.locations = RoleMatrixRow.matrix(locations, administered: input.viewer?.administeredLocations ?? [], holding: member.roles)
        since = input.times.date(member.createdAt)
        rolesAction = SitePath.userRoles(.id(member.id)).href()
        invitationAction = SitePath.userInvitation(.id(member.id)).href()
    }
}

/// A colleague in a line: their roles per location in words, and whether they have accepted their invitation.
struct MemberLine: Sendable {
    let name: String
    let email: String
    let invited: Bool
    let roles: String
    let isYou: Bool
    let href: String

    init(_ user: UserRecord, locations: [LocationSummary], viewerID: Int64?) {
        name = user.name
        email = user.email
        invited = !user.hasPassword
        roles = Self.roles(of: user, names: Dictionary(uniqueKeysWithValues: locations.map { ($0.id, $0.name) }))
        isYou = user.id == viewerID
        href = SitePath.user(.id(user.id)).href()
    }

    /// "Berlin: Account admin, Incentives admin; Warsaw: Incentives user", locations by name.
    static func roles(of user: UserRecord, names: [Int64: String]) -> String {
        let roles = user.roles.keys.sorted { (names[$0] ?? "") < (names[$1] ?? "") }.map { location in
            "\(names[location] ?? "Location \(location)"): " + (user.roles[location] ?? []).sorted().map(\.label).joined(separator: ", ")
        }
        return roles.isEmpty ? "No roles" : roles.joined(separator: "; ")
    }
}

/// A location of the role matrix: a checkbox per role, editable only where the admin administers the location.
struct RoleMatrixRow: Sendable {
    struct Cell: Sendable {
        let value: String
        let label: String
        let checked: Bool
        let editable: Bool
        let inputID: String
    }

    let name: String
    let country: String
    let cells: [Cell]

    /// - Parameters:
    ///   - holding: the roles held now, ticked unless `ticked` (the boxes of a form sent back) says otherwise.
    static func matrix(_ locations: [LocationSummary], administered: Set<Int64>, holding: [Int64: Set<LocationRole>],
                       ticked: Set<String>? = nil) -> [RoleMatrixRow] {
        locations.map { location in
            RoleMatrixRow(name: location.name, country: location.country, cells: LocationRole.allCases.map { role in
                let value = RoleGrant(location: location.id, role: role).value
                return Cell(value: value, label: role.label,
                            checked: ticked.map { $0.contains(value) } ?? (holding[location.id]?.contains(role) ?? false),
                            editable: administered.contains(location.id), inputID: "role-\(location.id)-\(role.rawValue)")
            })
        }
    }
}

/// The page behind an invitation link: the colleague chooses a name, a password and a time zone.
struct InvitationView: PageView {
    struct ZoneOption: Sendable {
        let id: String
        let selected: Bool
    }

    let shell: Shell
    let email: String
    let organization: String
    let name: String
    let zones: [ZoneOption]
    let nameError: String?
    let passwordError: String?
    let zoneError: String?
    let minimum: Int
    let action: String

    /// The zones offered: UTC, then every region's ("Europe/Berlin"), sorted.
    static let zoneIDs = ["UTC"] + TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") && !$0.hasPrefix("Etc/") }.sorted()

    init(_ invitation: UserRepository.Invitation, token: String, form: AcceptInvitationForm? = nil, input: PageInput) {
        let zone = form?.zone ?? "UTC"
        shell = Shell(input, title: "Join \(invitation.organizationName)")
        email = invitation.email
        organization = invitation.organizationName
        name = form?.name ?? invitation.name
        zones = Self.zoneIDs.map { ZoneOption(id: $0, selected: $0 == zone) }
        nameError = form?.errors["name"]
        passwordError = form?.errors["password"]
        zoneError = form?.errors["time_zone"]
        minimum = Credentials.minimumPasswordLength
        action = SitePath.invitation(token: .text(token)).href()
    }
}
