import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

@Suite("Payment pages: a run gathered, approved by a second program manager, sent, confirmed; the partner's remittance advice")
struct PaymentPagesTests {
    @Test("a run through the pages: four eyes, send, one line paid and one failed, the partner reads the advice and its CSV",
          arguments: TestDatabases.flavors)
    func runThroughPages(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            try await AuthorizationMatrixTests.dueEarning(app)
            let manager = try await app.signedIn("manager@vendor.example")
            let list = try await manager.get(SitePath.payments.href())
            #expect(list.status == .ok && list.body.contains("Gather a run") && list.body.contains("PR-000001"))
            // The demo's four monthly runs.
            #expect(list.body.contains("PR-000004") && list.body.contains("Completed"))
            let gathered = try await manager.post(SitePath.paymentRuns.href(), [("cutoff", DayDate(app.clock.now).description)])
            #expect(gathered.status == .seeOther)
            let runs = app.deps.stores.paymentRuns
            let run = try #require(try await runs.runs().first)
            #expect(run.status == .draft)
            let page = try await manager.get(SitePath.paymentRun(.id(run.id)).href())
            #expect(page.body.contains("another program manager reviews and approves it") && !page.body.contains("Approve run"))
            // The gatherer's approval is refused, by the page and by the store.
            let refused = try await manager.post(SitePath.paymentRunApproval(.id(run.id)).href(), [("version", "\(run.version)")])
            #expect(refused.status == .unprocessableContent && refused.body.contains("four eyes"))

            let finance = try await app.signedIn("finance@vendor.example")
            try await finance.get(SitePath.paymentRun(.id(run.id)).href())
            #expect(try await finance.post(SitePath.paymentRunApproval(.id(run.id)).href(), [("version", "\(run.version)")]).status == .seeOther)
            let approved = try #require(try await runs.run(run.id))
            #expect(approved.run.status == .approved && approved.run.approvedBy == "Robin Ortiz")
            // Sending waits for the bank file.
            let early = try await finance.post(SitePath.paymentRunSend(.id(run.id)).href(), [("version", "\(approved.run.version)")])
            #expect(early.status == .unprocessableContent && early.body.contains("Export run"))
            try await runs.recordExport(run.id, file: "pain.001", by: try await AuthorizationMatrixTests.viewer(app, "finance@vendor.example"),
                                        at: app.clock.now)
            let exported = try #require(try await runs.run(run.id))
            #expect(try await finance.post(SitePath.paymentRunSend(.id(run.id)).href(), [("version", "\(exported.run.version)")]).status == .seeOther)

            let sent = try #require(try await runs.run(run.id))
            let line = try #require(sent.lines.first { $0.status == .pending })
            let settle = SitePath.paymentLine(.id(run.id), line: .id(line.id)).href()
            let blank = try await finance.post(settle, [("outcome", "failed"), ("reason", "   ")])
            #expect(blank.status == .unprocessableContent && blank.body.contains("Say why the payment failed"))
            #expect(try await finance.post(settle, [("outcome", "paid")]).status == .seeOther)
            #expect(try await runs.run(run.id)?.lines.first { $0.id == line.id }?.status == .paid)

            // The partner's advice of a demo run: its claims, the totals, the CSV; another organization's is not there.
            let (demoRun, location) = try await AuthorizationMatrixTests.paidRemittance(app, locations: [1])
            let partner = try await app.signedIn("admin@bluefin.example")
            let advice = try await partner.get(SitePath.remittance(.id(demoRun), location: .id(location)).href())
            #expect(advice.status == .ok && advice.body.contains("Remittance advice PR-") && advice.body.contains("Bluefin Consulting - Seattle"))
            let csv = try await partner.get(SitePath.remittanceCSV(.id(demoRun), location: .id(location)).href())
            #expect(csv.status == .ok && csv.body.hasPrefix(Remittance.csvColumns.joined(separator: ",")))
            let (cedarRun, cedarLocation) = try await AuthorizationMatrixTests.paidRemittance(app, locations: [5, 6, 7])
            #expect(try await partner.get(SitePath.remittance(.id(cedarRun), location: .id(cedarLocation)).href()).status == .notFound)
            // A draft's advice is not a partner's to read, even for its own location.
            #expect(try await partner.get(SitePath.remittance(.id(run.id + 100), location: .id(1)).href()).status == .notFound)
        }
    }

    @Test("payment forms refuse hostile input and store nothing", arguments: TestDatabases.flavors)
    func hostile(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let manager = try await app.signedIn("manager@vendor.example")
            try await manager.get(SitePath.payments.href())
            let runsBefore = try await app.deps.stores.paymentRuns.runs().count
            for (label, cutoff) in [("not a date", "31/12/2026"), ("script", HostileFormsTests.script), ("impossible date", "2026-02-30"),
                                    ("after today", DayDate(app.clock.now.adding(calendarDays: 1)).description), ("empty", "")] {
                try await HostileFormsTests.refusedPage(app, manager, "cut-off \(label)", SitePath.paymentRuns.href(), [("cutoff", cutoff)],
                                                        expect: .unprocessableContent)
            }
            #expect(try await app.deps.stores.paymentRuns.runs().count == runsBefore)
            let settings = try await app.deps.stores.paymentRuns.settings()
            let good = [("reversal_window_days", "180"), ("payment_limit_days", "365"), ("payer_name", "Vendor"),
                        ("payer_iban", "DE89370400440532013000"), ("payer_bic", "COBADEFF")]
            func with(_ name: String, _ value: String) -> [(String, String)] { good.map { $0.0 == name ? (name, value) : $0 } }
            for (label, fields) in [
                ("window zero", with("reversal_window_days", "0")), ("window words", with("reversal_window_days", "six months")),
                ("limit too short", with("payment_limit_days", "30")), ("IBAN check digits", with("payer_iban", "DE00370400440532013000")),
                ("BIC of another country", with("payer_bic", "BNPAFRPP")), ("name with a direction override", with("payer_name", "Vendor\u{202E}")),
                ("name too long", with("payer_name", String(repeating: "x", count: 141))), ("half an account", with("payer_iban", "")),
            ] {
                try await HostileFormsTests.refusedPage(app, manager, label, SitePath.paymentSettings.href(), fields, expect: .unprocessableContent)
            }
            #expect(try await app.deps.stores.paymentRuns.settings() == settings)
            let saved = try await manager.post(SitePath.paymentSettings.href(), good)
            let stored = try await app.deps.stores.paymentRuns.settings()
            #expect(saved.status == .seeOther && stored.payerIBAN == "DE89370400440532013000")

            // Steps on a run that is not in their state, and unknown ids and lines.
            let run = try await AuthorizationMatrixTests.paymentRun(app, upTo: .sent)
            for (label, path) in [("approve a sent run", SitePath.paymentRunApproval(.id(run)).href()),
                                  ("cancel a sent run", SitePath.paymentRunCancel(.id(run)).href()),
                                  ("send twice", SitePath.paymentRunSend(.id(run)).href())] {
                try await HostileFormsTests.refusedPage(app, manager, label, path, [("version", "")], expect: .unprocessableContent)
            }
            let line = try #require(try await app.deps.stores.paymentRuns.run(run)?.lines.first)
            let settle = SitePath.paymentLine(.id(run), line: .id(line.id)).href()
            for (label, fields) in [("unknown outcome", [("outcome", HostileFormsTests.script)]),
                                    ("reason with a control character", [("outcome", "failed"), ("reason", "closed\u{0007}")]),
                                    ("reason too long", [("outcome", "failed"), ("reason", String(repeating: "x", count: 501))])] {
                try await HostileFormsTests.refusedPage(app, manager, label, settle, fields, expect: .unprocessableContent)
            }
            #expect(try await app.deps.stores.paymentRuns.run(run)?.lines.first { $0.id == line.id }?.status == .pending)
            // The bank's confirmation file: every problem by line, and nothing applied.
            let confirm = SitePath.paymentRunConfirmations(.id(run)).href()
            for (label, csv) in [("unknown payment", "end_to_end_id,status,reason\nPR-999999-0001,paid,\n"),
                                 ("wrong amount", "end_to_end_id,status,amount,currency,reason\n\(line.endToEndID),paid,0.01,\(line.amount.currency.code),\n"),
                                 ("failed without a reason", "end_to_end_id,status,reason\n\(line.endToEndID),failed,\n"),
                                 ("no header", "\(line.endToEndID),paid\n"), ("script", HostileFormsTests.script)] {
                try await HostileFormsTests.refusedPage(app, manager, "confirmations: \(label)", confirm, [("csv", csv), ("apply", "1")],
                                                        expect: .unprocessableContent)
            }
            #expect(try await app.deps.stores.paymentRuns.run(run)?.lines.first { $0.id == line.id }?.status == .pending)
            for bad in HostileFormsTests.badIDs {
                try await HostileFormsTests.refusedPage(app, manager, "run \(bad)", "/payments/runs/\(bad)/approve", [("version", "1")],
                                                        expect: .notFound)
                try await HostileFormsTests.refusedPage(app, manager, "line \(bad)", "/payments/runs/\(run)/lines/\(bad)", [("outcome", "paid")],
                                                        expect: .notFound)
            }
        }
    }
}
