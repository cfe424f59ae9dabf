import Foundation
@testable import IncentivesDomain
import Testing

@Suite("ISO 20022 pain.001.001.09 credit-transfer files")
struct Pain001Tests {
    typealias F = PaymentFixture

    func parsed(_ batch: CreditTransferBatch) throws -> XMLNode {
        let xml = try Pain001.document(batch)
        let parsed = try #require(XMLNode.parse(xml), "not well-formed XML:\n\(xml)")
        #expect(parsed.namespace == "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09")
        #expect(parsed.root.name == "Document" && parsed.root.childNames == ["CstmrCdtTrfInitn"])
        return try #require(parsed.root.at("CstmrCdtTrfInitn"))
    }

    func amounts(_ message: XMLNode) -> [String] {
        message.at("PmtInf")?.all("CdtTrfTxInf").compactMap { $0.at("Amt/InstdAmt")?.text } ?? []
    }

    @Test("amounts are the exact text of the minor units, and the control sum is their exact sum")
    func exactAmounts() throws {
        let message = try parsed(F.batch([F.transfer(1, 1), F.transfer(2, 10), F.transfer(3, 100_000_000), F.transfer(4, 99)]))
        #expect(amounts(message) == ["0.01", "0.10", "1000000.00", "0.99"])
        #expect(message.at("GrpHdr/CtrlSum")?.text == "1000001.10")
        #expect(message.at("PmtInf/CtrlSum")?.text == "1000001.10")
        #expect(message.at("GrpHdr/NbOfTxs")?.text == "4" && message.at("PmtInf/NbOfTxs")?.text == "4")
        #expect(message.at("PmtInf/CdtTrfTxInf/Amt/InstdAmt")?.attributes["Ccy"] == "EUR")
    }

    @Test("yen have no decimals and dinars three; the currency's own digits, never two by default")
    func currencyDigits() throws {
        let yen = try parsed(F.batch([F.american(1, 1, Currency("JPY")), F.american(2, 1_234_567, Currency("JPY"))], currency: Currency("JPY")))
        #expect(amounts(yen) == ["1", "1234567"] && yen.at("GrpHdr/CtrlSum")?.text == "1234568")
        let dinar = try parsed(F.batch([F.american(1, 1, Currency("KWD")), F.american(2, 1_000, Currency("KWD"))], currency: Currency("KWD")))
        #expect(amounts(dinar) == ["0.001", "1.000"] && dinar.at("GrpHdr/CtrlSum")?.text == "1.001")
    }

    @Test("ten thousand transfers of 0.10 sum to exactly 1000.00, where a Double sum drifts")
    func noDrift() throws {
        let message = try parsed(F.batch((1...10_000).map { F.transfer($0, 10) }))
        #expect(message.at("GrpHdr/CtrlSum")?.text == "1000.00" && message.at("PmtInf/CtrlSum")?.text == "1000.00")
        #expect(message.at("GrpHdr/NbOfTxs")?.text == "10000")
        let drifting = (0..<10_000).reduce(0.0) { sum, _ in sum + 0.1 }
        #expect(String(drifting) != "1000.0", "the Double sum this file must not use")
    }

