import Foundation
import IncentivesDomain
import IncentivesStore

/// The earnings page's view model: one keyset page of earnings, totals per currency, a chart per currency, and the
/// filters. Built from the store's page, months and locations, the query and the page input only.
struct EarningsView: PageView {
    struct EarningRow: Sendable {
        let claimID: Int64
        let claimHref: String
        let claim: String
        let engagement: String
        let organization: String
        let location: String
        let market: String
        let version: Int
        let rate: String
        let amount: String
        let approvedOn: String
        let approvedTitle: String
        let paymentMonth: String
        let paymentStatus: String
        let paymentTone: String
    }
    /// A payment run that paid (or took back) one of the viewer's locations: its remittance advice.
    struct RemittanceLine: Sendable {
        let href: String
        let reference: String
        let location: String
        let sent: String
        let totals: String
        let status: String
    }
    struct TotalLine: Sendable {
        let currency: String
        let earned: String
        let paid: String
        let lines: Int
    }

    let shell: Shell
    let rows: [EarningRow]
    let hasRows: Bool
    let hasAny: Bool
    let totals: [TotalLine]
    let charts: [EarningsChart]
    let showOrganization: Bool
    let locations: [ListOption]
    let statuses: [ListOption]
    let months: [ListOption]
    let filtered: Bool
    let formAction: String
    let clearFilters: String
    let csvLink: String
    let newerLink: String?
    let olderLink: String?
    let newestLink: String?
    let summary: String
    let remittances: [RemittanceLine]
    let hasRemittances: Bool

    /// - Parameters:
    ///   - slice: the page of earnings the query asks for.
    ///   - months: every month's figures under the query's filters but the month's (the month choices come from them).
    ///   - locations: the locations the viewer may filter by.
    init(_ slice: EarningsSlice, months allMonths: [MonthlyEarning], locations: [EarningsLocation], query: EarningsQuery,
         remittances advice: [RemittanceSummary] = [], input: PageInput) {
        remittances = advice.map { r in
            RemittanceLine(href: SitePath.remittance(.id(r.runID), location: .id(r.locationID)).href(), reference: r.reference,
                           location: r.locationName, sent: r.sentAt.map { input.times.date($0) } ?? "",
                           totals: r.totals.listed, status: Set(r.statuses).map(\.label).sorted().joined(separator: ", "))
        }
        hasRemittances = !remittances.isEmpty
        let monthly = query.filter.paymentMonth.map { m in allMonths.filter { $0.month == m } } ?? allMonths
        let showOrganization = input.viewer?.vendorRole != nil
        let rows = slice.lines.map { Self.row($0, times: input.times) }
        let totals = EarningsReads.totals(monthly).map {
            TotalLine(currency: $0.earned.currency.code, earned: $0.earned.description, paid: $0.paid.description, lines: $0.lines)
        }
        let count = totals.reduce(0) { $0 + $1.lines }
        let filtered = query.filter != EarningsFilter()
        shell = Shell(input, title: Section.earnings.title, section: .earnings)
        self.rows = rows
        hasRows = !rows.isEmpty
        hasAny = count > 0
        self.totals = totals
        charts = EarningsChart.charts(monthly)
        self.showOrganization = showOrganization
        self.locations = Self.locationOptions(locations, showOrganization: showOrganization, selected: query.filter.locationID)
        statuses = PaymentStatus.allCases.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0 == query.filter.paymentStatus) }
        months = Array(Set(allMonths.map(\.month))).sorted(by: >).map {
            ListOption(value: $0, label: Wording.monthText($0), selected: $0 == query.filter.paymentMonth)
        }
        self.filtered = filtered
        formAction = SitePath.earnings.href()
        clearFilters = SitePath.earnings.href()
        csvLink = SitePath.earningsCSV.href(query.items(withPer: false))
        (newerLink, olderLink, newestLink) = Self.pager(slice, query: query)
        summary = rows.isEmpty ? "" : "\(rows.count) of \(count) earnings\(filtered ? " matching the filters" : ""), most recently approved first."
    }

    static func row(_ e: EarningLine, times: PageTimes) -> EarningRow {
        EarningRow(claimID: e.claimID, claimHref: SitePath.claim(.id(e.claimID)).href(), claim: e.claimName, engagement: e.engagementName,
                   organization: e.organizationName, location: e.locationName, market: e.market.rawValue.uppercased(),
                   version: e.engagementVersion, rate: e.rate.description + (e.hours.map { " × \($0) h" } ?? ""),
                   amount: e.amount.description, approvedOn: times.date(e.approvedAt), approvedTitle: times.dateTime(e.approvedAt),
                   paymentMonth: Wording.monthText(e.paymentMonth), paymentStatus: e.paymentStatus.label, paymentTone: e.paymentStatus.tone)
    }

    /// A vendor's choices name the partner too.
    static func locationOptions(_ locations: [EarningsLocation], showOrganization: Bool, selected: Int64?) -> [ListOption] {
        locations.map {
            ListOption(value: String($0.id), label: showOrganization ? "\($0.organizationName): \($0.name)" : $0.name, selected: $0.id == selected)
        }
    }

    /// Newer, older and newest pages, keeping the filters; nil where there is no such page.
    static func pager(_ slice: EarningsSlice, query: EarningsQuery) -> (newer: String?, older: String?, newest: String?) {
        let items = query.items()
        let atNewest: Bool = if case .newest = query.cursor { true } else { false }
        return (slice.hasNewer ? slice.lines.first.map { SitePath.earnings.href(items + [("before", String($0.id))]) } : nil,
                slice.hasOlder ? slice.lines.last.map { SitePath.earnings.href(items + [("after", String($0.id))]) } : nil,
                atNewest ? nil : SitePath.earnings.href(items))
    }
}
