import Foundation
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import SnapshotTesting
import Testing

/// The engagements board and one engagement's pages, from the program fixture's plain values: the golden files under
/// `__Snapshots__` are the pages as they look, reviewed in diffs whenever they change.
@Suite("Page snapshots: engagements")
struct EngagementSnapshotTests {
    /// Each case: its name and the list's query.
    static let boards: [(String, EngagementListQuery)] = [
        ("first-area", EngagementListQuery()),
        ("filtered-none-match", EngagementListQuery(location: 4, status: .active)),
        ("second-area-filtered-sorted", EngagementListQuery(area: "modern-work-security", location: 4, sort: .eligible, descending: true)),
    ]

    @Test("the engagements board's view model and HTML", arguments: boards.map(\.0))
    func board(_ name: String) async throws {
        let (_, query) = try #require(Self.boards.first { $0.0 == name })
        let view = EngagementBoardView(ProgramFixture.board, query: query, input: ProgramFixture.input())
        assertSnapshot(of: view, as: .dump, named: name, testName: "engagements-model")
        let html = try await PageSnapshots.html(view, template: "engagements")
        assertSnapshot(of: html, as: .lines, named: name, testName: "engagements-html")
    }

    @Test("one engagement's summary")
    func summary() async throws {
        let view = EngagementView(ProgramFixture.workshopDetail(), input: ProgramFixture.input())
        assertSnapshot(of: view, as: .dump, named: "workshop", testName: "engagement-model")
        let html = try await PageSnapshots.html(view, template: "engagement")
        assertSnapshot(of: html, as: .lines, named: "workshop", testName: "engagement-html")
    }

    @Test("one engagement's customers, a page of the eligible ones; and past the walk's bound")
    func customers() async throws {
        let detail = ProgramFixture.workshopDetail(customers: ProgramFixture.customers, counts: [.eligible: 140, .ineligible: 3])
        let view = EngagementCustomersView(detail, tab: .eligible, after: nil, input: ProgramFixture.input())
        assertSnapshot(of: view, as: .dump, named: "eligible-tab", testName: "engagement-customers-model")
        let html = try await PageSnapshots.html(view, template: "engagement-customers")
        assertSnapshot(of: html, as: .lines, named: "eligible-tab", testName: "engagement-customers-html")
        // A partner with more customers than one request looks through: counts as lower bounds, a short page looking further.
        var past = detail
        past.customerCountsInPart = true
        past.customersLookFurther = true
        let further = EngagementCustomersView(past, tab: .eligible, after: nil, input: ProgramFixture.input())
        assertSnapshot(of: further, as: .dump, named: "eligible-tab-past-the-walk", testName: "engagement-customers-model")
        let furtherHTML = try await PageSnapshots.html(further, template: "engagement-customers")
        assertSnapshot(of: furtherHTML, as: .lines, named: "eligible-tab-past-the-walk", testName: "engagement-customers-html")
    }

    @Test("one engagement's eligibility, a location earning and one not")
    func eligibility() async throws {
        let view = EngagementEligibilityView(ProgramFixture.workshopDetail(), input: ProgramFixture.input())
        assertSnapshot(of: view, as: .dump, named: "one-earning-one-not", testName: "engagement-eligibility-model")
        let html = try await PageSnapshots.html(view, template: "engagement-eligibility")
        assertSnapshot(of: html, as: .lines, named: "one-earning-one-not", testName: "engagement-eligibility-html")
    }
}
