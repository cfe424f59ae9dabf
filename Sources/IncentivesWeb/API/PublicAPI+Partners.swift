import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore

/// The contract's Partners operations: the vendor's partner directory through the same `PartnerDirectory` as the pages.
/// Reads are the vendor's (a partner's token is 403); writes are the program manager's (the reviewer's is 403).
extension PublicAPI {
    var directory: PartnerDirectory { deps.stores.partners }

    /// The caller, when their role reads partners, and, for a change, is the program manager.
    func partnerCaller(changes: Bool) throws -> Viewer {
        try vendorCaller(.partners, changes: changes, what: "partner organizations and locations")
    }

    /// The organization as the contract shows it, after a change or for a read.
    func partner(_ id: Int64, _ viewer: Viewer) async throws -> Components.Schemas.PartnerOrganization {
        guard let file = try await directory.organization(id, by: viewer) else { throw APIProblem.notFound() }
        return .init(file.summary, programID: file.program?.id)
    }

    func partnerLocation(_ id: Int64, _ viewer: Viewer) async throws -> Components.Schemas.PartnerLocation {
        guard let location = try await directory.location(id, by: viewer) else { throw APIProblem.notFound() }
        return .init(location, programID: try await deps.stores.program.program()?.id)
    }

    // MARK: Organizations

    func listPartners(_ input: Operations.ListPartners.Input) async throws -> Operations.ListPartners.Output {
        let viewer = try partnerCaller(changes: false)
        let programID = try await deps.stores.program.program()?.id
        let partners = try await directory.list(by: viewer)
        return .ok(.init(body: .json(.init(partners: partners.map { .init($0, programID: programID) }))))
    }

    func getPartner(_ input: Operations.GetPartner.Input) async throws -> Operations.GetPartner.Output {
        .ok(.init(body: .json(try await partner(input.path.id, try partnerCaller(changes: false)))))
    }

    func createPartner(_ input: Operations.CreatePartner.Input) async throws -> Operations.CreatePartner.Output {
        let viewer = try partnerCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the name as JSON.") }
        let id = try await directory.addOrganization(name: body.name, by: viewer, now: now)
        return .created(.init(body: .json(try await partner(id, viewer))))
    }

    func updatePartner(_ input: Operations.UpdatePartner.Input) async throws -> Operations.UpdatePartner.Output {
        let viewer = try partnerCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the name as JSON.") }
        try await directory.renameOrganization(input.path.id, to: body.name, by: viewer, now: now)
        return .ok(.init(body: .json(try await partner(input.path.id, viewer))))
    }

    func deactivatePartner(_ input: Operations.DeactivatePartner.Input) async throws -> Operations.DeactivatePartner.Output {
        let viewer = try partnerCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the reason as JSON.") }
        try await directory.deactivateOrganization(input.path.id, reason: body.reason, by: viewer, now: now)
        return .ok(.init(body: .json(try await partner(input.path.id, viewer))))
    }

    func reactivatePartner(_ input: Operations.ReactivatePartner.Input) async throws -> Operations.ReactivatePartner.Output {
        let viewer = try partnerCaller(changes: true)
        try await directory.reactivateOrganization(input.path.id, by: viewer, now: now)
        return .ok(.init(body: .json(try await partner(input.path.id, viewer))))
    }

    // MARK: Locations

    func createPartnerLocation(_ input: Operations.CreatePartnerLocation.Input) async throws -> Operations.CreatePartnerLocation.Output {
        let viewer = try partnerCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the location as JSON.") }
        let id = try await directory.addLocation(organization: input.path.id, name: body.name, country: body.country, by: viewer, now: now)
        return .created(.init(body: .json(try await partnerLocation(id, viewer))))
    }

    func updatePartnerLocation(_ input: Operations.UpdatePartnerLocation.Input) async throws -> Operations.UpdatePartnerLocation.Output {
        let viewer = try partnerCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the location as JSON.") }
        try await directory.editLocation(input.path.id, name: body.name, country: body.country, by: viewer, now: now)
        return .ok(.init(body: .json(try await partnerLocation(input.path.id, viewer))))
    }

