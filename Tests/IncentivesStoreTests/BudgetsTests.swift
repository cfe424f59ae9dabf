import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Budgets: figures, reconciliation and changes on SQLite and PostgreSQL")
struct BudgetsTests {
    let now = TestDatabases.now

    static func manager(_ db: Database) async throws -> Viewer {
        try #require(try await UserRepository(db: db).find(email: "manager@vendor.example")).viewer
    }

    /// A fixed-pay engagement with claims of organization 1's first location, its latest version and currency.
    static func fixedEngagement(_ db: Database) async throws -> (id: Int64, version: Int, currency: Currency) {
        struct Row: Decodable { var id: Int64; var number: Int; var currency: String }
        let row = try #require(try await db.read { sql in
            try await sql.raw("""
                SELECT e.id, MAX(v.number) AS number, e.currency FROM engagements e JOIN engagement_versions v ON v.engagement_id = e.id
                WHERE v.pay_model = 'fixed' GROUP BY e.id, e.currency ORDER BY e.id LIMIT 1
                """).first(decoding: Row.self)
        })
        return (row.id, row.number, Currency(row.currency))
    }

    /// Stores a claim as the writer stores every claim (with an earning and its ledger line when approved).
    static func claim(_ status: ClaimStatus, engagement: Int64, version: Int, amount: Money?, earning: PaymentStatus? = nil,
                      hours: Decimal? = nil, at now: Date, on db: Database) async throws -> Int64 {
        try await db.write { sql in
            let customer = try await sql.raw("SELECT id FROM customers ORDER BY id LIMIT 1").first(decodingColumn: "id", as: Int64.self)!
            let area = try await sql.raw("SELECT solution_area_id FROM engagements WHERE id = \(bind: engagement)")
                .first(decodingColumn: "solution_area_id", as: Int64.self)!
            let claim = Claim(id: 0, organizationID: 1, locationID: 1, engagementID: engagement, engagementVersion: version,
                              customerID: customer, name: "Budget \(status.rawValue)", kind: .partnerActivities, status: status,
                              createdAt: now, consentAt: status.commitsBudget || status == .approved ? now : nil, hours: hours, amount: amount)
            let id = try await ClaimWriter.insert(claim, clock: nil, solutionAreaID: area, on: sql)
            if let earning, let amount {
                try await ClaimWriter.insertEarnings([Earning(
                    claimID: id, locationID: 1, engagementID: engagement, engagementVersion: version, market: .a, rate: amount, hours: nil,
                    amount: amount, approvedAt: now, estimatedPaymentMonth: "2027-01", paymentStatus: earning)], on: sql, at: now)
            }
            return id
        }
    }

    /// Moves a claim's earning into a run, and paid when `paid`, with the ledger's lines (as a payment run does).
    static func pay(claim: Int64, paid: Bool, at now: Date, on db: Database) async throws {
        try await db.write { sql in
            let condition: SQLQueryString = "e.claim_id = \(bind: claim) AND e.kind = 'earning'"
            try await EarningsLedger.append(.included, forEarnings: condition, run: nil, by: .program, at: now, on: sql)
            if paid { try await EarningsLedger.append(.paid, forEarnings: condition, run: nil, by: .program, at: now, on: sql) }
            try await sql.raw("""
                UPDATE earnings SET payment_status = \(bind: paid ? "paid" : "upcoming") WHERE claim_id = \(bind: claim) AND kind = 'earning'
                """).run()
        }
    }

    static func reverse(claim: Int64, at now: Date, on db: Database) async throws {
        try await db.write { sql in _ = try await EarningsLedger.reverse(claimID: claim, by: .program, note: "test", at: now, on: sql) }
    }

    @Test("claims, approvals, runs, payments and reversals move the figures to the cent, and they agree with the ledger's replay",
          arguments: TestDatabases.flavors)
    func figuresToTheCent(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let budgets = Budgets(db: db)
            let (engagement, version, currency) = try await Self.fixedEngagement(db)
            let key = BalanceKey(engagementID: engagement, currency: currency)
            func money(_ text: String) -> Money { Money(Decimal(string: text)!, currency) }
            let before = try await budgets.overview()
            let beforeLine = try #require(before.engagements.first { $0.id == engagement }).figures
            let reconciledBefore = try await budgets.reconciliation().first { $0.engagementID == engagement && $0.currency == currency }?.balance
                ?? LedgerBalance()

            // Committing: consented and alive. Not committing: waiting for consent, canceled.
            for (status, amount) in [(ClaimStatus.consentReceived, "1234.56"), (.underReview, "99.99"), (.rejected, "10.01"),
                                     (.awaitingConsent, "500.00"), (.canceled, "700.00"), (.rejectedFinal, "42.00")] {
                _ = try await Self.claim(status, engagement: engagement, version: version, amount: money(amount), at: now, on: db)
            }
            // Approved: owed, in a run, paid then reversed (a clawback carried), reversed before any run.
            _ = try await Self.claim(.approved, engagement: engagement, version: version, amount: money("700.00"), earning: .unprocessed,
                                     at: now, on: db)
            let inRun = try await Self.claim(.approved, engagement: engagement, version: version, amount: money("150.00"),
                                             earning: .unprocessed, at: now, on: db)
            try await Self.pay(claim: inRun, paid: false, at: now, on: db)
            let paid = try await Self.claim(.approved, engagement: engagement, version: version, amount: money("300.00"),
                                            earning: .unprocessed, at: now, on: db)
            try await Self.pay(claim: paid, paid: true, at: now, on: db)
            try await Self.reverse(claim: paid, at: now.addingTimeInterval(60), on: db)
            let early = try await Self.claim(.approved, engagement: engagement, version: version, amount: money("200.00"),
                                             earning: .unprocessed, at: now, on: db)
            try await Self.reverse(claim: early, at: now.addingTimeInterval(60), on: db)

            let after = try await budgets.overview()
            let line = try #require(after.engagements.first { $0.id == engagement }).figures
            #expect(line.pendingMinor - beforeLine.pendingMinor == 134_456)
            #expect(line.approvedMinor - beforeLine.approvedMinor == 85_000)
            #expect(line.paidMinor - beforeLine.paidMinor == 30_000)
            #expect(line.committedMinor - beforeLine.committedMinor == 219_456)
            // The program's figures in the currency moved by the same amounts.
            let programBefore = try #require(before.program.first { $0.currency == currency })
            let programAfter = try #require(after.program.first { $0.currency == currency })
            #expect(programAfter.committedMinor - programBefore.committedMinor == 219_456)
            #expect(programAfter.paidMinor - programBefore.paidMinor == 30_000)

            let reconciliation = try await budgets.reconciliation()
            let row = try #require(reconciliation.first { $0.engagementID == engagement && $0.currency == currency }).balance
            #expect(row.approved - reconciledBefore.approved == 85_000)
            #expect(row.paid - reconciledBefore.paid == 30_000)
            #expect(row.inRuns - reconciledBefore.inRuns == 15_000)
            #expect(row.payable - reconciledBefore.payable == 70_000)
            #expect(row.carried - reconciledBefore.carried == -30_000)
            #expect(reconciliation.allSatisfy { $0.balance.reconciles })

            // Rebuilt from the ledger alone, every engagement's balance is what the report shows.
            let replayed = try Ledger.replay(try await db.read { try await EarningsLedger.entries(on: $0) }).balances
            for line in reconciliation {
                let replay = replayed[BalanceKey(engagementID: line.engagementID, currency: line.currency)] ?? LedgerBalance()
                #expect(line.balance.approved == replay.approved)
                #expect(line.balance.paid == replay.paid && line.balance.inRuns == replay.inRuns)
                #expect(line.balance.payable == replay.payable && line.balance.carried == replay.carried)
            }
            #expect(line.approvedMinor == (replayed[key]?.approved ?? 0))
            #expect(line.paidMinor == (replayed[key]?.paid ?? 0))
        }
    }

    @Test("an earning whose status the ledger never recorded is flagged: its engagement no longer reconciles", arguments: TestDatabases.flavors)
    func disagreementIsFlagged(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let (engagement, version, currency) = try await Self.fixedEngagement(db)
            let claim = try await Self.claim(.approved, engagement: engagement, version: version, amount: Money(125, currency),
                                             earning: .unprocessed, at: now, on: db)
            #expect(try await Budgets(db: db).reconciliation().allSatisfy { $0.balance.reconciles })
            try await db.write { sql in
                try await sql.raw("UPDATE earnings SET payment_status = 'forfeited' WHERE claim_id = \(bind: claim)").run()
            }
            let flagged = try await Budgets(db: db).reconciliation().filter { !$0.balance.reconciles }
            #expect(flagged.map(\.engagementID) == [engagement])
        }
    }

    @Test("budgets are set and cleared by the program manager only, exact to the cent, each change in the program's history",
          arguments: TestDatabases.flavors)
    func setAndClear(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let budgets = Budgets(db: db)
            let manager = try await Self.manager(db)
            let (engagement, _, currency) = try await Self.fixedEngagement(db)
            let other = currency == .eur ? "USD" : "EUR"
            for (amount, code, field) in [("2500.005", currency.code, "amount"), ("0", currency.code, "amount"), ("100", other, "currency")] {
                let refusal = await #expect(throws: InputRefusal.self) {
                    try await budgets.setEngagementBudget(engagement, amount: amount, currency: code, by: manager, at: now)
                }
                #expect(refusal?.field == field)
            }
            var reviewer = manager
            reviewer.membership = .vendor(.reviewer)
            await #expect(throws: StoreError.self) {
                try await budgets.setEngagementBudget(engagement, amount: "100", currency: nil, by: reviewer, at: now)
            }
            await #expect(throws: StoreError.self) {
                try await budgets.setEngagementBudget(999_999, amount: "100", currency: nil, by: manager, at: now)
            }
            #expect(try await budgets.overview().history.isEmpty)

            try await budgets.setEngagementBudget(engagement, amount: "250,000.50", currency: currency.code, by: manager, at: now)
            try await budgets.setProgramBudget(currency: currency.code.lowercased(), amount: "1000000", by: manager, at: now)
            let set = try await budgets.overview()
            let line = try #require(set.engagements.first { $0.id == engagement }).figures
            #expect(line.budgetMinor == 25_000_050)
            #expect(line.availableMinor == 25_000_050 - line.committedMinor)
            #expect(set.program.first { $0.currency == currency }?.budgetMinor == 100_000_000)
            #expect(set.history.map(\.action) == ["budget_set", "budget_set"])
            #expect(set.history.first?.engagementID == engagement)

            try await budgets.clearEngagementBudget(engagement, by: manager, at: now)
            try await budgets.clearProgramBudget(currency: currency.code, by: manager, at: now)
            await #expect(throws: StoreError.self) { try await budgets.clearEngagementBudget(engagement, by: manager, at: now) }
            let cleared = try await budgets.overview()
            #expect(cleared.engagements.first { $0.id == engagement }?.figures.budgetMinor == nil)
            #expect(cleared.program.first { $0.currency == currency }?.budgetMinor == nil)
            #expect(cleared.history.map(\.action) == ["budget_set", "budget_set", "budget_cleared", "budget_cleared"])
        }
    }
}
