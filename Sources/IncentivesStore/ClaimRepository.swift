import Foundation
import IncentivesDomain
import SQLKit

/// A piece of proof of execution held by a claim (a document or an answered survey).
public struct ProofRecord: Hashable, Sendable {
    public var kind: ProofRequirement.Kind
    public var fileName: String?
    public var contentHash: String?
    public var sizeBytes: Int64?
    public var addedBy: String
    public var addedAt: Date

    public init(kind: ProofRequirement.Kind, fileName: String?, contentHash: String? = nil, sizeBytes: Int64? = nil,
                addedBy: String, addedAt: Date) {
        self.kind = kind; self.fileName = fileName; self.contentHash = contentHash; self.sizeBytes = sizeBytes
        self.addedBy = addedBy; self.addedAt = addedAt
    }
}

/// A whole claim as written at once: by `create`, or by the seeders.
public struct ClaimRecord: Sendable {
    public var claim: Claim
    public var contacts: [Contact]
    public var history: [ClaimHistoryEntry]
    public var proof: [ProofRecord]
    public var earning: Earning?
    /// The claim's open clock, stored with it so lists sort by it and the sweeper finds it by index.
    public var clock: OpenClock?

    public init(claim: Claim, contacts: [Contact], history: [ClaimHistoryEntry], proof: [ProofRecord] = [],
                earning: Earning? = nil, clock: OpenClock?) {
        self.claim = claim; self.contacts = contacts; self.history = history; self.proof = proof
        self.earning = earning; self.clock = clock
    }
}

