import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Testing

@Suite("Earnings page: chart, pages, CSV")
struct EarningsPageTests {
    /// The `href` of the link with `rel`, unescaped as a browser would.
    static func link(_ rel: String, in body: String) -> String? {
        guard let r = body.range(of: #"rel="\#(rel)""#) else { return nil }
        let before = body[..<r.lowerBound]
        guard let h = before.range(of: #"href=""#, options: .backwards) else { return nil }
        return String(before[h.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The claim links of the earnings table, in order.
    static func claimIDs(_ body: String) -> [String] {
        guard let table = body.range(of: #"id="lines-heading""#) else { return [] }
        return body[table.upperBound...].components(separatedBy: #"<a href="/claims/"#).dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    /// The text of each cell of the table row that links to the claim, tags stripped.
    static func row(linking claim: Int64, in body: String) -> [String]? {
        guard let link = body.range(of: #"<a href="/claims/\#(claim)">"#),
              let start = body.range(of: "<tr>", options: .backwards, range: body.startIndex..<link.lowerBound),
              let end = body.range(of: "</tr>", range: link.upperBound..<body.endIndex) else { return nil }
        return body[start.upperBound..<end.lowerBound].components(separatedBy: "</td>").dropLast().map {
            $0.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test("Bluefin's money, worked out by hand from the seed: one line's rate × hours, and the USD totals", arguments: TestDatabases.flavors)
    func moneyFromTheSeed(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let b = try await app.signedIn("admin@bluefin.example")
            let page = try await b.get("/earnings?per=200")
            #expect(page.status == .ok)
            // Claim 45: London (GB, market A) on "Datacenter exit project", variable pay at USD 175 an hour in market A,
            // 46 hours delivered: 46 × 175 = 8,050. Approved 26 Jun 2026 (the admin's zone), paid 45 days later: August.
            // The demo's runs that paid Bluefin, each linking its remittance advice.
            #expect(page.body.contains("Payments sent") && page.body.contains(#"<a href="/earnings/remittances/"#))
            let line = try #require(Self.row(linking: 45, in: page.body))
            #expect(Array(line.dropFirst()) == ["Datacenter exit project", "Bluefin Consulting - London", "A", "1", "USD 175.00 × 46 h",
                                                "USD 8,050.00", "26 Jun 2026", "Aug 2026", "Paid"])
            // Bluefin's nine earnings, all USD and none reversed: Seattle 2,500 (Business apps consumption, A) + 2,000 (Cloud
            // consumption accelerator, A); London 1,500 (Collaboration adoption, A) + 8,050 + 5,000 + 5,000 (Cloud migration
            // assessment, A, twice); Singapore 3,000 (Customer service envisioning workshop, B); Bangalore 1,500 (Compliance
            // quick start, C) + 1,500 (Data platform workshop, C) = 30,050. Paid by the demo's runs (those due by the 5th of
            // last month): 2,500 + 1,500 + 8,050 + 5,000 + 3,000 = 20,050.
            #expect(page.body.contains(#"<tr><td>USD</td><td class="num">USD 30,050.00</td><td class="num">USD 20,050.00</td><td class="num">9</td></tr>"#))
            #expect(!page.body.contains("<tr><td>EUR</td>") && !page.body.contains("<tr><td>JPY</td>"))
            #expect(Self.claimIDs(page.body).count == 9)
        }
    }

    @Test("an accessible SVG chart per currency, with the same figures as a table, and no inline style")
    func chart() async throws {
        try await WebHarness.with { app in
            let b = try await app.signedIn("admin@bluefin.example")
            let page = try await b.get("/earnings")
            #expect(page.status == .ok)
            #expect(page.body.h1 == "Earnings")
            let start = try #require(page.body.range(of: "<svg"))
            let end = try #require(page.body.range(of: "</svg>", range: start.upperBound..<page.body.endIndex))
            let svg = String(page.body[start.lowerBound..<end.upperBound])
            #expect(svg.contains(#"role="img""#) && svg.contains(#"aria-labelledby="chart-usd-title chart-usd-desc""#))
            #expect(svg.contains(#"<title id="chart-usd-title">Earned in USD by estimated payment month</title>"#))
            #expect(svg.contains(#"<desc id="chart-usd-desc">"#) && svg.contains(#"<rect class="bar tone-accent" x="#))
            #expect(!page.body.contains("style="), "inline style attributes are blocked by the CSP")
            #expect(!page.body.hasInlineScript)
            // The screen-reader table lists each bar's month and amount.
            let bars = svg.components(separatedBy: "<rect class=\"bar").dropFirst()
            #expect(!bars.isEmpty)
            for bar in bars {
                let title = try #require(bar.range(of: "<title>").map { String(bar[$0.upperBound...].prefix { $0 != "," }) })
                #expect(page.body.contains(#"<th scope="row">\#(title)</th>"#))
            }
            // Partners see no partner column; only their own locations.
            #expect(!page.body.contains(#"<th scope="col">Partner</th>"#))
            #expect(!page.body.contains("Cedar Systems"))
        }
    }

    @Test("the manager sees every organization with a partner column; Older and Newer links walk the list by cursor")
    func pagesByCursor() async throws {
        try await WebHarness.with { app in
            let b = try await app.signedIn("manager@vendor.example")
            let whole = try await b.get("/earnings?per=200")
            #expect(whole.body.contains(#"<th scope="col">Partner</th>"#) && whole.body.contains("Cedar Systems"))
            let all = Self.claimIDs(whole.body)
            #expect(all.count > 6)
            var seen: [String] = []
            var path: String? = "/earnings?per=3"
            var pages: [String] = []
            while let next = path {
                pages.append(next)
                let page = try await b.get(next)
                #expect(page.status == .ok)
                seen += Self.claimIDs(page.body)
                path = Self.link("next", in: page.body)
                #expect(path.map { $0.contains("after=") && $0.contains("per=3") } ?? true)
            }
            #expect(seen == all)
            #expect(!pages.contains { $0.contains("offset") || $0.contains("page=") })
            // Back from the last page with Newer.
            let last = try await b.get(pages.last!)
            let newer = try #require(Self.link("prev", in: last.body))
            #expect(newer.contains("before="))
            let back = try await b.get(newer)
            #expect(Self.claimIDs(back.body) == Self.claimIDs(try await b.get(pages[pages.count - 2]).body))
        }
    }

    @Test("filters in the URL narrow the list, keep in the links, and bad values answer 400")
    func filters() async throws {
        try await WebHarness.with { app in
            let b = try await app.signedIn("admin@bluefin.example")
            let paid = try await b.get("/earnings?status=paid&per=2")
            #expect(paid.status == .ok)
            #expect(paid.body.contains(#"<option value="paid" selected>"#))
            #expect(paid.body.contains(#"href="/earnings.csv?status=paid""#))
            #expect(!paid.body.contains("badge-progress"))
            // Bluefin has five paid earnings (the demo's runs): two a page leaves an Older link, which keeps the filter.
            let older = try #require(Self.link("next", in: paid.body))
            #expect(older.contains("status=paid"))
            for bad in ["status=settled", "month=2026-13", "month=december", "location=x", "after=-1", "per=0", "per=1000"] {
                #expect(try await b.get("/earnings?\(bad)").status == .badRequest, "\(bad)")
            }
            #expect(try await b.get("/earnings.csv?status=nope").status == .badRequest)
            // A location of another organization filters to nothing rather than showing it.
            let foreign = try await b.get("/earnings?location=5")
            #expect(foreign.status == .ok && !foreign.body.contains("Cedar Systems") && foreign.body.contains("No earnings match"))
        }
    }

    @Test("CSV export: an attachment, RFC 4180 lines in the page's order and scope")
    func csv() async throws {
        try await WebHarness.with { app in
            let b = try await app.signedIn("admin@bluefin.example")
            let csv = try await b.get("/earnings.csv")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition] == #"attachment; filename="earnings-2026-11-25.csv""#)
            let lines = csv.body.components(separatedBy: "\r\n")
            #expect(lines.first == EarningsReads.csvColumns.joined(separator: ","))
            #expect(lines.last == "")
            let rows = lines.dropFirst().dropLast()
            #expect(!rows.isEmpty && rows.allSatisfy { $0.contains(",Bluefin Consulting,") })
            let page = try await b.get("/earnings?per=200")
            #expect(rows.map { $0.split(separator: ",")[1] }.map(String.init) == Self.claimIDs(page.body))
            let filtered = try await b.get("/earnings.csv?status=paid")
            let paidRows = filtered.body.components(separatedBy: "\r\n").dropFirst().dropLast()
            #expect(paidRows.count == 5 && paidRows.allSatisfy { $0.hasSuffix(",paid") })
        }
    }

    @Test("roles without the section get 403; signed out goes to sign in")
    func access() async throws {
        try await WebHarness.with { app in
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            #expect(try await reviewer.get("/earnings").status == .forbidden)
            #expect(try await reviewer.get("/earnings.csv").status == .forbidden)
            let out = app.browser()
            let csv = try await out.get("/earnings.csv")
            #expect(csv.status == .seeOther && csv.location?.hasPrefix("/login") == true)
        }
    }

    @Test("short bar labels come from integer minor units")
    func shortAmounts() {
        func short(_ money: Money) -> String { ShortAmount.text(minorUnits: money.minorUnits, currency: money.currency) }
        #expect(short(Money(950, .usd)) == "950")
        #expect(short(Money(12_500, .usd)) == "12.5k")
        #expect(short(Money(4_000, .usd)) == "4k")
        #expect(short(Money(1_250_000, Currency("JPY"))) == "1.2M")
        let charts = EarningsChart.charts([
            MonthlyEarning(month: "2026-11", earned: Money(100, .usd), paid: .zero(.usd), lines: 1),
            MonthlyEarning(month: "2026-11", earned: Money(300, .eur), paid: .zero(.eur), lines: 1),
            MonthlyEarning(month: "2026-12", earned: Money(50, .usd), paid: .zero(.usd), lines: 1),
        ])
        #expect(charts.map(\.chart.id) == ["chart-eur", "chart-usd"])
        #expect(charts[1].chart.rects.map(\.height) == [160, 80])
        #expect(charts[0].chart.rects.map(\.height) == [160])
    }
}
