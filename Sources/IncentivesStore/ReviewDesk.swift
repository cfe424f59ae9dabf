import Foundation
import IncentivesDomain
import SQLKit

/// What the review queue shows: one kind, engagement or partner, dispute rounds or competing claims only.
public struct ReviewFilter: Sendable, Hashable {
    public var status: ClaimStatus?
    public var kind: ClaimKind?
    public var engagementID: Int64?
    public var organizationID: Int64?
    public var disputesOnly = false
    public var competingOnly = false

    public init() {}

    /// The statuses a reviewer acts on (a Disputed claim is still with the partner until they submit the dispute).
    public static let statuses: [ClaimStatus] = [.submitted, .underReview]
}

/// A claim in the review queue, with what a bulk action needs.
public struct ReviewItem: Sendable, Hashable {
    public var summary: ClaimSummary
    public var version: Int
    public var isDisputeRound: Bool
    public var arbitrationPending: Bool
}

/// The outcome of one claim of a bulk action.
public struct BulkOutcome: Sendable, Hashable {
    public var claimID: Int64
    public var claimName: String
    /// Nil when the action was taken; otherwise why not, in words.
    public var refusal: String?
}

/// The vendor's review desk: the queue (oldest first), bulk actions decided claim by claim, and the
/// arbitration of competing use-or-consume claims.
public struct ReviewDesk: Sendable {
    public let db: Database
    public let links: ClaimLinks

    public init(db: Database, links: ClaimLinks) { self.db = db; self.links = links }

    static func condition(_ filter: ReviewFilter) -> SQLQueryString {
        let statuses = (filter.status.map { [$0] } ?? ReviewFilter.statuses).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        var where_: SQLQueryString = filter.competingOnly
            ? "c.arbitration = 'pending'"
            : "(c.status IN (\(unsafeRaw: statuses)) OR c.arbitration = 'pending')"
        if filter.competingOnly, let status = filter.status { where_.appendInterpolation(" AND c.status = \(bind: status.rawValue)" as SQLQueryString) }
        where_.appendInterpolation(columnFilters(filter, alias: "c"))
        if filter.disputesOnly { where_.appendInterpolation(" AND c.is_dispute_round = \(bind: true)" as SQLQueryString) }
        return where_
    }

    /// The filters on columns that `claims` and `claim_counts` share, each with a leading AND.
    static func columnFilters(_ filter: ReviewFilter, alias: String) -> SQLQueryString {
        var where_: SQLQueryString = ""
        if let kind = filter.kind { where_.appendInterpolation(" AND \(ident: alias).kind = \(bind: kind.rawValue)" as SQLQueryString) }
        if let id = filter.engagementID { where_.appendInterpolation(" AND \(ident: alias).engagement_id = \(bind: id)" as SQLQueryString) }
        if let id = filter.organizationID { where_.appendInterpolation(" AND \(ident: alias).organization_id = \(bind: id)" as SQLQueryString) }
        return where_
    }

