import Foundation
import IncentivesDomain
import SQLKit

extension PaymentRuns {
    // MARK: Send

    /// The run was handed to the bank: its earnings are sent, lines that net to zero are settled without a transfer,
    /// and each payee's Incentives admins get an email (and partner endpoints `payment_run.sent`) with the remittance.
    public func send(_ id: Int64, expectedVersion: Int64?, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write(changesClaims: false) { sql in
            try await Self.send(id, expectedVersion: expectedVersion, by: viewer, links: links, at: now, on: sql, flavor: db.flavor)
        }
    }

    /// `links` nil: a seeded history, which is not news (no email, no webhook event).
    static func send(_ id: Int64, expectedVersion: Int64?, by viewer: Viewer, links: ClaimLinks?, at now: Date, on sql: any SQLDatabase,
                     flavor: SQLFlavor) async throws {
        let run = try await Self.step(id, expectedVersion: expectedVersion, from: [.exported], to: .sent, stamp: "sent_at", refusal: {
            $0.runStatus == .approved || $0.runStatus == .draft
                ? "Export run \($0.reference)'s bank file before marking it sent."
                : "Run \($0.reference) is \($0.runStatus.label.lowercased()); it was sent already or canceled."
        }, at: now, on: sql, flavor: flavor)
        let mover = Self.mover(viewer)
        let netted: SQLQueryString = "e.id IN (SELECT i.earning_id FROM payment_run_items i JOIN payment_run_lines li ON li.id = i.line_id WHERE li.run_id = \(bind: id) AND li.status = 'netted')"
        try await Self.moveEarnings(ofRun: id, to: .sent, ledger: .sent, by: mover, at: now, on: sql)
        try await Self.moveEarnings(ofRun: id, where: netted, to: .paid, ledger: .paid, by: mover, at: now, on: sql)
        try await sql.raw("""
            UPDATE payment_run_lines SET settled_at = \(bind: now), settled_by_name = \(bind: viewer.name)
            WHERE run_id = \(bind: id) AND status = 'netted'
            """).run()
        try await Self.history(id, "sent", by: viewer, note: nil, at: now, on: sql)
        if let links { try await PaymentNotices.runSent(id, reference: run.reference, links: links, at: now, on: sql) }
        try await Self.completeIfSettled(id, at: now, on: sql)
    }

    // MARK: Settle

    /// Confirms one payee line of a sent run: paid, or failed with the bank's reason. A failure sends the line's earnings
    /// back to wait for the next run and asks the partner to act on the bank profile that failed.
    public func settle(line lineID: Int64, ofRun id: Int64, _ outcome: PaymentOutcome, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        let outcome = try Self.checked(outcome, field: "reason")
        try await db.write(changesClaims: false) { sql in
            let run = try await Self.run(id, on: sql, flavor: db.flavor)
            guard let line = try await Self.line(lineID, run: id, on: sql) else { throw StoreError.notFound("No payee line \(lineID) in this run.") }
            try await Self.settle(line, of: run, outcome, by: viewer, links: links, at: now, on: sql)
            try await Self.completeIfSettled(id, at: now, on: sql)
        }
    }

    static func checked(_ outcome: PaymentOutcome, field: String) throws -> PaymentOutcome {
        guard case .failed(let raw) = outcome else { return outcome }
        return .failed(try TextRule.paymentFailureReason.check(raw, field: field))
    }

    static func line(_ lineID: Int64, run: Int64, on sql: any SQLDatabase) async throws -> PaymentLineRow? {
        try await sql.raw("""
            SELECT id, run_id, location_id, currency, amount_minor, bank_profile_id, end_to_end_id, status
            FROM payment_run_lines WHERE id = \(bind: lineID) AND run_id = \(bind: run)
            """).first(decoding: PaymentLineRow.self)
    }

