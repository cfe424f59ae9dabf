import Foundation
import IncentivesDomain
import Logging
import SQLKit

/// The deadline sweep: expiries decided one claim at a time by the domain, written a batch at a time with a few
/// set-based statements (the claims' update, their history, their webhook events and their emails), so that a
/// backlog of a hundred thousand claims takes seconds rather than minutes.
extension ClaimRepository {
    /// Expires every claim whose deadline passed at `now`, in batches of short transactions; with `links`,
    /// each expiry writes its email to the partner in the same transaction as its history row.
    /// Idempotent: an expired claim has no expiring clock left. Returns how many went to each status.
    /// Safe beside the sweeps of other instances on one PostgreSQL: each batch takes claims no other holds (SKIP
    /// LOCKED) and the count rows it changes in key order. A claim changed since the batch read it is not expired
    /// from the stale version, and one that fails for another reason than a refusal (a broken recipient, say) is
    /// logged and passed over, so it cannot hold up every claim behind it.
    /// - Parameter progress: the claims looked at so far, after each batch (of `dueCount` at the start).
    public func expireDue(at now: Date, links: ClaimLinks? = nil, batchSize: Int = 2_000,
                          progress: (@Sendable (Int) -> Void)? = nil) async throws -> [ClaimStatus: Int] {
        try await expireDue(at: now, links: links, batchSize: batchSize, oneByOne: false, progress: progress)
    }

    /// `oneByOne`: every claim written by itself, in a savepoint of its own (what a batch falls back to when its bulk
    /// write fails; tests compare the two).
    func expireDue(at now: Date, links: ClaimLinks?, batchSize: Int, oneByOne: Bool,
                   progress: (@Sendable (Int) -> Void)? = nil) async throws -> [ClaimStatus: Int] {
        var counts: [ClaimStatus: Int] = [:]
        var seen = 0
        // Walks the due set forward by (expires_at, id), so a claim passed over is not picked again in this sweep.
        var after: (expires: Date, id: Int64)? = nil
        while true {
            let from = after
            let (batch, last, picked) = try await db.write { sql -> ([ClaimStatus: Int], (expires: Date, id: Int64)?, Int) in
                let due = try await Self.dueBatch(at: now, after: from, limit: batchSize, on: sql, flavor: db.flavor)
                var contexts = ContextCache()
                var expiries: [Expiry] = []
                expiries.reserveCapacity(due.count)
                for row in due {
                    let context = try await contexts.context(for: row.claim, on: sql)
                    expiries.append(Expiry(claim: row.claim, area: row.area, inArbitration: row.inArbitration, context: context, at: now))
                }
                try await ClaimCountLocks.lock(Set(expiries.flatMap(\.countKeys)), on: sql, flavor: db.flavor)
                // And the deadline and expiry cells (migration 27) the batch will leave, in the same key order as a
                // single claim's triggers take them.
                try await ClaimCellLocks.lock(claims: due.map(\.claim.id), on: sql, flavor: db.flavor)
                let batch = oneByOne
                    ? try await Self.expireOneByOne(expiries, links: links, now: now, on: sql, logger: db.logger)
                    : try await Self.expireBatch(expiries, links: links, now: now, on: sql, flavor: db.flavor, logger: db.logger)
                return (batch, due.last.map { (expires: $0.expiresAt, id: $0.claim.id) }, due.count)
            }
            counts.merge(batch, uniquingKeysWith: +)
            seen += picked
            progress?(seen)
            if picked < batchSize { return counts }
            after = last
        }
    }

    /// A claim the sweep found due: the claim, its key in the walk, its count row's solution area, and whether it
    /// was flagged for an arbitration.
    struct DueClaim {
        var claim: Claim
        var expiresAt: Date
        var area: Int64
        var inArbitration: Bool
    }

    /// Up to `limit` claims due at `now` past `after` in (expires_at, id) order, read whole in one statement; on
    /// PostgreSQL locked, skipping those another transaction holds.
    static func dueBatch(at now: Date, after: (expires: Date, id: Int64)?, limit: Int, on sql: any SQLDatabase,
                         flavor: SQLFlavor) async throws -> [DueClaim] {
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let past: SQLQueryString = after.map {
            "AND (expires_at > \(bind: $0.expires) OR (expires_at = \(bind: $0.expires) AND id > \(bind: $0.id)))"
        } ?? ""
        return try await sql.raw("""
            SELECT \(unsafeRaw: ClaimRow.columns), expires_at, solution_area_id, arbitration FROM claims
            WHERE expires_at IS NOT NULL AND expires_at <= \(bind: now) \(past)
            ORDER BY expires_at, id LIMIT \(bind: limit)\(lock)
            """).all().map { row in
                DueClaim(claim: try row.decoded(ClaimRow.self).claim(), expiresAt: try row.decode(column: "expires_at", as: Date.self),
                         area: try row.decode(column: "solution_area_id", as: Int64.self),
                         inArbitration: try row.decode(column: "arbitration", as: String?.self) != nil)
            }
    }

