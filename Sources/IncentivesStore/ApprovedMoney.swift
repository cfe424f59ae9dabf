import Foundation
import IncentivesDomain
import SQLKit

/// Money approved before given instants, read from the kept `earning_months` and `earning_days` (migration 28) and the
/// few earnings of the hours next to each instant: what the home page's spend and top partners charts add up, in
/// proportion to the periods shown and never to the earnings. Exact to the cent, in any viewer's time zone.
enum ApprovedMoney {
    /// What stood approved before an instant, for one group (an engagement or an organization) and currency.
    struct Sums: Sendable, Hashable {
        /// Less reversed and forfeited, as budgets count it.
        var approvedMinor: Int64 = 0
        var paidMinor: Int64 = 0
        /// Earnings counted, whatever their status.
        var earnings: Int64 = 0

        static func + (a: Sums, b: Sums) -> Sums {
            Sums(approvedMinor: a.approvedMinor + b.approvedMinor, paidMinor: a.paidMinor + b.paidMinor, earnings: a.earnings + b.earnings)
        }
        static func - (a: Sums, b: Sums) -> Sums {
            Sums(approvedMinor: a.approvedMinor - b.approvedMinor, paidMinor: a.paidMinor - b.paidMinor, earnings: a.earnings - b.earnings)
        }
        func times(_ sign: Int64) -> Sums { Sums(approvedMinor: approvedMinor * sign, paidMinor: paidMinor * sign, earnings: earnings * sign) }
    }

    struct Group: Hashable { var id: Int64; var currency: String }

    /// How the sum before an instant is read: every month before `month` (UTC, `YYYY-MM`), plus or minus the whole days
    /// between that month's start and the UTC midnight nearest the instant, plus or minus the earnings between that
    /// midnight and the instant. The nearest month start and midnight keep both corrections small.
    struct Cut: Hashable {
        var month: String
        /// `YYYY-MM-DD` days in `from..<to`, counted with `daysSign`.
        var daysFrom: String, daysTo: String, daysSign: Int64
        var raw: DateInterval, rawSign: Int64

        init(_ instant: Date) {
            let calendar = Calendar.utc
            let dayStart = calendar.startOfDay(for: instant)
            let nextDay = calendar.date(byAdding: .day, value: 1, to: dayStart)!
            let toMidnight = instant.timeIntervalSince(dayStart) <= nextDay.timeIntervalSince(instant)
            let midnight = toMidnight ? dayStart : nextDay
            raw = toMidnight ? DateInterval(start: dayStart, end: instant) : DateInterval(start: instant, end: nextDay)
            rawSign = toMidnight ? 1 : -1
            let parts = calendar.dateComponents([.year, .month], from: midnight)
            let monthStart = calendar.date(from: parts)!
            let nextMonth = calendar.date(byAdding: .month, value: 1, to: monthStart)!
            let back = midnight.timeIntervalSince(monthStart) <= nextMonth.timeIntervalSince(midnight)
            let anchor = back ? monthStart : nextMonth
            month = String(Self.day(anchor).prefix(7))
            (daysFrom, daysTo) = back ? (Self.day(anchor), Self.day(midnight)) : (Self.day(midnight), Self.day(anchor))
            daysSign = back ? 1 : -1
        }

        /// The UTC day as `yyyy-MM-dd`, by arithmetic: a date formatter made per call was a twentieth of the vendor home
        /// page's CPU.
        static func day(_ date: Date) -> String { String(RFC3339.string(date).prefix(10)) }
    }

