import Foundation

/// The kind of an engagement; it sets the default deadlines (DOMAIN.md 4).
public enum EngagementType: String, CaseIterable, Sendable, Codable {
    case assessment
    case workshop
    case smallProject = "small_project"
    case mediumProject = "medium_project"
    case largeProject = "large_project"

    public var label: String {
        switch self {
        case .assessment: "Assessment"
        case .workshop: "Workshop"
        case .smallProject: "XS / Small project"
        case .mediumProject: "Medium project"
        case .largeProject: "Large / XL / XXL project"
        }
    }
}

/// Which deadline a claim's open clock counts down to.
public enum DeadlineKind: String, CaseIterable, Sendable, Codable {
    /// Customer consent, counted from claim creation.
    case consent
    /// First submission, counted from consent (for a use-or-consume draft: from creation).
    case submission
    /// Review complete, counted from consent; the partner's answers to requests must land before it.
    case review
    /// Dispute window, counted from the rejection.
    case dispute

    public var label: String {
        switch self {
        case .consent: "consent"
        case .submission: "submission"
        case .review: "review"
        case .dispute: "dispute"
        }
    }
}

/// The deadlines of one engagement version, in days. Defaults come from the engagement type and
/// every figure may be overridden per version.
public struct DeadlinePolicy: Hashable, Sendable, Codable {
    /// Calendar days from claim creation to customer consent.
    public var consentDays: Int
    /// Calendar days from consent to the first submission.
    public var submissionDays: Int
    /// Calendar days from consent until the review must be complete.
    public var reviewDays: Int
    /// Calendar days from a rejection in which a dispute may be opened and submitted.
    public var disputeDays: Int
    /// Business days a use-or-consume partner has to answer a request for more information.
    public var cporResponseBusinessDays: Int

    public init(consentDays: Int, submissionDays: Int, reviewDays: Int, disputeDays: Int,
                cporResponseBusinessDays: Int = 14) {
        self.consentDays = consentDays
        self.submissionDays = submissionDays
        self.reviewDays = reviewDays
        self.disputeDays = disputeDays
        self.cporResponseBusinessDays = cporResponseBusinessDays
    }

    /// The published table of DOMAIN.md section 4.
    public static func standard(for type: EngagementType) -> DeadlinePolicy {
        switch type {
        case .assessment: DeadlinePolicy(consentDays: 30, submissionDays: 60, reviewDays: 90, disputeDays: 30)
        case .workshop: DeadlinePolicy(consentDays: 30, submissionDays: 90, reviewDays: 120, disputeDays: 30)
        case .smallProject: DeadlinePolicy(consentDays: 30, submissionDays: 120, reviewDays: 150, disputeDays: 30)
        case .mediumProject: DeadlinePolicy(consentDays: 30, submissionDays: 200, reviewDays: 230, disputeDays: 30)
        case .largeProject: DeadlinePolicy(consentDays: 30, submissionDays: 260, reviewDays: 290, disputeDays: 30)
        }
    }

    /// Every figure must be a positive number of days, and review can't end before submission.
    public func validate() throws(CatalogueError) {
        for (name, days) in [("consent", consentDays), ("submission", submissionDays), ("review", reviewDays),
                             ("dispute", disputeDays), ("response", cporResponseBusinessDays)] where days <= 0 {
            throw .invalid(field: "\(name)_days", "The \(name) deadline must be at least one day.")
        }
        if reviewDays < submissionDays {
            throw .invalid(field: "review_days", "The review deadline can't come before the submission deadline.")
        }
    }
}

/// `n` in at least `width` characters, zeros after any minus sign, as `String(format: "%0<width>d")` writes it, without
/// Foundation's varargs formatting (pages and files write days and clock times per row).
public func zeroPadded(_ n: Int, width: Int) -> String {
    let digits = String(n.magnitude)
    let sign = n < 0 ? "-" : ""
    return sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits
}

