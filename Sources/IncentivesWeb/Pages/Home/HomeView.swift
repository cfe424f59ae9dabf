import Foundation
import IncentivesDomain
import IncentivesStore

/// The home page's view model: built from the claims that expire within a week, the claims counted by status and the
/// page input (no database). A partner sees their deadlines, a reviewer the queue, an account admin their users.
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

    /// - Parameters:
    ///   - expiring: the claims whose clock runs out within 7 days (read for a partner in the program only).
    ///   - counts: the viewer's claims by status (read for a viewer in the program only).
    init(expiring: [ClaimSummary], counts: [ClaimStatus: Int], input: PageInput) {
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
    }

    /// A partner in the program sees the claims that expire within a week.
    static func showsDeadlines(_ viewer: Viewer) -> Bool {
        viewer.organizationID != nil && viewer.may(open: .claims)
    }
}
