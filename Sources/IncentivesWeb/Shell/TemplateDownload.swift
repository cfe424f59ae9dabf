import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// A proof template as a download: an uploaded file under its own name and stored type, or the generated text where the
/// version names a template and no file was uploaded. Partners (`/engagements/{id}/templates/{kind}`) and the console
/// answer alike.
enum TemplateDownload {
    static func response(_ file: ProofTemplateFile, bytes: [UInt8]) -> Response {
        let format = TemplateFormat.allCases.first { $0.mediaType == file.contentType } ?? .txt
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.contentDisposition] = TemplateFileRules.contentDisposition(fileName: file.fileName, format: format)
        headers[.xContentTypeOptions] = "nosniff"
        headers[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The version's template of `kind`: its file, else its generated text; nil when it names none.
    static func response(_ engagement: Engagement, version: EngagementVersion, kind: ProofRequirement.Kind,
                         templates: ProofTemplates) async throws -> Response? {
        guard let requirement = version.proofRequirements.first(where: { $0.kind == kind }) else { return nil }
        if let id = requirement.templateID {
            guard let kept = try await templates.content(id, of: engagement.id) else { return nil }
            return response(kept.file, bytes: kept.bytes)
        }
        guard let generated = ProofTemplate(engagement, version: version, kind: kind) else { return nil }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(generated.fileName)\""
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: generated.text)))
    }
}
