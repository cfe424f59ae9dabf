import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// Proof template files on the console: the program manager uploads one for a requirement of the draft version (a
/// multipart form with its form token) or removes it; every vendor user downloads the files of every version.
extension CatalogueController {
    var templates: ProofTemplates { deps.stores.proofTemplates }

    @Sendable func uploadTemplate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (file, kind) = try await templateTarget(context)
        // The role was checked (RoleGuard) and the engagement found before the body is read.
        let upload = try await MultipartUpload.read(request, context: context, limit: templates.rules.maxBytes, fields: [])
        do {
            let kept = try await templates.upload(kind, to: file.id, fileName: upload.fileName, bytes: upload.fileBytes, tooLarge: upload.tooLarge,
                                                  by: try context.signedIn, at: deps.clock.now)
            return deps.redirect(to: SitePath.catalogueDraft(.id(file.id)).href(),
                                 flash: Flash(kind: .success, message: "\(kind.label) template uploaded: \(kept.fileName)."))
        } catch {
            return try await templateRefused(error, kind: kind, file: file, context: context)
        }
    }

    @Sendable func removeTemplate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (file, kind) = try await templateTarget(context)
        do {
            try await templates.remove(kind, from: file.id, by: try context.signedIn, at: deps.clock.now)
            return deps.redirect(to: SitePath.catalogueDraft(.id(file.id)).href(),
                                 flash: Flash(kind: .success, message: "\(kind.label) template removed from the draft."))
        } catch {
            return try await templateRefused(error, kind: kind, file: file, context: context)
        }
    }

    /// A template file of the engagement, any version's, for every vendor user.
    @Sendable func downloadTemplate(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self), let template = context.parameters.get("template", as: Int64.self),
              let kept = try await templates.content(template, of: id) else { throw HTTPError(.notFound) }
        return TemplateDownload.response(kept.file, bytes: kept.bytes)
    }

    /// The files the engagement's versions name, for its pages.
    func templateFiles(_ file: ConsoleEngagementFile?) async throws -> [Int64: ProofTemplateFile] {
        guard let file else { return [:] }
        let ids = (file.published + [file.draft].compactMap { $0 }).flatMap { $0.terms.proofRequirements.compactMap(\.templateID) }
        return try await templates.files(ids)
    }

    private func templateTarget(_ context: AppRequestContext) async throws -> (ConsoleEngagementFile, ProofRequirement.Kind) {
        guard let kind = ProofRequirement.Kind(rawValue: context.parameters.get("kind") ?? "") else { throw HTTPError(.notFound) }
        return (try await engagementFile(context), kind)
    }

    /// The draft form again with the refusal next to the requirement's file field (422); the engagement's page when there
    /// is no draft to show it on.
    private func templateRefused(_ error: any Error, kind: ProofRequirement.Kind, file: ConsoleEngagementFile,
                                 context: AppRequestContext) async throws -> Response {
        guard let answer = ErrorAnswer.formRefusal(error) else { throw error }
        guard let fresh = try await console.file(file.id), let draft = fresh.draft else {
            return try await engagementPage(context, publishError: answer.detail).response
        }
        var form = EngagementForm(fresh, draft: draft)
        // A requirement the draft does not have has no file field: the sentence goes to the top of the form.
        guard draft.terms.proofRequirements.contains(where: { $0.kind == kind }) else {
            form.errors["form"] = answer.detail
            return try await formPage(context, form: form, file: fresh).response
        }
        return try await formPage(context, form: form, file: fresh, templateRefusal: TemplateRefusal(kind: kind, message: answer.detail)).response
    }
}
