import Foundation
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import Testing

/// The view models read through a field table must read as the templates read other types by reflection: every stored
/// property named, each to the same value, and an absent optional as nothing at all (a boxed nil would open a section).
@Suite("Template field tables")
struct TemplateFieldTableTests {
    /// A value as a template shows it, whichever way it was read.
    func shown(_ value: Any?) -> String {
        guard let value, let seen = TemplateKind.unwrapped(value) else { return "(none)" }
        return String(describing: seen)
    }

    func check<T: TemplateFieldTable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) {
        let children = Mirror(reflecting: value).children
        // Every stored property is in the table (a table may add computed names, as the shell's links).
        #expect(Set(children.compactMap(\.label)).isSubset(of: T.templateFields.names), "\(T.self)'s table names its stored properties",
                sourceLocation: sourceLocation)
        for child in children {
            guard let label = child.label else { continue }
            let read = value.child(named: label)
            #expect(shown(read) == shown(child.value), "\(T.self).\(label)", sourceLocation: sourceLocation)
            if shown(child.value) == "(none)" {
                #expect(read == nil, "\(T.self).\(label) is absent, not a boxed nil", sourceLocation: sourceLocation)
            }
        }
        #expect(value.child(named: "noSuchField") == nil, sourceLocation: sourceLocation)
    }

    @Test("each table reads every stored property as reflection does")
    func tablesMatchFields() {
        check(ChartTable.Column.number("Approved", "approved"))
        check(ChartTable.Cell.name("Bluefin <Seattle>", href: "/partners/2", header: true))
        check(ChartTable.Cell.money(nil, .usd))
        check(ChartTable.Cell.money(123_456, .usd))
        check(ChartTable.Row(cells: [.count(3), .plain("2026-11")]))
        check(BarChart.Rect(x: 1, y: 2, width: 3, height: 4, tone: "approved", title: "Nov, Approved: 5,000.00"))
        check(BarChart.Label(x: 5, y: 6, text: "Nov", anchor: "middle", tone: "muted"))
        check(BarChart.Line(x1: 0, y1: 1, x2: 2, y2: 3, label: "Budget", labelX: 4, labelY: 5, anchor: "end"))
        check(BarChart.LegendItem(name: "Approved", tone: "approved"))
        let input = ListFixture.input(ListFixture.partnerViewer)
        for summary in ListFixture.partnerClaims { check(ClaimLine(summary, input: input)) }
        let view = ClaimListView(ListFixture.slice(ListFixture.partnerClaims, counts: (57, 3, 55, 2)), choices: ListFixture.choices,
                                 address: ClaimListAddress(ClaimListQuery(), areas: ListFixture.areas), input: input)
        check(view)
        view.tabs.forEach { check($0) }
        for options in [view.statuses, view.kinds, view.engagements, view.locations, view.dues] { options.forEach { check($0) } }
        view.headers.forEach { check($0) }
        let shell = Shell(input, title: "Claim 42", trail: [("Claims", "/claims"), ("Claim 42", nil)])
        check(shell)
        shell.nav.forEach { check($0) }
        shell.crumbs.forEach { check($0) }
        #expect(!shell.nav.isEmpty && shell.crumbs.count == 2 && !view.headers.isEmpty && !view.tabs.isEmpty)
        #expect(shown(shell.child(named: "signOutAction")) == SitePath.logout.href())
    }

    @Test("a chart renders the same through its tables as through reflection")
    func rendersAlike() throws {
        let chart = BarChart(id: "c", title: "Approved by month", summary: "Two series", layout: .stacked,
                             series: [ChartSeries(name: "Approved", tone: "approved"), ChartSeries(name: "Paid", tone: "paid")],
                             categories: [ChartCategory(label: "Oct", values: [500, 200], texts: ["5.00", "2.00"], shortText: "7"),
                                          ChartCategory(label: "Nov", values: [900, 0], texts: ["9.00", "0.00"], shortText: "9")])
        let templates = try PageTemplates(["chart": """
            {{#rects}}<rect x="{{x}}" y="{{y}}" class="{{tone}}">{{title}}{{#missing}}!{{/missing}}</rect>{{/rects}}\
            {{#labels}}<text x="{{x}}">{{text}} {{title}}</text>{{/labels}}{{#legend}}{{name}}{{/legend}}
            """])
        let viaTables = templates.render(chart, template: "chart")
        // The same values as plain structs with the same fields, which only reflection can read.
        struct R { let x: Int; let y: Int; let width: Int; let height: Int; let tone: String; let title: String }
        struct L { let x: Int; let y: Int; let text: String; let anchor: String; let tone: String }
        struct G { let name: String; let tone: String }
        struct C { let rects: [R]; let labels: [L]; let legend: [G]; let title: String }
        let plain = C(rects: chart.rects.map { R(x: $0.x, y: $0.y, width: $0.width, height: $0.height, tone: $0.tone, title: $0.title) },
                      labels: chart.labels.map { L(x: $0.x, y: $0.y, text: $0.text, anchor: $0.anchor, tone: $0.tone) },
                      legend: chart.legend.map { G(name: $0.name, tone: $0.tone) }, title: chart.title)
        #expect(viaTables == templates.render(plain, template: "chart"))
        #expect(viaTables?.contains("<rect") == true && viaTables?.contains("Approved by month") == true)
    }
}
