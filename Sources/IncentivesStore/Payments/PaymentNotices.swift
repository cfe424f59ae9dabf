import Foundation
import IncentivesDomain
import SQLKit

extension ClaimLinks {
    /// Where a partner updates a bank profile after a failed payment.
    public var payeeProfiles: String { "\(base)/payee-profiles" }
}

/// What partners hear of payments, written in the transaction of the step: emails to the location's Incentives admins,
/// and webhook events (`payment_run.sent` per payee, `earning.paid` / `earning.failed` per earning).
enum PaymentNotices {
    struct RunRef: Encodable { let id: Int64; let reference: String }
    struct LocationRef: Encodable { let id: Int64; let name: String }

    /// `payment_run.sent`: one payee of a sent run, with what it pays per currency and the remittance's address.
    struct RunSent: Encodable {
        let run: RunRef
        let location: LocationRef
        let totals: [ClaimJSON.Amount]
        let remittanceURL: String
        enum CodingKeys: String, CodingKey { case run, location, totals, remittanceURL = "remittance_url" }
    }

    /// `earning.paid` and `earning.failed`: the claim, the earning and the payment that moved it.
    struct EarningMoved: Encodable {
        struct Body: Encodable {
            let id: Int64
            let kind: String
            let amount: ClaimJSON.Amount
            let paymentStatus: String
            enum CodingKeys: String, CodingKey { case id, kind, amount, paymentStatus = "payment_status" }
        }
        struct Payment: Encodable {
            let runID: Int64
            let reference: String
            let endToEndID: String
            let reason: String?
            enum CodingKeys: String, CodingKey { case runID = "run_id", reference, endToEndID = "end_to_end_id", reason }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(runID, forKey: .runID)
                try c.encode(reference, forKey: .reference)
                try c.encode(endToEndID, forKey: .endToEndID)
                try c.encode(reason, forKey: .reason)
            }
        }
        let claim: ClaimJSON
        let earning: Body
        let payment: Payment
    }

    static func runSent(_ runID: Int64, reference: String, links: ClaimLinks, at now: Date, on sql: any SQLDatabase) async throws {
        struct Line: Decodable {
            var location_id: Int64; var organization_id: Int64; var location_name: String; var organization_name: String
            var currency: String; var amount_minor: Int64
        }
        let lines = try await sql.raw("""
            SELECT li.location_id, lo.organization_id, lo.name AS location_name, o.name AS organization_name, li.currency, li.amount_minor
            FROM payment_run_lines li JOIN locations lo ON lo.id = li.location_id JOIN organizations o ON o.id = lo.organization_id
            WHERE li.run_id = \(bind: runID) ORDER BY li.location_id, li.currency
            """).all(decoding: Line.self)
        let byLocation = Dictionary(grouping: lines, by: \.location_id)
        for locationID in byLocation.keys.sorted() {
            let group = byLocation[locationID]!
            let totals = group.map { Money(minorUnits: $0.amount_minor, currency: Currency($0.currency)) }
            let place = "\(group[0].organization_name) / \(group[0].location_name)"
            let link = links.remittance(run: runID, location: locationID)
            for email in try await InclusionRequests.admins(ofLocation: locationID, on: sql) {
                try await Outbox.enqueue(.paymentSent(to: email, reference: reference, place: place, totals: totals, link: link), now: now, on: sql)
            }
            let endpoints = try await Self.listeners(.paymentRunSent, organization: group[0].organization_id, location: locationID, on: sql)
            guard !endpoints.isEmpty else { continue }
            let data = RunSent(run: RunRef(id: runID, reference: reference), location: LocationRef(id: locationID, name: group[0].location_name),
                               totals: totals.map(ClaimJSON.Amount.init), remittanceURL: link)
            try await WebhookEvents.insert(.paymentRunSent, organizationID: group[0].organization_id, locationID: locationID, data: data,
                                           endpoints: endpoints, now: now, on: sql)
        }
    }

    /// The email to a payee's admins when the bank returned its payment.
    static func lineFailed(_ line: PaymentLineRow, reference: String, reason: String, links: ClaimLinks, at now: Date,
                           on sql: any SQLDatabase) async throws {
        struct Place: Decodable { var location_name: String; var organization_name: String }
        guard let place = try await sql.raw("""
            SELECT lo.name AS location_name, o.name AS organization_name FROM locations lo JOIN organizations o ON o.id = lo.organization_id
            WHERE lo.id = \(bind: line.location_id)
            """).first(decoding: Place.self) else { return }
        let amount = Money(minorUnits: line.amount_minor, currency: Currency(line.currency))
        for email in try await InclusionRequests.admins(ofLocation: line.location_id, on: sql) {
            try await Outbox.enqueue(.paymentFailed(to: email, reference: line.end_to_end_id, place: "\(place.organization_name) / \(place.location_name)",
                                                    amount: amount, reason: reason, link: links.payeeProfiles), now: now, on: sql)
        }
    }

    /// One event per earning of a settled line, to the endpoints that take its location.
    static func earnings(_ ids: [Int64], _ type: WebhookEventType, line: PaymentLineRow, reference: String, reason: String?,
                         at now: Date, on sql: any SQLDatabase) async throws {
        struct Row: Decodable { var id: Int64; var claim_id: Int64; var kind: String; var amount_minor: Int64; var currency: String; var payment_status: String }
        for id in ids {
            guard let row = try await sql.raw("""
                SELECT id, claim_id, kind, amount_minor, currency, payment_status FROM earnings WHERE id = \(bind: id)
                """).first(decoding: Row.self) else { continue }
            try await ClaimEvents.publish(type, claimID: row.claim_id, at: now, on: sql) { claim in
                EarningMoved(claim: claim,
                             earning: .init(id: row.id, kind: row.kind, amount: .init(Money(minorUnits: row.amount_minor, currency: Currency(row.currency))),
                                            paymentStatus: row.payment_status),
                             payment: .init(runID: line.run_id, reference: reference, endToEndID: line.end_to_end_id, reason: reason))
            }
        }
    }

    /// Endpoints subscribed to `type` that take the location: the vendor's, and the partner's that cover it.
    static func listeners(_ type: WebhookEventType, organization: Int64, location: Int64, on sql: any SQLDatabase) async throws -> [Int64] {
        try await sql.raw("""
            SELECT e.id FROM webhook_endpoint_events t JOIN webhook_endpoints e ON e.id = t.endpoint_id
            WHERE t.event_type = \(bind: type.rawValue)
              AND (e.organization_id IS NULL OR (e.organization_id = \(bind: organization) AND EXISTS (
                SELECT 1 FROM webhook_endpoint_locations wl WHERE wl.endpoint_id = e.id AND wl.location_id = \(bind: location))))
            ORDER BY e.id
            """).all(decodingColumn: "id", as: Int64.self)
    }
}
