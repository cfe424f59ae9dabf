import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Reversals: a reviewer takes back an approval; the earning, the ledger, the email and the webhook, on SQLite and PostgreSQL")
struct ReversalTests {
    let links = ClaimLinks(publicURL: "https://incentives.example")

    /// An approved claim of location 1 whose earning is still owed, with the earning's id, amount and approval time.
    struct Approved { let claim: Int64; let earning: Int64; let amount: Int64; let currency: Currency; let approvedAt: Date; let version: Int }

    func approved(_ db: Database) async throws -> Approved {
        let row = try await db.read { sql in
            try await sql.raw("""
                SELECT c.id, c.version, e.id AS earning_id, e.amount_minor, e.currency, e.approved_at FROM claims c
                JOIN earnings e ON e.claim_id = c.id AND e.kind = 'earning'
                WHERE c.status = 'approved' AND c.location_id = 1 AND e.payment_status = 'unprocessed' AND e.amount_minor > 0
                ORDER BY c.id LIMIT 1
                """).first()
        }
        let found = try #require(row, "the demo has an approved claim at location 1 with an owed earning")
        return Approved(claim: try found.decode(column: "id", as: Int64.self), earning: try found.decode(column: "earning_id", as: Int64.self),
                        amount: try found.decode(column: "amount_minor", as: Int64.self),
                        currency: Currency(try found.decode(column: "currency", as: String.self)),
                        approvedAt: try found.decode(column: "approved_at", as: Date.self),
                        version: try found.decode(column: "version", as: Int.self))
    }

    func reviewer(_ db: Database) async throws -> Viewer {
        let id = try await db.read { sql in
            try await sql.raw("SELECT id FROM users WHERE email = 'reviewer@vendor.example'").first(decodingColumn: "id", as: Int64.self)
        }
        return Viewer(userID: try #require(id), email: "reviewer@vendor.example", name: "Jordan Lee", membership: .vendor(.reviewer))
    }

    func reverse(_ a: Approved, _ db: Database, at now: Date, code: String = "proof_invalid",
                 note: String = "The invoice names another customer.") async throws -> ClaimTransition {
        try await ClaimActions(db: db, links: links).run(ClaimActionRequest(.reverse, note: note, reasonCode: code), on: a.claim,
                                                         expectedVersion: a.version, by: try await reviewer(db), at: now)
    }

    struct EarningRow: Decodable, Equatable {
        var id: Int64; var kind: String; var amountMinor: Int64; var paymentStatus: String; var reversesEarningId: Int64?
    }

    func earnings(of claim: Int64, _ db: Database) async throws -> [EarningRow] {
        try await db.read { sql in
            try await sql.raw("""
                SELECT id, kind, amount_minor, payment_status, reverses_earning_id FROM earnings WHERE claim_id = \(bind: claim) ORDER BY id
                """).all(decoding: EarningRow.self, with: .snakeCase)
        }
    }

    /// The ledger replayed agrees with every earning's stored status, and every balance reconciles.
    func expectLedgerAgrees(_ db: Database) async throws {
        let (entries, statuses) = try await db.read { sql in
            (try await EarningsLedger.entries(on: sql),
             try await sql.raw("SELECT id, payment_status FROM earnings ORDER BY id").all().map {
                 (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "payment_status", as: String.self))
             })
        }
        let replay = try Ledger.replay(entries)
        for (id, status) in statuses {
            let stored = try #require(PaymentStatus(rawValue: status))
            #expect(replay.buckets[id] == Ledger.bucket(of: stored), "earning \(id): \(status)")
        }
        let reconciled = replay.balances.values.filter { !$0.reconciles }
        #expect(reconciled.isEmpty, "balances that do not reconcile: \(reconciled)")
    }

    func ledgerKinds(of claim: Int64, _ db: Database) async throws -> [String] {
        try await db.read { sql in
            try await sql.raw("SELECT kind FROM earning_ledger WHERE claim_id = \(bind: claim) ORDER BY id")
                .all(decodingColumn: "kind", as: String.self)
        }
    }

