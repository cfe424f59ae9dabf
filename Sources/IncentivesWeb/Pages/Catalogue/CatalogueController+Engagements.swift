import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// One engagement in the console: the form that drafts it or its next version, its page (terms in force, versions, the
/// draft's preview against the version in force, history), and the steps that publish and close it.
extension CatalogueController {
    @Sendable func newEngagement(_ request: Request, context: AppRequestContext) async throws -> HTML {
        var form = EngagementForm()
        let now = deps.clock.now
        form.opensOn = DayDate(now).description
        form.terms.currency = "USD"
        form.terms.type = EngagementType.workshop.rawValue
        form.terms.payModel = PayModel.fixed.rawValue
        if let area = request.uri.queryParameters.get("area") { form.area = area }
        return try await formPage(context, form: form, file: nil)
    }

    @Sendable func createEngagement(_ request: Request, context: AppRequestContext) async throws -> Response {
        var form = EngagementForm(context.form)
        let areas = try await console.areas().map(\.area)
        if let draft = try form.draft(areas: areas) {
            do {
                let id = try await console.draft(draft, by: try context.signedIn, at: deps.clock.now)
                return deps.redirect(to: SitePath.catalogueEngagement(.id(id)).href(),
                                     flash: Flash(kind: .success, message: "Draft saved. Partners see nothing of it until you publish it."))
            } catch {
                try form.note(error)
            }
        }
        return try await formPage(context, form: form, file: nil).response
    }

    @Sendable func editDraft(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let file = try await engagementFile(context)
        guard let draft = file.draft else { throw HTTPError(.notFound) }
        return try await formPage(context, form: EngagementForm(file, draft: draft), file: file)
    }

    @Sendable func saveDraft(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try await engagementFile(context)
        guard file.draft != nil else { throw HTTPError(.notFound) }
        var form = EngagementForm(context.form)
        if file.lifecycle != .draft {
            // Only a draft engagement's name, area, role and dates change here; a version changes its terms.
            form.name = file.name; form.area = String(file.solutionArea.id); form.role = file.role.rawValue
            form.opensOn = file.opensOn?.description ?? DayDate(deps.clock.now).description; form.closesAfter = file.closesAfter?.description ?? ""
        }
        let areas = try await console.areas().map(\.area)
        if let draft = try form.draft(areas: areas) {
            do {
                try await console.saveDraft(file.id, draft, by: try context.signedIn, at: deps.clock.now)
                return deps.redirect(to: SitePath.catalogueEngagement(.id(file.id)).href(),
                                     flash: Flash(kind: .success, message: "Draft saved. Check the preview, then publish it."))
            } catch {
                try form.note(error)
            }
        }
        return try await formPage(context, form: form, file: file).response
    }

    func formPage(_ context: AppRequestContext, form: EngagementForm, file: ConsoleEngagementFile?,
                  templateRefusal: TemplateRefusal? = nil) async throws -> HTML {
        let input = deps.pageInput(context)
        let areas = try await console.areas().map(\.area)
        let view = EngagementFormView(form, areas: areas, file: file, templateFiles: try await templateFiles(file), templateRefusal: templateRefusal,
                                      templateLimit: deps.stores.proofTemplates.rules.limitText, input: input)
        let refused = !form.errors.isEmpty || templateRefusal != nil
        return deps.page("catalogue-engagement-form", view, status: refused ? .unprocessableContent : .ok)
    }

    @Sendable func showEngagement(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await engagementPage(context, publishError: nil)
    }

    func engagementPage(_ context: AppRequestContext, publishError: String?, effective: String = "") async throws -> HTML {
        let file = try await engagementFile(context)
        let input = deps.pageInput(context)
        let view = ConsoleEngagementView(file, templateFiles: try await templateFiles(file), publishError: publishError, effective: effective,
                                         input: input)
        return deps.page("catalogue-engagement", view, status: publishError == nil ? .ok : .unprocessableContent)
    }

    @Sendable func startVersion(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try await engagementFile(context)
        do {
            let number = try await console.startVersion(file.id, by: try context.signedIn, at: deps.clock.now)
            return deps.redirect(to: SitePath.catalogueDraft(.id(file.id)).href(),
                                 flash: Flash(kind: .success, message: "Version \(number) started from the version in force: change its terms, then publish it."))
        } catch {
            guard let answer = ErrorAnswer.formRefusal(error) else { throw error }
            return try await engagementPage(context, publishError: answer.detail).response
        }
    }

    @Sendable func publish(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try await engagementFile(context)
        let typed = context.form.text("effective_from")
        do {
            var effective: Date?
            if !typed.isEmpty {
                guard let day = DayDate(typed) else {
                    throw CatalogueError.invalid(field: "effective_from", "Write the day it takes effect as YYYY-MM-DD, or leave it empty for now.")
                }
                // Today means now (its midnight has passed); a later day, from its start (UTC, the program's days).
                effective = day == DayDate(deps.clock.now) ? nil : day.startUTC
            }
            try await console.publish(file.id, effectiveFrom: effective, by: try context.signedIn, at: deps.clock.now)
        } catch {
            guard let answer = ErrorAnswer.formRefusal(error) else { throw error }
            return try await engagementPage(context, publishError: answer.detail, effective: typed).response
        }
        return deps.redirect(to: SitePath.catalogueEngagement(.id(file.id)).href(), flash: Flash(kind: .success, message: "Published."))
    }

    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try await engagementFile(context)
        guard context.form.text("confirm") == "close" else {
            throw HTTPError(.unprocessableContent, message: "Confirm the closing with the engagement page's Close button.")
        }
        do {
            try await console.close(file.id, by: try context.signedIn, at: deps.clock.now)
        } catch {
            guard let answer = ErrorAnswer.formRefusal(error) else { throw error }
            return try await engagementPage(context, publishError: answer.detail).response
        }
        return deps.redirect(to: SitePath.catalogueEngagement(.id(file.id)).href(),
                             flash: Flash(kind: .success, message: "\(file.name) is closed: it takes no new claims; its claims go on."))
    }

    func engagementFile(_ context: AppRequestContext) async throws -> ConsoleEngagementFile {
        guard let id = context.parameters.get("id", as: Int64.self), let file = try await console.file(id) else { throw HTTPError(.notFound) }
        return file
    }
}
