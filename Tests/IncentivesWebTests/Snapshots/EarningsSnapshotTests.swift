import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb
import SnapshotTesting
import Testing

/// The earnings page from the program fixture's plain values: lines in two currencies, totals per currency and a chart
/// per currency for the partner; one month's, filtered, for the vendor (who sees the partner's name).
@Suite("Page snapshots: earnings")
struct EarningsSnapshotTests {
    static var threeAPage: EarningsQuery {
        var query = EarningsQuery()
        query.per = 3
        return query
    }

    static var november: EarningsQuery {
        var query = EarningsQuery()
        query.filter.paymentMonth = "2026-11"
        return query
    }

    /// Each case: its name, who looks, the URL's query, and the page of lines the store answers it with.
    static let cases: [(String, Viewer, EarningsQuery, EarningsSlice)] = [
        ("partner-three-a-page", ProgramFixture.viewer, threeAPage, ProgramFixture.earnings),
        ("manager-one-month", ProgramFixture.manager, november,
         EarningsSlice(lines: [ProgramFixture.earnings.lines[1]], hasOlder: false, hasNewer: false)),
    ]

    @Test("the earnings page's view model and HTML", arguments: cases.map(\.0))
    func earnings(_ name: String) async throws {
        let (_, viewer, query, slice) = try #require(Self.cases.first { $0.0 == name })
        let view = EarningsView(slice, months: ProgramFixture.months, locations: ProgramFixture.earningsLocations, query: query,
                                input: ProgramFixture.input(viewer))
        assertSnapshot(of: view, as: .dump, named: name, testName: "earnings-model")
        let html = try await PageSnapshots.html(view, template: "earnings")
        assertSnapshot(of: html, as: .lines, named: name, testName: "earnings-html")
    }
}
