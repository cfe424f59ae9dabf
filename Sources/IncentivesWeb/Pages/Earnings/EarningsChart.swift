import Foundation
import IncentivesDomain
import IncentivesStore

/// One currency's bar chart of earnings by estimated payment month; amounts of different currencies are never drawn on
/// one scale. Bar heights are whole pixels by integer arithmetic on minor units (money never goes through floating point).
struct EarningsChart: Sendable {
    struct Bar: Sendable {
        let month: String
        let earned: String
        let paid: String
        let lines: Int
        let linesText: String
        let x: Int
        let y: Int
        let width: Int
        let height: Int
        let labelX: Int
        let valueY: Int
        let shortValue: String
    }

    /// The chart shows the latest payment months; the table beside it holds the same figures.
    static let months = 12

    let id: String
    let currency: String
    let title: String
    let summary: String
    let width: Int
    let height: Int
    let baseline: Int
    let axisLabelY: Int
    let maxLabel: String
    let bars: [Bar]

    private static let plot = 160
    private static let top = 24
    private static let left = 16
    private static let step = 64
    private static let barWidth = 40

    /// One chart per currency, by currency code, over its latest payment months.
    static func charts(_ monthly: [MonthlyEarning]) -> [EarningsChart] {
        let byCurrency = Dictionary(grouping: monthly, by: { $0.earned.currency.code })
        return byCurrency.keys.sorted().map { code in
            EarningsChart(code, months: Array(byCurrency[code]!.sorted { $0.month < $1.month }.suffix(Self.months)))
        }
    }

    init(_ code: String, months: [MonthlyEarning]) {
        let peak = max(1, months.map { max(0, $0.earned.minorUnits) }.max() ?? 1)
        let baseline = Self.top + Self.plot
        let first = months.first.map { Wording.monthText($0.month) } ?? ""
        let last = months.last.map { Wording.monthText($0.month) } ?? ""
        let highest = months.max { $0.earned.minorUnits < $1.earned.minorUnits }
        id = "chart-\(code.lowercased())"
        currency = code
        title = "Earned in \(code) by estimated payment month"
        summary = "Bar chart of \(months.count) month\(months.count == 1 ? "" : "s") from \(first) to \(last)"
            + (highest.map { "; the highest is \(Wording.monthText($0.month)) with \($0.earned.description)" } ?? "")
            + ". Reversed and forfeited earnings are left out. The table that follows holds the same figures."
        width = Self.left * 2 + max(1, months.count) * Self.step
        height = baseline + 28
        self.baseline = baseline
        axisLabelY = baseline + 18
        maxLabel = Money(minorUnits: peak, currency: Currency(code)).description
        bars = months.enumerated().map { i, m in Self.bar(m, at: i, peak: peak, baseline: baseline) }
    }

    static func bar(_ m: MonthlyEarning, at i: Int, peak: Int64, baseline: Int) -> Bar {
        let units = max(0, m.earned.minorUnits)
        let (scaled, overflow) = units.multipliedReportingOverflow(by: Int64(plot))
        let height = overflow ? Int(units / max(1, peak / Int64(plot))) : Int(scaled / peak)
        let x = left + i * step + (step - barWidth) / 2
        return Bar(month: Wording.monthText(m.month), earned: m.earned.description, paid: m.paid.description, lines: m.lines,
                   linesText: m.lines == 1 ? "1 earning" : "\(m.lines) earnings",
                   x: x, y: baseline - height, width: barWidth, height: height, labelX: x + barWidth / 2,
                   valueY: baseline - height - 6, shortValue: shortAmount(m.earned))
    }

    /// "12.5k", "1.2M" or "950": whole units of the amount, for the label on top of a bar.
    static func shortAmount(_ money: Money) -> String {
        var divisor: Int64 = 1
        for _ in 0..<money.currency.minorUnitDigits { divisor *= 10 }
        let units = money.minorUnits / divisor
        func tenths(_ value: Int64, _ unit: Int64, _ suffix: String) -> String {
            let t = value * 10 / unit
            return t % 10 == 0 || t >= 1000 ? "\(t / 10)\(suffix)" : "\(t / 10).\(t % 10)\(suffix)"
        }
        if abs(units) >= 1_000_000 { return tenths(units, 1_000_000, "M") }
        if abs(units) >= 1_000 { return tenths(units, 1_000, "k") }
        return String(units)
    }
}
