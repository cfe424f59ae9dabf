import Foundation
@testable import IncentivesDomain
import Testing

@Suite("A bank's confirmation file")
struct BankConfirmationCSVTests {
    func problems(_ text: String) -> [ImportProblem] {
        let read = BankConfirmationCSV.read(text)
        #expect(read.rows.isEmpty, "a file with a problem confirms nothing")
        return read.problems
    }

    @Test("paid and failed rows, with a byte-order mark, CRLF, quoted reasons, any case of status and blank trailing lines")
    func reads() throws {
        let text = "\u{FEFF}end_to_end_id,status,amount,currency,reason\r\n"
            + "PR-000007-0001,paid,1234.50,eur,\r\n"
            + "PR-000007-0002,FAILED,,,\"Account closed, per \"\"AC04\"\"\"\r\n"
            + " PR-000007-0003 , Paid ,1000000,JPY,\r\n"
            + ",,,,\r\n\r\n\r\n"
        let read = BankConfirmationCSV.read(text)
        #expect(read.problems.isEmpty)
        #expect(read.rows == [
            BankConfirmation(line: 2, endToEndID: "PR-000007-0001", outcome: .paid, amount: dec("1234.5"), currency: .eur),
            BankConfirmation(line: 3, endToEndID: "PR-000007-0002", outcome: .failed(reason: "Account closed, per \"AC04\"")),
            BankConfirmation(line: 4, endToEndID: "PR-000007-0003", outcome: .paid, amount: dec("1000000"), currency: Currency("JPY")),
        ])
    }

    @Test("amount and currency are optional columns; a value spanning lines keeps the next row's line number right")
    func optionalColumns() {
        let read = BankConfirmationCSV.read("end_to_end_id,status,reason\nPR-1,paid,\"Settled\nsame day\"\nPR-2,failed,Name mismatch\n")
        #expect(read.problems.isEmpty)
        #expect(read.rows.map(\.line) == [2, 4] && read.rows.allSatisfy { $0.amount == nil && $0.currency == nil })
        #expect(read.rows.map(\.outcome) == [.paid, .failed(reason: "Name mismatch")], "a paid row's reason is not read")
        let broken = BankConfirmationCSV.read("end_to_end_id,status,reason\nPR-1,failed,\"Name\ndoes not match\"\n")
        #expect(broken.problems.map(\.column) == ["reason"], "the reason the partner reads is one line")
    }

    @Test("every problem of every row, with its line and column, in words")
    func everyProblem() {
        let found = problems("end_to_end_id,status,amount,currency,reason\n"
                             + "PR-1,failed,,,\n"                       // line 2: no reason
                             + "PR-2,Returned,,,\n"                     // line 3: unknown status
                             + "PR-1,paid,,,\n"                         // line 4: PR-1 again
                             + ",paid,\"1,234.00\",USD,\n"               // line 5: no id, grouping
                             + "PR-5,paid,12.345,USD,\n"                // line 6: three decimals in dollars
                             + "PR-6,paid,5,US,\n"                      // line 7: not a currency code
                             + "PR-7,,-5,,\n"                           // line 8: no status, a sign
                             + "\(String(repeating: "X", count: 36)),paid,,,\n") // line 9: too long
        let byLine = Dictionary(grouping: found, by: \.line).mapValues { $0.map(\.column) }
        #expect(byLine[2] == ["reason"] && byLine[3] == ["status"] && byLine[4] == ["end_to_end_id"])
        #expect(byLine[5] == ["end_to_end_id", "amount"] && byLine[6] == ["amount"] && byLine[7] == ["currency"])
        #expect(byLine[8] == ["status", "amount"] && byLine[9] == ["end_to_end_id"])
        let message = { (line: Int, column: String) in found.first { $0.line == line && $0.column == column }?.message }
        #expect(message(2, "reason") == "Say why the payment failed (the bank's reason), so the partner can fix it.")
        #expect(message(3, "status") == "The status is \"Returned\"; use paid or failed.")
        #expect(message(4, "end_to_end_id") == "PR-1 is also on line 2; confirm each payment once.")
        #expect(message(5, "amount") == "The amount is \"1,234.00\"; write it like 1234.50, with a point and no thousands separators.")
        #expect(message(6, "amount") == "The amount 12.345 has 3 decimals; USD has 2.")
    }

    @Test("the failure reason is checked by the payment failure rule: at most 500 characters, no control characters")
    func reasons() {
        #expect(problems("end_to_end_id,status,reason\nPR-1,failed,\(String(repeating: "r", count: 501))\n").first?.column == "reason")
        #expect(problems("end_to_end_id,status,reason\nPR-1,failed,Closed\u{7}\n").first?.message.contains("control character") == true)
        #expect(problems("end_to_end_id,status,reason\nPR-1,failed,\"   \"\n").first?.column == "reason")
        #expect(BankConfirmationCSV.read("end_to_end_id,status,reason\nPR-1,failed,\(String(repeating: "r", count: 500))\n").rows.count == 1)
    }

    @Test("a file that cannot be read is one problem: no header column, unbalanced quotes, empty, no rows, a short row")
    func unreadable() {
        #expect(problems("end_to_end_id,amount\nPR-1,5\n").map(\.message) == ["The header has no status column."])
        #expect(problems("end_to_end_id,status,reason\nPR-1,failed,\"open\n").map(\.line) == [2])
        #expect(problems("").map(\.message) == ["The file is empty; the first line names the columns."])
        #expect(problems("end_to_end_id,status,reason\r\n\r\n").map(\.message) == ["The file has no rows under its header: nothing to confirm."])
        #expect(problems("end_to_end_id,status,reason\nPR-1,paid\n").first?.message.contains("2 values for 3 columns") == true)
    }

    @Test("at most 10,000 rows")
    func rowLimit() {
        let header = "end_to_end_id,status,reason\n"
        let rows = (1...10_000).map { "PR-000001-\($0),paid,\n" }.joined()
        #expect(BankConfirmationCSV.read(header + rows).rows.count == 10_000)
        #expect(problems(header + rows + "PR-000002-1,paid,\n").map(\.message) == ["The file has 10001 rows; import at most 10000 at a time."])
    }

    @Test("the largest confirmation, 10,000 failures with 500-character reasons, fits the file limit; one byte more does not")
    func fileLimit() throws {
        let reason = String(repeating: "r", count: 500)
        let rows = (1...10_000).map { "PR-000001-\(String(format: "%05d", $0)),failed,1234567.89,EUR,\(reason)\r\n" }.joined()
        let bytes = Array(("\u{FEFF}end_to_end_id,status,amount,currency,reason\r\n" + rows).utf8)
        let text = try CSVTable.text(ofFile: bytes, maxBytes: BankConfirmationCSV.maxFileBytes)
        #expect(BankConfirmationCSV.read(text).rows.count == 10_000)
        let over = [UInt8](repeating: 65, count: BankConfirmationCSV.maxFileBytes + 1)
        #expect(throws: ImportProblem(line: 1, column: "", message: "The file is larger than 6144 KB; import it in parts.")) {
            try CSVTable.text(ofFile: over, maxBytes: BankConfirmationCSV.maxFileBytes)
        }
    }

    @Test("a row's amount and currency are compared with the line's, exactly")
    func mismatch() {
        let row = BankConfirmation(line: 3, endToEndID: "PR-1", outcome: .paid, amount: dec("1234.50"), currency: .eur)
        #expect(row.mismatch(amountMinor: 123_450, currency: .eur) == nil)
        #expect(row.mismatch(amountMinor: 123_451, currency: .eur) == "Line 3: PR-1 is for 1234.51 EUR, but the file says 1234.5.")
        #expect(row.mismatch(amountMinor: 123_450, currency: .usd) == "Line 3: PR-1 was paid in USD, but the file says EUR.")
        #expect(BankConfirmation(line: 2, endToEndID: "PR-2", outcome: .paid).mismatch(amountMinor: 1, currency: .usd) == nil)
        let yen = BankConfirmation(line: 2, endToEndID: "PR-3", outcome: .paid, amount: dec("1000000"), currency: Currency("JPY"))
        #expect(yen.mismatch(amountMinor: 1_000_000, currency: Currency("JPY")) == nil)
    }
}
