import Foundation
import IncentivesDomain
import IncentivesStore

extension DashboardFigures {
    /// Per engagement (in its own currency, never added to another): what stands approved at the end of each month of the
    /// period, of it what is paid, against the engagement's budget (the line). The table holds each month's approvals too.
    static func spend(_ months: [SpendMonth], engagements: [SpendEngagement], slices: [PeriodSlice], period: DashboardPeriod) -> DashboardFigure {
        var rows: [ChartTable.Row] = []
        var charts: [BarChart] = []
        for engagement in engagements {
            let mine = months.filter { $0.engagementID == engagement.id && $0.currency == engagement.currency }
            let before = mine.filter { $0.slice == nil }
            var approvedToDate = before.reduce(0) { $0 + $1.approvedMinor }, paidToDate = before.reduce(0) { $0 + $1.paidMinor }
            var categories: [ChartCategory] = []
            let currency = engagement.currency
            func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: currency).description }
            func short(_ minor: Int64) -> String { ShortAmount.text(minorUnits: minor, currency: currency) }
            for (i, slice) in slices.enumerated() {
                let month = mine.filter { $0.slice == i }
                let approved = month.reduce(0) { $0 + $1.approvedMinor }, paid = month.reduce(0) { $0 + $1.paidMinor }
                approvedToDate += approved
                paidToDate += paid
                rows.append(ChartTable.Row(cells: [.name(engagement.name, header: true), .plain(currency.code), .plain(monthKey(slice.firstDay)),
                                          .money(approved, currency), .money(paid, currency), .money(approvedToDate, currency),
                                          .money(engagement.budgetMinor, currency)]))
                let unpaid = max(0, approvedToDate - paidToDate)
                categories.append(ChartCategory(label: slice.firstDay.monthText, values: [max(0, paidToDate), unpaid],
                                                texts: [money(paidToDate), money(unpaid)],
                                                shortText: approvedToDate == 0 ? "" : short(approvedToDate),
                                                axisLabel: shortMonth(slice.firstDay)))
            }
            let budget = engagement.budgetMinor.map { budget in
                "; budget \(money(budget)), \(budget > 0 ? approvedToDate * 100 / budget : 0)% of it approved"
            } ?? "; no budget set"
            charts.append(BarChart(
                id: "chart-spend-\(engagement.id)", title: "\(engagement.name): approved to date in \(currency.code), by month",
                summary: "\(money(approvedToDate)) approved to date by the end of \(period.label), \(money(paidToDate)) of it paid\(budget).",
                layout: .stacked,
                series: [ChartSeries(name: "Paid", tone: "success"), ChartSeries(name: "Approved, not paid yet", tone: "accent")],
                categories: categories,
                marker: engagement.budgetMinor.map { budget in
                    ChartMarker.value(budget, label: "Budget \(short(budget))")
                }, span: 340))
        }
        let table = ChartTable(caption: "Approved and paid per engagement and month of approval, \(period.label)", columns: [
            .text("Engagement", "engagement"), .text("Currency", "currency"),
            .text("Month", "month"), .number("Approved", "approved"),
            .number("Of which paid", "paid"), .number("Approved to date", "approved_to_date"),
            .number("Budget", "budget"),
        ], rows: rows)
        return DashboardFigure(.spend, heading: "Spend against budget", charts: charts, table: table, period: period)
    }

    /// The partners with the most money approved in the period, one chart per currency.
    static func topPartners(_ partners: [PartnerApprovals], period: DashboardPeriod) -> DashboardFigure {
        let byCurrency = Dictionary(grouping: partners, by: \.approved.currency)
        var rows: [ChartTable.Row] = []
        var charts: [BarChart] = []
        for currency in byCurrency.keys.sorted(by: { $0.code < $1.code }) {
            let ranked = byCurrency[currency]!
            for (rank, p) in ranked.enumerated() {
                rows.append(ChartTable.Row(cells: [.count(rank + 1), .name(p.organizationName, header: true), .plain(currency.code),
                                          .money(p.approved.minorUnits, currency), .count(p.claims)]))
            }
            charts.append(BarChart(
                id: "chart-top-partners-\(currency.code.lowercased())", title: "Top partners by money approved in \(currency.code), \(period.label)",
                summary: "\(plural(ranked.count, "partner")) ranked by money approved in \(currency.code); "
                    + "the first is \(ranked[0].organizationName) "
                    + "with \(ranked[0].approved.description) on \(plural(ranked[0].claims, "claim")).",
                layout: .horizontal, series: [ChartSeries(name: "Approved", tone: "accent")],
                categories: ranked.map { p in
                    let short = ShortAmount.text(minorUnits: p.approved.minorUnits, currency: currency)
                    return ChartCategory(label: p.organizationName, values: [p.approved.minorUnits], texts: [p.approved.description],
                                         shortText: "\(short) · \(plural(p.claims, "claim"))")
                }))
        }
        let table = ChartTable(caption: "Top partners by money approved, per currency, \(period.label)", columns: [
            .number("Rank", "rank"), .text("Partner", "partner"),
            .text("Currency", "currency"), .number("Approved", "approved"),
            .number("Approved claims", "approved_claims"),
        ], rows: rows)
        return DashboardFigure(.topPartners, heading: "Top partners", charts: charts, table: table, period: period)
    }

    /// "Dec ’25": a month under a narrow bar.
    static func shortMonth(_ day: DayDate) -> String { "\(day.monthText.prefix(3)) ’\(String(format: "%02d", day.year % 100))" }

    /// `2026-11`: a month as the tables and files name it.
    static func monthKey(_ day: DayDate) -> String { String(format: "%04d-%02d", day.year, day.month) }
}
