import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/payments`: the program manager's payment runs. The list gathers a run at a cut-off and keeps the program's payment
/// settings; a run's page takes the steps: approval by a second program manager, cancel, send, and each payee line
/// confirmed paid or failed. Reviewers and partners never open it (the section's rule); an unknown run is 404.
struct PaymentsController: Sendable {
    let deps: AppDependencies
    let runs: PaymentRuns

    init(deps: AppDependencies) {
        self.deps = deps
        runs = deps.stores.paymentRuns
    }

    func register(on router: Router<AppRequestContext>) {
        let section = router.group().add(middleware: SectionGuard(section: .payments)).add(middleware: RoleGuard.programManagers)
        section.get(SitePath.payments.pattern, use: list)
        section.post(SitePath.paymentRuns.pattern, use: gather)
        section.post(SitePath.paymentSettings.pattern, use: saveSettings)
        section.get(SitePath.paymentRun(.key).pattern, use: show)
        section.post(SitePath.paymentRunApproval(.key).pattern, use: approve)
        section.post(SitePath.paymentRunCancel(.key).pattern, use: cancel)
        section.post(SitePath.paymentRunSend(.key).pattern, use: send)
        section.post(SitePath.paymentLine(.key, line: .key).pattern, use: settle)
        section.get(SitePath.paymentRunExport(.key).pattern, use: export)
        section.post(SitePath.paymentRunConfirmations(.key).pattern, use: importConfirmations)
    }

    // MARK: The list, gathering, settings

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await listPage(context, cutoff: DayDate(deps.clock.now).description)
    }

    private func listPage(_ context: AppRequestContext, cutoff: String, gatherError: String? = nil, settingsForm: [String: String]? = nil,
                          settingsErrors: [String: String] = [:]) async throws -> HTML {
        let today = DayDate(deps.clock.now)
        let view = PaymentsView(runs: try await runs.runs(), holds: try await runs.holdsNow(cutoff: DayDate(cutoff).map { min($0, today) } ?? today),
                                settings: try await runs.settings(), cutoff: cutoff, gatherError: gatherError, settingsForm: settingsForm,
                                settingsErrors: settingsErrors, input: deps.pageInput(context))
        let failed = gatherError != nil || !settingsErrors.isEmpty
        return deps.page("payments", view, status: failed ? .unprocessableContent : .ok)
    }

    @Sendable func gather(_ request: Request, context: AppRequestContext) async throws -> Response {
        let typed = context.form.text("cutoff")
        guard let cutoff = DayDate(typed) else {
            return try await listPage(context, cutoff: typed, gatherError: "Enter the cut-off as a date, like 2026-12-31.").response
        }
        do {
            let id = try await runs.gather(cutoff: cutoff, by: try context.signedIn, at: deps.clock.now)
            return deps.redirect(to: SitePath.paymentRun(.id(id)).href(),
                                 flash: Flash(kind: .success, message: "Run gathered. Another program manager reviews and approves it."))
        } catch let refusal as PaymentRefusal {
            return try await listPage(context, cutoff: typed, gatherError: refusal.message).response
        }
    }

    @Sendable func saveSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form
        let fields = ["reversal_window_days", "payment_limit_days", "payer_name", "payer_iban", "payer_bic"]
        let typed = Dictionary(uniqueKeysWithValues: fields.map { ($0, form.text($0)) })
        switch PaymentSettings.checked(reversalWindowDays: typed["reversal_window_days"]!, paymentLimitDays: typed["payment_limit_days"]!,
                                       payerName: typed["payer_name"]!, payerIBAN: typed["payer_iban"]!, payerBIC: typed["payer_bic"]!) {
        case .failure(let errors):
            return try await listPage(context, cutoff: DayDate(deps.clock.now).description, settingsForm: typed,
                                      settingsErrors: errors.byField).response
        case .success(let settings):
            try await runs.update(settings, by: try context.signedIn, at: deps.clock.now)
            return deps.redirect(to: SitePath.payments.href(), flash: Flash(kind: .success, message: "Payment settings saved."))
        }
    }

    // MARK: One run

    func runID(_ context: AppRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
        return id
    }

    func runPage(_ context: AppRequestContext, problem: String? = nil,
                         lineProblem: (id: Int64, message: String, reason: String)? = nil) async throws -> HTML {
        guard let detail = try await runs.run(try runID(context)) else { throw HTTPError(.notFound) }
        let view = PaymentRunView(detail, problem: problem, lineProblem: lineProblem, input: deps.pageInput(context))
        return deps.page("payment-run", view, status: problem == nil && lineProblem == nil ? .ok : .unprocessableContent)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await runPage(context)
    }

    /// One step of a run over the version the page showed; a refusal shows on the run's page.
    private func step(_ context: AppRequestContext, done: String,
                      _ action: @Sendable (Int64, Int64?, Viewer, Date) async throws -> Void) async throws -> Response {
        let id = try runID(context)
        guard try await runs.run(id) != nil else { throw HTTPError(.notFound) }
        do {
            try await action(id, Int64(context.form.text("version")), try context.signedIn, deps.clock.now)
            return deps.redirect(to: SitePath.paymentRun(.id(id)).href(), flash: Flash(kind: .success, message: done))
        } catch let refusal as PaymentRefusal {
            return try await runPage(context, problem: refusal.message).response
        }
    }

    @Sendable func approve(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await step(context, done: "Run approved: its bank files can be exported.") { [runs] in
            try await runs.approve($0, expectedVersion: $1, by: $2, at: $3)
        }
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await step(context, done: "Run canceled: its earnings wait for the next run.") { [runs] in
            try await runs.cancel($0, expectedVersion: $1, by: $2, at: $3)
        }
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await step(context, done: "Run marked sent: partners are emailed their remittance advice.") { [runs] in
            try await runs.send($0, expectedVersion: $1, by: $2, at: $3)
        }
    }

    @Sendable func settle(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try runID(context)
        guard let line = context.parameters.get("line", as: Int64.self), let detail = try await runs.run(id),
              detail.lines.contains(where: { $0.id == line }) else { throw HTTPError(.notFound) }
        let form = context.form
        let reason = form.values["reason"]?.first ?? ""
        let outcome: PaymentOutcome
        switch form.text("outcome") {
        case "paid": outcome = .paid
        case "failed": outcome = .failed(reason)
        default: return try await runPage(context, problem: "Say whether the bank paid this line or returned it.").response
        }
        do {
            try await runs.settle(line: line, ofRun: id, outcome, by: try context.signedIn, at: deps.clock.now)
            let done = outcome == .paid ? "Payment confirmed." : "Payment marked failed: the partner is asked to update the bank profile."
            return deps.redirect(to: SitePath.paymentRun(.id(id)).href(), flash: Flash(kind: .success, message: done))
        } catch let refusal as InputRefusal {
            return try await runPage(context, lineProblem: (line, refusal.message, reason)).response
        } catch let refusal as PaymentRefusal {
            return try await runPage(context, problem: refusal.message).response
        }
    }
}
