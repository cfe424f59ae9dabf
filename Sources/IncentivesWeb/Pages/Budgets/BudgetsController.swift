import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/catalogue/budgets`: the program's budgets per currency and each engagement's, the figures against them, the
/// reconciliation of approved money (and its CSV). The vendor reads them (reviewers as they read the catalogue); only the
/// program manager changes them (`RoleGuard`: a reviewer's change is 403 before anything is read). Partners never see
/// budgets. An unknown engagement is a 404.
struct BudgetsController: Sendable {
    let deps: AppDependencies
    let budgets: Budgets

    init(deps: AppDependencies) {
        self.deps = deps
        budgets = deps.stores.budgets
    }

    func register(on router: Router<AppRequestContext>) {
        let section = router.group().add(middleware: SectionGuard(section: .catalogue))
        section.get(SitePath.budgets.pattern, use: show)
        section.get(SitePath.budgetsReconciliationCSV.pattern, use: reconciliationCSV)
        let manager = section.group().add(middleware: RoleGuard.programManagers)
        manager.post(SitePath.budgetsProgram.pattern, use: changeProgram)
        manager.post(SitePath.budgetsEngagement(.key).pattern, use: changeEngagement)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await page(context)
    }

    /// Sets (or, with `intent=clear`, clears) the program's budget in the form's currency.
    @Sendable func changeProgram(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form, viewer = try context.signedIn
        let currency = form.text("currency"), amount = form.text("amount")
        let clearing = form.text("intent") == "clear"
        do {
            if clearing {
                try await budgets.clearProgramBudget(currency: currency, by: viewer, at: deps.clock.now)
            } else {
                try await budgets.setProgramBudget(currency: currency, amount: amount, by: viewer, at: deps.clock.now)
            }
        } catch {
            guard let refusal = ErrorAnswer.formRefusal(error) else { throw error }
            let known = try await budgets.overview().program.contains { $0.currency.code == currency.uppercased() }
            let problem = BudgetProblem(form: known ? .program(currency: currency.uppercased()) : .newProgramCurrency, amount: amount,
                                        currency: currency, message: refusal.detail)
            return try await page(context, problem: problem).response
        }
        let done = clearing ? "cleared: no limit in \(currency.uppercased())" : "in \(currency.uppercased()) set"
        return deps.redirect(to: SitePath.budgets.href(), flash: Flash(kind: .success, message: "The program's budget \(done)."))
    }

    /// Sets (or clears) one engagement's budget, in its own currency.
    @Sendable func changeEngagement(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
        let form = context.form, viewer = try context.signedIn
        let amount = form.text("amount")
        let clearing = form.text("intent") == "clear"
        do {
            if clearing {
                try await budgets.clearEngagementBudget(id, by: viewer, at: deps.clock.now)
            } else {
                try await budgets.setEngagementBudget(id, amount: amount, currency: form.text("currency"), by: viewer, at: deps.clock.now)
            }
        } catch {
            guard let refusal = ErrorAnswer.formRefusal(error) else { throw error }
            return try await page(context, problem: BudgetProblem(form: .engagement(id), amount: amount, message: refusal.detail)).response
        }
        let done = clearing ? "The engagement's budget is cleared." : "The engagement's budget is set."
        return deps.redirect(to: SitePath.budgets.href(), flash: Flash(kind: .success, message: done))
    }

    /// The reconciliation as a download: one line per engagement and currency (as many as engagements, never claims).
    @Sendable func reconciliationCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let text = ReconciliationCSV.text(try await budgets.reconciliation())
        let day = DayDate(deps.clock.now)
        let name = String(format: "reconciliation-%04d-%02d-%02d.csv", day.year, day.month, day.day)
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"\(name)\"",
                                               .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func page(_ context: AppRequestContext, problem: BudgetProblem? = nil) async throws -> HTML {
        let view = BudgetsView(try await budgets.overview(), reconciliation: try await budgets.reconciliation(), problem: problem,
                               input: deps.pageInput(context))
        return deps.page("budgets", view, status: problem == nil ? .ok : .unprocessableContent)
    }
}
