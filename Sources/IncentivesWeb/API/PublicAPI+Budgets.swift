import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import OpenAPIRuntime

/// The contract's budget operations, through the same `Budgets` service as the console's page: the vendor reads the
/// budgets and the reconciliation; the program manager's write token sets and clears them (a reviewer's is 403, a
/// partner's too, as for every catalogue change).
extension PublicAPI {
    func getBudgets(_ input: Operations.GetBudgets.Input) async throws -> Operations.GetBudgets.Output {
        _ = try viewer(for: .catalogue)
        let overview = try await deps.stores.budgets.overview()
        return .ok(.init(body: .json(.init(program: overview.program.map(Components.Schemas.ProgramBudget.init),
                                           engagements: overview.engagements.map(Components.Schemas.EngagementBudget.init)))))
    }

    func getBudgetReconciliation(_ input: Operations.GetBudgetReconciliation.Input) async throws -> Operations.GetBudgetReconciliation.Output {
        _ = try viewer(for: .catalogue)
        let lines = try await deps.stores.budgets.reconciliation()
        return .ok(.init(body: .json(.init(lines: lines.map(Components.Schemas.ReconciliationLine.init)))))
    }

    func setProgramBudget(_ input: Operations.SetProgramBudget.Input) async throws -> Operations.SetProgramBudget.Output {
        let viewer = try budgetManager()
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the budget as JSON.") }
        if let currency = body.currency, currency.uppercased() != input.path.currency.uppercased() {
            throw InputRefusal(field: "currency", .invalid, "The body names \(currency), the address \(input.path.currency): give one currency.")
        }
        let budgets = deps.stores.budgets
        try await budgets.setProgramBudget(currency: input.path.currency, amount: body.amount, by: viewer, at: now)
        guard let figures = try await budgets.overview().program.first(where: { $0.currency.code == input.path.currency.uppercased() }) else {
            throw APIProblem.notFound()
        }
        return .ok(.init(body: .json(.init(figures))))
    }

    func clearProgramBudget(_ input: Operations.ClearProgramBudget.Input) async throws -> Operations.ClearProgramBudget.Output {
        try await deps.stores.budgets.clearProgramBudget(currency: input.path.currency, by: try budgetManager(), at: now)
        return .noContent(.init())
    }

    func setEngagementBudget(_ input: Operations.SetEngagementBudget.Input) async throws -> Operations.SetEngagementBudget.Output {
        let viewer = try budgetManager()
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the budget as JSON.") }
        let budgets = deps.stores.budgets
        try await budgets.setEngagementBudget(input.path.id, amount: body.amount, currency: body.currency, by: viewer, at: now)
        guard let line = try await budgets.overview().engagements.first(where: { $0.id == input.path.id }) else { throw APIProblem.notFound() }
        return .ok(.init(body: .json(.init(line))))
    }

    func clearEngagementBudget(_ input: Operations.ClearEngagementBudget.Input) async throws -> Operations.ClearEngagementBudget.Output {
        try await deps.stores.budgets.clearEngagementBudget(input.path.id, by: try budgetManager(), at: now)
        return .noContent(.init())
    }

    /// The program manager, for a budget's change (a reviewer's token is 403 before anything is read).
    private func budgetManager() throws -> Viewer {
        let viewer = try viewer(for: .catalogue)
        guard viewer.vendorRole == .programManager else { throw APIProblem(.roleNotAllowed, "Only the program manager changes budgets.") }
        return viewer
    }
}

extension Components.Schemas.ProgramBudget {
    init(_ figures: BudgetFigures) {
        let text = { (minor: Int64) in Money.plainText(minorUnits: minor, currency: figures.currency) }
        self.init(currency: figures.currency.code, budget: figures.budgetMinor.map(text), committed: text(figures.committedMinor),
                  approved: text(figures.approvedMinor), paid: text(figures.paidMinor), available: figures.availableMinor.map(text))
    }
}

extension Components.Schemas.EngagementBudget {
    init(_ line: EngagementBudgetLine) {
        let figures = line.figures
        let text = { (minor: Int64) in Money.plainText(minorUnits: minor, currency: figures.currency) }
        self.init(engagementId: line.id, engagementName: line.name, currency: figures.currency.code, budget: figures.budgetMinor.map(text),
                  committed: text(figures.committedMinor), approved: text(figures.approvedMinor), paid: text(figures.paidMinor),
                  available: figures.availableMinor.map(text))
    }
}

extension Components.Schemas.ReconciliationLine {
    init(_ line: IncentivesStore.ReconciliationLine) {
        let b = line.balance
        let text = { (minor: Int64) in Money.plainText(minorUnits: minor, currency: line.currency) }
        self.init(engagementId: line.engagementID, engagementName: line.engagementName, currency: line.currency.code,
                  approved: text(b.approved), paid: text(b.paid), inRuns: text(b.inRuns), payable: text(b.payable),
                  carried: text(b.carried), reconciles: b.reconciles)
    }
}
