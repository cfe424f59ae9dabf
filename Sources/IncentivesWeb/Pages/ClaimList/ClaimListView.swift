import Foundation
import IncentivesDomain
import IncentivesStore

/// The claims list's view model: built from one page of the list, the filters' choices, the address and the page input
/// (no database), so a test builds it for any tab, search and filter.
struct ClaimListView: PageView {
    let shell: Shell
    let tabs: [ListTab]
    let tabCode: String
    let tabName: String
    let search: String
    let statuses: [ListOption]
    let kinds: [ListOption]
    let engagements: [ListOption]
    let locations: [ListOption]
    let dues: [ListOption]
    let sort: String
    let dir: String
    let per: Int
    let headers: [SortHeader]
    let rows: [ClaimLine]
    let hasRows: Bool
    let showOrganization: Bool
    let summary: String
    let nextHref: String?
    let firstHref: String?
    let isFiltered: Bool
    let clearHref: String
    let csvHref: String
    let xlsxHref: String
    /// Partners add customers from here; inside a solution area's tab, with that area chosen.
    let createHref: String?
    /// Where the search and filters are sent.
    let action: String

    init(_ page: ClaimSlice, choices: ClaimListChoices, address: ClaimListAddress, input: PageInput) {
        let query = address.query
        let isPartner = input.viewer?.vendorRole == nil
        tabs = Self.tabs(page, areas: choices.areas, address: address)
        rows = page.claims.map { ClaimLine($0, input: input) }

        shell = Shell(input, title: "Customer claims", section: .claims)
        tabCode = address.tabCode ?? ""
        tabName = tabs.first(where: \.current)?.name ?? "All"
        search = query.search ?? ""
        statuses = ClaimStatus.allCases.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0 == query.status) }
        kinds = ClaimKind.allCases.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0 == query.kind) }
        engagements = choices.engagements.map { ListOption(value: String($0.id), label: $0.name, selected: $0.id == query.engagementID) }
        locations = choices.locations.map { ListOption(value: String($0.id), label: $0.name, selected: $0.id == query.locationID) }
        dues = [1, 3, 7, 14, 30].map {
            ListOption(value: String($0), label: "Due within \($0) day\($0 == 1 ? "" : "s")", selected: $0 == query.dueWithinDays)
        }
        sort = query.sort.rawValue
        dir = query.descending ? "desc" : "asc"
        per = query.limit
        headers = Self.headers(address)
        hasRows = !rows.isEmpty
        showOrganization = !isPartner
        summary = Self.summary(page, query: query, shown: rows.count)
        nextHref = page.next.map { address.href(after: $0.token) }
        firstHref = query.after == nil ? nil : address.href()
        isFiltered = address.isFiltered
        clearHref = address.cleared.href()
        csvHref = address.href(path: .claimsExport(.csv))
        xlsxHref = address.href(path: .claimsExport(.xlsx))
        let inArea = choices.areas.contains { $0.code == address.tabCode }
        createHref = isPartner ? SitePath.newClaim.href(inArea ? [("area", address.tabCode ?? "")] : []) : nil
        action = SitePath.claims.href()
    }

    /// All, Attention required, then one per solution area, each with its count under the same search and filters.
    static func tabs(_ page: ClaimSlice, areas: [SolutionArea], address: ClaimListAddress) -> [ListTab] {
        let tab = address.query.tab
        let all = ListTab(name: "All", href: address.href(tab: .some(nil)), count: page.countAll, current: tab == .all,
                          hasCount: page.counted)
        let attention = ListTab(name: "Attention required", href: address.href(tab: "attention"), count: page.countAttention,
                                current: tab == .attention, hasCount: page.counted)
        return [all, attention] + areas.map { area in
            ListTab(name: area.name, href: address.href(tab: .some(area.code)), count: page.count(of: .area(area.id)),
                    current: tab == .area(area.id), hasCount: page.counted)
        }
    }

    /// The sortable columns: each sorts by itself, or reverses the order it sorts by now.
    static func headers(_ address: ClaimListAddress) -> [SortHeader] {
        let query = address.query
        let columns: [(String, ClaimListQuery.Sort, Bool)] = [
            ("Claim", .name, false), ("Customer", .customer, false), ("Engagement", .engagement, false), ("Location", .location, false),
            ("Status", .status, false), ("Next deadline", .due, false), ("Amount", .amount, true), ("Updated", .updated, false),
        ]
        return columns.map { label, key, numeric in
            let isCurrent = query.sort == key
            // A new column starts in its natural order: names A→Z, deadlines soonest, updates newest.
            let natural = key == .updated || key == .amount
            let descending = isCurrent ? !query.descending : natural
            return SortHeader(label: label, href: address.href(sort: key, descending: descending), current: isCurrent,
                              descending: query.descending, numeric: numeric)
        }
    }

    /// How many claims the tab holds and how many are shown; "more than" for a search too broad to count.
    static func summary(_ page: ClaimSlice, query: ClaimListQuery, shown: Int) -> String {
        let total = page.count(of: query.tab)
        let plural = total == 1 ? "" : "s"
        if !page.counted {
            let which = query.after == nil ? ", the first \(shown) shown" : "; a later page"
            let count = ClaimListing.broadSearchCount.formatted()
            return "More than \(count) claims match this search\(which). Add to the search or filter to narrow it."
        }
        if total == 0 { return "" }
        if query.after != nil { return "\(total) claim\(plural); a later page." }
        return "\(total) claim\(plural)\(shown < total ? ", the first \(shown) shown" : "")."
    }
}

/// The most requested page: read by a field table (TemplateFieldTable) rather than through a `Mirror` per name the
/// template asks for (a sixth of the page's time at 50 rows, measured when swift-mustache rendered the pages).
extension ClaimListView: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "shell": { $0.shell }, "tabs": { $0.tabs }, "tabCode": { $0.tabCode }, "tabName": { $0.tabName },
        "search": { $0.search }, "statuses": { $0.statuses }, "kinds": { $0.kinds }, "engagements": { $0.engagements },
        "locations": { $0.locations }, "dues": { $0.dues }, "sort": { $0.sort }, "dir": { $0.dir }, "per": { $0.per },
        "headers": { $0.headers }, "rows": { $0.rows }, "hasRows": { $0.hasRows },
        "showOrganization": { $0.showOrganization }, "summary": { $0.summary }, "nextHref": { $0.nextHref },
        "firstHref": { $0.firstHref }, "isFiltered": { $0.isFiltered }, "clearHref": { $0.clearHref },
        "csvHref": { $0.csvHref }, "xlsxHref": { $0.xlsxHref }, "createHref": { $0.createHref }, "action": { $0.action },
    ])
}
