import Foundation
import IncentivesDomain
import SQLKit

/// One line of a claims table: the claim with the names of what it refers to.
public struct ClaimSummary: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var kind: ClaimKind
    public var status: ClaimStatus
    public var customerName: String
    public var engagementID: Int64
    public var engagementName: String
    public var locationID: Int64
    public var locationName: String
    public var organizationName: String
    public var solutionAreaID: Int64
    public var amount: Money?
    public var dueAt: Date?
    public var dueKind: DeadlineKind?
    /// When the open clock expires the claim (nil: the clock only informs, or no clock).
    public var expiresAt: Date?
    public var consentAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
}

/// Scoped reads of claims as lists: the home page's deadlines, recent claims, the review queue.
/// (The full claims list with search, filters and keyset pages is its own query.)
public struct ClaimListing: Sendable {
    public let db: Database
    /// More matches than this make a search broad (`ClaimSlice.counted` false); tests lower it.
    var searchNarrowLimit = ClaimSearchIndex.narrowLimit

    public init(db: Database) { self.db = db }

    /// Claims whose clock expires them between `now` and `until`, soonest first.
    public func expiring(between now: Date, and until: Date, in scope: AccessScope, limit: Int = 50) async throws -> [ClaimSummary] {
        try await db.read { sql in
            try await Self.summaries(where: """
                c.expires_at IS NOT NULL AND c.expires_at >= \(bind: now) AND c.expires_at < \(bind: until) AND \(scope.claimFilter("c"))
                """, orderBy: "c.expires_at, c.id", limit: limit, on: sql)
        }
    }

    /// The most recently changed claims.
    public func recent(in scope: AccessScope, limit: Int = 50) async throws -> [ClaimSummary] {
        try await db.read { sql in
            try await Self.summaries(where: scope.claimFilter("c"), orderBy: "c.updated_at DESC, c.id DESC", limit: limit, on: sql)
        }
    }

    /// Claims waiting on a reviewer, oldest first.
    public func reviewQueue(limit: Int = 50) async throws -> [ClaimSummary] {
        try await db.read { sql in
            try await Self.summaries(where: "c.status IN ('submitted', 'under_review', 'disputed')",
                                     orderBy: "c.updated_at, c.id", limit: limit, on: sql)
        }
    }

    /// How many claims the scope sees in each status: added up from `claim_counts` (kept by triggers, migration 8; its
    /// organization and location columns take the scope's filter), a few rows per location and engagement, not a row per
    /// claim.
    public func countsByStatus(in scope: AccessScope) async throws -> [ClaimStatus: Int] {
        try await db.read { sql in
            var counts: [ClaimStatus: Int] = [:]
            for row in try await sql.raw("""
                SELECT k.status, CAST(SUM(k.n) AS BIGINT) AS n FROM claim_counts k WHERE \(scope.claimFilter("k")) GROUP BY k.status
                """)
                .all(decoding: StatusCountRow.self, with: .snakeCase) {
                // A kept row stays at zero once its last claim moves on: a status without claims is left out, as before.
                if let status = ClaimStatus(rawValue: row.status), row.n > 0 { counts[status] = row.n }
            }
            return counts
        }
    }

    /// One claim's line, if the scope sees it.
    public func summary(of id: Int64, in scope: AccessScope) async throws -> ClaimSummary? {
        try await db.read { sql in
            try await Self.summaries(where: "c.id = \(bind: id) AND \(scope.claimFilter("c"))", orderBy: "c.id", limit: 1, on: sql).first
        }
    }

    static func summaries(where condition: SQLQueryString, orderBy: SQLQueryString, limit: Int, on sql: any SQLDatabase) async throws -> [ClaimSummary] {
        try await lines(ClaimSummary.self, where: condition, orderBy: orderBy, limit: limit, on: sql)
    }

    /// What `ClaimJSON(row:)` reads beyond a line's columns (its load query names the same).
    static let jsonColumns = """
        c.version, c.organization_id, c.engagement_version, c.customer_id, cu.domain AS customer_domain,
        cu.tenant_id AS customer_tenant_id, c.hours, c.is_dispute_round, c.first_submitted_at
        """

    /// The lines of a claims list as `Line` reads them (the page's summaries, the API's shared JSON shape, or the export's
    /// lines), in place on SQLite. `walking`: the sort whose small table leads the read (`walk(for:)`), in the order
    /// `descending` says, and `walked` the terms on that table alone.
    static func lines<Line: ClaimListLine>(_: Line.Type, where condition: SQLQueryString, walked: SQLQueryString? = nil,
                                           orderBy: SQLQueryString, limit: Int, walking: ClaimListQuery.Sort? = nil,
                                           descending: Bool = true, on sql: any SQLDatabase) async throws -> [Line] {
        let query = linesQuery(where: condition, walked: walked, orderBy: orderBy, limit: limit, json: Line.readsJSONColumns,
                               walking: walking, descending: descending, postgres: sql.dialect.name != "sqlite")
        if let sqlite = sql as? SQLiteStatementDatabase { return try await Line.page(query, on: sqlite) }
        // By hand, not a `Decodable` row: every claims list reads these (Rows.swift says why).
        return try await sql.raw(query).all().map(Line.init(row:))
    }

