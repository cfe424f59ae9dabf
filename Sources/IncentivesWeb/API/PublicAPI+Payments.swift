import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import OpenAPIRuntime

/// The contract's Payments operations, through the same `PaymentRuns` store the payments pages use. Runs and settings are the
/// program manager's (a reviewer's or partner's token is 403: the runs hold every payee's bank account); remittances are read
/// by partners for their own locations of sent runs (anything else 404) and by the program manager for any.
extension PublicAPI {
    var paymentRuns: PaymentRuns { deps.stores.paymentRuns }

    /// The caller, when a program manager: runs, their bank files and the paying account are theirs alone.
    func paymentsManager() throws -> Viewer {
        let viewer = try caller().viewer
        guard viewer.vendorRole == .programManager else {
            throw APIProblem(.roleNotAllowed, "Only a program manager works with payment runs and payment settings.")
        }
        return viewer
    }

    func paymentRunDetail(_ id: Int64) async throws -> Components.Schemas.PaymentRunDetail {
        guard let detail = try await paymentRuns.run(id) else { throw APIProblem.notFound() }
        return .init(detail)
    }

    // MARK: Runs

    func listPaymentRuns(_ input: Operations.ListPaymentRuns.Input) async throws -> Operations.ListPaymentRuns.Output {
        _ = try paymentsManager()
        return .ok(.init(body: .json(.init(paymentRuns: try await paymentRuns.runs(limit: 100).map { .init($0) }))))
    }

    func gatherPaymentRun(_ input: Operations.GatherPaymentRun.Input) async throws -> Operations.GatherPaymentRun.Output {
        let viewer = try paymentsManager()
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the cut-off as JSON.") }
        try APILimits.length(body.cutoff, "cutoff", max: 10)
        let id = try await paymentRuns.gather(cutoff: try PaymentRunRules.cutoff(body.cutoff), by: viewer, at: now)
        return .created(.init(body: .json(try await paymentRunDetail(id))))
    }

    func getPaymentRun(_ input: Operations.GetPaymentRun.Input) async throws -> Operations.GetPaymentRun.Output {
        _ = try paymentsManager()
        return .ok(.init(body: .json(try await paymentRunDetail(input.path.id))))
    }

    func approvePaymentRun(_ input: Operations.ApprovePaymentRun.Input) async throws -> Operations.ApprovePaymentRun.Output {
        let (viewer, version) = try runStep(input.body)
        try await paymentRuns.approve(input.path.id, expectedVersion: version, by: viewer, at: now)
        return .ok(.init(body: .json(try await paymentRunDetail(input.path.id))))
    }

    func cancelPaymentRun(_ input: Operations.CancelPaymentRun.Input) async throws -> Operations.CancelPaymentRun.Output {
        let (viewer, version) = try runStep(input.body)
        try await paymentRuns.cancel(input.path.id, expectedVersion: version, by: viewer, at: now)
        return .ok(.init(body: .json(try await paymentRunDetail(input.path.id))))
    }

    func sendPaymentRun(_ input: Operations.SendPaymentRun.Input) async throws -> Operations.SendPaymentRun.Output {
        let (viewer, version) = try runStep(input.body)
        try await paymentRuns.send(input.path.id, expectedVersion: version, by: viewer, at: now)
        return .ok(.init(body: .json(try await paymentRunDetail(input.path.id))))
    }

    /// The program manager and the run's version the step is saved over.
    private func runStep(_ body: Components.RequestBodies.RunVersion) throws -> (Viewer, Int64) {
        let viewer = try paymentsManager()
        guard case .json(let json) = body else { throw APIProblem(.badRequest, "Send the run's version as JSON.") }
        return (viewer, json.version)
    }

    func confirmPaymentRunLine(_ input: Operations.ConfirmPaymentRunLine.Input) async throws -> Operations.ConfirmPaymentRunLine.Output {
        let viewer = try paymentsManager()
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the outcome as JSON.") }
        let rule = TextRule.paymentFailureReason
        switch (body.status, body.reason) {
        case (.paid, .some):
            throw InputRefusal(field: "reason", .invalid, "A paid line takes no reason: the reason is the bank's, for a failed payment.")
        case (.failed, nil): throw InputRefusal(field: "reason", .invalid, rule.missing ?? "\(rule.label) is missing.")
        default: break
        }
        try APILimits.length(body.reason, "reason", max: rule.maxLength)
        let outcome: PaymentOutcome = body.status == .paid ? .paid : .failed(body.reason ?? "")
        try await paymentRuns.settle(line: input.path.lineId, ofRun: input.path.id, outcome, by: viewer, at: now)
        return .ok(.init(body: .json(try await paymentRunDetail(input.path.id))))
    }

    // MARK: Bank files and the bank's confirmations

