import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/settings/users`: an account admin invites colleagues and grants or revokes roles per location;
/// `/invitations/{token}`: the colleague accepts and chooses a password.
struct UserPages: Sendable {
    let deps: AppDependencies
    let users: UserRepository
    let sessions: SessionRepository

    struct RoleCell: Sendable { let value: String; let label: String; let checked: Bool; let editable: Bool; let inputID: String }
    struct LocationRow: Sendable { let id: Int64; let name: String; let country: String; let cells: [RoleCell] }
    struct MemberLine: Sendable {
        let id: Int64; let name: String; let email: String; let invited: Bool; let roles: String; let isYou: Bool
    }
    struct ListView: PageView {
        let shell: Shell
        let members: [MemberLine]
        let locations: [LocationRow]
        let email: String
        let name: String
        let emailError: String?
        let nameError: String?
        let rolesError: String?
        let formError: Bool
    }
    struct MemberView: PageView {
        let shell: Shell
        let member: MemberLine
        let locations: [LocationRow]
        let since: String
    }
    struct ZoneOption: Sendable { let id: String; let selected: Bool }
    struct InvitationView: PageView {
        let shell: Shell
        let token: String
        let email: String
        let organization: String
        let name: String
        let zones: [ZoneOption]
        let nameError: String?
        let passwordError: String?
        let zoneError: String?
        let minimum: Int
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/users") { request, context in
            let viewer = try context.viewer(for: .users, request)
            return try await list(viewer, context, form: nil)
        }
        router.post("/settings/users") { request, context -> Response in
            let viewer = try context.viewer(for: .users, request)
            return try await invite(viewer, request, context)
        }
        router.get("/settings/users/{id}") { request, context in
            let viewer = try context.viewer(for: .users, request)
            let member = try await member(request, context, of: viewer)
            let line = memberLine(member, viewer: viewer, locations: try await locations(of: viewer))
            return deps.page("user", MemberView(
                shell: Shell(context, deps: deps, title: member.name, section: .users, trail: [(member.name, nil)]),
                member: line, locations: try await roleRows(for: viewer, holding: member.roles),
                since: deps.format(member.createdAt, for: viewer, style: .date)))
        }
        router.post("/settings/users/{id}/roles") { request, context -> Response in
            let viewer = try context.viewer(for: .users, request)
            let member = try await member(request, context, of: viewer)
            return try await changeRoles(of: member, by: viewer, context)
        }
        router.post("/settings/users/{id}/invitation") { request, context -> Response in
            let viewer = try context.viewer(for: .users, request)
            let member = try await member(request, context, of: viewer)
            do {
                let secret = try await users.reinvite(userID: member.id, by: viewer, now: deps.clock.now,
                                                      mail: invitationMail(to: member.email, from: viewer))
                return deps.redirect(to: "/settings/users/\(member.id)", flash: Flash(kind: .success, message: linkMessage(for: member.email, secret)))
            } catch {
                guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
                return deps.redirect(to: "/settings/users/\(member.id)", flash: Flash(kind: .error, message: message))
            }
        }
        router.get("/invitations/{token}") { request, context in
            let token = context.parameters.get("token") ?? ""
            guard let invitation = try await users.invitation(secret: token, now: deps.clock.now) else { throw HTTPError(.notFound) }
            return invitationPage(context, token: token, invitation: invitation, name: invitation.name, zone: "UTC", errors: [:])
        }
        router.post("/invitations/{token}") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            return try await accept(token: token, request, context)
        }
    }

    // MARK: Users list and invitations

    func list(_ viewer: Viewer, _ context: AppRequestContext, form: (email: String, name: String, errors: [String: String])?) async throws -> HTML {
        let locations = try await locations(of: viewer)
        let members = try await users.list(organizationID: viewer.organizationID).map { memberLine($0, viewer: viewer, locations: locations) }
        let errors = form?.errors ?? [:]
        let checked = Set(context.form.all("role"))
        return deps.page("users", ListView(
            shell: Shell(context, deps: deps, title: "Users", section: .users),
            members: members,
            locations: try await roleRows(for: viewer, holding: [:], checked: form == nil ? nil : checked),
            email: form?.email ?? "", name: form?.name ?? "",
            emailError: errors["email"], nameError: errors["name"], rolesError: errors["roles"], formError: !errors.isEmpty),
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func invite(_ viewer: Viewer, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let email = context.form.text("email"), name = context.form.text("name")
        var errors: [String: String] = [:]
        if Credentials.normalizedEmail(email) == nil { errors["email"] = "Enter an email address like name@example.com." }
        if name.isEmpty { errors["name"] = "Enter the colleague's name." } else if let problem = TextRule.personName.problem(with: name) { errors["name"] = problem }
        let roles = parseRoles(context.form.all("role"))
        if roles == nil { errors["roles"] = "A role was not recognised; reload the page and try again." }
        else if roles!.isEmpty { errors["roles"] = "Choose at least one role on one location." }
        if errors.isEmpty, let roles {
            do {
                let secret = try await users.invite(email: email, name: name, roles: roles.map { ($0.location, $0.role) }, by: viewer,
                                                    now: deps.clock.now, mail: invitationMail(to: email, from: viewer))
                let created = try await users.find(email: email)
                return deps.redirect(to: created.map { "/settings/users/\($0.id)" } ?? "/settings/users",
                                     flash: Flash(kind: .success, message: linkMessage(for: email, secret)))
            } catch StoreError.invalid(let field, let message) {
                errors[field == "organization" ? "email" : field] = message
            }
        }
        return try await list(viewer, context, form: (email, name, errors)).response(from: request, context: context)
    }

    func linkMessage(for email: String, _ secret: String) -> String {
        "Invitation emailed to \(email). The link also works if you pass it on yourself, once, for 7 days: \(invitationLink(secret))"
    }

    func invitationLink(_ secret: String) -> String { "\(deps.config.publicURL)/invitations/\(secret)" }

    /// The invitation email, written to the outbox with the invitation itself.
    func invitationMail(to email: String, from viewer: Viewer) -> @Sendable (String, String) -> MailMessage {
        let organization = viewer.organizationName, inviter = viewer.name
        let expires = deps.format(deps.clock.now.addingTimeInterval(7 * 86_400), for: nil)
        let base = deps.config.publicURL
        return { secret, name in
            MailMessage.invitation(to: email, name: name, organization: organization, inviter: inviter,
                                   link: "\(base)/invitations/\(secret)", expires: expires)
        }
    }

    // MARK: One member's roles

    func member(_ request: Request, _ context: AppRequestContext, of viewer: Viewer) async throws -> UserRecord {
        guard let id = context.parameters.get("id", as: Int64.self), let organizationID = viewer.organizationID,
              let member = try await users.member(id, ofOrganization: organizationID) else { throw HTTPError(.notFound) }
        return member
    }

    func changeRoles(of member: UserRecord, by viewer: Viewer, _ context: AppRequestContext) async throws -> Response {
        // The page offers "LOCATION:ROLE" checkboxes only: anything else did not come from it.
        guard let wanted = parseRoles(context.form.all("role")) else {
            throw HTTPError(.badRequest, message: "A role was not recognised; nothing was changed. Reload the page and try again.")
        }
        let wantedSet = Set(wanted.map { "\($0.location):\($0.role.rawValue)" })
        var grants: [(Int64, LocationRole)] = [], revokes: [(Int64, LocationRole)] = []
        for location in viewer.administeredLocations.sorted() {
            for role in LocationRole.allCases {
                let has = member.roles[location]?.contains(role) ?? false
                let want = wantedSet.contains("\(location):\(role.rawValue)")
                if want && !has { grants.append((location, role)) }
                if has && !want { revokes.append((location, role)) }
            }
        }
        // Roles on locations the admin does not administer are not in the form and stay as they are.
        guard wanted.allSatisfy({ viewer.administeredLocations.contains($0.location) }) else { throw HTTPError(.notFound) }
        do {
            for (location, role) in grants { try await users.grant(role, onLocation: location, toUser: member.id, administered: viewer.administeredLocations) }
            for (location, role) in revokes { try await users.revoke(role, onLocation: location, fromUser: member.id, administered: viewer.administeredLocations) }
        } catch {
            guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
            return deps.redirect(to: "/settings/users/\(member.id)", flash: Flash(kind: .error, message: message))
        }
        let changed = grants.count + revokes.count
        let message = changed == 0 ? "Nothing changed." : "Roles of \(member.name) saved: \(grants.count) granted, \(revokes.count) revoked."
        return deps.redirect(to: "/settings/users/\(member.id)", flash: Flash(kind: .success, message: message))
    }

    /// `role` fields are "LOCATION:ROLE"; nil when one is not understood.
    func parseRoles(_ values: [String]) -> [(location: Int64, role: LocationRole)]? {
        var result: [(location: Int64, role: LocationRole)] = []
        for value in values {
            let parts = value.split(separator: ":")
            guard parts.count == 2, let location = Int64(parts[0]), let role = LocationRole(rawValue: String(parts[1])) else { return nil }
            result.append((location, role))
        }
        return result
    }

    func locations(of viewer: Viewer) async throws -> [LocationSummary] {
        guard let organizationID = viewer.organizationID else { return [] }
        return try await users.locations(ofOrganization: organizationID)
    }

    func memberLine(_ user: UserRecord, viewer: Viewer, locations: [LocationSummary]) -> MemberLine {
        let names = Dictionary(uniqueKeysWithValues: locations.map { ($0.id, $0.name) })
        let roles = user.roles.keys.sorted { (names[$0] ?? "") < (names[$1] ?? "") }.map { location in
            "\(names[location] ?? "Location \(location)"): " + (user.roles[location] ?? []).sorted().map(\.label).joined(separator: ", ")
        }
        return MemberLine(id: user.id, name: user.name, email: user.email, invited: !user.hasPassword,
                          roles: roles.isEmpty ? "No roles" : roles.joined(separator: "; "), isYou: user.id == viewer.userID)
    }

    /// A row per location of the organization with a checkbox per role; only administered locations are editable.
    func roleRows(for viewer: Viewer, holding: [Int64: Set<LocationRole>], checked: Set<String>? = nil) async throws -> [LocationRow] {
        try await locations(of: viewer).map { location in
            LocationRow(id: location.id, name: location.name, country: location.country, cells: LocationRole.allCases.map { role in
                let value = "\(location.id):\(role.rawValue)"
                return RoleCell(value: value, label: role.label,
                                checked: checked.map { $0.contains(value) } ?? (holding[location.id]?.contains(role) ?? false),
                                editable: viewer.administeredLocations.contains(location.id), inputID: "role-\(location.id)-\(role.rawValue)")
            })
        }
    }

    // MARK: Accepting an invitation

    func invitationPage(_ context: AppRequestContext, token: String, invitation: UserRepository.Invitation, name: String, zone: String,
                        errors: [String: String]) -> HTML {
        let zones = ["UTC"] + TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") && !$0.hasPrefix("Etc/") }.sorted()
        return deps.page("invitation", InvitationView(
            shell: Shell(context, deps: deps, title: "Join \(invitation.organizationName)"), token: token, email: invitation.email,
            organization: invitation.organizationName, name: name, zones: zones.map { ZoneOption(id: $0, selected: $0 == zone) },
            nameError: errors["name"], passwordError: errors["password"], zoneError: errors["time_zone"],
            minimum: Credentials.minimumPasswordLength),
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func accept(token: String, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let now = deps.clock.now
        guard let invitation = try await users.invitation(secret: token, now: now) else { throw HTTPError(.notFound) }
        let name = context.form.text("name"), zone = context.form.text("time_zone")
        let password = context.form["password"] ?? "", confirmation = context.form["password_confirmation"] ?? ""
        var errors: [String: String] = [:]
        if name.isEmpty { errors["name"] = "Enter your name." } else if let problem = TextRule.personName.problem(with: name) { errors["name"] = problem }
        if let problem = Credentials.problem(withPassword: password) { errors["password"] = problem }
        else if password != confirmation { errors["password"] = "The two passwords differ." }
        if TimeZone(identifier: zone) == nil { errors["time_zone"] = "Choose a time zone from the list." }
        guard errors.isEmpty else {
            return try invitationPage(context, token: token, invitation: invitation, name: name, zone: zone, errors: errors)
                .response(from: request, context: context)
        }
        let hash = try await BlockingWork.run { PasswordHasher.hash(password) }
        let userID = try await users.accept(secret: token, name: name, passwordHash: hash, timeZone: zone, now: now)
        return try await deps.startSession(userID: userID, sessions: sessions, request: request, context: context, redirectTo: "/",
                                           flash: Flash(kind: .success, message: "Welcome to \(invitation.organizationName). You are signed in."))
    }
}