/// A calendar date without a time (e.g. a last day to claim, a holiday), always read in UTC.
public struct DayDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `YYYY-MM-DD`, refusing impossible dates such as 2026-02-30.
    public init?(_ text: some StringProtocol) {
        // Exactly YYYY-MM-DD: digits only, so signs ("+1") and doubled dashes are refused.
        let chars = Array(text)
        guard chars.count == 10, chars[4] == "-", chars[7] == "-",
              chars.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || $0.element.isASCII && $0.element.isNumber }),
              let y = Int(String(chars[0..<4])), let m = Int(String(chars[5..<7])), let d = Int(String(chars[8..<10])) else { return nil }
        let candidate = DayDate(year: y, month: m, day: d)
        guard DayDate(candidate.startUTC) == candidate else { return nil }
        self = candidate
    }

    /// The UTC day on which an instant falls.
    public init(_ instant: Date) {
        let days = (instant.timeIntervalSince1970 / 86_400).rounded(.down)
        if days >= Double(Self.arithmeticDays.lowerBound), days < Double(Self.arithmeticDays.upperBound) {
            self.init(daysSince1970: Int(days))
            return
        }
        let c = Calendar.utc.dateComponents([.year, .month, .day], from: instant)
        self.init(year: c.year!, month: c.month!, day: c.day!)
    }

    /// Midnight UTC at the start of the day.
    public var startUTC: Date {
        if let days = daysSince1970 { return Date(timeIntervalSince1970: TimeInterval(days) * 86_400) }
        return Calendar.utc.date(from: DateComponents(year: year, month: month, day: day))!
    }

    /// The first instant after the day has ended (so "on or before the day" is `< endUTC`).
    public var endUTC: Date { startUTC.addingTimeInterval(86_400) }

    public func adding(days: Int) -> DayDate {
        if let start = daysSince1970, Self.arithmeticDays.contains(start + days) { return DayDate(daysSince1970: start + days) }
        return DayDate(startUTC.addingTimeInterval(TimeInterval(days) * 86_400))
    }

    /// 1 = Sunday ... 7 = Saturday, as Foundation counts.
    public var weekday: Int {
        // 1970-01-01 was a Thursday (5).
        if let days = daysSince1970 { return ((days % 7 + 7) % 7 + 4) % 7 + 1 }
        return Calendar.utc.component(.weekday, from: startUTC)
    }

    // Deadlines count days one by one, and a seed counts millions of them: Foundation's calendar took most of that
    // time. Between 1900 and 9999 the day numbers are worked out by arithmetic (Howard Hinnant's `days_from_civil` and
    // `civil_from_days`, proleptic Gregorian, which is what `Calendar.utc` is there); outside, the calendar still answers.

    /// The days from 1970-01-01 to 1900-01-01 and to 10000-01-01.
    static let arithmeticDays = -25_567..<2_932_897

    /// Days since 1970-01-01, when the day lies in `arithmeticDays` (the month in 1-12, the day in 1-31; past the month's
    /// end counts on into the next, as `Calendar` does).
    var daysSince1970: Int? {
        guard (1900...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let yearOfEra = y % 400, era = y / 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Self.arithmeticDays.contains(days) ? days : nil
    }

    /// The day `days` after 1970-01-01 (non-negative eras only: `arithmeticDays` starts in 1900).
    init(daysSince1970 days: Int) {
        let z = days + 719_468
        let era = z / 146_097, dayOfEra = z % 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
    }

    /// `2026-11-16`, as `String(format: "%04d-%02d-%02d")` writes it, without Foundation's varargs formatting (lists and
    /// files write a day per row).
    public var description: String {
        "\(zeroPadded(year, width: 4))-\(zeroPadded(month, width: 2))-\(zeroPadded(day, width: 2))"
    }

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The day as people read it in messages ("16 Nov 2026"): pages show days this way, and domain
    /// messages that name a day must read the same, whatever the server's locale.
    public var text: String {
        "\(day) \(Self.monthNames[month - 1]) \(year)"
    }

    public static func < (l: DayDate, r: DayDate) -> Bool { (l.year, l.month, l.day) < (r.year, r.month, r.day) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(description)
    }
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = DayDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = day
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC: storage time (DESIGN: UTC in storage).
    public static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()
}

/// Which days are working days for a program: weekends and holidays are skipped when counting
/// business days (CPOR's 14 business days).
public struct WorkingCalendar: Hashable, Sendable, Codable {
    /// Weekdays that are not worked, as Foundation numbers them (1 = Sunday, 7 = Saturday).
    public var weekend: Set<Int>
    public var holidays: Set<DayDate>

    public init(weekend: Set<Int> = [1, 7], holidays: Set<DayDate> = []) {
        self.weekend = weekend
        self.holidays = holidays
    }

    public static let mondayToFriday = WorkingCalendar()

    public func isWorkingDay(_ day: DayDate) -> Bool {
        !weekend.contains(day.weekday) && !holidays.contains(day)
    }

    /// The instant `days` working days after `start`, at the same time of day. Counting starts on the
    /// next day; if it lands on a non-working day it moves on, so the result is always a working day.
    public func adding(businessDays days: Int, to start: Date) -> Date {
        precondition(days >= 0)
        precondition(weekend.count < 7, "a calendar needs at least one working day")
        let timeOfDay = start.timeIntervalSince(DayDate(start).startUTC)
        var day = DayDate(start)
        var remaining = days
        while remaining > 0 {
            day = day.adding(days: 1)
            if isWorkingDay(day) { remaining -= 1 }
        }
        return day.startUTC.addingTimeInterval(timeOfDay)
    }
}

extension Date {
    /// This instant plus whole calendar days (UTC days have no DST, so a day is 86,400 s).
    public func adding(calendarDays days: Int) -> Date { addingTimeInterval(TimeInterval(days) * 86_400) }
}
