import Foundation
import IncentivesDomain
import SQLKit

/// Which bank file of a run.
public enum PaymentFileFormat: Sendable, Hashable {
    /// One line per payee and currency with its earnings; netted lines too, with their status. With a currency, only its
    /// lines (a run that pays nothing in it has no such file).
    case csv(Currency?)
    /// ISO 20022 pain.001.001.09 credit transfers in one currency; netted lines are no transfers.
    case pain001(Currency)
}

/// A bank file made for a download.
public struct PaymentFile: Sendable, Hashable {
    public var fileName: String
    public var contentType: String
    public var body: String
}

extension PaymentRuns {
    // MARK: Bank files

    /// The run's bank file, with the full account numbers the run gathered; the download is recorded in the run's history (who
    /// took the payees' account numbers, and when) and an approved run becomes exported. A file that can't be made records
    /// nothing. A pain.001 names the program's paying account as its debtor and asks the bank to execute on the day of `now`
    /// (the bank moves a day it doesn't work to its next business day); its MsgId is the run's reference and the currency,
    /// so a second download of the same file is one the bank recognises as a duplicate.
    public func export(_ id: Int64, format: PaymentFileFormat, by viewer: Viewer, at now: Date) async throws -> PaymentFile {
        try Self.requireManager(viewer)
        guard let detail = try await run(id) else { throw StoreError.notFound("No payment run \(id).") }
        // Whether the run has a file comes before what its file needs (the paying account); `recordExport` checks it again.
        if let refusal = Self.noBankFile(detail.run.reference, detail.run.status) { throw refusal }
        let file: PaymentFile
        switch format {
        case .csv(let only):
            let earnings = try await db.read { sql in try await Self.earningIDs(ofRun: id, on: sql) }
            let chosen = detail.lines.filter { only == nil || $0.amount.currency == only }
            if let only, chosen.isEmpty { throw StoreError.notFound("Run \(detail.run.reference) pays nothing in \(only.code).") }
            let lines = chosen.map { line in
                PaymentRunCSV.Line(endToEndID: line.endToEndID, organization: line.organizationName, location: line.locationName,
                                   locationID: line.locationID, currency: line.amount.currency, amountMinor: line.amount.minorUnits,
                                   earningIDs: earnings[line.id] ?? [], creditorName: line.creditorName, account: line.creditorAccount,
                                   bic: line.creditorBIC, routingCode: line.creditorRoutingCode, status: line.status)
            }
            file = PaymentFile(fileName: "\(detail.run.reference)\(only.map { "-\($0.code)" } ?? "").csv", contentType: PaymentRunCSV.contentType,
                               body: PaymentRunCSV.document(reference: detail.run.reference, lines: lines))
        case .pain001(let currency):
            file = try await Self.pain001(detail, currency: currency, settings: try await settings(), at: now)
        }
        try await recordExport(id, file: file.fileName, by: viewer, at: now)
        return file
    }

    static func pain001(_ detail: PaymentRunDetail, currency: Currency, settings: PaymentSettings, at now: Date) async throws -> PaymentFile {
        let reference = detail.run.reference
        let ofCurrency = detail.lines.filter { $0.amount.currency == currency }
        guard !ofCurrency.isEmpty else {
            let paid = Set(detail.lines.map(\.amount.currency.code)).sorted().joined(separator: ", ")
            throw StoreError.notFound("Run \(reference) pays nothing in \(currency.code)\(paid.isEmpty ? "" : "; it pays in \(paid)").")
        }
        guard settings.hasPayerAccount, let payer = settings.payerName, let iban = settings.payerIBAN, let bic = settings.payerBIC else {
            throw PaymentRefusal("Set the paying account in the payment settings first: a pain.001 file names the account it pays from.")
        }
        let transfers = ofCurrency.filter { $0.status != .netted }.map { line in
            CreditTransfer(endToEndID: line.endToEndID, amountMinor: line.amount.minorUnits, currency: currency, creditorName: line.creditorName,
                           creditorCountry: line.creditorCountry, creditorAccount: line.creditorAccount,
                           creditorUsesIBAN: IBAN.lengths[line.creditorCountry] != nil, creditorBIC: line.creditorBIC,
                           creditorRoutingCode: line.creditorRoutingCode, remittance: "Partner incentives \(reference), \(line.locationName)")
        }
        let batch = CreditTransferBatch(messageID: "\(reference)-\(currency.code)", createdAt: now, initiatingParty: payer, debtorName: payer,
                                        debtorIBAN: iban, debtorBIC: bic, requestedExecution: DayDate(now), currency: currency, transfers: transfers)
        return PaymentFile(fileName: "\(reference)-\(currency.code).pain001.xml", contentType: "application/xml; charset=utf-8",
                           body: try Pain001.document(batch))
    }

