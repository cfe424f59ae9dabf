import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore
import NIOCore

/// `/`: what needs the signed-in user's attention and the charts of their side of the program (the vendor's for a chosen
/// period); signed out, the way to sign in. `/dashboard/<chart>.csv`: one chart's table as a download, same scope.
struct HomeController: Sendable {
    let deps: AppDependencies
    let listing: ClaimListing
    let dashboard: Dashboard

    init(deps: AppDependencies) {
        self.deps = deps
        listing = deps.stores.listing
        dashboard = Dashboard(stores: deps.stores)
    }

    func register(on router: Router<AppRequestContext>) {
        let section = router.group().add(middleware: SectionGuard(section: .home))
        section.get(SitePath.home.pattern, use: show)
        for chart in DashboardChart.allCases {
            section.get(SitePath.dashboardCSV(chart).pattern) { request, context in try await csv(chart, request, context: context) }
        }
    }

    // MARK: Handlers

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let viewer = try context.signedIn
        let input = deps.pageInput(context)
        let period = try Dashboard.period(request.uri.queryParameters)
        let partner = HomeView.showsDeadlines(viewer)
        let days = PartnerFigures.deadlineSlices(now: input.now, zone: viewer.timeZone)
        let expiring = partner ? try await listing.expiring(between: input.now, and: days.last?.end ?? input.now, in: viewer.scope) : []
        let counts = viewer.may(open: .claims) ? try await listing.countsByStatus(in: viewer.scope) : [:]
        let figures = try await dashboard.figures([.deadlines] + Dashboard.partnerCharts + Dashboard.vendorCharts, for: viewer,
                                                  period: period, now: input.now, counts: counts)
        return deps.page("home", HomeView(expiring: expiring, counts: counts, figures: figures, period: period, input: input))
    }

    /// One chart's figures as CSV, for the period the URL names: 403 for a chart the viewer's side does not see.
    @Sendable func csv(_ chart: DashboardChart, _ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        guard viewer.may(see: chart) else { throw HTTPError(.forbidden) }
        let period = try Dashboard.period(request.uri.queryParameters)
        let now = deps.clock.now
        guard let figure = try await dashboard.figures([chart], for: viewer, period: period, now: now).first else { throw HTTPError(.forbidden) }
        let name = "\(chart.rawValue)\(chart.usesPeriod ? "-\(period.parameter)" : "")-\(DayDate(now)).csv"
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"",
                                               .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: figure.table.csv)))
    }
}
