import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/claims/{id}`: one claim and everything that can be done on it now, by this viewer. The domain
/// decides what is offered (`ClaimLifecycle.availableActions`, `proofEditors`, `contactEditors`) and
/// decides again when a form arrives; every form carries the claim's version, so one sent from a page
/// another user has since made stale changes nothing and says so.
struct ClaimPage: Sendable {
    let deps: AppDependencies
    let actions: ClaimActions
    let work: ClaimWork
    let documents: DocumentStore
    let intake: DocumentIntake

    init(deps: AppDependencies) {
        self.deps = deps
        work = ClaimWork(db: deps.db, links: ClaimLinks(publicURL: deps.config.publicURL))
        actions = ClaimActions(db: deps.db, links: work.links)
        intake = DocumentIntake(deps: deps, work: work)
        documents = intake.documents
    }

    // MARK: View model

    struct Step: Sendable { let label: String; let state: String; let isCurrent: Bool }
    struct ActionForm: Sendable {
        let action: String
        let label: String
        let primary: Bool
        let danger: Bool
        let hint: String
        let codes: [ListOption]
        let hasCodes: Bool
        let documents: [ListOption]
        let hasDocuments: Bool
        let reasonLabel: String?
        let reasonRequired: Bool
        let disabled: Bool
        let actionError: String?
        let reasonValue: String
    }
    struct ProofItem: Sendable {
        let kind: String
        let label: String
        let description: String
        let templateHref: String?
        let templateName: String
        let isDocument: Bool
        let isPartnerSurvey: Bool
        let isCustomerSurvey: Bool
        let provided: Bool
        let proofID: Int64?
        let fileName: String
        let fileHref: String?
        let fileFacts: String
        let answers: [Answer]
        let canEdit: Bool
        let surveyStatus: String
        let canSendSurvey: Bool
        let proofError: String?
        let fields: [SurveyField]
    }
    struct Answer: Sendable { let prompt: String; let value: String }
    struct SurveyField: Sendable {
        let id: String; let prompt: String; let value: String; let required: Bool; let error: String?
        let isText: Bool; let isLongText: Bool; let isDate: Bool; let isYesNo: Bool; let isRating: Bool
        let yes: Bool; let no: Bool; let ratings: [ListOption]

        init(_ q: SurveyQuestion, value: String, error: String?) {
            id = q.id; prompt = q.prompt; self.value = value; required = q.required; self.error = error
            isText = q.answer == .text; isLongText = q.answer == .longText; isDate = q.answer == .date
            isYesNo = q.answer == .yesNo; isRating = q.answer == .rating
            yes = value == "yes"; no = value == "no"
            ratings = (1...5).map { ListOption(value: String($0), label: String($0), selected: value == String($0)) }
        }
    }
    struct ContactLine: Sendable { let name: String; let title: String; let email: String; let position: Int }
    struct LinkLine: Sendable { let text: String }
    struct CommentLine: Sendable { let at: String; let author: String; let side: String; let body: String }
    struct HistoryLine: Sendable { let at: String; let action: String; let actor: String; let side: String; let from: String; let to: String; let note: String }

    struct View: PageView {
        let shell: Shell
        let id: Int64
        let version: Int
        let name: String
        let status: String
        let statusCode: String
        let tone: String
        let definition: String
        let kind: String
        let steps: [Step]
        let clock: String?
        let clockTitle: String
        let clockOwner: String
        let amount: String?
        let amountBasis: String
        let customer: String
        let customerIDs: String
        let engagement: String
        let engagementHref: String?
        let place: String
        let created: String
        let arbitration: Bool
        /// The notice of a stale form, or a refusal with no form on the page to show it by.
        let alert: String?
        let actions: [ActionForm]
        let hasActions: Bool
        let proof: [ProofItem]
        let hasProof: Bool
        let missing: [String]
        let hasMissing: Bool
        let uploadLimit: String
        let showHours: Bool
        let hours: String
        let maxHours: String
        let canEditHours: Bool
        let hoursError: String?
        let contacts: [ContactLine]
        let canEditContacts: Bool
        let contactsError: String?
        let links: [LinkLine]
        let hasLinks: Bool
        let comments: [CommentLine]
        let hasComments: Bool
        let canComment: Bool
        let commentError: String?
        let history: [HistoryLine]
    }

    /// What went wrong with a form, to show next to it on the page sent back.
    struct Problem {
        var area: String
        var message: String
        var values: [String: String] = [:]
    }

    // MARK: Routes

    func register(on router: Router<AppRequestContext>) {
        router.get("/claims/{id}") { request, context in
            let viewer = try context.viewer(for: .claims, request)
            let file = try await load(context, viewer)
            return render(file, viewer: viewer, context: context)
        }

        claimForm(router, "/claims/{id}/actions", area: { _, context in "action-\(context.form.text("action"))" },
                  keep: ["reason", "reason_code"]) { file, actor, viewer, context in
            let form = context.form
            // An action this form could not have offered is a malformed request, not a refusal to explain.
            guard let action = try? ClaimActionRequest.action(named: form.text("action")) else {
                throw HTTPError(.badRequest, message: "That action was not recognised; nothing was changed.")
            }
            let request = ClaimActionRequest(action, note: form.text("reason"), reasonCode: form.text("reason_code"),
                                             aboutProof: Int64(form.text("document")))
            let transition = try await actions.run(request, on: file.claim.id, expectedVersion: Self.version(context), by: viewer,
                                                   at: deps.clock.now)
            return "\(action.label): done. The claim is now \(transition.claim.status.label.lowercased())."
        }

        router.post("/claims/{id}/documents") { request, context -> Response in
            let viewer = try context.viewer(for: .claims, request)
            let file = try await load(context, viewer)
            let actor = try self.actor(viewer, file)
            let upload = try await MultipartUpload.read(request, context: context, limit: deps.config.uploadPolicy.maxBytes,
                                                        fields: ["kind", "version"])
            guard let kind = ProofRequirement.Kind(rawValue: upload.fields["kind"] ?? "") else {
                throw HTTPError(.badRequest, message: "That kind of document was not recognised; nothing was saved.")
            }
            var values: [String: String] = [:]
            return try await attempt(file, viewer: viewer, context: context, area: "proof-\(kind.rawValue)", values: &values) {
                let safeName = try await intake.add(kind, fileName: upload.fileName, bytes: upload.fileBytes, tooLarge: upload.tooLarge,
                                                    to: file.claim, expectedVersion: Int(upload.fields["version"] ?? "") ?? -1,
                                                    by: actor, in: viewer.scope, at: deps.clock.now)
                return "\(kind.label) uploaded: \(safeName)."
            }
        }

        router.get("/claims/{id}/documents/{proof}") { request, context -> Response in
            let viewer = try context.viewer(for: .claims, request)
            guard let id = context.parameters.get("id", as: Int64.self), let proofID = context.parameters.get("proof", as: Int64.self),
                  let doc = try await work.document(proofID, of: id, in: viewer.scope), let hash = doc.contentHash,
                  let data = documents.read(hash) else { throw HTTPError(.notFound) }
            let name = doc.fileName ?? "document"
            return Response(status: .ok, headers: [
                .contentType: doc.contentType ?? "application/octet-stream",
                .contentDisposition: "attachment; filename=\"\(name.replacingOccurrences(of: "\"", with: ""))\"",
                .cacheControl: "private, no-store",
            ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        claimForm(router, "/claims/{id}/proof/{proof}/remove",
                  area: { file, context in "proof-\((file.proof.first { $0.id == context.parameters.get("proof", as: Int64.self) }?.kind ?? .invoice).rawValue)" }) {
            file, actor, viewer, context in
            guard let proofID = context.parameters.get("proof", as: Int64.self) else { throw HTTPError(.notFound) }
            try await work.removeProof(proofID, from: file.claim.id, expectedVersion: Self.version(context), by: actor,
                                       in: viewer.scope, at: deps.clock.now)
            return "\((file.proof.first { $0.id == proofID }?.kind ?? .invoice).label) removed."
        }

        router.post("/claims/{id}/survey") { request, context -> Response in
            let viewer = try context.viewer(for: .claims, request)
            let file = try await load(context, viewer)
            let actor = try self.actor(viewer, file)
            var fields: [String: String] = [:]
            for q in Survey.partner.questions { fields[q.id] = context.form.text(q.id) }
            let (answers, errors) = Survey.partner.validate(fields, today: DayDate(deps.clock.now))
            // Answers to a survey the viewer may not change are not worth checking.
            if !errors.isEmpty && ClaimLifecycle.proofEditors(for: file.claim).contains(actor.role) {
                var problem = Problem(area: "proof-partner_survey", message: "Check the answers marked below.", values: fields)
                for (id, message) in errors { problem.values["error-\(id)"] = message }
                return render(file, viewer: viewer, context: context, problem: problem, status: .unprocessableContent).response
            }
            var values = fields
            return try await attempt(file, viewer: viewer, context: context, area: "proof-partner_survey", values: &values) {
                try await work.answerPartnerSurvey(answers.map { SurveyAnswer(id: $0.id, value: $0.value) }, on: file.claim.id,
                                                   expectedVersion: Self.version(context), by: actor,
                                                   in: viewer.scope, at: deps.clock.now)
                return "Partner survey saved."
            }
        }

        claimForm(router, "/claims/{id}/customer-survey", area: { _, _ in "proof-customer_survey" }) { file, actor, viewer, context in
            try await work.sendCustomerSurvey(on: file.claim.id, expectedVersion: Self.version(context), by: actor,
                                              in: viewer.scope, at: deps.clock.now)
            return "The customer survey is on its way to \(file.contacts.first?.email ?? "the customer")."
        }

        claimForm(router, "/claims/{id}/hours", area: { _, _ in "hours" }, keep: ["hours"]) { file, actor, viewer, context in
            try await work.enterHours(context.form.text("hours"), on: file.claim.id, expectedVersion: Self.version(context),
                                      by: actor, in: viewer.scope, at: deps.clock.now)
            return "Hours saved."
        }

        claimForm(router, "/claims/{id}/contacts", area: { _, _ in "contacts" }) { file, actor, viewer, context in
            let contacts = try ContactForm.contacts(from: context.form)
            try await work.changeContacts(contacts, on: file.claim.id, expectedVersion: Self.version(context), by: actor,
                                          in: viewer.scope, at: deps.clock.now)
            return "Contacts saved."
        }

        claimForm(router, "/claims/{id}/comments", area: { _, _ in "comment" }, keep: ["body"]) { file, actor, viewer, context in
            try await work.comment(context.form.text("body"), on: file.claim.id, by: actor, in: viewer.scope, at: deps.clock.now)
            return "Comment added."
        }
    }

    /// A urlencoded form on a claim: the viewer, the claim and the viewer's role on it, then `attempt` with
    /// the fields in `keep` refilled should the page come back with an error.
    private func claimForm(_ router: Router<AppRequestContext>, _ path: RouterPath,
                           area: @escaping @Sendable (ClaimFile, AppRequestContext) -> String, keep: [String] = [],
                           _ change: @escaping @Sendable (ClaimFile, Actor, Viewer, AppRequestContext) async throws -> String) {
        router.post(path) { request, context -> Response in
            let viewer = try context.viewer(for: .claims, request)
            let file = try await load(context, viewer)
            let actor = try self.actor(viewer, file)
            var values = Dictionary(uniqueKeysWithValues: keep.map { ($0, context.form.text($0)) })
            return try await attempt(file, viewer: viewer, context: context, area: area(file, context), values: &values) {
                try await change(file, actor, viewer, context)
            }
        }
    }

    /// The claim version a form was made from; a form without one is stale by definition.
    static func version(_ context: AppRequestContext) -> Int { Int(context.form.text("version")) ?? -1 }

    // MARK: Pieces

    private func load(_ context: AppRequestContext, _ viewer: Viewer) async throws -> ClaimFile {
        // A malformed id is as unknown as a foreign one.
        guard let id = context.parameters.get("id", as: Int64.self), let file = try await work.file(id, in: viewer.scope) else {
            throw HTTPError(.notFound)
        }
        return file
    }

    /// The viewer acting on the claim, in the role they hold on its location (or their vendor role).
    private func actor(_ viewer: Viewer, _ file: ClaimFile) throws -> Actor {
        guard let role = viewer.actorRole(atLocation: file.claim.locationID) else { throw NoRoleOnClaim() }
        return Actor(role: role, userID: viewer.userID, name: viewer.name)
    }

    /// Runs a change; on success back to the claim with a message, on a refusal the page again with the
    /// message next to the form (422; at the top for a form the page does not show now), on a stale version
    /// the page as it is now with a notice (409).
    private func attempt(_ file: ClaimFile, viewer: Viewer, context: AppRequestContext, area: String, values: inout [String: String],
                         _ change: () async throws -> String) async throws -> Response {
        let path = "/claims/\(file.claim.id)"
        let problem: Problem
        let status: HTTPResponse.Status
        do {
            let message = try await change()
            return deps.redirect(to: path, flash: Flash(kind: .success, message: message))
        } catch StoreError.conflict {
            let fresh = try await work.file(file.claim.id, in: viewer.scope) ?? file
            let stale = Problem(area: "stale", message: "This claim changed while you had it open; nothing you sent was saved. Here it is as it is now: check it, then try again.")
            return render(fresh, viewer: viewer, context: context, problem: stale, status: .conflict).response
        } catch {
            guard let refusal = ErrorAnswer.formRefusal(error) else { throw error }
            (problem, status) = (Problem(area: area, message: refusal.detail, values: values), refusal.pageStatus)
        }
        let fresh = try await work.file(file.claim.id, in: viewer.scope) ?? file
        return render(fresh, viewer: viewer, context: context, problem: problem, status: status).response
    }

    func render(_ file: ClaimFile, viewer: Viewer, context: AppRequestContext, problem: Problem? = nil,
                status: HTTPResponse.Status = .ok) -> HTML {
        let now = deps.clock.now
        let claim = file.claim
        let role = viewer.actorRole(atLocation: claim.locationID)
        let isPartner = viewer.vendorRole == nil
        let error = { (area: String) in problem?.area == area ? problem?.message : nil }

        // Stepper: the kind's usual path, with a status off the path shown where the claim left it.
        let path: [ClaimStatus] = claim.kind == .partnerActivities
            ? [.customerClaimed, .awaitingConsent, .consentReceived, .submitted, .underReview, .approved]
            : [.customerClaimed, .submitted, .underReview, .approved]
        let reached = Set(file.history.map(\.to))
        var shown = path
        if !path.contains(claim.status) {
            let lastReached = path.lastIndex(where: { reached.contains($0) }) ?? 0
            shown = Array(path[...lastReached]) + [claim.status] + (claim.status.isTerminal ? [] : Array(path[(lastReached + 1)...]))
        }
        let currentIndex = shown.firstIndex(of: claim.status) ?? 0
        let steps = shown.enumerated().map { index, status in
            Step(label: status.label, state: index < currentIndex ? "done" : index == currentIndex ? "current" : "todo",
                 isCurrent: index == currentIndex)
        }

        let clock = file.clock
        let clockOwner: String = switch clock?.owner {
        case .partner?: isPartner ? "Waiting on you" : "Waiting on the partner"
        case .customer?: "Waiting on the customer"
        case .vendor?: isPartner ? "Waiting on the vendor's review" : "Waiting on review"
        default: ""
        }

        // Actions this viewer may take now.
        let available = role.map { ClaimLifecycle.availableActions(for: claim, role: $0, context: file.context, at: now) } ?? []
        let missing = file.missingProof
        let documents = file.proof.filter { $0.contentHash != nil }
        let actions: [ActionForm] = available.filter(\.isTransition).map { action in
            let codes = ReviewReason.offered(for: action)
            let chosen = problem?.area == "action-\(action.rawValue)" ? problem?.values["reason_code"] : nil
            let hint: String = switch action {
            case .sendConsentRequest: file.contacts.first.map { "The email goes to \($0.name) <\($0.email)>; the link works until the consent deadline." }
                ?? "Add a customer contact first: the email goes to them."
            case .submit: missing.isEmpty ? "Send the claim and its proof to the vendor's reviewers." : "Add the missing proof first."
            case .cancel: "The claim stops here and can't be reopened."
            case .approve: "Creates the earning" + (claim.amount.map { " of \($0)" } ?? "") + " (capped by what is left of the engagement's cap)."
            case .dispute: "You can dispute once. Say what the reviewer should look at again."
            default: ""
            }
            let reasonLabel: String? = switch action {
            case .requestInformation: "What is needed (shown to the partner)"
            case .reject: "Explain the decision (shown to the partner)"
            case .dispute: "Justification"
            case .disassociate: "Why"
            case .cancel: "Why (optional)"
            default: nil
            }
            return ActionForm(
                action: action.rawValue,
                label: action == .sendConsentRequest && claim.status == .awaitingConsent ? "Send the consent request again" : action.label,
                primary: [.submit, .approve, .sendConsentRequest, .startReview].contains(action),
                danger: [.cancel, .reject, .disassociate].contains(action), hint: hint,
                codes: codes.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == chosen) },
                hasCodes: !codes.isEmpty,
                documents: action == .requestInformation
                    ? documents.map { ListOption(value: String($0.id), label: "\($0.kind.label): \($0.fileName ?? "")", selected: false) } : [],
                hasDocuments: action == .requestInformation && !documents.isEmpty,
                reasonLabel: reasonLabel, reasonRequired: action.requiresReason && codes.isEmpty,
                disabled: (action == .submit && !missing.isEmpty) || (action == .sendConsentRequest && file.contacts.isEmpty),
                actionError: error("action-\(action.rawValue)"),
                reasonValue: problem?.area == "action-\(action.rawValue)" ? problem?.values["reason"] ?? "" : "")
        }

        // A refused action the page offers no form for (any more) is said at the top.
        let actionAreas = Set(actions.map { "action-\($0.action)" })

        // Proof of execution, requirement by requirement.
        let editors = ClaimLifecycle.proofEditors(for: claim)
        let canEditProof = role.map(editors.contains) ?? false
        let surveyLinks = file.links.filter { $0.purpose == .survey }
        let proof: [ProofItem] = file.version.proofRequirements.map { requirement in
            let held = file.proof.last { $0.kind == requirement.kind }
            let isDocument = requirement.kind == .invoice || requirement.kind == .findingsDocument
            let survey: Survey? = requirement.kind == .partnerSurvey ? .partner : requirement.kind == .customerSurvey ? .customer : nil
            let answers = survey.map { s in
                s.questions.compactMap { q in held?.answers.first { $0.id == q.id }.map { Answer(prompt: q.prompt, value: $0.value) } }
            } ?? []
            let area = "proof-\(requirement.kind.rawValue)"
            let surveyFields: [SurveyField] = requirement.kind == .partnerSurvey ? Survey.partner.questions.map { q in
                let value = problem?.area == area ? problem?.values[q.id] ?? "" : held?.answers.first { $0.id == q.id }?.value ?? ""
                return SurveyField(q, value: value, error: problem?.area == area ? problem?.values["error-\(q.id)"] : nil)
            } : []
            var surveyStatus = ""
            if requirement.kind == .customerSurvey {
                if let held { surveyStatus = "Answered by \(held.addedBy) on \(deps.format(held.addedAt, for: viewer))." }
                else if let open = surveyLinks.last(where: { $0.voidedAt == nil && $0.answer == nil }) {
                    surveyStatus = "Sent to \(open.email) on \(deps.format(open.createdAt, for: viewer)); not answered yet."
                } else { surveyStatus = "Not sent yet." }
            }
            return ProofItem(
                kind: requirement.kind.rawValue, label: requirement.kind.label, description: requirement.description,
                templateHref: requirement.templateName == nil || !isPartner ? nil : "/engagements/\(claim.engagementID)/templates/\(requirement.kind.rawValue)",
                templateName: requirement.templateName.map { "\($0), version \(requirement.templateVersion ?? "1.0")" } ?? "",
                isDocument: isDocument, isPartnerSurvey: requirement.kind == .partnerSurvey, isCustomerSurvey: requirement.kind == .customerSurvey,
                provided: held != nil, proofID: held?.id, fileName: held?.fileName ?? "",
                fileHref: held?.contentHash == nil ? nil : "/claims/\(claim.id)/documents/\(held!.id)",
                fileFacts: held.map { h in
                    [h.sizeBytes.map(Self.size), "added by \(h.addedBy)", deps.format(h.addedAt, for: viewer)].compactMap { $0 }.joined(separator: ", ")
                } ?? "",
                answers: answers, canEdit: canEditProof, surveyStatus: surveyStatus,
                canSendSurvey: canEditProof && held == nil && requirement.kind == .customerSurvey,
                proofError: error(area), fields: surveyFields)
        }

        let linkLines: [LinkLine] = file.links.map { link in
            let purpose = switch link.purpose { case .consent: "Consent request"; case .notice: "Partner-of-record notice"; case .survey: "Customer survey" }
            var text = "\(purpose) sent to \(link.contactName) <\(link.email)> on \(deps.format(link.createdAt, for: viewer))"
            if let at = link.answeredAt, let answer = link.answer {
                let verb = switch answer { case .accepted: "accepted"; case .declined: "declined"; case .revoked: "withdrawn"; case .answered: "answered" }
                text += "; \(verb) on \(deps.format(at, for: viewer))\(link.answerAddress.map { " from \($0)" } ?? "")"
            } else if link.voidedAt != nil {
                text += "; replaced by a newer email"
            } else if link.purpose != .notice, link.expiresAt <= now {
                text += "; expired unanswered"
            } else if link.purpose != .notice {
                text += "; not answered yet (the link works until \(deps.format(link.expiresAt, for: viewer)))"
            }
            if let at = link.revokedAt { text += "; consent withdrawn on \(deps.format(at, for: viewer))\(link.revokeAddress.map { " from \($0)" } ?? "")" }
            return LinkLine(text: text + ".")
        }

        let canEditContacts = role.map(ClaimLifecycle.contactEditors(for: claim, customerSurveyAnswered: file.customerSurveyAnswered).contains) ?? false
        let ids = [file.customer.domain.map { "domain \($0)" }, file.customer.tenantID.map { "tenant \($0)" },
                   file.customer.subscriptionID.map { "subscription \($0)" }].compactMap { $0 }.joined(separator: " · ")
        let rate = file.version.rates.rate(for: file.location.market)
        let basis = "Engagement version \(file.version.number), \(file.location.market.label)"
            + (rate.map { file.version.payModel == .variable ? ", \($0) per hour" : ", rate \($0)" } ?? "")

        let view = View(
            shell: Shell(context, deps: deps, title: claim.name, section: .claims, trail: [(claim.name, nil)]),
            id: claim.id, version: claim.version, name: claim.name, status: claim.status.label, statusCode: claim.status.rawValue,
            tone: claim.status.tone, definition: claim.status.definition, kind: claim.kind.label, steps: steps,
            clock: clock.map { "\($0.kind.label.prefix(1).uppercased() + $0.kind.label.dropFirst()) \(Countdown.phrase(from: now, to: $0.dueAt))" },
            clockTitle: clock.map { deps.format($0.dueAt, for: viewer) } ?? "", clockOwner: clockOwner,
            amount: claim.amount?.description, amountBasis: basis,
            customer: file.customer.name, customerIDs: ids, engagement: file.engagement.name,
            engagementHref: isPartner ? "/engagements/\(claim.engagementID)" : nil,
            place: isPartner ? file.location.name : "\(file.organizationName): \(file.location.name)",
            created: deps.format(claim.createdAt, for: viewer), arbitration: file.arbitrationPending,
            alert: problem.flatMap { $0.area == "stale" || ($0.area.hasPrefix("action-") && !actionAreas.contains($0.area)) ? $0.message : nil },
            actions: actions, hasActions: !actions.isEmpty,
            proof: proof, hasProof: !proof.isEmpty, missing: missing, hasMissing: !missing.isEmpty && !claim.status.isTerminal,
            uploadLimit: deps.config.uploadPolicy.limitText,
            showHours: file.version.payModel == .variable, hours: problem?.area == "hours" ? problem?.values["hours"] ?? "" : claim.hours.map { "\($0)" } ?? "",
            maxHours: file.version.maxHours.map { "\($0)" } ?? "", canEditHours: canEditProof, hoursError: error("hours"),
            contacts: file.contacts.enumerated().map { ContactLine(name: $1.name, title: $1.title, email: $1.email, position: $0 + 1) },
            canEditContacts: canEditContacts, contactsError: error("contacts"),
            links: linkLines, hasLinks: !linkLines.isEmpty,
            comments: file.comments.map { CommentLine(at: deps.format($0.at, for: viewer), author: $0.author, side: $0.side.rawValue, body: $0.body) },
            hasComments: !file.comments.isEmpty, canComment: role != nil, commentError: error("comment"),
            history: file.history.reversed().map { entry in
                HistoryLine(at: deps.format(entry.at, for: viewer), action: entry.action.label,
                            actor: entry.actor.role == .clock ? entry.actor.name : "\(entry.actor.name) (\(entry.actor.role.label))",
                            side: entry.side.rawValue, from: entry.from == entry.to ? "" : entry.from?.label ?? "", to: entry.to.label,
                            note: [entry.note, entry.address.map { "from \($0)" }].compactMap { $0 }.joined(separator: " "))
            })
        return deps.page("claim", view, status: status)
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 1_048_576 ? String(format: "%.1f MB", Double(bytes) / 1_048_576)
            : bytes >= 1024 ? "\(bytes / 1024) KB" : "\(bytes) bytes"
    }
}

/// Customer contacts as forms send them: `contact_name_1`, `contact_title_1`, `contact_email_1`, … up to the
/// domain's `ContactInput.maxCount`; rows left wholly empty are skipped, the others checked by the domain's rule
/// (a refusal names the row).
enum ContactForm {
    static let rows = ContactInput.maxCount

    static func contacts(from form: FormFields) throws(InputRefusal) -> [Contact] {
        var contacts: [Contact] = []
        for i in 1...rows {
            let input = ContactInput(name: form.text("contact_name_\(i)"), title: form.text("contact_title_\(i)"), email: form.text("contact_email_\(i)"))
            if input.name.isEmpty && input.title.isEmpty && input.email.isEmpty { continue }
            contacts.append(try input.checked(position: i - 1))
        }
        guard !contacts.isEmpty else {
            throw InputRefusal(field: "contacts", .invalid, "Give at least one customer contact: consent and surveys go to them.")
        }
        return contacts
    }
}
