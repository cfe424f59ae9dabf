import Foundation
import IncentivesDomain
import IncentivesStore

/// `/engagements`: the engagements on which one of the viewer's locations is eligible, one tab per solution area, with
/// "N of M" earning locations, filters and sortable columns. Built from the board and the page input only.
struct EngagementBoardView: PageView {
    struct Row: Sendable {
        let id: Int64
        let name: String
        let href: String
        let locations: String
        let role: String
        let earning: String
        let earningTitle: String
        let showsGreenIcon: Bool
        let status: String
        let statusTone: String
        /// Counted up to `EngagementReads.customerCountCap`: "100+" past it; "N+" when the count is a lower bound.
        let activeCustomers: String
        let eligibleCustomers: String
        var isCountedInPart: Bool { activeCustomers.hasSuffix("+") || eligibleCustomers.hasSuffix("+") }
    }

    let shell: Shell
    let tabs: [ListTab]
    let areaName: String
    let areaCode: String
    let locationOptions: [ListOption]
    let statusOptions: [ListOption]
    let roleOptions: [ListOption]
    let sort: String
    let dir: String
    let headers: [SortHeader]
    let rows: [Row]
    let hasRows: Bool
    /// A row's customer count stops at the cap or is a lower bound: the page says how it counts.
    let countsInPart: Bool
    let countCap = EngagementReads.customerCountCap
    let customerWalk = EngagementReads.customerWalk
    let isFiltered: Bool
    let clearFilters: String
    let managerName: String
    let managerEmail: String
    let hasManager: Bool
    let formAction: String
    let eligibilityHref: String

