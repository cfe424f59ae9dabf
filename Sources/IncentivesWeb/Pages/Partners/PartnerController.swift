import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/partners`: the vendor's partner organizations and locations. The program manager adds, edits, deactivates and
/// reactivates them, invites an organization's first account admin and invites locations to enroll; the reviewer reads.
/// Partners never open the section. Writes sit behind `RoleGuard.programManagers`, checked before anything is read;
/// a `RecordResolver` loads the organization a `/partners/{id}` route names.
struct PartnerController: Sendable {
    let deps: AppDependencies
    let directory: PartnerDirectory

    init(deps: AppDependencies) {
        self.deps = deps
        directory = deps.stores.partners
    }

    func register(on router: Router<AppRequestContext>) {
        let partners = router.group().add(middleware: SectionGuard(section: .partners))
        let resolver = RecordResolver(load: { [directory] id, viewer in try await directory.organization(id, by: viewer) },
                                      keep: { $0.partner = $1 })
        partners.get(SitePath.partners.pattern, use: list)
        partners.group().add(middleware: resolver).get(SitePath.partner(.key).pattern, use: show)
        let manage = partners.group().add(middleware: RoleGuard.programManagers)
        manage.get(SitePath.newPartner.pattern, use: newForm)
        manage.post(SitePath.newPartner.pattern, use: create)
        let organization = manage.group().add(middleware: resolver)
        organization.get(SitePath.partnerEdit(.key).pattern, use: editForm)
        organization.post(SitePath.partnerEdit(.key).pattern, use: rename)
        organization.post(SitePath.partnerDeactivate(.key).pattern, use: deactivate)
        organization.post(SitePath.partnerReactivate(.key).pattern, use: reactivate)
        organization.post(SitePath.partnerLocations(.key).pattern, use: addLocation)
        organization.get(SitePath.partnerLocation(.key, location: .key).pattern, use: locationForm)
        organization.post(SitePath.partnerLocation(.key, location: .key).pattern, use: editLocation)
        organization.post(SitePath.partnerLocationDeactivate(.key, location: .key).pattern, use: deactivateLocation)
        organization.post(SitePath.partnerLocationReactivate(.key, location: .key).pattern, use: reactivateLocation)
        organization.post(SitePath.partnerAdmin(.key).pattern, use: inviteAdmin)
        organization.post(SitePath.partnerInvitation(.key, user: .key).pattern, use: resendInvitation)
        organization.post(SitePath.partnerEnrollment(.key).pattern, use: inviteToEnroll)
    }

    // MARK: The list and new organizations

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let search = request.uri.queryParameters.get("q") ?? ""
        let filter = request.uri.queryParameters.get("show").flatMap(PartnerFilter.init(rawValue:)) ?? .all
        let summaries = try await directory.list(search: search, filter: filter, by: try context.signedIn)
        return deps.page("partners", PartnerListView(summaries, search: search, filter: filter, input: deps.pageInput(context)))
    }

    @Sendable func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        deps.page("partner-form", PartnerFormView(id: nil, currentName: nil, form: PartnerForm(.organization), input: deps.pageInput(context)))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var form = PartnerForm(.organization, context.form, fields: ["name"])
        do {
            let id = try await directory.addOrganization(name: form.values["name"] ?? "", by: try context.signedIn, now: deps.clock.now)
            return deps.redirect(to: SitePath.partner(.id(id)).href(),
                                 flash: Flash(kind: .success, message: "Partner organization added. Add its first location next."))
        } catch let error where form.refuse(error) {
            let view = PartnerFormView(id: nil, currentName: nil, form: form, input: deps.pageInput(context))
            return deps.page("partner-form", view, status: .unprocessableContent).response
        }
    }

    // MARK: One organization

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        deps.page("partner", PartnerView(try context.resolved(\.partner), input: deps.pageInput(context)))
    }

    @Sendable func editForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let file = try context.resolved(\.partner)
        let form = PartnerForm(.organization, values: ["name": file.summary.name])
        return deps.page("partner-form", PartnerFormView(id: file.summary.id, currentName: file.summary.name, form: form,
                                                         input: deps.pageInput(context)))
    }

    @Sendable func rename(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try context.resolved(\.partner)
        var form = PartnerForm(.organization, context.form, fields: ["name"])
        do {
            try await directory.renameOrganization(file.summary.id, to: form.values["name"] ?? "", by: try context.signedIn, now: deps.clock.now)
            return back(to: file, "Name saved.")
        } catch let error where form.refuse(error) {
            let view = PartnerFormView(id: file.summary.id, currentName: file.summary.name, form: form, input: deps.pageInput(context))
            return deps.page("partner-form", view, status: .unprocessableContent).response
        }
    }

    @Sendable func deactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        var form = PartnerForm(.deactivate, context.form, fields: ["reason"])
        let file = try context.resolved(\.partner)
        do {
            try await directory.deactivateOrganization(file.summary.id, reason: form.values["reason"] ?? "", by: try context.signedIn,
                                                       now: deps.clock.now)
            return back(to: file, "\(file.summary.name) and its locations are deactivated.")
        } catch let error where form.refuse(error) {
            return try organizationPage(context, form: form)
        }
    }

    @Sendable func reactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try context.resolved(\.partner)
        return try await refusedAsFlash(file) {
            try await directory.reactivateOrganization(file.summary.id, by: try context.signedIn, now: deps.clock.now)
            return "\(file.summary.name) is active again, with the locations deactivated with it."
        }
    }

    @Sendable func addLocation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try context.resolved(\.partner)
        var form = PartnerForm(.location, context.form, fields: ["name", "country"])
        do {
            _ = try await directory.addLocation(organization: file.summary.id, name: form.values["name"] ?? "",
                                                country: form.values["country"] ?? "", by: try context.signedIn, now: deps.clock.now)
            return back(to: file, "Location added.")
        } catch let error where form.refuse(error) {
            return try organizationPage(context, form: form)
        }
    }

    /// The organization's page again with a form sent back (422).
    private func organizationPage(_ context: AppRequestContext, form: PartnerForm) throws -> Response {
        let view = PartnerView(try context.resolved(\.partner), form: form, input: deps.pageInput(context))
        return deps.page("partner", view, status: .unprocessableContent).response
    }

    func back(to file: PartnerFile, _ message: String, kind: Flash.Kind = .success) -> Response {
        deps.redirect(to: SitePath.partner(.id(file.summary.id)).href(), flash: Flash(kind: kind, message: message))
    }

    /// Runs a one-button change; a refusal comes back as the organization page's flash.
    func refusedAsFlash(_ file: PartnerFile, _ change: () async throws -> String) async throws -> Response {
        do {
            return back(to: file, try await change())
        } catch {
            guard let refusal = ErrorAnswer.formRefusal(error) else { throw error }
            return back(to: file, refusal.detail, kind: .error)
        }
    }
}