    /// Each payee line's earnings, in id order.
    static func earningIDs(ofRun id: Int64, on sql: any SQLDatabase) async throws -> [Int64: [Int64]] {
        struct Row: Decodable { var line_id: Int64; var earning_id: Int64 }
        let rows = try await sql.raw("""
            SELECT line_id, earning_id FROM payment_run_items WHERE run_id = \(bind: id) ORDER BY line_id, earning_id
            """).all(decoding: Row.self)
        return Dictionary(grouping: rows, by: \.line_id).mapValues { $0.map(\.earning_id) }
    }

    // MARK: The bank's confirmations

    /// Reads a bank's confirmation file (`end_to_end_id,status,amount,currency,reason`) for a sent run. Every row must name a
    /// pending payee line of this run, with its exact amount and currency when the file gives them; every row is checked
    /// before any is applied, and with `apply` all are settled (paid, or failed with the bank's reason) in one transaction.
    /// Any problem, and nothing is stored: the preview lists each with its line.
    public func importConfirmations(_ id: Int64, csv text: String, apply: Bool, by viewer: Viewer, at now: Date) async throws -> ImportPreview {
        try Self.requireManager(viewer)
        // A preview locks nothing: on PostgreSQL a read-only transaction can't take the run's row lock.
        let flavor: SQLFlavor = apply ? db.flavor : .sqlite
        let work: @Sendable (any SQLDatabase) async throws -> ImportPreview = { [links] sql in
            let run = try await Self.run(id, on: sql, flavor: flavor)
            guard run.runStatus == .sent else {
                throw PaymentRefusal("Run \(run.reference) is \(run.runStatus.label.lowercased()): the bank's confirmations are imported "
                                     + "while a run is sent and some payments are pending.")
            }
            let (rows, unread) = BankConfirmationCSV.read(text)
            guard unread.isEmpty else { return ImportPreview(rows: [], problems: unread, applied: false) }
            let (checked, preview) = try await Self.check(rows, of: run, on: sql)
            guard apply, preview.problems.isEmpty else { return preview }
            for (line, outcome) in checked {
                try await Self.settle(line, of: run, outcome, by: viewer, links: links, at: now, on: sql)
            }
            try await Self.completeIfSettled(id, at: now, on: sql)
            return ImportPreview(rows: preview.rows, problems: [], applied: true)
        }
        return apply ? try await db.write(changesClaims: false, work) : try await db.read(work)
    }

    /// Each row against the run's lines: the line it settles and how, or its problems.
    static func check(_ rows: [BankConfirmation], of run: PaymentRunRow,
                      on sql: any SQLDatabase) async throws -> ([(PaymentLineRow, PaymentOutcome)], ImportPreview) {
        let lines = try await sql.raw("""
            SELECT id, run_id, location_id, currency, amount_minor, bank_profile_id, end_to_end_id, status
            FROM payment_run_lines WHERE run_id = \(bind: run.id)
            """).all(decoding: PaymentLineRow.self)
        let byReference = Dictionary(uniqueKeysWithValues: lines.map { ($0.end_to_end_id, $0) })
        struct Place: Decodable { var id: Int64; var name: String }
        let places = try await sql.raw("""
            SELECT lo.id, lo.name FROM locations lo WHERE lo.id IN (SELECT location_id FROM payment_run_lines WHERE run_id = \(bind: run.id))
            """).all(decoding: Place.self)
        let names = Dictionary(uniqueKeysWithValues: places.map { ($0.id, $0.name) })
        var checked: [(PaymentLineRow, PaymentOutcome)] = [], previews: [ImportPreviewRow] = [], problems: [ImportProblem] = []
        for row in rows {
            guard let line = byReference[row.endToEndID] else {
                problems.append(ImportProblem(line: row.line, column: "end_to_end_id",
                                              message: "\(row.endToEndID) is not a payment of run \(run.reference)."))
                continue
            }
            guard line.lineStatus == .pending else {
                problems.append(ImportProblem(line: row.line, column: "end_to_end_id",
                                              message: "\(row.endToEndID) is already \(line.lineStatus.label.lowercased()); "
                                                + "it can't be confirmed again."))
                continue
            }
            let currency = Currency(line.currency)
            if let mismatch = row.mismatch(amountMinor: line.amount_minor, currency: currency) {
                let column = row.currency.map { $0 != currency } == true ? "currency" : "amount"
                problems.append(ImportProblem(line: row.line, column: column, message: mismatch))
                continue
            }
            let outcome: PaymentOutcome
            switch row.outcome {
            case .paid: outcome = .paid
            case .failed(let reason): outcome = .failed(reason)
            }
            let money = Money(minorUnits: line.amount_minor, currency: currency)
            let change = outcome == .paid ? "paid \(money.plainText) \(currency.code)"
                : "failed (\(Self.reason(of: outcome))): \(money.plainText) \(currency.code) waits for the next run"
            previews.append(ImportPreviewRow(line: row.line, location: names[line.location_id] ?? "", change: "\(line.end_to_end_id) \(change)"))
            checked.append((line, outcome))
        }
        return (checked, ImportPreview(rows: previews, problems: problems, applied: false))
    }
}
