import Foundation
import IncentivesDomain
import SQLKit

/// The store's part of a reviewer's reversal: the window's facts for the domain, the partner's email and the
/// `earning.reversed` webhook event, each in the transaction of the reversal. The money itself moves in
/// `EarningsLedger.reverse`.
enum Reversals {
    /// The approval's time (its earning's, or the history's approval row for a claim without one) and the program's window.
    static func window(of claim: Claim, on sql: any SQLDatabase) async throws -> ReversalWindow? {
        let earned = try await sql.raw("""
            SELECT approved_at FROM earnings WHERE claim_id = \(bind: claim.id) AND kind = 'earning'
            """).first(decodingColumn: "approved_at", as: Date.self)
        let approval = try await sql.raw("""
            SELECT at FROM claim_history WHERE claim_id = \(bind: claim.id) AND to_status = 'approved' ORDER BY id DESC LIMIT 1
            """).first(decodingColumn: "at", as: Date.self)
        guard let approvedAt = earned ?? approval else { return nil }
        let days = try await sql.raw("""
            SELECT p.reversal_window_days AS days FROM engagements g JOIN programs p ON p.id = g.program_id
            WHERE g.id = \(bind: claim.engagementID)
            """).first(decodingColumn: "days", as: Int.self)
        return ReversalWindow(approvedAt: approvedAt, days: days ?? ReversalWindow.defaultDays)
    }

    /// An earning a reversal changed: the claim's own (reversed before any run) or the negative one written after.
    struct ChangedEarning: Decodable {
        var id: Int64
        var claimId: Int64
        var kind: String
        var reversesEarningId: Int64?
        var amountMinor: Int64
        var currency: String
        var paymentStatus: String

        var amount: Money { Money(minorUnits: amountMinor, currency: Currency(currency)) }

        /// What the partner is told the reversal did to the money.
        var effect: ReversalEffect {
            if amountMinor == 0 { return .none }
            if kind == EarningKind.reversal.rawValue { return .netted(amount) }
            return paymentStatus == PaymentStatus.reversed.rawValue ? .earningCanceled(amount) : .none
        }

        static func load(_ condition: SQLQueryString, on sql: any SQLDatabase) async throws -> ChangedEarning? {
            try await sql.raw("""
                SELECT id, claim_id, kind, reverses_earning_id, amount_minor, currency, payment_status FROM earnings
                WHERE \(condition) ORDER BY id DESC LIMIT 1
                """).first(decoding: ChangedEarning.self, with: .snakeCase)
        }
    }

    /// `earning.reversed`: the claim and the earning (or the negative earning) with the reason, to the location's partner
    /// endpoints and the vendor's. A withdrawal of consent or a disassociation after approval has no coded reason.
    static func published(earning id: Int64, by entry: ClaimHistoryEntry, on sql: any SQLDatabase) async throws {
        guard let earning = try await ChangedEarning.load("id = \(bind: id)", on: sql) else { return }
        try await ClaimEvents.publish(.earningReversed, claimID: earning.claimId, at: entry.at, on: sql) {
            Event(claim: $0, action: entry.action.rawValue, actor: .init(entry.actor), earning: .init(earning, entry: entry))
        }
    }

    /// The partner's email of a reviewer's reversal: why, and what it did to the money.
    static func notice(_ claim: Claim, entry: ClaimHistoryEntry, links: ClaimLinks, now: Date, on sql: any SQLDatabase) async throws {
        guard let reason = entry.reversalReason else { return }
        // The negative earning if one was written, else the claim's own earning.
        let effect = try await ChangedEarning.load("claim_id = \(bind: claim.id)", on: sql)?.effect ?? .none
        for email in try await ClaimRepository.partnerRecipients(ofLocation: claim.locationID, on: sql) {
            try await Outbox.enqueue(.approvalReversed(to: email, claimID: claim.id, claimName: claim.name, reason: reason,
                                                       note: entry.note, effect: effect, link: links.claim(claim.id)),
                                     now: now, on: sql)
        }
    }

    /// The payload of `earning.reversed`.
    struct Event: Encodable {
        struct Body: Encodable {
            let id: Int64
            let kind: String
            let reversesEarningID: Int64?
            let amount: ClaimJSON.Amount
            let paymentStatus: String
            let reasonCode: String?
            let note: String?

            init(_ earning: ChangedEarning, entry: ClaimHistoryEntry) {
                id = earning.id; kind = earning.kind; reversesEarningID = earning.reversesEarningId
                amount = ClaimJSON.Amount(minorUnits: earning.amountMinor, currency: Currency(earning.currency))
                paymentStatus = earning.paymentStatus; reasonCode = entry.reversalReason?.rawValue; note = entry.note
            }

            enum CodingKeys: String, CodingKey {
                case id, kind, reversesEarningID = "reverses_earning_id", amount, paymentStatus = "payment_status"
                case reasonCode = "reason_code", note
            }

            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(id, forKey: .id)
                try c.encode(kind, forKey: .kind)
                try c.encode(reversesEarningID, forKey: .reversesEarningID)
                try c.encode(amount, forKey: .amount)
                try c.encode(paymentStatus, forKey: .paymentStatus)
                try c.encode(reasonCode, forKey: .reasonCode)
                try c.encode(note, forKey: .note)
            }
        }
        let claim: ClaimJSON
        let action: String
        let actor: ClaimEvents.Actor
        let earning: Body
    }
}
