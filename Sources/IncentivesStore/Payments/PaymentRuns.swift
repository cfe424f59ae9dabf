import Foundation
import IncentivesDomain
import SQLKit

/// Where partner emails about payments point.
extension ClaimLinks {
    /// A location's remittance advice for one run.
    public func remittance(run: Int64, location: Int64) -> String { "\(base)/earnings/remittances/\(run)/\(location)" }
}

/// Payment runs, one command per step, each in one transaction with its ledger lines, history row, webhook events and
/// emails: gather at a cut-off, cancel, approve (a second vendor user), export, send, and settle each payee line paid
/// or failed. Only program managers run them; the rules of who and when are in the domain (`PaymentRunRules`).
public struct PaymentRuns: Sendable {
    public let db: Database
    public let links: ClaimLinks

    public init(db: Database, links: ClaimLinks) { self.db = db; self.links = links }

    /// Runs are the program manager's.
    static func requireManager(_ viewer: Viewer) throws {
        guard viewer.vendorRole == .programManager else {
            throw PaymentRefusal("Only a program manager runs payments.")
        }
    }

    static func mover(_ viewer: Viewer) -> EarningsLedger.Mover { .init(userID: viewer.userID, name: viewer.name) }

    // MARK: Gather

    /// Gathers every earning due at `cutoff` into a new draft run and returns its id. Refused while another run is a
    /// draft (they would compete for the same earnings), for a cut-off after today, and when nothing can be paid.
    public func gather(cutoff: DayDate, by viewer: Viewer, at now: Date) async throws -> Int64 {
        try Self.requireManager(viewer)
        if cutoff > DayDate(now) {
            throw PaymentRefusal("The cut-off can't be after today (\(DayDate(now))): a run pays what is already due.", field: "cutoff")
        }
        return try await db.write(changesClaims: false) { sql in
            try await Self.gather(cutoff: cutoff, by: viewer, at: now, on: sql, flavor: db.flavor)
        }
    }

    static func gather(cutoff: DayDate, by viewer: Viewer, at now: Date, on sql: any SQLDatabase, flavor: SQLFlavor) async throws -> Int64 {
        try await TransactionLocks.paymentRuns(on: sql, flavor: flavor)
        if let open = try await sql.raw("""
            SELECT reference FROM payment_runs WHERE status = 'draft' ORDER BY id LIMIT 1
            """).first(decodingColumn: "reference", as: String.self) {
            throw PaymentRefusal("Run \(open) is still a draft: approve or cancel it before gathering another.", field: "cutoff")
        }
        let plan = try await Self.plan(cutoff: cutoff, on: sql)
        guard !plan.lines.isEmpty else {
            throw PaymentRefusal(plan.holds.isEmpty
                ? "Nothing is due at \(cutoff): no approved earning has reached its payment month."
                : "Nothing can be paid at \(cutoff): every earning due is held (see the list below).", field: "cutoff")
        }
        return try await Self.write(plan, cutoff: cutoff, by: viewer, at: now, on: sql)
    }

    /// What a run gathered at `cutoff` would hold now, without writing anything (the payments page's preview).
    public func preview(cutoff: DayDate) async throws -> PaymentRunPlan {
        try await db.read { sql in try await Self.plan(cutoff: cutoff, on: sql) }
    }

    static func plan(cutoff: DayDate, on sql: any SQLDatabase) async throws -> PaymentRunPlan {
        struct Owed: Decodable {
            var id: Int64; var location_id: Int64; var currency: String; var amount_minor: Int64
            var payment_month: String; var kind: String
        }
        let owed = try await sql.raw("""
            SELECT id, location_id, currency, amount_minor, payment_month, kind FROM earnings
            WHERE payment_status IN ('unprocessed', 'failed') AND run_id IS NULL
            """).all(decoding: Owed.self).map {
            OutstandingEarning(id: $0.id, locationID: $0.location_id, currency: Currency($0.currency), amountMinor: $0.amount_minor,
                               paymentMonth: $0.payment_month, kind: EarningKind(rawValue: $0.kind) ?? .earning)
        }
        let standings = try await Self.standings(of: Set(owed.map(\.locationID)), on: sql)
        return PaymentRunPlan.gather(owed, standings: standings, cutoff: cutoff)
    }

    /// Each location's bank profile status and latest tax expiry.
    static func standings(of locations: Set<Int64>, on sql: any SQLDatabase) async throws -> [Int64: PayeeStanding] {
        guard !locations.isEmpty else { return [:] }
        struct Row: Decodable { var id: Int64; var bank_status: String?; var tax_expires: String? }
        var result: [Int64: PayeeStanding] = [:]
        for chunk in Array(locations).sorted().chunked(columns: 1) {
            let rows = try await sql.raw("""
                SELECT l.id, b.status AS bank_status,
                       (SELECT MAX(t.expires_on) FROM tax_profiles t WHERE t.location_id = l.id) AS tax_expires
                FROM locations l LEFT JOIN bank_profiles b ON b.id = l.bank_profile_id
                WHERE l.id IN (\(AccessScope.bindList(Set(chunk))))
                """).all(decoding: Row.self)
            for row in rows {
                result[row.id] = PayeeStanding(bankStatus: row.bank_status.flatMap(BankProfileStatus.init(rawValue:)),
                                               taxExpiresOn: row.tax_expires.flatMap { DayDate($0) })
            }
        }
        return result
    }