    /// How many claims the queue holds. The reviewers' statuses are added up from `claim_counts` (kept by triggers), and
    /// only the claims waiting for an arbitration in another status are read, through their own index; dispute rounds
    /// or competing claims alone (a narrower queue that claim_counts does not tell apart) are counted one by one.
    static func count(_ filter: ReviewFilter, on sql: any SQLDatabase) async throws -> Int {
        if filter.disputesOnly || filter.competingOnly {
            return try await sql.raw("SELECT COUNT(*) AS n FROM claims c WHERE \(condition(filter))").first(decodingColumn: "n", as: Int.self) ?? 0
        }
        let statuses = (filter.status.map { [$0] } ?? ReviewFilter.statuses).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let (kept, claims) = (columnFilters(filter, alias: "k"), columnFilters(filter, alias: "c"))
        return try await sql.raw("""
            SELECT CAST((SELECT COALESCE(SUM(k.n), 0) FROM claim_counts k WHERE k.status IN (\(unsafeRaw: statuses))\(kept))
              + (SELECT COUNT(*) FROM claims c WHERE c.arbitration = 'pending' AND c.status NOT IN (\(unsafeRaw: statuses))\(claims))
              AS BIGINT) AS n
            """).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// The queue, oldest change first, and how many claims it holds in all.
    public func queue(_ filter: ReviewFilter, limit: Int = 100) async throws -> (items: [ReviewItem], total: Int) {
        try await db.read { sql in
            let condition = Self.condition(filter)
            let summaries = try await ClaimListing.summaries(where: condition, orderBy: "c.updated_at, c.id", limit: limit, on: sql)
            let total = try await Self.count(filter, on: sql)
            guard !summaries.isEmpty else { return ([], total) }
            var facts: [Int64: (Int, Bool, Bool)] = [:]
            // Bound, not written in: the statement is the same whichever claims the page holds.
            let ids: [any Encodable & Sendable] = summaries.map(\.id)
            for row in try await sql.raw("SELECT id, version, is_dispute_round, arbitration FROM claims WHERE id IN (\(binds: ids))")
                .all(decoding: QueueFactsRow.self, with: .snakeCase) {
                facts[row.id] = (row.version, row.isDisputeRound, row.arbitration == "pending")
            }
            return (summaries.map { s in
                let f = facts[s.id] ?? (0, false, false)
                return ReviewItem(summary: s, version: f.0, isDisputeRound: f.1, arbitrationPending: f.2)
            }, total)
        }
    }

    /// One action on many claims, each decided on its own (its own version, status and rules) in its own
    /// transaction: one refusal stops nothing else.
    public func bulk(_ request: ClaimActionRequest, on claims: [(id: Int64, version: Int)], by viewer: Viewer,
                     at now: Date) async throws -> [BulkOutcome] {
        let actions = ClaimActions(db: db, links: links)
        var outcomes: [BulkOutcome] = []
        for (id, version) in claims {
            let name = try await db.read {
                try await $0.raw("SELECT name FROM claims WHERE id = \(bind: id)").first(decodingColumn: "name", as: String.self)
            }
            guard let name else { outcomes.append(BulkOutcome(claimID: id, claimName: "#\(id)", refusal: "No such claim.")); continue }
            do {
                try await actions.run(request, on: id, expectedVersion: version, by: viewer, at: now)
                outcomes.append(BulkOutcome(claimID: id, claimName: name, refusal: nil))
            } catch is ChecklistRefusal {
                outcomes.append(BulkOutcome(claimID: id, claimName: name, refusal: ChecklistRefusal.bulk.description))
            } catch let refusal as any DomainRefusal {
                outcomes.append(BulkOutcome(claimID: id, claimName: name, refusal: refusal.description))
            } catch StoreError.conflict {
                outcomes.append(BulkOutcome(claimID: id, claimName: name, refusal: "It changed since the queue was shown; reload to see it."))
            }
        }
        return outcomes
    }

    /// The claims competing with a claim for one subscription on one engagement (itself included), oldest first.
    public func competing(with claimID: Int64) async throws -> [Int64] {
        try await db.read { sql in
            try await sql.raw("""
                SELECT o.id FROM claims c JOIN claims o ON o.customer_id = c.customer_id AND o.engagement_id = c.engagement_id
                WHERE c.id = \(bind: claimID) AND c.arbitration = 'pending' AND o.arbitration = 'pending'
                ORDER BY o.created_at, o.id
                """).all(decodingColumn: "id", as: Int64.self)
        }
    }

    /// Decides an arbitration: `winner` stays the partner of record; every other competing claim becomes
    /// Rejected final with a note that names no partner, and its partner hears of it. A flagged claim that
    /// left the competition (canceled, expired, decided) takes no part. Returns the claims that lost.
    @discardableResult
    public func arbitrate(winner: Int64, by actor: Actor, at now: Date) async throws -> [Int64] {
        try await db.write { sql in
            let flagged = try await sql.raw("""
                SELECT o.id FROM claims c JOIN claims o ON o.customer_id = c.customer_id AND o.engagement_id = c.engagement_id
                WHERE c.id = \(bind: winner) AND c.arbitration = 'pending' AND o.arbitration = 'pending' ORDER BY o.id
                """).all(decodingColumn: "id", as: Int64.self)
            var group: [Int64] = []
            for id in flagged {
                if let claim = try await ClaimRepository.load(id, in: .vendor, on: sql, lock: true, flavor: db.flavor),
                   ClaimLifecycle.isArbitrable(claim) { group.append(id) }
            }
            guard group.contains(winner), group.count >= 2 else {
                throw ClaimRefusal.cannotClaim("This claim has no competing claim waiting for arbitration any more; nothing was changed.")
            }
            var losers: [Int64] = []
            for id in group where id != winner {
                try await ClaimRepository.perform(
                    ClaimCommand(.loseArbitration, by: actor, reason: ClaimLifecycle.arbitrationLostNote),
                    on: id, expectedVersion: nil, in: .vendor, at: now, links: links, on: sql, flavor: db.flavor)
                losers.append(id)
            }
            for id in flagged { try await sql.raw("UPDATE claims SET arbitration = NULL WHERE id = \(bind: id)").run() }
            return losers
        }
    }

    /// Whether a claim waits for an arbitration now.
    static func isInArbitration(_ id: Int64, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT arbitration FROM claims WHERE id = \(bind: id)").first(decodingColumn: "arbitration", as: String?.self) == "pending"
    }

    /// A claim that can no longer lose an arbitration leaves it; a competitor left alone waits for nothing any more.
    static func leaveArbitration(_ claim: Claim, on sql: any SQLDatabase) async throws {
        let left = try await sql.raw("""
            UPDATE claims SET arbitration = NULL WHERE id = \(bind: claim.id) AND arbitration IS NOT NULL RETURNING id
            """).all()
        guard !left.isEmpty else { return }
        let rest = try await sql.raw("""
            SELECT id FROM claims
            WHERE customer_id = \(bind: claim.customerID) AND engagement_id = \(bind: claim.engagementID) AND arbitration = 'pending'
            """).all(decodingColumn: "id", as: Int64.self)
        if rest.count == 1 {
            try await sql.raw("UPDATE claims SET arbitration = NULL WHERE id = \(bind: rest[0])").run()
        }
    }

    /// What a bulk action needs of a queued claim beyond its summary.
    private struct QueueFactsRow: Decodable {
        var id: Int64
        var version: Int
        var isDisputeRound: Bool
        var arbitration: String?
    }
}
