import Foundation
import IncentivesDomain
import SQLKit

extension ClaimStatus {
    /// The next move is the partner's: a draft to send, consent to turn into a submission, a request
    /// for more information to answer, a rejection that may be disputed. The claims list's
    /// "Attention required" tab shows these (and every claim due within 7 days).
    public var waitsOnPartner: Bool {
        switch self {
        case .customerClaimed, .consentReceived, .partnerActionRequired, .rejected: true
        default: false
        }
    }
}

/// The claims list's URL state as the repository reads it: a tab, a search, filters, a sort and a page.
public struct ClaimListQuery: Sendable, Hashable {
    public enum Tab: Sendable, Hashable {
        case all
        /// Waiting on the partner, or due within `ClaimListQuery.attentionDays`.
        case attention
        case area(Int64)
    }

    public enum Sort: String, CaseIterable, Sendable {
        case updated, name, customer, engagement, location, status, due, amount
    }

    public static let attentionDays = 7
    public static let pageSizes = [25, 50, 100, 200]

    public var tab: Tab = .all
    /// Matches claim name, customer name, domain, tenant id or a contact's email (case-insensitive, anywhere
    /// in them), or the claim id when it is a number.
    public var search: String?
    public var status: ClaimStatus?
    public var kind: ClaimKind?
    public var engagementID: Int64?
    public var locationID: Int64?
    /// One partner organization's claims (the operator's export; a partner's scope is one organization already).
    public var organizationID: Int64?
    /// Claims whose open clock falls between now and this many days ahead.
    public var dueWithinDays: Int?
    public var sort: Sort = .updated
    public var descending = true
    /// The keyset position: the page starts after this row.
    public var after: ClaimCursor?
    public var limit = 50

    public init() {}
}

/// A position in a sorted claims list: the sort key of the last row shown and its id. It travels in URLs
/// as an opaque base64url token; a token that does not decode is refused rather than guessed at.
public struct ClaimCursor: Sendable, Hashable {
    public enum Key: Sendable, Hashable { case date(Date), text(String), number(Int64) }
    public var key: Key
    public var id: Int64

    public init(key: Key, id: Int64) { self.key = key; self.id = id }

    public var token: String {
        let text: String = switch key {
        case .date(let d): "d:\(d.timeIntervalSince1970.bitPattern)"
        case .text(let s): "t:\(s)"
        case .number(let n): "n:\(n)"
        }
        return Base64URL.encode(Data("\(id)|\(text)".utf8))
    }

    public init?(token: String) {
        guard token.count <= 2_000, let data = Base64URL.decode(token), let text = String(data: data, encoding: .utf8) else { return nil }
        let (idText, rest) = (text.prefix { $0 != "|" }, text.drop { $0 != "|" }.dropFirst())
        guard let id = Int64(idText), rest.count >= 2 else { return nil }
        let value = String(rest.dropFirst(2))
        // A text key is bound as a parameter: one with control characters (NUL, which PostgreSQL refuses) is no
        // key this list ever made.
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return nil }
        switch rest.prefix(2) {
        case "d:": guard let bits = UInt64(value) else { return nil }; key = .date(Date(timeIntervalSince1970: Double(bitPattern: bits)))
        case "t:": key = .text(value)
        case "n:": guard let n = Int64(value) else { return nil }; key = .number(n)
        default: return nil
        }
        self.id = id
    }
}

/// A page token whose claim the caller does not see (another organization's, or none at all): refused like a
/// damaged token, so a list never tells whether that claim exists or when it last changed.
public struct ClaimCursorRefused: Error, Sendable {
    public init() {}
}

/// One page of the claims list, and how many claims each tab holds under the same search and filters.
public struct ClaimSlice: Sendable {
    public var claims: [ClaimSummary]
    /// The cursor of the next page, when there is one.
    public var next: ClaimCursor?
    public var countAll: Int
    public var countAttention: Int
    /// Per solution area id.
    public var countByArea: [Int64: Int]
    /// False for a broad search (more than `ClaimListing.broadSearchCount` of the scope's claims match): counting
    /// them would read them all, so the counts are left at 0 and the page says "more than".
    public var counted = true

    public func count(of tab: ClaimListQuery.Tab) -> Int {
        switch tab {
        case .all: countAll
        case .attention: countAttention
        case .area(let id): countByArea[id] ?? 0
        }
    }
}

extension ClaimListing {
    /// A search matching more of the scope's claims than this is broad: its tabs are not counted.
    public static var broadSearchCount: Int { ClaimSearchIndex.narrowLimit }

    /// One keyset page of the scope's claims in the shared JSON shape (the API's list), without tab counts:
    /// the same search, filters, sort and cursor as `page`.
    public func claimsJSON(_ query: ClaimListQuery, in scope: AccessScope, now: Date) async throws -> (claims: [ClaimJSON], next: ClaimCursor?) {
        let db = self.db, searchNarrowLimit = self.searchNarrowLimit
        return try await db.read { sql in
            let match = try await ClaimSearchIndex.match(query.search, flavor: db.flavor, narrowLimit: searchNarrowLimit, in: scope, on: sql)
            return try await Self.lines(ClaimJSON.self, query, match: match, in: scope, now: now, on: sql)
        }
    }

    /// A page of the scope's claims for the query, sorted with the claim id as the tie-breaker, and the tab counts.
    public func page(_ query: ClaimListQuery, in scope: AccessScope, now: Date) async throws -> ClaimSlice {
        let db = self.db, searchNarrowLimit = self.searchNarrowLimit
        return try await db.read { sql in
            let match = try await ClaimSearchIndex.match(query.search, flavor: db.flavor, narrowLimit: searchNarrowLimit, in: scope, on: sql)
            let (rows, next) = try await Self.rows(query, match: match, in: scope, now: now, on: sql)
            // Tab counts read many rows (the attention tab's deadlines in the next 7 days: ~15,000 index entries of a
            // partner with 450,000 claims); the same view asked again within the cache's life, with no claim written
            // by this instance meanwhile, gets them from memory.
            if case .broad = match {
                return ClaimSlice(claims: rows, next: next, countAll: 0, countAttention: 0, countByArea: [:], counted: false)
            }
            let key = TabCountCache.key(query, scope: scope, now: now)
            let generation = db.claimGeneration
            let counts: TabCounts
            if let cached = db.tabCounts.value(for: key, generation: generation) {
                counts = cached
            } else {
                counts = try await Self.tabCounts(query, match: match, in: scope, now: now, on: sql)
                db.tabCounts.store(counts, for: key, generation: generation)
            }
            return ClaimSlice(claims: rows, next: next, countAll: counts.all, countAttention: counts.attention,
                                 countByArea: counts.byArea)
        }
    }

