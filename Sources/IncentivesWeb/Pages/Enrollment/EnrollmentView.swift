import Foundation
import IncentivesDomain
import IncentivesStore

/// `/enrollment`: each location's enrollment per program, what its status asks of the viewer, and the steps the
/// enrollment state machine offers the viewer's role. Built from the store's lines and the page input only.
struct EnrollmentView: PageView {
    struct ActionButton: Sendable {
        let value: String
        let label: String
        let primary: Bool
    }
    struct Line: Sendable {
        let programID: Int64
        let locationID: Int64
        let version: Int64
        let program: String
        let organization: String
        let location: String
        let status: String
        let statusTone: String
        let explanation: String
        let since: String
        let actions: [ActionButton]
        let hasActions: Bool
        let formAction: String
    }

    let shell: Shell
    let lines: [Line]
    let hasLines: Bool
    let isManager: Bool

    init(_ enrollments: [EnrollmentLine], input: PageInput) {
        let isManager = input.viewer?.vendorRole == .programManager
        let admin = input.viewer.map(PayeeRepository.adminLocations(of:)) ?? []
        let lines = enrollments.map { e in
            let actions = isManager ? e.status.actions(for: .programManager)
                : admin.contains(e.locationID) ? e.status.actions(for: .incentivesAdmin) : []
            return Self.line(e, actions: actions, isManager: isManager, times: input.times)
        }
        shell = Shell(input, title: Section.enrollment.title, section: .enrollment)
        self.lines = lines
        hasLines = !lines.isEmpty
        self.isManager = isManager
    }

    /// The steps that move an enrollment forward: their buttons stand out.
    static let primary: Set<EnrollmentAction> = [.accept, .submit, .approve, .reactivate]

    static func line(_ e: EnrollmentLine, actions: [EnrollmentAction], isManager: Bool, times: PageTimes) -> Line {
        Line(programID: e.programID, locationID: e.locationID, version: e.version, program: e.programName,
             organization: e.organizationName, location: e.locationName, status: e.status.label, statusTone: e.status.tone,
             explanation: isManager ? managerExplanation(e.status, payeeReady: e.payeeReady) : explanation(e.status, payeeReady: e.payeeReady),
             since: times.date(e.updatedAt),
             actions: actions.map { ActionButton(value: $0.rawValue, label: label($0), primary: primary.contains($0)) },
             hasActions: !actions.isEmpty,
             formAction: SitePath.enrollmentDecision(program: .id(e.programID), location: .id(e.locationID)).href())
    }

    static func label(_ action: EnrollmentAction) -> String {
        switch action {
        case .accept: "Accept the invitation"
        case .submit: "Submit for validation"
        case .approve: "Approve"
        case .requestAction: "Ask for an update"
        case .deactivate: "Deactivate"
        case .reactivate: "Reactivate"
        case .discontinue: "Discontinue"
        }
    }

    /// What the status asks of the program manager.
    static func managerExplanation(_ status: EnrollmentStatus, payeeReady: Bool) -> String {
        switch status {
        case .invited: "Invited; waiting for the partner to accept."
        case .enrolling: "The partner is filling in the enrollment."
        case .actionRequired: "Waiting for the partner's update."
        case .validating:
            payeeReady ? "Validate within 48 hours: approve, or ask the partner for an update."
                       : "Submitted, but the location's bank or tax profile is missing or expired: ask for an update."
        case .enrolled: "Enrolled."
        case .inactive: "Inactive until reactivated."
        case .discontinued: "Discontinued."
        }
    }

    /// What the status means for the partner, and what to do next.
    static func explanation(_ status: EnrollmentStatus, payeeReady: Bool) -> String {
        switch status {
        case .invited: "The program invited this location. Accept to start enrolling."
        case .enrolling, .actionRequired:
            payeeReady ? "Check the details and submit; the program validates within 48 hours."
                       : "Assign a bank profile and add a valid tax profile on the payee profiles page, then submit."
        case .validating: "The program is validating the enrollment (up to 48 hours)."
        case .enrolled: "Enrolled: the location takes part in the program's engagements."
        case .inactive: "Inactive: the location takes no part until the program reactivates it."
        case .discontinued: "Discontinued: the location no longer takes part."
        }
    }
}