    init(_ board: EngagementBoard, query requested: EngagementListQuery, input: PageInput) {
        var query = requested
        let area = board.areas.first { $0.code == requested.area } ?? board.areas.first
        query.area = area?.code
        // Filters other than the tab; the tab counts follow them.
        let filtered = board.engagements.filter { e in
            (query.status == nil || e.status == query.status) && (query.role == nil || e.role == query.role)
                && (query.location.map { id in e.locations.contains { $0.locationID == id && $0.isEligible } } ?? true)
        }
        let names = Dictionary(uniqueKeysWithValues: board.locations.map { ($0.location.id, Self.shortName($0)) })
        let rows = Self.rows(filtered.filter { $0.solutionArea.id == area?.id }, names: names, query: query, now: input.now)
        var clear = query
        clear.location = nil
        clear.status = nil
        clear.role = nil
        let manager = board.program

        shell = Shell(input, title: Section.engagements.title, section: .engagements)
        tabs = board.areas.map { a in
            var tabQuery = query
            tabQuery.area = a.code
            return ListTab(name: a.name, href: tabQuery.href, count: filtered.filter { $0.solutionArea.id == a.id }.count, current: a.id == area?.id)
        }
        areaName = area?.name ?? ""
        areaCode = area?.code ?? ""
        locationOptions = board.locations.map {
            ListOption(value: String($0.location.id), label: Self.shortName($0), selected: $0.location.id == query.location)
        }
        statusOptions = EngagementStatus.allCases.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0 == query.status) }
        roleOptions = PartnerRole.allCases.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0 == query.role) }
        sort = query.sort.rawValue
        dir = query.descending ? "desc" : "asc"
        headers = Self.headers(query)
        self.rows = rows
        hasRows = !rows.isEmpty
        countsInPart = rows.contains(where: \.isCountedInPart)
        isFiltered = query.isFiltered
        clearFilters = clear.href
        managerName = manager?.managerName ?? ""
        managerEmail = manager?.managerEmail ?? ""
        hasManager = manager != nil
        formAction = SitePath.engagements.href()
        eligibilityHref = SitePath.eligibility.href()
    }

    /// The tab's rows in the query's order; a row names only the locations the location filter keeps.
    static func rows(_ engagements: [EngagementStanding], names: [Int64: String], query: EngagementListQuery, now: Date) -> [Row] {
        let rows = engagements.map { e -> (EngagementStanding, Row) in
            let figure = e.earningLocations(at: now)
            let shown = e.locations.filter { $0.isEligible && (query.location == nil || $0.locationID == query.location) }
            return (e, Row(
                id: e.id, name: e.name, href: SitePath.engagement(.id(e.id)).href(),
                locations: shown.compactMap { names[$0.locationID] }.joined(separator: ", "),
                role: e.role.label, earning: figure.label,
                earningTitle: "\(figure.earning) of your \(figure.enrolled) enrolled locations on the list earn on it",
                showsGreenIcon: figure.showsGreenIcon, status: e.status.label, statusTone: e.status.tone,
                activeCustomers: Self.count(e.activeCustomers),
                eligibleCustomers: Self.count(e.eligibleCustomers, atLeast: e.eligibleCustomersAtLeast)))
        }
        return sorted(rows, by: query, now: now).map(\.1)
    }

    /// A customer count as the board reads it: exact up to the cap, "100+" past it, "N+" when it is a lower bound.
    static func count(_ n: Int, atLeast: Bool = false) -> String {
        let cap = EngagementReads.customerCountCap
        return n > cap ? "\(cap)+" : atLeast ? "\(n)+" : String(n)
    }

    /// Stable: ties (and the name sort) keep name order, so the sort is a total order either way.
    static func sorted(_ rows: [(EngagementStanding, Row)], by query: EngagementListQuery, now: Date) -> [(EngagementStanding, Row)] {
        let order: (EngagementStanding, Row, EngagementStanding, Row) -> Bool = { l, lr, r, rr in
            switch query.sort {
            case .name: return false
            case .location: return lr.locations.localizedStandardCompare(rr.locations) == .orderedAscending
            case .role: return lr.role < rr.role
            case .eligibility:
                let a = l.earningLocations(at: now)
                let b = r.earningLocations(at: now)
                return (a.earning, a.enrolled) < (b.earning, b.enrolled)
            case .status: return EngagementStatus.allCases.firstIndex(of: l.status)! < EngagementStatus.allCases.firstIndex(of: r.status)!
            case .active: return l.activeCustomers < r.activeCustomers
            case .eligible: return l.eligibleCustomers < r.eligibleCustomers
            }
        }
        return rows.sorted { a, b in
            if order(a.0, a.1, b.0, b.1) { return !query.descending }
            if order(b.0, b.1, a.0, a.1) { return query.descending }
            let byName = a.1.name.localizedStandardCompare(b.1.name)
            if byName != .orderedSame { return query.sort == .name && query.descending ? byName == .orderedDescending : byName == .orderedAscending }
            return a.1.id < b.1.id
        }
    }

    /// The column headers: each sorts by its column, or reverses the order when it is the current one.
    static func headers(_ query: EngagementListQuery) -> [SortHeader] {
        let columns: [(String, EngagementListQuery.Sort, Bool)] = [
            ("Engagement", .name, false), ("Partner (location)", .location, false), ("Role", .role, false),
            ("Eligibility", .eligibility, false), ("Status", .status, false),
            ("Active customers", .active, true), ("Eligible customers", .eligible, true),
        ]
        return columns.map { label, key, numeric in
            var sorted = query
            sorted.sort = key
            sorted.descending = query.sort == key ? !query.descending : false
            return SortHeader(label: label, href: sorted.href, current: query.sort == key, descending: query.descending, numeric: numeric)
        }
    }

    /// "Seattle" for "Bluefin Consulting - Seattle": the organization's name is in the header already.
    static func shortName(_ standing: LocationStanding) -> String {
        let prefix = standing.organizationName + " - "
        let name = standing.location.name
        return name.hasPrefix(prefix) && name.count > prefix.count ? String(name.dropFirst(prefix.count)) : name
    }
}
