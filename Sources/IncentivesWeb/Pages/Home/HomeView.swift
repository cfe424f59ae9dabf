import Foundation
import IncentivesDomain
import IncentivesStore

/// The home page's view model: built from the claims that expire within 14 days, the claims counted by status, the
/// charts' figures and the page input (no database). A partner sees their deadlines and charts of their claims, the
/// vendor the queue and the program's charts for a chosen period, an account admin their users.
struct HomeView: PageView {
    struct StatusCount: Sendable {
        let label: String
        let count: Int
        let tone: String
    }

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
    let claimsHref: String
    let reviewHref: String
    let usersHref: String
    /// The partner's deadlines chart, in the deadlines section.
    let deadlineFigure: DashboardFigure?
    let figures: [DashboardFigure]
    let hasFigures: Bool
    let dashboardHeading: String
    /// The vendor's charts count a period, chosen with a GET form.
    let showsPeriod: Bool
    let periodOptions: [ListOption]
    let periodLabel: String
    let periodAction: String

    /// - Parameters:
    ///   - expiring: the claims whose clock runs out within 14 days (read for a partner in the program only).
    ///   - counts: the viewer's claims by status (read for a viewer in the program only).
    ///   - figures: the charts the viewer may see (the deadlines chart among them for a partner).
    init(expiring: [ClaimSummary], counts: [ClaimStatus: Int], figures: [DashboardFigure] = [], period: DashboardPeriod = .standard,
         input: PageInput) {
        let viewer = input.viewer
        let inProgram = viewer?.may(open: .claims) ?? false
        let reviews = viewer?.may(open: .review) ?? false
        let queue = reviews ? [ClaimStatus.submitted, .underReview, .disputed].reduce(0) { $0 + (counts[$1] ?? 0) } : 0
        let administered = viewer?.administeredLocations.count ?? 0
        shell = Shell(input, title: "Home", section: .home)
        partner = viewer.map(Self.showsDeadlines) ?? false
        vendor = reviews
        rows = expiring.map { ClaimLine($0, input: input) }
        hasRows = !rows.isEmpty
        showOrganization = false
        dueCount = rows.count
        dueCountPlural = rows.count == 1 ? "" : "s"
        queueCount = queue
        queuePlural = queue == 1 ? "" : "s"
        statuses = ClaimStatus.allCases.compactMap { status in
            counts[status].map { StatusCount(label: status.label, count: $0, tone: status.tone) }
        }
        hasStatuses = !statuses.isEmpty
        manageUsers = administered > 0
        self.administered = administered
        administeredPlural = administered == 1 ? "" : "s"
        noRole = viewer?.organizationID != nil && !inProgram && administered == 0
        claimsHref = SitePath.claims.href()
        reviewHref = SitePath.review.href()
        usersHref = SitePath.users.href()
        deadlineFigure = figures.first { $0.chart == .deadlines }
        self.figures = figures.filter { $0.chart != .deadlines }
        hasFigures = !self.figures.isEmpty
        showsPeriod = self.figures.contains { $0.chart.usesPeriod }
        dashboardHeading = viewer?.vendorRole != nil ? "The program at a glance" : "Your claims at a glance"
        let zone = viewer?.timeZone ?? PageTime.utc
        periodOptions = (DashboardPeriod.dayChoices.map { DashboardPeriod.lastDays($0) }
            + DashboardPeriod.recentMonths(now: input.now, zone: zone)).map { choice in
                let label = if case .lastDays(let days) = choice { "Last \(days) days" } else { choice.label }
                return ListOption(value: choice.parameter, label: label, selected: choice == period)
            }
        periodLabel = period.label
        periodAction = SitePath.home.href()
    }

    /// A partner in the program sees the claims that expire within a week.
    static func showsDeadlines(_ viewer: Viewer) -> Bool {
        viewer.organizationID != nil && viewer.may(open: .claims)
    }
}
