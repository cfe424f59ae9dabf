import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/`: what needs the signed-in user's attention; signed out, the way to sign in.
struct HomePage: Sendable {
    let deps: AppDependencies
    let listing: ClaimListing

    struct StatusCount: Sendable { let label: String; let count: Int; let tone: String }
    struct View: PageView {
        let shell: Shell
        let partner: Bool
        let vendor: Bool
        let rows: [ClaimLine]
        let hasRows: Bool
        let showOrganization: Bool
        let dueCount: Int
        let dueCountPlural: String
        let queueCount: Int
        let queuePlural: String
        let statuses: [StatusCount]
        let hasStatuses: Bool
        let manageUsers: Bool
        let administered: Int
        let administeredPlural: String
        let noRole: Bool
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/") { request, context -> Response in
            let viewer = try context.viewer(for: .home, request)
            return try await view(viewer, context).response(from: request, context: context)
        }
    }

    func view(_ viewer: Viewer, _ context: AppRequestContext) async throws -> HTML {
        let now = deps.clock.now
        let inProgram = viewer.may(open: .claims)
        let partner = viewer.organizationID != nil && inProgram
        let rows = partner
            ? try await listing.expiring(between: now, and: now.adding(calendarDays: 7), in: viewer.scope).map { ClaimLine($0, input: deps.pageInput(context)) }
            : []
        let counts = inProgram ? try await listing.countsByStatus(in: viewer.scope) : [:]
        let queue = viewer.may(open: .review)
            ? [ClaimStatus.submitted, .underReview, .disputed].reduce(0) { $0 + (counts[$1] ?? 0) } : 0
        let administered = viewer.administeredLocations.count
        let statuses = ClaimStatus.allCases.compactMap { status in
            counts[status].map { StatusCount(label: status.label, count: $0, tone: status.tone) }
        }
        return deps.page("home", View(
            shell: Shell(context, deps: deps, title: "Home", section: .home),
            partner: partner, vendor: viewer.may(open: .review), rows: rows, hasRows: !rows.isEmpty, showOrganization: false,
            dueCount: rows.count, dueCountPlural: rows.count == 1 ? "" : "s",
            queueCount: queue, queuePlural: queue == 1 ? "" : "s",
            statuses: statuses, hasStatuses: !statuses.isEmpty,
            manageUsers: administered > 0, administered: administered, administeredPlural: administered == 1 ? "" : "s",
            noRole: viewer.organizationID != nil && !inProgram && administered == 0))
    }
}