    /// How many claims each tab holds under the query's search and filters. Without a search or a due-within
    /// filter they are added up from `claim_counts` (kept by triggers, migration 8), plus an index-only count
    /// of the claims due within 7 days that do not already wait on the partner; otherwise, or when `scan`
    /// says so, the matching claims themselves are counted.
    static func tabCounts(_ query: ClaimListQuery, match: ClaimSearchIndex.Match?, in scope: AccessScope, now: Date,
                          scan: Bool = false, on sql: any SQLDatabase) async throws -> TabCounts {
        if scan || match != nil || query.dueWithinDays != nil {
            let filters = Self.filters(query, match: match, in: scope, now: now)
            var attention = filters
            attention.appendLiteral(" AND ")
            attention.appendInterpolation(Self.tabCondition(.attention, now: now))
            let from = "claims c"
            let byArea = try await areaCounts("COUNT(*)", from: from, alias: "c", where: filters, on: sql)
            return (byArea.values.reduce(0, +), try await total("COUNT(*)", from: from, where: attention, on: sql), byArea)
        }
        var summary = scope.claimFilter("k")
        appendColumnFilters(query, alias: "k", to: &summary)
        let byArea = try await areaCounts("SUM(k.n)", from: "claim_counts k", alias: "k", where: summary, on: sql)
        let waiting = ClaimStatus.allCases.filter(\.waitsOnPartner).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        summary.appendLiteral(" AND k.status IN (\(waiting))")
        let attention = try await total("SUM(k.n)", from: "claim_counts k", where: summary, on: sql)
            + dueSoon(query, in: scope, now: now, on: sql)
        return (byArea.values.reduce(0, +), attention, byArea)
    }

    /// The rest of the attention tab: claims due within 7 days that do not wait on the partner (those are counted by
    /// status). The window's whole UTC days are added up from `claim_due_days` (kept by triggers, migration 27), so only
    /// the claims due in its two partial days (one day in all) are read; a kind or engagement filter, which those
    /// cells do not hold, counts the window's claims themselves.
    static func dueSoon(_ query: ClaimListQuery, in scope: AccessScope, now: Date, on sql: any SQLDatabase) async throws -> Int {
        let waiting = ClaimStatus.allCases.filter(\.waitsOnPartner).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let week = now.addingTimeInterval(TimeInterval(ClaimListQuery.attentionDays) * 86_400)
        let due = { (from: Date, to: Date, last: Bool) -> SQLQueryString in
            var condition = scope.claimFilter("c")
            appendColumnFilters(query, alias: "c", to: &condition)
            condition.appendLiteral(" AND c.status NOT IN (\(waiting)) AND c.due_at >= ")
            condition.appendInterpolation(bind: from)
            condition.appendLiteral(last ? " AND c.due_at <= " : " AND c.due_at < ")
            condition.appendInterpolation(bind: to)
            return condition
        }
        guard query.kind == nil, query.engagementID == nil else {
            return try await total("COUNT(*)", from: "claims c", where: due(now, week, true), on: sql)
        }
        // Days since 1970 in UTC, as the triggers number them: [firstDay, endDay) lie wholly inside [now, week].
        let firstDay = Int64((now.timeIntervalSince1970 / 86_400).rounded(.up))
        let endDay = Int64((week.timeIntervalSince1970 / 86_400).rounded(.down))
        let day = { (n: Int64) in Date(timeIntervalSince1970: TimeInterval(n) * 86_400) }
        var cells = scope.claimFilter("k")
        appendColumnFilters(query, alias: "k", to: &cells)
        cells.appendLiteral(" AND k.status NOT IN (\(waiting)) AND k.day >= ")
        cells.appendInterpolation(bind: firstDay)
        cells.appendLiteral(" AND k.day < ")
        cells.appendInterpolation(bind: endDay)
        var edges: SQLQueryString = "(SELECT 1 FROM claims c WHERE "
        edges.appendInterpolation(due(now, day(firstDay), false))
        edges.appendLiteral(" UNION ALL SELECT 1 FROM claims c WHERE ")
        edges.appendInterpolation(due(day(endDay), week, true))
        edges.appendLiteral(") e")
        return try await total("SUM(k.n)", from: "claim_due_days k", where: cells, on: sql)
            + total("COUNT(*)", fromTable: edges, where: "1 = 1", on: sql)
    }

    /// `count` (an aggregate over `from`) per solution area of the rows meeting `condition`.
    private static func areaCounts(_ count: String, from: String, alias: String, where condition: SQLQueryString,
                                   on sql: any SQLDatabase) async throws -> [Int64: Int] {
        var query: SQLQueryString = "SELECT \(unsafeRaw: alias).solution_area_id AS area, CAST(\(unsafeRaw: count) AS BIGINT) AS n FROM \(unsafeRaw: from) WHERE "
        query.appendInterpolation(condition)
        query.appendLiteral(" GROUP BY \(alias).solution_area_id")
        var counts: [Int64: Int] = [:]
        for row in try await sql.raw(query).all(decoding: AreaCountRow.self, with: .snakeCase) { counts[row.area] = row.n }
        return counts
    }

    /// `count` (an aggregate over `from`) of the rows meeting `condition`.
    fileprivate static func total(_ count: String, from: String, where condition: SQLQueryString, on sql: any SQLDatabase) async throws -> Int {
        try await total(count, fromTable: SQLQueryString(from), where: condition, on: sql)
    }

