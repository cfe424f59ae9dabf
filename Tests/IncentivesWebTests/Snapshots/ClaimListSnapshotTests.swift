import Foundation
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import SnapshotTesting
import Testing

/// The claims list's view model and HTML, from plain values: unfiltered, searched and filtered, the attention tab, and
/// the vendor's later page.
@Suite("Page snapshots: the claims list")
struct ClaimListSnapshotTests {
    /// Each case: its name, the query, the page of claims the store answered it with, and who looks.
    static let cases: [(String, ClaimListQuery, ClaimSlice, Viewer)] = {
        let claims = ListFixture.partnerClaims
        var searched = ClaimListQuery()
        searched.status = .submitted
        searched.search = "birch & sons"
        var attention = ClaimListQuery()
        attention.tab = .attention
        attention.sort = .due
        attention.descending = false
        var later = ClaimListQuery()
        later.tab = .area(1)
        later.limit = 25
        later.after = ClaimCursor(key: .date(ListFixture.now.adding(calendarDays: -3)), id: 40)
        let vendorClaims = claims.map { claim in
            var claim = claim
            if claim.id == 57 { claim.organizationName = "Cedar Partners"; claim.locationName = "Cedar Boston" }
            return claim
        }
        return [
            ("unfiltered", ClaimListQuery(), ListFixture.slice(claims, counts: (57, 3, 55, 2), next: ClaimCursor(key: .date(ListFixture.now), id: 70)),
             ListFixture.partnerViewer),
            ("status-and-search", searched, ListFixture.slice([claims[1]], counts: (1, 0, 0, 1)), ListFixture.partnerViewer),
            ("attention", attention, ListFixture.slice([claims[3], claims[2], claims[0]], counts: (57, 3, 55, 2)), ListFixture.partnerViewer),
            ("vendor-later-page", later, ListFixture.slice(vendorClaims, counts: (212, 9, 210, 2)), ClaimFixture.reviewerViewer),
        ]
    }()

    @Test("the claims list's view model and HTML", arguments: cases.map(\.0))
    func claimsList(_ name: String) async throws {
        let (_, query, slice, viewer) = try #require(Self.cases.first { $0.0 == name })
        let address = ClaimListAddress(query, areas: ListFixture.areas)
        let view = ClaimListView(slice, choices: ListFixture.choices, address: address, input: ListFixture.input(viewer))
        assertSnapshot(of: view, as: .dump, named: name, testName: "claims-model")
        let html = try await PageSnapshots.html(view, template: "claims")
        assertSnapshot(of: html, as: .lines, named: name, testName: "claims-html")
    }
}
