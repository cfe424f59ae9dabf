import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/settings/users`: an account admin invites colleagues and grants or revokes roles per location;
/// `/invitations/{token}`: the colleague accepts and chooses a password. The settings routes share a group:
/// `SectionGuard` checks the viewer once, and a `RecordResolver` loads the colleague a `/settings/users/{id}` route names.
struct UserController: Sendable {
    let deps: AppDependencies
    let users: UserRepository
    let sessions: SessionRepository

    init(deps: AppDependencies) {
        self.deps = deps
        users = deps.stores.users
        sessions = deps.stores.sessions
    }

    func register(on router: Router<AppRequestContext>) {
        let settings = router.group().add(middleware: SectionGuard(section: .users))
        settings.get(SitePath.users.pattern, use: list)
        settings.post(SitePath.users.pattern, use: invite)
        // The colleague a `/settings/users/{id}` route names: a member of the admin's own organization.
        let member = settings.group().add(middleware: RecordResolver(load: { [users] id, viewer in
            guard let organizationID = viewer.organizationID else { return nil }
            return try await users.member(id, ofOrganization: organizationID)
        }, keep: { $0.member = $1 }))
        member.get(SitePath.user(.key).pattern, use: show)
        member.post(SitePath.userRoles(.key).pattern, use: changeRoles)
        member.post(SitePath.userInvitation(.key).pattern, use: reinvite)
        router.get(SitePath.invitation(token: .key).pattern, use: showInvitation)
        router.post(SitePath.invitation(token: .key).pattern, use: acceptInvitation)
    }

    // MARK: Users list and invitations

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await listPage(context)
    }

    @Sendable func invite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        var form = InviteForm(context.form)
        if form.errors.isEmpty, let roles = form.roles {
            do {
                let secret = try await users.invite(email: form.email, name: form.name, roles: roles.map { ($0.location, $0.role) },
                                                    by: viewer, now: deps.clock.now, mail: invitationMail(to: form.email, from: viewer))
                let created = try await users.find(email: form.email)
                return deps.redirect(to: (created.map { SitePath.user(.id($0.id)) } ?? .users).href(),
                                     flash: Flash(kind: .success, message: linkMessage(for: form.email, secret)))
            } catch StoreError.invalid(let field, let message) {
                form.errors[field == "organization" ? "email" : field] = message
            }
        }
        return try await listPage(context, form: form).response
    }

    private func listPage(_ context: AppRequestContext, form: InviteForm? = nil) async throws -> HTML {
        let viewer = try context.signedIn
        let members = try await users.list(organizationID: viewer.organizationID)
        let view = UserListView(members: members, locations: try await locations(of: viewer), form: form, input: deps.pageInput(context))
        return deps.page("users", view, status: view.formError ? .unprocessableContent : .ok)
    }

    // MARK: One colleague

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let member = try context.resolved(\.member)
        let locations = try await locations(of: try context.signedIn)
        return deps.page("user", UserView(member, locations: locations, input: deps.pageInput(context)))
    }

    @Sendable func changeRoles(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, member) = (try context.signedIn, try context.resolved(\.member))
        // The page offers "LOCATION:ROLE" checkboxes only: anything else did not come from it.
        guard let wanted = RoleGrant.parse(context.form.all("role")) else {
            throw HTTPError(.badRequest, message: "A role was not recognised; nothing was changed. Reload the page and try again.")
        }
        let administered = viewer.administeredLocations
        let (grants, revokes) = RoleGrant.changes(from: member.roles, to: wanted, administered: administered)
        guard wanted.allSatisfy({ administered.contains($0.location) }) else { throw HTTPError(.notFound) }
        let back = SitePath.user(.id(member.id)).href()
        do {
            for grant in grants {
                try await users.grant(grant.role, onLocation: grant.location, toUser: member.id, administered: administered)
            }
            for revoke in revokes {
                try await users.revoke(revoke.role, onLocation: revoke.location, fromUser: member.id, administered: administered)
            }
        } catch {
            guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
            return deps.redirect(to: back, flash: Flash(kind: .error, message: message))
        }
        let changed = grants.count + revokes.count
        let message = changed == 0 ? "Nothing changed." : "Roles of \(member.name) saved: \(grants.count) granted, \(revokes.count) revoked."
        return deps.redirect(to: back, flash: Flash(kind: .success, message: message))
    }

    /// A new invitation link for a colleague who has not accepted yet; every earlier link stops working.
    @Sendable func reinvite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, member) = (try context.signedIn, try context.resolved(\.member))
        let back = SitePath.user(.id(member.id)).href()
        do {
            let secret = try await users.reinvite(userID: member.id, by: viewer, now: deps.clock.now,
                                                  mail: invitationMail(to: member.email, from: viewer))
            return deps.redirect(to: back, flash: Flash(kind: .success, message: linkMessage(for: member.email, secret)))
        } catch {
            guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
            return deps.redirect(to: back, flash: Flash(kind: .error, message: message))
        }
    }

    // MARK: Accepting an invitation

    @Sendable func showInvitation(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let token = context.parameters.get("token") ?? ""
        guard let invitation = try await users.invitation(secret: token, now: deps.clock.now) else { throw HTTPError(.notFound) }
        return deps.page("invitation", InvitationView(invitation, token: token, input: deps.pageInput(context)))
    }

    @Sendable func acceptInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let now = deps.clock.now
        guard let invitation = try await users.invitation(secret: token, now: now) else { throw HTTPError(.notFound) }
        let form = AcceptInvitationForm(context.form)
        guard form.errors.isEmpty else {
            let view = InvitationView(invitation, token: token, form: form, input: deps.pageInput(context))
            return deps.page("invitation", view, status: .unprocessableContent).response
        }
        let password = form.password
        let hash = try await BlockingWork.run { PasswordHasher.hash(password) }
        let userID = try await users.accept(secret: token, name: form.name, passwordHash: hash, timeZone: form.zone, now: now)
        return try await deps.startSession(userID: userID, sessions: sessions, request: request, context: context,
                                           redirectTo: SitePath.home.href(),
                                           flash: Flash(kind: .success, message: "Welcome to \(invitation.organizationName). You are signed in."))
    }

    // MARK: Pieces

    private func locations(of viewer: Viewer) async throws -> [LocationSummary] {
        guard let organizationID = viewer.organizationID else { return [] }
        return try await users.locations(ofOrganization: organizationID)
    }

    private func linkMessage(for email: String, _ secret: String) -> String {
        "Invitation emailed to \(email). The link also works if you pass it on yourself, once, for 7 days: \(invitationLink(secret))"
    }

    private func invitationLink(_ secret: String) -> String {
        deps.config.publicURL + SitePath.invitation(token: .text(secret)).href()
    }

    /// The invitation email, written to the outbox with the invitation itself.
    private func invitationMail(to email: String, from viewer: Viewer) -> @Sendable (String, String) -> MailMessage {
        let organization = viewer.organizationName
        let inviter = viewer.name
        let expires = deps.format(deps.clock.now.addingTimeInterval(7 * 86_400), for: nil)
        let base = deps.config.publicURL
        return { secret, name in
            MailMessage.invitation(to: email, name: name, organization: organization, inviter: inviter,
                                   link: base + SitePath.invitation(token: .text(secret)).href(), expires: expires)
        }
    }
}
