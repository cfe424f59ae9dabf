import Foundation
import HTTPTypes
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
import NIOCore
import OpenAPIRuntime
@testable import IncentivesWeb
import Testing

@Suite("Payments API: a run from gathering to remittance through the generated client; bad input refused, nothing stored")
struct PaymentAPITests {
    /// A second program manager (four eyes; the demo's own when it has one) and a write token of theirs.
    static func secondManager(_ app: WebHarness) async throws -> String {
        let users = UserRepository(db: app.db)
        if try await users.find(email: "finance@vendor.example") == nil {
            _ = try await users.add(email: "finance@vendor.example", name: "Robin Ortiz", organizationID: nil, vendorRole: .programManager,
                                    passwordHash: nil, now: app.clock.now)
        }
        return try await app.token("finance@vendor.example")
    }

    static let payer = Components.Schemas.PaymentSettingsInput(reversalWindowDays: 90, paymentLimitDays: 400, payerName: "Northwind Vendor",
                                                               payerIban: "DE89 3704 0044 0532 0130 00", payerBic: "COBADEFFXXX")

    /// The earnings of a line, by id.
    static func earnings(ofLine line: Int64, _ app: WebHarness) async throws -> Set<Int64> {
        Set(try await app.db.read { sql in
            try await sql.raw("SELECT earning_id FROM payment_run_items WHERE line_id = \(bind: line)")
                .all(decodingColumn: "earning_id", as: Int64.self)
        })
    }

