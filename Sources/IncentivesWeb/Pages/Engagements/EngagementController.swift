import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/engagements` and one engagement's pages (Summary, Customers, Eligibility, template downloads), for partner users;
/// every read is scoped in `EngagementReads`, and an engagement none of the viewer's locations is listed on answers 404
/// like an unknown one. `SectionGuard` checks the viewer once; a `RecordResolver` reads the engagement of the pages
/// that show it alone.
struct EngagementController: Sendable {
    let deps: AppDependencies
    let reads: EngagementReads

    /// Customers on one page of the Customers tab; the next ones are a keyset page away.
    static let customersPerPage = 100

    init(deps: AppDependencies) {
        self.deps = deps
        reads = deps.stores.engagements
    }

    func register(on router: Router<AppRequestContext>) {
        let section = router.group().add(middleware: SectionGuard(section: .engagements))
        section.get(SitePath.engagements.pattern, use: list)
        // The Customers page reads the engagement with one page of customers, so it reads it itself.
        section.get(SitePath.engagementCustomers(.key).pattern, use: customers)
        let engagement = section.group().add(middleware: RecordResolver(load: { [reads, clock = deps.clock] id, viewer in
            try await reads.detail(id, in: viewer.scope, at: clock.now)
        }, keep: { $0.engagement = $1 }))
        engagement.get(SitePath.engagement(.key).pattern, use: show)
        engagement.get(SitePath.engagementEligibility(.key).pattern, use: eligibility)
        engagement.get(SitePath.engagementTemplate(.key, kind: .key).pattern, use: downloadTemplate)
    }

    // MARK: Handlers

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let input = deps.pageInput(context)
        let board = try await reads.board(in: try context.signedIn.scope, at: input.now)
        return deps.page("engagements", EngagementBoardView(board, query: EngagementListQuery(request.uri.queryParameters), input: input))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        deps.page("engagement", EngagementView(try context.resolvedEngagement, input: deps.pageInput(context)))
    }

    @Sendable func customers(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let tab = EngagementCustomersView.Tab(rawValue: request.uri.queryParameters.get("tab") ?? "") ?? .eligible
        var after: ClaimCursor?
        if let token = request.uri.queryParameters.get("after"), !token.isEmpty {
            guard let cursor = ClaimCursor(token: token) else { throw damagedPageLink }
            after = cursor
        }
        let input = deps.pageInput(context)
        do {
            guard let id = context.parameters.get("id", as: Int64.self),
                  let detail = try await reads.detail(id, in: try context.signedIn.scope, at: input.now, customerLimit: Self.customersPerPage,
                                                      group: tab, after: after) else { throw HTTPError(.notFound) }
            return deps.page("engagement-customers", EngagementCustomersView(detail, tab: tab, after: after, input: input))
        } catch is ClaimCursorRefused {
            throw damagedPageLink
        }
    }

    @Sendable func eligibility(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let detail = try context.resolvedEngagement
        // The viewer's locations' inclusion requests on it, with their answers (scoped in the store).
        let requests = try await deps.stores.inclusionRequests.ofEngagement(detail.engagement.id, in: try context.signedIn.scope)
        return deps.page("engagement-eligibility", EngagementEligibilityView(detail, requests: requests, input: deps.pageInput(context)))
    }

    /// A proof template of the version in force (or, with `?version=N`, of the version a claim is pinned to): the file the
    /// vendor uploaded under its own name, or the generated text where the version names a template without a file.
    @Sendable func downloadTemplate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let engagement = try context.resolvedEngagement.engagement
        guard let kind = ProofRequirement.Kind(rawValue: context.parameters.get("kind") ?? "") else { throw HTTPError(.notFound) }
        var version = engagement.version(inForceAt: deps.clock.now)
        if let asked = request.uri.queryParameters.get("version") {
            // Published versions only: a partner's engagement holds no draft.
            guard let number = Int(asked), let pinned = engagement.version(number: number) else { throw HTTPError(.notFound) }
            version = pinned
        }
        guard let response = try await TemplateDownload.response(engagement, version: version, kind: kind,
                                                                 templates: deps.stores.proofTemplates) else { throw HTTPError(.notFound) }
        return response
    }
}
