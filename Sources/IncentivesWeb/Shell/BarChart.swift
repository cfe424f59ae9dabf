import Foundation
import IncentivesDomain

/// One series of a bar chart: its name (legend, tooltips) and the stylesheet's class that colours it (`tone-<tone>`).
struct ChartSeries: Sendable, Hashable {
    let name: String
    let tone: String
}

/// One bar (or stack of bars) of a chart: its axis label, one non-negative value per series (a count, or minor units of
/// one currency: never two currencies on one scale), each value's text for its tooltip, and the short text shown beside it.
struct ChartCategory: Sendable, Hashable {
    let label: String
    let values: [Int64]
    let texts: [String]
    let shortText: String
    /// A shorter label for a vertical chart's axis ("Dec ’25"), where `label` would not fit under its bar.
    var axisLabel: String? = nil
}

/// A line across a chart: a value on a vertical chart's scale (a budget), or a boundary before a category (a target).
enum ChartMarker: Sendable, Hashable {
    case value(Int64, label: String)
    case beforeCategory(Int, label: String)
}

/// A server-drawn SVG bar chart's geometry, for `bar-chart.mustache`: vertical (series stacked or side by side) or
/// horizontal (series stacked). Whole pixels by integer arithmetic on the values (money never goes through floating
/// point); colours come from the stylesheet by class (the page's CSP allows no inline style).
struct BarChart: Sendable {
    enum Layout: Sendable { case stacked, grouped, horizontal }

    struct Rect: Sendable { let x: Int; let y: Int; let width: Int; let height: Int; let tone: String; let title: String }
    struct Label: Sendable { let x: Int; let y: Int; let text: String; let anchor: String; let tone: String }
    struct Line: Sendable {
        let x1: Int; let y1: Int; let x2: Int; let y2: Int
        let label: String; let labelX: Int; let labelY: Int; let anchor: String
    }
    struct LegendItem: Sendable { let name: String; let tone: String }

    let id: String
    let title: String
    let summary: String
    let width: Int
    let height: Int
    let axis: Line
    let rects: [Rect]
    let labels: [Label]
    let marker: Line?
    let legend: [LegendItem]
    let hasLegend: Bool

    private static let plot = 160, top = 24, left = 16, labelRoom = 28
    private static let rowHeight = 28, barThickness = 18, labelColumn = 190, horizontalPlot = 340, valueRoom = 140

    /// - Parameters:
    ///   - id: unique on the page (the SVG's and its title's ids).
    ///   - summary: one line on what the chart shows (its `<desc>`).
    ///   - span: about how many pixels a vertical chart's bars share (small multiples take less).
    init(id: String, title: String, summary: String, layout: Layout, series: [ChartSeries], categories: [ChartCategory],
         marker: ChartMarker? = nil, span: Int = 720) {
        self.id = id
        self.title = title
        self.summary = summary
        legend = series.map { LegendItem(name: $0.name, tone: $0.tone) }
        hasLegend = series.count > 1
        let geometry = Self.drawn(layout == .horizontal
            ? Self.horizontal(series, categories)
            : Self.vertical(series, categories, grouped: layout == .grouped, marker: marker, span: span))
        (width, height, axis, rects, labels, self.marker) = geometry
    }

    /// Bars of no size and labels with no text are left out of the drawing (the table still holds them).
    private static func drawn(_ geometry: Geometry) -> Geometry {
        (geometry.width, geometry.height, geometry.axis, geometry.rects.filter { $0.width > 0 && $0.height > 0 },
         geometry.labels.filter { !$0.text.isEmpty }, geometry.marker)
    }

    typealias Geometry = (width: Int, height: Int, axis: Line, rects: [Rect], labels: [Label], marker: Line?)

    /// `value` of `peak` as a share of `span` pixels, rounded down; exact for any 64-bit value.
    static func scaled(_ value: Int64, peak: Int64, span: Int) -> Int {
        let value = max(0, min(value, peak))
        let (product, overflow) = value.multipliedReportingOverflow(by: Int64(span))
        return overflow ? Int(value / max(1, peak / Int64(span))) : Int(product / max(1, peak))
    }

