import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/engagements` and one engagement's pages (Summary, Customers, Eligibility, template downloads), for
/// partner users; every read is scoped in `EngagementReads`, and an engagement none of the viewer's
/// locations is listed on answers 404 like an unknown one.
struct EngagementPages: Sendable {
    let deps: AppDependencies
    let reads: EngagementReads

    init(deps: AppDependencies) {
        self.deps = deps
        self.reads = EngagementReads(db: deps.db)
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/engagements") { request, context in
            let viewer = try context.viewer(for: .engagements, request)
            let board = try await reads.board(in: viewer.scope, at: deps.clock.now)
            let view = listView(board, query: ListQuery(request.uri.queryParameters), context: context)
            return deps.page("engagements", view)
        }
        router.get("/engagements/{id}") { request, context in
            let (viewer, detail) = try await engagement(request, context)
            return deps.page("engagement", summaryView(detail, viewer: viewer, context: context))
        }
        router.get("/engagements/{id}/customers") { request, context in
            let tab = CustomerTab(rawValue: request.uri.queryParameters.get("tab") ?? "") ?? .eligible
            var after: ClaimCursor?
            if let token = request.uri.queryParameters.get("after"), !token.isEmpty {
                guard let cursor = ClaimCursor(token: token) else { throw damagedPageLink }
                after = cursor
            }
            do {
                let (_, detail) = try await engagement(request, context, customers: (tab, after))
                return deps.page("engagement-customers", customersView(detail, tab: tab, after: after, context: context))
            } catch is ClaimCursorRefused {
                throw damagedPageLink
            }
        }
        router.get("/engagements/{id}/eligibility") { request, context in
            let (_, detail) = try await engagement(request, context)
            return deps.page("engagement-eligibility", eligibilityView(detail, context: context))
        }
        router.get("/engagements/{id}/templates/{kind}") { request, context in
            let (_, detail) = try await engagement(request, context)
            guard let kind = ProofRequirement.Kind(rawValue: context.parameters.get("kind") ?? ""),
                  let file = ProofTemplate(detail.engagement, kind: kind, at: deps.clock.now) else { throw HTTPError(.notFound) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"\(file.fileName)\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: file.text)))
        }
    }

    /// Customers on one page of the Customers tab; the next ones are a keyset page away.
    static let customersPerPage = 100

    /// The viewer and the engagement (with a page of its customers of a tab when asked), or 404 for a malformed,
    /// unknown or foreign id.
    private func engagement(_ request: Request, _ context: AppRequestContext,
                            customers: (tab: CustomerTab, after: ClaimCursor?)? = nil) async throws -> (Viewer, EngagementDetail) {
        let viewer = try context.viewer(for: .engagements, request)
        guard let id = context.parameters.get("id", as: Int64.self),
              let detail = try await reads.detail(id, in: viewer.scope, at: deps.clock.now, customerLimit: customers == nil ? 0 : Self.customersPerPage,
                                                  group: customers?.tab, after: customers?.after) else {
            throw HTTPError(.notFound)
        }
        return (viewer, detail)
    }

    // MARK: The list

    /// The list's URL state: tab, filters, sort; unknown values fall back to the defaults.
    struct ListQuery: Sendable {
        enum Sort: String, CaseIterable, Sendable { case name, location, role, eligibility, status, active, eligible }
        var area: String?
        var location: Int64?
        var status: EngagementStatus?
        var role: PartnerRole?
        var sort: Sort = .name
        var descending = false

        init(area: String? = nil, location: Int64? = nil, status: EngagementStatus? = nil, role: PartnerRole? = nil,
             sort: Sort = .name, descending: Bool = false) {
            self.area = area; self.location = location; self.status = status; self.role = role; self.sort = sort; self.descending = descending
        }

        init(_ parameters: Parameters) {
            area = parameters.get("area").flatMap { $0.isEmpty ? nil : $0 }
            location = parameters.get("location").flatMap { Int64($0) }
            status = parameters.get("status").flatMap(EngagementStatus.init(rawValue:))
            role = parameters.get("role").flatMap(PartnerRole.init(rawValue:))
            sort = parameters.get("sort").flatMap(Sort.init(rawValue:)) ?? .name
            descending = parameters.get("dir") == "desc"
        }

        var isFiltered: Bool { location != nil || status != nil || role != nil }

        /// The list's address with these values; defaults are left out so links stay short.
        var path: String {
            var items: [(String, String)] = []
            if let area { items.append(("area", area)) }
            if let location { items.append(("location", String(location))) }
            if let status { items.append(("status", status.rawValue)) }
            if let role { items.append(("role", role.rawValue)) }
            if sort != .name || descending { items.append(("sort", sort.rawValue)); items.append(("dir", descending ? "desc" : "asc")) }
            return queryPath("/engagements", items)
        }
    }

    typealias Tab = ListTab
    typealias Option = ListOption
    typealias Header = SortHeader
    struct Row: Sendable {
        let id: Int64; let name: String; let href: String; let locations: String; let role: String
        let earning: String; let earningTitle: String; let showsGreenIcon: Bool
        let status: String; let statusTone: String; let activeCustomers: Int; let eligibleCustomers: Int
    }
    struct ListView: PageView {
        let shell: Shell
        let tabs: [Tab]
        let areaName: String
        let areaCode: String
        let locationOptions: [Option]
        let statusOptions: [Option]
        let roleOptions: [Option]
        let sort: String
        let dir: String
        let headers: [Header]
        let rows: [Row]
        let hasRows: Bool
        let isFiltered: Bool
        let clearFilters: String
        let managerName: String
        let managerEmail: String
        let hasManager: Bool
    }

    private func listView(_ board: EngagementBoard, query requested: ListQuery, context: AppRequestContext) -> ListView {
        let now = deps.clock.now
        var query = requested
        let area = board.areas.first { $0.code == requested.area } ?? board.areas.first
        query.area = area?.code
        let names = Dictionary(uniqueKeysWithValues: board.locations.map { ($0.location.id, Self.shortName($0)) })

        // Filters other than the tab; the tab counts follow them.
        let filtered = board.engagements.filter { e in
            (query.status == nil || e.status == query.status) && (query.role == nil || e.role == query.role)
                && (query.location.map { id in e.locations.contains { $0.locationID == id && $0.isEligible } } ?? true)
        }
        let tabs = board.areas.map { a in
            var q = query; q.area = a.code
            return Tab(name: a.name, href: q.path, count: filtered.filter { $0.solutionArea.id == a.id }.count, current: a.id == area?.id)
        }
        var rows = filtered.filter { $0.solutionArea.id == area?.id }.map { e -> (EngagementStanding, Row) in
            let figure = e.earningLocations(at: now)
            let shown = e.locations.filter { $0.isEligible && (query.location == nil || $0.locationID == query.location) }
            return (e, Row(
                id: e.id, name: e.name, href: "/engagements/\(e.id)",
                locations: shown.compactMap { names[$0.locationID] }.joined(separator: ", "),
                role: e.role.label, earning: figure.label,
                earningTitle: "\(figure.earning) of your \(figure.enrolled) enrolled locations on the list earn on it",
                showsGreenIcon: figure.showsGreenIcon, status: e.status.label, statusTone: e.status.tone,
                activeCustomers: e.activeCustomers, eligibleCustomers: e.eligibleCustomers))
        }
        let order: (EngagementStanding, Row, EngagementStanding, Row) -> Bool = { l, lr, r, rr in
            switch query.sort {
            case .name: return false
            case .location: return lr.locations.localizedStandardCompare(rr.locations) == .orderedAscending
            case .role: return lr.role < rr.role
            case .eligibility:
                let a = l.earningLocations(at: now), b = r.earningLocations(at: now)
                return (a.earning, a.enrolled) < (b.earning, b.enrolled)
            case .status: return EngagementStatus.allCases.firstIndex(of: l.status)! < EngagementStatus.allCases.firstIndex(of: r.status)!
            case .active: return l.activeCustomers < r.activeCustomers
            case .eligible: return l.eligibleCustomers < r.eligibleCustomers
            }
        }
        // Stable: ties (and the name sort) keep name order, so the sort is a total order either way.
        rows.sort { a, b in
            if order(a.0, a.1, b.0, b.1) { return !query.descending }
            if order(b.0, b.1, a.0, a.1) { return query.descending }
            let byName = a.1.name.localizedStandardCompare(b.1.name)
            if byName != .orderedSame { return query.sort == .name && query.descending ? byName == .orderedDescending : byName == .orderedAscending }
            return a.1.id < b.1.id
        }
        let headers: [Header] = [("Engagement", .name, false), ("Partner (location)", .location, false), ("Role", .role, false),
                                 ("Eligibility", .eligibility, false), ("Status", .status, false),
                                 ("Active customers", .active, true), ("Eligible customers", .eligible, true)].map { label, key, numeric in
            var q = query
            q.sort = key
            q.descending = query.sort == key ? !query.descending : false
            return Header(label: label, href: q.path, current: query.sort == key, descending: query.descending, numeric: numeric)
        }
        var clear = query; clear.location = nil; clear.status = nil; clear.role = nil
        let manager = board.program
        return ListView(
            shell: Shell(context, deps: deps, title: Section.engagements.title, section: .engagements),
            tabs: tabs, areaName: area?.name ?? "", areaCode: area?.code ?? "",
            locationOptions: board.locations.map { Option(value: String($0.location.id), label: Self.shortName($0), selected: $0.location.id == query.location) },
            statusOptions: EngagementStatus.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == query.status) },
            roleOptions: PartnerRole.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == query.role) },
            sort: query.sort.rawValue, dir: query.descending ? "desc" : "asc",
            headers: headers, rows: rows.map(\.1), hasRows: !rows.isEmpty, isFiltered: query.isFiltered, clearFilters: clear.path,
            managerName: manager?.managerName ?? "", managerEmail: manager?.managerEmail ?? "", hasManager: manager != nil)
    }

    /// "Seattle" for "Bluefin Consulting - Seattle": the organization's name is in the header already.
    static func shortName(_ standing: LocationStanding) -> String {
        let prefix = standing.organizationName + " - "
        let name = standing.location.name
        return name.hasPrefix(prefix) && name.count > prefix.count ? String(name.dropFirst(prefix.count)) : name
    }

    // MARK: One engagement

    struct PageTab: Sendable { let title: String; let href: String; let current: Bool }
    struct Heading: Sendable {
        let id: Int64; let name: String; let area: String; let areaHref: String; let role: String; let type: String
        let status: String; let statusTone: String; let tabs: [PageTab]
    }

    private func heading(_ detail: EngagementDetail, current: String) -> Heading {
        let e = detail.engagement
        let base = "/engagements/\(e.id)"
        return Heading(id: e.id, name: e.name, area: detail.solutionArea.name,
                       areaHref: ListQuery(area: detail.solutionArea.code).path, role: e.role.label, type: e.type.label,
                       status: e.status.label, statusTone: e.status.tone,
                       tabs: [("Summary", base), ("Customers", base + "/customers"), ("Eligibility", base + "/eligibility")].map {
                           PageTab(title: $0.0, href: $0.1, current: $0.0 == current)
                       })
    }

    private func shell(_ detail: EngagementDetail, _ context: AppRequestContext, page: String?) -> Shell {
        let name = detail.engagement.name
        let trail: [(String, String?)] = page.map { [(name, "/engagements/\(detail.engagement.id)"), ($0, nil)] } ?? [(name, nil)]
        return Shell(context, deps: deps, title: page.map { "\($0) · \(name)" } ?? name, section: .engagements, trail: trail)
    }

    struct Proof: Sendable { let kind: String; let description: String; let template: String?; let version: String?; let href: String? }
    struct Link: Sendable { let title: String; let url: String?; let text: String }
    struct Rate: Sendable { let market: String; let amount: String; let paid: Bool }
    struct Deadline: Sendable { let what: String; let days: String }
    struct Earn: Sendable { let location: String; let market: String; let rate: String; let earning: Bool; let reason: String }
    struct SummaryView: PageView {
        let shell: Shell
        let heading: Heading
        let description: String
        let versionNote: String
        let partnerCriteria: [String]
        let customerCriteria: [String]
        let proof: [Proof]
        let hasProof: Bool
        let links: [Link]
        let hasLinks: Bool
        let payModel: String
        let isVariable: Bool
        let maxHours: String?
        let rates: [Rate]
        let deadlines: [Deadline]
        let lastClaimDay: String
        let claimRefusal: String?
        let cap: String
        let perCustomer: String
        let earnings: [Earn]
        let hasEarnings: Bool
    }

    private func summaryView(_ detail: EngagementDetail, viewer: Viewer, context: AppRequestContext) -> SummaryView {
        let now = deps.clock.now
        let e = detail.engagement
        let version = e.version(inForceAt: now)
        let unit = version.payModel == .variable ? " per hour" : ""
        let d = version.deadlines
        var deadlines = [Deadline(what: "Customer consent, from when the customer is claimed", days: "\(d.consentDays) days"),
                         Deadline(what: "First submission, from consent", days: "\(d.submissionDays) days"),
                         Deadline(what: "Review complete, from consent", days: "\(d.reviewDays) days"),
                         Deadline(what: "Dispute, from a rejection", days: "\(d.disputeDays) days")]
        if e.role == .useOrConsume {
            deadlines.append(Deadline(what: "Answer to a request for more information", days: "\(d.cporResponseBusinessDays) business days"))
        }
        let earnings = detail.locations.map { standing -> Earn in
            let market = standing.location.market
            let rate = version.rates.rate(for: market)
            let eligibility = standing.engagements[e.id]
            let problems = eligibility?.problems(at: now) ?? ["Not on the engagement's eligibility list."]
            return Earn(location: Self.shortName(standing), market: market.label,
                        rate: rate.map { "\($0)\(unit)" } ?? "Not paid in this market",
                        earning: eligibility?.isEarning(at: now) ?? false,
                        reason: problems.joined(separator: " "))
        }
        return SummaryView(
            shell: shell(detail, context, page: nil), heading: heading(detail, current: "Summary"),
            description: version.description,
            versionNote: "Rules version \(version.number), in force since \(deps.format(version.effectiveFrom, for: viewer, style: .date)). A claim is held to the version in force on its customer consent date.",
            partnerCriteria: version.partnerCriteria, customerCriteria: version.customerCriteria,
            proof: version.proofRequirements.map { p in
                Proof(kind: p.kind.label, description: p.description, template: p.templateName, version: p.templateVersion,
                      href: p.templateName == nil ? nil : "/engagements/\(e.id)/templates/\(p.kind.rawValue)")
            },
            hasProof: !version.proofRequirements.isEmpty,
            links: version.resourceLinks.map { link in
                let safe = link.url.lowercased().hasPrefix("https://") || link.url.lowercased().hasPrefix("http://")
                return Link(title: link.title, url: safe ? link.url : nil, text: link.url)
            },
            hasLinks: !version.resourceLinks.isEmpty,
            payModel: version.payModel.label, isVariable: version.payModel == .variable,
            maxHours: version.maxHours.map { "At most \($0) hours per claim" },
            rates: Market.allCases.map { m in
                let rate = version.rates.rate(for: m)
                return Rate(market: m.label, amount: rate.map { "\($0)\(unit)" } ?? "Not paid", paid: rate != nil)
            },
            deadlines: deadlines,
            lastClaimDay: e.lastClaimDay.map { deps.day($0) } ?? "No end date",
            claimRefusal: e.refusalToClaim(at: now),
            cap: e.earningsCap.map { "\($0) per location" } ?? "No cap",
            perCustomer: "\(e.activeClaimsPerCustomer) active claim\(e.activeClaimsPerCustomer == 1 ? "" : "s") per customer, across partners",
            earnings: earnings, hasEarnings: !earnings.isEmpty)
    }

    // MARK: Customers

    typealias CustomerTab = CustomerEligibility.Group
    struct CustomerRow: Sendable {
        let name: String; let identifier: String; let reason: String
        let claimHref: String?; let claimName: String; let claimStatus: String; let claimTone: String; let canBeClaimed: Bool
        /// Add customer with this engagement and this customer chosen.
        let addHref: String?
    }
    struct CustomersView: PageView {
        let shell: Shell
        let heading: Heading
        let tabs: [Tab]
        let tabTitle: String
        let rows: [CustomerRow]
        let hasRows: Bool
        let showsReason: Bool
        let addHref: String?
        let claimRefusal: String?
        let nextHref: String?
        let firstHref: String?
    }

    private func customersView(_ detail: EngagementDetail, tab: CustomerTab, after: ClaimCursor?, context: AppRequestContext) -> CustomersView {
        let e = detail.engagement
        let refusal = e.refusalToClaim(at: deps.clock.now)
        let rows = detail.customers.map { c in
            var reason = ""
            if case .ineligible(let why) = c.eligibility {
                reason = why.description.prefix(1).uppercased() + why.description.dropFirst() + "."
                if why == .criteriaNotMet && e.role == .useOrConsume { reason += " No subscription (workload) is recorded for it." }
            }
            return CustomerRow(
                name: c.customer.name, identifier: c.customer.domain ?? c.customer.tenantID ?? "", reason: reason,
                claimHref: c.claimID.map { "/claims/\($0)" }, claimName: c.claimName ?? "",
                claimStatus: c.claimStatus?.label ?? "", claimTone: c.claimStatus?.tone ?? "muted", canBeClaimed: c.canBeClaimed,
                addHref: c.canBeClaimed && refusal == nil
                    ? queryPath("/claims/new", [("engagement", String(e.id)), ("id_type", "existing"), ("existing", String(c.customer.id))]) : nil)
        }
        let tabPath = { (t: CustomerTab) in "/engagements/\(e.id)/customers?tab=\(t.rawValue)" }
        return CustomersView(
            shell: shell(detail, context, page: "Customers"), heading: heading(detail, current: "Customers"),
            tabs: CustomerTab.allCases.map { t in
                Tab(name: t.title, href: tabPath(t), count: detail.customerCounts[t] ?? 0, current: t == tab)
            },
            tabTitle: tab.title, rows: rows, hasRows: !rows.isEmpty, showsReason: tab == .ineligible,
            addHref: refusal == nil ? "/claims/new?engagement=\(e.id)" : nil, claimRefusal: refusal,
            nextHref: detail.nextCustomers.map { tabPath(tab) + "&after=" + $0.token }, firstHref: after == nil ? nil : tabPath(tab))
    }

    // MARK: Eligibility

    struct CriterionRow: Sendable { let criterion: String; let met: Bool; let todo: String }
    struct LocationRow: Sendable {
        let name: String; let market: String; let enrollment: String
        let eligible: Bool; let eligibility: String; let criteria: [CriterionRow]; let hasCriteria: Bool; let listNote: String
        let payeeComplete: Bool; let payee: String; let payeeHref: String
        let earning: Bool; let notEarning: String
    }
    struct EligibilityView: PageView {
        let shell: Shell
        let heading: Heading
        let rows: [LocationRow]
        let hasRows: Bool
        let earningCount: Int
        let enrolledCount: Int
        let managerName: String
        let managerEmail: String
    }

    private func eligibilityView(_ detail: EngagementDetail, context: AppRequestContext) -> EligibilityView {
        let now = deps.clock.now
        let e = detail.engagement
        let manager = detail.program.map { "\($0.managerName) (\($0.managerEmail))" } ?? "the program manager"
        let enrolled = detail.locations.filter { $0.enrollments[e.programID] == .enrolled }
        let rows = enrolled.map { standing -> LocationRow in
            let eligibility = standing.engagements[e.id]
            let criteria = (eligibility?.criteria ?? []).map { c in
                CriterionRow(criterion: c.criterion, met: c.met,
                             todo: c.met ? "Met." : "Not met: meet it, then ask \(manager) to update the eligibility list.")
            }
            let eligible = eligibility?.isEligible ?? false
            let unmet = criteria.filter { !$0.met }.count
            let payeeProblem = standing.payee.problem(at: now)
            let earning = eligibility?.isEarning(at: now) ?? false
            return LocationRow(
                name: Self.shortName(standing), market: standing.location.market.label,
                enrollment: standing.enrollments[e.programID]?.label ?? "Not enrolled",
                eligible: eligible,
                eligibility: eligibility == nil ? "Not on the list" : eligible ? "Eligible" : "Not eligible: \(unmet) of \(criteria.count) criteria not met",
                criteria: criteria, hasCriteria: !criteria.isEmpty,
                listNote: eligibility == nil ? "This location is not on the engagement's eligibility list. Ask \(manager) to add it." : "",
                payeeComplete: payeeProblem == nil, payee: payeeProblem ?? "Complete",
                payeeHref: PayeeProfilesView.locationHref(standing.location.id),
                earning: earning,
                notEarning: earning ? "" : (eligibility?.problems(at: now) ?? ["Not on the engagement's eligibility list."]).joined(separator: " "))
        }
        return EligibilityView(
            shell: shell(detail, context, page: "Eligibility"), heading: heading(detail, current: "Eligibility"),
            rows: rows, hasRows: !rows.isEmpty, earningCount: rows.filter(\.earning).count, enrolledCount: rows.count,
            managerName: detail.program?.managerName ?? "the program manager", managerEmail: detail.program?.managerEmail ?? "")
    }
}

extension CustomerEligibility.Group {
    /// The tab's name on an engagement's Customers page.
    var title: String { rawValue.capitalized }
}

/// A proof-of-execution template as a plain text file the partner fills in: the sections the reviewer
/// looks for, named with the template's name and version from the engagement version in force.
struct ProofTemplate: Sendable {
    let fileName: String
    let text: String

    init?(_ engagement: Engagement, kind: ProofRequirement.Kind, at instant: Date) {
        let version = engagement.version(inForceAt: instant)
        guard let requirement = version.proofRequirements.first(where: { $0.kind == kind }),
              let name = requirement.templateName else { return nil }
        let templateVersion = requirement.templateVersion ?? "1.0"
        let slug = (name + " v" + templateVersion).lowercased().map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" }
        fileName = String(slug).split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-") + ".txt"
        var lines = [
            "\(name) - version \(templateVersion)",
            "Engagement: \(engagement.name) (\(engagement.type.label), rules version \(version.number))",
            "Proof of execution: \(kind.label)",
            "",
            "What the reviewer checks: \(requirement.description)",
            "Fill in every section, have the customer sign, and upload the file to the claim.",
            "",
        ]
        let sections: [(String, String)]
        switch kind {
        case .invoice:
            sections = [("Invoice number and date", ""), ("Customer legal name and address", ""),
                        ("Services delivered", "One line per service, with dates and hours."), ("Total amount and currency", "")]
        case .findingsDocument:
            sections = [("Customer", "Legal name, domain or tenant id."),
                        ("Delivery", "Dates, place (on site or remote), partner delivery team."),
                        ("Customer attendees", "Name, title and email of each attendee."),
                        ("Current state", "What the customer runs today and the problem to solve."),
                        ("Findings", "What the \(engagement.type.label.lowercased()) found."),
                        ("Recommendations and next steps", "Each with an owner and a date."),
                        ("Customer sign-off", "Name, title, date and signature of the customer's decision maker.")]
        case .customerSurvey, .partnerSurvey:
            sections = [("Respondent", "Name, title, organization."), ("How the engagement went", "1 (poor) to 5 (excellent)."),
                        ("What was most useful", ""), ("What to improve", "")]
        }
        for (i, section) in sections.enumerated() {
            lines.append("\(i + 1). \(section.0)")
            if !section.1.isEmpty { lines.append("   \(section.1)") }
            lines.append("   ______________________________________________________________")
            lines.append("")
        }
        text = lines.joined(separator: "\n")
    }
}
