import Foundation
import IncentivesDomain
import SQLKit
import Synchronization

/// The claims list's search, read from `claim_search` (migration 9): one lower-cased text per claim of its name,
/// the customer's name, domain and tenant id, and the contacts' emails. SQLite keeps it in an FTS5 trigram index
/// and PostgreSQL in a table with a pg_trgm index, so a search of 3 characters or more reads the index, not a
/// million claims. The triggers of migrations 9 and 17 write that text; a change to it needs a new migration.
enum ClaimSearchIndex {
    /// Up to this many matching claims, the list reads them by id; past it the search is broad, and the list
    /// walks its sort order keeping the matches (which then come quickly, being many).
    static let narrowLimit = 5_000

    /// A search resolved against the index.
    enum Match: Sendable {
        /// Every matching claim id (at most `narrowLimit`), and the claim id typed, if a number was.
        case narrow([Int64])
        /// More than `narrowLimit` claims match: `condition` keeps them, row by row.
        case broad(SQLQueryString)

        /// The condition on `claims c`.
        var condition: SQLQueryString {
            switch self {
            case .narrow(let ids):
                guard !ids.isEmpty else { return "1 = 0" }
                var query: SQLQueryString = "c.id IN ("
                for (i, id) in ids.enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(bind: id)
                }
                query.appendLiteral(")")
                return query
            case .broad(let condition): return condition
            }
        }
    }

    /// The scope's claims whose search text contains the search (case-insensitive, `%` and `_` taken literally), or
    /// whose id it is (`42` or `#42`); nil when there is no search. The scope applies before `narrowLimit`: how many
    /// other organizations' claims match never shows.
    static func match(_ search: String?, flavor: SQLFlavor, narrowLimit: Int = narrowLimit, in scope: AccessScope,
                      on sql: any SQLDatabase) async throws -> Match? {
        // Control characters are dropped here, for every caller: nobody types them, PostgreSQL refuses NUL in text, and
        // char 31 separates the indexed fields.
        let typed = search.map { String(String.UnicodeScalarView($0.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })) }
        guard let term = typed?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !term.isEmpty else { return nil }
        let id = Int64(term.hasPrefix("#") ? String(term.dropFirst()) : term)
        let source = matching(term, flavor: flavor, in: scope)
        var limited = source
        limited.appendLiteral(" LIMIT \(narrowLimit + 1)")
        let ids = try await sql.raw(limited).all(decodingColumn: "id", as: Int64.self)
        if ids.count <= narrowLimit {
            return .narrow(Array(Set(ids + (id.map { [$0] } ?? []))).sorted())
        }
        // Many claims match: the list walks its sort order and keeps a row when its text holds the search, read
        // by claim id (the matches being many, a page fills after a few thousand rows at most). The text is read
        // from FTS5's own content table on SQLite: through the virtual table, SQLite would answer the LIKE from the
        // trigram index for every row.
        let pattern = likePattern(term)
        var condition: SQLQueryString = switch flavor {
        case .sqlite: "(EXISTS (SELECT 1 FROM claim_search_content s WHERE s.id = c.id AND s.c0 LIKE \(bind: pattern) ESCAPE '\\')"
        case .postgres: "(EXISTS (SELECT 1 FROM claim_search s WHERE s.claim_id = c.id AND s.doc LIKE \(bind: pattern) ESCAPE '\\')"
        }
        if let id {
            condition.appendLiteral(" OR c.id = ")
            condition.appendInterpolation(bind: id)
        }
        condition.appendLiteral(")")
        return .broad(condition)
    }

    /// The ids (column `id`) of the scope's claims whose search text contains `term` (lower-cased already).
    static func matching(_ term: String, flavor: SQLFlavor, in scope: AccessScope) -> SQLQueryString {
        switch flavor {
        case .sqlite where term.unicodeScalars.count >= 3:
            // A phrase of the trigram index: every character literal (quotes doubled), read from the index. (LIKE
            // would use the index too, but not with an ESCAPE clause, which literal % and _ need.) CROSS JOIN keeps the
            // index the outer loop: SQLite would otherwise walk the scope's claims and run the phrase once per claim.
            return """
                SELECT claim_search.rowid AS id FROM claim_search CROSS JOIN claims c
                WHERE claim_search MATCH \(bind: phrase(term))
                  AND c.id = claim_search.rowid AND \(scope.claimFilter("c"))
                """
        case .sqlite:
            // One or two characters are shorter than a trigram: the scope's texts are read, from FTS5's own content
            // table (through the virtual table, each lookup by id costs far more).
            return """
                SELECT c.id FROM claims c JOIN claim_search_content s ON s.id = c.id
                WHERE \(scope.claimFilter("c")) AND s.c0 LIKE \(bind: likePattern(term)) ESCAPE '\\'
                """
        case .postgres:
            return """
                SELECT s.claim_id AS id FROM claim_search s JOIN claims c ON c.id = s.claim_id
                WHERE s.doc LIKE \(bind: likePattern(term)) ESCAPE '\\' AND \(scope.claimFilter("c"))
                """
        }
    }

    /// An FTS5 phrase of `term`: in double quotes, its own quotes doubled.
    /// By code point: a quote followed by a mark is one Swift `Character`, and a `replacingOccurrences` missed it.
    static func phrase(_ term: String) -> String {
        "\"" + term.escapingScalars { $0 == "\"" ? "\"\"" : nil } + "\""
    }

    /// `%term%` with the user's `%`, `_` and `\` taken literally (by code point, as LIKE reads them).
    static func likePattern(_ term: String) -> String {
        "%" + term.escapingScalars { $0 == "\\" || $0 == "%" || $0 == "_" ? "\\" + String($0) : nil } + "%"
    }
}

