import Foundation
import Testing
import IncentivesDomain

@Suite("Deadlines")
struct DeadlineTests {
    // MARK: The published table (DOMAIN.md 4)

    @Test("DeadlinePolicy.standard matches DOMAIN.md section 4", arguments: [
        (EngagementType.assessment, 30, 60, 90, 30),
        (.workshop, 30, 90, 120, 30),
        (.smallProject, 30, 120, 150, 30),
        (.mediumProject, 30, 200, 230, 30),
        (.largeProject, 30, 260, 290, 30),
    ])
    func standardTable(type: EngagementType, consent: Int, submission: Int, review: Int, dispute: Int) throws {
        let policy = DeadlinePolicy.standard(for: type)
        #expect(policy.consentDays == consent)
        #expect(policy.submissionDays == submission)
        #expect(policy.reviewDays == review)
        #expect(policy.disputeDays == dispute)
        #expect(policy.cporResponseBusinessDays == 14)
        try policy.validate()
    }

    @Test("Every engagement type has a row in the table")
    func everyTypeCovered() {
        #expect(EngagementType.allCases.count == 5)
        #expect(Set(EngagementType.allCases.map(\.label)) == [
            "Assessment", "Workshop", "XS / Small project", "Medium project", "Large / XL / XXL project",
        ])
    }

    // MARK: Calendar days

    @Test("Calendar days across month ends, leap days and year ends", arguments: [
        ("2026-01-31T00:00:00Z", 30, "2026-03-02T00:00:00Z"),
        ("2026-01-31T17:45:10Z", 30, "2026-03-02T17:45:10Z"),
        ("2026-02-28T09:00:00Z", 1, "2026-03-01T09:00:00Z"),
        ("2028-02-01T00:00:00Z", 30, "2028-03-02T00:00:00Z"),
        ("2028-02-28T00:00:00Z", 1, "2028-02-29T00:00:00Z"),
        ("2028-02-29T23:59:59Z", 1, "2028-03-01T23:59:59Z"),
        ("2026-12-20T12:00:00Z", 10, "2026-12-30T12:00:00Z"),
        ("2026-12-31T23:59:59Z", 1, "2027-01-01T23:59:59Z"),
        ("2026-12-15T06:45:30Z", 30, "2027-01-14T06:45:30Z"),
        ("2026-01-20T08:00:00Z", 290, "2026-11-06T08:00:00Z"),
        ("2026-03-02T10:00:00Z", 0, "2026-03-02T10:00:00Z"),
    ])
    func calendarDays(start: String, days: Int, expected: String) {
        let result = at(start).adding(calendarDays: days)
        #expect(result == at(expected))
        // The time of day is kept.
        #expect(result.timeIntervalSince(DayDate(result).startUTC) == at(start).timeIntervalSince(DayDate(at(start)).startUTC))
    }

    @Test("DayDate.adding(days:) across month, leap day and year")
    func dayDateAdding() {
        #expect(DayDate(year: 2026, month: 1, day: 31).adding(days: 30) == DayDate(year: 2026, month: 3, day: 2))
        #expect(DayDate(year: 2028, month: 2, day: 28).adding(days: 1) == DayDate(year: 2028, month: 2, day: 29))
        #expect(DayDate(year: 2026, month: 12, day: 31).adding(days: 1) == DayDate(year: 2027, month: 1, day: 1))
        #expect(DayDate(year: 2026, month: 3, day: 1).adding(days: -1) == DayDate(year: 2026, month: 2, day: 28))
        #expect(DayDate(year: 2028, month: 3, day: 1).adding(days: -1) == DayDate(year: 2028, month: 2, day: 29))
    }

    @Test("DayDate's day arithmetic agrees with Foundation's UTC calendar: every day 1899-2101, the range's edges, and beyond")
    func dayDateLikeCalendar() {
        let calendar = Calendar.utc
        func expectLikeCalendar(_ instant: Date) {
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: instant)
            let day = DayDate(instant)
            #expect(day == DayDate(year: c.year!, month: c.month!, day: c.day!), "\(instant)")
            #expect(day.weekday == c.weekday!, "\(instant)")
            #expect(day.startUTC == calendar.date(from: DateComponents(year: c.year!, month: c.month!, day: c.day!))!, "\(instant)")
        }
        // Noon and the last second of every day, across the arithmetic range's start and two leap-year rules (1900, 2000, 2100).
        var day = calendar.date(from: DateComponents(year: 1899, month: 12, day: 1))!
        let end = calendar.date(from: DateComponents(year: 2101, month: 3, day: 1))!
        while day < end {
            expectLikeCalendar(day.addingTimeInterval(43_200))
            expectLikeCalendar(day.addingTimeInterval(86_399.5))
            day = day.addingTimeInterval(86_400)
        }
        // Around year 10000, where the arithmetic hands over to the calendar, and far before 1900.
        for year in [9_999, 10_000, 1_600, 1_899] {
            var instant = calendar.date(from: DateComponents(year: year, month: 1, day: 1))!.addingTimeInterval(-3 * 86_400)
            for _ in 0..<10 { expectLikeCalendar(instant); instant = instant.addingTimeInterval(86_400) }
        }
        // Days past a month's end count on into the next, as the calendar counts them; adding crosses the range's edges.
        #expect(DayDate(year: 2026, month: 2, day: 31).startUTC == DayDate(year: 2026, month: 3, day: 3).startUTC)
        #expect(DayDate(year: 1900, month: 1, day: 2).adding(days: -3) == DayDate(year: 1899, month: 12, day: 30))
        #expect(DayDate(year: 9999, month: 12, day: 30).adding(days: 3) == DayDate(year: 10_000, month: 1, day: 2))
        #expect(DayDate("2026-02-30") == nil && DayDate("2028-02-29") == DayDate(year: 2028, month: 2, day: 29))
    }

    @Test("DayDate reads in messages as the pages show days", arguments: [
        (DayDate(year: 2026, month: 11, day: 16), "16 Nov 2026"), (DayDate(year: 2027, month: 1, day: 1), "1 Jan 2027"),
        (DayDate(year: 2028, month: 12, day: 31), "31 Dec 2028"),
    ])
    func dayDateText(day: DayDate, text: String) {
        #expect(day.text == text)
        let expired = PayeeStanding(bankStatus: .approved, taxExpiresOn: day).problem(at: day.endUTC)
        #expect(expired == "The tax profile expired on \(text).")
    }

    // MARK: Business days

    @Test("Business days skip weekends and keep the time of day", arguments: [
        // Friday + 1 = Monday.
        ("2026-01-02T09:15:00Z", 1, "2026-01-05T09:15:00Z"),
        // Friday + 14 = Thursday two and a half weeks later.
        ("2026-01-02T09:15:00Z", 14, "2026-01-22T09:15:00Z"),
        // Starting on a Saturday or a Sunday counts from Monday.
        ("2026-01-03T10:00:00Z", 1, "2026-01-05T10:00:00Z"),
        ("2026-01-03T10:00:00Z", 14, "2026-01-22T10:00:00Z"),
        ("2026-01-04T23:30:00Z", 1, "2026-01-05T23:30:00Z"),
        // Monday + 5 = next Monday; Wednesday + 2 = Friday.
        ("2026-01-05T00:00:00Z", 5, "2026-01-12T00:00:00Z"),
        ("2026-01-07T12:00:00Z", 2, "2026-01-09T12:00:00Z"),
        // Thursday + 1 = Friday.
        ("2026-01-01T08:00:00Z", 1, "2026-01-02T08:00:00Z"),
        // Zero days is the start itself.
        ("2026-01-06T08:00:00Z", 0, "2026-01-06T08:00:00Z"),
        // Across the year end (no holidays).
        ("2026-12-24T16:00:00Z", 14, "2027-01-13T16:00:00Z"),
    ])
    func businessDays(start: String, days: Int, expected: String) {
        #expect(WorkingCalendar.mondayToFriday.adding(businessDays: days, to: at(start)) == at(expected))
    }

    @Test("Holidays are skipped, including a holiday on a Monday and around the year end")
    func businessDaysWithHolidays() {
        // Friday 2026-05-22 + 1 with Monday 2026-05-25 a holiday: Tuesday.
        let memorial = WorkingCalendar(holidays: [DayDate(year: 2026, month: 5, day: 25)])
        #expect(memorial.adding(businessDays: 1, to: at("2026-05-22T14:00:00Z")) == at("2026-05-26T14:00:00Z"))
        #expect(memorial.adding(businessDays: 5, to: at("2026-05-22T14:00:00Z")) == at("2026-06-01T14:00:00Z"))
        #expect(!memorial.isWorkingDay(DayDate(year: 2026, month: 5, day: 25)))
        #expect(memorial.isWorkingDay(DayDate(year: 2026, month: 5, day: 26)))

        // Christmas (Friday) and New Year (Friday): 14 working days from Friday 2026-12-18 end on Monday 2027-01-11.
        let yearEnd = WorkingCalendar(holidays: [DayDate(year: 2026, month: 12, day: 25), DayDate(year: 2027, month: 1, day: 1)])
        #expect(yearEnd.adding(businessDays: 14, to: at("2026-12-18T09:00:00Z")) == at("2027-01-11T09:00:00Z"))
        // Thursday 2026-12-24 + 1 with Friday a holiday: Monday.
        #expect(yearEnd.adding(businessDays: 1, to: at("2026-12-24T09:00:00Z")) == at("2026-12-28T09:00:00Z"))

        // A holiday on a weekend day does not cost an extra day.
        let saturdayHoliday = WorkingCalendar(holidays: [DayDate(year: 2026, month: 1, day: 3)])
        #expect(saturdayHoliday.adding(businessDays: 1, to: at("2026-01-02T09:00:00Z")) == at("2026-01-05T09:00:00Z"))
    }

    @Test("A Friday/Saturday weekend")
    func fridaySaturdayWeekend() {
        let gulf = WorkingCalendar(weekend: [6, 7])
        #expect(!gulf.isWorkingDay(DayDate(year: 2026, month: 1, day: 2)))  // Friday
        #expect(!gulf.isWorkingDay(DayDate(year: 2026, month: 1, day: 3)))  // Saturday
        #expect(gulf.isWorkingDay(DayDate(year: 2026, month: 1, day: 4)))   // Sunday
        // Thursday + 1 = Sunday; Thursday + 5 = next Thursday; Friday + 1 = Sunday.
        #expect(gulf.adding(businessDays: 1, to: at("2026-01-01T10:00:00Z")) == at("2026-01-04T10:00:00Z"))
        #expect(gulf.adding(businessDays: 5, to: at("2026-01-01T10:00:00Z")) == at("2026-01-08T10:00:00Z"))
        #expect(gulf.adding(businessDays: 1, to: at("2026-01-02T10:00:00Z")) == at("2026-01-04T10:00:00Z"))
        // Sunday + 5: Mon(1) Tue(2) Wed(3) Thu(4) Sun(5).
        #expect(gulf.adding(businessDays: 5, to: at("2026-01-04T10:00:00Z")) == at("2026-01-11T10:00:00Z"))
    }

    @Test("Weekday numbering follows Foundation: 1 = Sunday ... 7 = Saturday")
    func weekdays() {
        #expect(DayDate(year: 2026, month: 1, day: 4).weekday == 1)
        #expect(DayDate(year: 2026, month: 1, day: 2).weekday == 6)
        #expect(DayDate(year: 2026, month: 1, day: 3).weekday == 7)
        #expect(DayDate(year: 2028, month: 2, day: 29).weekday == 3)  // a Tuesday
    }

    // MARK: DayDate

    @Test("DayDate parsing refuses impossible or malformed dates", arguments: [
        "2026-02-30", "2027-02-29", "2026-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-1-5",
        "2026-01-5", "26-01-05", "2026/01/05", "", "2026-01-05T00:00", "20260105", " 2026-01-05", "2026-01-05 ",
        "abcd-ef-gh", "2026--01-05", "-2026-01-05", "2026-01-05-", "+026-01-05", "2026-+1-05",
    ])
    func dayDateRefuses(text: String) {
        #expect(DayDate(text) == nil, "\(text.debugDescription) must not parse")
    }

    @Test("DayDate parsing accepts real dates", arguments: [
        ("2028-02-29", 2028, 2, 29), ("2026-01-05", 2026, 1, 5), ("2026-12-31", 2026, 12, 31), ("2024-02-29", 2024, 2, 29),
    ])
    func dayDateAccepts(text: String, year: Int, month: Int, day: Int) throws {
        let parsed = try #require(DayDate(text))
        #expect(parsed == DayDate(year: year, month: month, day: day))
        #expect(parsed.description == text)
    }

    @Test("DayDate decodes from and encodes to YYYY-MM-DD, refusing bad text")
    func dayDateCodable() throws {
        let decoded = try JSONDecoder().decode([DayDate].self, from: Data(#"["2028-02-29"]"#.utf8))
        #expect(decoded == [DayDate(year: 2028, month: 2, day: 29)])
        let encoded = try JSONEncoder().encode([DayDate(year: 2026, month: 3, day: 2)])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["2026-03-02"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([DayDate].self, from: Data(#"["2026-02-30"]"#.utf8)) }
    }

    @Test("DayDate of an instant is the UTC day", arguments: [
        ("2026-03-01T23:30:00-05:00", "2026-03-02"),
        ("2026-03-02T00:30:00+01:00", "2026-03-01"),
        ("2026-03-01T23:59:59Z", "2026-03-01"),
        ("2026-03-02T00:00:00Z", "2026-03-02"),
        ("2026-12-31T20:00:00-08:00", "2027-01-01"),
        ("2028-02-29T12:00:00+14:00", "2028-02-28"),
    ])
    func dayDateIsUTC(instant: String, day: String) {
        #expect(DayDate(at(instant)).description == day)
    }

    @Test("A day starts and ends at UTC midnight; ordering is by date")
    func dayBounds() {
        let day = DayDate(year: 2026, month: 3, day: 31)
        #expect(day.startUTC == at("2026-03-31T00:00:00Z"))
        #expect(day.endUTC == at("2026-04-01T00:00:00Z"))
        #expect(DayDate(year: 2026, month: 12, day: 31) < DayDate(year: 2027, month: 1, day: 1))
        #expect(DayDate(year: 2026, month: 2, day: 28) < DayDate(year: 2026, month: 3, day: 1))
        #expect(!(day < day))
        #expect(DayDate(year: 2026, month: 1, day: 5).description == "2026-01-05")
    }

    @Test("a day is written as %04d-%02d-%02d writes it, whatever the number of digits or the sign")
    func dayDescriptionPads() {
        for year in [-12345, -5, 0, 7, 99, 999, 1900, 2026, 9999, 12345] {
            for (month, day) in [(1, 1), (9, 30), (12, 31)] {
                #expect(DayDate(year: year, month: month, day: day).description == String(format: "%04d-%02d-%02d", year, month, day))
            }
        }
        #expect(DayDate(year: 2026, month: 11, day: 16).text == "16 Nov 2026")
    }

    // MARK: Validation

    @Test("A policy refuses zero or negative days", arguments: [0, -1, -30])
    func validateRefusesNonPositive(bad: Int) {
        let good = DeadlinePolicy.standard(for: .workshop)
        let variants: [(String, DeadlinePolicy)] = [
            ("consent_days", DeadlinePolicy(consentDays: bad, submissionDays: 90, reviewDays: 120, disputeDays: 30)),
            ("submission_days", DeadlinePolicy(consentDays: 30, submissionDays: bad, reviewDays: 120, disputeDays: 30)),
            ("review_days", DeadlinePolicy(consentDays: 30, submissionDays: 1, reviewDays: bad, disputeDays: 30)),
            ("dispute_days", DeadlinePolicy(consentDays: 30, submissionDays: 90, reviewDays: 120, disputeDays: bad)),
            ("response_days", DeadlinePolicy(consentDays: 30, submissionDays: 90, reviewDays: 120, disputeDays: 30,
                                             cporResponseBusinessDays: bad)),
        ]
        for (field, policy) in variants {
            #expect(policy != good)
            #expect(throws: CatalogueError.self, "\(field) = \(bad)") { try policy.validate() }
            do {
                try policy.validate()
            } catch {
                if case .invalid(let name, let message) = error {
                    #expect(name == field)
                    #expect(!message.isEmpty)
                }
            }
        }
    }

    @Test("The review deadline can't end before the submission deadline")
    func validateReviewAfterSubmission() throws {
        let early = DeadlinePolicy(consentDays: 30, submissionDays: 90, reviewDays: 89, disputeDays: 30)
        #expect(throws: CatalogueError.invalid(field: "review_days", "The review deadline can't come before the submission deadline.")) {
            try early.validate()
        }
        try DeadlinePolicy(consentDays: 30, submissionDays: 90, reviewDays: 90, disputeDays: 30).validate()
        try DeadlinePolicy(consentDays: 1, submissionDays: 1, reviewDays: 1, disputeDays: 1, cporResponseBusinessDays: 1).validate()
    }

    // MARK: Open clocks per engagement type

    struct TypeDates: Sendable, CustomTestStringConvertible {
        let type: EngagementType
        let submissionDue: String
        let reviewDue: String
        var testDescription: String { type.label }
    }

    /// Created 2026-01-15T08:00Z, consent 2026-01-20T08:00Z, rejected 2026-02-10T12:00Z.
    static let typeDates: [TypeDates] = [
        TypeDates(type: .assessment, submissionDue: "2026-03-21T08:00:00Z", reviewDue: "2026-04-20T08:00:00Z"),
        TypeDates(type: .workshop, submissionDue: "2026-04-20T08:00:00Z", reviewDue: "2026-05-20T08:00:00Z"),
        TypeDates(type: .smallProject, submissionDue: "2026-05-20T08:00:00Z", reviewDue: "2026-06-19T08:00:00Z"),
        TypeDates(type: .mediumProject, submissionDue: "2026-08-08T08:00:00Z", reviewDue: "2026-09-07T08:00:00Z"),
        TypeDates(type: .largeProject, submissionDue: "2026-10-07T08:00:00Z", reviewDue: "2026-11-06T08:00:00Z"),
    ]

    @Test("Open clock due dates for each engagement type", arguments: typeDates)
    func openClocks(dates: TypeDates) throws {
        let policy = DeadlinePolicy.standard(for: dates.type)
        let created = at("2026-01-15T08:00:00Z"), consent = at("2026-01-20T08:00:00Z"), rejected = at("2026-02-10T12:00:00Z")
        func clock(_ kind: ClaimKind, _ status: ClaimStatus, consentAt: Date? = nil, rejectedAt: Date? = nil) throws -> OpenClock {
            let claim = Fixture.claim(kind: kind, status: status, createdAt: created, consentAt: consentAt, rejectedAt: rejectedAt)
            return try #require(ClaimLifecycle.openClock(for: claim, policy: policy, calendar: .mondayToFriday), "\(kind) \(status)")
        }

        let claimed = try clock(.partnerActivities, .customerClaimed)
        #expect(claimed == OpenClock(kind: .consent, dueAt: at("2026-02-14T08:00:00Z"), owner: .partner, expiry: .consentExpired))
        let awaiting = try clock(.partnerActivities, .awaitingConsent)
        #expect(awaiting == OpenClock(kind: .consent, dueAt: at("2026-02-14T08:00:00Z"), owner: .customer, expiry: .consentExpired))
        let received = try clock(.partnerActivities, .consentReceived, consentAt: consent)
        #expect(received == OpenClock(kind: .submission, dueAt: at(dates.submissionDue), owner: .partner, expiry: .notSubmittedExpired))
        let submitted = try clock(.partnerActivities, .submitted, consentAt: consent)
        #expect(submitted == OpenClock(kind: .review, dueAt: at(dates.reviewDue), owner: .vendor, expiry: nil))
        let underReview = try clock(.partnerActivities, .underReview, consentAt: consent)
        #expect(underReview.expiry == nil && underReview.dueAt == at(dates.reviewDue))
        let actionRequired = try clock(.partnerActivities, .partnerActionRequired, consentAt: consent)
        #expect(actionRequired == OpenClock(kind: .review, dueAt: at(dates.reviewDue), owner: .partner, expiry: .postSubmissionExpired))
        for kind in ClaimKind.allCases {
            for status in [ClaimStatus.rejected, .disputed] {
                let window = try clock(kind, status, consentAt: kind == .partnerActivities ? consent : nil, rejectedAt: rejected)
                #expect(window == OpenClock(kind: .dispute, dueAt: at("2026-03-12T12:00:00Z"), owner: .partner, expiry: .disputedExpired))
            }
        }
        let draft = try clock(.useOrConsume, .customerClaimed)
        #expect(draft == OpenClock(kind: .submission, dueAt: at("2026-02-14T08:00:00Z"), owner: .partner, expiry: .notSubmittedExpired))

        // No clock where nothing is due.
        for (kind, status) in [(ClaimKind.partnerActivities, ClaimStatus.approved), (.useOrConsume, .submitted),
                               (.useOrConsume, .underReview), (.useOrConsume, .approved), (.partnerActivities, .canceled)] {
            let claim = Fixture.claim(kind: kind, status: status, createdAt: created, consentAt: consent)
            #expect(ClaimLifecycle.openClock(for: claim, policy: policy, calendar: .mondayToFriday) == nil, "\(kind) \(status)")
        }
    }
}
