import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("A run's bank files and the bank's confirmation file, on SQLite and PostgreSQL")
struct PaymentFilesTests {
    /// Two months after the demo's seed: its runs paid what was due by the 5th of last month, all it approved since is due.
    let now = TestDatabases.now.adding(calendarDays: 60)
    static let payer = PaymentSettings(payerName: "Northwind Vendor", payerIBAN: "DE89370400440532013000", payerBIC: "COBADEFFXXX")

    /// A run gathered by the first manager and approved by the second.
    static func approvedRun(_ db: Database, at now: Date) async throws -> (PaymentRuns, Viewer, Int64) {
        let runs = PaymentRuns(db: db, links: PaymentWorld.links)
        let (first, second) = try await PaymentWorld.managers(db, now: now)
        let id = try await runs.gather(cutoff: DayDate(now), by: first, at: now)
        try await runs.approve(id, expectedVersion: nil, by: second, at: now)
        return (runs, first, id)
    }

    static func history(_ runs: PaymentRuns, _ id: Int64) async throws -> [String] {
        try #require(try await runs.run(id)).history.map { $0.action == "exported" ? "exported \($0.note ?? "")" : $0.action }
    }

    /// The text of every `element` in the XML, in order.
    static func values(_ element: String, in xml: String) -> [String] {
        xml.components(separatedBy: "<\(element)>").dropFirst().compactMap { $0.components(separatedBy: "</").first }
    }

    @Test("the CSV and a pain.001 per currency hold the run's lines exactly; every download is in the run's history",
          arguments: TestDatabases.flavors)
    func export(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let runs = PaymentRuns(db: db, links: PaymentWorld.links)
            let (first, second) = try await PaymentWorld.managers(db, now: now)
            let id = try await runs.gather(cutoff: DayDate(now), by: first, at: now)
            // A draft has no bank file (that comes first, before the paying account), and a refused file records nothing.
            await #expect(throws: PaymentRefusal.self) { try await runs.export(id, format: .csv(nil), by: first, at: now) }
            let draft = await #expect(throws: PaymentRefusal.self) {
                try await runs.export(id, format: .pain001(Currency("USD")), by: first, at: now)
            }
            #expect(draft?.message.contains("approval") == true, "\(String(describing: draft))")
            try await runs.approve(id, expectedVersion: nil, by: second, at: now)
            let detail = try #require(try await runs.run(id))
            let currencies = Set(detail.lines.map(\.amount.currency)).sorted { $0.code < $1.code }
            let some = try #require(currencies.first)
            await #expect(throws: PaymentRefusal.self) { try await runs.export(id, format: .pain001(some), by: first, at: now) }
            let reviewer = Viewer(userID: 5, email: "reviewer@vendor.example", name: "Jordan Lee", membership: .vendor(.reviewer))
            await #expect(throws: PaymentRefusal.self) { try await runs.export(id, format: .csv(nil), by: reviewer, at: now) }
            #expect(try await Self.history(runs, id) == ["gathered", "approved"])
            try await runs.update(Self.payer, by: first, at: now)
            await #expect(throws: StoreError.self) { try await runs.export(id, format: .pain001(Currency("CHF")), by: first, at: now) }

            let csv = try await runs.export(id, format: .csv(nil), by: first, at: now)
            let reference = detail.run.reference
            #expect(csv.fileName == "\(reference).csv" && csv.contentType.hasPrefix("text/csv"))
            let rows = try CSVTable(csv.body, required: PaymentRunCSV.columns).records
            #expect(rows.count == detail.lines.count)
            for (row, line) in zip(rows, detail.lines) {
                #expect(row.value("end_to_end_id") == line.endToEndID && row.value("currency") == line.amount.currency.code)
                #expect(row.value("amount") == line.amount.plainText && row.value("account") == line.creditorAccount)
                #expect(Int(row.value("earnings")) == line.earnings && row.value("earning_ids").split(separator: " ").count == line.earnings)
            }
            #expect(try await runs.run(id)?.run.status == .exported)

