import Foundation

/// The span the home page's charts count: the last 30, 90 or 365 days up to today, or one calendar month. Days, weeks
/// and months are the viewer's (their time zone); storage is UTC, so a period is a pair of instants.
public enum DashboardPeriod: Hashable, Sendable {
    /// The last `n` days, today included.
    case lastDays(Int)
    /// One calendar month (`month` 1...12).
    case month(year: Int, month: Int)

    /// What the home page shows until the viewer picks another.
    public static let standard = DashboardPeriod.lastDays(90)
    /// The spans of days the chooser offers.
    public static let dayChoices = [30, 90, 365]

    /// Reads `30d`, `90d`, `365d` or a month `YYYY-MM` (years 2000 to 2999); nil for anything else.
    public init?(parameter text: String) {
        if let days = Self.dayChoices.first(where: { text == "\($0)d" }) {
            self = .lastDays(days)
            return
        }
        guard let first = DayDate("\(text)-01"), text.utf8.count == 7, (2000...2999).contains(first.year) else { return nil }
        self = .month(year: first.year, month: first.month)
    }

    /// The form `init(parameter:)` reads.
    public var parameter: String {
        switch self {
        case .lastDays(let days): "\(days)d"
        case .month(let year, let month): String(format: "%04d-%02d", year, month)
        }
    }

    /// "the last 90 days", "Nov 2026".
    public var label: String {
        switch self {
        case .lastDays(let days): "the last \(days) days"
        case .month(let year, let month): DayDate(year: year, month: month, day: 1).monthText
        }
    }

    /// The period's first instant and the instant after it, in `zone`: from local midnight of its first day to local
    /// midnight after its last.
    public func span(now: Date, zone: TimeZone) -> DateInterval {
        let calendar = Calendar.local(zone)
        switch self {
        case .lastDays(let days):
            let today = calendar.startOfDay(for: now)
            let start = calendar.date(byAdding: .day, value: -(days - 1), to: today)!
            return DateInterval(start: start, end: calendar.date(byAdding: .day, value: 1, to: today)!)
        case .month(let year, let month):
            let start = calendar.date(from: DateComponents(year: year, month: month, day: 1))!
            return DateInterval(start: start, end: calendar.date(byAdding: .month, value: 1, to: start)!)
        }
    }

    /// The months the chooser offers: this one and the `count - 1` before it, newest first.
    public static func recentMonths(now: Date, zone: TimeZone, count: Int = 12) -> [DashboardPeriod] {
        let calendar = Calendar.local(zone)
        let parts = calendar.dateComponents([.year, .month], from: now)
        let first = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: 1))!
        return (0..<count).map { back in
            let c = calendar.dateComponents([.year, .month], from: calendar.date(byAdding: .month, value: -back, to: first)!)
            return .month(year: c.year!, month: c.month!)
        }
    }
}

/// A slice of a period (a day, a week or a month in the viewer's zone) named by its first local day.
public struct PeriodSlice: Hashable, Sendable {
    public let start: Date
    public let end: Date
    public let firstDay: DayDate
}

extension DateInterval {
    /// The span cut at each local midnight.
    public func days(in zone: TimeZone) -> [PeriodSlice] { slices(in: zone) { $0.date(byAdding: .day, value: 1, to: $0.startOfDay(for: $1))! } }

    /// The span cut at each local Monday's midnight: the first and last weeks may be partial.
    public func weeks(in zone: TimeZone) -> [PeriodSlice] {
        slices(in: zone) { calendar, instant in
            let day = calendar.startOfDay(for: instant)
            let weekday = calendar.component(.weekday, from: day) // 1 = Sunday ... 7 = Saturday
            return calendar.date(byAdding: .day, value: weekday == 1 ? 1 : 9 - weekday, to: day)!
        }
    }

    /// The span cut at each local first of the month.
    public func months(in zone: TimeZone) -> [PeriodSlice] {
        slices(in: zone) { calendar, instant in
            let c = calendar.dateComponents([.year, .month], from: instant)
            return calendar.date(byAdding: .month, value: 1, to: calendar.date(from: DateComponents(year: c.year, month: c.month, day: 1))!)!
        }
    }

    /// Slices from `start`, each ending where `next` says the one it starts in ends, the last cut at `end`.
    private func slices(in zone: TimeZone, next: (Calendar, Date) -> Date) -> [PeriodSlice] {
        let calendar = Calendar.local(zone)
        var slices: [PeriodSlice] = []
        var from = start
        while from < end {
            let to = min(next(calendar, from), end)
            let c = calendar.dateComponents([.year, .month, .day], from: from)
            slices.append(PeriodSlice(start: from, end: to, firstDay: DayDate(year: c.year!, month: c.month!, day: c.day!)))
            from = to
        }
        return slices
    }

    /// The instants where the slices meet (each slice's start but the first's): the boundaries SQL buckets rows by.
    public static func boundaries(_ slices: [PeriodSlice]) -> [Date] { slices.dropFirst().map(\.start) }
}

extension DayDate {
    /// "Nov 2026": the day's month, as pages name months.
    public var monthText: String { "\(Self.monthNames[month - 1]) \(year)" }

    /// "16 Nov": the day without its year, for a chart's axis.
    public var shortText: String { "\(day) \(Self.monthNames[month - 1])" }

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

extension Calendar {
    /// The Gregorian calendar in a viewer's zone: their days, weeks (Monday first) and months.
    public static func local(_ zone: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        c.firstWeekday = 2
        return c
    }
}