/// Claims: reads scoped to the caller, and every status change decided by the domain and saved with
/// one `UPDATE ... WHERE id AND version` plus its history row, in one transaction.
public struct ClaimRepository: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// A claim the scope may see, or nil (a foreign id looks exactly like a missing one).
    public func find(_ id: Int64, in scope: AccessScope) async throws -> Claim? {
        try await db.read { try await Self.load(id, in: scope, on: $0, lock: false, flavor: db.flavor) }
    }

    /// The append-only history of a claim, oldest first; nil when the scope may not see the claim.
    public func history(of id: Int64, in scope: AccessScope) async throws -> [ClaimHistoryEntry]? {
        try await db.read { sql in
            guard try await Self.load(id, in: scope, on: sql, lock: false, flavor: db.flavor) != nil else { return nil }
            return try await Self.historyRows(of: id, on: sql)
        }
    }

    /// Adds a customer: the domain checks the engagement and the actor, then the claim, its contacts
    /// and its first history row are written together.
    public func create(_ new: NewClaim, contacts: [Contact], by actor: Actor, in scope: AccessScope,
                       at now: Date) async throws -> Claim {
        if case .partner(let organization, let locations) = scope,
           organization != new.organizationID || !locations.contains(new.locationID) {
            throw StoreError.notFound("That location is not one you hold a role on.")
        }
        return try await db.write { sql in try await Self.create(new, contacts: contacts, by: actor, note: nil, at: now, on: sql) }
    }

    /// The claim, its contacts and its first history row (with `note`), inside the caller's transaction.
    static func create(_ new: NewClaim, contacts: [Contact], by actor: Actor, note: String?, at now: Date,
                       on sql: any SQLDatabase) async throws -> Claim {
        guard let location = try await Self.location(new.locationID, on: sql),
              location.organizationID == new.organizationID else {
            throw StoreError.notFound("No such location.")
        }
        guard try await sql.raw("SELECT id FROM customers WHERE id = \(bind: new.customerID)").first() != nil else {
            throw StoreError.notFound("No such customer.")
        }
        let engagementID = try await Self.requestedEngagement(for: new, on: sql)
        let context = try await Self.context(engagementID: engagementID, market: location.market, on: sql)
        let (claim, entry) = try ClaimLifecycle.create(new, by: actor, context: context, at: now)
        let clock = ClaimLifecycle.openClock(for: claim, policy: context.version(of: claim).deadlines, calendar: context.calendar)
        let id = try await ClaimWriter.insert(claim, clock: clock, solutionAreaID: context.engagement.solutionAreaID, on: sql)
        var stored = claim
        stored.id = id
        var first = entry
        first.claimID = id
        first.note = note
        try await ClaimWriter.insertContacts(contacts, claimID: id, on: sql)
        try await ClaimWriter.insertHistory([first], on: sql)
        CommitNotes.transition(first)
        return stored
    }

    /// Takes one action on a claim. Throws `ClaimRefusal` when the domain refuses it,
    /// `StoreError.notFound` for an id the scope can't see, and `StoreError.conflict` when someone
    /// else changed the claim first (a stale `expectedVersion`, or a lost race).
    /// With `links`, the emails the change causes (the consent request, the customer's notice, the partner's
    /// news of a decision) are written to the outbox in the same transaction.
    @discardableResult
    public func perform(_ command: ClaimCommand, on id: Int64, expectedVersion: Int? = nil, in scope: AccessScope,
                        at now: Date, links: ClaimLinks? = nil) async throws -> ClaimTransition {
        try await db.write { sql in
            try await Self.perform(command, on: id, expectedVersion: expectedVersion, in: scope, at: now, links: links,
                                   on: sql, flavor: db.flavor)
        }
    }

    static func perform(_ command: ClaimCommand, on id: Int64, expectedVersion: Int?, in scope: AccessScope,
                        at now: Date, links: ClaimLinks?, on sql: any SQLDatabase, flavor: SQLFlavor) async throws -> ClaimTransition {
        guard let claim = try await Self.load(id, in: scope, on: sql, lock: true, flavor: flavor) else {
            throw StoreError.notFound("No claim \(id).")
        }
        if let expectedVersion, expectedVersion != claim.version {
            throw StoreError.conflict("This claim changed since you opened it; reload to see its current state.")
        }
        var context = try await Self.context(for: claim, on: sql)
        if command.action == .submit {
            context.providedProof = try await Self.providedProof(of: id, on: sql)
        }
        if command.action == .loseArbitration {
            context.inArbitration = try await ReviewDesk.isInArbitration(id, on: sql)
        }
        if command.action == .reverse { context.reversal = try await Reversals.window(of: claim, on: sql) }
        if command.action == .approve {
            // Two approvals at once on PostgreSQL must not both see the total before the other's earning.
            try await TransactionLocks.earningsCap(location: claim.locationID, engagement: claim.engagementID, on: sql, flavor: flavor)
            context.earnedOnEngagement = try await Self.earned(locationID: claim.locationID,
                                                               engagementID: claim.engagementID,
                                                               currency: context.engagement.currentVersion.rates.currency, on: sql)
        }
        let transition = try ClaimLifecycle.perform(command, on: claim, context: context, at: now)
        try await Self.save(transition, from: claim, context: context, on: sql)
        if let links { try await Self.notify(transition, before: claim, context: context, links: links, now: now, on: sql) }
        CommitNotes.transition(transition.entry)
        return transition
    }

    /// How many claims a sweep at `now` will look at: those whose clock expires them by then.
    public func dueCount(at now: Date) async throws -> Int {
        try await db.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM claims WHERE expires_at IS NOT NULL AND expires_at <= \(bind: now)")
                .first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    /// The earliest deadline that has passed at `now` on a claim not expired yet, or nil: how far behind the sweeper is
    /// (`claims_expires`' first entry).
    public func oldestOverdue(at now: Date) async throws -> Date? {
        try await db.read { sql in
            try await sql.raw("""
                SELECT expires_at FROM claims WHERE expires_at IS NOT NULL AND expires_at <= \(bind: now) ORDER BY expires_at LIMIT 1
                """).first(decoding: OverdueRow.self, with: .snakeCase)?.expiresAt
        }
    }

    private struct OverdueRow: Decodable {
        var expiresAt: Date
    }

    // MARK: - Pieces run inside a transaction

    /// A `claim_history` row.
    private struct HistoryRow: Decodable {
        var claimId: Int64
        var at: Date
        var action: String
        var actorRole: String
        var actorUserId: Int64?
        var actorName: String
        var fromStatus: String?
        var toStatus: String
        var note: String?
        var reasonCode: String?
        var address: String?

        var entry: ClaimHistoryEntry {
            ClaimHistoryEntry(
                claimID: claimId, at: at, action: ClaimAction(rawValue: action) ?? .create,
                actor: Actor(role: ActorRole(rawValue: actorRole) ?? .clock, userID: actorUserId, name: actorName),
                from: fromStatus.flatMap(ClaimStatus.init(rawValue:)), to: ClaimStatus(rawValue: toStatus) ?? .customerClaimed,
                note: note, address: address).withCodedReason(reasonCode)
        }
    }

    static func historyRows(of id: Int64, on sql: any SQLDatabase) async throws -> [ClaimHistoryEntry] {
        try await sql.raw("""
            SELECT claim_id, at, action, actor_role, actor_user_id, actor_name, from_status, to_status, note, reason_code, address
            FROM claim_history WHERE claim_id = \(bind: id) ORDER BY id
            """).all(decoding: HistoryRow.self, with: .snakeCase).map(\.entry)
    }

    static func load(_ id: Int64, in scope: AccessScope, on sql: any SQLDatabase, lock: Bool, flavor: SQLFlavor) async throws -> Claim? {
        let forUpdate: SQLQueryString = lock && flavor == .postgres ? " FOR UPDATE" : ""
        return try await sql.raw("""
            SELECT \(unsafeRaw: ClaimRow.columns) FROM claims
            WHERE id = \(bind: id) AND \(scope.claimFilter())\(forUpdate)
            """).first()?.decoded(ClaimRow.self).claim()
    }

    static func location(_ id: Int64, on sql: any SQLDatabase) async throws -> Location? {
        try await sql.raw("SELECT id, organization_id, name, country FROM locations WHERE id = \(bind: id)")
            .first(decoding: LocationRow.self, with: .snakeCase)?.location
    }

    static func requestedEngagement(for new: NewClaim, on sql: any SQLDatabase) async throws -> Int64 {
        let id = new.engagementID
        guard try await sql.raw("SELECT id FROM engagements WHERE id = \(bind: id)").first() != nil else {
            throw StoreError.notFound("No such engagement.")
        }
        return id
    }

    static func context(for claim: Claim, on sql: any SQLDatabase) async throws -> ClaimContext {
        guard let location = try await location(claim.locationID, on: sql) else {
            throw StoreError.notFound("The claim's location is gone.")
        }
        return try await context(engagementID: claim.engagementID, market: location.market, on: sql)
    }

    static func context(engagementID: Int64, market: Market, on sql: any SQLDatabase) async throws -> ClaimContext {
        let catalogue = try await CatalogueCache.engagement(engagementID, on: sql)
        return ClaimContext(engagement: catalogue.engagement, market: market, calendar: catalogue.calendar)
    }

    static func providedProof(of claimID: Int64, on sql: any SQLDatabase) async throws -> Set<ProofRequirement.Kind> {
        Set(try await sql.raw("SELECT DISTINCT kind FROM claim_proof WHERE claim_id = \(bind: claimID)")
            .all(decodingColumn: "kind", as: String.self).compactMap(ProofRequirement.Kind.init(rawValue:)))
    }

    static func earned(locationID: Int64, engagementID: Int64, currency: Currency, on sql: any SQLDatabase) async throws -> Money {
        let total = try await sql.raw("""
            SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS total FROM earnings
            WHERE location_id = \(bind: locationID) AND engagement_id = \(bind: engagementID)
              AND payment_status NOT IN ('reversed', 'forfeited')
            """).first(decodingColumn: "total", as: Int64.self) ?? 0
        return Money(minorUnits: total, currency: currency)
    }

    /// Saves a transition from `before`: the conditional update, the history row and the earning change.
    static func save(_ transition: ClaimTransition, from before: Claim, context: ClaimContext,
                     on sql: any SQLDatabase) async throws {
        let claim = transition.claim
        let previousVersion = before.version
        var set: SQLQueryString = ""
        for (i, column) in savedColumns(of: claim, since: before, context: context).filter(\.changed).enumerated() {
            set.appendLiteral(i == 0 ? "" : ", ")
            set.appendInterpolation(unsafeRaw: column.name)
            set.appendLiteral(" = ")
            set.appendInterpolation(bind: column.value)
        }
        let updated = try await sql.raw("""
            UPDATE claims SET \(set) WHERE id = \(bind: claim.id) AND version = \(bind: previousVersion) RETURNING id
            """).all()
        guard updated.count == 1 else {
            throw StoreError.conflict("This claim changed since you opened it; reload to see its current state.")
        }
        if !ClaimLifecycle.isArbitrable(claim) { try await ReviewDesk.leaveArbitration(claim, on: sql) }
        try await ClaimWriter.insertHistory([transition.entry], on: sql)
        switch transition.earning {
        case .create(let earning):
            try await ClaimWriter.insertEarnings([earning], on: sql, at: claim.updatedAt, by: .init(transition.entry.actor))
        case .reverse:
            let changed = try await EarningsLedger.reverse(claimID: claim.id, by: .init(transition.entry.actor),
                                                           note: transition.entry.note, at: claim.updatedAt, on: sql)
            if let changed { try await Reversals.published(earning: changed, by: transition.entry, on: sql) }
        case nil:
            break
        }
    }

    /// A column a transition may write: its value as of the new state, its PostgreSQL type, and whether the
    /// transition changed it.
    typealias SavedColumn = (name: String, type: String, value: any Encodable & Sendable, changed: Bool)

    /// The columns a transition writes, with their values as of `claim`: the open clock is stored with the claim so
    /// lists sort by it and the sweeper finds it by index.
    /// A column is marked changed only where `claim` differs from `before` (as loaded from its row). SQLite and
    /// PostgreSQL move a column's indexes and fire its `UPDATE OF` triggers whenever it is in the SET list, even
    /// to the value it held, so only changed columns are written: an approval, not every step, moves an amount index.
    /// The clock is always written: it is derived from the policy, and a stored one may be older than it.
    static func savedColumns(of claim: Claim, since before: Claim, context: ClaimContext) -> [SavedColumn] {
        let clock = ClaimLifecycle.openClock(for: claim, policy: context.version(of: claim).deadlines, calendar: context.calendar)
        return [
            ("status", "TEXT", claim.status.rawValue, claim.status != before.status),
            ("engagement_version", "BIGINT", claim.engagementVersion, claim.engagementVersion != before.engagementVersion),
            ("is_dispute_round", "BOOLEAN", claim.isDisputeRound, claim.isDisputeRound != before.isDisputeRound),
            ("updated_at", "TIMESTAMPTZ", claim.updatedAt, claim.updatedAt != before.updatedAt),
            ("consent_at", "TIMESTAMPTZ", claim.consentAt, claim.consentAt != before.consentAt),
            ("first_submitted_at", "TIMESTAMPTZ", claim.firstSubmittedAt, claim.firstSubmittedAt != before.firstSubmittedAt),
            ("rejected_at", "TIMESTAMPTZ", claim.rejectedAt, claim.rejectedAt != before.rejectedAt),
            ("action_requested_at", "TIMESTAMPTZ", claim.actionRequestedAt, claim.actionRequestedAt != before.actionRequestedAt),
            ("hours", "TEXT", claim.hours.map { "\($0)" }, claim.hours != before.hours),
            ("amount_minor", "BIGINT", claim.amount?.minorUnits, claim.amount != before.amount),
            ("due_at", "TIMESTAMPTZ", clock?.dueAt, true), ("due_kind", "TEXT", clock?.kind.rawValue, true),
            ("expires_at", "TIMESTAMPTZ", clock?.expiry == nil ? nil : clock?.dueAt, true),
            ("version", "BIGINT", claim.version, claim.version != before.version),
        ]
    }

    static func storeClock(of claim: Claim, context: ClaimContext, on sql: any SQLDatabase) async throws {
        let clock = ClaimLifecycle.openClock(for: claim, policy: context.version(of: claim).deadlines, calendar: context.calendar)
        let live = claim.status.isTerminal ? nil : clock
        try await sql.raw("""
            UPDATE claims SET due_at = \(bind: live?.dueAt), due_kind = \(bind: live?.kind.rawValue),
              expires_at = \(bind: live?.expiry == nil ? nil : live?.dueAt)
            WHERE id = \(bind: claim.id)
            """).run()
    }
}

/// Engagements, markets and calendars met during one sweep batch, loaded once each.
struct ContextCache {
    private var engagements: [Int64: ClaimContext] = [:]
    private var markets: [Int64: Market] = [:]

    mutating func context(for claim: Claim, on sql: any SQLDatabase) async throws -> ClaimContext {
        if markets[claim.locationID] == nil {
            guard let location = try await ClaimRepository.location(claim.locationID, on: sql) else {
                throw StoreError.notFound("The claim's location is gone.")
            }
            markets[claim.locationID] = location.market
        }
        if engagements[claim.engagementID] == nil {
            engagements[claim.engagementID] = try await ClaimRepository.context(engagementID: claim.engagementID, market: .a, on: sql)
        }
        var context = engagements[claim.engagementID]!
        context.market = markets[claim.locationID]!
        return context
    }
}
