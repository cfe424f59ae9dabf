import Foundation
import Hummingbird
import Mustache
import IncentivesDomain
import IncentivesStore

/// `/claims`: every claim the viewer may see, in tabs by solution area (plus "Attention required"), with
/// a search, filters, a sort and keyset pages, all in the URL so a view can be bookmarked or shared.
struct ClaimListPage: Sendable {
    let deps: AppDependencies
    let listing: ClaimListing

    /// The URL's state. Unknown values fall back to the defaults (a shared link with a stale filter still
    /// opens); a page token that does not decode is refused, since guessing would show the wrong rows.
    struct State: Sendable {
        var tabCode: String?
        var query = ClaimListQuery()

        init(_ p: FormFields, areas: [SolutionArea]) throws {
            do {
                query = try ClaimListParameters { p[$0] }.query(areas: areas, reading: .lenient)
            } catch {
                throw damagedPageLink
            }
            tabCode = switch query.tab {
            case .all: nil
            case .attention: "attention"
            case .area(let id): areas.first { $0.id == id }?.code
            }
        }

        /// The list's address with these values (defaults left out), without the page position.
        func path(tab: String?? = .none, sort: ClaimListQuery.Sort? = nil, descending: Bool? = nil, after: String? = nil,
                  base: String = "/claims") -> String {
            var items: [(String, String)] = []
            if let t = tab ?? tabCode { items.append(("tab", t)) }
            if let q = query.search { items.append(("q", q)) }
            if let s = query.status { items.append(("status", s.rawValue)) }
            if let k = query.kind { items.append(("kind", k.rawValue)) }
            if let e = query.engagementID { items.append(("engagement", String(e))) }
            if let l = query.locationID { items.append(("location", String(l))) }
            if let d = query.dueWithinDays { items.append(("due", String(d))) }
            let s = sort ?? query.sort, desc = descending ?? query.descending
            if s != .updated || !desc { items.append(("sort", s.rawValue)); items.append(("dir", desc ? "desc" : "asc")) }
            if query.limit != 50 { items.append(("per", String(query.limit))) }
            if let after { items.append(("after", after)) }
            return queryPath(base, items)
        }

        var isFiltered: Bool {
            query.search != nil || query.status != nil || query.kind != nil || query.engagementID != nil || query.locationID != nil
                || query.dueWithinDays != nil
        }
    }

    typealias Tab = ListTab
    typealias Option = ListOption
    typealias Header = SortHeader
    struct View: PageView {
        let shell: Shell
        let tabs: [Tab]
        let tabCode: String
        let tabName: String
        let search: String
        let statuses: [Option]
        let kinds: [Option]
        let engagements: [Option]
        let locations: [Option]
        let dues: [Option]
        let sort: String
        let dir: String
        let per: Int
        let headers: [Header]
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
    }

    /// The query string decoded as a GET form sends it: "+" is a space there, as in any urlencoded form.
    static func parameters(_ request: Request) -> FormFields { FormFields(urlEncoded: request.uri.query ?? "") }

    func register(on router: Router<AppRequestContext>) {
        router.get("/claims") { request, context in
            let viewer = try context.viewer(for: .claims, request)
            let now = deps.clock.now
            let choices = try await listing.choices(in: viewer.scope)
            let state = try State(Self.parameters(request), areas: choices.areas)
            let page: ClaimSlice
            do { page = try await listing.page(state.query, in: viewer.scope, now: now) } catch is ClaimCursorRefused { throw damagedPageLink }
            return deps.page("claims", view(state, page, choices, viewer: viewer, context: context, now: now))
        }
        for format in ExportFormat.allCases {
            router.get("/claims.\(format.rawValue)") { request, context in try await export(format, request, context) }
        }
    }