    func deactivatePartnerLocation(_ input: Operations.DeactivatePartnerLocation.Input) async throws -> Operations.DeactivatePartnerLocation.Output {
        let viewer = try partnerCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the reason as JSON.") }
        try await directory.deactivateLocation(input.path.id, reason: body.reason, by: viewer, now: now)
        return .ok(.init(body: .json(try await partnerLocation(input.path.id, viewer))))
    }

    func reactivatePartnerLocation(_ input: Operations.ReactivatePartnerLocation.Input) async throws -> Operations.ReactivatePartnerLocation.Output {
        let viewer = try partnerCaller(changes: true)
        try await directory.reactivateLocation(input.path.id, by: viewer, now: now)
        return .ok(.init(body: .json(try await partnerLocation(input.path.id, viewer))))
    }

    // MARK: Invitations

    func invitePartnerAdmin(_ input: Operations.InvitePartnerAdmin.Input) async throws -> Operations.InvitePartnerAdmin.Output {
        let viewer = try partnerCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the name and email as JSON.") }
        let base = deps.config.publicURL + SitePath.invitation(token: .text("")).href()
        let expires = deps.format(now.addingTimeInterval(7 * 86_400), for: nil)
        let inviter = viewer.name
        let secret = try await directory.inviteFirstAdmin(organization: input.path.id, email: body.email, name: body.name,
                                                          by: viewer, now: now) { secret, invitee in
            MailMessage.invitation(to: invitee.email, name: invitee.name, organization: invitee.organization, inviter: inviter,
                                   link: base + secret, expires: expires)
        }
        guard let user = try await deps.stores.users.find(email: body.email) else { throw APIProblem.notFound() }
        return .created(.init(body: .json(.init(userId: user.id, email: user.email, name: user.name, invitationUrl: base + secret))))
    }

    func invitePartnerLocationsToEnroll(_ input: Operations.InvitePartnerLocationsToEnroll.Input)
        async throws -> Operations.InvitePartnerLocationsToEnroll.Output {
        let viewer = try partnerCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the location ids as JSON.") }
        let link = deps.config.publicURL + SitePath.enrollment.href()
        let outcomes = try await directory.inviteToEnroll(organization: input.path.id, locations: body.locationIds, by: viewer, now: now) {
            MailMessage.enrollmentInvitation(to: $0.email, name: $0.name, organization: $0.organization, location: $0.location,
                                             program: $0.program, link: link)
        }
        return .ok(.init(body: .json(.init(outcomes: outcomes.map { outcome in
            let result: Components.Schemas.EnrollmentInvitationOutcomes.OutcomesPayloadPayload.ResultPayload =
                switch outcome.invitation { case .invite: .invited; case .remind: .reminded; case nil: .refused }
            return .init(locationId: outcome.locationID, locationName: outcome.locationName, result: result, reason: outcome.refusal)
        }))))
    }
}

// MARK: The contract's types (kept with their operations; `Mappings` holds the claims' and the program's)

extension Components.Schemas.PartnerOrganization {
    init(_ s: PartnerSummary, programID: Int64?) {
        self.init(id: s.id, name: s.name, createdAt: s.createdAt, deactivatedAt: s.deactivation?.at, deactivationReason: s.deactivation?.reason,
                  users: s.users, openClaims: s.openClaims, locations: s.locations.map { .init($0, programID: programID) })
    }
}

extension Components.Schemas.PartnerLocation {
    init(_ l: PartnerLocation, programID: Int64?) {
        self.init(id: l.id, organizationId: l.organizationID, name: l.name, country: l.country, market: .init(rawValue: l.market.rawValue) ?? .c,
                  enrollment: programID.flatMap { l.enrollments[$0] }?.rawValue, deactivatedAt: l.deactivation?.at,
                  deactivationReason: l.deactivation?.reason)
    }
}
