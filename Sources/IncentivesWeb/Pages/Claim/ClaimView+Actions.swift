import Foundation
import IncentivesDomain
import IncentivesStore

extension ClaimView {
    /// The form of one action the viewer may take now.
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
        /// A refusal about the reason's select or the note, shown next to it (`actionError` holds the rest).
        let codeError: String?
        let noteError: String?
        let reasonValue: String
        /// Approve: the criteria the reviewer confirms, each a checkbox.
        let checklist: [ChecklistBox]
        let hasChecklist: Bool

        /// The actions the lifecycle offers this role on this claim now, each as its form.
        static func offered(_ file: ClaimFile, role: ActorRole?, now: Date, problem: Problem?) -> [ActionForm] {
            let available = role.map { ClaimLifecycle.availableActions(for: file.claim, role: $0, context: file.context, at: now) } ?? []
            return available.filter(\.isTransition).map { ActionForm($0, file: file, problem: problem) }
        }

        init(_ action: ClaimAction, file: ClaimFile, problem: Problem?) {
            let claim = file.claim
            let area = "action-\(action.rawValue)"
            let mine = problem?.area == area ? problem : nil
            let codes: [(value: String, label: String)] = action == .reverse
                ? ReversalReason.allCases.map { ($0.rawValue, $0.label) }
                : ReviewReason.offered(for: action).map { ($0.rawValue, $0.label) }
            let documents = action == .requestInformation ? file.proof.filter { $0.contentHash != nil } : []
            let wording = ClaimActionWording(action, file: file)
            self.action = action.rawValue
            label = action == .sendConsentRequest && claim.status == .awaitingConsent ? "Send the consent request again" : action.label
            primary = wording.emphasis == .primary
            danger = wording.emphasis == .danger
            hint = wording.hint
            self.codes = codes.map { ListOption(value: $0.value, label: $0.label, selected: $0.value == mine?.values["reason_code"]) }
            hasCodes = !codes.isEmpty
            self.documents = documents.map { ListOption(value: String($0.id), label: "\($0.kind.label): \($0.fileName ?? "")", selected: false) }
            hasDocuments = !documents.isEmpty
            reasonLabel = wording.reasonLabel
            // A reversal's note is required beside its code; a review's code speaks for itself unless it is "Other".
            reasonRequired = action == .reverse || (action.requiresReason && codes.isEmpty)
            disabled = (action == .submit && !file.missingProof.isEmpty) || (action == .sendConsentRequest && file.contacts.isEmpty)
            codeError = mine?.field == "reason_code" ? mine?.message : nil
            noteError = mine?.field == "note" ? mine?.message : nil
            actionError = codeError == nil && noteError == nil ? mine?.message : nil
            reasonValue = mine?.values["reason"] ?? ""
        checklist = action == .approve ? ChecklistBox.boxes(file, kept: mine?.values["confirm"]) : []
        hasChecklist = !checklist.isEmpty
        }
    }
}

/// How the claim page presents each action: a hint under its button, the label of its note, its emphasis. The switches
/// name every action, so a new action does not compile until the page says something about it.
struct ClaimActionWording {
    enum Emphasis { case plain, primary, danger }

    let hint: String
    let reasonLabel: String?
    let emphasis: Emphasis

    init(_ action: ClaimAction, file: ClaimFile) {
        hint = Self.hint(action, file: file)
        reasonLabel = switch action {
        case .requestInformation: "What is needed (shown to the partner)"
        case .reject: "Explain the decision (shown to the partner)"
        case .dispute: "Justification"
        case .disassociate: "Why"
        case .cancel: "Why (optional)"
        case .reverse: "Explain the reversal (shown to the partner)"
        case .create, .sendConsentRequest, .acceptConsent, .declineConsent, .revokeConsent, .submit, .startReview, .approve,
             .expire, .loseArbitration, .addProof, .removeProof, .enterHours, .sendSurvey, .answerSurvey, .changeContacts: nil
        }
        emphasis = switch action {
        case .submit, .approve, .sendConsentRequest, .startReview: .primary
        case .cancel, .reject, .disassociate, .reverse: .danger
        case .create, .acceptConsent, .declineConsent, .revokeConsent, .requestInformation, .dispute, .expire, .loseArbitration,
             .addProof, .removeProof, .enterHours, .sendSurvey, .answerSurvey, .changeContacts: .plain
        }
    }

    private static func hint(_ action: ClaimAction, file: ClaimFile) -> String {
        switch action {
        case .sendConsentRequest:
            file.contacts.first.map { "The email goes to \($0.name) <\($0.email)>; the link works until the consent deadline." }
                ?? "Add a customer contact first: the email goes to them."
        case .submit: file.missingProof.isEmpty ? "Send the claim and its proof to the vendor's reviewers." : "Add the missing proof first."
        case .cancel: "The claim stops here and can't be reopened."
        case .approve: "Creates the earning" + (file.claim.amount.map { " of \($0)" } ?? "") + " (capped by what is left of the engagement's cap)."
        case .dispute: "You can dispute once. Say what the reviewer should look at again."
        case .reverse:
            "The claim becomes rejected final. An earning not yet in a payment run is canceled; one already in a run or paid "
                + "is taken back from the partner's next payment."
                + (file.context.reversal.map { " Last day to reverse: \($0.lastDay) (UTC)." } ?? "")
        case .create, .acceptConsent, .declineConsent, .revokeConsent, .startReview, .requestInformation, .reject, .disassociate,
             .expire, .loseArbitration, .addProof, .removeProof, .enterHours, .sendSurvey, .answerSurvey, .changeContacts: ""
        }
    }
}
