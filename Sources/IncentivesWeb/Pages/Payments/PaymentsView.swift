import Foundation
import IncentivesDomain
import IncentivesStore

/// Wording shared by the payment pages.
extension PaymentRunStatus {
    var tone: String {
        switch self {
        case .draft, .approved, .exported: "progress"
        case .sent: "attention"
        case .completed: "success"
        case .canceled: "muted"
        }
    }
}

extension PaymentLineStatus {
    var tone: String {
        switch self {
        case .pending: "progress"
        case .paid, .netted: "success"
        case .failed: "danger"
        }
    }
}

extension Array where Element == Money {
    /// "USD 2,500.00 · EUR 300.00", or a dash for none.
    var listed: String { isEmpty ? "—" : map(\.description).joined(separator: " · ") }
}

/// A held payee, as the payments page and a run's page list it.
struct HoldLine: Sendable {
    let payee: String
    let amount: String
    let earnings: Int
    let reason: String
    let carried: Bool

    init(_ hold: PaymentRunHold) {
        payee = "\(hold.organizationName) / \(hold.locationName)"
        amount = hold.amount.description
        earnings = hold.earnings
        reason = hold.reason.label
        carried = hold.reason == .negativeNet
    }
}

/// `/payments`: the program manager's runs, newest first; a form that gathers a new one at a cut-off; what is due now
/// but held (and why); and the program's payment settings. Built from values only.
struct PaymentsView: PageView {
    struct RunLine: Sendable {
        let href: String
        let reference: String
        let cutoff: String
        let status: String
        let tone: String
        let totals: String
        let payees: Int
        let created: String
    }

    struct Field: Sendable {
        let name: String
        let label: String
        let value: String
        let error: String?
        let maxLength: Int
    }

    struct Settings: Sendable {
        let action: String
        let rules: [Field]
        let account: [Field]
        let hasPayerAccount: Bool
    }

    let shell: Shell
    let runs: [RunLine]
    let hasRuns: Bool
    let gatherAction: String
    let cutoff: String
    let gatherError: String?
    let holds: [HoldLine]
    let hasHolds: Bool
    let settings: Settings

    init(runs list: [PaymentRunSummary], holds held: [PaymentRunHold], settings current: PaymentSettings, cutoff typed: String,
         gatherError: String? = nil, settingsForm: [String: String]? = nil, settingsErrors: [String: String] = [:], input: PageInput) {
        shell = Shell(input, title: "Payments", section: .payments, trail: [("Payments", nil)])
        let times = input.times
        runs = list.map { run in
            RunLine(href: SitePath.paymentRun(.id(run.id)).href(), reference: run.reference, cutoff: run.cutoff, status: run.status.label,
                    tone: run.status.tone, totals: run.totals.listed, payees: run.payees,
                    created: "\(times.dateTime(run.createdAt)) by \(run.createdBy)")
        }
        hasRuns = !runs.isEmpty
        gatherAction = SitePath.paymentRuns.href()
        cutoff = typed
        self.gatherError = gatherError
        holds = held.map(HoldLine.init)
        hasHolds = !holds.isEmpty
        let form = settingsForm ?? [
            "reversal_window_days": String(current.reversalWindowDays), "payment_limit_days": String(current.paymentLimitDays),
            "payer_name": current.payerName ?? "", "payer_iban": current.payerIBAN ?? "", "payer_bic": current.payerBIC ?? "",
        ]
        func field(_ name: String, _ label: String, _ maxLength: Int) -> Field {
            Field(name: name, label: label, value: form[name] ?? "", error: settingsErrors[name], maxLength: maxLength)
        }
        settings = Settings(action: SitePath.paymentSettings.href(),
                            rules: [field("reversal_window_days", "Reversal window (days after approval)", 4),
                                    field("payment_limit_days", "Payment limit (days after approval; earnings still unpaid are then forfeited)", 4)],
                            account: [field("payer_name", "Account holder", 140), field("payer_iban", "IBAN", 42), field("payer_bic", "BIC", 11)],
                            hasPayerAccount: current.hasPayerAccount)
    }
}

/// `/payments/runs/{id}`: one run, its payee lines and holds, and the step it waits for: approval by a second program
/// manager, cancel, send, then each line confirmed paid or failed.
struct PaymentRunView: PageView {
    struct Line: Sendable {
        let payee: String
        let endToEndID: String
        let earnings: Int
        let amount: String
        let creditor: String
        let account: String
        let bic: String
        let status: String
        let tone: String
        let failureReason: String?
        let settled: String?
        let remittanceHref: String
        let settleAction: String?
        let error: String?
        let typedReason: String
    }

