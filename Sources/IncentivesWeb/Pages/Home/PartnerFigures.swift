import Foundation
import IncentivesDomain
import IncentivesStore

/// A partner's charts, of their own locations' claims: deadlines in the next 14 days by day, earnings by month, and the
/// claims that wait on them (the claims list's "Attention required" statuses), each status linking to its claims.
enum PartnerFigures {
    /// The days the deadlines chart covers, today included.
    static let deadlineDays = 14

    /// Today (from `now`) and the next 13 days, in the viewer's zone.
    static func deadlineSlices(now: Date, zone: TimeZone) -> [PeriodSlice] {
        let calendar = Calendar.local(zone)
        let end = calendar.date(byAdding: .day, value: deadlineDays, to: calendar.startOfDay(for: now))!
        return DateInterval(start: now, end: end).days(in: zone)
    }

    static func deadlines(_ counts: [Int: Int], slices: [PeriodSlice]) -> DashboardFigure {
        let total = counts.values.reduce(0, +)
        let busiest = slices.indices.max { (counts[$0] ?? 0, $1) < (counts[$1] ?? 0, $0) }
        let table = ChartTable(caption: "Claims whose deadline runs out, per day of the next \(deadlineDays) days", columns: [
            .text("Day", "day"), .number("Claims expiring", "claims"),
        ], rows: total == 0 ? [] : slices.indices.map { i in
            ChartTable.Row(cells: [.plain(slices[i].firstDay.description, header: true), .count(counts[i] ?? 0)])
        })
        let chart = BarChart(
            id: "chart-deadlines", title: "Deadlines in the next \(deadlineDays) days, by day",
            summary: "\(DashboardFigures.plural(total, "claim")) will expire in the next \(deadlineDays) days unless someone acts"
                + (busiest.map { "; the busiest day is \(slices[$0].firstDay.text) with \(counts[$0] ?? 0)" } ?? "") + ".",
            layout: .stacked, series: [ChartSeries(name: "Claims expiring", tone: "attention")],
            categories: slices.indices.map { i in
                let n = counts[i] ?? 0
                return ChartCategory(label: slices[i].firstDay.shortText, values: [Int64(n)], texts: [DashboardFigures.plural(n, "claim")],
                                     shortText: DashboardFigures.countText(n))
            })
        return DashboardFigure(.deadlines, heading: "Deadlines by day", charts: total == 0 ? [] : [chart], table: table,
                               emptyText: "Nothing is due in the next \(deadlineDays) days.")
    }

    /// Each currency's latest payment months, as the earnings page charts them; one table for all, with the currency.
    static func earnings(_ monthly: [MonthlyEarning]) -> DashboardFigure {
        let latest = EarningsChart.latest(monthly)
        let table = ChartTable(caption: "Earned per estimated payment month and currency", columns: EarningsChart.columns(currency: true),
                               rows: latest.flatMap { $0.months.map { EarningsChart.row($0, currency: true) } })
        return DashboardFigure(.earnings, heading: "Earnings by month", charts: latest.map { EarningsChart($0.currency, months: $0.months).chart },
                               table: table, emptyText: "No earnings yet. A claim earns once the vendor approves it.")
    }

    static func attention(_ counts: [ClaimStatus: Int]) -> DashboardFigure {
        let statuses = ClaimStatus.allCases.filter { $0.waitsOnPartner && (counts[$0] ?? 0) > 0 }
        func href(_ status: ClaimStatus) -> String { SitePath.claims.href([("tab", "attention"), ("status", status.rawValue)]) }
        let table = ChartTable(caption: "Claims waiting on you, by status", columns: [
            .text("Status", "status"), .text("Next step", "next_step"),
            .number("Claims", "claims"),
        ], rows: statuses.map { s in
            ChartTable.Row(cells: [.name(s.label, header: true), .name(nextStep(s)), .count(counts[s] ?? 0, href: href(s))])
        })
        let total = statuses.reduce(0) { $0 + (counts[$1] ?? 0) }
        let chart = BarChart(
            id: "chart-needs-action", title: "Claims that need your action, by status",
            summary: "\(DashboardFigures.plural(total, "claim")) wait on you: "
                + statuses.map { "\(counts[$0] ?? 0) \($0.label.lowercased())" }.joined(separator: ", ") + ".",
            layout: .horizontal, series: [ChartSeries(name: "Claims", tone: "attention")],
            categories: statuses.map { s in
                let n = counts[s] ?? 0
                return ChartCategory(label: s.label, values: [Int64(n)], texts: [DashboardFigures.plural(n, "claim")], shortText: String(n))
            })
        return DashboardFigure(.attention, heading: "Claims that need your action", charts: statuses.isEmpty ? [] : [chart], table: table,
                               emptyText: "Nothing waits on you.")
    }

    /// What the partner does next with a claim in a status that waits on them.
    static func nextStep(_ status: ClaimStatus) -> String {
        switch status {
        case .customerClaimed: "Send the consent request (a use-or-consume claim: submit it)"
        case .consentReceived: "Add the proof and submit"
        case .partnerActionRequired: "Answer the reviewer's request"
        case .rejected: "Dispute it within the window, or let it close"
        default: ""
        }
    }
}