typealias TabCounts = (all: Int, attention: Int, byArea: [Int64: Int])

/// The claims list's tab counts per view, in this instance's memory. An entry holds while no claim was written
/// through this instance (`Database.claimGeneration`) and for at most `lifetime`, which bounds how stale a count
/// can be when other instances write; it is keyed by the minute too, as the attention tab's window moves with time.
final class TabCountCache: Sendable {
    struct Entry { let counts: TabCounts; let generation: UInt64; let stored: ContinuousClock.Instant }

    static let lifetime: Duration = .seconds(30)
    static let capacity = 2_000
    private let entries = Mutex<[String: Entry]>([:])

    static func key(_ query: ClaimListQuery, scope: AccessScope, now: Date) -> String {
        let search: String = query.search?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() ?? ""
        let minute = Int(now.timeIntervalSince1970 / 60)
        func text(_ value: Int64?) -> String { value.map { String($0) } ?? "" }
        // The scope spelled out with its locations in order: a Set's own description may list them in any order.
        let who: String = switch scope {
        case .partner(let organization, let locations): "p\(organization):" + locations.sorted().map { String($0) }.joined(separator: ",")
        case .vendor: "vendor"
        case .system: "system"
        }
        let parts: [String] = [
            who, query.status?.rawValue ?? "", query.kind?.rawValue ?? "", text(query.engagementID),
            text(query.locationID), text(query.organizationID), query.dueWithinDays.map { String($0) } ?? "", String(minute), search,
        ]
        return parts.joined(separator: "\u{1F}")
    }

    /// Drops every entry: the next list of each view counts again.
    func forget() { entries.withLock { $0.removeAll() } }

    func value(for key: String, generation: UInt64) -> TabCounts? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.generation == generation, ContinuousClock.now - entry.stored < Self.lifetime else {
                entries[key] = nil
                return nil
            }
            return entry.counts
        }
    }

    func store(_ counts: TabCounts, for key: String, generation: UInt64) {
        entries.withLock { entries in
            if entries.count >= Self.capacity {
                let now = ContinuousClock.now
                entries = entries.filter { $0.value.generation == generation && now - $0.value.stored < Self.lifetime }
                if entries.count >= Self.capacity { entries.removeAll() }
            }
            entries[key] = Entry(counts: counts, generation: generation, stored: .now)
        }
    }
}
