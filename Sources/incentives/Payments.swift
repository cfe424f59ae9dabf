import ArgumentParser
import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesWeb

/// `incentives payments`: payment runs from the command line, as a named program manager, through the same `PaymentRuns` store
/// as the payments pages and the API. The operator acts as that person: four eyes still holds (another manager approves).
struct Payments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Gather, approve, export, send and confirm payment runs as a program manager.",
        subcommands: [PaymentsRun.self, PaymentsList.self, PaymentsApprove.self, PaymentsExport.self, PaymentsSend.self, PaymentsConfirm.self,
                      PaymentsSettings.self])
}

/// What every payments command shares: who acts (`--as`), when (`--now`), and the run named by reference or id.
struct PaymentActor: ParsableArguments {
    @Option(name: .customLong("as"), help: "The email of the program manager who acts.") var user: String
    @Option(help: "The instant to act at (ISO 8601 or a day); now by default.") var now: String?

    func instant() throws -> Date { try now.map(Runtime.parseInstant) ?? SystemClock().now }

    /// The named user as a viewer; the store refuses anyone but a program manager.
    func viewer(_ db: Database) async throws -> Viewer {
        guard let found = try await UserRepository(db: db).find(email: user),
              let viewer = try await UserRepository(db: db).viewer(found.id, acceptsDemoUsers: true) else {
            throw CLIError("No active user has the email '\(user)'.")
        }
        return viewer
    }
}

enum PaymentsCLI {
    static func runs(_ db: Database, _ config: AppConfig) -> PaymentRuns { PaymentRuns(db: db, links: ClaimLinks(publicURL: config.publicURL)) }

    /// A run by its reference (`PR-000001`) or its id.
    static func run(_ name: String, in runs: PaymentRuns) async throws -> PaymentRunDetail {
        let number = name.uppercased().hasPrefix("PR-") ? Int64(name.dropFirst(3)) : Int64(name)
        guard let number, let detail = try await runs.run(number),
              name.uppercased().hasPrefix("PR-") ? detail.run.reference == name.uppercased() : true else {
            throw CLIError("No payment run '\(name)'. Name it by its reference (PR-000001) or id; `incentives payments list` shows them.")
        }
        return detail
    }

    /// One step on the named run, over the version just read, as `actor`; prints the run as it stands after.
    static func step(_ name: String, _ actor: PaymentActor, done: String,
                     _ take: @Sendable (PaymentRuns, PaymentRunSummary, Viewer, Date) async throws -> Void) async throws {
        let at = try actor.instant()
        let config = try await AppConfig.load()
        let detail = try await Runtime.withDatabase(config) { db in
            let runs = Self.runs(db, config)
            let found = try await Self.run(name, in: runs)
            try await take(runs, found.run, try await actor.viewer(db), at)
            return try await Self.run(String(found.run.id), in: runs)
        }
        print("\(done) " + describe(detail), terminator: "")
    }

    static func totals(_ money: [Money]) -> String {
        money.isEmpty ? "nothing" : money.map { "\($0.currency.code) \($0.plainText)" }.joined(separator: ", ")
    }

    /// The run as the commands print it: its reference, status, payees, totals and holds.
    static func describe(_ d: PaymentRunDetail) -> String {
        var out = "\(d.run.reference) (\(d.run.status.label.lowercased()), cut-off \(d.run.cutoff), version \(d.run.version)): "
            + "\(d.run.payees) payees, \(d.lines.reduce(0) { $0 + $1.earnings }) earnings; total \(totals(d.run.totals)).\n"
        for line in d.lines {
            out += "  \(line.endToEndID)  \(line.organizationName) / \(line.locationName): \(line.amount.currency.code) \(line.amount.plainText)"
                + " (\(line.earnings) earnings, \(line.status.label.lowercased())\(line.failureReason.map { ": \($0)" } ?? ""))\n"
        }
        if !d.holds.isEmpty { out += "Held for a later run:\n" }
        for hold in d.holds {
            out += "  \(hold.organizationName) / \(hold.locationName): \(hold.amount.currency.code) \(hold.amount.plainText)"
                + " (\(hold.earnings) earnings): \(hold.reason.label)\n"
        }
        return out
    }
}