    /// Per group and currency, what stood approved before each instant (in the instants' order). With `fromStart` false
    /// the sums leave out the months before the earliest cut, the same for every instant: only their differences mean
    /// anything then, and fewer months are read.
    /// - Parameters:
    ///   - group: `ea.engagement_id` or `l.organization_id` (`l` the earning's location).
    ///   - earningsOnly: leave reversal earnings out (`kind = 'earning'`).
    static func before(_ instants: [Date], by group: String, earningsOnly: Bool, fromStart: Bool, in scope: AccessScope,
                       on sql: any SQLDatabase) async throws -> [Group: [Sums]] {
        guard !instants.isEmpty else { return [:] }
        let cuts = instants.map(Cut.init)
        let kind: SQLQueryString = earningsOnly ? " AND ea.kind = 'earning'" : ""
        let sums = """
            CAST(SUM(CASE WHEN ea.payment_status IN ('reversed', 'forfeited') THEN 0 ELSE ea.amount_minor END) AS BIGINT) AS approved,
            CAST(SUM(CASE WHEN ea.payment_status = 'paid' THEN ea.amount_minor ELSE 0 END) AS BIGINT) AS paid
            """
        struct Row: Decodable { var groupId: Int64; var currency: String; var at: String; var approved: Int64; var paid: Int64; var n: Int64 }
        var months: SQLQueryString = """
            SELECT \(unsafeRaw: group) AS group_id, ea.currency, ea.approved_month AS at, \(unsafeRaw: sums), CAST(SUM(ea.n) AS BIGINT) AS n
            FROM earning_months ea JOIN locations l ON l.id = ea.location_id
            WHERE ea.approved_month < \(bind: cuts.map(\.month).max()!)
            """
        if !fromStart { months.appendLiteral(" AND ea.approved_month >= "); months.appendInterpolation(bind: cuts.map(\.month).min()!) }
        months.appendLiteral(" AND ")
        months.appendInterpolation(scope.locationFilter("l"))
        months.appendInterpolation(kind)
        months.appendLiteral(" GROUP BY \(group), ea.currency, ea.approved_month")
        var days: SQLQueryString = """
            SELECT \(unsafeRaw: group) AS group_id, ea.currency, ea.approved_day AS at, \(unsafeRaw: sums), CAST(SUM(ea.n) AS BIGINT) AS n
            FROM earning_days ea JOIN locations l ON l.id = ea.location_id WHERE
            """
        days.appendInterpolation(SQLRanges.any("ea.approved_day", cuts.map { (from: $0.daysFrom, to: $0.daysTo) }))
        days.appendLiteral(" AND ")
        days.appendInterpolation(scope.locationFilter("l"))
        days.appendInterpolation(kind)
        days.appendLiteral(" GROUP BY \(group), ea.currency, ea.approved_day")
        struct Earning: Decodable { var groupId: Int64; var currency: String; var approvedAt: Date; var approved: Int64; var paid: Int64 }
        var raw: SQLQueryString = """
            SELECT \(unsafeRaw: group) AS group_id, ea.currency, ea.approved_at,
              CASE WHEN ea.payment_status IN ('reversed', 'forfeited') THEN 0 ELSE ea.amount_minor END AS approved,
              CASE WHEN ea.payment_status = 'paid' THEN ea.amount_minor ELSE 0 END AS paid
            FROM earnings ea JOIN locations l ON l.id = ea.location_id WHERE
            """
        raw.appendInterpolation(SQLRanges.any("ea.approved_at", cuts.map { (from: $0.raw.start, to: $0.raw.end) }))
        raw.appendLiteral(" AND ")
        raw.appendInterpolation(scope.locationFilter("l"))
        raw.appendInterpolation(kind)

        let monthRows = try await sql.raw(months).all(decoding: Row.self, with: .snakeCase)
        let dayRows = try await sql.raw(days).all(decoding: Row.self, with: .snakeCase)
        let earnings = try await sql.raw(raw).all(decoding: Earning.self, with: .snakeCase)
        var result: [Group: [Sums]] = [:]
        func add(_ group: Group, _ index: Int, _ sums: Sums) {
            var list = result[group] ?? Array(repeating: Sums(), count: cuts.count)
            list[index] = list[index] + sums
            result[group] = list
        }
        for (index, cut) in cuts.enumerated() {
            for row in monthRows where row.at < cut.month {
                add(Group(id: row.groupId, currency: row.currency), index, Sums(approvedMinor: row.approved, paidMinor: row.paid, earnings: row.n))
            }
            for row in dayRows where row.at >= cut.daysFrom && row.at < cut.daysTo {
                add(Group(id: row.groupId, currency: row.currency), index,
                    Sums(approvedMinor: row.approved, paidMinor: row.paid, earnings: row.n).times(cut.daysSign))
            }
            for earning in earnings where cut.raw.start <= earning.approvedAt && earning.approvedAt < cut.raw.end {
                add(Group(id: earning.groupId, currency: earning.currency), index,
                    Sums(approvedMinor: earning.approved, paidMinor: earning.paid, earnings: 1).times(cut.rawSign))
            }
        }
        return result
    }
}