    /// The current view as a file, streamed: the same tab, search, filters, sort and scope as the page.
    private func export(_ format: ExportFormat, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try context.viewer(for: .claims, request)
        let now = deps.clock.now
        let choices = try await listing.choices(in: viewer.scope)
        let query = try State(Self.parameters(request), areas: choices.areas).query
        let (listing, scope) = (self.listing, viewer.scope)
        let body = ResponseBody { writer in
            try await listing.export(query, as: format, in: scope, now: now) { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
            try await writer.finish(nil)
        }
        let day = DayDate(now)
        let name = String(format: "claims-%04d-%02d-%02d.%@", day.year, day.month, day.day, format.rawValue)
        return Response(status: .ok, headers: [.contentType: format.contentType,
                                               .contentDisposition: "attachment; filename=\"\(name)\"",
                                               .cacheControl: "no-store"], body: body)
    }

    private func view(_ state: State, _ page: ClaimSlice, _ choices: ClaimListChoices, viewer: Viewer,
                      context: AppRequestContext, now: Date) -> View {
        let q = state.query
        var tabs = [Tab(name: "All", href: state.path(tab: .some(nil)), count: page.countAll, current: q.tab == .all, hasCount: page.counted),
                    Tab(name: "Attention required", href: state.path(tab: "attention"), count: page.countAttention, current: q.tab == .attention,
                        hasCount: page.counted)]
        tabs += choices.areas.map { a in
            Tab(name: a.name, href: state.path(tab: .some(a.code)), count: page.count(of: .area(a.id)), current: q.tab == .area(a.id),
                hasCount: page.counted)
        }
        let current = tabs.first(where: \.current)
        let headers: [Header] = [("Claim", .name, false), ("Customer", .customer, false), ("Engagement", .engagement, false),
                                 ("Location", .location, false), ("Status", .status, false), ("Next deadline", .due, false),
                                 ("Amount", .amount, true), ("Updated", .updated, false)].map { label, key, numeric in
            let isCurrent = q.sort == key
            // A new column starts in its natural order: names A→Z, deadlines soonest, updates newest.
            let natural = key == .updated || key == .amount
            let desc = isCurrent ? !q.descending : natural
            return Header(label: label, href: state.path(sort: key, descending: desc), current: isCurrent, descending: q.descending,
                          numeric: numeric)
        }
        let rows = page.claims.map { ClaimLine($0, viewer: viewer, now: now, deps: deps) }
        let total = page.count(of: q.tab)
        let summary = !page.counted
            ? "More than \(ClaimListing.broadSearchCount.formatted()) claims match this search\(q.after == nil ? ", the first \(rows.count) shown" : "; a later page"). Add to the search or filter to narrow it."
            : total == 0 ? "" : q.after == nil
            ? "\(total) claim\(total == 1 ? "" : "s")\(rows.count < total ? ", the first \(rows.count) shown" : "")."
            : "\(total) claim\(total == 1 ? "" : "s"); a later page."
        var cleared = state
        cleared.query = ClaimListQuery()
        cleared.query.tab = q.tab
        let isPartner = viewer.vendorRole == nil
        return View(
            shell: Shell(context, deps: deps, title: "Customer claims", section: .claims),
            tabs: tabs, tabCode: state.tabCode ?? "", tabName: current?.name ?? "All",
            search: q.search ?? "",
            statuses: ClaimStatus.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == q.status) },
            kinds: ClaimKind.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == q.kind) },
            engagements: choices.engagements.map { Option(value: String($0.id), label: $0.name, selected: $0.id == q.engagementID) },
            locations: choices.locations.map { Option(value: String($0.id), label: $0.name, selected: $0.id == q.locationID) },
            dues: [1, 3, 7, 14, 30].map { Option(value: String($0), label: "Due within \($0) day\($0 == 1 ? "" : "s")", selected: $0 == q.dueWithinDays) },
            sort: q.sort.rawValue, dir: q.descending ? "desc" : "asc", per: q.limit,
            headers: headers, rows: rows, hasRows: !rows.isEmpty, showOrganization: !isPartner, summary: summary,
            nextHref: page.next.map { state.path(after: $0.token) }, firstHref: q.after == nil ? nil : state.path(),
            isFiltered: state.isFiltered, clearHref: cleared.path(),
            csvHref: state.path(base: "/claims.csv"), xlsxHref: state.path(base: "/claims.xlsx"),
            createHref: !isPartner ? nil : queryPath("/claims/new", choices.areas.contains { $0.code == state.tabCode } ? [("area", state.tabCode ?? "")] : []))
    }
}

/// The most requested page: named lookups rather than swift-mustache's Mirror, which reflects every field of
/// the view for each name the template asks for (a sixth of the page's time at 50 rows, measured).
extension ClaimListPage.View: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "shell": shell
        case "tabs": tabs
        case "tabCode": tabCode
        case "tabName": tabName
        case "search": search
        case "statuses": statuses
        case "kinds": kinds
        case "engagements": engagements
        case "locations": locations
        case "dues": dues
        case "sort": sort
        case "dir": dir
        case "per": per
        case "headers": headers
        case "rows": rows
        case "hasRows": hasRows
        case "showOrganization": showOrganization
        case "summary": summary
        case "nextHref": nextHref
        case "firstHref": firstHref
        case "isFiltered": isFiltered
        case "clearHref": clearHref
        case "csvHref": csvHref
        case "xlsxHref": xlsxHref
        case "createHref": createHref
        default: nil
        }
    }
}
