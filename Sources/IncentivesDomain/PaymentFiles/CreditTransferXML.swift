import Foundation

/// A transfer whose every text passed the schema's limits, ready to be written as a CdtTrfTxInf.
struct CheckedTransfer {
    var endToEndID: String
    var amount: String
    var currency: String
    var bic: String
    var clearing: (system: String?, member: String)?
    var name: String
    var country: String
    var iban: String?
    var account: String?
    var remittance: String?

    init(_ t: CreditTransfer, batch: CreditTransferBatch) throws(PaymentFileRefusal) {
        typealias Field = BankText.Field
        endToEndID = try BankText.identifier(t.endToEndID, Field(element: "PmtId/EndToEndId", label: "The EndToEndId"))
        let id = endToEndID
        func refuse(_ element: String, _ message: String) -> PaymentFileRefusal {
            PaymentFileRefusal(endToEndID: id, element: element, message: message)
        }
        guard t.currency == batch.currency else {
            throw refuse("InstdAmt/@Ccy", "\(id) is in \(t.currency.code) but the file pays \(batch.currency.code); one file holds one currency.")
        }
        guard t.amountMinor > 0 else {
            let shown = Money.plainText(minorUnits: t.amountMinor, currency: t.currency)
            throw refuse("InstdAmt", "\(id) is for \(shown); a transfer pays more than zero.")
        }
        guard t.amountMinor < Pain001.amountLimit else { throw refuse("InstdAmt", "\(id)'s amount passes the 18 digits a bank file allows.") }
        amount = Money.plainText(minorUnits: t.amountMinor, currency: t.currency)
        currency = t.currency.code
        bic = try Self.bic(t.creditorBIC, Field(element: "CdtrAgt/FinInstnId/BICFI", label: "The payee bank's SWIFT/BIC code", endToEndID: id))
        if let code = t.creditorRoutingCode, !code.isEmpty {
            let member = try BankText.check(code, max: 35, Field(element: "ClrSysMmbId/MmbId", label: "The payee's bank code", endToEndID: id))
            clearing = (Pain001.clearingSystems[t.creditorCountry.uppercased()], member)
        }
        name = try BankText.check(t.creditorName, max: 140, Field(element: "Cdtr/Nm", label: "The payee's name", endToEndID: id))
        guard BankText.matches(t.creditorCountry, "[A-Z]{2}") else {
            throw refuse("Cdtr/PstlAdr/Ctry", "\(id)'s country \"\(t.creditorCountry)\" is not an ISO 3166 code of two capital letters.")
        }
        country = t.creditorCountry
        if t.creditorUsesIBAN {
            let iban = IBAN.normalize(t.creditorAccount)
            if let problem = IBAN.problem(iban, country: country) { throw refuse("CdtrAcct/Id/IBAN", "\(id)'s IBAN is refused: \(problem)") }
            self.iban = iban
        } else {
            let field = Field(element: "CdtrAcct/Id/Othr/Id", label: "The payee's account number", endToEndID: id)
            account = try BankText.check(t.creditorAccount, max: 34, field)
        }
        if !t.remittance.isEmpty {
            remittance = try BankText.check(t.remittance, max: 140, Field(element: "RmtInf/Ustrd", label: "The remittance text", endToEndID: id))
        }
    }

    /// A BIC in the schema's form (BICFIDec2014Identifier), upper case without spaces.
    static func bic(_ raw: String, _ field: BankText.Field) throws(PaymentFileRefusal) -> String {
        let bic = SwiftBIC.normalize(raw)
        guard BankText.matches(bic, "[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?") else {
            let whose = field.endToEndID.map { " of \($0)" } ?? ""
            throw field.refusal("\(field.label)\(whose) \"\(raw)\" is not a BIC: 8 or 11 letters and digits, the 5th and 6th the country.")
        }
        return bic
    }

    /// The CdtTrfTxInf, its elements in the order of CreditTransferTransaction34.
    func write(into xml: inout XMLLines) {
        xml.open("CdtTrfTxInf")
        xml.open("PmtId"); xml.leaf("EndToEndId", endToEndID); xml.close("PmtId")
        xml.open("Amt"); xml.leaf("InstdAmt", amount, attributes: "Ccy=\"\(currency)\""); xml.close("Amt")
        xml.open("CdtrAgt")
        xml.open("FinInstnId")
        xml.leaf("BICFI", bic)
        if let clearing {
            xml.open("ClrSysMmbId")
            if let system = clearing.system { xml.open("ClrSysId"); xml.leaf("Cd", system); xml.close("ClrSysId") }
            xml.leaf("MmbId", clearing.member)
            xml.close("ClrSysMmbId")
        }
        xml.close("FinInstnId")
        xml.close("CdtrAgt")
        xml.open("Cdtr")
        xml.leaf("Nm", name)
        xml.open("PstlAdr"); xml.leaf("Ctry", country); xml.close("PstlAdr")
        xml.close("Cdtr")
        xml.open("CdtrAcct")
        xml.open("Id")
        if let iban { xml.leaf("IBAN", iban) } else if let account { xml.open("Othr"); xml.leaf("Id", account); xml.close("Othr") }
        xml.close("Id")
        xml.close("CdtrAcct")
        if let remittance { xml.open("RmtInf"); xml.leaf("Ustrd", remittance); xml.close("RmtInf") }
        xml.close("CdtTrfTxInf")
    }
}

/// An indented XML document written line by line; text and attribute values are escaped here, element names are ours.
struct XMLLines {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ raw: String) {
        text += String(repeating: "  ", count: depth) + raw + "\n"
    }

    /// `attributes` is written as given: callers pass only values they escaped or that are codes of the schema.
    mutating func open(_ name: String, attributes: String? = nil) {
        line("<\(name)\(attributes.map { " " + $0 } ?? "")>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    mutating func leaf(_ name: String, _ value: String, attributes: String? = nil) {
        line("<\(name)\(attributes.map { " " + $0 } ?? "")>\(value.xmlEscaped)</\(name)>")
    }
}