    /// Writes the run, its payee lines with the creditor as it stands now, its items and holds; moves the earnings into
    /// it and writes their `included` ledger lines.
    static func write(_ plan: PaymentRunPlan, cutoff: DayDate, by viewer: Viewer, at now: Date, on sql: any SQLDatabase) async throws -> Int64 {
        let next = (try await sql.raw("SELECT MAX(id) AS id FROM payment_runs").first(decodingColumn: "id", as: Int64?.self) ?? nil) ?? 0
        let reference = PaymentRunRules.reference(number: next + 1)
        let program = try await sql.raw("SELECT MIN(id) AS id FROM programs").first(decodingColumn: "id", as: Int64?.self) ?? nil
        guard let program else { throw StoreError.notFound("There is no program yet: create it first.") }
        guard let runID = try await sql.raw("""
            INSERT INTO payment_runs (id, reference, program_id, cutoff_on, status, created_at, created_by, created_by_name)
            VALUES (\(bind: next + 1), \(bind: reference), \(bind: program), \(bind: cutoff.description), 'draft', \(bind: now),
                    \(bind: viewer.userID), \(bind: viewer.name))
            RETURNING id
            """).first(decodingColumn: "id", as: Int64.self) else {
            throw StoreError.corrupt("The database did not return the new run's id.")
        }
        for (number, line) in plan.lines.enumerated() {
            try await Self.insertLine(line, number: number + 1, run: runID, reference: reference, on: sql)
        }
        for hold in plan.holds {
            try await sql.raw("""
                INSERT INTO payment_run_holds (run_id, location_id, currency, amount_minor, earnings_count, reason, detail)
                VALUES (\(bind: runID), \(bind: hold.locationID), \(bind: hold.currency.code), \(bind: hold.amountMinor),
                        \(bind: hold.earningIDs.count), \(bind: hold.reason.rawValue), \(bind: hold.reason.label))
                """).run()
        }
        try await sql.raw("""
            UPDATE earnings SET payment_status = 'upcoming', run_id = \(bind: runID), updated_at = \(bind: now), version = version + 1
            WHERE id IN (SELECT earning_id FROM payment_run_items WHERE run_id = \(bind: runID))
            """).run()
        try await EarningsLedger.append(.included, forEarnings: "e.run_id = \(bind: runID)", run: runID, by: mover(viewer), at: now, on: sql)
        let count = plan.lines.reduce(0) { $0 + $1.earningIDs.count }
        try await Self.history(runID, "gathered", by: viewer, note: "Cut-off \(cutoff): \(plan.lines.count) payees, \(count) earnings, "
                                   + "\(plan.holds.count) held", at: now, on: sql)
        return runID
    }

    static func insertLine(_ line: PaymentRunLinePlan, number: Int, run: Int64, reference: String, on sql: any SQLDatabase) async throws {
        struct Creditor: Decodable {
            var bank_profile_id: Int64; var holder_name: String; var country: String; var account_number: String
            var swift_bic: String; var routing_code: String?
        }
        guard let creditor = try await sql.raw("""
            SELECT b.id AS bank_profile_id, b.holder_name, b.country, b.account_number, b.swift_bic, b.routing_code
            FROM locations l JOIN bank_profiles b ON b.id = l.bank_profile_id WHERE l.id = \(bind: line.locationID)
            """).first(decoding: Creditor.self) else {
            throw StoreError.corrupt("Location \(line.locationID) was gathered without a bank profile.")
        }
        guard let lineID = try await sql.raw("""
            INSERT INTO payment_run_lines (run_id, location_id, currency, amount_minor, earnings_count, bank_profile_id, creditor_name,
              creditor_country, creditor_account, creditor_bic, creditor_routing_code, end_to_end_id, status)
            VALUES (\(bind: run), \(bind: line.locationID), \(bind: line.currency.code), \(bind: line.amountMinor),
                    \(bind: line.earningIDs.count), \(bind: creditor.bank_profile_id), \(bind: creditor.holder_name),
                    \(bind: creditor.country), \(bind: creditor.account_number), \(bind: creditor.swift_bic),
                    \(bind: creditor.routing_code), \(bind: PaymentRunRules.endToEndID(reference: reference, line: number)),
                    \(bind: line.status.rawValue))
            RETURNING id
            """).first(decodingColumn: "id", as: Int64.self) else {
            throw StoreError.corrupt("The database did not return the new payee line's id.")
        }
        for chunk in line.earningIDs.chunked(columns: 2) {
            try await sql.raw("""
                INSERT INTO payment_run_items (run_id, line_id, earning_id, amount_minor)
                SELECT \(bind: run), \(bind: lineID), id, amount_minor FROM earnings WHERE id IN (\(AccessScope.bindList(Set(chunk))))
                """).run()
        }
    }

    static func history(_ runID: Int64, _ action: String, by viewer: Viewer?, note: String?, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO payment_run_history (run_id, at, action, actor_user_id, actor_name, note)
            VALUES (\(bind: runID), \(bind: now), \(bind: action), \(bind: viewer?.userID), \(bind: viewer?.name ?? "Program"), \(bind: note))
            """).run()
    }
}
