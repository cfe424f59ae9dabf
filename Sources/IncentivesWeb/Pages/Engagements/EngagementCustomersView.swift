import Foundation
import IncentivesDomain
import IncentivesStore

/// `/engagements/{id}/customers`: one keyset page of the viewer's customers in one eligibility tab, each with its claim
/// on the engagement or a link to claim it. Built from the engagement's detail (with that page) and the page input only.
struct EngagementCustomersView: PageView {
    typealias Tab = CustomerEligibility.Group

    struct Row: Sendable {
        let name: String
        let identifier: String
        let reason: String
        let claimHref: String?
        let claimName: String
        let claimStatus: String
        let claimTone: String
        let canBeClaimed: Bool
        /// Add customer with this engagement and this customer chosen.
        let addHref: String?
    }

    let shell: Shell
    let heading: EngagementHeading
    /// An eligibility tab with its count as shown: "N+" when the count looked through part of the viewer's customers.
    struct CountedTab: Sendable { let name: String; let href: String; let count: String; let current: Bool }

    let tabs: [CountedTab]
    /// The tab counts are lower bounds: the viewer has more customers than one request looks through.
    let countsInPart: Bool
    let customerWalk = EngagementReads.customerWalk
    let tabTitle: String
    let rows: [Row]
    let hasRows: Bool
    let showsReason: Bool
    let addHref: String?
    let claimRefusal: String?
    let nextHref: String?
    let firstHref: String?
    /// The page looked through as many customers as one request may and found fewer than a page: more may follow.
    let looksFurther: Bool
    let showsPager: Bool

    init(_ detail: EngagementDetail, tab: Tab, after: ClaimCursor?, input: PageInput) {
        let e = detail.engagement
        let refusal = e.refusalToClaim(at: input.now)
        let tabHref = { (t: Tab, after: [(String, String)]) in
            SitePath.engagementCustomers(.id(e.id)).href([("tab", t.rawValue)] + after)
        }
        shell = EngagementHeading.shell(detail, input, page: "Customers")
        heading = EngagementHeading(detail, current: "Customers")
        let inPart = detail.customerCountsInPart
        tabs = Tab.allCases.map { t in
            let n = detail.customerCounts[t] ?? 0
            return CountedTab(name: t.title, href: tabHref(t, []), count: inPart ? "\(n)+" : String(n), current: t == tab)
        }
        countsInPart = inPart
        tabTitle = tab.title
        let checks = e.version(inForceAt: input.now).customerCriteria.filter { $0.check != nil }.map(\.text)
        rows = detail.customers.map { Self.row($0, of: e, checks: checks, takesClaims: refusal == nil) }
        hasRows = !rows.isEmpty
        showsReason = tab == .ineligible
        addHref = refusal == nil ? SitePath.newClaim.href([("engagement", String(e.id))]) : nil
        claimRefusal = refusal
        nextHref = detail.nextCustomers.map { tabHref(tab, [("after", $0.token)]) }
        firstHref = after == nil ? nil : tabHref(tab, [])
        looksFurther = detail.customersLookFurther
        showsPager = hasRows || nextHref != nil || firstHref != nil
    }

    /// `checks`: the words of the program checks of the version in force, one of which the customer fails when its criteria are not met.
    static func row(_ c: EngagementCustomer, of e: Engagement, checks: [String], takesClaims: Bool) -> Row {
        var reason = ""
        if case .ineligible(let why) = c.eligibility {
            reason = why.description.prefix(1).uppercased() + why.description.dropFirst() + "."
            if why == .criteriaNotMet && !checks.isEmpty { reason += " Checked by the program: \(checks.joined(separator: "; "))." }
        }
        let add = [("engagement", String(e.id)), ("id_type", "existing"), ("existing", String(c.customer.id))]
        return Row(
            name: c.customer.name, identifier: c.customer.domain ?? c.customer.tenantID ?? "", reason: reason,
            claimHref: c.claimID.map { SitePath.claim(.id($0)).href() }, claimName: c.claimName ?? "",
            claimStatus: c.claimStatus?.label ?? "", claimTone: c.claimStatus?.tone ?? "muted", canBeClaimed: c.canBeClaimed,
            addHref: c.canBeClaimed && takesClaims ? SitePath.newClaim.href(add) : nil)
    }
}

extension CustomerEligibility.Group {
    /// The tab's name on an engagement's Customers page.
    var title: String { rawValue.capitalized }
}
