import Foundation
import IncentivesDomain
import SQLKit

/// The demo's payment history, made by the payment runs themselves (never a status written by hand): a run on the 5th
/// of each of the last four months, gathered by the program manager, approved by the second one, exported, sent, and
/// confirmed three days later. Kestrel IT - Paris's payment in the second-to-last run is returned by the bank, so the demo
/// shows a failure and the bank profile it puts in "action required" (Kestrel's: Bluefin and Cedar, which the other demo
/// walks use, keep earning); a run whose confirmation day is still ahead stays sent.
enum DemoPayments {
    static let failure = "Beneficiary account closed (AC04)"
    static let failingPayee = "Kestrel IT - Paris"

    static func write(on sql: any SQLDatabase, flavor: SQLFlavor, now: Date) async throws {
        func viewer(_ email: String) async throws -> Viewer? {
            struct Row: Decodable { var id: Int64; var name: String }
            return try await sql.raw("SELECT id, name FROM users WHERE email = \(bind: email)").first(decoding: Row.self).map {
                Viewer(userID: $0.id, email: email, name: $0.name, membership: .vendor(.programManager))
            }
        }
        guard let manager = try await viewer("manager@vendor.example"), let finance = try await viewer("finance@vendor.example") else { return }
        let today = DayDate(now)
        let cutoffs = (1...4).reversed().compactMap { back -> DayDate? in
            let month = Calendar.utc.date(byAdding: .month, value: -back, to: today.startUTC)!
            let day = DayDate(month)
            return DayDate(year: day.year, month: day.month, day: 5)
        }
        for (index, cutoff) in cutoffs.enumerated() {
            let at = { (days: Int, hour: Double) in cutoff.startUTC.adding(calendarDays: days).addingTimeInterval(hour * 3_600) }
            guard at(3, 10) <= now else { break }
            let id: Int64
            do { id = try await PaymentRuns.gather(cutoff: cutoff, by: manager, at: at(0, 9), on: sql, flavor: flavor) } catch is PaymentRefusal { continue }
            try await PaymentRuns.approve(id, expectedVersion: nil, by: finance, at: at(0, 11), on: sql, flavor: flavor)
            try await PaymentRuns.recordExport(id, file: "pain.001", by: manager, at: at(0, 12), on: sql, flavor: flavor)
            try await PaymentRuns.send(id, expectedVersion: nil, by: manager, links: nil, at: at(0, 14), on: sql, flavor: flavor)
            let run = try await PaymentRuns.run(id, on: sql, flavor: flavor)
            struct Pending: Decodable { var id: Int64; var name: String }
            let lines = try await sql.raw("""
                SELECT li.id, lo.name FROM payment_run_lines li JOIN locations lo ON lo.id = li.location_id
                WHERE li.run_id = \(bind: id) AND li.status = 'pending' ORDER BY li.end_to_end_id
                """).all(decoding: Pending.self)
            for pending in lines {
                guard let line = try await PaymentRuns.line(pending.id, run: id, on: sql) else { continue }
                let outcome: PaymentOutcome = index == cutoffs.count - 2 && pending.name == failingPayee ? .failed(failure) : .paid
                try await PaymentRuns.settle(line, of: try await PaymentRuns.run(id, on: sql, flavor: flavor), outcome, by: manager,
                                             links: nil, at: at(3, 10), on: sql)
            }
            try await PaymentRuns.completeIfSettled(run.id, at: at(3, 10), on: sql)
        }
    }
}
