import Foundation
@testable import IncentivesDomain
import Testing

@Suite("A payment run's CSV")
struct PaymentRunCSVTests {
    func line(_ n: Int, organization: String = "Northwind", location: String = "Berlin", currency: Currency = .eur, minor: Int64 = 123_456,
              earnings: [Int64] = [11, 12, 40], status: PaymentLineStatus = .pending) -> PaymentRunCSV.Line {
        PaymentRunCSV.Line(endToEndID: PaymentRunRules.endToEndID(reference: "PR-000007", line: n), organization: organization,
                           location: location, locationID: 42, currency: currency, amountMinor: minor, earningIDs: earnings,
                           creditorName: "Northwind GmbH", account: "DE89370400440532013000", bic: "COBADEFFXXX", routingCode: nil, status: status)
    }

    @Test("the header names every column, and each payee line reads back through the project's CSV reader")
    func columnsAndValues() throws {
        let text = PaymentRunCSV.document(reference: "PR-000007", lines: [
            line(1), line(2, currency: Currency("JPY"), minor: 1_234_567, earnings: [7]), line(3, minor: 0, earnings: [8, 9], status: .netted),
        ])
        #expect(text.hasPrefix("run_reference,end_to_end_id,organization,location,location_id,currency,amount,earnings,earning_ids,"
                               + "creditor_name,account,bic,routing_code,status\r\n"))
        let table = try CSVTable(text, required: PaymentRunCSV.columns)
        #expect(table.header == PaymentRunCSV.columns && table.records.count == 3)
        let first = table.records[0]
        #expect(first.value("run_reference") == "PR-000007" && first.value("end_to_end_id") == "PR-000007-0001")
        #expect(first.value("amount") == "1234.56" && first.value("currency") == "EUR" && first.value("location_id") == "42")
        #expect(first.value("earnings") == "3" && first.value("earning_ids") == "11 12 40")
        #expect(first.value("account") == "DE89370400440532013000" && first.value("bic") == "COBADEFFXXX" && first.value("routing_code") == "")
        #expect(first.value("status") == "pending")
        #expect(table.records[1].value("amount") == "1234567" && table.records[1].value("earning_ids") == "7")
        #expect(table.records[2].value("amount") == "0.00" && table.records[2].value("status") == "netted")
    }

    @Test("names people typed are kept from being read as formulas, and commas, quotes and line breaks are quoted")
    func typedNames() throws {
        let text = PaymentRunCSV.document(reference: "PR-000007", lines: [
            line(1, organization: "=HYPERLINK(\"http://evil.example\")", location: "Unit 4, \"North\"\nBuilding"),
            line(2, organization: "@SUM(A1)", location: "+1 Street"), line(3, organization: "-2", location: "Zürich 東京"),
        ])
        let table = try CSVTable(text, required: ["organization"])
        #expect(table.records.map { $0.values["organization"] } == ["'=HYPERLINK(\"http://evil.example\")", "'@SUM(A1)", "'-2"])
        #expect(table.records.map { $0.values["location"] } == ["Unit 4, \"North\"\nBuilding", "'+1 Street", "Zürich 東京"])
        #expect(text.contains("\"Unit 4, \"\"North\"\"\nBuilding\""))
    }

    @Test("a US payee's routing code is in its column")
    func routingCode() throws {
        var us = line(1, currency: .usd)
        us.account = "000123456789"; us.bic = "CHASUS33"; us.routingCode = "021000021"
        let record = try #require(try CSVTable(PaymentRunCSV.document(reference: "PR-000008", lines: [us]), required: []).records.first)
        #expect(record.value("routing_code") == "021000021" && record.value("account") == "000123456789")
        #expect(record.value("run_reference") == "PR-000008")
    }
}
