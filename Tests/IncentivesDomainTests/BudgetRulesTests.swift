import Foundation
import Testing
import IncentivesDomain

@Suite("Budgets: what commits money, what a new claim is told, what a budget amount may be")
struct BudgetRulesTests {
    /// Written out from DOMAIN.md 3, independently of `commitsBudget`: consented (or submitted) and still able to be approved.
    static let committing: Set<ClaimStatus> = [.consentReceived, .submitted, .underReview, .partnerActionRequired, .rejected, .disputed]

    @Test("a claim commits from consent until it is approved or can no longer be", arguments: ClaimStatus.allCases)
    func committingStatuses(status: ClaimStatus) {
        #expect(status.commitsBudget == Self.committing.contains(status))
        // Terminal claims never commit; approved ones commit through their earning, not twice.
        if status.isTerminal || status == .approved { #expect(!status.commitsBudget) }
    }

    @Test("the expected amount: the fixed rate; hours x rate; before hours, the most hours x rate; no rate, nothing")
    func expectedAmounts() {
        let fixed = Fixture.version(rates: MarketRates(currency: .usd, a: dec("5000"), b: dec("3000.55"), c: nil))
        #expect(Commitment.expectedMinor(version: fixed, market: .a, hours: nil) == 500_000)
        #expect(Commitment.expectedMinor(version: fixed, market: .b, hours: dec("9")) == 300_055)
        #expect(Commitment.expectedMinor(version: fixed, market: .c, hours: nil) == 0)
        let hourly = Fixture.version(payModel: .variable, rates: MarketRates(currency: .usd, a: dec("150.25"), b: nil, c: nil),
                                     maxHours: dec("40"))
        #expect(Commitment.expectedMinor(version: hourly, market: .a, hours: dec("12.5")) == 187_813) // 1,878.125 rounds up
        #expect(Commitment.expectedMinor(version: hourly, market: .a, hours: nil) == 601_000)
        var unbounded = hourly
        unbounded.maxHours = nil
        #expect(Commitment.expectedMinor(version: unbounded, market: .a, hours: nil) == 0)
    }

    @Test("budget = committed + available, and committed = pending + approved")
    func identity() {
        let figures = BudgetFigures(currency: .usd, budgetMinor: 1_000_000, pendingMinor: 250_050, approvedMinor: 300_000, paidMinor: 100_000)
        #expect(figures.committedMinor == 550_050)
        #expect(figures.availableMinor == 449_950)
        #expect(figures.budgetMinor == figures.committedMinor + figures.availableMinor!)
        #expect(BudgetFigures(currency: .usd, budgetMinor: nil, pendingMinor: 5).availableMinor == nil)
    }

    @Test("fits within, warns past the budget while below it, refuses once used up; no budget, no limit")
    func decisions() {
        let budget = BudgetFigures(currency: .usd, budgetMinor: 1_000_000, pendingMinor: 400_000, approvedMinor: 100_000)
        #expect(budget.decide(expectedMinor: 500_000) == .fits)
        #expect(budget.decide(expectedMinor: 500_001) == .warn(wouldExceedBy: Money(minorUnits: 1, currency: .usd)))
        var full = budget
        full.approvedMinor = 600_000
        #expect(full.decide(expectedMinor: 0) == .refuse)
        full.approvedMinor = 599_999
        #expect(full.decide(expectedMinor: 2) == .warn(wouldExceedBy: Money(minorUnits: 1, currency: .usd)))
        #expect(BudgetFigures(currency: .usd, budgetMinor: nil, pendingMinor: 9_999_999).decide(expectedMinor: 1) == .fits)
    }

    @Test("either budget counts: a refusal wins over a warning, the engagement speaks first, and the partner reads why")
    func verdicts() throws {
        let roomy = BudgetFigures(currency: .eur, budgetMinor: 10_000_000)
        let tight = BudgetFigures(currency: .eur, budgetMinor: 100_000, pendingMinor: 90_000)
        let used = BudgetFigures(currency: .eur, budgetMinor: 100_000, approvedMinor: 100_000)
        #expect(BudgetVerdict.decide(expectedMinor: 50_000, engagement: nil, program: nil) == .fits)
        #expect(BudgetVerdict.decide(expectedMinor: 50_000, engagement: roomy, program: roomy) == .fits)
        let warned = BudgetVerdict.decide(expectedMinor: 50_000, engagement: roomy, program: tight)
        #expect(warned.scope == .program(.eur))
        #expect(try #require(warned.warning).contains("EUR 400.00"))
        #expect(warned.refusal == nil)
        let refused = BudgetVerdict.decide(expectedMinor: 50_000, engagement: tight, program: used)
        #expect(refused.refusal == "The program's budget in EUR is used up: the vendor accepts no new claims paid in EUR.")
        #expect(refused.warning == nil)
        let engagementFirst = BudgetVerdict.decide(expectedMinor: 1, engagement: used, program: used)
        #expect(engagementFirst.refusal == "This engagement's budget is used up: the vendor accepts no new claims on it.")
    }

    @Test("a budget amount is above zero and exact to the currency's minor unit", arguments: [
        ("250000", "USD", Int64(25_000_000)), ("1,500.50", "USD", 150_050), ("0.01", "USD", 1), (" 12 ", "JPY", 12),
        ("1.005", "KWD", 1_005), ("1000000000000", "USD", 100_000_000_000_000),
    ])
    func amounts(text: String, currency: String, expected: Int64) throws {
        #expect(try BudgetInput.amountMinor(text, currency: Currency(currency)) == expected)
    }

    @Test("refused amounts name the field", arguments: [
        ("0", "USD"), ("-5", "USD"), ("", "USD"), ("1.001", "USD"), ("12.5", "JPY"), ("1e5", "USD"), ("1.2.3", "USD"),
        (".5", "USD"), ("1000000000000.01", "USD"), ("five", "USD"),
    ])
    func refusedAmounts(text: String, currency: String) {
        let refusal = #expect(throws: InputRefusal.self) { try BudgetInput.amountMinor(text, currency: Currency(currency)) }
        #expect(refusal?.field == "amount")
    }

    @Test("a currency is three letters")
    func currencies() throws {
        #expect(try BudgetInput.currency(" eur ") == .eur)
        for bad in ["EURO", "E1R", "", "€€€", "US"] {
            #expect(throws: InputRefusal.self) { try BudgetInput.currency(bad) }
        }
    }

    @Test("the replay takes an earning out of payable or carried by its own sign, so what left is in neither")
    func replayKeepsPayableAndCarriedApart() throws {
        func line(_ kind: LedgerKind, _ id: Int64, _ amount: Int64) -> LedgerEntry {
            LedgerEntry(kind: kind, earningID: id, engagementID: 1, locationID: 1, currency: .usd, amountMinor: amount)
        }
        let balances = try Ledger.replay([
            line(.earned, 1, 50_000), line(.reversed, 1, 50_000),                           // reversed before any run
            line(.earned, 2, 30_000), line(.included, 2, 30_000), line(.paid, 2, 30_000),   // paid
            line(.clawback, 3, -30_000), line(.included, 3, -30_000),                       // a reversal netted in a run
            line(.earned, 4, 20_000),                                                       // still owed
            line(.clawback, 5, -5_000),                                                     // still to be netted
        ]).balances
        let balance = try #require(balances[BalanceKey(engagementID: 1, currency: .usd)])
        #expect(balance.payable == 20_000 && balance.carried == -5_000)
        #expect(balance.paid == 30_000 && balance.inRuns == -30_000 && balance.reversed == 50_000)
        #expect(balance.approved == 15_000 && balance.reconciles)
    }

    @Test("the reconciliation splits by payment status and sign, and flags earnings that disagree with the ledger")
    func reconciliation() {
        let ledger: [LedgerKind: Int64] = [.earned: 1_000_000, .clawback: -200_000, .reversed: 100_000, .forfeited: 50_000]
        let statuses: [(status: PaymentStatus, amountMinor: Int64)] = [
            (.paid, 400_000), (.sent, 100_000), (.upcoming, 50_000), (.unprocessed, 250_000), (.failed, 50_000),
            (.unprocessed, -200_000), (.reversed, 100_000), (.forfeited, 50_000),
        ]
        let balance = LedgerBalance.reconciling(ledgerTotals: ledger, statusTotals: statuses)
        #expect(balance.approved == 650_000)
        #expect(balance.paid == 400_000 && balance.inRuns == 150_000 && balance.payable == 300_000 && balance.carried == -200_000)
        #expect(balance.reconciles)
        // An earning marked paid that the ledger never saw earned: the row no longer reconciles.
        let off = LedgerBalance.reconciling(ledgerTotals: ledger, statusTotals: statuses + [(.paid, 1)])
        #expect(!off.reconciles)
    }
}
