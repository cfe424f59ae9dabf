import Foundation
@testable import IncentivesDomain
import Testing

@Suite("Bank files refuse what a bank would, naming the transfer and the element")
struct Pain001RefusalTests {
    typealias F = PaymentFixture

    /// The refusal of `batch`, failing the test when a document is written.
    func refusal(_ batch: CreditTransferBatch, sourceLocation: SourceLocation = #_sourceLocation) -> PaymentFileRefusal? {
        do throws(PaymentFileRefusal) {
            let xml = try Pain001.document(batch)
            Issue.record("written, not refused:\n\(xml.prefix(400))", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    func transfer(_ change: (inout CreditTransfer) -> Void) -> CreditTransferBatch {
        var t = F.transfer(2, 100)
        change(&t)
        return F.batch([F.transfer(1, 100), t])
    }

    @Test("an empty batch, a zero or negative amount, and a transfer in another currency")
    func amountsAndCurrency() {
        #expect(refusal(F.batch([]))?.element == "CdtTrfTxInf")
        for minor in [Int64(0), -5] {
            let r = refusal(transfer { $0.amountMinor = minor })
            #expect(r?.endToEndID == "PR-000007-0002" && r?.element == "InstdAmt")
            #expect(r?.message.contains("more than zero") == true)
        }
        let mixed = refusal(F.batch([F.transfer(1, 100), F.american(2, 100)]))
        #expect(mixed?.element == "InstdAmt/@Ccy" && mixed?.message == "PR-000007-0002 is in USD but the file pays EUR; one file holds one currency.")
        #expect(refusal(F.batch([F.transfer(1, 100, Currency("EU1"))], currency: Currency("EU1")))?.element == "Ccy")
    }

    @Test("an amount or a total past the schema's 18 digits")
    func eighteenDigits() {
        #expect(refusal(transfer { $0.amountMinor = 1_000_000_000_000_000_000 })?.element == "InstdAmt")
        let half: Int64 = 600_000_000_000_000_000
        #expect(refusal(F.batch([F.transfer(1, half), F.transfer(2, half)]))?.element == "GrpHdr/CtrlSum")
    }

    @Test("texts longer than the schema allows: names 140, EndToEndId and MsgId 35, Ustrd 140, account 34")
    func lengths() {
        let r = refusal(transfer { $0.creditorName = String(repeating: "a", count: 141) })
        #expect(r?.element == "Cdtr/Nm" && r?.message == "The payee's name of PR-000007-0002 is 141 characters long; a bank file holds at most 140.")
        #expect(refusal(transfer { $0.endToEndID = String(repeating: "A", count: 36) })?.element == "PmtId/EndToEndId")
        #expect(refusal(transfer { $0.remittance = String(repeating: "r", count: 141) })?.element == "RmtInf/Ustrd")
        #expect(refusal(F.batch([F.transfer(1, 100)], messageID: String(repeating: "M", count: 36)))?.element == "GrpHdr/MsgId")
        var long = F.american(1, 100)
        long.creditorAccount = String(repeating: "1", count: 35)
        #expect(refusal(F.batch([long], currency: .usd))?.element == "CdtrAcct/Id/Othr/Id")
        var batch = F.batch([F.transfer(1, 100)])
        batch.debtorName = String(repeating: "d", count: 141)
        #expect(refusal(batch)?.element == "Dbtr/Nm")
        batch = F.batch([F.transfer(1, 100)])
        batch.initiatingParty = " "
        #expect(refusal(batch)?.message == "The initiating party's name is missing.")
    }

    @Test("control characters, invisible formatting and private-use characters are refused, never dropped")
    func characters() {
        for bad in ["Tab\there", "Line\nbreak", "Bell\u{7}", "Right\u{202E}to left", "Zero\u{200B}width", "Private\u{E000}", "Sep\u{2028}"] {
            let r = refusal(transfer { $0.creditorName = bad })
            #expect(r?.element == "Cdtr/Nm" && r?.message.contains("a character banks do not accept (U+") == true, "\(bad.debugDescription)")
        }
        #expect(refusal(transfer { $0.remittance = "PR\u{0}" })?.message.contains("(U+0000)") == true)
    }

    @Test("identifiers keep to the SEPA characters and never start or end with / nor hold //")
    func identifiers() {
        for id in ["PR-é", "PR//1", "/PR-1", "PR-1/", "PR_1", ""] {
            #expect(refusal(transfer { $0.endToEndID = id })?.element == "PmtId/EndToEndId", "\(id)")
        }
        #expect(refusal(F.batch([F.transfer(1, 100)], messageID: "PR 7 & more"))?.element == "GrpHdr/MsgId")
        let twice = refusal(F.batch([F.transfer(1, 100), F.transfer(1, 200)]))
        #expect(twice?.endToEndID == "PR-000007-0001" && twice?.message.contains("unique") == true)
    }

    @Test("accounts, bank codes and countries that are not what the schema takes")
    func accounts() {
        #expect(refusal(transfer { $0.creditorAccount = "DE89370400440532013001" })?.element == "CdtrAcct/Id/IBAN")
        #expect(refusal(transfer { $0.creditorCountry = "FR" })?.element == "CdtrAcct/Id/IBAN", "an IBAN of another country")
        #expect(refusal(transfer { $0.creditorCountry = "de" })?.element == "Cdtr/PstlAdr/Ctry")
        #expect(refusal(transfer { $0.creditorBIC = "COBA-DEFF" })?.element == "CdtrAgt/FinInstnId/BICFI")
        var us = F.american(1, 100)
        us.creditorCountry = "U5"
        #expect(refusal(F.batch([us], currency: .usd))?.element == "Cdtr/PstlAdr/Ctry")
        us = F.american(1, 100)
        us.creditorRoutingCode = "0210\u{7}00021"
        #expect(refusal(F.batch([us], currency: .usd))?.element == "ClrSysMmbId/MmbId")
        var batch = F.batch([F.transfer(1, 100)])
        batch.debtorIBAN = "GB29NWBK60161331926818"
        #expect(refusal(batch)?.element == "DbtrAcct/Id/IBAN" && refusal(batch)?.message.contains("check digits") == true)
        batch = F.batch([F.transfer(1, 100)])
        batch.debtorBIC = "NWBK"
        #expect(refusal(batch)?.element == "DbtrAgt/FinInstnId/BICFI")
    }

    @Test("a refusal is a domain refusal: one sentence for every surface, never a server error")
    func surfaces() throws {
        let r = try #require(refusal(F.batch([])))
        let domain: any DomainRefusal = r
        #expect(domain.refusalKind == .notAllowed && domain.description == "A bank file needs at least one transfer; this one has none.")
    }
}
