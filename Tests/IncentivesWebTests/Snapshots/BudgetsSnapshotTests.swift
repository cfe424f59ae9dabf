import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb
import SnapshotTesting
import Testing

/// The budgets page from plain values: the program's budgets in two currencies (one used up), two engagements (one
/// refused a budget below a cent, next to its field), a reconciliation with a flagged row, the history; and the same
/// report as a reviewer reads it, without forms.
@Suite("Page snapshots: budgets")
struct BudgetsSnapshotTests {
    static let usd = Currency.usd
    static let overview = BudgetOverview(
        programID: 1,
        program: [BudgetFigures(currency: .eur, budgetMinor: 1_000_000, pendingMinor: 600_000, approvedMinor: 400_000, paidMinor: 100_000),
                  BudgetFigures(currency: usd, budgetMinor: nil, pendingMinor: 1_250_050, approvedMinor: 500_000, paidMinor: 250_000)],
        engagements: [
            EngagementBudgetLine(id: 1, name: "Cloud workshop", figures: BudgetFigures(
                currency: usd, budgetMinor: 2_000_000, pendingMinor: 1_250_050, approvedMinor: 500_000, paidMinor: 250_000)),
            EngagementBudgetLine(id: 2, name: "Data & AI <assessment>", figures: BudgetFigures(
                currency: .eur, budgetMinor: nil, pendingMinor: 600_000, approvedMinor: 400_000, paidMinor: 100_000)),
        ],
        history: [ProgramChange(at: ProgramFixture.now, actorUserID: 2, actorName: "Casey Kim", subject: .engagement, subjectID: 1,
                                action: "budget_set", engagementID: 1, detail: "Budget of Cloud workshop: USD 20,000.00")])

    static var reconciliation: [ReconciliationLine] {
        var fine = LedgerBalance()
        fine.earned = 550_000; fine.clawedBack = -50_000; fine.paid = 250_000; fine.inRuns = 100_000; fine.payable = 200_000
        fine.carried = -50_000
        var off = LedgerBalance()
        off.earned = 400_000; off.paid = 100_000; off.payable = 250_000
        return [ReconciliationLine(engagementID: 1, engagementName: "Cloud workshop", currency: usd, balance: fine),
                ReconciliationLine(engagementID: 2, engagementName: "Data & AI <assessment>", currency: .eur, balance: off)]
    }

    static let cases: [(String, Viewer, BudgetProblem?)] = [
        ("manager-refused-amount", ProgramFixture.manager,
         BudgetProblem(form: .engagement(2), amount: "10.001", message: "Give the budget to the cent: at most 2 digits after the point in EUR.")),
        ("reviewer", Viewer(userID: 3, email: "rae@vendor.example", name: "Rae Reviewer", membership: .vendor(.reviewer)), nil),
    ]

    @Test("the budgets page's view model and HTML", arguments: cases.map(\.0))
    func budgets(_ name: String) async throws {
        let (_, viewer, problem) = try #require(Self.cases.first { $0.0 == name })
        let view = BudgetsView(Self.overview, reconciliation: Self.reconciliation, problem: problem, input: ProgramFixture.input(viewer))
        #expect(view.unreconciledCount == 1)
        try await PageSnapshots.pin(view, template: "budgets", state: name)
    }
}
