import Foundation
import IncentivesDomain
import IncentivesStore

/// One currency's bar chart of earnings by estimated payment month, with the table of its figures; amounts of different
/// currencies are never drawn on one scale. Drawn by `BarChart` (integer geometry on minor units).
struct EarningsChart: Sendable {
    /// The chart shows the latest payment months; the table beside it holds the same figures.
    static let months = 12

    let title: String
    let maxLabel: String
    let chart: BarChart
    let table: ChartTable

    /// Each currency's latest payment months, by currency code.
    static func latest(_ monthly: [MonthlyEarning]) -> [(currency: Currency, months: [MonthlyEarning])] {
        let byCurrency = Dictionary(grouping: monthly, by: { $0.earned.currency })
        return byCurrency.keys.sorted { $0.code < $1.code }.map { currency in
            (currency, Array(byCurrency[currency]!.sorted { $0.month < $1.month }.suffix(Self.months)))
        }
    }

    /// One chart per currency, by currency code, over its latest payment months.
    static func charts(_ monthly: [MonthlyEarning]) -> [EarningsChart] {
        latest(monthly).map { EarningsChart($0.currency, months: $0.months) }
    }

    init(_ currency: Currency, months: [MonthlyEarning]) {
        let code = currency.code
        let first = months.first.map { Wording.monthText($0.month) } ?? ""
        let last = months.last.map { Wording.monthText($0.month) } ?? ""
        let highest = months.max { $0.earned.minorUnits < $1.earned.minorUnits }
        title = "Earned in \(code) by estimated payment month"
        maxLabel = (highest?.earned ?? .zero(currency)).description
        chart = BarChart(
            id: "chart-\(code.lowercased())", title: title,
            summary: "Bar chart of \(months.count) month\(months.count == 1 ? "" : "s") from \(first) to \(last)"
                + (highest.map { "; the highest is \(Wording.monthText($0.month)) with \($0.earned.description)" } ?? "")
                + ". Reversed and forfeited earnings are left out. The table that follows holds the same figures.",
            layout: .stacked, series: [ChartSeries(name: "Earned", tone: "accent")],
            categories: months.map { m in
                ChartCategory(label: Wording.monthText(m.month), values: [max(0, m.earned.minorUnits)],
                              texts: ["\(m.earned.description), of which \(m.paid.description) paid (\(Self.count(m.lines)))"],
                              shortText: ShortAmount.text(minorUnits: m.earned.minorUnits, currency: currency))
            })
        table = ChartTable(caption: title, columns: Self.columns(currency: false), rows: months.map { Self.row($0, currency: false) })
    }

    /// The table's columns: the month, the currency when several share the table, earned, paid, and how many earnings.
    static func columns(currency: Bool) -> [ChartTable.Column] {
        [ChartTable.Column.text("Payment month", "payment_month")]
            + (currency ? [ChartTable.Column.text("Currency", "currency")] : [])
            + [ChartTable.Column.number("Earned", "earned"), ChartTable.Column.number("Of which paid", "paid"),
               ChartTable.Column.number("Earnings", "earnings")]
    }

    /// A month's line; with `currency`, the month as `2026-11` (a file's form) and its currency beside it.
    static func row(_ m: MonthlyEarning, currency: Bool) -> ChartTable.Row {
        let code = m.earned.currency
        let month = ChartTable.Cell.plain(currency ? m.month : Wording.monthText(m.month), header: true)
        let figures: [ChartTable.Cell] = [.money(m.earned.minorUnits, code), .money(m.paid.minorUnits, code), .count(m.lines)]
        return ChartTable.Row(cells: [month] + (currency ? [ChartTable.Cell.plain(code.code)] : []) + figures)
    }

    static func count(_ lines: Int) -> String { lines == 1 ? "1 earning" : "\(lines) earnings" }
}
