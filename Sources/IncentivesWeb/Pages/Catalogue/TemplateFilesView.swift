import Foundation
import IncentivesDomain
import IncentivesStore

/// A proof requirement's template file on the console's pages: on the draft form, the file with its upload and remove
/// forms (the refusal next to the field); on the engagement page, a link to the file of each version.
struct TemplateSlot: Sendable {
    let kind: String
    let label: String
    let hasFile: Bool
    let fileName: String
    let fileFacts: String
    let fileHref: String?
    /// The version names a template without a file: partners get the generated text.
    let generated: String?
    let uploadAction: String
    let removeAction: String
    let error: String?

    /// The draft's requirements, each with its file, if any.
    static func slots(_ file: ConsoleEngagementFile, files: [Int64: ProofTemplateFile], error: TemplateRefusal?, times: PageTimes) -> [TemplateSlot] {
        guard let draft = file.draft else { return [] }
        return draft.terms.proofRequirements.map { requirement in
            let kept = requirement.templateID.flatMap { files[$0] }
            let kind = PathKey.text(requirement.kind.rawValue)
            let named = requirement.templateName.map { "\($0), version \(requirement.templateVersion ?? "1.0")" }
            return TemplateSlot(kind: requirement.kind.rawValue, label: requirement.kind.label, hasFile: kept != nil, fileName: kept?.fileName ?? "",
                                fileFacts: kept.map { facts($0, times: times) } ?? "",
                                fileHref: kept.map { SitePath.catalogueTemplate(.id(file.id), template: .id($0.id)).href() },
                                generated: kept == nil ? named : nil,
                                uploadAction: SitePath.catalogueTemplateUpload(.id(file.id), kind: kind).href(),
                                removeAction: SitePath.catalogueTemplateRemove(.id(file.id), kind: kind).href(),
                                error: error?.kind == requirement.kind ? error?.message : nil)
        }
    }

    static func facts(_ file: ProofTemplateFile, times: PageTimes) -> String {
        "\(ClaimView.size(Int64(file.byteSize))), template version \(file.versionLabel), "
            + "uploaded by \(file.uploadedByName) on \(times.dateTime(file.uploadedAt))"
    }
}

/// A refused template upload, shown next to its requirement's file field.
struct TemplateRefusal: Sendable {
    let kind: ProofRequirement.Kind
    let message: String
}

/// One proof requirement as the engagement page lists it, with its template file to download.
struct ProofLine: Sendable {
    let text: String
    let templateName: String?
    let templateHref: String?

    init(_ requirement: ProofRequirement, engagementID: Int64, files: [Int64: ProofTemplateFile]) {
        text = "\(requirement.kind.label): \(requirement.description)"
        let kept = requirement.templateID.flatMap { files[$0] }
        templateName = kept.map { "\($0.fileName) (template version \($0.versionLabel))" }
            ?? requirement.templateName.map { "\($0), version \(requirement.templateVersion ?? "1.0") (generated text)" }
        templateHref = kept.map { SitePath.catalogueTemplate(.id(engagementID), template: .id($0.id)).href() }
    }
}
