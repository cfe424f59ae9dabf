import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Add customer against the budgets, on SQLite and PostgreSQL")
struct BudgetIntakeTests {
    let now = TestDatabases.now
    let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])

    /// An engagement open to location 1 on which a new claim is expected to cost something, and that cost.
    func pricedEngagement(_ db: Database) async throws -> (engagement: Engagement, expected: Int64) {
        let country = try await db.read { sql in
            try await sql.raw("SELECT country FROM locations WHERE id = 1").first(decodingColumn: "country", as: String.self)
        }
        let market = Market(country: try #require(country))
        for option in try await ClaimIntake(db: db).options(kind: .partnerActivities, locationID: 1, customer: nil, in: bluefin, at: now)
        where option.option.isOpen {
            let engagement = try #require(try await CatalogueRepository(db: db).engagement(option.id))
            let expected = Commitment.expectedMinor(version: engagement.version(inForceAt: now), market: market, hours: nil)
            if expected > 0 { return (engagement, expected) }
        }
        throw StoreError.notFound("No priced engagement is open to location 1.")
    }

    func request(_ engagement: Int64, name: String) -> IntakeRequest {
        IntakeRequest(kind: .partnerActivities, name: name, organizationID: 1, locationID: 1,
                      customer: .named(name: "Budget Co \(name)", domain: "\(name.lowercased())-budget.example", tenantID: nil, subscriptionID: nil),
                      engagementID: engagement, contacts: [Contact(name: "Ada", title: "CIO", email: "ada@\(name.lowercased())-budget.example")],
                      mismatchReason: "")
    }

    func option(_ engagement: Int64, _ db: Database) async throws -> IntakeEngagement {
        try #require(try await ClaimIntake(db: db).options(kind: .partnerActivities, locationID: 1, customer: nil, in: bluefin, at: now)
            .first { $0.id == engagement })
    }

    func claimCount(_ db: Database) async throws -> Int64 {
        try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM claims").first(decodingColumn: "n", as: Int64.self) ?? 0 }
    }

    @Test("past the engagement's budget the partner is warned and may go on; once it is used up the claim is refused and nothing stored",
          arguments: TestDatabases.flavors)
    func engagementBudget(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let (engagement, expected) = try await pricedEngagement(db)
            let currency = engagement.version(inForceAt: now).rates.currency
            // Something committed on it, so that a budget can be used up.
            _ = try await BudgetsTests.claim(.consentReceived, engagement: engagement.id, version: engagement.version(inForceAt: now).number,
                                             amount: Money(minorUnits: 10_000, currency: currency), at: now, on: db)
            let budgets = Budgets(db: db)
            let manager = try await BudgetsTests.manager(db)
            let committed = try #require(try await budgets.overview().engagements.first { $0.id == engagement.id }).figures.committedMinor
            #expect(committed >= 10_000)
            let intake = ClaimIntake(db: db)
            let author = Actor(role: .incentivesAdmin, userID: nil, name: "Admin")

            #expect(try await option(engagement.id, db).budgetWarning == nil)
            let oneCentShort = Money(minorUnits: committed + expected - 1, currency: currency)
            try await budgets.setEngagementBudget(engagement.id, amount: oneCentShort.plainText, currency: nil, by: manager, at: now)
            let warned = try await option(engagement.id, db)
            #expect(warned.option.isOpen)
            #expect(warned.budgetWarning?.contains("past its limit by \(Money(minorUnits: 1, currency: currency))") == true)
            #expect(warned.option.notes.contains(try #require(warned.budgetWarning)))
            let stored = try await intake.create(request(engagement.id, name: "Warned"), by: author, in: bluefin, at: now)
            #expect(stored.engagementID == engagement.id)

            try await budgets.setEngagementBudget(engagement.id, amount: Money(minorUnits: committed, currency: currency).plainText,
                                                  currency: nil, by: manager, at: now)
            let refused = try await option(engagement.id, db)
            #expect(refused.option.refusal == "This engagement's budget is used up: the vendor accepts no new claims on it.")
            let before = try await claimCount(db)
            await #expect(throws: ClaimRefusal.cannotClaim("This engagement's budget is used up: the vendor accepts no new claims on it.")) {
                try await intake.create(request(engagement.id, name: "Refused"), by: author, in: bluefin, at: now)
            }
            #expect(try await claimCount(db) == before)
            let customers = try await db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM customers WHERE domain = 'refused-budget.example'")
                    .first(decodingColumn: "n", as: Int64.self)
            }
            #expect(customers == 0)
        }
    }

    @Test("the program's budget in the engagement's currency counts too", arguments: TestDatabases.flavors)
    func programBudget(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let (engagement, _) = try await pricedEngagement(db)
            let currency = engagement.version(inForceAt: now).rates.currency
            _ = try await BudgetsTests.claim(.submitted, engagement: engagement.id, version: engagement.version(inForceAt: now).number,
                                             amount: Money(minorUnits: 10_000, currency: currency), at: now, on: db)
            let budgets = Budgets(db: db)
            let program = try #require(try await budgets.overview().program.first { $0.currency == currency })
            let usedUp = Money(minorUnits: program.committedMinor, currency: currency).plainText
            try await budgets.setProgramBudget(currency: currency.code, amount: usedUp, by: try await BudgetsTests.manager(db), at: now)
            let refused = try await option(engagement.id, db)
            let code = currency.code
            #expect(refused.option.refusal == "The program's budget in \(code) is used up: the vendor accepts no new claims paid in \(code).")
            await #expect(throws: ClaimRefusal.self) {
                try await ClaimIntake(db: db).create(request(engagement.id, name: "Program"),
                                                     by: Actor(role: .incentivesAdmin, userID: nil, name: "Admin"), in: bluefin, at: now)
            }
        }
    }
}
