import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/enrollment`: each location's enrollment per program; an Incentives admin accepts an invitation and
/// submits the enrollment for validation, and the program manager validates it (or asks for an update,
/// deactivates, reactivates, discontinues), as the domain's state machine allows.
struct EnrollmentPage: Sendable {
    let deps: AppDependencies
    let payees: PayeeRepository

    init(deps: AppDependencies) {
        self.deps = deps
        self.payees = PayeeRepository(db: deps.db)
    }

    struct ActionButton: Sendable { let value: String; let label: String; let primary: Bool }
    struct Line: Sendable {
        let programID: Int64; let locationID: Int64; let version: Int64
        let program: String; let organization: String; let location: String; let status: String; let statusTone: String; let explanation: String
        let since: String; let actions: [ActionButton]; let hasActions: Bool
    }
    struct View: PageView {
        let shell: Shell
        let lines: [Line]
        let hasLines: Bool
        let isManager: Bool
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/enrollment") { request, context in
            let viewer = try context.viewer(for: .enrollment, request)
            let now = deps.clock.now
            let admin = PayeeRepository.adminLocations(of: viewer)
            let isManager = viewer.vendorRole == .programManager
            let lines = try await payees.enrollments(in: viewer.scope, now: now).map { e in
                let actions = isManager ? e.status.actions(for: .programManager)
                    : admin.contains(e.locationID) ? e.status.actions(for: .incentivesAdmin) : []
                return Line(programID: e.programID, locationID: e.locationID, version: e.version, program: e.programName,
                            organization: e.organizationName, location: e.locationName, status: e.status.label, statusTone: e.status.tone,
                            explanation: isManager ? Self.managerExplanation(e.status, payeeReady: e.payeeReady)
                                                   : Self.explanation(e.status, payeeReady: e.payeeReady),
                            since: deps.format(e.updatedAt, for: viewer, style: .date),
                            actions: actions.map { ActionButton(value: $0.rawValue, label: Self.label($0), primary: [.accept, .submit, .approve, .reactivate].contains($0)) },
                            hasActions: !actions.isEmpty)
            }
            return deps.page("enrollment", View(
                shell: Shell(context, deps: deps, title: Section.enrollment.title, section: .enrollment),
                lines: lines, hasLines: !lines.isEmpty, isManager: isManager))
        }
        router.post("/enrollment/{program}/{location}") { request, context -> Response in
            let viewer = try context.viewer(for: .enrollment, request)
            let isManager = viewer.vendorRole == .programManager
            guard isManager || viewer.isIncentivesAdmin else { throw HTTPError(.forbidden) }
            guard let program = context.parameters.get("program", as: Int64.self),
                  let location = context.parameters.get("location", as: Int64.self),
                  isManager || PayeeRepository.adminLocations(of: viewer).contains(location) else { throw HTTPError(.notFound) }
            let step = context.form.text("action")
            guard let action = EnrollmentAction(rawValue: step) else {
                // The page's buttons name a step: anything else did not come from it.
                if !step.isEmpty { throw HTTPError(.badRequest, message: "That step was not recognised; nothing was changed.") }
                return deps.redirect(to: "/enrollment", flash: Flash(kind: .error, message: "That step was not recognised; nothing was changed."))
            }
            let version = Int64(context.form.text("version")) ?? -1
            do {
                let status = try await payees.changeEnrollment(program: program, location: location, action, expectedVersion: version,
                                                               by: viewer, now: deps.clock.now)
                return deps.redirect(to: "/enrollment", flash: Flash(kind: .success, message: "Enrollment is now \(status.label.lowercased())."))
            } catch {
                guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
                return deps.redirect(to: "/enrollment", flash: Flash(kind: .error, message: "Nothing was changed: \(message)"))
            }
        }
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