    /// `total` over a table expression (a derived table).
    fileprivate static func total(_ count: String, fromTable from: SQLQueryString, where condition: SQLQueryString,
                                  on sql: any SQLDatabase) async throws -> Int {
        var query: SQLQueryString = "SELECT CAST(COALESCE(\(unsafeRaw: count), 0) AS BIGINT) AS n FROM "
        query.appendInterpolation(from)
        query.appendLiteral(" WHERE ")
        query.appendInterpolation(condition)
        return try await sql.raw(query).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// One keyset page of the query's rows (no counts), and the cursor of the next page.
    static func rows(_ query: ClaimListQuery, match: ClaimSearchIndex.Match?, in scope: AccessScope, now: Date, largestPage: Int = 500,
                     on sql: any SQLDatabase) async throws -> ([ClaimSummary], ClaimCursor?) {
        try await lines(ClaimSummary.self, query, match: match, in: scope, now: now, largestPage: largestPage, on: sql)
    }

    /// `rows`, each line as `Line` reads it: the page's summary, the claim in the shared JSON shape, or as the export writes
    /// it. With `through`, only the rows up to that one (included) in the query's order: a page of the export's
    /// (`ClaimExport`).
    static func lines<Line: ClaimListLine>(_: Line.Type, _ query: ClaimListQuery, match: ClaimSearchIndex.Match?, in scope: AccessScope,
                                           now: Date, through: ClaimCursor? = nil, largestPage: Int = 500,
                                           on sql: any SQLDatabase) async throws -> ([Line], ClaimCursor?) {
        let limit = max(1, min(query.limit, largestPage))
        let condition = try await keysetCondition(query, match: match, in: scope, now: now, through: through, reading: limit + 1, on: sql)
        let direction = query.descending ? "DESC" : "ASC"
        let order = orderBy(query.sort, direction)
        var rows = try await lines(Line.self, where: condition.claims, walked: condition.walked, orderBy: order, limit: limit + 1,
                                   walking: query.sort, descending: query.descending, on: sql)
        let hasMore = rows.count > limit
        if hasMore { rows.removeLast() }
        let next = hasMore ? rows.last.map { ClaimCursor(key: $0.key(for: query.sort), id: $0.id) } : nil
        return (rows, next)
    }

    /// The conditions of a read of the claims list: on `claims c`, and, where a small table leads the read
    /// (`ClaimListing.walk`), on that table alone (`ClaimWalk.read`).
    struct ReadCondition {
        var claims: SQLQueryString
        var walked: SQLQueryString?

        mutating func append(_ bound: ReadCondition) {
            claims.appendLiteral(" AND ")
            claims.appendInterpolation(bound.claims)
            guard let terms = bound.walked else { return }
            var both = walked ?? "1 = 1"
            both.appendLiteral(" AND ")
            both.appendInterpolation(terms)
            walked = both
        }
    }

    /// The scope, search, filters and tab on `claims c`, and the keyset's bounds: the rows after `query.after` and, with
    /// `through`, up to that row (included), in the query's order. `reading` is the most rows the statement takes after
    /// the cursor (its LIMIT and OFFSET together): a bound split at the cursor's tie (`tieSplit`) reads no more of either part.
    static func keysetCondition(_ query: ClaimListQuery, match: ClaimSearchIndex.Match?, in scope: AccessScope, now: Date,
                                through: ClaimCursor? = nil, reading: Int, on sql: any SQLDatabase) async throws -> ReadCondition {
        // SQLite's `+column` (`filters`): PostgreSQL has no unary plus for text or timestamps, and plans by cost anyway.
        let sqlite = sql.dialect.name == "sqlite"
        let walking = ClaimListing.walk(for: query.sort) != nil
        // Read once: both parts of a split bound (`tieSplit`) take it.
        let end = try await through.asyncMap { try await keysetBound($0, query.descending ? ">=" : "<=", sort: query.sort, in: scope, on: sql) }
        let locationLed = sqlite && locationLed(query.sort, in: scope)
        let conditions = { (walked: Bool, organizationIndexed: Bool) -> ReadCondition in
            var condition = ReadCondition(
                claims: filters(query, match: match, in: scope, now: now, walked: walked, organizationIndexed: organizationIndexed,
                                locationLed: locationLed),
                walked: walking ? walkFilter(query, in: scope) : nil)
            condition.claims.appendLiteral(" AND ")
            condition.claims.appendInterpolation(tabCondition(query.tab, now: now, walked: walked))
            if let end { condition.append(end) }
            return condition
        }
        var condition = conditions(walking && sqlite, query.sort == .engagement)
        guard let after = query.after else { return condition }
        let op = query.descending ? "<" : ">"
        if sqlite, !walking {
            // The tie's rows are read through the sort's own index, its key equal and the claim id a range.
            let tie = conditions(true, true)
            return ReadCondition(claims: try await tieSplit(after, op, query: query, tie: tie.claims, rest: condition.claims,
                                                            reading: reading, in: scope, on: sql))
        }
        condition.append(try await keysetBound(after, op, sort: query.sort, in: scope, on: sql))
        return condition
    }

    /// The rows after `cursor`, on SQLite, as two index reads of at most `reading` rows each: the rest of the cursor's tie
    /// (the claims with its very key, past its claim id, that meet `tie`) and then the claims past its key that meet
    /// `rest` (the same filters, `tie` written for the sort's index alone).
    /// SQLite ranges an index over the leading terms of a row value and stops before the claim id (the rowid), so
    /// `(key, c.id) < (K, Y)` walked every claim of K's tie on the wrong side of Y to pass over it. At a million claims
    /// 673,003 have no deadline and 125,597 share a sweep's instant: a page deep in either read the tie up to it (0.12 s),
    /// so page n cost n pages. Each part is its own ordered, limited read; the page is ordered again from those rows alone.
    /// Not for PostgreSQL, which ranges over the whole row value, nor the walked sorts (`walkBound` bounds the claim id by
    /// itself).
    static func tieSplit(_ cursor: ClaimCursor, _ op: String, query: ClaimListQuery, tie: SQLQueryString, rest: SQLQueryString,
                         reading: Int, in scope: AccessScope, on sql: any SQLDatabase) async throws -> SQLQueryString {
        let keys = sortKeys(query.sort)
        let values = try await boundValues(cursor, sort: query.sort, in: scope, on: sql)
        let direction = query.descending ? "DESC" : "ASC"
        var tie = tie, rest = rest
        for (key, value) in zip(keys, values) {
            tie.appendLiteral(" AND ")
            tie.appendInterpolation(key)
            tie.appendLiteral(" = ")
            tie.appendInterpolation(value)
        }
        tie.appendLiteral(" AND c.id \(op) ")
        tie.appendInterpolation(bind: cursor.id)
        rest.appendLiteral(" AND ")
        rest.appendInterpolation(rowValue(keys, op, values))
        var split: SQLQueryString = "c.id IN (SELECT id FROM (SELECT c.id FROM claims c WHERE "
        split.appendInterpolation(tie)
        split.appendLiteral(" ORDER BY c.id \(direction) LIMIT \(reading)) UNION ALL SELECT id FROM (SELECT c.id FROM claims c WHERE ")
        split.appendInterpolation(rest)
        split.appendLiteral(" ORDER BY ")
        split.appendInterpolation(orderBy(query.sort, direction))
        split.appendLiteral(" LIMIT \(reading)))")
        return split
    }

    /// `(a, b) op (x, y)`; `(a) op (x)` for one term.
    static func rowValue(_ terms: [SQLQueryString], _ op: String, _ values: [SQLQueryString]) -> SQLQueryString {
        var row: SQLQueryString = "("
        for (i, term) in terms.enumerated() {
            if i > 0 { row.appendLiteral(", ") }
            row.appendInterpolation(term)
        }
        row.appendLiteral(") \(op) (")
        for (i, value) in values.enumerated() {
            if i > 0 { row.appendLiteral(", ") }
            row.appendInterpolation(value)
        }
        row.appendLiteral(")")
        return row
    }

    /// `(key, c.id) op (cursor's key, cursor's id)`. A row value, not "key < bound OR (key = bound AND id < last)":
    /// PostgreSQL turns it into one index range, and SQLite into a range over the key, where the OR form scanned the
    /// index from its start, so page n cost n pages. (SQLite's range stops before the claim id: `tieSplit`.)
    static func keysetBound(_ cursor: ClaimCursor, _ op: String, sort: ClaimListQuery.Sort, in scope: AccessScope,
                            on sql: any SQLDatabase) async throws -> ReadCondition {
        if let walked = ClaimListing.walk(for: sort) {
            guard fits(cursor.key, sort) else { throw ClaimCursorRefused() }
            return try await walkBound(cursor, op, walk: walked, in: scope, on: sql)
        }
        return ReadCondition(claims: rowValue(sortKeys(sort) + ["c.id"], op,
                                              try await boundValues(cursor, sort: sort, in: scope, on: sql) + ["\(bind: cursor.id)"]))
    }

    /// The cursor's values of `sortKeys(sort)`, in order. Dates are compared with the cursor row's stored value, not a
    /// decoded and re-bound copy: a timestamp's round trip through Double (SQLite) or microseconds (PostgreSQL) may not
    /// be exact, and an inexact bound would show a row twice or skip one.
    static func boundValues(_ cursor: ClaimCursor, sort: ClaimListQuery.Sort, in scope: AccessScope,
                            on sql: any SQLDatabase) async throws -> [SQLQueryString] {
        // A token made for another sort (a list's address edited by hand) would compare this sort's columns with a value
        // of another type: an error on PostgreSQL, rows out of order on SQLite.
        guard fits(cursor.key, sort) else { throw ClaimCursorRefused() }
        switch (cursor.key, sort) {
        case (.date, _), (.text, .status):
            // The bound is read from the claim the token names, so it must be one the caller sees: otherwise the
            // rows shown would bracket another organization's claim's dates.
            let seen: SQLQueryString = "x.id = \(bind: cursor.id) AND \(scope.claimFilter("x"))"
            guard let row = try await sql.raw("SELECT x.status, x.updated_at FROM claims x WHERE \(seen)").first() else {
                throw ClaimCursorRefused()
            }
            if sort == .status, sql.dialect.name == "sqlite" {
                // SQLite ranges an index over the leading terms of a row value that are bound values, and no further: with
                // the claim's values read by subqueries it searched (status) alone and walked the whole of the status's
                // claims up to the cursor. Bound, the range is (status, updated_at). The time is bound as stored (a REAL,
                // read as a Double, not decoded to a Date), so the bound is exact.
                return ["\(bind: try row.decode(column: "status", as: String.self))", "\(bind: try row.decode(column: "updated_at", as: Double.self))"]
            }
            let keys: [SQLQueryString] = sort == .status ? ["x.status", "x.updated_at"] : [dateKey(sort, alias: "x")]
            return keys.map { key in "(SELECT \(key) FROM claims x WHERE \(seen))" }
        case (.text(let s), _): return ["\(bind: s)"]
        case (.number(let n), _): return ["\(bind: n)"]
        }
    }

    /// Whether `key` is of the kind `sort`'s pages make (`key(of:for:)`).
    static func fits(_ key: ClaimCursor.Key, _ sort: ClaimListQuery.Sort) -> Bool {
        switch (key, sort) {
        case (.date, .updated), (.date, .due), (.number, .amount): true
        case (.text, .name), (.text, .customer), (.text, .engagement), (.text, .location), (.text, .status): true
        default: false
        }
    }

    /// A keyset bound where a small table leads the read (`ClaimListing.walk`): `(name, group) op= (the cursor's)` on that
    /// table (its `walked` part), which starts its index range at the cursor's row, and `c.id op` the cursor's claim id
    /// within that row only.
    /// The claim id's bound is an expression of the outer row, so each row's claims are still one index range: as one
    /// row value over both tables, SQLite ranged over neither and read the cursor's location from its first claim.
    static func walkBound(_ cursor: ClaimCursor, _ op: String, walk: ClaimWalk, in scope: AccessScope,
                          on sql: any SQLDatabase) async throws -> ReadCondition {
        let names = walk.group.map(\.table)
        let joined = walk.group.map { "g.\($0.table) = x.\($0.claims)" }.joined(separator: " AND ")
        // Read from the claim the token names, which the caller must see (as for dates).
        guard let row = try await sql.raw("""
            SELECT g.name, \(unsafeRaw: names.map { "g.\($0)" }.joined(separator: ", "))
            FROM claims x JOIN \(unsafeRaw: walk.source) g ON \(unsafeRaw: joined)
            WHERE x.id = \(bind: cursor.id) AND \(scope.claimFilter("x"))
            """).first() else { throw ClaimCursorRefused() }
        let group = try names.map { try row.decode(column: $0, as: Int64.self) }
        let values: [SQLQueryString] = ["\(bind: try row.decode(column: "name", as: String.self))"] + group.map { "\(bind: $0)" }
        // Past every claim id: the rows after the cursor's take all their claims.
        let open: Int64 = op.hasPrefix("<") ? .max : .min
        var bound: SQLQueryString = "c.id \(unsafeRaw: op) CASE WHEN "
        for (i, (name, value)) in zip(names, group).enumerated() {
            if i > 0 { bound.appendLiteral(" AND ") }
            bound.appendLiteral("\(walk.table).\(name) = ")
            bound.appendInterpolation(bind: value)
        }
        bound.appendLiteral(" THEN CAST(")
        bound.appendInterpolation(bind: cursor.id)
        bound.appendLiteral(" AS BIGINT) ELSE CAST(")
        bound.appendInterpolation(bind: open)
        bound.appendLiteral(" AS BIGINT) END")
        return ReadCondition(claims: bound, walked: rowValue(walk.keys, op.hasPrefix("<") ? "<=" : ">=", values))
    }

    /// What the claims' filters imply for the small table that leads a read (`ClaimListing.walk`), written so that no
    /// index of that table serves it (SQLite's unary `+`): the table is then read in its name order, and rows none of
    /// whose claims can match (another organization's locations, another engagement than the one filtered on) are passed
    /// over without reading their claims. A customer's rows (`partner_customers`) have indexes by name within an
    /// organization and within a location, so the scope stays indexable there: a partner reads only its own customers.
    static func walkFilter(_ query: ClaimListQuery, in scope: AccessScope) -> SQLQueryString {
        var condition: SQLQueryString = "1 = 1"
        // The scope, and the location and organization filters, on the walked table's columns.
        func place(organization: String, location: String) {
            condition.appendLiteral(" AND ")
            condition.appendInterpolation(scope.filter(organization: SQLQueryString(organization), location: SQLQueryString(location)))
            if let id = query.locationID { condition.appendLiteral(" AND \(location) = "); condition.appendInterpolation(bind: id) }
            if let id = query.organizationID { condition.appendLiteral(" AND \(organization) = "); condition.appendInterpolation(bind: id) }
        }
        switch query.sort {
        case .location: place(organization: "+l.organization_id", location: "+l.id")
        case .engagement:
            if let engagement = query.engagementID { condition.appendLiteral(" AND +e.id = "); condition.appendInterpolation(bind: engagement) }
            if case .area(let area) = query.tab { condition.appendLiteral(" AND +e.solution_area_id = "); condition.appendInterpolation(bind: area) }
        case .customer: place(organization: "pc.organization_id", location: "pc.location_id")
        default:
            break
        }
        return condition
    }

    /// The row that a page of `size` rows after `query.after` ends on, in the query's order; nil when no more than `size`
    /// rows are left. The export's scout (`ClaimExport`): it reads the sort key and the claim id alone, joined only to
    /// the table the key is on, so on the usual views it walks an index and reads no claim's row.
    static func pageEnd(_ query: ClaimListQuery, size: Int, match: ClaimSearchIndex.Match?, in scope: AccessScope, now: Date,
                        on sql: any SQLDatabase) async throws -> ClaimCursor? {
        let condition = try await keysetCondition(query, match: match, in: scope, now: now, reading: max(1, size), on: sql)
        let direction = query.descending ? "DESC" : "ASC"
        let walk = ClaimListing.walk(for: query.sort)
        var statement: SQLQueryString = "SELECT "
        statement.appendInterpolation(sortKey(query.sort))
        let read = walk?.read(condition.claims, walked: condition.walked, postgres: sql.dialect.name != "sqlite",
                              descending: query.descending, rows: max(1, size))
            ?? (from: "claims c", where: condition.claims)
        statement.appendLiteral(" AS k, c.id FROM ")
        statement.appendInterpolation(read.from)
        statement.appendLiteral(" WHERE ")
        statement.appendInterpolation(read.where)
        statement.appendLiteral(" ORDER BY ")
        statement.appendInterpolation(orderBy(query.sort, direction))
        statement.appendLiteral(" LIMIT 1 OFFSET \(max(0, size - 1))")
        guard let row = try await sql.raw(statement).first() else { return nil }
        let column = StoredColumns(row)
        let id = try column("id", as: Int64.self)
        // A date's bound is read again from the claim (`keysetBound`): only the id is needed, the date is a placeholder.
        let key: ClaimCursor.Key = switch query.sort {
        case .updated, .due: .date(.distantPast)
        case .amount: .number(try column("k", as: Int64.self))
        case .name, .customer, .engagement, .location, .status: .text(try column("k", as: String.self))
        }
        return ClaimCursor(key: key, id: id)
    }

    /// The current view (tab, search, filters, sort) as a file of `format`, read in keyset batches so
    /// memory stays flat however many claims match; bytes go to `sink` in pieces of about 64 KiB as they
    /// are made. The claims list's CSV and XLSX links and `incentives export claims` all come here.
    /// Returns the number of claims written.
    @discardableResult
    public func export(_ query: ClaimListQuery, as format: ExportFormat, in scope: AccessScope, now: Date,
                       batch: Int = ClaimExport.pageSize, to sink: ([UInt8]) async throws -> Void) async throws -> Int {
        try await prepareExport(query, as: format, in: scope, now: now, batch: batch).write(to: sink)
    }

    /// The export with what it reads first already read: the search resolved against the index and the solution
    /// areas' names. A server awaits this before it answers, so that anything refused or failing here is an error
    /// answer, not a stream broken after its headers were sent.
    public func prepareExport(_ query: ClaimListQuery, as format: ExportFormat, in scope: AccessScope, now: Date,
                              batch: Int = ClaimExport.pageSize) async throws -> ClaimExport {
        let areas = try await db.read { sql in
            try await sql.raw("SELECT id, name FROM solution_areas").all(decoding: NamedRow.self, with: .snakeCase)
                .reduce(into: [Int64: String]()) { $0[$1.id] = $1.name }
        }
        var query = query
        query.after = nil
        query.limit = max(1, min(batch, ClaimExport.pageSize))
        let (flavor, search, limit) = (db.flavor, query.search, searchNarrowLimit)
        let match = try await db.read { try await ClaimSearchIndex.match(search, flavor: flavor, narrowLimit: limit, in: scope, on: $0) }
        return ClaimExport(db: db, query: query, format: format, scope: scope, now: now, areas: areas, match: match)
    }

    /// The id of the partner organization of that name (compared case-insensitively), for the operator's export.
    public func organizationID(named name: String) async throws -> Int64? {
        try await db.read { sql in
            try await sql.raw("SELECT id FROM organizations WHERE LOWER(name) = LOWER(\(bind: name))").first(decodingColumn: "id", as: Int64.self)
        }
    }

    public static let exportColumns: [TableColumn] = [
        TableColumn("claim_id", width: 10), TableColumn("claim_name", width: 36), TableColumn("status", width: 22),
        TableColumn("status_label", width: 30), TableColumn("kind", width: 18), TableColumn("solution_area", width: 28),
        TableColumn("customer", width: 30), TableColumn("engagement", width: 36), TableColumn("partner", width: 22),
        TableColumn("location", width: 30), TableColumn("due_at", width: 20), TableColumn("due_kind", width: 14),
        TableColumn("amount", width: 12), TableColumn("currency", width: 9), TableColumn("consent_at", width: 20),
        TableColumn("created_at", width: 20), TableColumn("updated_at", width: 20),
    ]

    static func exportCells(_ c: ClaimExportLine, area: String) -> [TableCell] {
        let date = { (d: Date?) in d.map(TableCell.date) ?? .empty }
        return [
            .integer(c.id), .utf8(c.name), .text(c.status.rawValue), .text(c.status.label), .text(c.kind.rawValue), .text(area),
            .utf8(c.customerName), .utf8(c.engagementName), .utf8(c.organizationName), .utf8(c.locationName),
            date(c.dueAt), c.dueKind.map { .text($0.rawValue) } ?? .empty,
            c.amountMinor.map { .amount(minorUnits: $0, currency: c.currency) } ?? .empty,
            c.amountMinor == nil ? .empty : .text(c.currency.code),
            date(c.consentAt), .date(c.createdAt), .date(c.updatedAt),
        ]
    }

    /// The scope, the search (resolved against the index) and the filters (not the tab), on `claims c`.
    /// `walked`: only one index may read the claims, the walk's when a small table leads the read (`ClaimListing.walk`), or
    /// the sort's in the rest of a cursor's tie (`tieSplit`): every other column compared here is written `+c.column`,
    /// which SQLite's planner never serves from an index (it chose `claims_location_claim` over the walk's index for a
    /// user of one location, and then sorted everything). `organizationIndexed`: that index begins with the partner's
    /// organization, which stays indexable.
    /// `locationLed` (`locationLed(_:in:)`): the scope's organization is written `+c.organization_id` and its location
    /// stays indexable, whatever `walked` says.
    static func filters(_ query: ClaimListQuery, match: ClaimSearchIndex.Match?, in scope: AccessScope, now: Date,
                        walked: Bool = false, organizationIndexed: Bool = false, locationLed: Bool = false) -> SQLQueryString {
        var condition = locationLed ? scope.filter(organization: "+c.organization_id", location: "c.location_id")
            : walked ? walkScope(scope, organizationIndexed: organizationIndexed) : scope.claimFilter("c")
        appendColumnFilters(query, alias: walked ? "+c" : "c", to: &condition)
        if let days = query.dueWithinDays {
            condition.appendLiteral(walked ? " AND +c.due_at >= " : " AND c.due_at >= ")
            condition.appendInterpolation(bind: now)
            condition.appendLiteral(walked ? " AND +c.due_at <= " : " AND c.due_at <= ")
            condition.appendInterpolation(bind: now.addingTimeInterval(TimeInterval(days) * 86_400))
        }
        if let match {
            condition.appendLiteral(" AND ")
            condition.appendInterpolation(match.condition)
        }
        return condition
    }

    /// The filters on columns that `claims` and `claim_counts` share: status, kind, engagement, location, organization.
    static func appendColumnFilters(_ query: ClaimListQuery, alias: String, to condition: inout SQLQueryString) {
        if let status = query.status { condition.appendLiteral(" AND \(alias).status = "); condition.appendInterpolation(bind: status.rawValue) }
        if let kind = query.kind { condition.appendLiteral(" AND \(alias).kind = "); condition.appendInterpolation(bind: kind.rawValue) }
        if let engagement = query.engagementID {
            condition.appendLiteral(" AND \(alias).engagement_id = "); condition.appendInterpolation(bind: engagement)
        }
        if let location = query.locationID { condition.appendLiteral(" AND \(alias).location_id = "); condition.appendInterpolation(bind: location) }
        if let organization = query.organizationID {
            condition.appendLiteral(" AND \(alias).organization_id = "); condition.appendInterpolation(bind: organization)
        }
    }

    /// `walked`: as for `filters`.
    static func tabCondition(_ tab: ClaimListQuery.Tab, now: Date, walked: Bool = false) -> SQLQueryString {
        let c = walked ? "+c" : "c"
        switch tab {
        case .all: return "1 = 1"
        case .area(let id): return "\(unsafeRaw: c).solution_area_id = \(bind: id)"
        case .attention:
            let waiting = ClaimStatus.allCases.filter(\.waitsOnPartner).map { "'\($0.rawValue)'" }.joined(separator: ", ")
            return """
                (\(unsafeRaw: c).status IN (\(unsafeRaw: waiting)) OR (\(unsafeRaw: c).due_at >= \(bind: now) AND \(unsafeRaw: c).due_at <= \(bind: now.addingTimeInterval(TimeInterval(ClaimListQuery.attentionDays) * 86_400))))
                """
        }
    }

    /// Whether a read sorted by `sort` goes through the scope's one location's index rather than its organization's: by
    /// amount, for a partner's user of one location (`claims_location_amount_sort`, migration 38). Amounts follow the
    /// engagements a location runs, so the organization's index in amount order may hold every other location's claims
    /// before the first of this one's: at a million claims the next page ascending passed over them one by one (62 ms).
    /// A user of several locations, or the organization's admin, reads the organization's index (an index per location
    /// would have to be read location by location and merged). SQLite only: PostgreSQL's planner weighs both indexes by
    /// itself, and with the organization's term written `+c.organization_id` it read the location's claims in a bitmap
    /// and sorted them all (2,228 at 20,000 claims, `ReadPlanTests`).
    static func locationLed(_ sort: ClaimListQuery.Sort, in scope: AccessScope) -> Bool {
        guard sort == .amount, case .partner(_, let locations) = scope else { return false }
        return locations.count == 1
    }

    /// The viewer's scope on `c` for a walked read (`filters`): a partner's organization stays indexable where the read's
    /// index begins with it (the engagement walk's `claims_org_engagement_claim`, a sort's `(organization_id, key, id)`);
    /// the rest is written `+c.column`.
    static func walkScope(_ scope: AccessScope, organizationIndexed: Bool) -> SQLQueryString {
        scope.filter(organization: organizationIndexed ? "c.organization_id" : "+c.organization_id", location: "+c.location_id")
    }

    /// A claim without an open clock sorts after every deadline.
    static let noDeadline = Date(timeIntervalSince1970: 253_402_214_400) // 9999-12-31

    /// The sort column; nullable ones are coalesced so every row has a key the keyset can compare
    /// (no deadline sorts after every deadline, no amount before every amount): `due_sort` and `amount_sort` are
    /// generated columns that indexes hold (migrations 8 and 36).
    static func sortKey(_ sort: ClaimListQuery.Sort) -> SQLQueryString {
        switch sort {
        case .updated, .due: dateKey(sort, alias: "c")
        case .name: "c.name"
        case .customer: "pc.name"
        case .engagement: "e.name"
        case .location: "l.name"
        case .status: "c.status"
        case .amount: "c.amount_sort"
        }
    }

    /// What a sort orders by before the claim id. Status groups the claims by status, and within one the latest
    /// updated come first (the list's usual order): `claims_status_updated` and `claims_org_status` then hand over the
    /// rows in order, where status then id sorted every claim of each status (0.17 s for the vendor at a million claims).
    static func sortKeys(_ sort: ClaimListQuery.Sort) -> [SQLQueryString] {
        switch sort {
        case .status: ["c.status", "c.updated_at"]
        // A name may be shared: each location's, engagement's or customer's claims stay together (a customer's by
        // location), in id order.
        case .location, .engagement, .customer: ClaimListing.walk(for: sort)!.keys
        default: [sortKey(sort)]
        }
    }

    /// The ORDER BY terms of a sort: its keys, then the claim id, all in `direction`.
    static func orderBy(_ sort: ClaimListQuery.Sort, _ direction: String) -> SQLQueryString {
        var order: SQLQueryString = ""
        for key in sortKeys(sort) {
            order.appendInterpolation(key)
            order.appendLiteral(" \(direction), ")
        }
        order.appendLiteral("c.id \(direction)")
        return order
    }

    /// The date sort keys on a claims row aliased `alias`.
    static func dateKey(_ sort: ClaimListQuery.Sort, alias: String) -> SQLQueryString {
        // due_sort is COALESCE(due_at, noDeadline), a generated column (migration 8) so indexes can serve the sort.
        sort == .due ? "\(ident: alias).due_sort" : "\(ident: alias).updated_at"
    }

}

/// One line of a claims list as its reader wants it: the page's summary (`ClaimSummary`), the claim in the shared JSON shape
/// (`ClaimJSON`, the API's list) or the export's line (`ClaimExportLine`), each read from the same statement
/// (`ClaimListing.linesQuery`) without a line of another kind in between.
protocol ClaimListLine: Sendable {
    /// Whether the statement reads `ClaimListing.jsonColumns` too.
    static var readsJSONColumns: Bool { get }
    /// A page of the statement's lines, read in place from SQLite.
    static func page(_ query: SQLQueryString, on sqlite: SQLiteStatementDatabase) async throws -> [Self]
    /// One of the statement's rows, read by name (PostgreSQL's).
    init(row: any SQLRow) throws
    var id: Int64 { get }
    /// This line's keyset key for the sort: the cursor of the page it ends.
    func key(for sort: ClaimListQuery.Sort) -> ClaimCursor.Key
}

extension ClaimSummary: ClaimListLine {
    static var readsJSONColumns: Bool { false }