    static func settle(_ line: PaymentLineRow, of run: PaymentRunRow, _ outcome: PaymentOutcome, by viewer: Viewer, links: ClaimLinks?,
                       at now: Date, on sql: any SQLDatabase) async throws {
        guard run.runStatus == .sent else {
            throw PaymentRefusal(run.runStatus == .completed
                ? "Run \(run.reference) is completed: every payee line is settled."
                : "Run \(run.reference) is \(run.runStatus.label.lowercased()); payments are confirmed once it is sent.")
        }
        guard line.lineStatus == .pending else {
            throw PaymentRefusal("\(line.end_to_end_id) is already \(line.lineStatus.label.lowercased()).")
        }
        let mover = Self.mover(viewer)
        let ofLine: SQLQueryString = "e.id IN (SELECT earning_id FROM payment_run_items WHERE line_id = \(bind: line.id))"
        var scoped: SQLQueryString = "e.run_id = \(bind: run.id) AND "
        scoped.appendInterpolation(ofLine)
        let earnings = try await sql.raw("SELECT e.id FROM earnings e WHERE \(scoped) ORDER BY e.id")
            .all(decodingColumn: "id", as: Int64.self)
        switch outcome {
        case .paid:
            try await Self.moveEarnings(ofRun: run.id, where: ofLine, to: .paid, ledger: .paid, by: mover, at: now, on: sql)
            try await sql.raw("""
                UPDATE payment_run_lines SET status = 'paid', settled_at = \(bind: now), settled_by_name = \(bind: viewer.name)
                WHERE id = \(bind: line.id)
                """).run()
            if links != nil {
                try await PaymentNotices.earnings(earnings, .earningPaid, line: line, reference: run.reference, reason: nil, at: now, on: sql)
            }
        case .failed(let reason):
            try await EarningsLedger.append(.failed, forEarnings: scoped, run: run.id, by: mover, note: reason, at: now, on: sql)
            try await sql.raw("""
                UPDATE earnings SET payment_status = 'failed', status_reason = \(bind: reason), run_id = NULL, updated_at = \(bind: now),
                  version = version + 1
                WHERE id IN (SELECT e.id FROM earnings e WHERE \(scoped))
                """).run()
            try await sql.raw("""
                UPDATE payment_run_lines SET status = 'failed', failure_reason = \(bind: reason), settled_at = \(bind: now),
                  settled_by_name = \(bind: viewer.name)
                WHERE id = \(bind: line.id)
                """).run()
            try await Self.askForBankUpdate(line, reference: run.reference, reason: reason, by: viewer, at: now, on: sql)
            if let links {
                try await PaymentNotices.earnings(earnings, .earningFailed, line: line, reference: run.reference, reason: reason, at: now, on: sql)
                try await PaymentNotices.lineFailed(line, reference: run.reference, reason: reason, links: links, at: now, on: sql)
            }
        }
        try await Self.history(run.id, outcome == .paid ? "confirmed paid" : "payment failed", by: viewer,
                               note: outcome == .paid ? line.end_to_end_id : "\(line.end_to_end_id): \(Self.reason(of: outcome))", at: now, on: sql)
    }

    static func reason(of outcome: PaymentOutcome) -> String {
        if case .failed(let reason) = outcome { return reason }
        return ""
    }

    /// The bank profile the failed payment went to needs the partner's action (unless it already does, or was replaced).
    static func askForBankUpdate(_ line: PaymentLineRow, reference: String, reason: String, by viewer: Viewer, at now: Date,
                                 on sql: any SQLDatabase) async throws {
        struct Profile: Decodable { var organization_id: Int64; var status: String }
        guard let profile = try await sql.raw("""
            SELECT organization_id, status FROM bank_profiles WHERE id = \(bind: line.bank_profile_id)
            """).first(decoding: Profile.self), profile.status == BankProfileStatus.approved.rawValue else { return }
        let why = "A payment (\(line.end_to_end_id)) was returned by the bank: \(reason)"
        try await sql.raw("""
            UPDATE bank_profiles SET status = 'action_required', status_reason = \(bind: why), updated_at = \(bind: now), version = version + 1
            WHERE id = \(bind: line.bank_profile_id)
            """).run()
        try await PayeeRepository.history(organizationID: profile.organization_id, subject: "bank_profile", subjectID: line.bank_profile_id,
                                          locationID: line.location_id, actor: .init(viewer), action: "payment_failed",
                                          from: BankProfileStatus.approved.rawValue, to: BankProfileStatus.actionRequired.rawValue,
                                          note: why, now: now, on: sql)
    }

    /// A sent run whose every line is settled is completed.
    static func completeIfSettled(_ id: Int64, at now: Date, on sql: any SQLDatabase) async throws {
        let pending = try await sql.raw("""
            SELECT COUNT(*) AS n FROM payment_run_lines WHERE run_id = \(bind: id) AND status = 'pending'
            """).first(decodingColumn: "n", as: Int64.self) ?? 0
        guard pending == 0 else { return }
        try await sql.raw("""
            UPDATE payment_runs SET status = 'completed', completed_at = \(bind: now), version = version + 1
            WHERE id = \(bind: id) AND status = 'sent'
            """).run()
        try await Self.history(id, "completed", by: nil, note: nil, at: now, on: sql)
    }
}
