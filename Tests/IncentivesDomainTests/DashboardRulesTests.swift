import Foundation
import IncentivesDomain
import Testing

/// The dashboard's pure rules: which periods a URL may name and where they start and end in a viewer's zone, how they
/// are cut in days, Monday weeks and months, who sees which chart, the funnel's shares, and the review queue's buckets.
@Suite("Dashboard rules: periods, slices, visibility, funnel shares, review buckets")
struct DashboardRulesTests {
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!
    /// 2026-11-25 09:46:40 UTC: 01:46 in Los Angeles the same day.
    static let now = Date(timeIntervalSince1970: 1_795_600_000)

    static func instant(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("a period is 30d, 90d, 365d or a month YYYY-MM, nothing else")
    func parameters() {
        #expect(DashboardPeriod(parameter: "30d") == .lastDays(30))
        #expect(DashboardPeriod(parameter: "365d") == .lastDays(365))
        #expect(DashboardPeriod(parameter: "2026-02") == .month(year: 2026, month: 2))
        for bad in ["", "7d", "31d", "090d", "d", "2026-13", "2026-2", "1999-12", "2026-02-01", "+2026-02", "٢٠٢٦-٠٢", "90 d"] {
            #expect(DashboardPeriod(parameter: bad) == nil, "\(bad)")
        }
        for period in [DashboardPeriod.lastDays(90), .month(year: 2027, month: 1)] {
            #expect(DashboardPeriod(parameter: period.parameter) == period)
        }
        #expect(DashboardPeriod.month(year: 2026, month: 11).label == "Nov 2026")
        #expect(DashboardPeriod.standard.label == "the last 90 days")
    }

    @Test("the last N days run from local midnight N-1 days back to the next local midnight; a month from its first to the next")
    func spans() {
        let days = DashboardPeriod.lastDays(30).span(now: Self.now, zone: Self.losAngeles)
        // Today in Los Angeles is 25 Nov (PST, UTC-8): from 27 Oct 00:00 PDT (UTC-7) to 26 Nov 00:00 PST.
        #expect(days.start == Self.instant("2026-10-27T07:00:00Z"))
        #expect(days.end == Self.instant("2026-11-26T08:00:00Z"))
        let utc = DashboardPeriod.lastDays(90).span(now: Self.now, zone: TimeZone(identifier: "UTC")!)
        #expect(utc.start == Self.instant("2026-08-28T00:00:00Z") && utc.end == Self.instant("2026-11-26T00:00:00Z"))
        let march = DashboardPeriod.month(year: 2027, month: 3).span(now: Self.now, zone: Self.losAngeles)
        #expect(march.start == Self.instant("2027-03-01T08:00:00Z") && march.end == Self.instant("2027-04-01T07:00:00Z"))
    }

    @Test("slices: local days, weeks from Monday (the first and last partial), months; daylight saving moves the instants")
    func slices() {
        let zone = Self.losAngeles
        let period = DashboardPeriod.lastDays(30).span(now: Self.now, zone: zone)
        let days = period.days(in: zone)
        #expect(days.count == 30 && days.first?.firstDay == DayDate(year: 2026, month: 10, day: 27))
        // 1 Nov 2026 has 25 hours in Los Angeles (PDT ends).
        let first = days.first { $0.firstDay == DayDate(year: 2026, month: 11, day: 1) }!
        #expect(first.end.timeIntervalSince(first.start) == 25 * 3600)
        let weeks = period.weeks(in: zone)
        // Tue 27 Oct to Sun 1 Nov, then Mondays 2, 9, 16 and 23 Nov (the last cut at the period's end).
        #expect(weeks.map(\.firstDay.description) == ["2026-10-27", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"])
        #expect(weeks.last?.end == period.end && zip(weeks, weeks.dropFirst()).allSatisfy { $0.end == $1.start })
        let months = period.months(in: zone)
        #expect(months.map(\.firstDay.description) == ["2026-10-27", "2026-11-01"])
        #expect(months[1].start == Self.instant("2026-11-01T07:00:00Z"))
        #expect(DateInterval.boundaries(months) == [months[1].start])
        #expect(DashboardPeriod.recentMonths(now: Self.now, zone: zone, count: 3).map(\.parameter) == ["2026-11", "2026-10", "2026-09"])
    }

    @Test("the vendor sees the program's charts, a partner in the program their own, an account admin alone none")
    func visibility() {
        let manager = Viewer(userID: 1, email: "m@v", name: "M", membership: .vendor(.programManager))
        let reviewer = Viewer(userID: 2, email: "r@v", name: "R", membership: .vendor(.reviewer))
        let user = Viewer(userID: 3, email: "u@p", name: "U", membership: .partner(organizationID: 1, roles: [1: [.incentivesUser]]))
        let accounts = Viewer(userID: 4, email: "a@p", name: "A", membership: .partner(organizationID: 1, roles: [1: [.accountAdmin]]))
        for chart in DashboardChart.allCases {
            #expect(manager.may(see: chart) == chart.isVendor && reviewer.may(see: chart) == chart.isVendor)
            #expect(user.may(see: chart) == !chart.isVendor)
            #expect(!accounts.may(see: chart))
        }
    }

    @Test("funnel shares are whole percentages of the claims created, rounded half up")
    func funnelShares() {
        let funnel = ClaimFunnel([.created: 8, .consented: 7, .approved: 3, .paid: 1])
        #expect(funnel.percentOfCreated(.created) == 100 && funnel.percentOfCreated(.consented) == 88)
        #expect(funnel.percentOfCreated(.approved) == 38 && funnel.percentOfCreated(.paid) == 13)
        #expect(funnel.percentOfCreated(.submitted) == 0)
        #expect(ClaimFunnel([:]).percentOfCreated(.paid) == 0)
    }

    @Test("review buckets by whole days waited, the target between 6-10 and 11-20, the median of a histogram")
    func reviewBuckets() {
        #expect([0, 2, 3, 5, 6, 10, 11, 20, 21, 30, 31, 400, -1].map(ReviewWait.bucket(days:)) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0])
        #expect((0..<6).map(ReviewWait.label(bucket:)) == ["0–2 days", "3–5 days", "6–10 days", "11–20 days", "21–30 days", "31+ days"])
        #expect(ReviewWait.firstBucketPastTarget == 3)
        #expect(ReviewWait.median([:]) == nil)
        #expect(ReviewWait.median([4: 1]) == 4)
        #expect(ReviewWait.median([1: 2, 9: 2]) == 1, "the lower middle of an even count")
        #expect(ReviewWait.median([2: 2, 3: 1, 4: 1, 5: 1]) == 3)
    }
}
