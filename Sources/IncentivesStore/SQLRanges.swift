import SQLKit

/// Rows of a column within any of some half-open ranges, `((C >= a AND C < b) OR (…))`, each bound a bind: the kept
/// tables' period reads (days, hours, slots, the raw rows at a period's edges) all ask this shape. A range may carry a
/// condition of its own, written before it (a slot table's grain). No range matches nothing.
enum SQLRanges {
    static func any<Bound: Encodable & Sendable>(_ column: String, _ ranges: [(from: Bound, to: Bound)],
                                                  also: (Int) -> String? = { _ in nil }) -> SQLQueryString {
        guard !ranges.isEmpty else { return "(1 = 0)" }
        var query: SQLQueryString = "("
        for (i, range) in ranges.enumerated() {
            query.appendLiteral(i == 0 ? "(" : " OR (")
            if let condition = also(i) { query.appendLiteral("\(condition) AND ") }
            query.appendLiteral("\(column) >= ")
            query.appendInterpolation(bind: range.from)
            query.appendLiteral(" AND \(column) < ")
            query.appendInterpolation(bind: range.to)
            query.appendLiteral(")")
        }
        query.appendLiteral(")")
        return query
    }
}