    @Test("an owed earning is reversed outright: the claim is rejected final, the history keeps code and note, the ledger replays",
          arguments: TestDatabases.flavors)
    func unpaid(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let a = try await approved(db)
            let now = a.approvedAt.addingTimeInterval(10 * 86_400)
            let t = try await reverse(a, db, at: now)
            #expect(t.claim.status == .rejectedFinal)
            let stored = try #require(try await ClaimRepository(db: db).find(a.claim, in: .vendor))
            #expect(stored.status == .rejectedFinal && stored.version == a.version + 1)
            let last = try #require(try await ClaimRepository(db: db).history(of: a.claim, in: .vendor)?.last)
            #expect(last.action == .reverse && last.from == .approved && last.to == .rejectedFinal)
            #expect(last.reversalReason == .proofInvalid && last.reasonCode == nil)
            #expect(last.note == "Proof of execution found invalid: The invoice names another customer.")
            #expect(try await earnings(of: a.claim, db) == [
                EarningRow(id: a.earning, kind: "earning", amountMinor: a.amount, paymentStatus: "reversed", reversesEarningId: nil),
            ])
            #expect(try await ledgerKinds(of: a.claim, db) == ["earned", "reversed"])
            try await expectLedgerAgrees(db)
        }
    }

    @Test("an earning already paid stays paid: a negative earning is owed at once, with a clawback line", arguments: TestDatabases.flavors)
    func paid(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let a = try await approved(db)
            let paidAt = a.approvedAt.addingTimeInterval(50 * 86_400)
            // As a payment run would: the earning included in a run and paid, each with its ledger line.
            try await db.write { sql in
                try await sql.raw("UPDATE earnings SET payment_status = 'paid', updated_at = \(bind: paidAt) WHERE id = \(bind: a.earning)").run()
                for kind in [LedgerKind.included, .paid] {
                    try await EarningsLedger.append(kind, forEarnings: "e.id = \(bind: a.earning)", run: nil, by: .program, at: paidAt, on: sql)
                }
            }
            let now = a.approvedAt.addingTimeInterval(60 * 86_400)
            _ = try await reverse(a, db, at: now, code: "duplicate_claim", note: "Claimed twice.")
            let rows = try await earnings(of: a.claim, db)
            #expect(rows.count == 2)
            #expect(rows.first == EarningRow(id: a.earning, kind: "earning", amountMinor: a.amount, paymentStatus: "paid", reversesEarningId: nil))
            let negative = try #require(rows.last)
            #expect(negative.kind == "reversal" && negative.amountMinor == -a.amount && negative.paymentStatus == "unprocessed")
            #expect(negative.reversesEarningId == a.earning)
            let month = try await db.read { sql in
                try await sql.raw("SELECT payment_month FROM earnings WHERE id = \(bind: negative.id)")
                    .first(decodingColumn: "payment_month", as: String.self)
            }
            #expect(month == EarningsLedger.month(of: now), "a reversal earning is due in the month it is written")
            #expect(try await ledgerKinds(of: a.claim, db) == ["earned", "included", "paid", "clawback"])
            try await expectLedgerAgrees(db)
            let body = try await db.read { sql in
                try await sql.raw("SELECT body FROM mail_outbox WHERE claim_id = \(bind: a.claim) AND created_at = \(bind: now)")
                    .first(decodingColumn: "body", as: String.self)
            }
            #expect(body?.contains("Reason: Duplicate claim") == true)
            #expect(body?.contains("\(Money(minorUnits: a.amount, currency: a.currency)) is taken back from your next payment") == true,
                    "\(body ?? "no email")")
        }
    }

    @Test("outside the program's window the reversal is refused naming the last day, and nothing changes; the window is the program's",
          arguments: TestDatabases.flavors)
    func window(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let a = try await approved(db)
            let lastDay = DayDate(a.approvedAt.adding(calendarDays: 180))
            await #expect(throws: ClaimRefusal.reversalWindowClosed(lastDay: lastDay, days: 180)) {
                _ = try await reverse(a, db, at: lastDay.endUTC)
            }
            try await db.write { try await $0.raw("UPDATE programs SET reversal_window_days = 30").run() }
            let shorter = DayDate(a.approvedAt.adding(calendarDays: 30))
            await #expect(throws: ClaimRefusal.reversalWindowClosed(lastDay: shorter, days: 30)) {
                _ = try await reverse(a, db, at: a.approvedAt.addingTimeInterval(31 * 86_400))
            }
            #expect(try await ClaimRepository(db: db).find(a.claim, in: .vendor)?.status == .approved)
            #expect(try await earnings(of: a.claim, db).map(\.paymentStatus) == ["unprocessed"])
            #expect(try await ledgerKinds(of: a.claim, db) == ["earned"])
            // The last day itself is inside.
            _ = try await reverse(a, db, at: shorter.endUTC.addingTimeInterval(-1))
            #expect(try await ClaimRepository(db: db).find(a.claim, in: .vendor)?.status == .rejectedFinal)
        }
    }

    @Test("a second reversal is refused and writes nothing; a stale version is a conflict; a partner may not reverse",
          arguments: TestDatabases.flavors)
    func refusals(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let a = try await approved(db)
            let now = a.approvedAt.addingTimeInterval(86_400)
            let partner = Viewer(userID: 2, email: "admin@bluefin.example", name: "Admin",
                                 membership: .partner(organizationID: 1, roles: [1: [.incentivesAdmin]]))
            await #expect(throws: ClaimRefusal.notYourRole(.reverse, allowed: [.reviewer])) {
                try await ClaimActions(db: db, links: links).run(ClaimActionRequest(.reverse, note: "x", reasonCode: "other"), on: a.claim,
                                                                 expectedVersion: a.version, by: partner, at: now)
            }
            await #expect(throws: StoreError.self) {
                try await ClaimActions(db: db, links: links).run(ClaimActionRequest(.reverse, note: "x", reasonCode: "other"), on: a.claim,
                                                                 expectedVersion: a.version - 1, by: try await reviewer(db), at: now)
            }
            _ = try await reverse(a, db, at: now)
            await #expect(throws: ClaimRefusal.terminal(.rejectedFinal)) {
                _ = try await reverse(Approved(claim: a.claim, earning: a.earning, amount: a.amount, currency: a.currency,
                                               approvedAt: a.approvedAt, version: a.version + 1), db, at: now)
            }
            #expect(try await earnings(of: a.claim, db).count == 1)
            #expect(try await ledgerKinds(of: a.claim, db) == ["earned", "reversed"])
        }
    }

    @Test("the partner is emailed the reason, the note and what happens to the money; endpoints get earning.reversed",
          arguments: TestDatabases.flavors)
    func partnerIsTold(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let a = try await approved(db)
            let now = a.approvedAt.addingTimeInterval(86_400)
            let bluefin = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://bluefin.example/hooks",
                                                           events: [.earningReversed], now: now).id
            let cedar = try await WebhookOwners.endpoint(db, by: "admin@cedar.example", url: "https://cedar.example/hooks",
                                                         events: [.earningReversed], now: now).id
            let vendor = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://vendor.example/hooks",
                                                          events: [.earningReversed], now: now).id
            _ = try await reverse(a, db, at: now, code: "customer_ineligible", note: "The customer is a subsidiary of the vendor.")
            let mails = try await db.read { sql in
                try await sql.raw("SELECT to_address, subject, body FROM mail_outbox WHERE claim_id = \(bind: a.claim) AND created_at = \(bind: now)")
                    .all().map { (try $0.decode(column: "to_address", as: String.self), try $0.decode(column: "subject", as: String.self),
                                  try $0.decode(column: "body", as: String.self)) }
            }
            let recipients = try await db.read { try await ClaimRepository.partnerRecipients(ofLocation: 1, on: $0) }
            #expect(!recipients.isEmpty && Set(mails.map(\.0)) == Set(recipients) && mails.count == recipients.count)
            for (_, subject, body) in mails {
                #expect(subject.hasSuffix(": approval reversed"))
                #expect(body.contains("Reason: Customer found ineligible") && body.contains("The customer is a subsidiary of the vendor."))
                #expect(body.contains("Its earning of \(Money(minorUnits: a.amount, currency: a.currency)) will not be paid."), "\(body)")
                #expect(body.contains("https://incentives.example/claims/\(a.claim)"))
            }
            let deliveries = try await db.read { sql in
                try await sql.raw("""
                    SELECT d.endpoint_id, ev.payload FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
                    WHERE ev.type = 'earning.reversed' ORDER BY d.id
                    """).all().map { (try $0.decode(column: "endpoint_id", as: Int64.self), try $0.decode(column: "payload", as: String.self)) }
            }
            #expect(Set(deliveries.map(\.0)) == [bluefin, vendor], "Cedar's endpoint hears nothing of Bluefin's claim (\(cedar))")
            let payload = try #require(deliveries.first).1
            let json = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            let data = try #require(json["data"] as? [String: Any])
            #expect((data["claim"] as? [String: Any])?["status"] as? String == "rejected_final")
            #expect(data["action"] as? String == "reverse")
            let earning = try #require(data["earning"] as? [String: Any])
            #expect(earning["id"] as? Int == Int(a.earning) && earning["kind"] as? String == "earning")
            #expect(earning["payment_status"] as? String == "reversed" && earning["reason_code"] as? String == "customer_ineligible")
            let amount = try #require(earning["amount"] as? [String: Any])
            #expect(amount["amount"] as? String == Money.plainText(minorUnits: a.amount, currency: a.currency))
            #expect(amount["currency"] as? String == a.currency.code)
        }
    }

    @Test("an earning in a draft run is left to the run: a negative earning is owed, and the ledger still replays",
          arguments: TestDatabases.flavors)
    func inRun(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let a = try await approved(db)
            let gatheredAt = a.approvedAt.addingTimeInterval(40 * 86_400)
            try await db.write { sql in
                try await sql.raw("UPDATE earnings SET payment_status = 'upcoming' WHERE id = \(bind: a.earning)").run()
                try await EarningsLedger.append(.included, forEarnings: "e.id = \(bind: a.earning)", run: nil, by: .program, at: gatheredAt, on: sql)
            }
            _ = try await reverse(a, db, at: gatheredAt.addingTimeInterval(86_400))
            #expect(try await earnings(of: a.claim, db).map(\.paymentStatus) == ["upcoming", "unprocessed"])
            #expect(try await earnings(of: a.claim, db).last?.amountMinor == -a.amount)
            #expect(try await ledgerKinds(of: a.claim, db) == ["earned", "included", "clawback"])
            try await expectLedgerAgrees(db)
        }
    }

    @Test("a customer's withdrawal after approval also publishes earning.reversed, without a reviewer's code", arguments: TestDatabases.flavors)
    func withdrawal(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let claim = try #require(try await db.read { sql in
                try await sql.raw("""
                    SELECT c.id FROM claims c JOIN earnings e ON e.claim_id = c.id AND e.kind = 'earning'
                    WHERE c.status = 'approved' AND c.kind = 'use_or_consume' AND e.payment_status = 'unprocessed' ORDER BY c.id
                    """).first(decodingColumn: "id", as: Int64.self)
            })
            let vendor = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://vendor.example/hooks",
                                                          events: [.earningReversed]).id
            let customer = Actor(role: .customer, name: "the customer")
            try await ClaimRepository(db: db).perform(ClaimCommand(.revokeConsent, by: customer), on: claim, in: .system,
                                                      at: TestDatabases.now)
            let payload = try #require(try await db.read { sql in
                try await sql.raw("""
                    SELECT ev.payload FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
                    WHERE ev.type = 'earning.reversed' AND d.endpoint_id = \(bind: vendor)
                    """).first(decodingColumn: "payload", as: String.self)
            })
            let json = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            let data = try #require(json["data"] as? [String: Any])
            let earning = try #require(data["earning"] as? [String: Any])
            #expect(data["action"] as? String == "revoke_consent" && earning["payment_status"] as? String == "reversed")
            #expect(earning["reason_code"] is NSNull)
        }
    }
}
