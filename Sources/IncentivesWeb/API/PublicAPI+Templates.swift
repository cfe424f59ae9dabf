import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import OpenAPIRuntime

/// The contract's proof template operations, through the same `ProofTemplates` and download as the pages: the program
/// manager's write token puts a file on an engagement's draft or takes it off; a partner who sees the engagement
/// downloads the file of the version in force (or of the version a claim is pinned to).
extension PublicAPI {
    /// The program manager, for a change to the catalogue (the reviewer's token is 403, a partner's too).
    func catalogueManager() throws -> Viewer {
        let viewer = try viewer(for: .catalogue)
        guard viewer.vendorRole == .programManager else {
            throw APIProblem(.roleNotAllowed, "Only the program manager changes the catalogue.")
        }
        return viewer
    }

    func putDraftTemplate(_ input: Operations.PutDraftTemplate.Input) async throws -> Operations.PutDraftTemplate.Output {
        let viewer = try catalogueManager()
        guard case .binary(let body) = input.body else { throw APIProblem(.badRequest, "Send the file itself as the body.") }
        guard let name = input.headers.xFileName.removingPercentEncoding else {
            throw APIProblem(.badRequest, "X-File-Name is the file's name, percent-encoded UTF-8, like Findings%20template.docx.")
        }
        let templates = deps.stores.proofTemplates
        var bytes: [UInt8] = []
        var tooLarge = false
        for try await chunk in body {
            if bytes.count + chunk.count > templates.rules.maxBytes { tooLarge = true; break }
            bytes += chunk
        }
        let kept = try await templates.upload(ProofRequirement.Kind(input.path.kind), to: input.path.id, fileName: name, bytes: bytes,
                                              tooLarge: tooLarge, by: viewer, at: now)
        return .ok(.init(body: .json(.init(kept))))
    }

    func deleteDraftTemplate(_ input: Operations.DeleteDraftTemplate.Input) async throws -> Operations.DeleteDraftTemplate.Output {
        let viewer = try catalogueManager()
        try await deps.stores.proofTemplates.remove(ProofRequirement.Kind(input.path.kind), from: input.path.id, by: viewer, at: now)
        return .noContent(.init())
    }

    func getEngagementTemplate(_ input: Operations.GetEngagementTemplate.Input) async throws -> Operations.GetEngagementTemplate.Output {
        let viewer = try viewer(for: .engagements)
        guard let detail = try await deps.stores.engagements.detail(input.path.id, in: viewer.scope, at: now) else { throw APIProblem.notFound() }
        let engagement = detail.engagement
        var version = engagement.version(inForceAt: now)
        if let asked = input.query.version {
            guard let pinned = engagement.version(number: asked) else { throw APIProblem.notFound() }
            version = pinned
        }
        let kind = ProofRequirement.Kind(input.path.kind)
        guard let requirement = version.proofRequirements.first(where: { $0.kind == kind }) else { throw APIProblem.notFound() }
        let file: (name: String, format: TemplateFormat, bytes: [UInt8])
        if let id = requirement.templateID {
            guard let kept = try await deps.stores.proofTemplates.content(id, of: engagement.id) else { throw APIProblem.notFound() }
            file = (kept.file.fileName, TemplateFormat.allCases.first { $0.mediaType == kept.file.contentType } ?? .txt, kept.bytes)
        } else {
            guard let generated = ProofTemplate(engagement, version: version, kind: kind) else { throw APIProblem.notFound() }
            file = (generated.fileName, .txt, Array(generated.text.utf8))
        }
        let body = HTTPBody(file.bytes)
        let headers = Operations.GetEngagementTemplate.Output.Ok.Headers(
            contentDisposition: TemplateFileRules.contentDisposition(fileName: file.name, format: file.format))
        let content: Operations.GetEngagementTemplate.Output.Ok.Body = switch file.format {
        case .pdf: .pdf(body)
        case .docx: .applicationVnd_openxmlformatsOfficedocument_wordprocessingml_document(body)
        case .xlsx: .applicationVnd_openxmlformatsOfficedocument_spreadsheetml_sheet(body)
        case .pptx: .applicationVnd_openxmlformatsOfficedocument_presentationml_presentation(body)
        case .odt: .applicationVnd_oasis_opendocument_text(body)
        case .txt: .plainText(body)
        case .csv: .csv(body)
        }
        return .ok(.init(headers: headers, body: content))
    }
}

extension ProofRequirement.Kind {
    init(_ kind: Components.Schemas.ProofKind) {
        self = switch kind {
        case .invoice: .invoice
        case .findingsDocument: .findingsDocument
        case .customerSurvey: .customerSurvey
        case .partnerSurvey: .partnerSurvey
        }
    }
}

extension Components.Schemas.ProofTemplateFile {
    init(_ file: ProofTemplateFile) {
        self.init(id: file.id, engagementId: file.engagementID, kind: .init(rawValue: file.kind.rawValue) ?? .findingsDocument,
                  fileName: file.fileName, contentType: file.contentType, byteSize: Int64(file.byteSize), sha256: file.sha256,
                  versionLabel: file.versionLabel, uploadedBy: file.uploadedByName, uploadedAt: file.uploadedAt)
    }
}
