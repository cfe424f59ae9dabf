import Foundation
import IncentivesDomain
import IncentivesStore

/// The claims list's state as its address carries it: the query read from the URL and the tab's code. It makes the
/// list's links, with the defaults left out, so a view can be bookmarked or shared.
struct ClaimListAddress: Sendable {
    var query: ClaimListQuery
    /// The tab as the address names it: "attention", a solution area's code, or nil for all claims.
    var tabCode: String?

    init(_ query: ClaimListQuery, areas: [SolutionArea]) {
        self.query = query
        tabCode = switch query.tab {
        case .all: nil
        case .attention: "attention"
        case .area(let id): areas.first { $0.id == id }?.code
        }
    }

    /// The list's address with these values, without the page position unless `after` is given.
    /// - Parameters:
    ///   - tab: `.some(nil)` for all claims; left out, the current tab.
    ///   - path: the list, or one of its exports.
    func href(tab: String?? = .none, sort: ClaimListQuery.Sort? = nil, descending: Bool? = nil, after: String? = nil,
              path: SitePath = .claims) -> String {
        var items: [(String, String)] = []
        if let tab = tab ?? tabCode { items.append(("tab", tab)) }
        if let search = query.search { items.append(("q", search)) }
        if let status = query.status { items.append(("status", status.rawValue)) }
        if let kind = query.kind { items.append(("kind", kind.rawValue)) }
        if let engagement = query.engagementID { items.append(("engagement", String(engagement))) }
        if let location = query.locationID { items.append(("location", String(location))) }
        if let due = query.dueWithinDays { items.append(("due", String(due))) }
        let sort = sort ?? query.sort
        let descending = descending ?? query.descending
        if sort != .updated || !descending {
            items.append(("sort", sort.rawValue))
            items.append(("dir", descending ? "desc" : "asc"))
        }
        if query.limit != 50 { items.append(("per", String(query.limit))) }
        if let after { items.append(("after", after)) }
        return path.href(items)
    }

    var isFiltered: Bool {
        query.search != nil || query.status != nil || query.kind != nil || query.engagementID != nil || query.locationID != nil
            || query.dueWithinDays != nil
    }

    /// The same tab with no search or filter, in the default order.
    var cleared: ClaimListAddress {
        var cleared = self
        cleared.query = ClaimListQuery()
        cleared.query.tab = query.tab
        return cleared
    }
}