    /// One due claim and what the domain decided for it: the expiry, or nil when it refused (a stale stored clock).
    struct Expiry {
        let claim: Claim
        let area: Int64
        let inArbitration: Bool
        let context: ClaimContext
        let transition: ClaimTransition?

        init(claim: Claim, area: Int64, inArbitration: Bool, context: ClaimContext, at now: Date) {
            self.claim = claim; self.area = area; self.inArbitration = inArbitration; self.context = context
            transition = try? ClaimLifecycle.perform(ClaimCommand(.expire, by: .clock), on: claim, context: context, at: now)
        }

        /// The count rows the expiry moves the claim between.
        var countKeys: [ClaimCountLocks.Key] {
            guard let moved = transition?.claim else { return [] }
            let from = ClaimCountLocks.Key(organization: claim.organizationID, location: claim.locationID, engagement: claim.engagementID,
                                           area: area, kind: claim.kind.rawValue, status: claim.status.rawValue)
            var to = from
            to.status = moved.status.rawValue
            return [from, to]
        }
    }

    /// A batch in bulk, in a savepoint; should the bulk write fail, the batch is written again claim by claim, so the
    /// claim at fault is passed over alone.
    static func expireBatch(_ expiries: [Expiry], links: ClaimLinks?, now: Date, on sql: any SQLDatabase, flavor: SQLFlavor,
                            logger: Logger) async throws -> [ClaimStatus: Int] {
        try await sql.raw("SAVEPOINT expiries").run()
        do {
            let written = try await expireInBulk(expiries, links: links, now: now, on: sql, flavor: flavor, logger: logger)
            try await sql.raw("RELEASE SAVEPOINT expiries").run()
            var counts: [ClaimStatus: Int] = [:]
            for transition in written {
                counts[transition.claim.status, default: 0] += 1
                CommitNotes.transition(transition.entry)
            }
            return counts
        } catch {
            try await sql.raw("ROLLBACK TO SAVEPOINT expiries").run()
            try await sql.raw("RELEASE SAVEPOINT expiries").run()
            let reason = Database.translated(error, file: #fileID, function: #function)
            logger.warning("A batch of \(expiries.count) expiries is written claim by claim: \(reason)")
            return try await expireOneByOne(expiries, links: links, now: now, on: sql, logger: logger)
        }
    }

    /// Writes a batch's expiries with a few statements, exactly as `expireOneByOne` would one at a time: refused claims
    /// get their true clock; a claim whose partner recipients include an address that cannot be written to, or that
    /// changed since it was read (its version), is logged and passed over. Returns the expiries written.
    static func expireInBulk(_ expiries: [Expiry], links: ClaimLinks?, now: Date, on sql: any SQLDatabase, flavor: SQLFlavor,
                             logger: Logger) async throws -> [ClaimTransition] {
        for refused in expiries where refused.transition == nil {
            try await storeClock(of: refused.claim, context: refused.context, on: sql)
        }
        var moving = expiries.filter { $0.transition != nil }
        var mail: [Int64: [MailMessage]] = [:]
        if let links {
            let recipients = try await partnerRecipients(ofLocations: Set(moving.map(\.claim.locationID)), on: sql)
            moving = moving.filter { expiry in
                let claim = expiry.transition!.claim
                let messages = expiryMail(claim, to: recipients[claim.locationID] ?? [], links: links)
                if let refusal = messages.lazy.compactMap(Outbox.refusal(of:)).first {
                    logger.error("Claim \(claim.id) was not expired and is passed over in this sweep: \(refusal)")
                    return false
                }
                mail[claim.id] = messages
                return true
            }
        }
        let updated = try await updateInBulk(moving.map { ($0.transition!.claim, $0.claim, $0.context) }, on: sql, flavor: flavor)
        var written: [Expiry] = []
        for expiry in moving {
            if updated.contains(expiry.claim.id) {
                written.append(expiry)
            } else {
                logger.error("Claim \(expiry.claim.id) was not expired and is passed over in this sweep: it changed since the sweep read it.")
            }
        }
        // In the batch's order, as one by one: leaving an arbitration may end the arbitration of the claim next to it.
        for expiry in written where expiry.inArbitration && !ClaimLifecycle.isArbitrable(expiry.transition!.claim) {
            try await ReviewDesk.leaveArbitration(expiry.transition!.claim, on: sql)
        }
        try await ClaimWriter.insertHistory(written.map(\.transition!.entry), on: sql)
        try await Outbox.enqueue(written.flatMap { mail[$0.claim.id] ?? [] }, now: now, on: sql)
        return written.map(\.transition!)
    }

    /// The claims' new states, each only where its version is still `before`'s: one `UPDATE ... FROM` a list of
    /// values per chunk, firing the claims' triggers row by row as single updates do. It writes the columns that any
    /// claim of the batch changed (`savedColumns`), so an expiry moves no amount or consent index. Returns the ids updated.
    static func updateInBulk(_ claims: [(claim: Claim, before: Claim, context: ClaimContext)],
                             on sql: any SQLDatabase, flavor: SQLFlavor) async throws -> Set<Int64> {
        // Each claim's columns once: its open clock is worked out on the working calendar.
        let saved = claims.map { (id: $0.claim.id, version: $0.before.version,
                                  columns: savedColumns(of: $0.claim, since: $0.before, context: $0.context)) }
        guard let sample = saved.first else { return [] }
        let changed = Set(saved.flatMap { $0.columns.filter(\.changed).map(\.name) })
        let columns = sample.columns.filter { changed.contains($0.name) }
        let postgres = flavor == .postgres
        var updated: Set<Int64> = []
        for chunk in saved.chunked(columns: columns.count + 2) {
            var rows: [SQLQueryString] = []
            for claim in chunk {
                let values: [any Encodable & Sendable] = [claim.id, claim.version]
                    + claim.columns.filter { changed.contains($0.name) }.map(\.value)
                rows.append("(\(binds: values))")
            }
            // PostgreSQL types a list of values from its first non-null entries: each is cast to its column's type.
            let set = columns.map { c in
                postgres ? "\(c.name) = CAST(v.\(c.name) AS \(c.type))" : "\(c.name) = v.\(c.name)"
            }.joined(separator: ", ")
            let ids = try await sql.raw("""
                WITH v (claim_id, previous_version, \(unsafeRaw: columns.map(\.name).joined(separator: ", ")))
                  AS (VALUES \(rows.joined(separator: ", ")))
                UPDATE claims SET \(unsafeRaw: set) FROM v
                WHERE claims.id = \(unsafeRaw: postgres ? "CAST(v.claim_id AS BIGINT)" : "v.claim_id")
                  AND claims.version = \(unsafeRaw: postgres ? "CAST(v.previous_version AS BIGINT)" : "v.previous_version")
                RETURNING claims.id
                """).all(decodingColumn: "id", as: Int64.self)
            updated.formUnion(ids)
        }
        return updated
    }

    /// A batch claim by claim, each in a savepoint of its own.
    static func expireOneByOne(_ expiries: [Expiry], links: ClaimLinks?, now: Date, on sql: any SQLDatabase,
                               logger: Logger) async throws -> [ClaimStatus: Int] {
        var counts: [ClaimStatus: Int] = [:]
        for expiry in expiries {
            try await sql.raw("SAVEPOINT expiry").run()
            do {
                if let transition = expiry.transition {
                    try await save(transition, from: expiry.claim, context: expiry.context, on: sql)
                    if let links { try await expiryMail(transition.claim, links: links, now: now, on: sql) }
                    counts[transition.claim.status, default: 0] += 1
                } else {
                    // The domain refused: the stored clock was stale (e.g. deadlines edited). Store the true
                    // one so the claim leaves this scan instead of being picked again.
                    try await storeClock(of: expiry.claim, context: expiry.context, on: sql)
                }
                try await sql.raw("RELEASE SAVEPOINT expiry").run()
                if let transition = expiry.transition { CommitNotes.transition(transition.entry) }
            } catch {
                try await sql.raw("ROLLBACK TO SAVEPOINT expiry").run()
                try await sql.raw("RELEASE SAVEPOINT expiry").run()
                let reason = Database.translated(error, file: #fileID, function: #function)
                logger.error("Claim \(expiry.claim.id) was not expired and is passed over in this sweep: \(reason)")
            }
        }
        return counts
    }
}
