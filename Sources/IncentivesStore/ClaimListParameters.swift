import Foundation
import IncentivesDomain

/// The claims list's query parameters as they arrive, on the page's address or in the API's query, and the one reading
/// of them into a `ClaimListQuery` that both surfaces use.
public struct ClaimListParameters: Sendable, Hashable {
    /// How to take a value that is not one the list knows.
    public enum Reading: Sendable {
        /// The page's: an unknown value falls back to its default, so a shared link with a stale filter still opens.
        case lenient
        /// The API's: an unknown value is refused with what it takes.
        case strict
    }

    public var tab: String?
    public var q: String?
    public var status: String?
    public var kind: String?
    public var engagement: String?
    public var location: String?
    public var due: String?
    public var sort: String?
    public var dir: String?
    public var per: String?
    public var after: String?

    /// The parameters by name, as `value` finds them (the first of each, for a URL that repeats one).
    public init(_ value: (String) -> String?) {
        tab = value("tab")
        q = value("q")
        status = value("status")
        kind = value("kind")
        engagement = value("engagement")
        location = value("location")
        due = value("due")
        sort = value("sort")
        dir = value("dir")
        per = value("per")
        after = value("after")
    }

    /// The tab names a solution area (or nothing known), so the areas are needed to read it.
    public var namesArea: Bool { tab.map { $0 != "attention" } ?? false }

    /// The query these parameters ask for. A page token that does not decode is refused in either reading: guessing
    /// would show the wrong rows.
    /// - Parameter areas: the solution areas whose codes a tab may name.
    public func query(areas: [SolutionArea], reading: Reading) throws(ClaimListParameterRefusal) -> ClaimListQuery {
        if reading == .strict { try checkStrictly(areas: areas) }
        var query = ClaimListQuery()
        let tab = tab.flatMap { $0.isEmpty ? nil : $0 }
        if tab == "attention" { query.tab = .attention }
        else if let area = areas.first(where: { $0.code == tab }) { query.tab = .area(area.id) }
        // 200 code points, as the API's contract counts: a Character may carry any number of combining marks.
        query.search = q.map { String(String.UnicodeScalarView($0.unicodeScalars.prefix(200))) }
            .flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        query.status = status.flatMap(ClaimStatus.init(rawValue:))
        query.kind = kind.flatMap(ClaimKind.init(rawValue:))
        query.engagementID = engagement.flatMap { Int64($0) }
        query.locationID = location.flatMap { Int64($0) }
        query.dueWithinDays = due.flatMap { Int($0) }.flatMap { (1...365).contains($0) ? $0 : nil }
        query.sort = sort.flatMap(ClaimListQuery.Sort.init(rawValue:)) ?? .updated
        query.descending = dir.map { $0 != "asc" } ?? true
        query.limit = per.flatMap { Int($0) }.flatMap { ClaimListQuery.pageSizes.contains($0) ? $0 : nil } ?? 50
        if let after, !after.isEmpty {
            guard let cursor = ClaimCursor(token: after) else { throw .damagedCursor }
            query.after = cursor
        }
        return query
    }

    /// Each value the list would not take as sent, in the order the API has always checked them.
    private func checkStrictly(areas: [SolutionArea]) throws(ClaimListParameterRefusal) {
        func bad(_ parameter: String, _ message: String) -> ClaimListParameterRefusal {
            ClaimListParameterRefusal(parameter: parameter, message: "\(parameter): \(message)")
        }
        if let status, ClaimStatus(rawValue: status) == nil { throw bad("status", "unknown claim status '\(status)'.") }
        if let kind, ClaimKind(rawValue: kind) == nil { throw bad("kind", "partner_activities or use_or_consume.") }
        for (name, value) in [("engagement", engagement), ("location", location)] {
            if let value, Int64(value) == nil { throw bad(name, "an id, a whole number.") }
        }
        if let due, !(Int(due).map { (1...365).contains($0) } ?? false) { throw bad("due", "a number of days from 1 to 365.") }
        if let sort, ClaimListQuery.Sort(rawValue: sort) == nil {
            throw bad("sort", "one of \(ClaimListQuery.Sort.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let dir, dir != "asc" && dir != "desc" { throw bad("dir", "asc or desc.") }
        if let per, !(Int(per).map(ClaimListQuery.pageSizes.contains) ?? false) {
            throw bad("per", "one of \(ClaimListQuery.pageSizes.map(String.init).joined(separator: ", ")).")
        }
        if let q, q.unicodeScalars.count > 200 { throw bad("q", "at most 200 characters (code points).") }
        if let after, ClaimCursor(token: after) == nil { throw .damagedCursor }
        if namesArea, !areas.contains(where: { $0.code == tab }) { throw bad("tab", "attention, or a solution area's code.") }
    }
}

/// A claims list parameter that cannot be read: which one, and what it takes.
public struct ClaimListParameterRefusal: Error, Sendable, Hashable {
    public let parameter: String
    public let message: String

    /// A page token that does not decode, or (from the listing) names a claim the caller does not see.
    public static let damagedCursor = ClaimListParameterRefusal(parameter: "after",
                                                                message: "after: this cursor is damaged; start from the first page.")
}
