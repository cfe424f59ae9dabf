import Foundation
import IncentivesDomain
import IncentivesStore

/// One chart of the home page as shown: its heading, one SVG chart or several (one per engagement or currency, where
/// amounts would otherwise share a scale), the table of its figures beside it, its CSV link, and the line shown instead
/// when there is nothing to draw. Built from store values only (`DashboardFigures` and `PartnerFigures`).
struct DashboardFigure: Sendable {
    let chart: DashboardChart
    let id: String
    let heading: String
    let lede: String?
    let charts: [BarChart]
    let table: ChartTable
    let csvHref: String
    let isEmpty: Bool
    let emptyText: String

    /// - Parameter period: the period the CSV link keeps (charts that count now or every month take none).
    init(_ chart: DashboardChart, heading: String, lede: String? = nil, charts: [BarChart], table: ChartTable,
         period: DashboardPeriod = .standard, emptyText: String = "No data for this period") {
        self.chart = chart
        id = "dash-\(chart.rawValue)"
        self.heading = heading
        self.lede = lede
        self.charts = charts
        self.table = table
        csvHref = SitePath.dashboardCSV(chart).href(chart.usesPeriod ? [("period", period.parameter)] : [])
        isEmpty = !table.hasRows
        self.emptyText = emptyText
    }
}

/// The vendor's charts: the claim funnel, the review queue's waiting times against the target and the review deadline,
/// decisions per week, rejection reasons, spend against budget per engagement and month, and the top partners.
enum DashboardFigures {
    static func plural(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }

    /// A count above its bar; nothing above an empty one.
    static func countText(_ n: Int) -> String { n == 0 ? "" : String(n) }

    static func funnel(_ funnel: ClaimFunnel, period: DashboardPeriod) -> DashboardFigure {
        let created = funnel.count(.created)
        let stages = FunnelStage.allCases
        let table = ChartTable(caption: "Claims created in \(period.label), by the furthest stage reached", columns: [
            .text("Stage", "stage"), .number("Claims", "claims"),
            .number("Share of created (%)", "percent_of_created"),
        ], rows: created == 0 ? [] : stages.map { stage in
            ChartTable.Row(cells: [.name(stage.label, header: true), .count(funnel.count(stage)), .count(funnel.percentOfCreated(stage))])
        })
        let chart = BarChart(
            id: "chart-funnel", title: "Claim funnel, \(period.label)",
            summary: "Of \(plural(created, "claim")) created in \(period.label), \(funnel.count(.consented)) reached customer consent, "
                + "\(funnel.count(.submitted)) were submitted, \(funnel.count(.approved)) approved and \(funnel.count(.paid)) paid.",
            layout: .horizontal, series: [ChartSeries(name: "Claims", tone: "accent")],
            categories: stages.map { stage in
                let n = funnel.count(stage)
                return ChartCategory(label: stage.label, values: [Int64(n)], texts: [plural(n, "claim")],
                                     shortText: "\(n) (\(funnel.percentOfCreated(stage))%)")
            })
        return DashboardFigure(.funnel, heading: "Claim funnel", charts: created == 0 ? [] : [chart], table: table, period: period)
    }

    static func reviewWait(_ counts: [ReviewWaitCount], period: DashboardPeriod) -> DashboardFigure {
        let buckets = ReviewWait.bucketStarts.indices
        let standings = ReviewDeadlineStanding.allCases
        var cells = [[Int]](repeating: [Int](repeating: 0, count: standings.count), count: buckets.count)
        for count in counts {
            cells[count.bucket][standings.firstIndex(of: count.standing)!] += count.claims
        }
        let total = cells.joined().reduce(0, +)
        let past = cells.reduce(0) { $0 + $1[0] }, near = cells.reduce(0) { $0 + $1[1] }
        let overTarget = cells[ReviewWait.firstBucketPastTarget...].joined().reduce(0, +)
        let table = ChartTable(caption: "Claims waiting for review now, by days since their last submission", columns: [
            .text("Waiting", "waiting"), .number("Claims", "claims"),
        ] + standings.map { ChartTable.Column.number($0.label, $0.rawValue) }, rows: total == 0 ? [] : buckets.map { b in
            ChartTable.Row(cells: [.plain(ReviewWait.label(bucket: b), header: true), .count(cells[b].reduce(0, +))]
                                  + cells[b].map { ChartTable.Cell.count($0) })
        })
        let tones = ["danger", "attention", "accent"]
        let chart = BarChart(
            id: "chart-review-wait", title: "Claims waiting for review, by days waiting since their last submission",
            summary: "\(plural(total, "claim")) waiting for review: \(overTarget) past the \(ReviewWait.targetDays)-day target, "
                + "\(past) past the review deadline and \(near) due within \(ReviewWait.nearDays) days.",
            layout: .stacked, series: standings.enumerated().map { ChartSeries(name: $1.label, tone: tones[$0]) },
            categories: buckets.map { b in
                let label = ReviewWait.label(bucket: b)
                return ChartCategory(label: label, values: cells[b].map { Int64($0) }, texts: cells[b].map { plural($0, "claim") },
                                     shortText: countText(cells[b].reduce(0, +)), axisLabel: label.replacingOccurrences(of: " days", with: ""))
            },
            marker: .beforeCategory(ReviewWait.firstBucketPastTarget, label: "Target: \(ReviewWait.targetDays) days"))
        return DashboardFigure(.reviewWait, heading: "Waiting for review", charts: total == 0 ? [] : [chart], table: table,
                               period: period, emptyText: "No claim is waiting for review.")
    }

