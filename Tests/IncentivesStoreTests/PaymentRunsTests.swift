import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// Shared steps of the payment tests: vendor users, the state of every earning, and the ledger's replay against it.
enum PaymentWorld {
    static let links = ClaimLinks(publicURL: "https://incentives.example")
    static let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")

    /// The demo's two program managers (four eyes), as viewers.
    static func managers(_ db: Database, now: Date) async throws -> (first: Viewer, second: Viewer) {
        func id(_ email: String) async throws -> Int64 {
            try #require(try await db.read { sql in
                try await sql.raw("SELECT id FROM users WHERE email = \(bind: email)").first(decodingColumn: "id", as: Int64.self)
            })
        }
        return (Viewer(userID: try await id("manager@vendor.example"), email: "manager@vendor.example", name: "Casey Kim",
                       membership: .vendor(.programManager)),
                Viewer(userID: try await id("finance@vendor.example"), email: "finance@vendor.example", name: "Robin Ortiz",
                       membership: .vendor(.programManager)))
    }

    struct EarningState: Decodable, Hashable {
        var id: Int64; var payment_status: String; var amount_minor: Int64; var run_id: Int64?; var kind: String
    }

    static func earnings(_ db: Database) async throws -> [Int64: EarningState] {
        let rows = try await db.read { sql in
            try await sql.raw("SELECT id, payment_status, amount_minor, run_id, kind FROM earnings ORDER BY id").all(decoding: EarningState.self)
        }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
    }

    /// Replays the whole ledger: every earning ends in the bucket its status names, every balance reconciles, and the
    /// balances rebuilt from the ledger equal those summed from the earnings table, to the cent.
    static func expectLedgerMatches(_ db: Database, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let entries = try await db.read { sql in try await EarningsLedger.entries(on: sql) }
        let (buckets, balances) = try Ledger.replay(entries)
        let earnings = try await earnings(db)
        #expect(buckets.count == earnings.count, "every earning has ledger lines", sourceLocation: sourceLocation)
        for (id, earning) in earnings {
            let status = try #require(PaymentStatus(rawValue: earning.payment_status))
            #expect(buckets[id] == Ledger.bucket(of: status), "earning \(id) is \(status) but the ledger has it \(String(describing: buckets[id]))",
                    sourceLocation: sourceLocation)
        }
        for (key, balance) in balances {
            #expect(balance.reconciles, "\(key): approved \(balance.approved) ≠ paid + in runs + payable + carried", sourceLocation: sourceLocation)
        }
        // The same figures from the table alone, by status.
        struct Sum: Decodable { var engagement_id: Int64; var currency: String; var payment_status: String; var kind: String; var total: Int64; var positive: Int64 }
        let sums = try await db.read { sql in
            try await sql.raw("""
                SELECT engagement_id, currency, payment_status, kind, CAST(SUM(amount_minor) AS BIGINT) AS total,
                       CAST(SUM(CASE WHEN amount_minor > 0 THEN amount_minor ELSE 0 END) AS BIGINT) AS positive
                FROM earnings GROUP BY engagement_id, currency, payment_status, kind
                """).all(decoding: Sum.self)
        }
        var table: [BalanceKey: (paid: Int64, inRuns: Int64, outstanding: Int64)] = [:]
        for sum in sums {
            let key = BalanceKey(engagementID: sum.engagement_id, currency: Currency(sum.currency))
            var figures = table[key] ?? (0, 0, 0)
            switch Ledger.bucket(of: PaymentStatus(rawValue: sum.payment_status)!) {
            case .paid: figures.paid += sum.total
            case .inRun: figures.inRuns += sum.total
            case .outstanding: figures.outstanding += sum.total
            case .reversed, .forfeited: break
            }
            table[key] = figures
        }
        for (key, figures) in table {
            let balance = balances[key] ?? LedgerBalance()
            #expect(balance.paid == figures.paid && balance.inRuns == figures.inRuns && balance.payable + balance.carried == figures.outstanding,
                    "\(key): ledger \(balance) vs table \(figures)", sourceLocation: sourceLocation)
        }
    }

    /// Approves `count` claims under review (real approvals through the claim repository).
    static func approve(_ count: Int, _ db: Database, at now: Date) async throws -> [Int64] {
        let ids = try await db.read { sql in
            try await sql.raw("SELECT id FROM claims WHERE status = 'under_review' ORDER BY id LIMIT \(literal: count)")
                .all(decodingColumn: "id", as: Int64.self)
        }
        for id in ids {
            _ = try await ClaimRepository(db: db).perform(ClaimCommand(.approve, by: reviewer), on: id, in: .vendor, at: now)
        }
        return ids
    }
}

