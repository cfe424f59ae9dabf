import Foundation
import IncentivesDomain
import SQLKit

/// The demo's payment history, made by the payment runs themselves (never a status written by hand): a run on the 5th
/// of each of the last four months, gathered by the program manager, approved by the second one, exported, sent, and
/// confirmed paid three days later; a run whose confirmation day is still ahead stays sent. (A failed payment is walked in
/// e2e/test_payments.py: in the demo it would put a bank profile the other demo walks use in "action required".)
enum DemoPayments {

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
        for cutoff in cutoffs {
            let at = { (days: Int, hour: Double) in cutoff.startUTC.adding(calendarDays: days).addingTimeInterval(hour * 3_600) }
            guard at(3, 10) <= now else { break }
            let id: Int64
            do { id = try await PaymentRuns.gather(cutoff: cutoff, by: manager, at: at(0, 9), on: sql, flavor: flavor) } catch is PaymentRefusal { continue }
            try await PaymentRuns.approve(id, expectedVersion: nil, by: finance, at: at(0, 11), on: sql, flavor: flavor)
            try await PaymentRuns.recordExport(id, file: "pain.001", by: manager, at: at(0, 12), on: sql, flavor: flavor)
            try await PaymentRuns.send(id, expectedVersion: nil, by: manager, links: nil, at: at(0, 14), on: sql, flavor: flavor)
            let run = try await PaymentRuns.run(id, on: sql, flavor: flavor)
            let lines = try await sql.raw("""
                SELECT id FROM payment_run_lines WHERE run_id = \(bind: id) AND status = 'pending' ORDER BY end_to_end_id
                """).all(decodingColumn: "id", as: Int64.self)
            for lineID in lines {
                guard let line = try await PaymentRuns.line(lineID, run: id, on: sql) else { continue }
                try await PaymentRuns.settle(line, of: try await PaymentRuns.run(id, on: sql, flavor: flavor), .paid, by: manager, links: nil,
                                             at: at(3, 10), on: sql)
            }
            try await PaymentRuns.completeIfSettled(run.id, at: at(3, 10), on: sql)
        }
    }
}