    private static func vertical(_ series: [ChartSeries], _ categories: [ChartCategory], grouped: Bool, marker: ChartMarker?,
                                 span: Int) -> Geometry {
        let step = max(18, min(64, span / max(1, categories.count)))
        let barWidth = step * 5 / 8
        let baseline = top + plot
        var peak: Int64 = 1
        for c in categories { peak = max(peak, grouped ? c.values.max() ?? 0 : c.values.reduce(0) { $0 + max(0, $1) }) }
        if case .value(let value, _) = marker { peak = max(peak, value) }
        // Wide enough for a marker's label over a single bar.
        let width = max(200, left * 2 + max(1, categories.count) * step)
        // Axis labels of narrow steps are spaced out so they don't overlap (~48 px of text each); the table names them all.
        let every = max(1, (48 + step - 1) / step)
        var rects: [Rect] = [], labels: [Label] = []
        for (i, category) in categories.enumerated() {
            let x = left + i * step + (step - barWidth) / 2
            var stackTop = baseline
            for (s, value) in category.values.enumerated() where s < series.count {
                let height = scaled(value, peak: peak, span: plot)
                let title = "\(category.label), \(series[s].name): \(category.texts[s])"
                if grouped {
                    let each = max(1, barWidth / max(1, series.count))
                    rects.append(Rect(x: x + s * each, y: baseline - height, width: each, height: height, tone: series[s].tone, title: title))
                    stackTop = min(stackTop, baseline - height)
                } else {
                    rects.append(Rect(x: x, y: stackTop - height, width: barWidth, height: height, tone: series[s].tone, title: title))
                    stackTop -= height
                }
            }
            if step >= 40 { labels.append(Label(x: x + barWidth / 2, y: stackTop - 6, text: category.shortText, anchor: "middle", tone: "value")) }
            if i % every == 0 {
                labels.append(Label(x: x + barWidth / 2, y: baseline + 18, text: category.axisLabel ?? category.label, anchor: "middle",
                                    tone: "axis-label"))
            }
        }
        let axis = Line(x1: 0, y1: baseline, x2: width, y2: baseline, label: "", labelX: 0, labelY: 0, anchor: "start")
        let line: Line? = marker.map { marker in
            switch marker {
            case .value(let value, let label):
                let y = baseline - scaled(value, peak: peak, span: plot)
                return Line(x1: 0, y1: y, x2: width, y2: y, label: label, labelX: width - 4, labelY: max(12, y - 4), anchor: "end")
            case .beforeCategory(let index, let label):
                let x = left + min(index, categories.count) * step
                return Line(x1: x, y1: top - 8, x2: x, y2: baseline, label: label, labelX: x - 4, labelY: top - 12, anchor: "end")
            }
        }
        return (width, baseline + labelRoom, axis, rects, labels, line)
    }

    private static func horizontal(_ series: [ChartSeries], _ categories: [ChartCategory]) -> Geometry {
        let peak = max(1, categories.map { $0.values.reduce(0) { $0 + max(0, $1) } }.max() ?? 1)
        var rects: [Rect] = [], labels: [Label] = []
        for (i, category) in categories.enumerated() {
            let y = 4 + i * rowHeight
            var x = labelColumn
            for (s, value) in category.values.enumerated() where s < series.count {
                let length = scaled(value, peak: peak, span: horizontalPlot)
                rects.append(Rect(x: x, y: y, width: length, height: barThickness, tone: series[s].tone,
                                  title: "\(category.label), \(series[s].name): \(category.texts[s])"))
                x += length
            }
            let middle = y + barThickness / 2 + 5
            labels.append(Label(x: labelColumn - 8, y: middle, text: shortened(category.label), anchor: "end", tone: "axis-label"))
            labels.append(Label(x: x + 6, y: middle, text: category.shortText, anchor: "start", tone: "value"))
        }
        let height = 8 + max(1, categories.count) * rowHeight
        let axis = Line(x1: labelColumn, y1: 0, x2: labelColumn, y2: height, label: "", labelX: 0, labelY: 0, anchor: "start")
        return (labelColumn + horizontalPlot + valueRoom, height, axis, rects, labels, nil)
    }

    /// A label that fits the label column: cut at 26 characters with an ellipsis (the table holds it whole).
    static func shortened(_ text: String) -> String {
        text.count <= 26 ? text : String(text.prefix(25)) + "…"
    }
}

/// Short text for an amount above a bar: "12.5k", "1.2M" or "950", in whole units of its currency.
enum ShortAmount {
    static func text(minorUnits: Int64, currency: Currency) -> String {
        var divisor: Int64 = 1
        for _ in 0..<currency.minorUnitDigits { divisor *= 10 }
        let units = minorUnits / divisor
        func tenths(_ value: Int64, _ unit: Int64, _ suffix: String) -> String {
            let t = value * 10 / unit
            return t % 10 == 0 || t >= 1000 ? "\(t / 10)\(suffix)" : "\(t / 10).\(t % 10)\(suffix)"
        }
        if abs(units) >= 1_000_000 { return tenths(units, 1_000_000, "M") }
        if abs(units) >= 1_000 { return tenths(units, 1_000, "k") }
        return String(units)
    }
}
