import Foundation
import IncentivesDomain
import SQLKit

/// Inserts claims and what hangs off them; shared by `create` and the seeders so that a seeded
/// claim is stored exactly like a real one.
enum ClaimWriter {
    static let claimColumns = [
        "organization_id", "location_id", "engagement_id", "engagement_version", "solution_area_id", "customer_id",
        "name", "kind", "status", "is_dispute_round", "created_at", "updated_at", "consent_at", "first_submitted_at",
        "rejected_at", "action_requested_at", "hours", "amount_minor", "currency", "due_at", "due_kind", "expires_at",
        "version",
    ]

    static func claimValues(_ claim: Claim, clock: OpenClock?, solutionAreaID: Int64) -> [any StoredValue] {
        let live = claim.status.isTerminal ? nil : clock
        return [
            claim.organizationID, claim.locationID, claim.engagementID, claim.engagementVersion, solutionAreaID, claim.customerID,
            claim.name, claim.kind.rawValue, claim.status.rawValue, claim.isDisputeRound, claim.createdAt, claim.updatedAt,
            claim.consentAt, claim.firstSubmittedAt, claim.rejectedAt, claim.actionRequestedAt, claim.hours.map { "\($0)" },
            claim.amount?.minorUnits, claim.amount?.currency.code ?? "USD",
            live?.dueAt, live?.kind.rawValue, live?.expiry == nil ? nil : live?.dueAt, claim.version,
        ]
    }

    /// One claim; the database assigns its id.
    static func insert(_ claim: Claim, clock: OpenClock?, solutionAreaID: Int64, on sql: any SQLDatabase) async throws -> Int64 {
        let id = try await sql.insert(into: "claims").columns(claimColumns)
            .values(claimValues(claim, clock: clock, solutionAreaID: solutionAreaID).map { SQLBind($0) })
            .returning("id").first(decodingColumn: "id", as: Int64.self)
        guard let id else {
            throw StoreError.invalid(field: "claim", "The database did not return the new claim's id.")
        }
        return id
    }

    /// Many whole claims at once with ids given by the caller (seeding): multi-row inserts, so a
    /// million claims take seconds rather than hours.
    static func insertRecords(_ records: [(ClaimRecord, solutionAreaID: Int64)], on sql: any SQLDatabase) async throws {
        guard !records.isEmpty else { return }
        for chunk in records.chunked(columns: claimColumns.count + 1) {
            var insert = InsertRows("claims", ["id"] + claimColumns, rows: chunk.count)
            for (record, area) in chunk {
                insert.values.append(record.claim.id)
                insert.values += claimValues(record.claim, clock: record.clock, solutionAreaID: area)
            }
            try await insert.run(on: sql)
        }
        var contacts: [(Int64, Int, Contact)] = []
        for (record, _) in records {
            for (i, contact) in record.contacts.enumerated() { contacts.append((record.claim.id, i, contact)) }
        }
        try await insertContactRows(contacts, on: sql)
        // Seeded claims are history already, not news: no webhook events.
        try await insertHistory(records.flatMap { $0.0.history }, on: sql, events: false)
        try await insertProof(records.flatMap { r in r.0.proof.map { (r.0.claim.id, $0) } }, on: sql)
        try await insertEarnings(records.compactMap { $0.0.earning }, on: sql, at: nil)
    }

    static func insertContacts(_ contacts: [Contact], claimID: Int64, on sql: any SQLDatabase) async throws {
        try await insertContactRows(contacts.enumerated().map { (claimID, $0.offset, $0.element) }, on: sql)
    }

    private static func insertContactRows(_ rows: [(Int64, Int, Contact)], on sql: any SQLDatabase) async throws {
        for chunk in rows.chunked(columns: 5) {
            var insert = InsertRows("claim_contacts", ["claim_id", "position", "name", "title", "email"], rows: chunk.count)
            for (claimID, position, contact) in chunk {
                insert.values += [claimID, position, contact.name, contact.title, contact.email] as [any StoredValue]
            }
            try await insert.run(on: sql)
        }
    }

