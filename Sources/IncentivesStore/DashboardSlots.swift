import Foundation
import IncentivesDomain
import SQLKit

/// Which of the kept slots (`funnel_slots`, `decision_slots`: UTC days and quarter hours, migration 29) add up to a
/// period's slices exactly: a UTC day that lies inside one slice is read whole, and the days a slice boundary (the viewer's
/// local midnight) falls inside are read by the quarter hour. So a period reads about one row per day and location, plus
/// 96 at most around each boundary, whatever the number of claims.
struct SlotPlan: Equatable {
    static let day: Int64 = 86_400
    static let quarterHour: Int64 = 900

    struct Range: Equatable {
        var grain: Int64
        /// The first slot's first second, and the second after the last slot.
        var from: Int64
        var to: Int64
    }

    var ranges: [Range] = []
    /// Where the slices meet, in seconds since 1970.
    var boundaries: [Int64]

    /// Nil when a slice starts or ends off a quarter hour (a zone's midnight before standard offsets): such a period is
    /// counted from the claims themselves.
    init?(_ slices: [PeriodSlice]) {
        guard let first = slices.first else { return nil }
        self.init(cuts: [first.start] + slices.map(\.end))
    }

    /// A span alone: one slice.
    init?(_ span: DateInterval) { self.init(cuts: [span.start, span.end]) }

    /// `cuts`: the first slice's start, then each slice's end.
    private init?(cuts instants: [Date]) {
        var cuts: [Int64] = []
        for instant in instants {
            let seconds = instant.timeIntervalSince1970
            guard seconds.rounded() == seconds, let whole = Int64(exactly: seconds), whole % Self.quarterHour == 0 else { return nil }
            cuts.append(whole)
        }
        boundaries = Array(cuts.dropFirst().dropLast())
        let end = cuts.last!
        var t = cuts[0], next = 0
        while t < end {
            let dayEnd = (t / Self.day + (t % Self.day < 0 ? 0 : 1)) * Self.day
            while next < boundaries.count && boundaries[next] <= t { next += 1 }
            let cutInside = next < boundaries.count && boundaries[next] < dayEnd
            if t % Self.day == 0 && dayEnd <= end && !cutInside {
                add(Self.day, t, dayEnd)
                t = dayEnd
            } else {
                let to = min(dayEnd, end)
                add(Self.quarterHour, t, to)
                t = to
            }
        }
    }

    private mutating func add(_ grain: Int64, _ from: Int64, _ to: Int64) {
        if let last = ranges.last, last.grain == grain, last.to == from {
            ranges[ranges.count - 1].to = to
        } else {
            ranges.append(Range(grain: grain, from: from, to: to))
        }
    }

    /// The rows of `alias` (a slots table) the period adds up.
    func condition(_ alias: String) -> SQLQueryString {
        SQLRanges.any("\(alias).slot", ranges.map { (from: $0.from, to: $0.to) }) { "\(alias).grain = \(ranges[$0].grain)" }
    }

    /// The index of the slice a slot of `alias` falls in.
    func sliceIndex(_ alias: String) -> SQLQueryString { PeriodSQL.index("\(alias).slot", below: boundaries) }
}

/// The review queue's counts at `now` (migration 29's `review_queue_days`, and `review_queue` for the days an edge falls
/// in): which bucket of `ReviewWait` a claim's wait is in, and how it stands against its review deadline, decided for
/// whole days where no edge falls inside the day.
struct QueueEdges {
    let now: Date
    let near: Date
    /// The instants a claim must have been last submitted by to have waited each bucket's first day (bucket 1 onwards).
    let waited: [Date]

    init(now: Date) {
        self.now = now
        near = now.adding(calendarDays: ReviewWait.nearDays)
        waited = ReviewWait.bucketStarts.dropFirst().map { now.addingTimeInterval(-Double($0) * 86_400) }
    }

    static func dayOf(_ instant: Date) -> Int64 { Int64((instant.timeIntervalSince1970 / 86_400).rounded(.down)) * 86_400 }

    /// The days of waiting since, and of deadlines, that an edge falls inside: their claims are read one by one.
    var sinceDays: [Int64] { Array(Set(waited.map(Self.dayOf))).sorted() }
    var dueDays: [Int64] { Array(Set([now, near].map(Self.dayOf))).sorted() }

    /// The bucket of a claim last submitted at `since` (an instant, or a day's first second).
    func bucket(_ since: String, seconds: Bool) -> SQLQueryString {
        var query: SQLQueryString = "CASE"
        for (i, edge) in waited.enumerated().reversed() {
            query.appendLiteral(" WHEN \(since) <= ")
            if seconds { query.appendInterpolation(bind: edge.timeIntervalSince1970) } else { query.appendInterpolation(bind: edge) }
            query.appendLiteral(" THEN \(i + 1)")
        }
        query.appendLiteral(" ELSE 0 END")
        return query
    }

    /// The standing of a review deadline `due` (an instant or a day's first second; NULL or -1 for none).
    func standing(_ due: String, seconds: Bool) -> SQLQueryString {
        var query: SQLQueryString = seconds ? "CASE WHEN \(unsafeRaw: due) = -1 THEN 'later'" : "CASE WHEN \(unsafeRaw: due) IS NULL THEN 'later'"
        for (edge, name) in [(now, "past"), (near, "near")] {
            query.appendLiteral(" WHEN \(due) < ")
            if seconds { query.appendInterpolation(bind: edge.timeIntervalSince1970) } else { query.appendInterpolation(bind: edge) }
            query.appendLiteral(" THEN '\(name)'")
        }
        query.appendLiteral(" ELSE 'later' END")
        return query
    }

    static func list(_ values: [Int64]) -> SQLQueryString {
        var query: SQLQueryString = ""
        for (i, value) in values.enumerated() {
            if i > 0 { query.appendLiteral(", ") }
            query.appendInterpolation(bind: value)
        }
        return query
    }

    /// The raw rows of `alias` (`review_queue`) whose `column` falls in one of `days`.
    static func within(_ alias: String, _ column: String, _ days: [Int64]) -> SQLQueryString {
        SQLRanges.any("\(alias).\(column)", days.map {
            (from: Date(timeIntervalSince1970: TimeInterval($0)), to: Date(timeIntervalSince1970: TimeInterval($0 + 86_400)))
        })
    }
}

extension AccessScope {
    /// The rows of a table of migration 29 the scope reads: the whole program's (organization and location 0) for the
    /// vendor, its own locations' for a partner, exactly as `claimFilter` picks claims.
    func keptFilter(_ alias: String) -> SQLQueryString {
        switch self {
        case .vendor, .system: "\(ident: alias).organization_id = 0 AND \(ident: alias).location_id = 0"
        case .partner: claimFilter(alias)
        }
    }
}
