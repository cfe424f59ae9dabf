import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import SQLKit
import Testing

/// `/engagements` (tabs, filters, sort, scoping) and one engagement's Summary, Customers, Eligibility pages.
@Suite("Engagement pages")
struct EngagementPagesTests {
    /// The engagement ids of the list's rows, in order.
    static func rowIDs(_ body: String) -> [Int64] {
        body.components(separatedBy: #"<tr data-engagement=""#).dropFirst().compactMap { Int64($0.prefix { $0.isNumber }) }
    }

    /// The text of the table cells of one list row.
    static func row(_ body: String, _ id: Int64) -> String? {
        guard let start = body.range(of: #"<tr data-engagement="\#(id)""#),
              let end = body.range(of: "</tr>", range: start.upperBound..<body.endIndex) else { return nil }
        return String(body[start.upperBound..<end.lowerBound])
    }

    static let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])

    @Test("tabs by solution area with counts; the default tab is the first area; rows are the eligible engagements of the tab")
    func tabs() async throws {
        try await WebHarness.with { app in
            let board = try await EngagementReads(db: app.db).board(in: Self.bluefin, at: app.clock.now)
            let browser = try await app.signedIn("admin@bluefin.example")
            let first = try await browser.get("/engagements")
            #expect(first.status == .ok)
            #expect(first.body.h1 == "Engagements")
            for area in board.areas {
                let expected = board.engagements.filter { $0.solutionArea.id == area.id }
                #expect(first.body.contains(#"href="/engagements?area=\#(area.code)"#))
                #expect(first.body.contains("\(area.name) <span class=\"tab-count\">(\(expected.count))</span>"))
                let page = try await browser.get("/engagements?area=\(area.code)")
                #expect(Self.rowIDs(page.body) == expected.sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }.map(\.id))
                #expect(page.body.contains(#"aria-current="page">\#(area.name)"#))
            }
            #expect(Self.rowIDs(first.body) == Self.rowIDs(try await browser.get("/engagements?area=\(board.areas[0].code)").body))
            // Each row's name opens the engagement.
            for id in Self.rowIDs(first.body) { #expect(first.body.contains(#"<a href="/engagements/\#(id)">"#)) }
        }
    }

    @Test("filters combine, stay in the tab and sort links, and an empty result says so with the manager's contact")
    func filters() async throws {
        try await WebHarness.with { app in
            let browser = try await app.signedIn("admin@bluefin.example")
            let active = try await browser.get("/engagements?area=modern-work-security&status=active&role=build_intent")
            #expect(active.status == .ok)
            let ids = Self.rowIDs(active.body)
            #expect(!ids.isEmpty)
            for id in ids {
                let row = try #require(Self.row(active.body, id))
                #expect(row.contains(">Active<") && row.contains("Build intent - Partner activities"))
            }
            #expect(active.body.contains(#"href="/engagements?area=cloud-infrastructure&amp;status=active&amp;role=build_intent""#))
            #expect(active.body.contains("sort=role&amp;dir=asc"))
            #expect(active.body.contains(#"<option value="active" selected>"#))
            // Nothing closed and use-or-consume: the empty tab explains how to be added.
            let none = try await browser.get("/engagements?area=modern-work-security&status=closed&role=use_or_consume")
            #expect(Self.rowIDs(none.body).isEmpty)
            #expect(none.body.contains("matches these filters"))
            #expect(none.body.contains("Casey Kim") && none.body.contains("mailto:incentives-team@vendor.example"))
            // The location filter keeps engagements that location is eligible on, and names only it.
            let seattle = try await browser.get("/engagements?location=1")
            for id in Self.rowIDs(seattle.body) {
                let row = try #require(Self.row(seattle.body, id))
                #expect(row.contains("<td>Seattle</td>"))
            }
            // Unknown values fall back to the defaults rather than failing.
            #expect(try await browser.get("/engagements?area=nope&status=weird&sort=zzz&dir=up").status == .ok)
        }
    }

    @Test("an upcoming or closed engagement shows no green icon; an active one with an earning location does")
    func greenIcon() async throws {
        try await WebHarness.with { app in
            let board = try await EngagementReads(db: app.db).board(in: Self.bluefin, at: app.clock.now)
            let browser = try await app.signedIn("admin@bluefin.example")
            var seen = 0
            for area in board.areas {
                let page = try await browser.get("/engagements?area=\(area.code)")
                for e in board.engagements where e.solutionArea.id == area.id {
                    let row = try #require(Self.row(page.body, e.id))
                    let figure = e.earningLocations(at: app.clock.now)
                    #expect(row.contains(figure.label))
                    #expect(row.contains("earning-icon") == (e.status == .active && figure.earning > 0))
                    if e.status != .active { #expect(figure.earning == 0); seen += 1 }
                }
            }
            #expect(seen > 0, "the demo has an upcoming and a closed engagement")
        }
    }

    @Test("columns sort on the server in both directions, with aria-sort and toggling links")
    func sorting() async throws {
        try await WebHarness.with { app in
            let board = try await EngagementReads(db: app.db).board(in: Self.bluefin, at: app.clock.now)
            let browser = try await app.signedIn("admin@bluefin.example")
            let names = Dictionary(uniqueKeysWithValues: board.engagements.map { ($0.id, $0.name) })
            let desc = try await browser.get("/engagements?sort=name&dir=desc")
            let descNames = Self.rowIDs(desc.body).map { names[$0]! }
            #expect(descNames == descNames.sorted { $0.localizedStandardCompare($1) == .orderedDescending })
            #expect(desc.body.contains(#"aria-sort="descending"><a href="/engagements?area=cloud-infrastructure">Engagement"#))
            let byEligible = try await browser.get("/engagements?sort=eligible&dir=desc")
            let counts = Self.rowIDs(byEligible.body).map { id in board.engagements.first { $0.id == id }!.eligibleCustomers }
            #expect(counts == counts.sorted(by: >))
            let byActive = try await browser.get("/engagements?area=business-applications&sort=active&dir=asc")
            let active = Self.rowIDs(byActive.body).map { id in board.engagements.first { $0.id == id }!.activeCustomers }
            #expect(active == active.sorted())
            #expect(byActive.body.contains(#"aria-sort="ascending""#))
        }
    }

    @Test("a Seattle-only user sees Seattle only: in the filter, the rows, the counts and the eligibility page")
    func scoping() async throws {
        try await WebHarness.with { app in
            let browser = try await app.signedIn("user@bluefin.example")
            let page = try await browser.get("/engagements")
            #expect(page.status == .ok)
            #expect(page.body.contains(">Seattle</option>"))
            #expect(!page.body.contains("London") && !page.body.contains("Bangalore"))
            let seattleBoard = try await EngagementReads(db: app.db).board(in: .partner(organizationID: 1, locationIDs: [1]), at: app.clock.now)
            let counts = seattleBoard.engagements.filter { $0.solutionArea.id == 1 }
            #expect(Self.rowIDs(page.body).sorted() == counts.map(\.id).sorted())
            for e in seattleBoard.engagements { #expect(e.earningLocations(at: app.clock.now).enrolled <= 1) }
            let eligibility = try await browser.get("/engagements/2/eligibility")
            #expect(eligibility.body.contains("Seattle") && !eligibility.body.contains("London"))
            // London's claims never show on the customers page.
            let london = try await app.db.read { try await $0.raw("SELECT id FROM claims WHERE location_id = 2").all().map { try $0.decode(column: "id", as: Int64.self) } }
            for id in [Int64(1), 2, 8, 15] {
                let customers = try await browser.get("/engagements/\(id)/customers")
                for tab in ["eligible", "ineligible", "complete"] {
                    let body = try await browser.get("/engagements/\(id)/customers?tab=\(tab)").body
                    for claim in london { #expect(!body.contains("/claims/\(claim)\"")) }
                }
                #expect(customers.status == .ok)
            }
        }
    }

    @Test("unknown, malformed and foreign engagements answer 404; so does a template the engagement does not have")
    func notFound() async throws {
        try await WebHarness.with { app in
            let bluefin = try await app.signedIn("admin@bluefin.example")
            for path in ["/engagements/987654", "/engagements/abc", "/engagements/987654/customers", "/engagements/987654/eligibility",
                         "/engagements/1/templates/invoice", "/engagements/1/templates/nonsense", "/engagements/987654/templates/findings_document"] {
                #expect(try await bluefin.get(path).status == .notFound, "\(path)")
            }
            // Kestrel is on no business applications list.
            let kestrel = try await app.signedIn("admin@kestrel.example")
            let foreign = try await kestrel.get("/engagements/15")
            #expect(foreign.status == .notFound && foreign.body.h1 == "Page not found")
            #expect(try await kestrel.get("/engagements/15/customers").status == .notFound)
            #expect(try await kestrel.get("/engagements/1").status == .ok)
            // Taken off a list (its entries; criteria results stay, as when the program manager removes a location): 404 for Bluefin too.
            try await app.db.write { try await $0.raw("DELETE FROM eligibility_entries WHERE engagement_id = 3 AND location_id IN (1, 2, 3, 4)").run() }
            #expect(try await bluefin.get("/engagements/3").status == .notFound)
            #expect(!Self.rowIDs(try await bluefin.get("/engagements").body).contains(3))
            // Vendor users have no engagements section.
            #expect(try await app.signedIn("reviewer@vendor.example").get("/engagements/2").status == .forbidden)
        }
    }

    @Test("the summary shows criteria, proof with a downloadable template, links, rates, deadlines, limits and the locations' earnings")
    func summary() async throws {
        try await WebHarness.with { app in
            let browser = try await app.signedIn("admin@bluefin.example")
            // Infrastructure modernization workshop: fixed pay, version 2, a findings template 3.1.
            let page = try await browser.get("/engagements/2")
            #expect(page.status == .ok)
            #expect(page.body.h1 == "Infrastructure modernization workshop")
            for text in ["Partner qualification criteria", "Solutions partner designation for Infrastructure",
                         "Customer qualification criteria", "At least 50 paid seats",
                         "Workshop findings template, version 3.1", #"href="/engagements/2/templates/findings_document""#,
                         "https://partners.example/guides/2", "USD 5,000.00", "USD 3,000.00", "USD 1,000.00",
                         "Rules version 2", "90 days", "120 days", "No end date", "No cap", "1 active claim per customer",
                         "What your locations would earn", "Seattle", "Bangalore", "The tax profile expired",
                         #"href="/engagements/2/customers""#, #"href="/engagements/2/eligibility""#] {
                #expect(page.body.contains(text), "summary lacks \(text)")
            }
            // Variable pay: hourly rates, max hours, a cap.
            let variable = try await browser.get("/engagements/5")
            #expect(variable.body.contains("Hourly rate") && variable.body.contains("USD 150.00 per hour") && variable.body.contains("At most 80 hours"))
            #expect(variable.body.contains("USD 20,000.00 per location"))
            // Market A only: the others are not paid.
            let marketA = try await browser.get("/engagements/12")
            #expect(marketA.body.contains("Not paid in this market"))
            // The template file: real text with the name and version.
            let file = try await browser.get("/engagements/2/templates/findings_document")
            #expect(file.status == .ok)
            #expect(file.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(file.headers[.contentDisposition]?.contains("workshop-findings-template-v3.1.txt") == true)
            #expect(file.body.hasPrefix("Workshop findings template - version 3.1"))
            #expect(file.body.contains("Customer sign-off"))
        }
    }

    @Test("customers: Eligible / Ineligible (with the reason) / Complete tabs, claim links, and the add-a-customer link")
    func customers() async throws {
        try await WebHarness.with { app in
            let browser = try await app.signedIn("admin@bluefin.example")
            let detail = try #require(try await EngagementReads(db: app.db).detail(7, in: Self.bluefin, at: app.clock.now, customerLimit: 500))
            let page = try await browser.get("/engagements/7/customers")
            #expect(page.status == .ok)
            #expect(page.body.contains(#"<a class="button" href="/claims/new?engagement=7">Add a customer</a>"#))
            var total = 0
            for (tab, title) in [("eligible", "Eligible"), ("ineligible", "Ineligible"), ("complete", "Complete")] {
                let expected = detail.customers.filter {
                    switch $0.eligibility { case .eligible: tab == "eligible"; case .ineligible: tab == "ineligible"; case .complete: tab == "complete" }
                }
                total += expected.count
                #expect(page.body.contains("\(title) <span class=\"tab-count\">(\(expected.count))</span>"))
                let body = try await browser.get("/engagements/7/customers?tab=\(tab)").body
                for c in expected {
                    #expect(body.contains(c.customer.name.replacingOccurrences(of: "&", with: "&amp;")))
                    if let claim = c.claimID { #expect(body.contains(#"href="/claims/\#(claim)""#)) }
                }
                if tab == "ineligible" && !expected.isEmpty { #expect(body.contains("Why not eligible")) }
            }
            #expect(total == detail.customers.count && total > 0)
            // Cloud consumption accelerator is use or consume: customers without a subscription do not meet its criteria.
            #expect(detail.customers.contains { $0.eligibility == .ineligible(.criteriaNotMet) })
            let ineligible = try await browser.get("/engagements/7/customers?tab=ineligible")
            #expect(ineligible.body.contains("Checked by the program: The workload&#39;s subscription id is recorded."))
            // A closed engagement: no add link, the reason instead.
            let closed = try await browser.get("/engagements/14/customers")
            #expect(!closed.body.contains("/claims/new?engagement=14"))
            #expect(closed.body.contains("no longer takes new claims"))
        }
    }

    /// The address of a page's "Next page" link, if it has one.
    static func nextHref(_ body: String) -> String? {
        guard let end = body.range(of: #"" rel="next""#),
              let start = body.range(of: #"href=""#, options: .backwards, range: body.startIndex..<end.lowerBound) else { return nil }
        return unescaped(String(body[start.upperBound..<end.lowerBound]))
    }

    static func unescaped(_ html: String) -> String {
        [("&quot;", "\""), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")].reduce(html) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    /// The customers' names in a Customers page's rows, in order.
    static func customerNames(_ body: String) -> [String] {
        body.components(separatedBy: "<tr><td>").dropFirst().map { Self.unescaped(String($0.prefix { $0 != "<" })) }
    }

    /// How many customers the scope (one organization's locations) has, each once, from the claims.
    static func customerCount(_ scope: AccessScope, _ db: Database) async throws -> Int {
        guard case .partner(let organization, let locations) = scope else { return 0 }
        return try await db.read { sql in
            try await sql.raw("""
                SELECT COUNT(DISTINCT c.customer_id) AS n FROM claims c
                WHERE c.organization_id = \(bind: organization)
                  AND c.location_id IN (\(unsafeRaw: locations.map(String.init).joined(separator: ", ")))
                """).first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    @Test("a small partner of a big program: full pages of its own customers, exact tab counts, Next and First page walk the tab by name")
    func customerPages() async throws {
        try await WebHarness.with { app in
            try await Seeder(db: app.db).seedScale(count: 1_500, now: app.clock.now, batchSize: 500)
            // Seattle's user: a few hundred customers, in a program of more than the walk's bound.
            let seattle = AccessScope.partner(organizationID: 1, locationIDs: [1])
            let walk = EngagementReads.customerWalk
            let mine = try await Self.customerCount(seattle, app.db)
            let program = try await app.db.read {
                try await $0.raw("SELECT COUNT(*) AS n FROM customers").first(decodingColumn: "n", as: Int.self) ?? 0
            }
            try #require(mine <= walk && program > 3 * walk, "a small partner (\(mine) customers) in a big program (\(program))")
            let reads = EngagementReads(db: app.db)
            let everyone = try #require(try await reads.detail(1, in: seattle, at: app.clock.now, customerLimit: 100_000, walk: 100_000))
            let all = everyone.customers.filter { $0.eligibility == .eligible }
            let total = all.count
            let perPage = EngagementController.customersPerPage
            #expect(total > perPage, "more eligible customers than a page holds")
            let browser = try await app.signedIn("user@bluefin.example")
            var path = "/engagements/1/customers?tab=eligible"
            var shown: [String] = [], pages = 0
            while true {
                let page = try await browser.get(path)
                #expect(page.status == .ok)
                // Exact counts: the tab's, not the page's, with no "+".
                #expect(page.body.contains("Eligible <span class=\"tab-count\">(\(total))</span>"), "the count is the tab's, not the page's")
                let ineligible = everyone.customers.filter { $0.eligibility.group == .ineligible }.count
                #expect(page.body.contains("Ineligible <span class=\"tab-count\">(\(ineligible))</span>"))
                #expect(!page.body.contains("lower bound") && !page.body.contains("Look further"))
                #expect(page.body.contains(#">First page</a>"#) == (pages > 0))
                let names = Self.customerNames(page.body)
                shown += names
                pages += 1
                guard let next = Self.nextHref(page.body), pages < 20 else { break }
                #expect(names.count == perPage, "every page but the last is full")
                #expect(next.hasPrefix("/engagements/1/customers?tab=eligible&after="))
                path = next
            }
            #expect(pages == (total + perPage - 1) / perPage)
            #expect(shown == all.map(\.customer.name))
            // A damaged page link, or one of another kind, is refused as on the claims list.
            #expect(try await browser.get("/engagements/1/customers?tab=eligible&after=zzz").status == .badRequest)
            let dated = ClaimCursor(key: .date(app.clock.now), id: 1).token
            let refused = try await browser.get("/engagements/1/customers?tab=eligible&after=\(dated)")
            #expect(refused.status == .badRequest && refused.body.contains("Start again from the first page."))
        }
    }

    @Test("a partner past the walk's bound: tab counts shown as lower bounds, short pages Look further, every customer reached once")
    func customersPastTheBound() async throws {
        try await WebHarness.with { app in
            try await Seeder(db: app.db).seedScale(count: 1_500, now: app.clock.now, batchSize: 500)
            let walk = EngagementReads.customerWalk
            try #require(try await Self.customerCount(Self.bluefin, app.db) > walk, "Bluefin has more customers than one request looks through")
            let reads = EngagementReads(db: app.db)
            let everyone = try #require(try await reads.detail(1, in: Self.bluefin, at: app.clock.now, customerLimit: 100_000, walk: 100_000))
            let first = try #require(try await reads.detail(1, in: Self.bluefin, at: app.clock.now, customerLimit: 1, walk: walk))
            #expect(first.customerCountsInPart)
            // The board and the API: customer counts capped at 100 (the API says 101), a lower bound said as such.
            let board = try await reads.board(in: Self.bluefin, at: app.clock.now)
            #expect(board.engagements.contains { $0.activeCustomers > 0 || $0.eligibleCustomers > 0 })
            let answer = try await app.api("/api/v1/engagements", token: try await app.token("admin@bluefin.example", scope: .read))
            let object = try JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [String: Any]
            let listed = try #require(object?["engagements"] as? [[String: Any]])
            #expect(listed.count == board.engagements.count)
            for (json, e) in zip(listed, board.engagements) {
                #expect(json["active_customers"] as? Int == e.activeCustomers && e.activeCustomers <= 101)
                #expect(json["eligible_customers"] as? Int == e.eligibleCustomers && e.eligibleCustomers <= 101)
                #expect(json["eligible_customers_at_least"] as? Bool == e.eligibleCustomersAtLeast)
            }
            let browser = try await app.signedIn("admin@bluefin.example")
            let list = try await browser.get("/engagements")
            for e in board.engagements where e.solutionArea.id == board.areas.first?.id {
                let cell = EngagementBoardView.count(e.eligibleCustomers, atLeast: e.eligibleCustomersAtLeast)
                #expect(Self.row(list.body, e.id)?.contains("<td class=\"num\">\(cell)</td>") == true, "engagement \(e.id)")
            }
            for tab in CustomerEligibility.Group.allCases {
                let expected = everyone.customers.filter { $0.eligibility.group == tab }.map(\.customer.name)
                var path = "/engagements/1/customers?tab=\(tab.rawValue)"
                var shown: [String] = [], pages = 0
                while true {
                    let page = try await browser.get(path)
                    #expect(page.status == .ok)
                    if pages == 0 {
                        // Counted over the first customers by name, said so, with "+".
                        let n = try #require(first.customerCounts[tab])
                        #expect(page.body.contains("\(tab.title) <span class=\"tab-count\">(\(n)+)</span>"))
                        #expect(page.body.contains("each count is a lower bound"))
                    }
                    let names = Self.customerNames(page.body)
                    shown += names
                    pages += 1
                    guard let next = Self.nextHref(page.body), pages < 40 else { break }
                    let short = names.count < EngagementController.customersPerPage
                    #expect(page.body.contains(">Look further</a>") == short, "a short page looks further, a full one goes to its next page")
                    if short { #expect(page.body.contains("looked through \(walk) of your customers")) }
                    path = next
                }
                #expect(shown == expected, "\(tab): every customer of the tab once, by name")
            }
        }
    }

    @Test("eligibility: every enrolled location with criteria met or not, payee status linked, green checks when earning")
    func eligibility() async throws {
        try await WebHarness.with { app in
            let browser = try await app.signedIn("admin@bluefin.example")
            let page = try await browser.get("/engagements/2/eligibility")
            #expect(page.status == .ok)
            for name in ["Seattle", "London", "Singapore", "Bangalore"] { #expect(page.body.contains("<td>\(name)</td>")) }
            #expect(page.body.contains("<details class=\"criteria\">"))
            #expect(page.body.contains("Solutions partner designation for Infrastructure"))
            #expect(page.body.contains(#"<a href="/payee-profiles">"#))
            #expect(page.body.contains("The tax profile expired"))
            // The closed engagement: eligible locations are not earning, and the page says why.
            let closed = try await browser.get("/engagements/14/eligibility")
            #expect(closed.body.contains("The engagement is closed."))
            #expect(closed.body.contains("0 of your 4 enrolled locations earn"))
        }
    }
}
