import Foundation
import IncentivesDomain
import SQLKit

extension PaymentRuns {
    // MARK: The program's payment rules

    /// The program's payment settings (the defaults before a program exists).
    public func settings() async throws -> PaymentSettings {
        try await db.read { sql in try await Self.settings(on: sql) }
    }

    static func settings(on sql: any SQLDatabase) async throws -> PaymentSettings {
        struct Row: Decodable {
            var reversal_window_days: Int64; var payment_limit_days: Int64; var payer_name: String?; var payer_iban: String?; var payer_bic: String?
        }
        guard let row = try await sql.raw("""
            SELECT reversal_window_days, payment_limit_days, payer_name, payer_iban, payer_bic FROM programs ORDER BY id LIMIT 1
            """).first(decoding: Row.self) else { return PaymentSettings() }
        return PaymentSettings(reversalWindowDays: Int(row.reversal_window_days), paymentLimitDays: Int(row.payment_limit_days),
                               payerName: row.payer_name, payerIBAN: row.payer_iban, payerBIC: row.payer_bic)
    }

    /// Saves checked settings, with the change in the program's history.
    public func update(_ settings: PaymentSettings, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write(changesClaims: false) { sql in
            guard let id = try await sql.raw("SELECT MIN(id) AS id FROM programs").first(decodingColumn: "id", as: Int64?.self) ?? nil else {
                throw StoreError.notFound("There is no program yet: create it first.")
            }
            let old = try await Self.settings(on: sql)
            try await sql.raw("""
                UPDATE programs SET reversal_window_days = \(bind: settings.reversalWindowDays), payment_limit_days = \(bind: settings.paymentLimitDays),
                  payer_name = \(bind: settings.payerName), payer_iban = \(bind: settings.payerIBAN), payer_bic = \(bind: settings.payerBIC)
                WHERE id = \(bind: id)
                """).run()
            // The account is named by its last four characters: the history is read by every program manager.
            func account(_ s: PaymentSettings) -> String {
                s.payerIBAN.map { "\(s.payerName ?? "") …\($0.suffix(4)) \(s.payerBIC ?? "")" } ?? "none"
            }
            try await ProgramChanges.record(ProgramChange(
                by: viewer, at: now, subject: .program, subjectID: id, action: "payment settings changed",
                detail: "reversal window \(old.reversalWindowDays) → \(settings.reversalWindowDays) days; payment limit "
                    + "\(old.paymentLimitDays) → \(settings.paymentLimitDays) days; paying account \(account(old)) → \(account(settings))"), on: sql)
        }
    }

    // MARK: Forfeits

    /// The clock's part: earnings still owed past the program's payment limit are forfeited, each with its ledger line.
    /// Reversal earnings are never forfeited (what a partner owes back stays to be netted). Returns how many.
    @discardableResult
    public func forfeitOverdue(at now: Date) async throws -> Int {
        try await db.write(changesClaims: false) { sql in
            let limit = try await Self.settings(on: sql).paymentLimitDays
            let before = now.adding(calendarDays: -limit)
            let overdue: SQLQueryString = """
                e.kind = 'earning' AND e.payment_status IN ('unprocessed', 'failed') AND e.run_id IS NULL AND e.amount_minor > 0
                AND e.approved_at < \(bind: before)
                """
            let count = try await sql.raw("SELECT COUNT(*) AS n FROM earnings e WHERE \(overdue)").first(decodingColumn: "n", as: Int64.self) ?? 0
            guard count > 0 else { return 0 }
            try await EarningsLedger.append(.forfeited, forEarnings: overdue, run: nil, by: .init(userID: nil, name: "Payment limit"),
                                            note: "Not paid within \(limit) days of approval", at: now, on: sql)
            try await sql.raw("""
                UPDATE earnings SET payment_status = 'forfeited', updated_at = \(bind: now), version = version + 1
                WHERE id IN (SELECT e.id FROM earnings e WHERE \(overdue))
                """).run()
            return Int(count)
        }
    }
}
