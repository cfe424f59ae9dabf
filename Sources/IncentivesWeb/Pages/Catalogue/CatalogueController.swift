import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/catalogue`: the program manager runs the program's catalogue from here (the program, its solution areas, and
/// engagements drafted, previewed, published in versions and closed); reviewers read every engagement, criteria
/// included. Changes are the program manager's (`RoleGuard.programManagers`); an unknown engagement or area is a 404.
struct CatalogueController: Sendable {
    let deps: AppDependencies
    let console: CatalogueConsole

    init(deps: AppDependencies) {
        self.deps = deps
        console = deps.stores.console
    }

    func register(on router: Router<AppRequestContext>) {
        let section = router.group().add(middleware: SectionGuard(section: .catalogue))
        section.get(SitePath.catalogue.pattern, use: overview)
        section.get(SitePath.catalogueEngagement(.key).pattern, use: showEngagement)
        let manager = section.group().add(middleware: RoleGuard.programManagers)
        manager.post(SitePath.catalogueProgram.pattern, use: createProgram)
        manager.post(SitePath.catalogueAreas.pattern, use: addArea)
        manager.get(SitePath.catalogueArea(.key).pattern, use: showArea)
        manager.post(SitePath.catalogueArea(.key).pattern, use: editArea)
        manager.get(SitePath.catalogueNewEngagement.pattern, use: newEngagement)
        manager.post(SitePath.catalogueEngagements.pattern, use: createEngagement)
        manager.get(SitePath.catalogueDraft(.key).pattern, use: editDraft)
        manager.post(SitePath.catalogueDraft(.key).pattern, use: saveDraft)
        manager.post(SitePath.catalogueVersions(.key).pattern, use: startVersion)
        manager.post(SitePath.cataloguePublish(.key).pattern, use: publish)
        manager.post(SitePath.catalogueClose(.key).pattern, use: close)
        section.get(SitePath.catalogueTemplate(.key, template: .key).pattern, use: downloadTemplate)
        manager.post(SitePath.catalogueTemplateUpload(.key, kind: .key).pattern, use: uploadTemplate)
        manager.post(SitePath.catalogueTemplateRemove(.key, kind: .key).pattern, use: removeTemplate)
    }

    // MARK: The program and its areas

    @Sendable func overview(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await overviewPage(context)
    }

    private func overviewPage(_ context: AppRequestContext, programForm: ProgramForm = ProgramForm(), areaForm: AreaForm = AreaForm()) async throws -> HTML {
        let input = deps.pageInput(context)
        let view = CatalogueView(try await console.overview(at: input.now), programForm: programForm, areaForm: areaForm, input: input)
        return deps.page("catalogue", view, status: programForm.errors.isEmpty && areaForm.errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func createProgram(_ request: Request, context: AppRequestContext) async throws -> Response {
        var form = ProgramForm(context.form)
        do {
            _ = try await console.createProgram(name: form.name, managerName: form.managerName, managerEmail: form.managerEmail,
                                                by: try context.signedIn, at: deps.clock.now)
        } catch {
            try form.note(error)
            return try await overviewPage(context, programForm: form).response
        }
        return deps.redirect(to: SitePath.catalogue.href(), flash: Flash(kind: .success, message: "The program is set up. Add its solution areas next."))
    }

    @Sendable func addArea(_ request: Request, context: AppRequestContext) async throws -> Response {
        var form = AreaForm(context.form)
        do {
            _ = try await console.addArea(code: form.code, name: form.name, position: nil, by: try context.signedIn, at: deps.clock.now)
        } catch {
            try form.note(error)
            return try await overviewPage(context, areaForm: form).response
        }
        return deps.redirect(to: SitePath.catalogue.href(), flash: Flash(kind: .success, message: "Solution area \(form.name) added."))
    }

    @Sendable func showArea(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await areaPage(context, form: nil)
    }

    @Sendable func editArea(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try areaID(context)
        var form = AreaForm(context.form)
        do {
            guard let position = Int(form.position), (1...1_000).contains(position) else {
                throw CatalogueError.invalid(field: "position", "The place is a whole number from 1 to 1,000 (1 comes first).")
            }
            try await console.editArea(id, code: form.code, name: form.name, position: position, by: try context.signedIn, at: deps.clock.now)
        } catch {
            try form.note(error)
            return try await areaPage(context, form: form).response
        }
        return deps.redirect(to: SitePath.catalogue.href(), flash: Flash(kind: .success, message: "Solution area \(form.name) saved."))
    }

    private func areaID(_ context: AppRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
        return id
    }

    private func areaPage(_ context: AppRequestContext, form: AreaForm?) async throws -> HTML {
        let id = try areaID(context)
        let input = deps.pageInput(context)
        guard let (area, position) = try await console.areas().first(where: { $0.area.id == id }) else { throw HTTPError(.notFound) }
        let form = form ?? AreaForm(area, position: position)
        return deps.page("catalogue-area", AreaView(area, form: form, input: input), status: form.errors.isEmpty ? .ok : .unprocessableContent)
    }
}

/// The program form of an empty catalogue.
struct ProgramForm: RefusableForm {
    var name = "", managerName = "", managerEmail = ""
    var errors: [String: String] = [:]

    init() {}
    init(_ form: FormFields) { name = form.text("name"); managerName = form.text("manager_name"); managerEmail = form.text("manager_email") }
}

/// The solution-area form: a new one on the overview, or one area's page.
struct AreaForm: RefusableForm {
    var code = "", name = "", position = ""
    var errors: [String: String] = [:]

    init() {}
    init(_ form: FormFields) { code = form.text("code"); name = form.text("name"); position = form.text("position") }
    init(_ area: SolutionArea, position: Int) { code = area.code; name = area.name; self.position = String(position) }
}
