import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore
import NIOCore

/// `/earnings`: earnings from approved claims by keyset pages, totals per currency, a bar chart of the
/// months per currency, and `/earnings.csv`, the same earnings streamed as a download.
struct EarningsPage: Sendable {
    let deps: AppDependencies
    let reads: EarningsReads

    /// Rows per page unless the URL asks for another size (`per`, 1...200).
    static let pageSize = 50
    /// The chart shows the latest payment months; the table beside it holds the same figures.
    static let chartMonths = 12

    init(deps: AppDependencies) {
        self.deps = deps
        self.reads = EarningsReads(db: deps.db)
    }

    struct EarningRow: Sendable {
        let claimID: Int64; let claim: String; let engagement: String; let organization: String; let location: String
        let market: String; let version: Int; let rate: String; let amount: String; let approvedOn: String; let approvedTitle: String
        let paymentMonth: String; let paymentStatus: String; let paymentTone: String
    }
    struct TotalLine: Sendable { let currency: String; let earned: String; let sent: String; let lines: Int }
    typealias Option = ListOption
    struct Bar: Sendable {
        let month: String; let earned: String; let sent: String; let lines: Int; let linesText: String
        let x: Int; let y: Int; let width: Int; let height: Int; let labelX: Int; let valueY: Int; let shortValue: String
    }
    /// One currency's bar chart; amounts of different currencies are never drawn on one scale.
    struct Chart: Sendable {
        let id: String; let currency: String; let title: String; let summary: String
        let width: Int; let height: Int; let baseline: Int; let axisLabelY: Int; let maxLabel: String
        let bars: [Bar]
    }
    struct EarningsView: PageView {
        let shell: Shell
        let rows: [EarningRow]
        let hasRows: Bool
        let hasAny: Bool
        let totals: [TotalLine]
        let charts: [Chart]
        let showOrganization: Bool
        let locations: [Option]
        let statuses: [Option]
        let months: [Option]
        let filtered: Bool
        let csvLink: String
        let newerLink: String?
        let olderLink: String?
        let newestLink: String?
        let summary: String
    }

    /// The URL's filters and page position, checked; bad values answer 400 rather than being ignored.
    struct Query {
        var filter = EarningsFilter()
        var cursor = EarningsCursor.newest
        var per = EarningsPage.pageSize

        init(_ request: Request) throws {
            let q = request.uri.queryParameters
            func value(_ name: String) -> String? {
                guard let raw = q[name[...]].map(String.init), !raw.isEmpty else { return nil }
                return raw
            }
            func id(_ name: String) throws -> Int64? {
                guard let text = value(name) else { return nil }
                guard let id = Int64(text), id > 0 else { throw HTTPError(.badRequest, message: "'\(name)' must be a positive number.") }
                return id
            }
            filter.locationID = try id("location")
            if let status = value("status") {
                guard let known = PaymentStatus(rawValue: status) else { throw HTTPError(.badRequest, message: "Unknown payment status.") }
                filter.paymentStatus = known
            }
            if let month = value("month") {
                guard EarningsFilter.isMonth(month) else { throw HTTPError(.badRequest, message: "The month must look like 2026-12.") }
                filter.paymentMonth = month
            }
            if let after = try id("after") { cursor = .olderThan(after) } else if let before = try id("before") { cursor = .newerThan(before) }
            if let per = value("per") {
                guard let n = Int(per), (1...200).contains(n) else { throw HTTPError(.badRequest, message: "'per' must be between 1 and 200.") }
                self.per = n
            }
        }

        /// The filters (and page size, when not the default) as query items, for links that keep them.
        func items(withPer: Bool = true) -> [(String, String)] {
            var items: [(String, String)] = []
            if let l = filter.locationID { items.append(("location", String(l))) }
            if let s = filter.paymentStatus { items.append(("status", s.rawValue)) }
            if let m = filter.paymentMonth { items.append(("month", m)) }
            if withPer && per != EarningsPage.pageSize { items.append(("per", String(per))) }
            return items
        }
    }