struct PaymentsRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Gather every earning due at the cut-off into a new draft run.",
        discussion: "Prints the run's reference, payees, totals and what is held. Another program manager then approves it.")

    @Option(help: "The cut-off day, YYYY-MM-DD (today or earlier).") var cutoff: String
    @OptionGroup var actor: PaymentActor

    func run() async throws {
        let day = try PaymentRunRules.cutoff(cutoff, field: "--cutoff")
        let at = try actor.instant()
        let config = try await AppConfig.load()
        let detail = try await Runtime.withDatabase(config) { db in
            let runs = PaymentsCLI.runs(db, config)
            let id = try await runs.gather(cutoff: day, by: try await actor.viewer(db), at: at)
            return try await PaymentsCLI.run(String(id), in: runs)
        }
        print("Gathered " + PaymentsCLI.describe(detail), terminator: "")
    }
}

struct PaymentsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List payment runs, newest first (at most 100).")

    func run() async throws {
        let config = try await AppConfig.load()
        let runs = try await Runtime.withDatabase(config) { db in try await PaymentsCLI.runs(db, config).runs(limit: 100) }
        if runs.isEmpty { print("No payment runs yet.") }
        for run in runs {
            print("\(run.reference)  \(run.status.label.lowercased())  cut-off \(run.cutoff)  \(run.payees) payees  "
                  + PaymentsCLI.totals(run.totals))
        }
    }
}

struct PaymentsApprove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a draft run (a program manager other than the one who gathered it).")

    @Argument(help: "The run's reference (PR-000001) or id.") var run: String
    @OptionGroup var actor: PaymentActor

    func run() async throws {
        try await PaymentsCLI.step(run, actor, done: "Approved") { runs, found, viewer, at in
            try await runs.approve(found.id, expectedVersion: found.version, by: viewer, at: at)
        }
    }
}

struct PaymentsSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Mark an exported run as handed to the bank; payees' Incentives admins are emailed.")

    @Argument(help: "The run's reference (PR-000001) or id.") var run: String
    @OptionGroup var actor: PaymentActor

    func run() async throws {
        try await PaymentsCLI.step(run, actor, done: "Sent") { runs, found, viewer, at in
            try await runs.send(found.id, expectedVersion: found.version, by: viewer, at: at)
        }
    }
}

struct PaymentsSettings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "Print the program's payment settings, or change them (any option given).",
        discussion: "The paying account (name, IBAN, BIC) is what pain.001 files pay from: all three, or --no-payer for none.")

    @Option(name: .customLong("reversal-window-days"), help: "Days after approval a reviewer may reverse a claim.") var window: Int?
    @Option(name: .customLong("payment-limit-days"), help: "Days after approval an unpaid earning is forfeited.") var limit: Int?
    @Option(name: .customLong("payer-name"), help: "The paying account's holder.") var payerName: String?
    @Option(name: .customLong("payer-iban"), help: "The paying account's IBAN.") var payerIBAN: String?
    @Option(name: .customLong("payer-bic"), help: "The paying bank's BIC.") var payerBIC: String?
    @Flag(name: .customLong("no-payer"), help: "Remove the paying account.") var noPayer = false
    @OptionGroup var actor: PaymentActor

    func run() async throws {
        let at = try actor.instant()
        let config = try await AppConfig.load()
        let settings = try await Runtime.withDatabase(config) { db in
            let runs = PaymentsCLI.runs(db, config)
            let old = try await runs.settings()
            let viewer = try await actor.viewer(db)
            guard window != nil || limit != nil || payerName != nil || payerIBAN != nil || payerBIC != nil || noPayer else { return old }
            let keep = !noPayer && payerName == nil && payerIBAN == nil && payerBIC == nil
            let checked = PaymentSettings.checked(
                reversalWindowDays: String(window ?? old.reversalWindowDays), paymentLimitDays: String(limit ?? old.paymentLimitDays),
                payerName: keep ? old.payerName ?? "" : payerName ?? "", payerIBAN: keep ? old.payerIBAN ?? "" : payerIBAN ?? "",
                payerBIC: keep ? old.payerBIC ?? "" : payerBIC ?? "")
            switch checked {
            case .failure(let errors):
                throw CLIError(errors.byField.sorted { $0.key < $1.key }.map { "--\($0.key.replacingOccurrences(of: "_", with: "-")): \($0.value)" }
                    .joined(separator: " "))
            case .success(let settings):
                try await runs.update(settings, by: viewer, at: at)
                return try await runs.settings()
            }
        }
        let account = settings.payerIBAN.map { "\(settings.payerName ?? "") \(BankProfileSummary.mask($0)) \(settings.payerBIC ?? "")" }
        print("Reversal window \(settings.reversalWindowDays) days; payment limit \(settings.paymentLimitDays) days; paying account "
              + (account ?? "not set (pain.001 files can't be exported)") + ".")
    }
}

