import Foundation
import IncentivesDomain
import SQLKit

/// The customer criteria of a claim's pinned version in review: the facts the program checks are decided from, and the
/// reviewer's confirmations stored with an approval (migration 23).
enum ClaimChecklist {
    /// The facts about the claim's customer on its engagement, the claim itself left out (it is the one under review).
    static func facts(of claim: Claim, customer: Customer, role: PartnerRole, contacts: [Contact], at now: Date,
                      on sql: any SQLDatabase) async throws -> CriterionFacts {
        let active = ClaimStatus.allCases.filter(\.isActive).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let others = try await sql.raw("""
            SELECT COUNT(*) AS n FROM claims
            WHERE customer_id = \(bind: claim.customerID) AND engagement_id = \(bind: claim.engagementID) AND id <> \(bind: claim.id)
              AND status IN (\(unsafeRaw: active))
            """).first(decodingColumn: "n", as: Int.self) ?? 0
        // The approval's own earning (a reversal's negative line has the claim's id too): what the partial unique
        // index on earnings.claim_id holds, so the join reads it instead of every earning.
        let approvals = try await sql.raw("""
            SELECT ea.approved_at FROM claims k JOIN earnings ea ON ea.claim_id = k.id AND ea.kind = 'earning'
            WHERE k.customer_id = \(bind: claim.customerID) AND k.engagement_id = \(bind: claim.engagementID) AND k.id <> \(bind: claim.id)
              AND k.status = \(bind: ClaimStatus.approved.rawValue)
            """).all(decodingColumn: "approved_at", as: Date.self)
        return CriterionFacts(customer: customer, role: role, otherActiveClaims: others, lastApproval: approvals.max(),
                              contactEmails: contacts.map(\.email), now: now)
    }

    /// The customer criteria of the version the claim is pinned to.
    static func criteria(of claim: Claim, on sql: any SQLDatabase) async throws -> [CustomerCriterion] {
        guard let text = try await sql.raw("""
            SELECT customer_criteria FROM engagement_versions
            WHERE engagement_id = \(bind: claim.engagementID) AND number = \(bind: claim.engagementVersion)
            """).first(decodingColumn: "customer_criteria", as: String.self) else {
            throw StoreError.corrupt("Claim \(claim.id) is pinned to a missing engagement version.")
        }
        return try JSONDecoder().decode([CustomerCriterion].self, from: Data(text.utf8))
    }

    /// Stores the confirmed items (positions from 1) with their words, in the approval's transaction.
    static func record(_ positions: [Int], of criteria: [CustomerCriterion], claimID: Int64, by actor: Actor, at now: Date,
                       on sql: any SQLDatabase) async throws {
        for position in positions where criteria.indices.contains(position - 1) {
            try await sql.raw("""
                INSERT INTO claim_criteria_confirmations (claim_id, position, text, confirmed_by, confirmed_by_name, confirmed_at)
                VALUES (\(bind: claimID), \(bind: position), \(bind: criteria[position - 1].text), \(bind: actor.userID),
                        \(bind: actor.name), \(bind: now))
                """).run()
        }
    }

    /// The confirmations stored with the claim's approval, by position.
    static func confirmations(of claimID: Int64, on sql: any SQLDatabase) async throws -> [CriterionConfirmation] {
        try await sql.raw("""
            SELECT position, text, confirmed_by_name, confirmed_at FROM claim_criteria_confirmations
            WHERE claim_id = \(bind: claimID) ORDER BY position, id
            """).all(decoding: ConfirmationRow.self, with: .snakeCase).map {
            CriterionConfirmation(position: $0.position, text: $0.text, byName: $0.confirmedByName, at: $0.confirmedAt)
        }
    }

    private struct ConfirmationRow: Decodable {
        var position: Int
        var text: String
        var confirmedByName: String
        var confirmedAt: Date
    }
}
