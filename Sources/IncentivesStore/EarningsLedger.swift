import Foundation
import IncentivesDomain
import SQLKit

/// Writes the append-only earnings ledger, always in the transaction that changes the earnings it names, and reads it
/// back for the replay. Nothing here updates or deletes a ledger line.
enum EarningsLedger {
    /// Who moved the money: a person, or the program itself (the clock's forfeits, a seeded history).
    struct Mover: Sendable, Hashable {
        var userID: Int64?
        var name: String
        init(userID: Int64?, name: String) { self.userID = userID; self.name = name }
        init(_ actor: Actor) { self.init(userID: actor.userID, name: actor.name) }
        static let program = Mover(userID: nil, name: "Program")
    }

    static let columns = ["at", "kind", "earning_id", "claim_id", "location_id", "engagement_id", "currency", "amount_minor",
                          "run_id", "actor_user_id", "actor_name", "note"]

    /// One line per earning selected by `condition` (a WHERE over `earnings e`), all with the same kind: the
    /// set-based form every run step uses, so a run of thousands of earnings writes its ledger in one statement.
    static func append(_ kind: LedgerKind, forEarnings condition: SQLQueryString, run: Int64?, by mover: Mover, note: String? = nil,
                       at now: Date, on sql: any SQLDatabase) async throws {
        var query: SQLQueryString = """
            INSERT INTO earning_ledger (at, kind, earning_id, claim_id, location_id, engagement_id, currency, amount_minor,
              run_id, actor_user_id, actor_name, note)
            SELECT \(bind: now), \(bind: kind.rawValue), e.id, e.claim_id, e.location_id, e.engagement_id, e.currency,
              e.amount_minor, \(bind: run), \(bind: mover.userID), \(bind: mover.name), \(bind: note)
            FROM earnings e WHERE
            """
        query.appendLiteral(" ")
        query.appendInterpolation(condition)
        query.appendLiteral(" ORDER BY e.id")
        try await sql.raw(query).run()
    }

    /// Every line in order, for the replay (tests, and the reconciliation check of the CLI).
    static func entries(on sql: any SQLDatabase) async throws -> [LedgerEntry] {
        struct Row: Decodable {
            var kind: String; var earning_id: Int64; var engagement_id: Int64; var location_id: Int64
            var currency: String; var amount_minor: Int64
        }
        return try await sql.raw("""
            SELECT kind, earning_id, engagement_id, location_id, currency, amount_minor FROM earning_ledger ORDER BY id
            """).all(decoding: Row.self).map { row in
            guard let kind = LedgerKind(rawValue: row.kind) else {
                throw StoreError.corrupt("The ledger holds an unknown kind of line: \(row.kind).")
            }
            return LedgerEntry(kind: kind, earningID: row.earning_id, engagementID: row.engagement_id,
                               locationID: row.location_id, currency: Currency(row.currency), amountMinor: row.amount_minor)
        }
    }
}

extension EarningsLedger {
    /// Takes back the earning of a claim whose approval no longer stands (a reviewer's reversal, a customer's
    /// withdrawal after approval, a disassociation). Still owed and in no run, it is reversed outright. Once in a run
    /// or paid, it stays as it is and a negative earning of the same amount is written, owed at once, which the next
    /// run nets against the payee's other earnings. Returns the earning (or reversal earning) that changed, if any.
    @discardableResult
    static func reverse(claimID: Int64, by mover: Mover, note: String?, at now: Date, on sql: any SQLDatabase) async throws -> Int64? {
        struct Row: Decodable { var id: Int64; var payment_status: String; var amount_minor: Int64 }
        guard let earning = try await sql.raw("""
            SELECT id, payment_status, amount_minor FROM earnings WHERE claim_id = \(bind: claimID) AND kind = 'earning'
            """).first(decoding: Row.self) else { return nil }
        switch PaymentStatus(rawValue: earning.payment_status) {
        case .unprocessed?, .failed?:
            try await sql.raw("""
                UPDATE earnings SET payment_status = 'reversed', updated_at = \(bind: now), version = version + 1
                WHERE id = \(bind: earning.id)
                """).run()
            try await append(.reversed, forEarnings: "e.id = \(bind: earning.id)", run: nil, by: mover, note: note, at: now, on: sql)
            return earning.id
        case .upcoming?, .inProgress?, .sent?, .paid?:
            // Already taken back once: a claim is reversed at most once.
            let existing = try await sql.raw("""
                SELECT id FROM earnings WHERE reverses_earning_id = \(bind: earning.id)
                """).first(decodingColumn: "id", as: Int64.self)
            if existing != nil || earning.amount_minor == 0 { return nil }
            let inserted = try await sql.raw("""
                INSERT INTO earnings (claim_id, location_id, engagement_id, engagement_version, market, rate_minor, hours,
                  amount_minor, currency, approved_at, payment_month, payment_status, updated_at, kind, reverses_earning_id)
                SELECT claim_id, location_id, engagement_id, engagement_version, market, rate_minor, hours,
                  -amount_minor, currency, \(bind: now), \(bind: Self.month(of: now)), 'unprocessed', \(bind: now),
                  'reversal', id
                FROM earnings WHERE id = \(bind: earning.id)
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self)
            guard let id = inserted else { throw StoreError.corrupt("The reversal of earning \(earning.id) was not written.") }
            try await append(.clawback, forEarnings: "e.id = \(bind: id)", run: nil, by: mover, note: note, at: now, on: sql)
            return id
        case .reversed?, .forfeited?:
            return nil
        case nil:
            throw StoreError.corrupt("Earning \(earning.id) has an unknown payment status: \(earning.payment_status).")
        }
    }

    /// `YYYY-MM` of an instant, in UTC: a reversal earning is due in the month it is written.
    static func month(of instant: Date) -> String {
        let day = DayDate(instant)
        return String(format: "%04d-%02d", day.year, day.month)
    }
}