    @Test("gather, a second manager approves, send, one line paid and one failed; the partner reads its remittance, not another's",
          arguments: TestDatabases.flavors)
    func walk(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            // The demo's runs paid what was due by the 5th of last month; two months on, all it approved since is due.
            app.clock.advance(days: 60)
            let first = app.apiClient(try await app.token("manager@vendor.example"))
            let second = app.apiClient(try await Self.secondManager(app))
            let reviewer = app.apiClient(try await app.token("reviewer@vendor.example"))
            let bluefin = app.apiClient(try await app.token("admin@bluefin.example"))
            let today = DayDate(app.clock.now).description

            let settings = try await first.setPaymentSettings(body: .json(Self.payer)).ok.body.json
            #expect(settings.canExport && settings.maskedPayerIban == "•••• 3000" && settings.payerBic == "COBADEFFXXX")
            #expect(try await first.getPaymentSettings().ok.body.json.paymentLimitDays == 400)
            #expect(try await reviewer.listPaymentRuns().forbidden.body.applicationProblemJson.detail.contains("program manager"))

            // Gathered by one manager; the same one can't approve it (four eyes), a stale version is a conflict.
            let draft = try await first.gatherPaymentRun(body: .json(.init(cutoff: today))).created.body.json
            #expect(draft.run.status == .draft && draft.run.reference.hasPrefix("PR-") && draft.lines.count >= 2)
            #expect(draft.lines.allSatisfy { $0.maskedAccountNumber.hasPrefix("••••") && $0.status == .pending })
            #expect(draft.history.map(\.action) == ["gathered"])
            let id = draft.run.id, reference = draft.run.reference
            let own = try await first.approvePaymentRun(path: .init(id: id), body: .json(.init(version: draft.run.version)))
            #expect(try own.unprocessableContent.body.applicationProblemJson.detail.contains("four eyes"))
            let stale = try await second.approvePaymentRun(path: .init(id: id), body: .json(.init(version: draft.run.version + 1)))
            _ = try stale.conflict
            let financeName = try await UserRepository(db: app.db).find(email: "finance@vendor.example")?.name
            let approved = try await second.approvePaymentRun(path: .init(id: id), body: .json(.init(version: draft.run.version))).ok.body.json
            #expect(approved.run.status == .approved && approved.run.approvedBy == financeName)
            #expect(try await first.listPaymentRuns().ok.body.json.paymentRuns.first?.id == id)

            // Not sent yet: no partner sees it.
            let line = try #require(approved.lines.first { (1...4).contains($0.locationId) }, "a Bluefin payee")
            let other = try #require(approved.lines.first { !(1...4).contains($0.locationId) }, "another organization's payee")
            _ = try await bluefin.getRemittance(path: .init(id: id, locationId: line.locationId)).notFound
            let early = try await first.sendPaymentRun(path: .init(id: id), body: .json(.init(version: approved.run.version)))
            #expect(try early.unprocessableContent.body.applicationProblemJson.detail.contains("Export"))
            // Nothing leaves without the paying account set.
            let none = try await first.setPaymentSettings(body: .json(.init(reversalWindowDays: 90, paymentLimitDays: 400))).ok.body.json
            #expect(!none.canExport && none.maskedPayerIban == nil)
            let unset = try await app.api("/api/v1/payment-runs/\(id)/export?format=pain001&currency=\(line.amount.currency)",
                                          token: try await app.token("manager@vendor.example"))
            #expect(unset.status == .notFound && String(buffer: unset.body).contains("Set the paying account"))
            _ = try await first.setPaymentSettings(body: .json(Self.payer)).ok
            // The bank files: the CSV (full accounts) and a pain.001 per currency; each download is in the history.
            let manager = try await app.token("manager@vendor.example")
            let csv = try await app.api("/api/v1/payment-runs/\(id)/export?format=csv", token: manager)
            #expect(csv.status == .ok && csv.headers[.contentDisposition] == "attachment; filename=\"\(reference).csv\"")
            let accounts = try await app.db.read { sql in
                try await sql.raw("SELECT creditor_account FROM payment_run_lines WHERE run_id = \(bind: id)")
                    .all(decodingColumn: "creditor_account", as: String.self)
            }
            #expect(accounts.allSatisfy { String(buffer: csv.body).contains($0) })
            let currencies = Set(approved.lines.map(\.amount.currency)).sorted()
            for currency in currencies {
                let xml = try await app.api("/api/v1/payment-runs/\(id)/export?format=pain001&currency=\(currency)", token: manager)
                let transfers = approved.lines.filter { $0.amount.currency == currency && $0.status != .netted }
                #expect(xml.status == .ok && xml.headers[.contentType]?.hasPrefix("application/xml") == true)
                #expect(String(buffer: xml.body).contains("<NbOfTxs>\(transfers.count)</NbOfTxs>"))
            }
            #expect(try await app.api("/api/v1/payment-runs/\(id)/export?format=pain001&currency=CHF", token: manager).status == .notFound)
            #expect(try await app.api("/api/v1/payment-runs/\(id)/export?format=pain001&currency=E1R", token: manager).status == .badRequest)
            // No currency named: the run's only currency, or no single file (404); a CSV of one currency holds only its lines.
            let paidIn = Set(approved.lines.filter { $0.status != .netted }.map(\.amount.currency))
            let unnamed = try await app.api("/api/v1/payment-runs/\(id)/export?format=pain001", token: manager)
            #expect(unnamed.status == (paidIn.count == 1 ? .ok : .notFound))
            let usd = try await app.api("/api/v1/payment-runs/\(id)/export?format=csv&currency=USD", token: manager)
            let usdLines = String(buffer: usd.body).split(separator: "\r\n").dropFirst()
            #expect(usd.status == .ok && usdLines.count == approved.lines.filter { $0.amount.currency == "USD" }.count)
            #expect(try await app.api("/api/v1/payment-runs/\(id)/export?format=csv&currency=CHF", token: manager).status == .notFound)
            #expect(try await app.api("/api/v1/payment-runs/\(id)/export", token: try await app.token("manager@vendor.example", scope: .read))
                .status == .forbidden)
            let reviewing = try await app.token("reviewer@vendor.example")
            #expect(try await app.api("/api/v1/payment-runs/\(id)/export", token: reviewing).status == .forbidden)
            let exported = try await first.getPaymentRun(path: .init(id: id)).ok.body.json
            #expect(exported.run.status == .exported && exported.history.filter { $0.action == "exported" }.count
                    == 1 + currencies.count + (paidIn.count == 1 ? 1 : 0) + 1, "each file given is a download recorded; refusals record none")
            let sent = try await first.sendPaymentRun(path: .init(id: id), body: .json(.init(version: exported.run.version))).ok.body.json
            #expect(sent.run.status == .sent && sent.history.map(\.action).last == "sent")

            // Bluefin's line confirmed by hand; the bank's file: the other returned, the rest paid.
            let paid = try await first.confirmPaymentRunLine(path: .init(id: id, lineId: line.id), body: .json(.init(status: .paid))).ok.body.json
            #expect(paid.lines.first { $0.id == line.id }?.status == .paid)
            let rest = sent.lines.filter { $0.status == .pending && $0.id != line.id }
            let file = "end_to_end_id,status,amount,currency,reason\n" + rest.map {
                let failed = $0.id == other.id
                return "\($0.endToEndId),\(failed ? "failed" : "paid"),\($0.amount.amount),\($0.amount.currency),\(failed ? "Account closed" : "")\n"
            }.joined()
            let dry = try await first.importPaymentConfirmations(path: .init(id: id), query: .init(dryRun: true), body: .csv(HTTPBody(file)))
                .ok.body.json
            #expect(!dry.applied && dry.rows.count == rest.count)
            let imported = try await first.importPaymentConfirmations(path: .init(id: id), body: .csv(HTTPBody(file))).ok.body.json
            #expect(imported.applied && imported.problems.isEmpty)
            let settled = try await first.getPaymentRun(path: .init(id: id)).ok.body.json
            let returned = try #require(settled.lines.first { $0.id == other.id })
            #expect(returned.status == .failed && returned.failureReason == "Account closed" && returned.settledBy == "Casey Kim")
            #expect(settled.run.status == .completed)

            // The partner: its remittance, with every claim of the line and the exact total; its earnings paid.
            let remittance = try await bluefin.getRemittance(path: .init(id: id, locationId: line.locationId)).ok.body.json
            #expect(remittance.reference == reference && remittance.lines.map(\.status) == [.paid])
            #expect(remittance.lines.map(\.amount) == [line.amount])
            let sum = try remittance.items.reduce(Money.zero(Currency(line.amount.currency))) {
                $0 + Money(try #require(Decimal(string: $1.amount.amount)), Currency($1.amount.currency))
            }
            #expect(sum.plainText == line.amount.amount)
            let lineEarnings = try await Self.earnings(ofLine: line.id, app)
            #expect(Set(remittance.items.map(\.earningId)) == lineEarnings)
            let statuses = try await bluefin.listEarnings().ok.body.json.earnings.filter { lineEarnings.contains($0.id) }.map(\.paymentStatus)
            #expect(!statuses.isEmpty && statuses.allSatisfy { $0 == .paid })
            #expect(try await bluefin.listRemittances().ok.body.json.remittances.contains { $0.runId == id && $0.locationId == line.locationId })
            #expect(try await bluefin.listRemittances().ok.body.json.remittances.allSatisfy { (1...4).contains($0.locationId) })
            // Another organization's location and an unknown one answer alike: 404.
            _ = try await bluefin.getRemittance(path: .init(id: id, locationId: other.locationId)).notFound
            _ = try await bluefin.getRemittance(path: .init(id: id, locationId: 987_654)).notFound
            _ = try await bluefin.getPaymentRun(path: .init(id: id)).forbidden
            _ = try await reviewer.getRemittance(path: .init(id: id, locationId: line.locationId)).forbidden
            #expect(try await first.getRemittance(path: .init(id: id, locationId: other.locationId)).ok.body.json.lines.map(\.status) == [.failed])
        }
    }

    @Test("bad input, wrong roles and foreign ids: 4xx with the field named, and nothing stored", arguments: TestDatabases.flavors)
    func hostileInput(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            // The demo's runs paid what was due by the 5th of last month; two months on, all it approved since is due.
            app.clock.advance(days: 60)
            let manager = try await app.token("manager@vendor.example"), second = try await Self.secondManager(app)
            let reviewer = try await app.token("reviewer@vendor.example"), bluefin = try await app.token("admin@bluefin.example")
            let tomorrow = DayDate(app.clock.now.adding(calendarDays: 1)).description
            typealias Case = (String, String, HTTPRequest.Method, String, String, HTTPResponse.Status, String?)
            func send(_ cases: [Case]) async throws {
                for (label, token, method, path, json, status, field) in cases {
                    try await HostileFormsTests.refused(app, label, expect: status) {
                        let response = try await app.api("/api/v1" + path, method: method, token: token, json: json)
                        if let field { #expect(String(buffer: response.body).contains(field), "\(label): \(String(buffer: response.body))") }
                        return response.status
                    }
                }
            }
            try await send([
                ("a cut-off that is no day", manager, .post, "/payment-runs", #"{"cutoff": "30/11/2026"}"#, .unprocessableContent, "cutoff"),
                ("a cut-off on the 30th of February", manager, .post, "/payment-runs", #"{"cutoff": "2026-02-30"}"#, .unprocessableContent, "cutoff"),
                ("a cut-off after today", manager, .post, "/payment-runs", "{\"cutoff\": \"\(tomorrow)\"}", .unprocessableContent, "cutoff"),
                ("a cut-off before anything was due", manager, .post, "/payment-runs", #"{"cutoff": "2001-01-01"}"#, .unprocessableContent, "cutoff"),
                ("a cut-off over the contract's length", manager, .post, "/payment-runs", #"{"cutoff": "2026-11-250"}"#, .badRequest, nil),
                ("an unknown field", manager, .post, "/payment-runs", #"{"cutoff": "2026-11-20", "status": "sent"}"#, .badRequest, nil),
                ("a reviewer's run", reviewer, .post, "/payment-runs", #"{"cutoff": "2026-11-20"}"#, .forbidden, nil),
                ("a partner's run", bluefin, .post, "/payment-runs", #"{"cutoff": "2026-11-20"}"#, .forbidden, nil),
                ("an unknown run approved", second, .post, "/payment-runs/987654/approve", #"{"version": 1}"#, .notFound, nil),
                ("an unknown run's line confirmed", manager, .post, "/payment-runs/987654/lines/1/confirm", #"{"status": "paid"}"#, .notFound, nil),
                ("settings a partner sets", bluefin, .put, "/payment-settings", #"{"reversal_window_days": 90, "payment_limit_days": 400}"#,
                 .forbidden, nil),
                ("a payment limit shorter than the cycle", manager, .put, "/payment-settings",
                 #"{"reversal_window_days": 90, "payment_limit_days": 10}"#, .unprocessableContent, "payment_limit_days"),
                ("half a paying account", manager, .put, "/payment-settings",
                 #"{"reversal_window_days": 90, "payment_limit_days": 400, "payer_name": "Vendor"}"#, .unprocessableContent, "payer_iban"),
                ("a paying IBAN with a wrong check digit", manager, .put, "/payment-settings",
                 #"{"reversal_window_days": 90, "payment_limit_days": 400, "payer_name": "V", "payer_iban": "DE88370400440532013000", "# +
                 #""payer_bic": "COBADEFFXXX"}"#,
                 .unprocessableContent, "payer_iban"),
                ("a payer name with an escape sequence", manager, .put, "/payment-settings",
                 #"{"reversal_window_days": 90, "payment_limit_days": 400, "payer_name": "V\u001b[31m", "payer_iban": "DE89370400440532013000", "# +
                 #""payer_bic": "COBADEFFXXX"}"#,
                 .unprocessableContent, "payer_name"),
            ])

            // A run to act on: the gatherer's own approval, a stale version, a draft's line confirmed.
            let runs = app.deps.stores.paymentRuns
            let gatherer = try #require(try await UserRepository(db: app.db).find(email: "manager@vendor.example")).viewer
            let id = try await runs.gather(cutoff: DayDate(app.clock.now), by: gatherer, at: app.clock.now)
            let detail = try #require(try await runs.run(id))
            let line = try #require(detail.lines.first).id
            try await send([
                ("the gatherer's own approval", manager, .post, "/payment-runs/\(id)/approve", "{\"version\": \(detail.run.version)}",
                 .unprocessableContent, "four eyes"),
                ("a stale version", second, .post, "/payment-runs/\(id)/approve", "{\"version\": \(detail.run.version + 5)}", .conflict, nil),
                ("a reviewer's approval", reviewer, .post, "/payment-runs/\(id)/approve", "{\"version\": \(detail.run.version)}", .forbidden, nil),
                ("a draft's line confirmed", manager, .post, "/payment-runs/\(id)/lines/\(line)/confirm", #"{"status": "paid"}"#,
                 .unprocessableContent, nil),
                ("a line of no run", manager, .post, "/payment-runs/\(id)/lines/987654/confirm", #"{"status": "paid"}"#, .notFound, nil),
                ("a draft sent", manager, .post, "/payment-runs/\(id)/send", "{\"version\": \(detail.run.version)}", .unprocessableContent, nil),
            ])
            let finance = try #require(try await UserRepository(db: app.db).find(email: "finance@vendor.example")).viewer
            try await runs.approve(id, expectedVersion: nil, by: finance, at: app.clock.now)
            try await runs.recordExport(id, file: "payments.csv", by: gatherer, at: app.clock.now)
            try await runs.send(id, expectedVersion: nil, by: gatherer, at: app.clock.now)
            let confirm = "/payment-runs/\(id)/lines/\(line)/confirm"
            let version = try #require(try await runs.run(id)).run.version
            try await send([
                ("a failure without a reason", manager, .post, confirm, #"{"status": "failed", "reason": "  "}"#, .unprocessableContent, "reason"),
                ("an empty reason, below the contract's length", manager, .post, confirm, #"{"status": "failed", "reason": ""}"#, .badRequest, nil),
                ("a failure with no reason at all", manager, .post, confirm, #"{"status": "failed"}"#, .unprocessableContent, "reason"),
                ("a reason with control characters", manager, .post, confirm, #"{"status": "failed", "reason": "Closed\u0007\u001b[2J"}"#,
                 .unprocessableContent, "reason"),
                ("a reason over 500 characters", manager, .post, confirm,
                 "{\"status\": \"failed\", \"reason\": \"\(String(repeating: "r", count: 501))\"}", .badRequest, nil),
                ("a paid line with a reason", manager, .post, confirm, #"{"status": "paid", "reason": "why"}"#, .unprocessableContent, "reason"),
                ("a status that is none", manager, .post, confirm, #"{"status": "returned"}"#, .badRequest, nil),
                ("a partner's confirmation", bluefin, .post, confirm, #"{"status": "paid"}"#, .forbidden, nil),
                ("a sent run canceled", manager, .post, "/payment-runs/\(id)/cancel", "{\"version\": \(version)}", .unprocessableContent, nil),
                ("a sent run canceled at a stale version", manager, .post, "/payment-runs/\(id)/cancel", #"{"version": 99}"#, .conflict, nil),
            ])

            // The bank's confirmation file: checked whole, a problem anywhere stores nothing.
            let paying = try #require(try await runs.run(id)).lines.filter { $0.status == .pending }
            let first = try #require(paying.first), amount = first.amount.plainText, code = first.amount.currency.code
            let header = "end_to_end_id,status,amount,currency,reason\n"
            for (label, token, run, csv, status, words) in [
                ("an id of no payment", manager, id, header + "\(detail.run.reference)-9999,paid,,,\n", HTTPResponse.Status.unprocessableContent,
                 "is not a payment of run \(detail.run.reference)"),
                ("an amount a cent off", manager, id, header + "\(first.endToEndID),paid,\(amount)1,\(code),\n", .unprocessableContent, "amount"),
                ("another currency", manager, id, header + "\(first.endToEndID),paid,\(amount),XTS,\n", .unprocessableContent, "currency"),
                ("a good row and a failure without a reason", manager, id,
                 header + "\(first.endToEndID),paid,,,\n" + (paying.dropFirst().first.map { "\($0.endToEndID),failed,,,\n" } ?? "x,failed,,,\n"),
                 .unprocessableContent, "reason"),
                ("the same payment twice", manager, id, header + "\(first.endToEndID),paid,,,\n\(first.endToEndID),paid,,,\n",
                 .unprocessableContent, "line 2"),
                ("no rows", manager, id, header, .unprocessableContent, "no rows"),
                ("an unknown run", manager, Int64(987_654), header + "\(first.endToEndID),paid,,,\n", .notFound, ""),
                ("a reviewer's file", reviewer, id, header + "\(first.endToEndID),paid,,,\n", .forbidden, ""),
            ] {
                try await HostileFormsTests.refused(app, label, expect: status) {
                    let response = try await app.client.executeRequest(
                        uri: "/api/v1/payment-runs/\(run)/confirmations/import", method: .post,
                        headers: [.authorization: "Bearer \(token)", .contentType: "text/csv"], body: ByteBuffer(string: csv))
                    #expect(words.isEmpty || String(buffer: response.body).contains(words), "\(label): \(String(buffer: response.body))")
                    return response.status
                }
            }
            try await HostileFormsTests.refused(app, "a file of bytes that are not UTF-8", expect: .unprocessableContent) {
                try await app.client.executeRequest(uri: "/api/v1/payment-runs/\(id)/confirmations/import", method: .post,
                                                    headers: [.authorization: "Bearer \(manager)", .contentType: "text/csv"],
                                                    body: ByteBuffer(bytes: Array(header.utf8) + [0xC3, 0x28, 0x0A])).status
            }
        }
    }
}
