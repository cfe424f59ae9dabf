import Foundation

/// A payment run as CSV, one line per payee and currency with its earnings, for the program's accounts and the bank
/// portal. Names people typed go through the formula guard (`CSV.text`); amounts are exact text of minor units.
public enum PaymentRunCSV {
    /// One payee line of a run, as the file shows it.
    public struct Line: Sendable, Hashable {
        public var endToEndID: String
        public var organization: String
        public var location: String
        public var locationID: Int64
        public var currency: Currency
        public var amountMinor: Int64
        public var earningIDs: [Int64]
        public var creditorName: String
        /// The full IBAN or account number: the file is for the people who pay.
        public var account: String
        public var bic: String
        public var routingCode: String?
        public var status: PaymentLineStatus

        public init(endToEndID: String, organization: String, location: String, locationID: Int64, currency: Currency, amountMinor: Int64,
                    earningIDs: [Int64], creditorName: String, account: String, bic: String, routingCode: String?, status: PaymentLineStatus) {
            self.endToEndID = endToEndID; self.organization = organization; self.location = location; self.locationID = locationID
            self.currency = currency; self.amountMinor = amountMinor; self.earningIDs = earningIDs; self.creditorName = creditorName
            self.account = account; self.bic = bic; self.routingCode = routingCode; self.status = status
        }
    }

    public static let columns = [
        "run_reference", "end_to_end_id", "organization", "location", "location_id", "currency", "amount", "earnings",
        "earning_ids", "creditor_name", "account", "bic", "routing_code", "status",
    ]

    public static let contentType = "text/csv; charset=utf-8"

    /// The header line.
    public static var header: String { CSV.line(columns) }

    /// One payee's line of the run `reference`.
    public static func line(_ line: Line, reference: String) -> String {
        CSV.line([
            reference, CSV.text(line.endToEndID), CSV.text(line.organization), CSV.text(line.location), String(line.locationID),
            line.currency.code, Money.plainText(minorUnits: line.amountMinor, currency: line.currency), String(line.earningIDs.count),
            line.earningIDs.map(String.init).joined(separator: " "), CSV.text(line.creditorName), CSV.text(line.account),
            CSV.text(line.bic), CSV.text(line.routingCode ?? ""), line.status.rawValue,
        ])
    }

    /// The whole file: the header, then the lines in the order given.
    public static func document(reference: String, lines: [Line]) -> String {
        lines.reduce(into: header) { $0 += line($1, reference: reference) }
    }
}