    func exportPaymentRun(_ input: Operations.ExportPaymentRun.Input) async throws -> Operations.ExportPaymentRun.Output {
        let viewer = try paymentsManager()
        // The full account numbers, and the first download moves the run on: a write token's.
        guard try caller().token.scope == .write else {
            throw APIProblem(.readOnlyToken, "A bank file is downloaded with a write token: the download is recorded in the run's history.")
        }
        var currency: Currency?
        if let code = input.query.currency {
            // The contract's pattern: three letters.
            guard code.unicodeScalars.count == 3, code.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }) else {
                throw APIProblem(.badRequest, "currency: a currency is its three-letter ISO 4217 code, like EUR.")
            }
            currency = Currency(code)
        }
        let format: PaymentFileFormat
        switch input.query.format ?? .csv {
        case .csv:
            // With a currency, the CSV of that currency's lines only.
            format = .csv(currency)
        case .pain001:
            // A pain.001 pays one currency: without one named, the run's only currency, or no single file to give (404).
            if currency == nil {
                guard let detail = try await paymentRuns.run(input.path.id) else { throw APIProblem(.notFound, "No payment run \(input.path.id).") }
                let paid = Set(detail.lines.filter { $0.amount.minorUnits > 0 }.map(\.amount.currency.code)).sorted()
                guard paid.count == 1 else {
                    throw APIProblem(.notFound, "Run \(detail.run.reference) has a pain.001 per currency (\(paid.joined(separator: ", "))): name one.")
                }
                currency = Currency(paid[0])
            }
            format = .pain001(currency!)
        }
        let file: PaymentFile
        do {
            file = try await paymentRuns.export(input.path.id, format: format, by: viewer, at: now)
        } catch let refusal as PaymentRefusal {
            // A draft's file, or a pain.001 without the paying account: there is no such file (yet), and the detail says why.
            throw APIProblem(.notFound, refusal.message)
        }
        let headers = Operations.ExportPaymentRun.Output.Ok.Headers(contentDisposition: "attachment; filename=\"\(file.fileName)\"")
        let body = HTTPBody(file.body)
        if case .csv = format { return .ok(.init(headers: headers, body: .csv(body))) }
        return .ok(.init(headers: headers, body: .xml(body)))
    }

    func importPaymentConfirmations(_ input: Operations.ImportPaymentConfirmations.Input)
        async throws -> Operations.ImportPaymentConfirmations.Output {
        let viewer = try paymentsManager()
        guard case .csv(let body) = input.body else { throw APIProblem(.badRequest, "Send the file as text/csv.") }
        guard try await paymentRuns.run(input.path.id) != nil else { throw APIProblem.notFound() }
        let preview: ImportPreview
        switch try await csvText(body) {
        case .failure(let problem): preview = ImportPreview(unread: problem)
        case .success(let text):
            preview = try await paymentRuns.importConfirmations(input.path.id, csv: text, apply: !(input.query.dryRun ?? false), by: viewer, at: now)
        }
        let json = Components.Schemas.ImportPreview(preview)
        return preview.problems.isEmpty ? .ok(.init(body: .json(json))) : .unprocessableContent(.init(body: .json(json)))
    }

    // MARK: Remittances

    func getRemittance(_ input: Operations.GetRemittance.Input) async throws -> Operations.GetRemittance.Output {
        let viewer = try viewer(for: .earnings)
        guard let remittance = try await paymentRuns.remittance(run: input.path.id, location: input.path.locationId, in: viewer.scope) else {
            throw APIProblem.notFound()
        }
        return .ok(.init(body: .json(.init(remittance))))
    }

    func listRemittances(_ input: Operations.ListRemittances.Input) async throws -> Operations.ListRemittances.Output {
        let viewer = try viewer(for: .earnings)
        return .ok(.init(body: .json(.init(remittances: try await paymentRuns.remittances(in: viewer.scope).map { .init($0) }))))
    }

    // MARK: Settings

    func getPaymentSettings(_ input: Operations.GetPaymentSettings.Input) async throws -> Operations.GetPaymentSettings.Output {
        _ = try paymentsManager()
        return .ok(.init(body: .json(.init(try await paymentRuns.settings()))))
    }

    func setPaymentSettings(_ input: Operations.SetPaymentSettings.Input) async throws -> Operations.SetPaymentSettings.Output {
        let viewer = try paymentsManager()
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the settings as JSON.") }
        for (value, field, max) in [(body.payerName, "payer_name", 140), (body.payerIban, "payer_iban", 64), (body.payerBic, "payer_bic", 11)] {
            try APILimits.length(value, field, max: max)
        }
        switch PaymentSettings.checked(reversalWindowDays: String(body.reversalWindowDays), paymentLimitDays: String(body.paymentLimitDays),
                                       payerName: body.payerName ?? "", payerIBAN: body.payerIban ?? "", payerBIC: body.payerBic ?? "") {
        case .failure(let errors): throw invalid(errors.byField)
        case .success(let settings):
            try await paymentRuns.update(settings, by: viewer, at: now)
            return .ok(.init(body: .json(.init(try await paymentRuns.settings()))))
        }
    }
}
