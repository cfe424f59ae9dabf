import Foundation
import IncentivesDomain
import SQLKit

/// Locks a write transaction takes on PostgreSQL before it reads what a rule decides on, held until it ends. On
/// SQLite every write already runs alone (one after another in the writer's BEGIN IMMEDIATE transaction), so these do
/// nothing.
enum TransactionLocks {
    /// The customer a new claim names, by every identity given and by its record when it has one: the per-customer
    /// limit, "consented with another partner" and use-or-consume competition are read only after it, and a new
    /// customer record is added by one transaction only. Identities come first, sorted, then the record, so two
    /// transactions never wait on each other in a circle.
    static func customer(_ customer: IntakeCustomer, record: Int64?, on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres else { return }
        var keys: [String] = []
        if case .named(_, let domain, let tenant, let subscription) = customer {
            keys += [domain.map { "customer-domain:\($0)" }, tenant.map { "customer-tenant:\($0)" },
                     subscription.map { "customer-subscription:\($0)" }].compactMap { $0 }.sorted()
        }
        for key in keys { try await advisory(key, on: sql) }
        if let record { try await customerRecord(record, on: sql, flavor: flavor) }
    }

    /// A customer's record, once it is known (taken after its identities, never before).
    static func customerRecord(_ id: Int64, on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres else { return }
        try await advisory("customer:\(id)", on: sql)
    }

    /// A location's earnings on one engagement: approvals add up to the engagement's cap one at a time.
    static func earningsCap(location: Int64, engagement: Int64, on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres else { return }
        try await advisory("earnings-cap:\(location):\(engagement)", on: sql)
    }

    /// Payment runs: one gathers at a time, so two drafts never take the same earnings or the same reference.
    static func paymentRuns(on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres else { return }
        try await advisory("payment-runs", on: sql)
    }

    /// The budgets of one program currency (the program's and its engagements'): a new claim's budget check and a
    /// budget's change run one after the other, so a claim is never let through against a budget being lowered.
    static func budget(program: Int64, currency: Currency, on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres else { return }
        try await advisory("budget:\(program):\(currency.code)", on: sql)
    }

    /// One account's sign-in attempts, then one address's (always in that order), so the throttle counts each
    /// attempt after the ones admitted before it.
    static func signIn(account: String, address: String, on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres else { return }
        try await advisory("sign-in-account:\(account)", on: sql)
        try await advisory("sign-in-address:\(address)", on: sql)
    }

    /// One webhook owner's endpoints: two adds at once must not both pass the cap.
    static func webhookEndpoints(organization: Int64?, on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres else { return }
        try await advisory("webhook-endpoints:\(organization.map(String.init) ?? "vendor")", on: sql)
    }

    /// The partner organizations' names: two organizations created or renamed at once must not both pass the
    /// case-insensitive uniqueness check.
    static func partnerNames(on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres else { return }
        try await advisory("partner-names", on: sql)
    }

    /// Every lock here is named by a string in its own namespace ("customer:", "sign-in-account:", ...), hashed to
    /// PostgreSQL's 64-bit key, so no two rules share a key by accident.
    private static func advisory(_ key: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: key), 0))").run()
    }
}

/// The `claim_counts` rows a batch of claim moves will change, taken in ascending key order before the first move
/// (the same order the trigger of migration 15 keeps for one claim), so that batches running side by side on
/// PostgreSQL (the sweepers of two instances) never deadlock on them.
enum ClaimCountLocks {
    struct Key: Hashable, Comparable {
        var organization, location, engagement, area: Int64
        var kind, status: String

        /// Numbers first, then the texts byte by byte, as PostgreSQL compares them under `COLLATE "C"`.
        static func < (a: Key, b: Key) -> Bool {
            if (a.organization, a.location, a.engagement, a.area) != (b.organization, b.location, b.engagement, b.area) {
                return (a.organization, a.location, a.engagement, a.area) < (b.organization, b.location, b.engagement, b.area)
            }
            if a.kind != b.kind { return a.kind.utf8.lexicographicallyPrecedes(b.kind.utf8) }
            return a.status.utf8.lexicographicallyPrecedes(b.status.utf8)
        }
    }

    /// Locks (creating at zero when missing) every row of `keys`, lowest key first, in one statement.
    static func lock(_ keys: Set<Key>, on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres, !keys.isEmpty else { return }
        let rows = keys.sorted().map { k in
            SQLQueryString("(\(bind: k.organization), \(bind: k.location), \(bind: k.engagement), \(bind: k.area), \(bind: k.kind), \(bind: k.status), 0)")
        }
        try await sql.raw("""
            INSERT INTO claim_counts (organization_id, location_id, engagement_id, solution_area_id, kind, status, n)
            VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (organization_id, location_id, engagement_id, solution_area_id, kind, status) DO UPDATE SET n = claim_counts.n
            """).run()
    }
}

/// The `claim_due_days` and `claim_expiry_cells` rows that a batch of claim moves will leave (migration 27), taken after its
/// claim_counts rows and in each table's key order before the first move, as the triggers take a single claim's cells,
/// so that batches side by side on PostgreSQL never wait on each other's cells in a circle.
enum ClaimCellLocks {
    /// Locks the cells the claims' current deadlines and expiries are counted in.
    static func lock(claims ids: [Int64], on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres, !ids.isEmpty else { return }
        let claims = SQLQueryString(ids.map { "\($0)" }.joined(separator: ", "))
        try await sql.raw("""
            SELECT 1 FROM claim_due_days k
            JOIN (SELECT organization_id, CAST(FLOOR(EXTRACT(EPOCH FROM due_at) / 86400) AS BIGINT) AS day, location_id, status FROM claims
                  WHERE id IN (\(claims)) AND due_at IS NOT NULL) c USING (organization_id, day, location_id, status)
            ORDER BY k.organization_id, k.day, k.location_id, k.status COLLATE "C" FOR UPDATE OF k
            """).run()
        try await sql.raw("""
            SELECT 1 FROM claim_expiry_cells k
            JOIN (SELECT c.organization_id, v.span, CAST(FLOOR(EXTRACT(EPOCH FROM c.expires_at) / v.span) AS BIGINT) * v.span AS at,
                         c.location_id FROM claims c CROSS JOIN (VALUES (3600), (21600), (86400)) v(span)
                  WHERE c.id IN (\(claims)) AND c.expires_at IS NOT NULL) c USING (organization_id, span, at, location_id)
            ORDER BY k.organization_id, k.span, k.at, k.location_id FOR UPDATE OF k
            """).run()
    }
}
