import Foundation
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import SnapshotTesting
import Testing

/// The home page's view model and HTML, from plain values: a partner's deadlines, claims by status and users to manage;
/// a reviewer's queue.
@Suite("Page snapshots: the home page")
struct HomeSnapshotTests {
    static let counts: [ClaimStatus: Int] = [.consentReceived: 4, .submitted: 12, .underReview: 3, .disputed: 1, .approved: 40, .rejected: 2]

    /// Each case: its name, the claims expiring within a week, and who looks.
    static let cases: [(String, [ClaimSummary], Viewer)] = [
        ("partner", [ListFixture.partnerClaims[0], ListFixture.partnerClaims[2]], ListFixture.partnerViewer),
        ("reviewer", [], ClaimFixture.reviewerViewer),
    ]

    @Test("the home page's view model and HTML", arguments: cases.map(\.0))
    func home(_ name: String) async throws {
        let (_, expiring, viewer) = try #require(Self.cases.first { $0.0 == name })
        let view = HomeView(expiring: expiring, counts: Self.counts, input: ListFixture.input(viewer))
        assertSnapshot(of: view, as: .dump, named: name, testName: "home-model")
        let html = try await PageSnapshots.html(view, template: "home")
        assertSnapshot(of: html, as: .lines, named: name, testName: "home-html")
    }
}
