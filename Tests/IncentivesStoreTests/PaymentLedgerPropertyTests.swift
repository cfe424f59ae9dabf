import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// A small generator with a seed, so that a failing sequence can be run again from the seed the test prints.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("The earnings ledger under random sequences: no cent created or lost, on SQLite and PostgreSQL")
struct PaymentLedgerPropertyTests {
    let now = TestDatabases.now

    enum Step: CaseIterable { case approve, gather, approveRun, export, send, settle, cancel, reverse, fixBank, forfeit }

    @Test("random approvals, runs, confirmations, failures, reversals and forfeits keep every balance reconciled",
          arguments: TestDatabases.flavors)
    func randomSequences(flavor: SQLFlavor) async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["LEDGER_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        print("ledger property seed \(seed) (LEDGER_SEED=\(seed) runs it again)")
        var random = SplitMix64(state: seed)
        try await TestDatabases.with(flavor, seeded: true) { db in
            let runs = PaymentRuns(db: db, links: PaymentWorld.links)
            let (first, second) = try await PaymentWorld.managers(db, now: now)
            let start = try await Self.totals(db)
            var clock = now
            var approvedAmount: Int64 = 0
            var done: [Step: Int] = [:]
            for i in 0..<80 {
                clock = clock.addingTimeInterval(Double(Int.random(in: 60...86_400 * 3, using: &random)))
                // Every step kind is drawn, but half the time the open run takes its next step, so that runs get sent and
                // settled; approvals and reversals also come at fixed turns, so each sequence has some.
                let step: Step = i % 10 == 0 ? .approve : i % 10 == 5 ? .reverse
                    : Bool.random(using: &random) ? try await Self.nextStepOfOpenRun(db) : Step.allCases.randomElement(using: &random)!
                do {
                    switch step {
                    case .approve:
                        let before = try await Self.totals(db).earned
                        _ = try await PaymentWorld.approve(Int.random(in: 1...3, using: &random), db, at: clock)
                        approvedAmount += try await Self.totals(db).earned - before
                    case .gather:
                        _ = try await runs.gather(cutoff: DayDate(clock), by: [first, second].randomElement(using: &random)!, at: clock)
                    case .approveRun:
                        guard let run = try await Self.latest(db, status: "draft") else { continue }
                        try await runs.approve(run, expectedVersion: nil, by: second, at: clock)
                    case .export:
                        guard let run = try await Self.latest(db, status: "approved") else { continue }
                        try await runs.recordExport(run, file: "csv", by: first, at: clock)
                    case .send:
                        guard let run = try await Self.latest(db, status: "exported") else { continue }
                        try await runs.send(run, expectedVersion: nil, by: first, at: clock)
                    case .settle:
                        guard let run = try await Self.latest(db, status: "sent"),
                              let line = try await runs.run(run)?.lines.filter({ $0.status == .pending }).randomElement(using: &random) else { continue }
                        let outcome: PaymentOutcome = Bool.random(using: &random) ? .paid : .failed("Returned: account closed")
                        try await runs.settle(line: line.id, ofRun: run, outcome, by: first, at: clock)
                    case .cancel:
                        guard let run = try await Self.latest(db, status: "draft") else { continue }
                        try await runs.cancel(run, expectedVersion: nil, by: first, at: clock)
                    case .reverse:
                        let claim = try await db.read { sql in
                            try await sql.raw("SELECT claim_id FROM earnings WHERE kind = 'earning' AND payment_status <> 'reversed' ORDER BY id")
                                .all(decodingColumn: "claim_id", as: Int64.self)
                        }.randomElement(using: &random)
                        if let claim {
                            let at = clock
                            try await db.write { sql in
                                _ = try await EarningsLedger.reverse(claimID: claim, by: .init(PaymentWorld.reviewer), note: "Property", at: at, on: sql)
                            }
                        }
                    case .fixBank:
                        // The partner updates its bank profile and the manager approves it again (as the payee pages do).
                        try await db.write { sql in
                            try await sql.raw("UPDATE bank_profiles SET status = 'approved', status_reason = NULL WHERE status = 'action_required'").run()
                        }
                    case .forfeit:
                        _ = try await runs.forfeitOverdue(at: clock.adding(calendarDays: Int.random(in: 0...400, using: &random)))
                    }
                    done[step, default: 0] += 1
                } catch is PaymentRefusal {
                    // A step the rules refuse now (nothing due, a draft already open): nothing may have changed.
                }
                try await PaymentWorld.expectLedgerMatches(db)
                try await KeptMoneyTotals.expectMatch(db, "seed \(seed) step \(i) \(step)")
                let totals = try await Self.totals(db)
                // Conservation: what was approved is the start plus the approvals made here; every cent of it is paid, in a
                // run, owed, carried, reversed or forfeited.
                #expect(totals.earned == start.earned + approvedAmount, "seed \(seed)")
                #expect(totals.earned + totals.clawedBack == totals.paid + totals.inRuns + totals.outstanding + totals.reversed + totals.forfeited,
                        "seed \(seed): \(totals)")
                // A run never pays a negative total to a payee.
                let negativeLines = try await db.read { sql in
                    try await sql.raw("SELECT COUNT(*) AS n FROM payment_run_lines WHERE amount_minor < 0").first(decodingColumn: "n", as: Int64.self)
                }
                #expect(negativeLines == 0, "seed \(seed)")
            }
            print("ledger property seed \(seed): steps taken \(done.sorted { "\($0.key)" < "\($1.key)" }.map { "\($0.key) \($0.value)" })")
            #expect(done[.approve, default: 0] > 0 && done[.reverse, default: 0] > 0 && done[.gather, default: 0] > 0, "seed \(seed)")
        }
    }

    /// The step the newest unfinished run waits for (gathering one when none is open).
    static func nextStepOfOpenRun(_ db: Database) async throws -> Step {
        let status = try await db.read { sql in
            try await sql.raw("SELECT status FROM payment_runs WHERE status IN ('draft', 'approved', 'exported', 'sent') ORDER BY id DESC LIMIT 1")
                .first(decodingColumn: "status", as: String.self)
        }
        switch status {
        case "draft": return .approveRun
        case "approved": return .export
        case "exported": return .send
        case "sent": return .settle
        default: return .gather
        }
    }

    struct Totals: CustomStringConvertible {
        var earned: Int64 = 0, clawedBack: Int64 = 0, paid: Int64 = 0, inRuns: Int64 = 0, outstanding: Int64 = 0
        var reversed: Int64 = 0, forfeited: Int64 = 0
        var description: String {
            "earned \(earned) clawed back \(clawedBack) paid \(paid) in runs \(inRuns) outstanding \(outstanding) reversed \(reversed) forfeited \(forfeited)"
        }
    }

    /// Sums in minor units over every currency: each earning counts once, in the bucket of its status (currencies are
    /// never mixed in the product; here a sum per bucket only checks that nothing moves between buckets unseen).
    static func totals(_ db: Database) async throws -> Totals {
        var totals = Totals()
        for earning in try await PaymentWorld.earnings(db).values {
            if earning.kind == "earning" { totals.earned += earning.amount_minor } else { totals.clawedBack += earning.amount_minor }
            switch Ledger.bucket(of: PaymentStatus(rawValue: earning.payment_status)!) {
            case .paid: totals.paid += earning.amount_minor
            case .inRun: totals.inRuns += earning.amount_minor
            case .outstanding: totals.outstanding += earning.amount_minor
            case .reversed: totals.reversed += earning.amount_minor
            case .forfeited: totals.forfeited += earning.amount_minor
            }
        }
        return totals
    }

    static func latest(_ db: Database, status: String) async throws -> Int64? {
        try await db.read { sql in
            try await sql.raw("SELECT MAX(id) AS id FROM payment_runs WHERE status = \(bind: status)").first(decodingColumn: "id", as: Int64?.self) ?? nil
        }
    }
}
