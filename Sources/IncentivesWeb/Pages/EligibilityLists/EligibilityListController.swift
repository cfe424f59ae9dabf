import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/catalogue/engagements/{id}/eligibility`: one engagement's eligibility list for the vendor. Reviewers and the program
/// manager read it (the locations, each criterion's status, evidence and who set it, the history); only the program
/// manager adds and removes locations, sets criteria and imports CSV files (`RoleGuard`). An unknown engagement is 404.
struct EligibilityListController: Sendable {
    let deps: AppDependencies
    let lists: EligibilityLists

    init(deps: AppDependencies) {
        self.deps = deps
        lists = deps.stores.eligibility
    }

    /// The program manager changes lists; reviewers read them.
    static let programManager = RoleGuard { $0.vendorRole == .programManager }

    func register(on router: Router<AppRequestContext>) {
        let engagementExists = RecordResolver<Engagement>(load: { [catalogue = deps.stores.catalogue] id, _ in
            try await catalogue.engagement(id)
        }, keep: { _, _ in })
        let read = router.group().add(middleware: SectionGuard(section: .catalogue)).add(middleware: engagementExists)
        read.get(SitePath.catalogueEligibility(.key).pattern, use: show)
        let write = router.group().add(middleware: SectionGuard(section: .catalogue)).add(middleware: Self.programManager)
            .add(middleware: engagementExists)
        write.post(SitePath.catalogueEligibility(.key).pattern, use: add)
        write.get(SitePath.catalogueEligibilityRemove(.key, location: .key).pattern, use: confirmRemove)
        write.post(SitePath.catalogueEligibilityRemove(.key, location: .key).pattern, use: remove)
        write.post(SitePath.catalogueCriterion(.key, location: .key).pattern, use: setCriterion)
        write.post(SitePath.catalogueEligibilityImport(.key).pattern, use: importFile)
    }

    // MARK: Handlers

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await listPage(context)
    }

    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try engagementID(context), viewer = try context.signedIn
        guard let location = Int64(context.form.text("location")) else {
            return try await listPage(context, problem: EligibilityListView.Problem(form: "add", message: "Choose the location to add.")).response
        }
        do {
            try await lists.add(location, to: id, by: viewer, at: deps.clock.now)
        } catch let refusal as EligibilityRefusal {
            return try await listPage(context, problem: EligibilityListView.Problem(form: "add", message: refusal.message)).response
        } catch StoreError.notFound {
            return try await listPage(context, problem: EligibilityListView.Problem(form: "add", message: "There is no such location.")).response
        }
        return deps.redirect(to: SitePath.catalogueEligibility(.id(id)).href(), flash: Flash(kind: .success, message: "Location added to the list."))
    }

    @Sendable func confirmRemove(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let (list, entry) = try await listedEntry(context)
        return deps.page("eligibility-remove", EligibilityRemoveView(list, entry, input: deps.pageInput(context)))
    }

    @Sendable func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (list, entry) = try await listedEntry(context)
        // The confirmation page sends `confirm`; anything else removes nothing.
        guard context.form.text("confirm") == "remove" else {
            throw HTTPError(.unprocessableContent, message: "Confirm the removal on the location's remove page.")
        }
        try await lists.remove(entry.place.location.id, from: list.engagement.id, by: try context.signedIn, at: deps.clock.now)
        return deps.redirect(to: SitePath.catalogueEligibility(.id(list.engagement.id)).href(),
                             flash: Flash(kind: .success, message: "\(entry.place.fullName) removed from the list; its claims stay."))
    }

    @Sendable func setCriterion(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try engagementID(context), viewer = try context.signedIn
        guard let location = context.parameters.get("location", as: Int64.self) else { throw HTTPError(.notFound) }
        let form = context.form, criterion = form.text("criterion")
        let problemAt = EligibilityListView.Problem.criterionForm(location: location, criterion: criterion)
        do {
            let setting = try CriterionSetting(status: form.text("status"), expiresOn: form.text("expires_on"), evidence: form.text("evidence"),
                                               today: DayDate(deps.clock.now))
            try await lists.setCriterion(criterion, of: location, on: id, to: setting, by: viewer, at: deps.clock.now)
        } catch let refusal as InputRefusal {
            return try await listPage(context, problem: EligibilityListView.Problem(form: problemAt, message: refusal.message)).response
        } catch let refusal as EligibilityRefusal {
            return try await listPage(context, problem: EligibilityListView.Problem(form: problemAt, message: refusal.message)).response
        } catch StoreError.notFound {
            throw HTTPError(.notFound)
        }
        return deps.redirect(to: SitePath.catalogueEligibility(.id(id)).href(), flash: Flash(kind: .success, message: "Criterion set."))
    }

    /// A CSV import: an uploaded file (multipart) or pasted text, previewed (200, or 422 with each bad row's problem); the
    /// preview's form sends the text back with `apply`, and it is applied when every row is right. A file is never applied
    /// as it arrives.
    @Sendable func importFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try engagementID(context), viewer = try context.signedIn
        var text = context.form.text("csv"), kindName = context.form.text("kind"), apply = context.form.text("apply") == "1"
        var unread: ImportProblem?
        if request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true {
            let upload = try await MultipartUpload.read(request, context: context, limit: CSVTable.maxFileBytes, fields: ["kind"])
            kindName = upload.fields["kind"] ?? ""
            apply = false
            do throws(ImportProblem) { text = try CSVTable.text(ofFile: upload.fileBytes, tooLarge: upload.tooLarge) } catch { unread = error }
        }
        let kind = EligibilityImportView.Kind(rawValue: kindName) ?? .list
        let preview: ImportPreview
        switch (kind, unread) {
        case (_, let problem?): preview = ImportPreview(unread: problem)
        case (.list, nil): preview = try await lists.importList(text, into: id, apply: apply, by: viewer, at: deps.clock.now)
        case (.criteria, nil): preview = try await lists.importCriteria(text, into: id, apply: apply, by: viewer, at: deps.clock.now)
        }
        if preview.applied {
            return deps.redirect(to: SitePath.catalogueEligibility(.id(id)).href(),
                                 flash: Flash(kind: .success,
                                              message: "Import applied: \(preview.rows.count) row\(preview.rows.count == 1 ? "" : "s")."))
        }
        guard let list = try await lists.list(id, at: deps.clock.now) else { throw HTTPError(.notFound) }
        let view = EligibilityImportView(list, kind: kind, csv: text, preview: preview, input: deps.pageInput(context))
        return deps.page("eligibility-import", view, status: preview.problems.isEmpty ? .ok : .unprocessableContent)
            .response
    }

    // MARK: Pieces

    private func engagementID(_ context: AppRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
        return id
    }

    private func listPage(_ context: AppRequestContext, problem: EligibilityListView.Problem? = nil) async throws -> HTML {
        guard let list = try await lists.list(try engagementID(context), at: deps.clock.now) else { throw HTTPError(.notFound) }
        let view = EligibilityListView(list, problem: problem, input: deps.pageInput(context))
        return deps.page("eligibility-list", view, status: problem == nil ? .ok : .unprocessableContent)
    }

    /// The list and the entry of the `{location}` the route names; 404 when the location is not on the list.
    private func listedEntry(_ context: AppRequestContext) async throws -> (EligibilityList, EligibilityEntry) {
        guard let location = context.parameters.get("location", as: Int64.self),
              let list = try await lists.list(try engagementID(context), at: deps.clock.now),
              let entry = list.entries.first(where: { $0.place.location.id == location }) else { throw HTTPError(.notFound) }
        return (list, entry)
    }
}