    func key(for sort: ClaimListQuery.Sort) -> ClaimCursor.Key {
        switch sort {
        case .updated: .date(updatedAt)
        case .name: .text(name)
        case .customer: .text(customerName)
        case .engagement: .text(engagementName)
        case .location: .text(locationName)
        case .status: .text(status.rawValue)
        case .due: .date(dueAt ?? ClaimListing.noDeadline)
        case .amount: .number(amount?.minorUnits ?? -1)
        }
    }
}

extension ClaimJSON: ClaimListLine {
    static var readsJSONColumns: Bool { true }

    func key(for sort: ClaimListQuery.Sort) -> ClaimCursor.Key {
        switch sort {
        case .updated: .date(updatedAt)
        case .name: .text(name)
        case .customer: .text(customer.name)
        case .engagement: .text(engagementName)
        case .location: .text(locationName)
        case .status: .text(status)
        case .due: .date(nextDeadline?.dueAt ?? ClaimListing.noDeadline)
        // The amount's exact text has the currency's minor digits: without its point it is the minor units.
        case .amount: .number(amount.flatMap { Int64($0.amount.replacingOccurrences(of: ".", with: "")) } ?? -1)
        }
    }
}

extension ClaimExportLine: ClaimListLine {
    static var readsJSONColumns: Bool { false }
}

/// What the claims list's tabs and filters offer: solution areas, engagements, and the scope's locations.
public struct ClaimListChoices: Sendable {
    public var areas: [SolutionArea]
    public var engagements: [(id: Int64, name: String)]
    public var locations: [(id: Int64, name: String)]
}

extension ClaimListing {
    public func choices(in scope: AccessScope) async throws -> ClaimListChoices {
        try await db.read { sql in
            let areas = try await sql.raw("SELECT id, code, name FROM solution_areas ORDER BY position, id")
                .all(decoding: SolutionArea.self, with: .snakeCase)
            // By hand, not a `Decodable` row: every claims page lists these in its filters.
            func named(_ row: any SQLRow) throws -> (id: Int64, name: String) {
                let column = StoredColumns(row)
                return (try column("id"), try column("name"))
            }
            let engagements = try await sql.raw("SELECT id, name FROM engagements WHERE lifecycle <> 'draft' ORDER BY name, id").all()
                .map(named)
            let locations = try await sql.raw("SELECT l.id, l.name FROM locations l WHERE \(scope.locationFilter("l")) ORDER BY l.name, l.id")
                .all().map(named)
            return ClaimListChoices(areas: areas, engagements: engagements, locations: locations)
        }
    }
}

/// Something listed by id and name (a solution area in exports, an engagement or location in the filters).
private struct NamedRow: Decodable {
    var id: Int64
    var name: String
}

/// A count per solution area.
private struct AreaCountRow: Decodable {
    var area: Int64
    var n: Int
}

/// A claims export ready to stream (`ClaimListing.prepareExport`): only the keyset batches are left to read.
public struct ClaimExport: Sendable {
    let db: Database
    let query: ClaimListQuery
    let format: ExportFormat
    let scope: AccessScope
    let now: Date
    let areas: [Int64: String]
    let match: ClaimSearchIndex.Match?

