import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb
import SnapshotTesting
import Testing

/// The home page's charts from plain values: the SVG geometry (bars, stacks, the target and budget lines, horizontal
/// bars), each table and CSV link, for the program manager's November, a month with nothing, and a partner.
@Suite("Page snapshots: the dashboards")
struct DashboardSnapshotTests {
    static let period = DashboardPeriod.month(year: 2026, month: 11)
    static let zone = ProgramFixture.manager.timeZone
    static var span: DateInterval { period.span(now: ProgramFixture.now, zone: zone) }

    static let decisions = [
        DecisionCount(slice: 0, action: .approve, reason: nil, claims: 3), DecisionCount(slice: 1, action: .approve, reason: nil, claims: 5),
        DecisionCount(slice: 1, action: .reject, reason: .notEligible, claims: 2), DecisionCount(slice: 3, action: .reject, reason: nil, claims: 1),
        DecisionCount(slice: 3, action: .reject, reason: .duplicateClaim, claims: 2),
    ]

    static func managerFigures(empty: Bool) -> [DashboardFigure] {
        let weeks = span.weeks(in: zone), months = span.months(in: zone)
        let waits = [ReviewWaitCount(bucket: ReviewWait.bucket(days: 1), standing: .later, claims: 4), ReviewWaitCount(bucket: ReviewWait.bucket(days: 4), standing: .later, claims: 3),
                     ReviewWaitCount(bucket: ReviewWait.bucket(days: 8), standing: .near, claims: 2), ReviewWaitCount(bucket: ReviewWait.bucket(days: 15), standing: .past, claims: 1),
                     ReviewWaitCount(bucket: ReviewWait.bucket(days: 40), standing: .past, claims: 2)]
        let spend = [SpendMonth(engagementID: 7, currency: .usd, slice: nil, approvedMinor: 1_500_000, paidMinor: 1_000_000),
                     SpendMonth(engagementID: 7, currency: .usd, slice: 0, approvedMinor: 500_000, paidMinor: 0)]
        let partners = [PartnerApprovals(organizationID: 2, organizationName: "Bluefin Consulting", approved: Money(25_000, .usd), claims: 5),
                        PartnerApprovals(organizationID: 3, organizationName: "Cedar Systems", approved: Money(10_000, .usd), claims: 2),
                        PartnerApprovals(organizationID: 3, organizationName: "Cedar Systems", approved: Money(3_000, .eur), claims: 1)]
        return [
            DashboardFigures.funnel(ClaimFunnel(empty ? [.created: 0] : [.created: 120, .consented: 96, .submitted: 71, .approved: 40, .paid: 12]),
                                    period: period),
            DashboardFigures.reviewWait(empty ? [] : waits, period: period),
            DashboardFigures.decisions(empty ? [] : decisions, slices: weeks, reviewDays: empty ? [:] : [2: 3, 5: 4, 9: 1], period: period),
            DashboardFigures.reasons(empty ? [] : decisions, period: period),
            DashboardFigures.spend(empty ? [] : spend, engagements: empty ? [] : [
                SpendEngagement(id: 7, name: "Cloud adoption workshop", currency: .usd, budgetMinor: 5_000_000),
            ], slices: months, period: period),
            DashboardFigures.topPartners(empty ? [] : partners, period: period),
        ]
    }

    static func partnerFigures() -> [DashboardFigure] {
        let days = PartnerFigures.deadlineSlices(now: ListFixture.now, zone: ListFixture.partnerViewer.timeZone)
        return [PartnerFigures.deadlines([0: 1, 3: 2, 13: 1], slices: days), PartnerFigures.earnings(ProgramFixture.months),
                PartnerFigures.attention([.customerClaimed: 2, .partnerActionRequired: 1, .rejected: 4, .approved: 9])]
    }

    @Test("the program manager's charts for a month, and the same month with nothing in it", arguments: ["manager", "manager-empty"])
    func manager(_ name: String) async throws {
        let view = HomeView(expiring: [], counts: HomeSnapshotTests.counts, figures: Self.managerFigures(empty: name == "manager-empty"),
                            period: Self.period, input: ProgramFixture.input(ProgramFixture.manager))
        let html = try await PageSnapshots.html(view, template: "home")
        #expect(!html.contains("style=") && !html.hasInlineScript)
        assertSnapshot(of: html, as: .lines, named: name, testName: "dashboard-html")
    }

    @Test("a partner's deadlines by day beside the list, earnings by month, and the claims that wait on them")
    func partner() async throws {
        let view = HomeView(expiring: [ListFixture.partnerClaims[0], ListFixture.partnerClaims[2]], counts: HomeSnapshotTests.counts,
                            figures: Self.partnerFigures(), input: ListFixture.input(ListFixture.partnerViewer))
        let html = try await PageSnapshots.html(view, template: "home")
        assertSnapshot(of: html, as: .lines, named: "partner", testName: "dashboard-html")
    }

    @Test("bar geometry: integer heights on one scale, stacks, the budget line on the same scale, a target between buckets")
    func geometry() throws {
        let figures = Self.managerFigures(empty: false)
        let spend = try #require(figures.first { $0.chart == .spend }?.charts.first)
        // Approved to date: 15,000 before the month plus 5,000 in it, 10,000 of it paid; the budget of 50,000 tops the scale.
        #expect(spend.rects.map(\.height) == [32, 32])
        #expect(spend.marker?.y1 == 24 && spend.marker?.label == "Budget 50k")
        let wait = try #require(figures.first { $0.chart == .reviewWait }?.charts.first)
        #expect(wait.rects.filter { $0.height > 0 }.map(\.height) == [160, 120, 80, 40, 80])
        #expect(wait.marker?.x1 == 16 + 3 * 64 && wait.marker?.label == "Target: 10 days")
        let funnel = try #require(figures.first { $0.chart == .funnel }?.charts.first)
        #expect(funnel.rects.map(\.width) == [340, 272, 201, 113, 34])
        #expect(BarChart.scaled(Int64.max, peak: Int64.max, span: 160) == 160 && BarChart.scaled(-5, peak: 10, span: 160) == 0)
    }
}
