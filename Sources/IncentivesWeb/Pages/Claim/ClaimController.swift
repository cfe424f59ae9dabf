import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/claims/{id}`: one claim and everything that can be done on it now, by this viewer. Every form carries the claim's
/// version, so one sent from a page another user has since made stale changes nothing and says so. The routes share a
/// group: `SectionGuard` checks the viewer and `RecordResolver` loads the claim once, before any handler.
struct ClaimController: Sendable {
    let deps: AppDependencies
    let work: ClaimWork
    let actions: ClaimActions
    let intake: DocumentIntake

    init(deps: AppDependencies) {
        self.deps = deps
        work = deps.stores.claimWork
        actions = deps.stores.claimActions
        intake = DocumentIntake(deps: deps, work: work)
    }

    func register(on router: Router<AppRequestContext>) {
        let claim = router.group().add(middleware: SectionGuard(section: .claims)).add(middleware: RecordResolver(load: { [work] id, viewer in
            try await work.file(id, in: viewer.scope)
        }, keep: { $0.claim = $1 }))
        claim.get(SitePath.claim(.key).pattern, use: show)
        claim.post(SitePath.claimActions(.key).pattern, use: act)
        claim.post(SitePath.claimDocuments(.key).pattern, use: uploadDocument)
        claim.get(SitePath.claimDocument(.key, proof: .key).pattern, use: downloadDocument)
        claim.post(SitePath.claimProofRemove(.key, proof: .key).pattern, use: removeProof)
        claim.post(SitePath.claimSurvey(.key).pattern, use: answerSurvey)
        claim.post(SitePath.claimCustomerSurvey(.key).pattern, use: sendCustomerSurvey)
        claim.post(SitePath.claimHours(.key).pattern, use: enterHours)
        claim.post(SitePath.claimContacts(.key).pattern, use: changeContacts)
        claim.post(SitePath.claimComments(.key).pattern, use: comment)
    }

    // MARK: Handlers

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        render(try context.resolvedClaim, context: context)
    }

    /// A lifecycle action, run by `ClaimActions` as the API, bulk review and the CLI run it.
    @Sendable func act(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form
        let confirmed = form.all("confirm")
        return try await attempt(context, area: "action-\(form.text("action"))", keep: ["reason", "reason_code"],
                                 values: ["confirm": confirmed.joined(separator: ",")]) { file, _, viewer in
            // An action this form could not have offered is a malformed request, not a refusal to explain.
            guard let action = try? ClaimActionRequest.action(named: form.text("action")) else {
                throw HTTPError(.badRequest, message: "That action was not recognised; nothing was changed.")
            }
            let request = ClaimActionRequest(action, note: form.text("reason"), reasonCode: form.text("reason_code"),
                                             aboutProof: Int64(form.text("document")), confirmedCriteria: confirmed)
            let transition = try await actions.run(request, on: file.claim.id, expectedVersion: ClaimForms.version(form), by: viewer,
                                                   at: deps.clock.now)
            return "\(action.label): done. The claim is now \(transition.claim.status.label.lowercased())."
        }
    }

    @Sendable func uploadDocument(_ request: Request, context: AppRequestContext) async throws -> Response {
        // The role is checked before the body is read.
        _ = try actor(context)
        let upload = try await MultipartUpload.read(request, context: context, limit: deps.config.uploadPolicy.maxBytes,
                                                    fields: ["kind", "version"])
        guard let kind = ProofRequirement.Kind(rawValue: upload.fields["kind"] ?? "") else {
            throw HTTPError(.badRequest, message: "That kind of document was not recognised; nothing was saved.")
        }
        return try await attempt(context, area: "proof-\(kind.rawValue)") { file, actor, viewer in
            let safeName = try await intake.add(kind, fileName: upload.fileName, bytes: upload.fileBytes, tooLarge: upload.tooLarge,
                                                to: file.claim, expectedVersion: Int(upload.fields["version"] ?? "") ?? -1,
                                                by: actor, in: viewer.scope, at: deps.clock.now)
            return "\(kind.label) uploaded: \(safeName)."
        }
    }

    @Sendable func downloadDocument(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try context.resolvedClaim
        guard let proofID = context.parameters.get("proof", as: Int64.self),
              let doc = try await work.document(proofID, of: file.claim.id, in: try context.signedIn.scope), let hash = doc.contentHash,
              let data = intake.documents.read(hash) else { throw HTTPError(.notFound) }
        let name = doc.fileName ?? "document"
        return Response(status: .ok, headers: [
            .contentType: doc.contentType ?? "application/octet-stream",
            // Stored names hold no quote (`Uploads`); dropped here by code point all the same, as a header reader sees them.
            .contentDisposition: "attachment; filename=\"\(name.escapingScalars { $0 == "\"" || $0 == "\\" ? "" : nil })\"",
            .cacheControl: "private, no-store",
        ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    @Sendable func removeProof(_ request: Request, context: AppRequestContext) async throws -> Response {
        let proofID = context.parameters.get("proof", as: Int64.self)
        let held = try context.resolvedClaim.proof.first { $0.id == proofID }
        return try await attempt(context, area: "proof-\((held?.kind ?? .invoice).rawValue)") { file, actor, viewer in
            guard let proofID else { throw HTTPError(.notFound) }
            try await work.removeProof(proofID, from: file.claim.id, expectedVersion: ClaimForms.version(context.form), by: actor,
                                       in: viewer.scope, at: deps.clock.now)
            return "\((held?.kind ?? .invoice).label) removed."
        }
    }

    @Sendable func answerSurvey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (file, actor) = try actor(context)
        var fields: [String: String] = [:]
        // The questions of the version the claim is held to, as its page asked them.
        let questions = file.version.questions(of: .partner)
        for q in questions { fields[q.id] = context.form.text(q.id) }
        let (answers, errors) = Survey.partner.validate(fields, questions: questions, today: DayDate(deps.clock.now))
        // Answers to a survey the viewer may not change are not worth checking.
        if !errors.isEmpty && ClaimLifecycle.proofEditors(for: file.claim).contains(actor.role) {
            var problem = ClaimView.Problem(area: "proof-partner_survey", message: "Check the answers marked below.", values: fields)
            for (id, message) in errors { problem.values["error-\(id)"] = message }
            return render(file, context: context, problem: problem, status: .unprocessableContent).response
        }
        return try await attempt(context, area: "proof-partner_survey", values: fields) { file, actor, viewer in
            try await work.answerPartnerSurvey(answers.map { SurveyAnswer(id: $0.id, value: $0.value) }, on: file.claim.id,
                                               expectedVersion: ClaimForms.version(context.form), by: actor,
                                               in: viewer.scope, at: deps.clock.now)
            return "Partner survey saved."
        }
    }

    @Sendable func sendCustomerSurvey(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await attempt(context, area: "proof-customer_survey") { file, actor, viewer in
            try await work.sendCustomerSurvey(on: file.claim.id, expectedVersion: ClaimForms.version(context.form), by: actor,
                                              in: viewer.scope, at: deps.clock.now)
            return "The customer survey is on its way to \(file.contacts.first?.email ?? "the customer")."
        }
    }

    @Sendable func enterHours(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await attempt(context, area: "hours", keep: ["hours"]) { file, actor, viewer in
            try await work.enterHours(context.form.text("hours"), on: file.claim.id, expectedVersion: ClaimForms.version(context.form),
                                      by: actor, in: viewer.scope, at: deps.clock.now)
            return "Hours saved."
        }
    }

    @Sendable func changeContacts(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await attempt(context, area: "contacts") { file, actor, viewer in
            let contacts = try ContactForm.contacts(from: context.form)
            try await work.changeContacts(contacts, on: file.claim.id, expectedVersion: ClaimForms.version(context.form), by: actor,
                                          in: viewer.scope, at: deps.clock.now)
            return "Contacts saved."
        }
    }

    @Sendable func comment(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await attempt(context, area: "comment", keep: ["body"]) { file, actor, viewer in
            try await work.comment(context.form.text("body"), on: file.claim.id, by: actor, in: viewer.scope, at: deps.clock.now)
            return "Comment added."
        }
    }

    // MARK: Shared

    /// The claim and the viewer acting on it, in the role they hold on its location (or their vendor role).
    private func actor(_ context: AppRequestContext) throws -> (ClaimFile, Actor) {
        let file = try context.resolvedClaim
        let viewer = try context.signedIn
        guard let role = viewer.actorRole(atLocation: file.claim.locationID) else { throw NoRoleOnClaim() }
        return (file, Actor(role: role, userID: viewer.userID, name: viewer.name))
    }

    /// Runs a change; on success back to the claim with a message, on a refusal the page again with the message next to
    /// the form (422; at the top for a form the page does not show now) and the fields in `keep` refilled, on a stale
    /// version the page as it is now with a notice (409).
    private func attempt(_ context: AppRequestContext, area: String, keep: [String] = [], values: [String: String] = [:],
                         _ change: (ClaimFile, Actor, Viewer) async throws -> String) async throws -> Response {
        let (file, actor) = try actor(context)
        let viewer = try context.signedIn
        let kept = values.merging(keep.map { ($0, context.form.text($0)) }) { first, _ in first }
        let problem: ClaimView.Problem
        let status: HTTPResponse.Status
        do {
            let message = try await change(file, actor, viewer)
            return deps.redirect(to: SitePath.claim(.id(file.claim.id)).href(), flash: Flash(kind: .success, message: message))
        } catch StoreError.conflict {
            let fresh = try await work.file(file.claim.id, in: viewer.scope) ?? file
            let stale = ClaimView.Problem(area: "stale", message: "This claim changed while you had it open; nothing you sent was saved. "
                                          + "Here it is as it is now: check it, then try again.")
            return render(fresh, context: context, problem: stale, status: .conflict).response
        } catch {
            guard let refusal = ErrorAnswer.formRefusal(error) else { throw error }
            (problem, status) = (ClaimView.Problem(area: area, message: refusal.detail, values: kept, field: refusal.field),
                                 refusal.pageStatus)
        }
        let fresh = try await work.file(file.claim.id, in: viewer.scope) ?? file
        return render(fresh, context: context, problem: problem, status: status).response
    }

    func render(_ file: ClaimFile, context: AppRequestContext, problem: ClaimView.Problem? = nil,
                status: HTTPResponse.Status = .ok) -> HTML {
        deps.page("claim", ClaimView(file, input: deps.pageInput(context), problem: problem, uploadLimit: deps.config.uploadPolicy.limitText),
                  status: status)
    }
}