    func register(on router: Router<AppRequestContext>) {
        router.get("/earnings") { request, context in
            let viewer = try context.viewer(for: .earnings, request)
            let query = try Query(request)
            return try await deps.page("earnings", view(query, viewer: viewer, context: context))
        }
        router.get("/earnings.csv") { request, context -> Response in
            let viewer = try context.viewer(for: .earnings, request)
            let filter = try Query(request).filter
            let reads = self.reads
            let scope = viewer.scope
            let body = ResponseBody { writer in
                try await reads.writeCSV(filter, in: scope) { text in try await writer.write(ByteBuffer(string: text)) }
                try await writer.finish(nil)
            }
            let day = DayDate(deps.clock.now)
            let name = String(format: "earnings-%04d-%02d-%02d.csv", day.year, day.month, day.day)
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"\(name)\"",
                                                   .cacheControl: "no-store"], body: body)
        }
    }

    func view(_ query: Query, viewer: Viewer, context: AppRequestContext) async throws -> EarningsView {
        let scope = viewer.scope
        let slice = try await reads.page(in: scope, filter: query.filter, from: query.cursor, limit: query.per)
        // One aggregate without the month filter serves the month choices; the month filter is a group key.
        var unmonthly = query.filter
        unmonthly.paymentMonth = nil
        let allMonths = try await reads.monthly(in: scope, filter: unmonthly)
        let monthly = query.filter.paymentMonth.map { m in allMonths.filter { $0.month == m } } ?? allMonths
        let locations = try await reads.locations(in: scope)
        let showOrganization = viewer.vendorRole != nil

        let rows = slice.lines.map { e in
            EarningRow(claimID: e.claimID, claim: e.claimName, engagement: e.engagementName, organization: e.organizationName,
                       location: e.locationName, market: e.market.rawValue.uppercased(), version: e.engagementVersion,
                       rate: e.rate.description + (e.hours.map { " × \($0) h" } ?? ""),
                       amount: e.amount.description, approvedOn: deps.format(e.approvedAt, for: viewer, style: .date),
                       approvedTitle: deps.format(e.approvedAt, for: viewer),
                       paymentMonth: Wording.monthText(e.paymentMonth), paymentStatus: e.paymentStatus.label,
                       paymentTone: e.paymentStatus.tone)
        }
        let totals = EarningsReads.totals(monthly).map {
            TotalLine(currency: $0.earned.currency.code, earned: $0.earned.description, sent: $0.sent.description, lines: $0.lines)
        }
        let count = totals.reduce(0) { $0 + $1.lines }
        let items = query.items()
        let filtered = query.filter != EarningsFilter()
        let atNewest: Bool = if case .newest = query.cursor { true } else { false }
        return EarningsView(
            shell: Shell(context, deps: deps, title: Section.earnings.title, section: .earnings),
            rows: rows, hasRows: !rows.isEmpty, hasAny: count > 0, totals: totals, charts: Self.charts(monthly),
            showOrganization: showOrganization,
            locations: locations.map {
                Option(value: String($0.id), label: showOrganization ? "\($0.organizationName): \($0.name)" : $0.name,
                       selected: $0.id == query.filter.locationID)
            },
            statuses: PaymentStatus.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == query.filter.paymentStatus) },
            months: Array(Set(allMonths.map(\.month))).sorted(by: >).map {
                Option(value: $0, label: Wording.monthText($0), selected: $0 == query.filter.paymentMonth)
            },
            filtered: filtered, csvLink: queryPath("/earnings.csv", query.items(withPer: false)),
            newerLink: slice.hasNewer ? slice.lines.first.map { queryPath("/earnings", items + [("before", String($0.id))]) } : nil,
            olderLink: slice.hasOlder ? slice.lines.last.map { queryPath("/earnings", items + [("after", String($0.id))]) } : nil,
            newestLink: atNewest ? nil : queryPath("/earnings", items),
            summary: rows.isEmpty ? "" : "\(rows.count) of \(count) earnings\(filtered ? " matching the filters" : ""), most recently approved first.")
    }

    /// One bar chart per currency over its latest payment months; bar heights in whole pixels by
    /// integer arithmetic on minor units (money never goes through floating point).
    static func charts(_ monthly: [MonthlyEarning]) -> [Chart] {
        let plot = 160, top = 24, left = 16, step = 64, barWidth = 40
        let byCurrency = Dictionary(grouping: monthly, by: { $0.earned.currency.code })
        return byCurrency.keys.sorted().map { code in
            let months = Array(byCurrency[code]!.sorted { $0.month < $1.month }.suffix(chartMonths))
            let peak = max(1, months.map { max(0, $0.earned.minorUnits) }.max() ?? 1)
            let baseline = top + plot
            let bars = months.enumerated().map { i, m in
                let units = max(0, m.earned.minorUnits)
                let (scaled, overflow) = units.multipliedReportingOverflow(by: Int64(plot))
                let height = overflow ? Int(units / max(1, peak / Int64(plot))) : Int(scaled / peak)
                let x = left + i * step + (step - barWidth) / 2
                return Bar(month: Wording.monthText(m.month), earned: m.earned.description, sent: m.sent.description, lines: m.lines,
                           linesText: m.lines == 1 ? "1 earning" : "\(m.lines) earnings",
                           x: x, y: baseline - height, width: barWidth, height: height, labelX: x + barWidth / 2,
                           valueY: baseline - height - 6, shortValue: shortAmount(m.earned))
            }
            let first = months.first.map { Wording.monthText($0.month) } ?? ""
            let last = months.last.map { Wording.monthText($0.month) } ?? ""
            let highest = months.max { $0.earned.minorUnits < $1.earned.minorUnits }
            return Chart(
                id: "chart-\(code.lowercased())", currency: code,
                title: "Earned in \(code) by estimated payment month",
                summary: "Bar chart of \(months.count) month\(months.count == 1 ? "" : "s") from \(first) to \(last)"
                    + (highest.map { "; the highest is \(Wording.monthText($0.month)) with \($0.earned.description)" } ?? "")
                    + ". Reversed and forfeited earnings are left out. The table that follows holds the same figures.",
                width: left * 2 + max(1, months.count) * step, height: baseline + 28, baseline: baseline, axisLabelY: baseline + 18,
                maxLabel: Money(minorUnits: peak, currency: Currency(code)).description, bars: bars)
        }
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
