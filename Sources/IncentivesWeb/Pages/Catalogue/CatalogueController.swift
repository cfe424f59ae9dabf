import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/catalogue`: every engagement of the program, for the vendor.
struct CatalogueController: Sendable {
    let deps: AppDependencies
    let reads: ProgramReads

    init(deps: AppDependencies) {
        self.deps = deps
        reads = deps.stores.program
    }

    func register(on router: Router<AppRequestContext>) {
        router.group().add(middleware: SectionGuard(section: .catalogue)).get(SitePath.catalogue.pattern, use: list)
    }

    // MARK: Handlers

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let entries = try await reads.catalogue()
        return deps.page("catalogue", CatalogueView(entries, input: deps.pageInput(context)))
    }
}