    /// How many claims the file will hold, counted before it is written (for the command's progress).
    public func count() async throws -> Int {
        var condition = ClaimListing.filters(query, match: match, in: scope, now: now)
        condition.appendLiteral(" AND ")
        condition.appendInterpolation(ClaimListing.tabCondition(query.tab, now: now))
        return try await db.read { [condition] in try await ClaimListing.total("COUNT(*)", from: "claims c", where: condition, on: $0) }
    }

    /// The most claims read in one keyset query: few queries for a million claims, a page's rows (a few MiB) in memory.
    public static let pageSize = 2_000

    /// How many pages are read side by side ahead of the one being written: the two cores each read one while the
    /// writing waits for the oldest, with one more queued so that neither reader waits for the scout.
    static let pagesAhead = 3

    /// Writes the file to `sink` in pieces of about 64 KiB; returns the number of claims written.
    ///
    /// Reading is most of an export's time (a million claims in their sort order are a million random reads of
    /// `claims` and of `customers`), and one page's read cannot start from the row the page before ended on until that
    /// page is read. So a scout (`ClaimListing.pageEnd`, on the sort's index alone) finds where each page ends first,
    /// and each page is read as the range between two of those rows, `pagesAhead` at once, on connections of their
    /// own, while the oldest is written. Pages never overlap: each holds the rows between its two ends as they are when
    /// it is read. The file is not one instant's snapshot, as it was not when the pages were read one after the other:
    /// a claim whose sort key changes during the export may be written at its old place, at its new one, or at both.
    /// - Parameter progress: the claims written so far, after each batch.
    @discardableResult
    public func write(progress: (@Sendable (Int) -> Void)? = nil, to sink: ([UInt8]) async throws -> Void) async throws -> Int {
        var writer = format.writer(columns: ClaimListing.exportColumns, sheetName: "Claims", now: now)
        let (db, match, scope, now, view) = (self.db, self.match, self.scope, self.now, self.query)
        let size = max(1, min(view.limit, Self.pageSize))
        let scout = { @Sendable (after: ClaimCursor?) in
            Task {
                var query = view
                query.after = after
                return try await db.read { [query] in try await ClaimListing.pageEnd(query, size: size, match: match, in: scope, now: now, on: $0) }
            }
        }
        let read = { @Sendable (after: ClaimCursor?, through: ClaimCursor?) in
            Task {
                var query = view
                query.after = after
                var lines: [ClaimExportLine] = []
                // Rows written into the range since the scout passed make it longer than a page: read on until its end.
                repeat {
                    let (page, next) = try await db.read { [query] sql in
                        try await ClaimListing.lines(ClaimExportLine.self, query, match: match, in: scope, now: now,
                                                     through: through, largestPage: Self.pageSize, on: sql)
                    }
                    lines += page
                    query.after = next
                } while query.after != nil
                return lines
            }
        }
        var pages: [Task<[ClaimExportLine], any Error>] = []
        var scouting: Task<ClaimCursor?, any Error>? = scout(nil)
        var start: ClaimCursor?
        defer {
            scouting?.cancel()
            for page in pages { page.cancel() }
        }
        // What the writer leaves to finish (a workbook's deflate) runs beside the next rows, each piece after the one
        // before it; the oldest goes to the sink once a few wait.
        var finishing: [Task<[UInt8], Never>] = []
        func handOver(_ work: @escaping @Sendable () -> [UInt8]) {
            let before = finishing.last
            finishing.append(Task {
                _ = await before?.value
                return work()
            })
        }
        var count = 0
        while true {
            while pages.count < Self.pagesAhead, let next = scouting {
                let end = try await next.value
                scouting = end.map { scout($0) }
                pages.append(read(start, end))
                start = end
            }
            guard !pages.isEmpty else { break }
            let rows = try await pages.removeFirst().value
            for claim in rows {
                writer.row(ClaimListing.exportCells(claim, area: areas[claim.solutionAreaID] ?? ""))
                if writer.pendingCount >= 1 << 16 {
                    handOver(writer.takeDeferred())
                    if finishing.count > 2 { try await sink(await finishing.removeFirst().value) }
                }
            }
            count += rows.count
            progress?(count)
        }
        writer.finish()
        handOver(writer.takeDeferred())
        for piece in finishing { try await sink(await piece.value) }
        return count
    }
}
