import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/`: what needs the signed-in user's attention; signed out, the way to sign in.
struct HomeController: Sendable {
    let deps: AppDependencies
    let listing: ClaimListing

    init(deps: AppDependencies) {
        self.deps = deps
        listing = deps.stores.listing
    }

    func register(on router: Router<AppRequestContext>) {
        router.group().add(middleware: SectionGuard(section: .home)).get(SitePath.home.pattern, use: show)
    }

    // MARK: Handlers

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let viewer = try context.signedIn
        let input = deps.pageInput(context)
        let expiring = HomeView.showsDeadlines(viewer)
            ? try await listing.expiring(between: input.now, and: input.now.adding(calendarDays: 7), in: viewer.scope) : []
        let counts = viewer.may(open: .claims) ? try await listing.countsByStatus(in: viewer.scope) : [:]
        return deps.page("home", HomeView(expiring: expiring, counts: counts, input: input))
    }
}