@Suite("Payment runs: gather, four eyes, export, send, confirm or fail, and the ledger, on SQLite and PostgreSQL")
struct PaymentRunsTests {
    let now = TestDatabases.now

    @Test("a run pays what is due at its cut-off; the bank's failure sends the payee's earnings back and asks for a new bank profile",
          arguments: TestDatabases.flavors)
    func wholeRun(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let runs = PaymentRuns(db: db, links: PaymentWorld.links)
            let (first, second) = try await PaymentWorld.managers(db, now: now)
            try await PaymentWorld.expectLedgerMatches(db)

            // The demo's runs paid what was due until now; two months on, everything approved since is due.
            let now = self.now.adding(calendarDays: 60)
            let demoRuns = try await runs.runs().count
            await #expect(throws: PaymentRefusal.self) { try await runs.gather(cutoff: DayDate(now.adding(calendarDays: 1)), by: first, at: now) }
            let id = try await runs.gather(cutoff: DayDate(now), by: first, at: now)
            let detail = try #require(try await runs.run(id))
            #expect(detail.run.status == .draft && detail.run.reference == PaymentRunRules.reference(number: Int64(demoRuns + 1)))
            #expect(!detail.lines.isEmpty)
            // Each line is the exact sum of its items, and every item is an earning due at the cut-off, now upcoming.
            let earnings = try await PaymentWorld.earnings(db)
            let items = try await db.read { sql in
                try await sql.raw("SELECT line_id, earning_id, amount_minor FROM payment_run_items WHERE run_id = \(bind: id)").all()
            }
            for line in detail.lines {
                let mine = try items.filter { try $0.decode(column: "line_id", as: Int64.self) == line.id }
                let sum = try mine.reduce(Int64(0)) { $0 + (try $1.decode(column: "amount_minor", as: Int64.self)) }
                #expect(sum == line.amount.minorUnits && mine.count == line.earnings && line.amount.minorUnits >= 0)
                for item in mine {
                    let earning = try #require(earnings[try item.decode(column: "earning_id", as: Int64.self)])
                    #expect(earning.payment_status == "upcoming" && earning.run_id == id)
                }
            }
            // A second draft would compete for the same earnings.
            await #expect(throws: PaymentRefusal.self) { try await runs.gather(cutoff: DayDate(now), by: second, at: now) }
            try await PaymentWorld.expectLedgerMatches(db)

            // Four eyes: the gatherer can't approve; the second manager can. Sending waits for the export.
            await #expect(throws: PaymentRefusal.self) { try await runs.approve(id, expectedVersion: nil, by: first, at: now) }
            await #expect(throws: StoreError.self) { try await runs.approve(id, expectedVersion: 99, by: second, at: now) }
            try await runs.approve(id, expectedVersion: detail.run.version, by: second, at: now)
            await #expect(throws: PaymentRefusal.self) { try await runs.send(id, expectedVersion: nil, by: first, at: now) }
            try await runs.recordExport(id, file: "pain.001 USD", by: first, at: now)
            try await runs.send(id, expectedVersion: nil, by: first, at: now)
            let sent = try #require(try await runs.run(id))
            #expect(sent.run.status == .sent && sent.history.map(\.action) == ["gathered", "approved", "exported", "sent"])
            let mails = try await db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM mail_outbox WHERE subject LIKE \(bind: "Payment \(detail.run.reference) sent:%")").first(decodingColumn: "n", as: Int64.self)
            }
            #expect((mails ?? 0) > 0)

            // One line paid, one returned by the bank.
            let pending = sent.lines.filter { $0.status == .pending }
            try #require(pending.count >= 2)
            try await runs.settle(line: pending[0].id, ofRun: id, .paid, by: first, at: now)
            await #expect(throws: PaymentRefusal.self) { try await runs.settle(line: pending[0].id, ofRun: id, .paid, by: first, at: now) }
            await #expect(throws: InputRefusal.self) { try await runs.settle(line: pending[1].id, ofRun: id, .failed("  "), by: first, at: now) }
            try await runs.settle(line: pending[1].id, ofRun: id, .failed("Account closed"), by: first, at: now)
            let after = try await PaymentWorld.earnings(db)
            let failedIDs = try await db.read { sql in
                try await sql.raw("SELECT earning_id FROM payment_run_items WHERE line_id = \(bind: pending[1].id)").all(decodingColumn: "earning_id", as: Int64.self)
            }
            #expect(failedIDs.allSatisfy { after[$0]?.payment_status == "failed" && after[$0]?.run_id == nil })
            let bank = try await db.read { sql in
                try await sql.raw("""
                    SELECT b.status, b.status_reason FROM bank_profiles b JOIN locations l ON l.bank_profile_id = b.id WHERE l.id = \(bind: pending[1].locationID)
                    """).first()
            }
            #expect(try bank?.decode(column: "status", as: String.self) == "action_required")
            #expect(try bank?.decode(column: "status_reason", as: String.self).contains("Account closed") == true)
            try await PaymentWorld.expectLedgerMatches(db)