struct PaymentsExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a run's bank file: csv (every payee) or pain001 (ISO 20022, one currency).",
        discussion: "The download is recorded in the run's history; the first one moves an approved run to exported.")

    @Argument(help: "The run's reference (PR-000001) or id.") var run: String
    @Option(help: "csv or pain001.") var format: String
    @Option(help: "pain001: the currency of the file, e.g. EUR; without it, the run's only currency.") var currency: String?
    @Option(help: "Write to this file instead of standard output.") var out: String?
    @OptionGroup var actor: PaymentActor

    func run() async throws {
        guard ["csv", "pain001"].contains(format) else { throw CLIError("--format \(format) is not one; use csv or pain001.") }
        if format == "csv", currency != nil { throw CLIError("--currency is for pain001 files; a CSV holds every currency.") }
        let at = try actor.instant()
        let config = try await AppConfig.load()
        let file = try await Runtime.withDatabase(config) { db in
            let runs = PaymentsCLI.runs(db, config)
            let found = try await PaymentsCLI.run(run, in: runs)
            let chosen: PaymentFileFormat
            if format == "csv" {
                chosen = .csv(nil)
            } else if let currency {
                chosen = .pain001(Currency(currency))
            } else {
                let paid = Set(found.lines.map(\.amount.currency.code)).sorted()
                guard paid.count == 1 else {
                    throw CLIError("Run \(found.run.reference) pays in \(paid.joined(separator: ", ")): name one with --currency.")
                }
                chosen = .pain001(Currency(paid[0]))
            }
            return try await runs.export(found.run.id, format: chosen, by: try await actor.viewer(db), at: at)
        }
        guard let out else { print(file.body, terminator: ""); return }
        do { try Data(file.body.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
            throw CLIError("Could not write \(out): \(error.localizedDescription)")
        }
        print("Wrote \(file.fileName) to \(out).")
    }
}

struct PaymentsConfirm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm", abstract: "Import the bank's confirmation CSV of a sent run: each payment paid or failed.",
        discussion: "Columns end_to_end_id,status,amount,currency,reason. Every row is checked first; one problem, and nothing is stored.")

    @Argument(help: "The run's reference (PR-000001) or id.") var run: String
    @Option(help: "The bank's CSV file.") var file: String
    @Flag(name: .customLong("dry-run"), help: "Check the file and print what it would do, storing nothing.") var dryRun = false
    @OptionGroup var actor: PaymentActor

    func run() async throws {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw CLIError("Could not read \(file): it is missing, unreadable or not UTF-8 text.")
        }
        let at = try actor.instant()
        let config = try await AppConfig.load()
        let preview = try await Runtime.withDatabase(config) { db in
            let runs = PaymentsCLI.runs(db, config)
            let found = try await PaymentsCLI.run(run, in: runs)
            return try await runs.importConfirmations(found.run.id, csv: text, apply: !dryRun, by: try await actor.viewer(db), at: at)
        }
        guard preview.problems.isEmpty else {
            let first = preview.problems[0]
            let more = preview.problems.count > 1 ? " (and \(preview.problems.count - 1) more problems)" : ""
            throw CLIError("Nothing was stored: line \(first.line)\(first.column.isEmpty ? "" : ", \(first.column)"): \(first.message)\(more)")
        }
        for row in preview.rows { print("Line \(row.line): \(row.location): \(row.change)") }
        print(preview.applied ? "Confirmed \(preview.rows.count) payments."
              : "Dry run: \(preview.rows.count) payments would be confirmed; nothing was stored.")
    }
}
