import Foundation
import IncentivesDomain
import IncentivesStore

extension ClaimView {
    /// One piece of proof the engagement version asks for: what is held, and the form to add or change it.
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
        let removeHref: String?
        let fileFacts: String
        let answers: [Answer]
        let canEdit: Bool
        let surveyStatus: String
        let canSendSurvey: Bool
        let proofError: String?
        let fields: [SurveyField]

        /// The version's requirements, in order, each with what the claim holds for it.
        static func required(by file: ClaimFile, isPartner: Bool, canEdit: Bool, problem: Problem?, times: PageTimes) -> [ProofItem] {
            file.version.proofRequirements.map { ProofItem($0, file: file, isPartner: isPartner, canEdit: canEdit, problem: problem, times: times) }
        }

        init(_ requirement: ProofRequirement, file: ClaimFile, isPartner: Bool, canEdit: Bool, problem: Problem?, times: PageTimes) {
            let claim = file.claim
            let held = file.proof.last { $0.kind == requirement.kind }
            let area = "proof-\(requirement.kind.rawValue)"
            let mine = problem?.area == area ? problem : nil
            let survey: Survey? = requirement.kind == .partnerSurvey ? .partner : requirement.kind == .customerSurvey ? .customer : nil
            kind = requirement.kind.rawValue
            label = requirement.kind.label
            description = requirement.description
            templateHref = requirement.templateName == nil || !isPartner
                ? nil : SitePath.engagementTemplate(.id(claim.engagementID), kind: .text(requirement.kind.rawValue))
                    .href([("version", String(file.version.number))])
            templateName = requirement.templateName.map { "\($0), version \(requirement.templateVersion ?? "1.0")" } ?? ""
            isDocument = requirement.kind == .invoice || requirement.kind == .findingsDocument
            isPartnerSurvey = requirement.kind == .partnerSurvey
            isCustomerSurvey = requirement.kind == .customerSurvey
            provided = held != nil
            proofID = held?.id
            fileName = held?.fileName ?? ""
            fileHref = held.flatMap { $0.contentHash == nil ? nil : SitePath.claimDocument(.id(claim.id), proof: .id($0.id)).href() }
            removeHref = held.map { SitePath.claimProofRemove(.id(claim.id), proof: .id($0.id)).href() }
            fileFacts = held.map { h in
                [h.sizeBytes.map(ClaimView.size), "added by \(h.addedBy)", times.dateTime(h.addedAt)].compactMap { $0 }.joined(separator: ", ")
            } ?? ""
            let questions = survey.map(file.version.questions(of:)) ?? []
            answers = survey.map { _ in
                questions.compactMap { q in held?.answers.first { $0.id == q.id }.map { Answer(prompt: q.prompt, value: $0.value) } }
            } ?? []
            self.canEdit = canEdit
            surveyStatus = requirement.kind == .customerSurvey ? Self.customerSurveyStatus(held, file: file, times: times) : ""
            canSendSurvey = canEdit && held == nil && requirement.kind == .customerSurvey
            proofError = mine?.message
            fields = requirement.kind == .partnerSurvey ? questions.map { q in
                let value = mine.map { $0.values[q.id] ?? "" } ?? held?.answers.first { $0.id == q.id }?.value ?? ""
                return SurveyField(q, value: value, error: mine?.values["error-\(q.id)"])
            } : []
        }

        private static func customerSurveyStatus(_ held: StoredProof?, file: ClaimFile, times: PageTimes) -> String {
            if let held { return "Answered by \(held.addedBy) on \(times.dateTime(held.addedAt))." }
            if let open = file.links.filter({ $0.purpose == .survey }).last(where: { $0.voidedAt == nil && $0.answer == nil }) {
                return "Sent to \(open.email) on \(times.dateTime(open.createdAt)); not answered yet."
            }
            return "Not sent yet."
        }
    }
}