            // Every other line paid: the run completes. The failed payee is held in the next run for its bank profile.
            for line in pending.dropFirst(2) { try await runs.settle(line: line.id, ofRun: id, .paid, by: second, at: now) }
            #expect(try await runs.run(id)?.run.status == .completed)
            let holds = try await runs.holdsNow(cutoff: DayDate(now))
            #expect(holds.contains { $0.locationID == pending[1].locationID && $0.reason == .bankProfileActionRequired })
            try await PaymentWorld.expectLedgerMatches(db)
        }
    }

    @Test("a reversal after payment is a negative earning netted in the next run; a negative net is carried forward, never paid",
          arguments: TestDatabases.flavors)
    func reversalNetting(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let runs = PaymentRuns(db: db, links: PaymentWorld.links)
            let (first, second) = try await PaymentWorld.managers(db, now: now)
            let id = try await runs.gather(cutoff: DayDate(now), by: first, at: now)
            try await runs.approve(id, expectedVersion: nil, by: second, at: now)
            try await runs.recordExport(id, file: "csv", by: first, at: now)
            try await runs.send(id, expectedVersion: nil, by: first, at: now)
            let line = try #require(try await runs.run(id)?.lines.first { $0.status == .pending })
            try await runs.settle(line: line.id, ofRun: id, .paid, by: first, at: now)
            let paid = try await db.read { sql in
                try await sql.raw("""
                    SELECT e.id, e.claim_id, e.amount_minor FROM earnings e JOIN payment_run_items i ON i.earning_id = e.id
                    WHERE i.line_id = \(bind: line.id) ORDER BY e.amount_minor DESC LIMIT 1
                    """).first()
            }
            let claimID = try #require(try paid?.decode(column: "claim_id", as: Int64.self))
            let amount = try #require(try paid?.decode(column: "amount_minor", as: Int64.self))
            let later = now.addingTimeInterval(3_600)
            let reversal = try await db.write { sql in
                try await EarningsLedger.reverse(claimID: claimID, by: .init(PaymentWorld.reviewer), note: "Duplicate", at: later, on: sql)
            }
            let reversalID = try #require(reversal)
            let negative = try #require(try await PaymentWorld.earnings(db)[reversalID])
            #expect(negative.amount_minor == -amount && negative.kind == "reversal" && negative.payment_status == "unprocessed")
            // Reversing twice writes nothing more.
            #expect(try await db.write { sql in
                try await EarningsLedger.reverse(claimID: claimID, by: .init(PaymentWorld.reviewer), note: "Again", at: later, on: sql)
            } == nil)
            try await PaymentWorld.expectLedgerMatches(db)

            // Alone, the reversal nets below zero: held, carried forward, not a line.
            let plan = try await runs.preview(cutoff: DayDate(later))
            let carried = try #require(plan.holds.first { $0.earningIDs.contains(negative.id) })
            #expect(carried.reason == .negativeNet && carried.amountMinor < 0)
            #expect(!plan.lines.contains { $0.earningIDs.contains(negative.id) })
        }
    }

    @Test("a canceled draft gives its earnings back; an earning unpaid past the program's limit is forfeited by the clock",
          arguments: TestDatabases.flavors)
    func cancelAndForfeit(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let runs = PaymentRuns(db: db, links: PaymentWorld.links)
            let (first, _) = try await PaymentWorld.managers(db, now: now)
            let before = try await PaymentWorld.earnings(db)
            let id = try await runs.gather(cutoff: DayDate(now), by: first, at: now)
            try await runs.cancel(id, expectedVersion: nil, by: first, at: now)
            #expect(try await PaymentWorld.earnings(db).mapValues(\.payment_status) == before.mapValues(\.payment_status))
            await #expect(throws: PaymentRefusal.self) { try await runs.cancel(id, expectedVersion: nil, by: first, at: now) }
            try await PaymentWorld.expectLedgerMatches(db)

            let far = now.adding(calendarDays: 2 * 365)
            let forfeited = try await runs.forfeitOverdue(at: far)
            #expect(forfeited > 0)
            #expect(try await runs.forfeitOverdue(at: far) == 0)
            #expect(try await PaymentWorld.earnings(db).values.filter { $0.payment_status == "forfeited" }.count == forfeited)
            try await PaymentWorld.expectLedgerMatches(db)
        }
    }

    @Test("sending and settling write their webhook events for the endpoints that take the payee's location, and the partner's emails",
          arguments: TestDatabases.flavors)
    func eventsAndEmails(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let now = self.now.adding(calendarDays: 60)
            let events: Set<WebhookEventType> = [.paymentRunSent, .earningPaid, .earningFailed]
            let bluefin = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://bluefin.example/hooks", events: events)
            let cedar = try await WebhookOwners.endpoint(db, by: "admin@cedar.example", url: "https://cedar.example/hooks", events: events)
            let vendor = try await WebhookOwners.endpoint(db, by: "manager@vendor.example", url: "https://vendor.example/hooks", events: events)
            let runs = PaymentRuns(db: db, links: PaymentWorld.links)
            let (first, second) = try await PaymentWorld.managers(db, now: now)
            let id = try await runs.gather(cutoff: DayDate(now), by: first, at: now)
            try await runs.approve(id, expectedVersion: nil, by: second, at: now)
            try await runs.recordExport(id, file: "csv", by: first, at: now)
            try await runs.send(id, expectedVersion: nil, by: first, at: now)
            let lines = try #require(try await runs.run(id)).lines
            let seattle = try #require(lines.first { $0.locationID == 1 && $0.status == .pending }, "a Seattle payment")
            let other = try #require(lines.first { ![1, 2, 3, 4].contains($0.locationID) && $0.status == .pending }, "another partner's payment")
            try await runs.settle(line: seattle.id, ofRun: id, .paid, by: first, at: now)
            try await runs.settle(line: other.id, ofRun: id, .failed("Account closed (AC04)"), by: first, at: now)

            struct Event: Decodable { var type: String; var location_id: Int64?; var payload: String; var endpoint_id: Int64 }
            let written = try await db.read { sql in
                try await sql.raw("""
                    SELECT e.type, e.location_id, e.payload, d.endpoint_id FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id
                    WHERE e.type IN ('payment_run.sent', 'earning.paid', 'earning.failed') ORDER BY e.id, d.endpoint_id
                    """).all(decoding: Event.self)
            }
            // Bluefin's endpoint hears only Bluefin's locations; the vendor's hears everything; nobody hears another's payment.
            #expect(written.filter { $0.endpoint_id == bluefin.id }.allSatisfy { [1, 2, 3, 4].contains($0.location_id ?? 0) })
            #expect(written.filter { $0.endpoint_id == cedar.id }.allSatisfy { ![1, 2, 3, 4].contains($0.location_id ?? 0) })
            let sent = written.filter { $0.type == "payment_run.sent" && $0.endpoint_id == vendor.id }
            #expect(Set(sent.compactMap(\.location_id)) == Set(lines.map(\.locationID)))
            let seattleSent = try #require(sent.first { $0.location_id == 1 })
            #expect(seattleSent.payload.contains(#""remittance_url":"https:\/\/incentives.example\/earnings\/remittances\/\#(id)\/1""#)
                    || seattleSent.payload.contains("/earnings/remittances/\(id)/1"))
            #expect(written.contains { $0.type == "earning.paid" && $0.location_id == 1 && $0.endpoint_id == bluefin.id })
            let failed = try #require(written.first { $0.type == "earning.failed" && $0.endpoint_id == vendor.id })
            #expect(failed.location_id == other.locationID && failed.payload.contains("Account closed (AC04)")
                    && failed.payload.contains(other.endToEndID))
            // The emails: the run sent to each payee's admins with the advice's link; the failure asks for a new bank profile.
            let subjects = try await db.read { sql in
                try await sql.raw("SELECT subject, body FROM mail_outbox ORDER BY id").all()
            }.map { (try $0.decode(column: "subject", as: String.self), try $0.decode(column: "body", as: String.self)) }
            let reference = try #require(try await runs.run(id)).run.reference
            #expect(subjects.contains { $0.0.hasPrefix("Payment \(reference) sent: Bluefin Consulting") && $0.1.contains("/earnings/remittances/\(id)/") })
            #expect(subjects.contains { $0.0.hasPrefix("Payment \(other.endToEndID) returned") && $0.1.contains("Account closed (AC04)") })
        }
    }
}
