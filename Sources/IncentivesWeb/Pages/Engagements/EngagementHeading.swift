import Foundation
import IncentivesDomain
import IncentivesStore

/// The heading every page of one engagement shares: its name, status, solution area and the page tabs.
struct EngagementHeading: Sendable {
    struct PageTab: Sendable {
        let title: String
        let href: String
        let current: Bool
    }

    let id: Int64
    let name: String
    let area: String
    let areaHref: String
    let role: String
    let type: String
    let status: String
    let statusTone: String
    let tabs: [PageTab]

    /// - Parameter current: the title of the page's tab.
    init(_ detail: EngagementDetail, current: String) {
        let e = detail.engagement
        id = e.id
        name = e.name
        area = detail.solutionArea.name
        areaHref = EngagementListQuery(area: detail.solutionArea.code).href
        role = e.role.label
        type = e.type.label
        status = e.status.label
        statusTone = e.status.tone
        let pages: [(String, SitePath)] = [("Summary", .engagement(.id(e.id))), ("Customers", .engagementCustomers(.id(e.id))),
                                           ("Eligibility", .engagementEligibility(.id(e.id)))]
        tabs = pages.map { PageTab(title: $0.0, href: $0.1.href(), current: $0.0 == current) }
    }

    /// The layout of one of the engagement's pages: the summary is named after the engagement, the others after
    /// their tab, under the engagement in the breadcrumbs.
    static func shell(_ detail: EngagementDetail, _ input: PageInput, page: String?) -> Shell {
        let name = detail.engagement.name
        let trail: [(String, String?)] = page.map { [(name, SitePath.engagement(.id(detail.engagement.id)).href()), ($0, nil)] } ?? [(name, nil)]
        return Shell(input, title: page.map { "\($0) · \(name)" } ?? name, section: .engagements, trail: trail)
    }
}
