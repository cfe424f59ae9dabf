import Foundation

/// One payee's credit transfer in a bank file: the amount in integer minor units, the creditor and their account.
public struct CreditTransfer: Sendable, Hashable {
    /// The payee line's reference (`PaymentRunRules.endToEndID`), returned by the bank in its confirmation.
    public var endToEndID: String
    public var amountMinor: Int64
    public var currency: Currency
    public var creditorName: String
    /// ISO 3166 alpha-2 country of the creditor's bank.
    public var creditorCountry: String
    /// The IBAN in an IBAN country, the account number elsewhere.
    public var creditorAccount: String
    public var creditorUsesIBAN: Bool
    public var creditorBIC: String
    /// The national bank code (ABA routing number, BSB, IFSC...) outside IBAN countries.
    public var creditorRoutingCode: String?
    /// What the payee's bank statement shows (the run's reference and the program).
    public var remittance: String

    public init(endToEndID: String, amountMinor: Int64, currency: Currency, creditorName: String, creditorCountry: String,
                creditorAccount: String, creditorUsesIBAN: Bool, creditorBIC: String, creditorRoutingCode: String? = nil, remittance: String) {
        self.endToEndID = endToEndID; self.amountMinor = amountMinor; self.currency = currency; self.creditorName = creditorName
        self.creditorCountry = creditorCountry; self.creditorAccount = creditorAccount; self.creditorUsesIBAN = creditorUsesIBAN
        self.creditorBIC = creditorBIC; self.creditorRoutingCode = creditorRoutingCode; self.remittance = remittance
    }
}

/// The transfers of one currency that one bank file pays from the program's (the debtor's) account.
public struct CreditTransferBatch: Sendable, Hashable {
    /// The file's unique reference (at most 35 characters); also its one payment information block's.
    public var messageID: String
    public var createdAt: Date
    public var initiatingParty: String
    public var debtorName: String
    public var debtorIBAN: String
    public var debtorBIC: String
    public var requestedExecution: DayDate
    public var currency: Currency
    public var transfers: [CreditTransfer]

    public init(messageID: String, createdAt: Date, initiatingParty: String, debtorName: String, debtorIBAN: String, debtorBIC: String,
                requestedExecution: DayDate, currency: Currency, transfers: [CreditTransfer]) {
        self.messageID = messageID; self.createdAt = createdAt; self.initiatingParty = initiatingParty; self.debtorName = debtorName
        self.debtorIBAN = debtorIBAN; self.debtorBIC = debtorBIC; self.requestedExecution = requestedExecution
        self.currency = currency; self.transfers = transfers
    }

    /// A SEPA credit transfer: euros, every creditor paid to an IBAN. Other batches are plain (cross-border) transfers.
    public var isSEPA: Bool { currency == .eur && transfers.allSatisfy(\.creditorUsesIBAN) }

    /// The exact sum of the transfers in minor units, refused when it passes the 18 digits the schema allows.
    public func controlSumMinor() throws(PaymentFileRefusal) -> Int64 {
        var sum: Int64 = 0
        for transfer in transfers {
            let (next, overflow) = sum.addingReportingOverflow(transfer.amountMinor)
            guard !overflow, next < Pain001.amountLimit else {
                throw PaymentFileRefusal(endToEndID: nil, element: "GrpHdr/CtrlSum",
                                         message: "The file's total passes the 18 digits a bank file allows; split the run.")
            }
            sum = next
        }
        return sum
    }
}

/// An ISO 20022 `pain.001.001.09` CustomerCreditTransferInitiation: one payment information block paying every
/// transfer of a batch, its elements in the schema's order. Amounts are exact text of the integer minor units.
public enum Pain001 {
    public static let namespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
    /// Amounts and the control sum hold at most 18 digits (`totalDigits` of the schema's decimal types).
    static let amountLimit: Int64 = 1_000_000_000_000_000_000

    /// Clearing systems by the creditor bank's country (ISO 20022 ExternalClearingSystemIdentification1Code).
    public static let clearingSystems: [String: String] = [
        "US": "USABA", "CA": "CACPA", "AU": "AUBSB", "IN": "INFSC", "ZA": "ZANCC", "SG": "SGIBG", "JP": "JPZGN",
    ]

