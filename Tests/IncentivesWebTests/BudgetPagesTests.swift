import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import NIOCore
import SQLKit
import Testing

@Suite("Budgets: the console's page, Add customer's warning and refusal, the API")
struct BudgetPagesTests {
    /// The engagement's committed money, as the report reads it.
    static func committed(_ app: WebHarness, _ engagement: Int64) async throws -> BudgetFigures {
        try #require(try await Budgets(db: app.db).overview().engagements.first { $0.id == engagement }).figures
    }

    /// Moves a London claim waiting for its customer onto the engagement, consented at `minor`, so something is committed on it.
    static func commit(_ app: WebHarness, on engagement: Int64, minor: Int64 = 10_000) async throws {
        try await app.db.write { sql in
            try await sql.raw("""
                UPDATE claims SET status = 'consent_received', amount_minor = \(bind: minor), consent_at = \(bind: app.clock.now),
                  engagement_id = \(bind: engagement), currency = (SELECT currency FROM engagements WHERE id = \(bind: engagement))
                WHERE id = (SELECT MIN(id) FROM claims WHERE status = 'customer_claimed' AND location_id = 2)
                """).run()
        }
    }

    @Test("the program manager sets and clears budgets next to each figure; a refusal is said next to its field and stores nothing",
          arguments: TestDatabases.flavors)
    func consolePage(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let manager = try await app.signedIn("manager@vendor.example")
            let page = try await manager.get("/catalogue/budgets")
            #expect(page.status == .ok)
            #expect(page.body.contains(#"id="engagement-budgets""#) && page.body.contains(#"id="reconciliation""#))
            #expect(try await manager.get("/catalogue").body.contains(#"href="/catalogue/budgets""#))

            let figures = try await Self.committed(app, 1)
            let set = try await manager.post("/catalogue/budgets/engagements/1", [("amount", "12,345.67"), ("intent", "set")])
            #expect(set.status == .seeOther && set.location == "/catalogue/budgets")
            let after = try await manager.get("/catalogue/budgets")
            #expect(after.body.contains(Money(minorUnits: 1_234_567, currency: figures.currency).description))
            #expect(after.body.contains(#"value="12345.67""#))
            #expect(try await Self.committed(app, 1).budgetMinor == 1_234_567)

            let refused = try await HostileFormsTests.refusedPage(app, manager, "a budget below a cent", "/catalogue/budgets/engagements/1",
                                                                  [("amount", "10.001"), ("intent", "set")], expect: .unprocessableContent)
            #expect(refused.body.contains(#"id="engagement-budget-1-error""#))
            #expect(refused.body.contains("at most 2 digits after the point"))
            #expect(refused.body.contains(#"value="10.001""#))
            try await HostileFormsTests.refusedPage(app, manager, "an unknown engagement", "/catalogue/budgets/engagements/987654",
                                                    [("amount", "100"), ("intent", "set")], expect: .notFound)

            let program = try await manager.post("/catalogue/budgets/program", [("currency", "eur"), ("amount", "5000"), ("intent", "set")])
            #expect(program.status == .seeOther)
            let cleared = try await manager.post("/catalogue/budgets/engagements/1", [("intent", "clear")])
            #expect(cleared.status == .seeOther)
            let final = try await manager.get("/catalogue/budgets")
            #expect(final.body.contains(#"id="program-budget-eur""#))
            #expect(final.body.contains("Budget of \(try #require(try await CatalogueRepository(db: app.db).engagement(1)).name) cleared"))
            #expect(try await Self.committed(app, 1).budgetMinor == nil)
        }
    }

    @Test("reviewers read budgets without forms and are refused changes; partners never see them; the CSV has a line per row")
    func readersAndCSV() async throws {
        try await WebHarness.with { app in
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let page = try await reviewer.get("/catalogue/budgets")
            #expect(page.status == .ok)
            #expect(!page.body.contains(#"name="amount""#))
            #expect(try await reviewer.post("/catalogue/budgets/engagements/1", [("amount", "100"), ("intent", "set")]).status == .forbidden)
            let partner = try await app.signedIn("admin@bluefin.example")
            #expect(try await partner.get("/catalogue/budgets").status == .forbidden)
            #expect(try await partner.get("/catalogue/budgets/reconciliation.csv").status == .forbidden)

            let csv = try await reviewer.get("/catalogue/budgets/reconciliation.csv")
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.body.split(separator: "\r\n")
            let rows = try await Budgets(db: app.db).reconciliation()
            #expect(lines.first == "engagement_id,engagement,currency,approved,paid,in_runs,payable,carried,reconciles")
            #expect(lines.count == rows.count + 1)
            let first = try #require(rows.first)
            #expect(lines.dropFirst().first?.hasPrefix("\(first.engagementID),") == true)
            #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(",yes") })
        }
    }

    @Test("Add customer warns past the budget and goes on; once it is used up the engagement is refused with why, next to it",
          arguments: TestDatabases.flavors)
    func addCustomer(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let engagement = try await APIWriteMatrixTests.openEngagement(app)
            try await Self.commit(app, on: engagement)
            let figures = try await Self.committed(app, engagement)
            let budgets = Budgets(db: app.db)
            let manager = try #require(try await UserRepository(db: app.db).find(email: "manager@vendor.example")).viewer
            let oneCentLeft = Money(minorUnits: figures.committedMinor + 1, currency: figures.currency).plainText
            try await budgets.setEngagementBudget(engagement, amount: oneCentLeft, currency: nil, by: manager, at: app.clock.now)
            let user = try await app.signedIn("user@bluefin.example")
            try await user.get("/claims/new")
            let options = try await user.post("/claims/new", AddCustomerPageTests.fields(engagement: engagement, step: "details"))
            let choice = try #require(AddCustomerPageTests.choice(engagement, in: options.body))
            #expect(choice.contains("past its limit by"))
            let review = try await user.post("/claims/new", AddCustomerPageTests.fields(engagement: engagement, step: "contacts"))
            #expect(review.status == .ok && review.body.contains("past its limit by"))
            let created = try await user.post("/claims/new", AddCustomerPageTests.fields(engagement: engagement, step: "create"))
            #expect(created.status == .seeOther)

            try await budgets.setEngagementBudget(engagement, amount: Money(minorUnits: figures.committedMinor, currency: figures.currency).plainText,
                                                  currency: nil, by: manager, at: app.clock.now)
            let message = "budget is used up: the vendor accepts no new claims on it." // after "This engagement's", which the page escapes
            let listed = try await user.post("/claims/new", AddCustomerPageTests.fields(engagement: engagement, domain: "other-budget.example",
                                                                                          contact: "it@other-budget.example", step: "details"))
            #expect(try #require(AddCustomerPageTests.choice(engagement, in: listed.body)).contains(message))
            for step in ["engagements", "create"] {
                let fields = AddCustomerPageTests.fields(engagement: engagement, domain: "other-budget.example", contact: "it@other-budget.example",
                                                         step: step)
                let refused = try await HostileFormsTests.refusedPage(app, user, "a claim on a used-up budget (\(step))", "/claims/new", fields,
                                                                      expect: .unprocessableContent)
                #expect(refused.body.contains(message))
            }
        }
    }

    @Test("the API: the vendor reads, the program manager sets and clears, partners are refused; a claim on a used-up budget is 422",
          arguments: TestDatabases.flavors)
    func api(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let manager = try await app.token("manager@vendor.example")
            let reviewer = try await app.token("reviewer@vendor.example")
            let partner = try await app.token("admin@bluefin.example")
            #expect(try await app.api("/api/v1/budgets", token: partner).status == .forbidden)
            #expect(try await app.api("/api/v1/budgets", token: reviewer).status == .ok)
            #expect(try await app.api("/api/v1/budgets/reconciliation", token: reviewer).status == .ok)
            let byReviewer = try await app.api("/api/v1/budgets/engagements/1", method: .put, token: reviewer, json: #"{"amount": "100"}"#)
            #expect(byReviewer.status == .forbidden)
            let readToken = try await app.token("manager@vendor.example", scope: .read)
            let withReadToken = try await app.api("/api/v1/budgets/engagements/1", method: .put, token: readToken, json: #"{"amount": "100"}"#)
            #expect(withReadToken.status == .forbidden)

            let engagement = try await APIWriteMatrixTests.openEngagement(app)
            let currency = try await Self.committed(app, engagement).currency
            let set = try await app.api("/api/v1/budgets/engagements/\(engagement)", method: .put, token: manager,
                                        json: #"{"amount": "2500.50", "currency": "\#(currency.code)"}"#)
            #expect(set.status == .ok)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: set.body)) as? [String: Any])
            #expect(body["budget"] as? String == "2500.50" && body["engagement_id"] as? Int == Int(engagement))
            let refused = try await app.api("/api/v1/budgets/engagements/\(engagement)", method: .put, token: manager, json: #"{"amount": "-1"}"#)
            #expect(refused.status == .unprocessableContent && refused.problemType == "/api/docs#problem-invalid-input")
            #expect(try await app.api("/api/v1/budgets/engagements/\(engagement)", method: .delete, token: manager).status == .noContent)
            #expect(try await app.api("/api/v1/budgets/engagements/\(engagement)", method: .delete, token: manager).status == .notFound)

            try await Self.commit(app, on: engagement)
            let program = try #require(try await Budgets(db: app.db).overview().program.first { $0.currency == currency })
            let full = Money(minorUnits: program.committedMinor, currency: currency).plainText
            let put = try await app.api("/api/v1/budgets/program/\(currency.code.lowercased())", method: .put, token: manager,
                                        json: #"{"amount": "\#(full)"}"#)
            #expect(put.status == .ok)
            func count() async throws -> Int64? {
                try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM claims").first(decodingColumn: "n", as: Int64.self) }
            }
            let claims = try await count()
            let claim = try await app.api("/api/v1/claims", method: .post, token: partner,
                                          json: APIWriteMatrixTests.newClaimBody(location: 1, engagement: engagement, tag: "budget"))
            #expect(claim.status == .unprocessableContent)
            #expect(String(buffer: claim.body).contains("The program's budget in \(currency.code) is used up"))
            #expect(try await count() == claims)
            #expect(try await app.api("/api/v1/budgets/program/\(currency.code)", method: .delete, token: manager).status == .noContent)
        }
    }

    @Test("hostile budgets: control characters, overrides, NUL, huge and formula amounts are refused and store nothing",
          arguments: TestDatabases.flavors)
    func hostile(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let manager = try await app.signedIn("manager@vendor.example")
            try await manager.get("/catalogue/budgets")
            let rlo = HostileInputTests.rlo
            let amounts = ["1\(rlo)00", "100\u{7}", "=1+1", HostileInputTests.script, String(repeating: "9", count: 5_000), "1e9", "0x10", "١٠٠"]
            for amount in amounts {
                try await HostileFormsTests.refusedPage(app, manager, "engagement amount \(amount.prefix(20))", "/catalogue/budgets/engagements/1",
                                                        [("amount", amount), ("intent", "set")])
                try await HostileFormsTests.refusedPage(app, manager, "program amount \(amount.prefix(20))", "/catalogue/budgets/program",
                                                        [("currency", "USD"), ("amount", amount), ("intent", "set")])
            }
            for currency in ["US\(rlo)D", "<b>", "USD\u{0}", String(repeating: "U", count: 4_000), "€€€"] {
                let page = try await HostileFormsTests.refusedPage(app, manager, "currency \(currency.prefix(20))", "/catalogue/budgets/program",
                                                                   [("currency", currency), ("amount", "100"), ("intent", "set")])
                #expect(!page.body.contains("<b>"), "currency shown unescaped")
            }
            for id in HostileFormsTests.badIDs {
                try await HostileFormsTests.refusedPage(app, manager, "engagement id \(id)", "/catalogue/budgets/engagements/\(id)",
                                                        [("amount", "100"), ("intent", "set")])
            }
            let token = try await app.token("manager@vendor.example")
            for body in [#"{"amount": "1\#(rlo)00"}"#, #"{"amount": 100}"#, #"{"amount": "100", "extra": 1}"#, #"{"amount": ""}"#, "not json",
                         #"{"amount": "\#(String(repeating: "9", count: 41))"}"#, #"{"amount": "100", "currency": "EURO"}"#] {
                try await HostileFormsTests.refused(app, "API body \(body.prefix(30))") {
                    try await app.api("/api/v1/budgets/engagements/1", method: .put, token: token, json: body).status
                }
                try await HostileFormsTests.refused(app, "API program body \(body.prefix(30))") {
                    try await app.api("/api/v1/budgets/program/USD", method: .put, token: token, json: body).status
                }
            }
            for currency in ["U%00D", "US", "USDX", "%E2%80%AEUS"] {
                try await HostileFormsTests.refused(app, "API currency \(currency)") {
                    try await app.api("/api/v1/budgets/program/\(currency)", method: .put, token: token, json: #"{"amount": "100"}"#).status
                }
            }
        }
    }
}
