import Foundation
import IncentivesDomain
import SQLKit

/// How many of the scope's claims expire in each slice of a span (the partner's home page: each day of their next 14 days,
/// cut at their own zone's midnights).
enum ExpiryCounts {
    static let hour: Int64 = 3_600
    static let quarter: Int64 = 21_600
    static let day: Int64 = 86_400

    /// Slice index to claims expiring in it; slices without any are left out. A partner's are added up from
    /// `claim_expiry_cells` (kept by triggers, migration 27); anyone else's (no page asks) are counted claim by claim.
    static func counts(_ slices: [PeriodSlice], in scope: AccessScope, on sql: any SQLDatabase) async throws -> [Int: Int] {
        guard case .partner = scope, !slices.isEmpty else { return try await scan(slices, in: scope, on: sql) }
        // Each boundary is counted as F: the claims expiring from the first boundary's UTC day up to it. A slice is the
        // difference of its two boundaries' F.
        let points = (slices.map(\.start) + [slices[slices.count - 1].end]).map(Point.init)
        let base = points[0].dayStart
        // The cells to read: whole days from the first boundary's to the last one's, and around each boundary its day's
        // quarters up to the nearest quarter boundary and the hours between that and its own hour.
        let quarters = merged(points.map { ($0.dayStart, $0.quarterEnd) })
        let hours = merged(points.map { ($0.hourStart < $0.quarterEnd) ? ($0.hourStart, $0.quarterEnd) : ($0.quarterEnd, $0.hourStart) })
        let ranges = [(day, base, points.map(\.dayStart).max()!)] + quarters.map { (quarter, $0.0, $0.1) } + hours.map { (hour, $0.0, $0.1) }
        var cells: SQLQueryString = ""
        for (i, (span, from, to)) in ranges.enumerated() {
            if i > 0 { cells.appendLiteral(" UNION ALL ") }
            cells.appendLiteral("SELECT k.span, k.at, k.n FROM claim_expiry_cells k WHERE ")
            cells.appendInterpolation(scope.claimFilter("k"))
            cells.appendInterpolation(" AND k.span = \(bind: span) AND k.at >= \(bind: from) AND k.at < \(bind: to)" as SQLQueryString)
        }
        var kept: [Int64: [Int64: Int]] = [:]
        for row in try await sql.raw(cells).all(decoding: CellRow.self) { kept[row.span, default: [:]][row.at, default: 0] += row.n }
        let sum = { (span: Int64, from: Int64, to: Int64) in
            kept[span, default: [:]].reduce(0) { $0 + ($1.key >= from && $1.key < to ? $1.value : 0) }
        }

        // Only a boundary off the hour (now, or a midnight of a zone half an hour off UTC) reads claims: those between its
        // hour and itself.
        var partial: [Int: Int] = [:]
        let offHour = points.indices.filter { points[$0].at.timeIntervalSince1970 != Double(points[$0].hourStart) }
        if !offHour.isEmpty {
            var claims: SQLQueryString = ""
            for (i, index) in offHour.enumerated() {
                if i > 0 { claims.appendLiteral(" UNION ALL ") }
                let point = points[index]
                claims.appendInterpolation("""
                    SELECT \(bind: index) AS point, COUNT(*) AS n FROM claims c
                    WHERE c.expires_at >= \(bind: point.hourDate) AND c.expires_at < \(bind: point.at) AND \(scope.claimFilter("c"))
                    """ as SQLQueryString)
            }
            for row in try await sql.raw(claims).all(decoding: PointRow.self) { partial[row.point] = row.n }
        }

        let below = points.indices.map { i -> Int in
            let p = points[i]
            let hours = p.hourStart < p.quarterEnd ? -sum(hour, p.hourStart, p.quarterEnd) : sum(hour, p.quarterEnd, p.hourStart)
            return sum(day, base, p.dayStart) + sum(quarter, p.dayStart, p.quarterEnd) + hours + (partial[i] ?? 0)
        }
        var counts: [Int: Int] = [:]
        for i in slices.indices where below[i + 1] != below[i] { counts[i] = below[i + 1] - below[i] }
        return counts
    }

    /// The same counts read claim by claim: each expiring claim in the span, put in its slice.
    static func scan(_ slices: [PeriodSlice], in scope: AccessScope, on sql: any SQLDatabase) async throws -> [Int: Int] {
        guard let first = slices.first, let last = slices.last else { return [:] }
        let rows = try await sql.raw("""
            SELECT d.slice, COUNT(*) AS n FROM (
              SELECT \(PeriodSQL.sliceIndex("c.expires_at", slices)) AS slice FROM claims c
              WHERE c.expires_at IS NOT NULL AND c.expires_at >= \(bind: first.start) AND c.expires_at < \(bind: last.end)
                AND \(scope.claimFilter("c"))) d
            GROUP BY d.slice
            """).all(decoding: SliceRow.self)
        return Dictionary(rows.map { ($0.slice, $0.n) }, uniquingKeysWith: +)
    }

    /// A slice boundary and the cells around it.
    struct Point {
        let at: Date
        /// The first second of its UTC hour and of its UTC day, since 1970.
        let hourStart: Int64
        let dayStart: Int64
        /// The quarter-day boundary nearest its hour (the day's start up to the next day's): the day up to there is whole
        /// quarter cells, and at most three hour cells lie between there and its hour.
        let quarterEnd: Int64

        init(_ at: Date) {
            self.at = at
            let seconds = at.timeIntervalSince1970
            hourStart = Int64((seconds / Double(ExpiryCounts.hour)).rounded(.down)) * ExpiryCounts.hour
            dayStart = Int64((seconds / Double(ExpiryCounts.day)).rounded(.down)) * ExpiryCounts.day
            let hours = (hourStart - dayStart) / ExpiryCounts.hour
            quarterEnd = dayStart + (hours + 3) / 6 * ExpiryCounts.quarter
        }

        var hourDate: Date { Date(timeIntervalSince1970: Double(hourStart)) }
    }

    /// The ranges with overlapping or touching ones joined, so no cell is read twice.
    static func merged(_ ranges: [(Int64, Int64)]) -> [(Int64, Int64)] {
        var joined: [(Int64, Int64)] = []
        for range in ranges.filter({ $0.0 < $0.1 }).sorted(by: { $0.0 < $1.0 }) {
            if let last = joined.last, range.0 <= last.1 {
                joined[joined.count - 1].1 = max(last.1, range.1)
            } else {
                joined.append(range)
            }
        }
        return joined
    }

    private struct CellRow: Decodable { var span: Int64; var at: Int64; var n: Int }
    private struct PointRow: Decodable { var point: Int; var n: Int }
    private struct SliceRow: Decodable { var slice: Int; var n: Int }
}
