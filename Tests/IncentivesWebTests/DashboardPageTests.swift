import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// The home page's charts over HTTP on the demo: each chart beside its table, each table downloaded as CSV with the same
/// rows, the period chosen in the URL, every figure in the viewer's scope, and no script or inline style.
@Suite("Dashboards: charts with their tables and CSV, periods, scope")
struct DashboardPageTests {
    /// The chart tables of a page by figure id ("dash-funnel"): the header row, then each row's cells as text.
    static func tables(_ body: String) -> [String: [[String]]] {
        var tables: [String: [[String]]] = [:]
        for section in body.components(separatedBy: #"<section class="dashboard-figure" id=""#).dropFirst() {
            let id = String(section.prefix { $0 != "\"" })
            guard let start = section.range(of: #"<table class="grid compact chart-data">"#),
                  let end = section.range(of: "</table>", range: start.upperBound..<section.endIndex) else { tables[id] = []; continue }
            let table = section[start.upperBound..<end.lowerBound]
            tables[id] = table.components(separatedBy: "<tr>").dropFirst().map { row in
                row.matches(of: /<t[hd][^>]*>(.*?)<\/t[hd]>/).map { text(String($0.output.1)) }
            }
        }
        return tables
    }

    /// A cell's text: tags dropped, entities read.
    static func text(_ html: String) -> String {
        html.replacing(/<[^>]+>/, with: "").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// RFC 4180 lines: quoted fields with doubled quotes, CRLF between records (one `Character` in Swift).
    static func csvRows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, afterQuote = false
        for c in text {
            if quoted {
                if c == "\"" { quoted = false; afterQuote = true } else { field.append(c) }
                continue
            }
            if c == "\"" { if afterQuote { field.append("\"") }; quoted = true; afterQuote = false; continue }
            afterQuote = false
            if c == "," { row.append(field); field = "" } else if c == "\r\n" || c == "\n" { row.append(field); rows.append(row); row = []; field = "" } else { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    /// The CSV holds the table's rows, cell for cell: amounts without the page's grouping, names as typed (a leading
    /// formula character kept from a spreadsheet by a quote).
    static func expectSame(csv: String, table: [[String]], _ id: String) {
        let rows = csvRows(csv)
        #expect(rows.count == table.count, "\(id): \(rows.count) CSV lines for \(table.count) table rows")
        for (line, cells) in zip(rows.dropFirst(), table.dropFirst()) {
            let fromFile = line.map { ($0.hasPrefix("'") ? String($0.dropFirst()) : $0).replacingOccurrences(of: ",", with: "") }
            #expect(fromFile == cells.map { $0.replacingOccurrences(of: ",", with: "") }, "\(id)")
        }
    }

    /// Fetches every chart's CSV the page links to and checks it against the table beside the chart.
    static func expectDownloadsMatch(_ browser: Browser, page: String, charts: [DashboardChart]) async throws {
        let tables = Self.tables(page)
        for chart in charts {
            let id = "dash-\(chart.rawValue)"
            let table = try #require(tables[id], "\(id) is on the page")
            let href = try #require(Self.link(page, chart), "\(id) links its CSV")
            let file = try await browser.get(href.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(file.status == .ok && file.headers[.contentType] == "text/csv; charset=utf-8", "\(href)")
            #expect(file.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"\(chart.rawValue)") == true)
            guard !table.isEmpty else {
                #expect(csvRows(file.body).count == 1, "\(id): an empty table downloads its header alone")
                continue
            }
            expectSame(csv: file.body, table: table, id)
        }
    }

    /// The CSV link of a chart on the page.
    static func link(_ page: String, _ chart: DashboardChart) -> String? {
        guard let range = page.range(of: #"<a href="/dashboard/\#(chart.rawValue).csv"#) else { return nil }
        let from = page.index(range.lowerBound, offsetBy: 9)
        return String(page[from...].prefix { $0 != "\"" })
    }

    @Test("the program manager's home: every program chart as an accessible SVG beside its table, each CSV the same rows",
          arguments: TestDatabases.flavors)
    func managerHome(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let manager = try await app.signedIn("manager@vendor.example")
            let home = try await manager.get("/?period=365d")
            #expect(home.status == .ok)
            #expect(!home.body.contains("style=") && !home.body.hasInlineScript)
            let tables = Self.tables(home.body)
            #expect(Set(tables.keys) == Set(Dashboard.vendorCharts.map { "dash-\($0.rawValue)" }))
            for chart in Dashboard.vendorCharts {
                #expect(tables["dash-\(chart.rawValue)"]?.isEmpty == false, "the demo has \(chart) figures in a year")
                #expect(home.body.contains(#"<svg id="chart-\#(chart == .spend ? "spend-" : chart.rawValue)"#), "\(chart) is drawn")
                let link = try #require(Self.link(home.body, chart))
                #expect(link == "/dashboard/\(chart.rawValue).csv" + (chart.usesPeriod ? "?period=365d" : ""))
            }
            #expect(home.body.contains(#"role="img" aria-labelledby="chart-funnel-title chart-funnel-desc""#))
            #expect(home.body.contains(#"<option value="365d" selected>Last 365 days</option>"#))
            // The funnel's first row is every claim created in the year, in the manager's zone (Europe/London).
            let span = DashboardPeriod.lastDays(365).span(now: app.clock.now, zone: TimeZone(identifier: "Europe/London")!)
            let created = try await app.db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM claims WHERE created_at >= \(bind: span.start) AND created_at < \(bind: span.end)")
                    .first(decodingColumn: "n", as: Int.self)
            }
            #expect(tables["dash-funnel"]?.dropFirst().first == ["Created", String(try #require(created)), "100"])
            // The review queue's rows add up to the claims submitted or under review.
            let waiting = try await app.db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM claims WHERE status IN ('submitted', 'under_review')").first(decodingColumn: "n", as: Int.self)
            }
            #expect(tables["dash-review-wait"]?.dropFirst().reduce(0) { $0 + Int($1[1])! } == waiting)
            #expect(home.body.contains("Target: 10 days"))
            try await Self.expectDownloadsMatch(manager, page: home.body, charts: Dashboard.vendorCharts)
        }
    }

    @Test("the reviewer sees the program's charts too; partner charts and their CSV are not theirs")
    func reviewerHome() async throws {
        try await WebHarness.with { app in
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let home = try await reviewer.get("/")
            #expect(Set(Self.tables(home.body).keys) == Set(Dashboard.vendorCharts.map { "dash-\($0.rawValue)" }))
            #expect(home.body.contains("36 claims submitted or disputed."), "the queue's line stays")
            #expect(try await reviewer.get("/dashboard/earnings.csv").status == .forbidden)
            try await Self.expectDownloadsMatch(reviewer, page: home.body, charts: Dashboard.vendorCharts)
        }
    }

    @Test("a one-location partner user: their deadlines, earnings and claims to act on, counted in their location only",
          arguments: TestDatabases.flavors)
    func partnerHome(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let user = try await app.signedIn("user@bluefin.example")
            let home = try await user.get("/")
            let tables = Self.tables(home.body)
            #expect(Set(tables.keys).isSubset(of: ["dash-deadlines", "dash-earnings", "dash-needs-action"]))
            #expect(tables["dash-earnings"] != nil && tables["dash-needs-action"] != nil)
            #expect(!home.body.contains("period-chooser"), "a partner's charts count no period")
            for chart in Dashboard.vendorCharts { #expect(try await user.get("/dashboard/\(chart.rawValue).csv").status == .forbidden) }
            // Claims that wait on the partner: Seattle's own, as the claims table holds them.
            let counts = try await HomePageTests.countsFromClaims(app, locations: [1])
            let waiting = ClaimStatus.allCases.filter { $0.waitsOnPartner && (counts[$0.label] ?? 0) > 0 }
            #expect(tables["dash-needs-action"]?.dropFirst().map { $0[0] } == waiting.map(\.label))
            #expect(tables["dash-needs-action"]?.dropFirst().map { Int($0[2])! } == waiting.map { counts[$0.label]! })
            #expect(home.body.contains(#"<a href="/claims?tab=attention&amp;status=rejected">"#))
            // Earnings: Seattle's months only, as the earnings reads give them in Seattle's scope.
            let months = try await app.deps.stores.earnings.monthly(in: .partner(organizationID: 1, locationIDs: [1]))
            let all = try await app.deps.stores.earnings.monthly(in: .partner(organizationID: 1, locationIDs: [1, 2]))
            #expect(months != all, "London earns too: the user's figures leave it out")
            let rows = EarningsChart.latest(months).flatMap(\.months)
            #expect(tables["dash-earnings"]?.dropFirst().map { $0[0] + " " + $0[1] + " " + $0[4] } == rows.map { "\($0.month) \($0.earned.currency.code) \($0.lines)" })
            try await Self.expectDownloadsMatch(user, page: home.body, charts: [.earnings, .attention])
        }
    }

    @Test("deadlines in the next 14 days: per day in the viewer's zone beside the list, the CSV the same days")
    func deadlines() async throws {
        try await WebHarness.with { app in
            let now = app.clock.now
            // Every open deadline out of the fortnight, then: Seattle claims due in 3 and 8 days, one in 15; London's in 2.
            try await app.db.write { sql in
                try await sql.raw("UPDATE claims SET expires_at = \(bind: now.adding(calendarDays: 400)) WHERE expires_at IS NOT NULL").run()
                for (id, days) in [(Int64(3), 3.0), (52, 8.0), (60, 15.0), (137, 2.0)] {
                    let due = now.addingTimeInterval(days * 86_400)
                    try await sql.raw("UPDATE claims SET due_at = \(bind: due), expires_at = \(bind: due) WHERE id = \(bind: id)").run()
                }
            }
            let user = try await app.signedIn("user@bluefin.example")
            let home = try await user.get("/")
            #expect(home.body.contains("2 claims will expire unless someone acts in time."))
            let days = try #require(Self.tables(home.body)["dash-deadlines"]).dropFirst()
            #expect(days.count == 14)
            // 25 Nov 2026 01:46 in Los Angeles: due on 28 Nov and 3 Dec, their local days.
            #expect(days.filter { $0[1] != "0" }.map { $0[0] + "=" + $0[1] } == ["2026-11-28=1", "2026-12-03=1"])
            try await Self.expectDownloadsMatch(user, page: home.body, charts: [.deadlines])
        }
    }

    @Test("a month's period counts that month in the viewer's zone; an unknown period is refused; a period with nothing says so")
    func periods() async throws {
        try await WebHarness.with { app in
            let manager = try await app.signedIn("manager@vendor.example")
            let october = try await manager.get("/?period=2026-10")
            #expect(october.status == .ok && october.body.contains(#"<option value="2026-10" selected>Oct 2026</option>"#))
            let span = DashboardPeriod.month(year: 2026, month: 10).span(now: app.clock.now, zone: TimeZone(identifier: "Europe/London")!)
            let funnel = try await app.deps.stores.dashboard.funnel(span, in: .vendor)
            #expect(Self.tables(october.body)["dash-funnel"]?.dropFirst().map { Int($0[1])! } == FunnelStage.allCases.map { funnel.count($0) })
            #expect(Self.link(october.body, .decisions) == "/dashboard/decisions.csv?period=2026-10")
            #expect(try await manager.get("/?period=7d").status == .badRequest)
            #expect(try await manager.get("/dashboard/funnel.csv?period=2026-13").status == .badRequest)
            let empty = try await manager.get("/?period=2001-01")
            #expect(empty.status == .ok && empty.body.contains("No data for this period"))
            #expect(!empty.body.contains(#"<svg id="chart-funnel""#) && !empty.body.contains(#"<svg id="chart-decisions""#))
            let file = try await manager.get("/dashboard/funnel.csv?period=2001-01")
            #expect(file.body == "stage,claims,percent_of_created\r\n")
        }
    }

    @Test("names people typed are kept from being read as formulas in the CSV, and escaped on the page")
    func formulaProtection() async throws {
        try await WebHarness.with { app in
            try await app.db.write { sql in
                try await sql.raw("UPDATE organizations SET name = '=HYPERLINK(\"http://x.example\",\"<b>\")' WHERE id = 2").run()
            }
            let manager = try await app.signedIn("manager@vendor.example")
            let home = try await manager.get("/?period=365d")
            #expect(!home.body.contains("<b>") && home.body.contains("&lt;b&gt;"))
            let file = try await manager.get("/dashboard/top-partners.csv?period=365d")
            #expect(file.body.contains(#","'=HYPERLINK(""http://x.example"",""<b>"")",USD,"#))
            #expect(!file.body.contains(",=HYPERLINK") && !file.body.contains(#""=HYPERLINK"#))
        }
    }
}
