import Foundation
import IncentivesDomain
import SQLKit

/// A run as the steps read it, locked for the step's transaction.
struct PaymentRunRow: Decodable, Sendable {
    var id: Int64
    var reference: String
    var status: String
    var version: Int64
    var created_by: Int64?
    var cutoff_on: String

    var runStatus: PaymentRunStatus { PaymentRunStatus(rawValue: status) ?? .canceled }
}

/// A payee line as the steps read it.
struct PaymentLineRow: Decodable, Sendable {
    var id: Int64
    var run_id: Int64
    var location_id: Int64
    var currency: String
    var amount_minor: Int64
    var bank_profile_id: Int64
    var end_to_end_id: String
    var status: String

    var lineStatus: PaymentLineStatus { PaymentLineStatus(rawValue: status) ?? .pending }
}

/// What a payee line is settled as.
public enum PaymentOutcome: Sendable, Hashable {
    case paid
    /// The bank returned it, with its reason.
    case failed(String)
}

extension PaymentRuns {
    static func run(_ id: Int64, on sql: any SQLDatabase, flavor: SQLFlavor) async throws -> PaymentRunRow {
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        guard let row = try await sql.raw("""
            SELECT id, reference, status, version, created_by, cutoff_on FROM payment_runs WHERE id = \(bind: id)\(lock)
            """).first(decoding: PaymentRunRow.self) else { throw StoreError.notFound("No payment run \(id).") }
        return row
    }

    /// Loads the run, checks it is in one of `allowed` and that `version` (when given) is the one the person saw, and
    /// saves the run's new status over it.
    static func step(_ id: Int64, expectedVersion: Int64?, from allowed: Set<PaymentRunStatus>, to next: PaymentRunStatus,
                     stamp: String?, refusal: (PaymentRunRow) -> String, at now: Date, on sql: any SQLDatabase,
                     flavor: SQLFlavor) async throws -> PaymentRunRow {
        let run = try await Self.run(id, on: sql, flavor: flavor)
        if let expectedVersion, expectedVersion != run.version {
            throw StoreError.conflict("Run \(run.reference) changed since you opened it; reload to see where it stands.")
        }
        guard allowed.contains(run.runStatus) else { throw PaymentRefusal(refusal(run)) }
        var set: SQLQueryString = "status = \(bind: next.rawValue), version = version + 1"
        if let stamp { set.appendLiteral(", \(stamp) = "); set.appendInterpolation(bind: now) }
        try await sql.raw("UPDATE payment_runs SET \(set) WHERE id = \(bind: id)").run()
        return run
    }

    /// Moves every earning still in the run (`run_id`) to `status`, writing `kind` ledger lines first.
    static func moveEarnings(ofRun runID: Int64, where condition: SQLQueryString = "1 = 1", to status: PaymentStatus,
                             ledger kind: LedgerKind, by mover: EarningsLedger.Mover, at now: Date, on sql: any SQLDatabase) async throws {
        var scoped: SQLQueryString = "e.run_id = \(bind: runID) AND "
        scoped.appendInterpolation(condition)
        try await EarningsLedger.append(kind, forEarnings: scoped, run: runID, by: mover, at: now, on: sql)
        var update: SQLQueryString = "UPDATE earnings SET payment_status = \(bind: status.rawValue), updated_at = \(bind: now), "
        update.appendLiteral("version = version + 1 WHERE id IN (SELECT e.id FROM earnings e WHERE ")
        update.appendInterpolation(scoped)
        update.appendLiteral(")")
        try await sql.raw(update).run()
    }

    // MARK: Cancel and approve

    /// Gives up a draft (or an approved run not yet exported): its earnings go back to wait for the next run.
    public func cancel(_ id: Int64, expectedVersion: Int64?, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write(changesClaims: false) { sql in
            try await Self.cancel(id, expectedVersion: expectedVersion, by: viewer, at: now, on: sql, flavor: db.flavor)
        }
    }

