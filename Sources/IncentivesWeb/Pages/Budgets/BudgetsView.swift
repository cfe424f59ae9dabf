import Foundation
import IncentivesDomain
import IncentivesStore

/// A budget form the program manager sent and the store refused: which form, what was typed, and why.
struct BudgetProblem: Sendable, Equatable {
    enum Form: Sendable, Equatable {
        case program(currency: String)
        /// The form that sets a budget in a currency the program has none in yet.
        case newProgramCurrency
        case engagement(Int64)
    }

    var form: Form
    var amount: String
    var currency: String = ""
    var message: String
}

/// `/catalogue/budgets`: the program's budgets per currency and every engagement's (budget, committed, approved, paid,
/// available), each with its form; the reconciliation per engagement and currency; the budgets' history. Built from the
/// store's report and the page input only.
struct BudgetsView: PageView {
    struct Figures: Sendable {
        let budget: String
        let committed: String
        let approved: String
        let paid: String
        let available: String
        /// Committed beyond the budget: the available figure is negative or zero.
        let usedUp: Bool

        init(_ figures: BudgetFigures) {
            func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: figures.currency).description }
            budget = figures.budgetMinor.map(money) ?? "No limit"
            committed = money(figures.committedMinor)
            approved = money(figures.approvedMinor)
            paid = money(figures.paidMinor)
            available = figures.availableMinor.map(money) ?? "—"
            usedUp = (figures.availableMinor ?? 1) <= 0
        }
    }

    struct ProgramRow: Sendable {
        let currency: String
        let figures: Figures
        let hasBudget: Bool
        let amount: String
        let error: String?
        let fieldID: String
    }

    struct EngagementRow: Sendable {
        let name: String
        let href: String
        let currency: String
        let figures: Figures
        let hasBudget: Bool
        let action: String
        let amount: String
        let error: String?
        let fieldID: String
    }

    struct ReconciliationRow: Sendable {
        let engagement: String
        let currency: String
        let approved: String, paid: String, inRuns: String, payable: String, carried: String
        let reconciles: Bool
    }

    struct HistoryLine: Sendable { let when: String; let who: String; let detail: String }

    let shell: Shell
    /// Only the program manager sees the forms.
    let isManager: Bool
    let programAction: String
    let programRows: [ProgramRow]
    let newCurrency: String
    let newAmount: String
    let newError: String?
    let engagements: [EngagementRow]
    let hasEngagements: Bool
    let reconciliation: [ReconciliationRow]
    let hasReconciliation: Bool
    let unreconciledCount: Int
    let csvHref: String
    let history: [HistoryLine]
    let hasHistory: Bool

    init(_ overview: BudgetOverview, reconciliation lines: [ReconciliationLine], problem: BudgetProblem? = nil, input: PageInput) {
        shell = Shell(input, title: "Budgets", section: .catalogue, trail: [("Budgets", nil)])
        isManager = input.viewer?.vendorRole == .programManager
        programAction = SitePath.budgetsProgram.href()
        programRows = overview.program.map { figures in
            let mine = problem.flatMap { $0.form == .program(currency: figures.currency.code) ? $0 : nil }
            return ProgramRow(currency: figures.currency.code, figures: Figures(figures), hasBudget: figures.budgetMinor != nil,
                              amount: mine?.amount ?? figures.budgetMinor.map { Money.plainText(minorUnits: $0, currency: figures.currency) } ?? "",
                              error: mine?.message, fieldID: "program-budget-\(figures.currency.code.lowercased())")
        }
        let fresh = problem.flatMap { $0.form == .newProgramCurrency ? $0 : nil }
        newCurrency = fresh?.currency ?? ""
        newAmount = fresh?.amount ?? ""
        newError = fresh?.message
        engagements = overview.engagements.map { line in
            let mine = problem.flatMap { $0.form == .engagement(line.id) ? $0 : nil }
            let figures = line.figures
            return EngagementRow(
                name: line.name, href: SitePath.catalogueEngagement(.id(line.id)).href(), currency: figures.currency.code,
                figures: Figures(figures), hasBudget: figures.budgetMinor != nil, action: SitePath.budgetsEngagement(.id(line.id)).href(),
                amount: mine?.amount ?? figures.budgetMinor.map { Money.plainText(minorUnits: $0, currency: figures.currency) } ?? "",
                error: mine?.message, fieldID: "engagement-budget-\(line.id)")
        }
        hasEngagements = !engagements.isEmpty
        reconciliation = lines.map { line in
            func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: line.currency).description }
            let b = line.balance
            return ReconciliationRow(engagement: line.engagementName, currency: line.currency.code, approved: money(b.approved),
                                     paid: money(b.paid), inRuns: money(b.inRuns), payable: money(b.payable), carried: money(b.carried),
                                     reconciles: b.reconciles)
        }
        hasReconciliation = !reconciliation.isEmpty
        unreconciledCount = reconciliation.filter { !$0.reconciles }.count
        csvHref = SitePath.budgetsReconciliationCSV.href()
        let times = input.times
        history = overview.history.reversed().map { HistoryLine(when: times.dateTime($0.at), who: $0.actorName, detail: $0.detail ?? $0.action) }
        hasHistory = !history.isEmpty
    }
}

/// The reconciliation as CSV: one line per engagement and currency, amounts in plain decimal text.
enum ReconciliationCSV {
    static let header = ["engagement_id", "engagement", "currency", "approved", "paid", "in_runs", "payable", "carried", "reconciles"]

    static func text(_ lines: [ReconciliationLine]) -> String {
        var text = CSV.line(header)
        for line in lines {
            let b = line.balance
            let amounts = [b.approved, b.paid, b.inRuns, b.payable, b.carried].map { Money.plainText(minorUnits: $0, currency: line.currency) }
            text += CSV.line([String(line.engagementID), CSV.text(line.engagementName), line.currency.code] + amounts
                             + [b.reconciles ? "yes" : "no"])
        }
        return text
    }
}