            for currency in currencies {
                let file = try await runs.export(id, format: .pain001(currency), by: first, at: now)
                let paid = detail.lines.filter { $0.amount.currency == currency && $0.status != .netted }
                #expect(file.fileName == "\(reference)-\(currency.code).pain001.xml")
                #expect(Self.values("MsgId", in: file.body) == ["\(reference)-\(currency.code)"])
                #expect(Self.values("NbOfTxs", in: file.body) == [String(paid.count), String(paid.count)])
                let sum = Money(minorUnits: paid.reduce(0) { $0 + $1.amount.minorUnits }, currency: currency).plainText
                #expect(Self.values("CtrlSum", in: file.body) == [sum, sum])
                #expect(Self.values("EndToEndId", in: file.body) == paid.map(\.endToEndID))
                #expect(Self.values("InstdAmt Ccy=\"\(currency.code)\"", in: file.body) == paid.map(\.amount.plainText))
                #expect(Self.values("Dt", in: file.body) == [DayDate(now).description])
                #expect(file.body.contains("<IBAN>DE89370400440532013000</IBAN>"))
            }
            #expect(try await Self.history(runs, id)
                    == ["gathered", "approved", "exported \(reference).csv"] + currencies.map { "exported \(reference)-\($0.code).pain001.xml" })
        }
    }

    @Test("a confirmation file is checked whole: a wrong id, amount or a settled line stores nothing; then one failure and the rest paid",
          arguments: TestDatabases.flavors)
    func confirmations(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let (runs, first, id) = try await Self.approvedRun(db, at: now)
            await #expect(throws: PaymentRefusal.self) {
                try await runs.importConfirmations(id, csv: "end_to_end_id,status,reason\nPR-000001-0001,paid,\n", apply: true, by: first, at: now)
            }
            try await runs.recordExport(id, file: "csv", by: first, at: now)
            try await runs.send(id, expectedVersion: nil, by: first, at: now)
            let pending = try #require(try await runs.run(id)).lines.filter { $0.status == .pending }
            try #require(pending.count >= 3)
            await #expect(throws: StoreError.self) {
                try await runs.importConfirmations(987_654, csv: "end_to_end_id,status,reason\nx,paid,\n", apply: true, by: first, at: now)
            }
            let header = "end_to_end_id,status,amount,currency,reason\n"
            func row(_ line: PaymentRunLine, _ status: String, amount: String? = nil, currency: String? = nil, reason: String = "") -> String {
                "\(line.endToEndID),\(status),\(amount ?? line.amount.plainText),\(currency ?? line.amount.currency.code),\(reason)\n"
            }
            let before = try await PaymentWorld.earnings(db)
            let bad = header + row(pending[0], "paid") + "\(pending[0].endToEndID.dropLast(5))-9999,paid,,,\n"
                + row(pending[1], "paid", amount: "0.01")
                + row(pending[2], "failed", currency: pending[2].amount.currency == Currency("EUR") ? "USD" : "EUR", reason: "Closed")
            let refused = try await runs.importConfirmations(id, csv: bad, apply: true, by: first, at: now)
            #expect(!refused.applied && refused.problems.map(\.line) == [3, 4, 5])
            #expect(refused.problems.map(\.column) == ["end_to_end_id", "amount", "currency"])
            #expect(try await PaymentWorld.earnings(db) == before)
            #expect(try await runs.run(id)?.lines.filter { $0.status == .pending }.count == pending.count)

            // A line settled by hand meanwhile can't be confirmed again.
            try await runs.settle(line: pending[1].id, ofRun: id, .paid, by: first, at: now)
            let settled = try await runs.importConfirmations(id, csv: header + row(pending[1], "paid"), apply: true, by: first, at: now)
            #expect(settled.problems.map(\.message) == ["\(pending[1].endToEndID) is already paid; it can't be confirmed again."])

            // A dry run previews and stores nothing; the file applied settles every other line in one go.
            let rest = [pending[0]] + pending.dropFirst(2)
            let good = header + row(pending[0], "failed", reason: "Account closed") + pending.dropFirst(2).map { row($0, "paid") }.joined()
            let unchanged = try await PaymentWorld.earnings(db)
            let preview = try await runs.importConfirmations(id, csv: good, apply: false, by: first, at: now)
            #expect(!preview.applied && preview.problems.isEmpty && preview.rows.count == rest.count)
            #expect(preview.rows[0].change.contains("failed (Account closed)"))
            #expect(try await PaymentWorld.earnings(db) == unchanged)
            let applied = try await runs.importConfirmations(id, csv: good, apply: true, by: first, at: now)
            #expect(applied.applied && applied.problems.isEmpty)
            let after = try #require(try await runs.run(id))
            #expect(after.run.status == .completed)
            #expect(after.lines.first { $0.id == pending[0].id }?.status == .failed)
            #expect(after.lines.filter { pending.dropFirst().map(\.id).contains($0.id) }.allSatisfy { $0.status == .paid })
            try await PaymentWorld.expectLedgerMatches(db)
            // A completed run takes no more confirmations.
            await #expect(throws: PaymentRefusal.self) {
                try await runs.importConfirmations(id, csv: header + row(pending[0], "paid"), apply: true, by: first, at: now)
            }
        }
    }

    @Test("a line whose earnings net to zero is no transfer: out of the pain.001, and a currency of netted lines only has no file")
    func nettedLines() async throws {
        func line(_ number: Int, _ minor: Int64, _ status: PaymentLineStatus) -> PaymentRunLine {
            PaymentRunLine(id: Int64(number), locationID: Int64(number), locationName: "Lisbon \(number)", organizationName: "Harbor",
                           amount: Money(minorUnits: minor, currency: Currency("EUR")), earnings: 2, creditorName: "Harbor Analytics",
                           creditorCountry: "PT", creditorAccount: "PT50000201231234567890154", creditorBIC: "BCOMPTPL", creditorRoutingCode: nil,
                           endToEndID: PaymentRunRules.endToEndID(reference: "PR-000007", line: number), status: status, failureReason: nil,
                           settledAt: nil, settledBy: nil)
        }
        let run = PaymentRunSummary(id: 7, reference: "PR-000007", cutoff: "2026-11-25", status: .approved, version: 2, createdAt: now,
                                    createdByID: 1, createdBy: "Casey Kim", totals: [], payees: 2)
        let detail = PaymentRunDetail(run: run, lines: [line(1, 250_000, .pending), line(2, 0, .netted)], holds: [], history: [])
        let file = try await PaymentRuns.pain001(detail, currency: Currency("EUR"), settings: Self.payer, at: now)
        #expect(Self.values("EndToEndId", in: file.body) == ["PR-000007-0001"])
        #expect(Self.values("NbOfTxs", in: file.body) == ["1", "1"] && Self.values("CtrlSum", in: file.body) == ["2500.00", "2500.00"])
        let netted = PaymentRunDetail(run: run, lines: [line(2, 0, .netted)], holds: [], history: [])
        await #expect(throws: PaymentFileRefusal.self) {
            try await PaymentRuns.pain001(netted, currency: Currency("EUR"), settings: Self.payer, at: now)
        }
    }
}
