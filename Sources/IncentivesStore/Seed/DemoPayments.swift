import Foundation
import IncentivesDomain
import SQLKit

/// The demo's payment history, made by the payment runs themselves (never a status written by hand): a run on the 5th
/// of each of the last four months, gathered by the program manager, approved by the second one, exported, sent, and
/// confirmed three days later. The first payment of the second-to-last run is returned by the bank: its bank profile goes
/// to "action required", the partner confirms the account and the program manager validates it again, and the next run
/// pays the failed earnings with the new ones — the whole story of a failure, in the history. A run whose confirmation
/// day is still ahead stays sent.
enum DemoPayments {
    static let failure = "Beneficiary account closed (AC04)"

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
            let lines = try await sql.raw("""
                SELECT id FROM payment_run_lines WHERE run_id = \(bind: id) AND status = 'pending' ORDER BY end_to_end_id
                """).all(decodingColumn: "id", as: Int64.self)
            for (position, lineID) in lines.enumerated() {
                guard let line = try await PaymentRuns.line(lineID, run: id, on: sql) else { continue }
                let fails = index == cutoffs.count - 2 && position == 0
                try await PaymentRuns.settle(line, of: try await PaymentRuns.run(id, on: sql, flavor: flavor), fails ? .failed(failure) : .paid,
                                             by: manager, links: nil, at: at(3, 10), on: sql)
                if fails { try await validateAgain(line, by: manager, at: at(10, 10), on: sql) }
            }
            try await PaymentRuns.completeIfSettled(run.id, at: at(3, 10), on: sql)
        }
    }

    /// The partner confirmed the account after the failure, and the program manager validated the profile again.
    static func validateAgain(_ line: PaymentLineRow, by manager: Viewer, at now: Date, on sql: any SQLDatabase) async throws {
        guard let organization = try await sql.raw("""
            UPDATE bank_profiles SET status = 'approved', status_reason = NULL, updated_at = \(bind: now), version = version + 1
            WHERE id = \(bind: line.bank_profile_id) AND status = 'action_required'
            RETURNING organization_id
            """).first(decodingColumn: "organization_id", as: Int64.self) else { return }
        try await PayeeRepository.history(organizationID: organization, subject: "bank_profile", subjectID: line.bank_profile_id,
                                          locationID: nil, actor: .init(manager), action: "approved",
                                          from: BankProfileStatus.actionRequired.rawValue, to: BankProfileStatus.approved.rawValue,
                                          note: "The partner confirmed the account with its bank; validated again", now: now, on: sql)
    }
}
