import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// A location's own page, the first admin's invitation and the enrollment invitations.
extension PartnerController {
    // MARK: One location

    @Sendable func locationForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let (file, location) = try resolvedLocation(context)
        return deps.page("partner-location", PartnerLocationView(location, organization: file.summary.name, input: deps.pageInput(context)))
    }

    @Sendable func editLocation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (file, location) = try resolvedLocation(context)
        var form = PartnerForm(.location, context.form, fields: ["name", "country"])
        do {
            try await directory.editLocation(location.id, name: form.values["name"] ?? "", country: form.values["country"] ?? "",
                                             by: try context.signedIn, now: deps.clock.now)
            return back(to: file, "Location saved.")
        } catch let error where form.refuse(error) {
            return locationPage(file, location, form: form, context)
        }
    }

    @Sendable func deactivateLocation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (file, location) = try resolvedLocation(context)
        var form = PartnerForm(.deactivate, context.form, fields: ["reason"])
        do {
            try await directory.deactivateLocation(location.id, reason: form.values["reason"] ?? "", by: try context.signedIn, now: deps.clock.now)
            return back(to: file, "\(location.name) is deactivated: it takes no new claims; its claims and earnings stay.")
        } catch let error where form.refuse(error) {
            return locationPage(file, location, form: form, context)
        }
    }

    @Sendable func reactivateLocation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (file, location) = try resolvedLocation(context)
        return try await refusedAsFlash(file) {
            try await directory.reactivateLocation(location.id, by: try context.signedIn, now: deps.clock.now)
            return "\(location.name) is active again."
        }
    }

    private func locationPage(_ file: PartnerFile, _ location: PartnerLocation, form: PartnerForm, _ context: AppRequestContext) -> Response {
        let view = PartnerLocationView(location, organization: file.summary.name, form: form, input: deps.pageInput(context))
        return deps.page("partner-location", view, status: .unprocessableContent).response
    }

    /// The location `{location}` names among the organization's; any other is a 404.
    private func resolvedLocation(_ context: AppRequestContext) throws -> (PartnerFile, PartnerLocation) {
        let file = try context.resolved(\.partner)
        guard let id = context.parameters.get("location", as: Int64.self),
              let location = file.summary.locations.first(where: { $0.id == id }) else { throw HTTPError(.notFound) }
        return (file, location)
    }

    // MARK: Invitations

    @Sendable func inviteAdmin(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try context.resolved(\.partner)
        let viewer = try context.signedIn
        var form = PartnerForm(.admin, context.form, fields: ["name", "email"])
        let email = form.values["email"] ?? ""
        do {
            let mail = invitationMail(from: viewer)
            let secret = try await directory.inviteFirstAdmin(organization: file.summary.id, email: email, name: form.values["name"] ?? "",
                                                              by: viewer, now: deps.clock.now) { secret, invitee in
                mail(secret, invitee.email, invitee.name, invitee.organization)
            }
            return back(to: file, linkMessage(for: email.lowercased(), secret))
        } catch let error where form.refuse(error) {
            let view = PartnerView(file, form: form, input: deps.pageInput(context))
            return deps.page("partner", view, status: .unprocessableContent).response
        }
    }

    /// A new link for an invited user of the organization who has not accepted; earlier links stop working.
    @Sendable func resendInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try context.resolved(\.partner)
        guard let id = context.parameters.get("user", as: Int64.self), let user = file.users.first(where: { $0.id == id }) else {
            throw HTTPError(.notFound)
        }
        let viewer = try context.signedIn
        let mail = invitationMail(from: viewer)
        let (email, organization) = (user.email, file.summary.name)
        return try await refusedAsFlash(file) {
            let secret = try await deps.stores.users.reinvite(userID: user.id, by: viewer, now: deps.clock.now) { secret, name in
                mail(secret, email, name, organization)
            }
            return linkMessage(for: user.email, secret)
        }
    }

    /// One location (its button) or several (the ticked boxes): each is invited on its own, and the flash says which
    /// were invited and why the others were not.
    @Sendable func inviteToEnroll(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try context.resolved(\.partner)
        // A row's own button sends `only`, whatever boxes are ticked; "Invite selected" sends the ticked boxes.
        let raw = context.form["only"].map { [$0] } ?? context.form.all("location")
        let ids = raw.compactMap { Int64($0) }
        guard ids.count == raw.count else { throw HTTPError(.badRequest, message: "A location was not recognised; reload the page and try again.") }
        let link = deps.config.publicURL + SitePath.enrollment.href()
        do {
            let outcomes = try await directory.inviteToEnroll(organization: file.summary.id, locations: ids, by: try context.signedIn,
                                                              now: deps.clock.now) { invitee in
                MailMessage.enrollmentInvitation(to: invitee.email, name: invitee.name, organization: invitee.organization,
                                                 location: invitee.location, program: invitee.program, link: link)
            }
            let invited = outcomes.filter { $0.invitation != nil }
            let refused = outcomes.filter { $0.refusal != nil }.map { "\($0.locationName) (\($0.refusal ?? ""))" }
            var parts: [String] = []
            if !invited.isEmpty { parts.append("Invited to enroll: " + invited.map(\.locationName).joined(separator: ", ") + ".") }
            if !refused.isEmpty { parts.append("Not invited: " + refused.joined(separator: "; ") + ".") }
            return back(to: file, parts.joined(separator: " "), kind: refused.isEmpty ? .success : invited.isEmpty ? .error : .info)
        } catch {
            var form = PartnerForm(.enrollment)
            guard form.refuse(error) else { throw error }
            let view = PartnerView(file, form: form, input: deps.pageInput(context))
            return deps.page("partner", view, status: .unprocessableContent).response
        }
    }

    private func linkMessage(for email: String, _ secret: String) -> String {
        "Invitation emailed to \(email). The link also works if you pass it on yourself, once, for 7 days: "
            + deps.config.publicURL + SitePath.invitation(token: .text(secret)).href()
    }

    /// The invitation email of the users' flow, from the program manager on behalf of the organization.
    private func invitationMail(from viewer: Viewer)
        -> @Sendable (_ secret: String, _ email: String, _ name: String, _ organization: String) -> MailMessage {
        let inviter = viewer.name
        let expires = deps.format(deps.clock.now.addingTimeInterval(7 * 86_400), for: nil)
        let base = deps.config.publicURL
        return { secret, email, name, organization in
            MailMessage.invitation(to: email, name: name, organization: organization, inviter: inviter,
                                   link: base + SitePath.invitation(token: .text(secret)).href(), expires: expires)
        }
    }
}
