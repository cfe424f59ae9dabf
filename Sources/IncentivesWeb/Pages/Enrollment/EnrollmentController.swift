import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/enrollment`: each location's enrollment per program; an Incentives admin accepts an invitation and submits the
/// enrollment for validation, and the program manager validates it (or asks for an update, deactivates, reactivates,
/// discontinues), as the domain's state machine allows. `SectionGuard` checks the viewer once for both routes.
struct EnrollmentController: Sendable {
    let deps: AppDependencies
    let payees: PayeeRepository

    init(deps: AppDependencies) {
        self.deps = deps
        payees = deps.stores.payees
    }

    func register(on router: Router<AppRequestContext>) {
        let section = router.group().add(middleware: SectionGuard(section: .enrollment))
        section.get(SitePath.enrollment.pattern, use: list)
        section.post(SitePath.enrollmentDecision(program: .key, location: .key).pattern, use: change)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let input = deps.pageInput(context)
        let enrollments = try await payees.enrollments(in: try context.signedIn.scope, now: input.now)
        return deps.page("enrollment", EnrollmentView(enrollments, input: input))
    }

    /// One step of a location's enrollment, by the program manager or the location's Incentives admin.
    @Sendable func change(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        let isManager = viewer.vendorRole == .programManager
        guard isManager || viewer.isIncentivesAdmin else { throw HTTPError(.forbidden) }
        guard let program = context.parameters.get("program", as: Int64.self),
              let location = context.parameters.get("location", as: Int64.self),
              isManager || PayeeRepository.adminLocations(of: viewer).contains(location) else { throw HTTPError(.notFound) }
        let step = context.form.text("action")
        guard let action = EnrollmentAction(rawValue: step) else {
            // The page's buttons name a step: anything else did not come from it.
            if !step.isEmpty { throw HTTPError(.badRequest, message: "That step was not recognised; nothing was changed.") }
            return back(.error, "That step was not recognised; nothing was changed.")
        }
        let version = Int64(context.form.text("version")) ?? -1
        do {
            let status = try await payees.changeEnrollment(program: program, location: location, action, expectedVersion: version,
                                                           by: viewer, now: deps.clock.now)
            return back(.success, "Enrollment is now \(status.label.lowercased()).")
        } catch {
            guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
            return back(.error, "Nothing was changed: \(message)")
        }
    }

    private func back(_ kind: Flash.Kind, _ message: String) -> Response {
        deps.redirect(to: SitePath.enrollment.href(), flash: Flash(kind: kind, message: message))
    }
}