    static func cancel(_ id: Int64, expectedVersion: Int64?, by viewer: Viewer, at now: Date, on sql: any SQLDatabase,
                       flavor: SQLFlavor) async throws {
        _ = try await Self.step(id, expectedVersion: expectedVersion, from: [.draft, .approved], to: .canceled, stamp: "canceled_at",
                                refusal: { "Run \($0.reference) is \($0.runStatus.label.lowercased()): only a run not yet exported can be canceled." },
                                at: now, on: sql, flavor: flavor)
        try await EarningsLedger.append(.released, forEarnings: "e.run_id = \(bind: id)", run: id, by: Self.mover(viewer), at: now, on: sql)
        // An earning the bank returned before keeps saying so while it waits again.
        try await sql.raw("""
            UPDATE earnings SET payment_status = CASE WHEN status_reason IS NULL THEN 'unprocessed' ELSE 'failed' END,
              run_id = NULL, updated_at = \(bind: now), version = version + 1
            WHERE run_id = \(bind: id)
            """).run()
        try await Self.history(id, "canceled", by: viewer, note: nil, at: now, on: sql)
    }

    /// The second vendor user's approval (four eyes). Refused when a payee's bank profile changed or lost its approval
    /// since the run was gathered: the bank file would pay an account nobody approved.
    public func approve(_ id: Int64, expectedVersion: Int64?, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write(changesClaims: false) { sql in
            try await Self.approve(id, expectedVersion: expectedVersion, by: viewer, at: now, on: sql, flavor: db.flavor)
        }
    }

    static func approve(_ id: Int64, expectedVersion: Int64?, by viewer: Viewer, at now: Date, on sql: any SQLDatabase,
                        flavor: SQLFlavor) async throws {
        let run = try await Self.run(id, on: sql, flavor: flavor)
        if let problem = PaymentRunRules.approvalProblem(createdBy: run.created_by, approver: viewer.userID), run.runStatus == .draft {
            throw PaymentRefusal(problem)
        }
        let changed = try await sql.raw("""
            SELECT lo.name FROM payment_run_lines li JOIN locations lo ON lo.id = li.location_id
            LEFT JOIN bank_profiles b ON b.id = lo.bank_profile_id
            WHERE li.run_id = \(bind: id) AND (lo.bank_profile_id IS NULL OR lo.bank_profile_id <> li.bank_profile_id
              OR b.status <> 'approved')
            ORDER BY lo.name
            """).all(decodingColumn: "name", as: String.self)
        if !changed.isEmpty, run.runStatus == .draft {
            throw PaymentRefusal("The bank profile of \(changed.joined(separator: ", ")) changed since this run was gathered: "
                                 + "cancel the run and gather a new one.")
        }
        _ = try await Self.step(id, expectedVersion: expectedVersion, from: [.draft], to: .approved, stamp: nil,
                                refusal: { "Run \($0.reference) is \($0.runStatus.label.lowercased()); only a draft is approved." },
                                at: now, on: sql, flavor: flavor)
        try await sql.raw("""
            UPDATE payment_runs SET approved_at = \(bind: now), approved_by = \(bind: viewer.userID), approved_by_name = \(bind: viewer.name)
            WHERE id = \(bind: id)
            """).run()
        try await Self.moveEarnings(ofRun: id, to: .inProgress, ledger: .approved, by: Self.mover(viewer), at: now, on: sql)
        try await Self.history(id, "approved", by: viewer, note: nil, at: now, on: sql)
    }

    /// Why a run in `status` has no bank file yet (a draft) or at all (canceled); nil when it has one.
    static func noBankFile(_ reference: String, _ status: PaymentRunStatus) -> PaymentRefusal? {
        switch status {
        case .draft: PaymentRefusal("Run \(reference) waits for a second program manager's approval before it can be exported.")
        case .canceled: PaymentRefusal("Run \(reference) was canceled; it has no bank file.")
        case .approved, .exported, .sent, .completed: nil
        }
    }

    /// Records a download of the run's bank file (an approved run becomes exported): who took the payees' account
    /// numbers, and when, is part of the run's history.
    public func recordExport(_ id: Int64, file: String, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write(changesClaims: false) { sql in
            try await Self.recordExport(id, file: file, by: viewer, at: now, on: sql, flavor: db.flavor)
        }
    }

    static func recordExport(_ id: Int64, file: String, by viewer: Viewer, at now: Date, on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        let run = try await Self.run(id, on: sql, flavor: flavor)
        if let refusal = Self.noBankFile(run.reference, run.runStatus) { throw refusal }
        if run.runStatus == .approved {
            _ = try await Self.step(id, expectedVersion: nil, from: [.approved], to: .exported, stamp: "exported_at",
                                    refusal: { _ in "" }, at: now, on: sql, flavor: flavor)
        }
        try await Self.history(id, "exported", by: viewer, note: file, at: now, on: sql)
    }
}
