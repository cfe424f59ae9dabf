import Foundation

/// What the bank says of one transfer of a run: paid, or failed with its reason.
public struct BankConfirmation: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case paid
        /// The reason passed `TextRule.paymentFailureReason`; the partner reads it.
        case failed(reason: String)
    }

    /// The file's line the row starts on.
    public var line: Int
    public var endToEndID: String
    public var outcome: Outcome
    /// The amount as the bank wrote it, exactly, when the file has it.
    public var amount: Decimal?
    public var currency: Currency?

    public init(line: Int, endToEndID: String, outcome: Outcome, amount: Decimal? = nil, currency: Currency? = nil) {
        self.line = line; self.endToEndID = endToEndID; self.outcome = outcome; self.amount = amount; self.currency = currency
    }

    /// Why this row does not confirm a line of `amountMinor` in `lineCurrency`, in words; nil when the amount and currency
    /// the bank gave (if any) are the line's.
    public func mismatch(amountMinor: Int64, currency lineCurrency: Currency) -> String? {
        let expected = Money(minorUnits: amountMinor, currency: lineCurrency)
        if let currency, currency != lineCurrency {
            return "Line \(line): \(endToEndID) was paid in \(lineCurrency.code), but the file says \(currency.code)."
        }
        if let amount, amount != expected.amount {
            return "Line \(line): \(endToEndID) is for \(expected.plainText) \(lineCurrency.code), but the file says \(amount)."
        }
        return nil
    }
}

/// A bank's confirmation of a run's transfers, as CSV: `end_to_end_id,status,amount,currency,reason` (amount and currency
/// may be left out). Read with the project's CSV reader (`CSVTable`): quotes, CRLF, a byte-order mark and blank lines.
public enum BankConfirmationCSV {
    /// A run pays at most this many payees; a file of more rows is not a confirmation of one.
    public static let maxRows = 10_000
    /// Room for `maxRows` failed rows, each with a reason of the full 500 characters: pass it to `CSVTable.text(ofFile:maxBytes:)`.
    public static let maxFileBytes = 6 * 1024 * 1024
    public static let columns = ["end_to_end_id", "status", "amount", "currency", "reason"]

    /// Every row, or, when any row is wrong, every problem with its line and column: a file is applied whole or not at all.
    public static func read(_ text: String) -> (rows: [BankConfirmation], problems: [ImportProblem]) {
        let table: CSVTable
        do throws(ImportProblem) {
            table = try CSVTable(text, required: ["end_to_end_id", "status", "reason"], maxRecords: maxRows)
        } catch {
            return ([], [error])
        }
        var rows: [BankConfirmation] = [], problems: [ImportProblem] = []
        var firstLine: [String: Int] = [:]
        for record in table.records where !record.values.values.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            var rowProblems: [ImportProblem] = []
            func problem(_ column: String, _ message: String) {
                rowProblems.append(ImportProblem(line: record.line, column: column, message: message))
            }
            let id = record.value("end_to_end_id")
            if let message = endToEndProblem(id) { problem("end_to_end_id", message) }
            else if let earlier = firstLine[id] { problem("end_to_end_id", "\(id) is also on line \(earlier); confirm each payment once.") }
            else { firstLine[id] = record.line }
            let outcome = readOutcome(record, problem: problem)
            let currency = readCurrency(record.value("currency"), problem: problem)
            let amount = readAmount(record.value("amount"), currency: currency, problem: problem)
            if rowProblems.isEmpty, let outcome {
                rows.append(BankConfirmation(line: record.line, endToEndID: id, outcome: outcome, amount: amount, currency: currency))
            }
            problems += rowProblems
        }
        if problems.isEmpty && rows.isEmpty {
            problems.append(ImportProblem(line: 2, column: "", message: "The file has no rows under its header: nothing to confirm."))
        }
        return problems.isEmpty ? (rows, []) : ([], problems)
    }

    static func endToEndProblem(_ id: String) -> String? {
        if id.isEmpty { return "The end_to_end_id is missing: it is the reference of the payment in the run's bank file." }
        if id.unicodeScalars.count > 35 { return "The end_to_end_id \"\(id.prefix(40))…\" is longer than 35 characters; no payment has it." }
        if id.unicodeScalars.contains(where: BankText.refuses) { return "The end_to_end_id holds a control or invisible character." }
        return nil
    }

    static func readOutcome(_ record: CSVTable.Record, problem: (String, String) -> Void) -> BankConfirmation.Outcome? {
        let status = record.value("status")
        switch status.lowercased() {
        case "paid": return .paid
        case "failed":
            do throws(InputRefusal) {
                return .failed(reason: try TextRule.paymentFailureReason.check(record.values["reason"] ?? "", field: "reason"))
            } catch {
                problem("reason", error.message)
                return nil
            }
        case "": problem("status", "The status is missing; use paid or failed."); return nil
        default: problem("status", "The status is \"\(status)\"; use paid or failed."); return nil
        }
    }

    static func readCurrency(_ raw: String, problem: (String, String) -> Void) -> Currency? {
        guard !raw.isEmpty else { return nil }
        guard BankText.matches(raw, "[A-Za-z]{3}") else {
            problem("currency", "The currency is \"\(raw)\"; use its three-letter code, like USD or EUR.")
            return nil
        }
        return Currency(raw)
    }

    /// The amount exactly as written: digits with an optional decimal point, no sign, grouping or more decimals than the
    /// currency has.
    static func readAmount(_ raw: String, currency: Currency?, problem: (String, String) -> Void) -> Decimal? {
        guard !raw.isEmpty else { return nil }
        guard BankText.matches(raw, "[0-9]{1,15}(\\.[0-9]{1,5})?"),
              let amount = Decimal(string: raw, locale: Locale(identifier: "en_US_POSIX")) else {
            problem("amount", "The amount is \"\(raw)\"; write it like 1234.50, with a point and no thousands separators.")
            return nil
        }
        let decimals = raw.split(separator: ".").dropFirst().first?.count ?? 0
        if let currency, decimals > currency.minorUnitDigits {
            problem("amount", "The amount \(raw) has \(decimals) decimals; \(currency.code) has \(currency.minorUnitDigits).")
            return nil
        }
        return amount
    }
}
