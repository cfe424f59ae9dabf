import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/eligibility`: each of the viewer's locations, and whether and why it earns. Every read is scoped in `ProgramReads`
/// by the viewer's organization and Incentives locations.
struct EligibilityController: Sendable {
    let deps: AppDependencies
    let reads: ProgramReads

    init(deps: AppDependencies) {
        self.deps = deps
        reads = deps.stores.program
    }

    func register(on router: Router<AppRequestContext>) {
        router.group().add(middleware: SectionGuard(section: .eligibility))
            .get(SitePath.eligibility.pattern, use: show)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let input = deps.pageInput(context)
        let program = try await reads.program()
        let locations = try await reads.locations(in: try context.signedIn.scope, at: input.now)
        return deps.page("eligibility", EligibilityView(program: program, locations: locations, input: input))
    }
}