    /// The XML document of the batch, or a refusal naming the transfer and the element that cannot be written.
    public static func document(_ batch: CreditTransferBatch) throws(PaymentFileRefusal) -> String {
        let header = try GroupHeader(batch)
        var transfers: [CheckedTransfer] = []
        var seen: Set<String> = []
        for transfer in batch.transfers {
            let checked = try CheckedTransfer(transfer, batch: batch)
            guard seen.insert(checked.endToEndID).inserted else {
                throw PaymentFileRefusal(endToEndID: checked.endToEndID, element: "PmtId/EndToEndId",
                                         message: "The EndToEndId \(checked.endToEndID) is given to two transfers; each must be unique.")
            }
            transfers.append(checked)
        }
        let controlSum = Money.plainText(minorUnits: try batch.controlSumMinor(), currency: batch.currency)
        var xml = XMLLines()
        xml.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        xml.open("Document", attributes: "xmlns=\"\(namespace)\"")
        xml.open("CstmrCdtTrfInitn")
        xml.open("GrpHdr")
        xml.leaf("MsgId", header.messageID)
        xml.leaf("CreDtTm", header.createdAt)
        xml.leaf("NbOfTxs", String(transfers.count))
        xml.leaf("CtrlSum", controlSum)
        xml.open("InitgPty"); xml.leaf("Nm", header.initiatingParty); xml.close("InitgPty")
        xml.close("GrpHdr")
        paymentInformation(batch, header, controlSum: controlSum, transfers, into: &xml)
        xml.close("CstmrCdtTrfInitn")
        xml.close("Document")
        return xml.text
    }

    /// The one PmtInf block: the debtor, then each transfer.
    static func paymentInformation(_ batch: CreditTransferBatch, _ header: GroupHeader, controlSum: String, _ transfers: [CheckedTransfer],
                                   into xml: inout XMLLines) {
        xml.open("PmtInf")
        xml.leaf("PmtInfId", header.messageID)
        xml.leaf("PmtMtd", "TRF")
        xml.leaf("NbOfTxs", String(transfers.count))
        xml.leaf("CtrlSum", controlSum)
        if batch.isSEPA {
            xml.open("PmtTpInf"); xml.open("SvcLvl"); xml.leaf("Cd", "SEPA"); xml.close("SvcLvl"); xml.close("PmtTpInf")
        }
        xml.open("ReqdExctnDt"); xml.leaf("Dt", batch.requestedExecution.description); xml.close("ReqdExctnDt")
        xml.open("Dbtr"); xml.leaf("Nm", header.debtorName); xml.close("Dbtr")
        xml.open("DbtrAcct"); xml.open("Id"); xml.leaf("IBAN", header.debtorIBAN); xml.close("Id"); xml.close("DbtrAcct")
        xml.open("DbtrAgt"); xml.open("FinInstnId"); xml.leaf("BICFI", header.debtorBIC); xml.close("FinInstnId"); xml.close("DbtrAgt")
        xml.leaf("ChrgBr", batch.isSEPA ? "SLEV" : "SHAR")
        for transfer in transfers { transfer.write(into: &xml) }
        xml.close("PmtInf")
    }
}

/// The batch's own texts, checked.
struct GroupHeader {
    var messageID, createdAt, initiatingParty, debtorName, debtorIBAN, debtorBIC: String

    init(_ batch: CreditTransferBatch) throws(PaymentFileRefusal) {
        typealias Field = BankText.Field
        guard !batch.transfers.isEmpty else {
            throw PaymentFileRefusal(endToEndID: nil, element: "CdtTrfTxInf", message: "A bank file needs at least one transfer; this one has none.")
        }
        guard BankText.matches(batch.currency.code, "[A-Z]{3}") else {
            throw PaymentFileRefusal(endToEndID: nil, element: "Ccy", message: "\"\(batch.currency.code)\" is not an ISO 4217 currency code.")
        }
        messageID = try BankText.identifier(batch.messageID, Field(element: "GrpHdr/MsgId", label: "The file's reference (MsgId)"))
        createdAt = batch.createdAt.formatted(Date.ISO8601FormatStyle())
        initiatingParty = try BankText.check(batch.initiatingParty, max: 140, Field(element: "InitgPty/Nm", label: "The initiating party's name"))
        debtorName = try BankText.check(batch.debtorName, max: 140, Field(element: "Dbtr/Nm", label: "The payer's name"))
        let iban = IBAN.normalize(batch.debtorIBAN)
        if let problem = IBAN.problem(iban, country: String(iban.prefix(2))) {
            throw PaymentFileRefusal(endToEndID: nil, element: "DbtrAcct/Id/IBAN", message: "The payer's IBAN is refused: \(problem)")
        }
        debtorIBAN = iban
        debtorBIC = try CheckedTransfer.bic(batch.debtorBIC, Field(element: "DbtrAgt/FinInstnId/BICFI", label: "The payer's SWIFT/BIC code"))
    }
}