    /// History rows; with `events`, the webhook events they cause (created, status changed) in the same transaction.
    static func insertHistory(_ entries: [ClaimHistoryEntry], on sql: any SQLDatabase, events: Bool = true) async throws {
        if events { try await ClaimEvents.history(entries, on: sql) }
        for chunk in entries.chunked(columns: 12) {
            var insert = InsertRows("claim_history", ["claim_id", "at", "action", "actor_role", "actor_user_id", "actor_name", "side",
                                                      "from_status", "to_status", "note", "reason_code", "address"], rows: chunk.count)
            for e in chunk {
                insert.values += [e.claimID, e.at, e.action.rawValue, e.actor.role.rawValue, e.actor.userID, e.actor.name, e.side.rawValue,
                                  e.from?.rawValue, e.to.rawValue, e.note, e.codedReason, e.address] as [any StoredValue]
            }
            try await insert.run(on: sql)
        }
    }

    static func insertProof(_ rows: [(Int64, ProofRecord)], on sql: any SQLDatabase) async throws {
        for chunk in rows.chunked(columns: 7) {
            var insert = InsertRows("claim_proof", ["claim_id", "kind", "file_name", "content_hash", "size_bytes", "added_by", "added_at"],
                                    rows: chunk.count)
            for (claimID, p) in chunk {
                insert.values += [claimID, p.kind.rawValue, p.fileName, p.contentHash, p.sizeBytes, p.addedBy, p.addedAt]
                    as [any StoredValue]
            }
            try await insert.run(on: sql)
        }
    }

    /// Earnings, each with its `earned` ledger line; `now` is the moment of a live approval (nil when seeding),
    /// which also writes `earning.created`.
    static func insertEarnings(_ earnings: [Earning], on sql: any SQLDatabase, at now: Date?,
                               by mover: EarningsLedger.Mover = .init(userID: nil, name: "Reviewer")) async throws {
        if let now { for earning in earnings { try await ClaimEvents.earning(earning, at: now, on: sql) } }
        for chunk in earnings.chunked(columns: 13) {
        var insert = InsertRows("earnings", ["claim_id", "location_id", "engagement_id", "engagement_version", "market", "rate_minor",
                                             "hours", "amount_minor", "currency", "approved_at", "payment_month", "payment_status",
                                             "updated_at"], rows: chunk.count)
        for e in chunk {
            insert.values += [e.claimID, e.locationID, e.engagementID, e.engagementVersion, e.market.rawValue, e.rate.minorUnits,
                              e.hours.map { "\($0)" }, e.amount.minorUnits, e.amount.currency.code, e.approvedAt, e.estimatedPaymentMonth,
                              e.paymentStatus.rawValue, now ?? e.approvedAt] as [any StoredValue]
        }
        try await insert.run(on: sql)
        // The ledger's line, at the approval; an earning of a claim is the one of kind 'earning'.
        var ids = SQLQueryString("")
        for (i, e) in chunk.enumerated() { ids.appendLiteral(i == 0 ? "" : ", "); ids.appendInterpolation(bind: e.claimID) }
        try await sql.raw("""
            INSERT INTO earning_ledger (at, kind, earning_id, claim_id, location_id, engagement_id, currency, amount_minor,
              run_id, actor_user_id, actor_name, note)
            SELECT e.approved_at, 'earned', e.id, e.claim_id, e.location_id, e.engagement_id, e.currency, e.amount_minor,
              NULL, \(bind: mover.userID), \(bind: mover.name), NULL
            FROM earnings e WHERE e.kind = 'earning' AND e.claim_id IN (\(ids)) ORDER BY e.id
            """).run()
        // A seeded claim may have been reversed before any run: its earning was owed, then taken back.
        try await sql.raw("""
            INSERT INTO earning_ledger (at, kind, earning_id, claim_id, location_id, engagement_id, currency, amount_minor,
              run_id, actor_user_id, actor_name, note)
            SELECT e.updated_at, 'reversed', e.id, e.claim_id, e.location_id, e.engagement_id, e.currency, e.amount_minor,
              NULL, NULL, 'Program', NULL
            FROM earnings e WHERE e.kind = 'earning' AND e.payment_status = 'reversed' AND e.claim_id IN (\(ids)) ORDER BY e.id
            """).run()
        }
    }
}