    @Test("for 200 random batches, the control sum read back as a decimal is the sum of the amounts read back")
    func controlSumProperty() throws {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: UInt64) -> UInt64 { seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return (seed >> 33) % bound }
        for round in 0..<200 {
            let currency = [Currency.eur, Currency("JPY"), Currency("KWD")][round % 3]
            let transfers = (1...Int(1 + next(40))).map { F.american($0, Int64(1 + next(next(2) == 0 ? 1_000 : 10_000_000_000)), currency) }
            let message = try parsed(F.batch(transfers, currency: currency))
            let sum = amounts(message).map(dec).reduce(Decimal(0), +)
            #expect(dec(try #require(message.at("GrpHdr/CtrlSum")?.text)) == sum)
            #expect(sum == Money(minorUnits: transfers.reduce(0) { $0 + $1.amountMinor }, currency: currency).amount)
            #expect(amounts(message).allSatisfy { $0.split(separator: ".").dropFirst().first?.count ?? 0 == currency.minorUnitDigits })
        }
    }

    @Test("the group header, payment information and each transaction hold their elements in the schema's order")
    func elementOrder() throws {
        let message = try parsed(F.batch([F.transfer(1, 500)]))
        #expect(message.childNames == ["GrpHdr", "PmtInf"])
        #expect(message.at("GrpHdr")?.childNames == ["MsgId", "CreDtTm", "NbOfTxs", "CtrlSum", "InitgPty"])
        #expect(message.at("GrpHdr/CreDtTm")?.text == "2026-12-05T21:20:09Z", "UTC, no fractional seconds")
        #expect(message.at("GrpHdr/InitgPty/Nm")?.text == "Fabrikam Partner Program")
        #expect(message.at("PmtInf")?.childNames == ["PmtInfId", "PmtMtd", "NbOfTxs", "CtrlSum", "PmtTpInf", "ReqdExctnDt", "Dbtr",
                                                    "DbtrAcct", "DbtrAgt", "ChrgBr", "CdtTrfTxInf"])
        #expect(message.at("PmtInf/PmtMtd")?.text == "TRF" && message.at("PmtInf/PmtTpInf/SvcLvl/Cd")?.text == "SEPA")
        #expect(message.at("PmtInf/ReqdExctnDt/Dt")?.text == "2026-12-08" && message.at("PmtInf/ChrgBr")?.text == "SLEV")
        #expect(message.at("PmtInf/DbtrAcct/Id/IBAN")?.text == "GB29NWBK60161331926819")
        #expect(message.at("PmtInf/DbtrAgt/FinInstnId/BICFI")?.text == "NWBKGB2L")
        let tx = try #require(message.at("PmtInf/CdtTrfTxInf"))
        #expect(tx.childNames == ["PmtId", "Amt", "CdtrAgt", "Cdtr", "CdtrAcct", "RmtInf"])
        #expect(tx.at("PmtId")?.childNames == ["EndToEndId"] && tx.at("PmtId/EndToEndId")?.text == "PR-000007-0001")
        #expect(tx.at("CdtrAgt/FinInstnId")?.childNames == ["BICFI"] && tx.at("CdtrAgt/FinInstnId/BICFI")?.text == "COBADEFFXXX")
        #expect(tx.at("Cdtr")?.childNames == ["Nm", "PstlAdr"] && tx.at("Cdtr/PstlAdr/Ctry")?.text == "DE")
        #expect(tx.at("CdtrAcct/Id/IBAN")?.text == "DE89370400440532013000", "printed in groups, written without spaces")
        #expect(tx.at("RmtInf/Ustrd")?.text == "PR-000007 Partner incentives")
    }

    @Test("a US payee: account in Othr, ABA routing number as a clearing member, shared charges, no SEPA service level")
    func accountAndRouting() throws {
        let message = try parsed(F.batch([F.american(1, 12_345)], currency: .usd, messageID: "PR-000007-USD"))
        let info = try #require(message.at("PmtInf"))
        #expect(!info.childNames.contains("PmtTpInf") && info.at("ChrgBr")?.text == "SHAR")
        let agent = try #require(info.at("CdtTrfTxInf/CdtrAgt/FinInstnId"))
        #expect(agent.childNames == ["BICFI", "ClrSysMmbId"])
        #expect(agent.at("ClrSysMmbId")?.childNames == ["ClrSysId", "MmbId"])
        #expect(agent.at("ClrSysMmbId/ClrSysId/Cd")?.text == "USABA" && agent.at("ClrSysMmbId/MmbId")?.text == "021000021")
        #expect(info.at("CdtTrfTxInf/CdtrAcct/Id")?.childNames == ["Othr"])
        #expect(info.at("CdtTrfTxInf/CdtrAcct/Id/Othr/Id")?.text == "000123456789")
    }

    @Test("euros to an account without an IBAN are not SEPA: no service level, shared charges")
    func eurosOutsideSEPA() throws {
        let message = try parsed(F.batch([F.transfer(1, 100), F.american(2, 100, .eur)]))
        #expect(message.at("PmtInf")?.childNames.contains("PmtTpInf") == false)
        #expect(message.at("PmtInf/ChrgBr")?.text == "SHAR")
    }

    @Test("names and remittance texts are escaped, and non-Latin names kept as they are")
    func escaping() throws {
        let name = "Tom & Jerry <Ltd> \"quoted\" 'x'", foreign = "Müller Straße Ünïcödé 東京 株式会社"
        let batch = F.batch([F.transfer(1, 100, name: name, remittance: "a<b & c>d"), F.transfer(2, 100, name: foreign)])
        let xml = try Pain001.document(batch)
        #expect(xml.contains("<Nm>Tom &amp; Jerry &lt;Ltd&gt; &quot;quoted&quot; &apos;x&apos;</Nm>"))
        #expect(xml.contains("<Ustrd>a&lt;b &amp; c&gt;d</Ustrd>"))
        let names = try parsed(batch).at("PmtInf")?.all("CdtTrfTxInf").compactMap { $0.at("Cdtr/Nm")?.text }
        #expect(names == [name, foreign])
    }

    @Test("an empty remittance text leaves RmtInf out; a remittance of 140 characters and a name of 140 are written")
    func limitsReached() throws {
        let long = String(repeating: "é", count: 140)
        let message = try parsed(F.batch([F.transfer(1, 100, name: long, remittance: ""), F.transfer(2, 100, remittance: long)]))
        let txs = message.at("PmtInf")?.all("CdtTrfTxInf") ?? []
        #expect(txs.first?.childNames.contains("RmtInf") == false && txs.first?.at("Cdtr/Nm")?.text == long)
        #expect(txs.last?.at("RmtInf/Ustrd")?.text == long)
    }
}