    /// How a list sorted by a small table's name is read: that table first, in its name order (`locations_name`,
    /// `engagements_name`; a customer's rows by `partner_customers_name`, `partner_customers_organization` or
    /// `partner_customers_location`, as the scope is), and for each of its rows the claims it holds, in id order
    /// (`claims_location_claim`; `claims_engagement_claim`, or `claims_org_engagement_claim` for a partner's scope;
    /// `claims_scope_customer`), until the page is full. SQLite takes the table left of a CROSS JOIN as the outer loop,
    /// so the page reads a few index ranges; joined the other way it read every claim in scope and sorted them (0.36-0.76
    /// s at a million). Nil for the other sorts.
    static func walk(for sort: ClaimListQuery.Sort) -> ClaimWalk? {
        switch sort {
        case .location: ClaimWalk(table: "l", source: "locations", group: [("id", "location_id")])
        case .engagement: ClaimWalk(table: "e", source: "engagements", group: [("id", "engagement_id")])
        // A customer's row is one location's (`partner_customers`, kept by triggers): so a partner's walk reads its own
        // customers only, and each row's claims are one range of `claims_scope_customer`.
        case .customer: ClaimWalk(table: "pc", source: "partner_customers",
                                  group: [("customer_id", "customer_id"), ("location_id", "location_id")],
                                  claimsBy: [("organization_id", "organization_id")])
        default: nil
        }
    }

    /// The statement of `lines`: a page of lines in the order, with the columns of `ClaimJSON` when `json`.
    static func linesQuery(where condition: SQLQueryString, walked: SQLQueryString? = nil, orderBy: SQLQueryString, limit: Int,
                           json: Bool, walking: ClaimListQuery.Sort? = nil, descending: Bool = true,
                           postgres: Bool = false) -> SQLQueryString {
        var query: SQLQueryString = """
            SELECT c.id, c.name, c.kind, c.status, c.amount_minor, c.currency, c.due_at, c.due_kind, c.expires_at,
                   c.created_at, c.updated_at, c.engagement_id, c.location_id, c.solution_area_id, c.consent_at,
                   cu.name AS customer_name, e.name AS engagement_name, l.name AS location_name, o.name AS organization_name
            """
        if json { query.appendLiteral(", \(Self.jsonColumns)") }
        let limit = max(1, min(limit, ClaimExport.pageSize + 1))
        let walk = walking.flatMap(Self.walk(for:))
        let read = walk?.read(condition, walked: walked, postgres: postgres, descending: descending, rows: limit)
            ?? (from: "claims c", where: condition)
        query.appendLiteral("\nFROM ")
        query.appendInterpolation(read.from)
        query.appendLiteral("\nJOIN customers cu ON cu.id = c.customer_id")
        if walk?.table != "e" { query.appendLiteral("\nJOIN engagements e ON e.id = c.engagement_id") }
        if walk?.table != "l" { query.appendLiteral("\nJOIN locations l ON l.id = c.location_id") }
        query.appendLiteral("\nJOIN organizations o ON o.id = c.organization_id\nWHERE ")
        query.appendInterpolation(read.where)
        query.appendLiteral(" ORDER BY ")
        query.appendInterpolation(orderBy)
        query.appendLiteral(" LIMIT \(limit)")
        return query
    }
}

/// A small table that leads a read of the claims list (`ClaimListing.walk`): read in its (name, group) order, each of its
/// rows holding the claims whose columns equal its group's.
struct ClaimWalk: Sendable {
    /// Its alias in the read.
    let table: String
    let source: String
    /// Its columns that name one of its rows, each with the claims' column that equals it.
    let group: [(table: String, claims: String)]
    /// Columns it shares with the claims beyond the group, stated in the link so the claims' index is read by them too.
    var claimsBy: [(table: String, claims: String)] = []

    /// The join's condition.
    var link: String {
        (claimsBy + group).map { "c.\($0.claims) = \(table).\($0.table)" }.joined(separator: " AND ")
    }

    /// The FROM and the WHERE of a walked read of the claims that meet `condition`, of this table's rows that meet
    /// `walked` (terms on this table alone), each row giving at most `rows` claims. On SQLite the claims are the right side
    /// of a CROSS JOIN (its left side is always the outer loop).
    /// On PostgreSQL each row's claims are a LATERAL subquery in id order with a limit of its own: joined plainly, the
    /// planner joined every claim of the scope at once and then sorted each row's claims by id, and an incremental sort
    /// must see a row's whole group before it gives one (a page by location read the first location's 554,322 claims,
    /// 4 s at 5,000,000 claims). The terms on this table stay outside the subquery, where they bound the outer loop's
    /// index range: inside it they only emptied each row's subquery, and a page by customer read every customer named
    /// before the cursor.
    func read(_ condition: SQLQueryString, walked: SQLQueryString?, postgres: Bool, descending: Bool,
              rows: Int) -> (from: SQLQueryString, where: SQLQueryString) {
        var outer: SQLQueryString = "\(unsafeRaw: link)"
        if let walked {
            outer.appendLiteral(" AND ")
            outer.appendInterpolation(walked)
        }
        guard postgres else { return ("\(unsafeRaw: source) \(unsafeRaw: table) CROSS JOIN claims c", "\(outer) AND \(condition)") }
        return ("""
            \(unsafeRaw: source) \(unsafeRaw: table) CROSS JOIN LATERAL (SELECT c.* FROM claims c WHERE \(unsafeRaw: link) AND \(condition) \
            ORDER BY c.id \(unsafeRaw: descending ? "DESC" : "ASC") LIMIT \(unsafeRaw: String(rows))) c
            """, walked ?? "1 = 1")
    }

    /// The order of its rows: name, then the group.
    var keys: [SQLQueryString] { (["name"] + group.map(\.table)).map { "\(unsafeRaw: table).\(unsafeRaw: $0)" } }
}