    struct Fact: Sendable { let label: String; let value: String }
    struct ExportLink: Sendable { let currency: String; let href: String }

    let shell: Shell
    let title: String
    let status: String
    let tone: String
    let version: Int64
    let facts: [Fact]
    let lines: [Line]
    let holds: [HoldLine]
    let hasHolds: Bool
    let totals: String
    let approveAction: String?
    let fourEyesNote: String?
    let cancelAction: String?
    let sendAction: String?
    /// The bank files, once a second program manager approved the run: its CSV and a pain.001 per currency it pays.
    let exportCSV: String?
    let exportPain001: [ExportLink]
    /// While the run is sent: the bank's confirmation file.
    let confirmationsAction: String?
    let error: String?
    let history: [Fact]

    /// `problem`: a refusal of a step to show at the top; `lineProblem`: the refusal of one line's confirmation.
    init(_ detail: PaymentRunDetail, problem: String? = nil, lineProblem: (id: Int64, message: String, reason: String)? = nil,
         input: PageInput) {
        let run = detail.run, times = input.times
        title = "Payment run \(run.reference)"
        shell = Shell(input, title: title, section: .payments, trail: [("Payments", SitePath.payments.href()), (run.reference, nil)])
        status = run.status.label
        tone = run.status.tone
        version = run.version
        var facts = [Fact(label: "Cut-off", value: run.cutoff), Fact(label: "Gathered", value: "\(times.dateTime(run.createdAt)) by \(run.createdBy)")]
        if let at = run.approvedAt { facts.append(Fact(label: "Approved", value: "\(times.dateTime(at)) by \(run.approvedBy ?? "")")) }
        if let at = run.exportedAt { facts.append(Fact(label: "Exported", value: times.dateTime(at))) }
        if let at = run.sentAt { facts.append(Fact(label: "Sent", value: times.dateTime(at))) }
        if let at = run.completedAt { facts.append(Fact(label: "Completed", value: times.dateTime(at))) }
        if let at = run.canceledAt { facts.append(Fact(label: "Canceled", value: times.dateTime(at))) }
        self.facts = facts
        totals = run.totals.listed
        let sent = run.status == .sent
        lines = detail.lines.map { line in
            let mine = lineProblem?.id == line.id
            return Line(payee: "\(line.organizationName) / \(line.locationName)", endToEndID: line.endToEndID, earnings: line.earnings,
                        amount: line.amount.description, creditor: line.creditorName, account: BankProfileSummary.mask(line.creditorAccount),
                        bic: line.creditorBIC, status: line.status.label, tone: line.status.tone, failureReason: line.failureReason,
                        settled: line.settledAt.map { "\(times.dateTime($0)) by \(line.settledBy ?? "")" },
                        remittanceHref: SitePath.remittance(.id(run.id), location: .id(line.locationID)).href(),
                        settleAction: sent && line.status == .pending ? SitePath.paymentLine(.id(run.id), line: .id(line.id)).href() : nil,
                        error: mine ? lineProblem?.message : nil, typedReason: mine ? lineProblem?.reason ?? "" : "")
        }
        holds = detail.holds.map(HoldLine.init)
        hasHolds = !holds.isEmpty
        let viewerID = input.viewer?.userID
        let isCreator = run.createdByID != nil && run.createdByID == viewerID
        approveAction = run.status == .draft && !isCreator ? SitePath.paymentRunApproval(.id(run.id)).href() : nil
        fourEyesNote = run.status == .draft && isCreator
            ? "You gathered this run: another program manager reviews and approves it (four eyes)." : nil
        cancelAction = [.draft, .approved].contains(run.status) ? SitePath.paymentRunCancel(.id(run.id)).href() : nil
        sendAction = run.status == .exported ? SitePath.paymentRunSend(.id(run.id)).href() : nil
        let exportable = [.approved, .exported, .sent, .completed].contains(run.status)
        exportCSV = exportable ? SitePath.paymentRunExport(.id(run.id)).href([("format", "csv")]) : nil
        let transferred = Set(detail.lines.filter { $0.amount.minorUnits > 0 }.map(\.amount.currency.code)).sorted()
        exportPain001 = exportable ? transferred.map {
            ExportLink(currency: $0, href: SitePath.paymentRunExport(.id(run.id)).href([("format", "pain001"), ("currency", $0)]))
        } : []
        confirmationsAction = sent ? SitePath.paymentRunConfirmations(.id(run.id)).href() : nil
        error = problem
        history = detail.history.map { Fact(label: "\(times.dateTime($0.at)), \($0.actor)", value: $0.action + ($0.note.map { ": \($0)" } ?? "")) }
    }
}