    /// - Parameters:
    ///   - slices: the period's weeks, as `counts` were read.
    ///   - reviewDays: how many decisions took each whole number of days since the claim's last submission.
    static func decisions(_ counts: [DecisionCount], slices: [PeriodSlice], reviewDays: [Int: Int], period: DashboardPeriod) -> DashboardFigure {
        var approved = [Int](repeating: 0, count: slices.count), rejected = approved
        for count in counts where slices.indices.contains(count.slice) {
            if count.action == .approve { approved[count.slice] += count.claims } else { rejected[count.slice] += count.claims }
        }
        let decided = approved.reduce(0, +) + rejected.reduce(0, +)
        let table = ChartTable(caption: "Approvals and rejections per week, \(period.label)", columns: [
            .text("Week starting", "week_starting"), .number("Approved", "approved"),
            .number("Rejected", "rejected"),
        ], rows: decided == 0 ? [] : slices.indices.map { i in
            ChartTable.Row(cells: [.plain(slices[i].firstDay.description, header: true), .count(approved[i]), .count(rejected[i])])
        })
        let chart = BarChart(
            id: "chart-decisions", title: "Approvals and rejections per week, \(period.label)",
            summary: "\(plural(approved.reduce(0, +), "approval")) and \(plural(rejected.reduce(0, +), "rejection")) "
                + "over \(plural(slices.count, "week")).",
            layout: .grouped, series: [ChartSeries(name: "Approved", tone: "success"), ChartSeries(name: "Rejected", tone: "danger")],
            categories: slices.indices.map { i in
                ChartCategory(label: slices[i].firstDay.shortText, values: [Int64(approved[i]), Int64(rejected[i])],
                              texts: [plural(approved[i], "claim"), plural(rejected[i], "claim")], shortText: countText(approved[i] + rejected[i]))
            })
        let median = ReviewWait.median(reviewDays).map { days in
            "Median review time: \(plural(days, "day")) from the last submission to the decision "
                + "(\(plural(reviewDays.values.reduce(0, +), "decision")) in \(period.label))."
        }
        return DashboardFigure(.decisions, heading: "Approvals and rejections", lede: median, charts: decided == 0 ? [] : [chart],
                               table: table, period: period)
    }

    static func reasons(_ counts: [DecisionCount], period: DashboardPeriod) -> DashboardFigure {
        var byReason: [ReviewReason?: Int] = [:]
        for count in counts where count.action == .reject { byReason[count.reason, default: 0] += count.claims }
        let ordered = byReason.sorted { $0.value != $1.value ? $0.value > $1.value : ($0.key?.label ?? "~") < ($1.key?.label ?? "~") }
        let table = ChartTable(caption: "Rejections by coded reason, \(period.label)", columns: [
            .text("Reason", "reason"), .text("Code", "code"),
            .number("Rejections", "rejections"),
        ], rows: ordered.map { reason, n in
            ChartTable.Row(cells: [.name(reason?.label ?? "Not coded", header: true), .plain(reason?.rawValue ?? ""), .count(n)])
        })
        let chart = BarChart(
            id: "chart-reasons", title: "Rejections by reason, \(period.label)",
            summary: "\(plural(byReason.values.reduce(0, +), "rejection")) in \(period.label)"
                + (ordered.first.map { ", most often \"\($0.key?.label ?? "Not coded")\" (\($0.value))" } ?? "") + ".",
            layout: .horizontal, series: [ChartSeries(name: "Rejections", tone: "danger")],
            categories: ordered.map { reason, n in
                ChartCategory(label: reason?.label ?? "Not coded", values: [Int64(n)], texts: [plural(n, "rejection")], shortText: String(n))
            })
        return DashboardFigure(.reasons, heading: "Why claims are rejected", charts: ordered.isEmpty ? [] : [chart], table: table, period: period)
    }
}
