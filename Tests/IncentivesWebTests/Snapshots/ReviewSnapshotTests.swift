import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb
import SnapshotTesting
import Testing

/// The review area's view models and HTML, from plain values: the queue with a dispute round and a competing claim, as
/// the reviewer sees it and after a bulk action; the arbitration between two partners.
@Suite("Page snapshots: the review queue and arbitration")
struct ReviewSnapshotTests {
    static let refused = [BulkOutcome(claimID: 51, claimName: "Birch security review", refusal: nil),
                          BulkOutcome(claimID: 66, claimName: "Fir dispute", refusal: "This claim changed while you had the queue open.")]

    /// Each case: its name, the filter, the queue the store answered it with and its total, a bulk action's report, and who looks.
    static let cases: [(String, ReviewFilter, [ReviewItem], Int, ReviewView.BulkReport?, Viewer)] = {
        var filtered = ReviewFilter()
        filtered.kind = .partnerActivities
        filtered.disputesOnly = true
        let manager = Viewer(userID: 2, email: "pat@vendor.example", name: "Pat Manager", membership: .vendor(.programManager))
        let queue = ListFixture.queue
        return [
            ("reviewer", ReviewFilter(), queue, 140, nil, ClaimFixture.reviewerViewer),
            ("after-bulk-approve", ReviewFilter(), Array(queue.dropFirst()), 139, ReviewView.BulkReport(.approve, outcomes: refused),
             ClaimFixture.reviewerViewer),
            ("program-manager-filtered", filtered, [queue[1]], 1, nil, manager),
        ]
    }()

    @Test("the review queue's view model and HTML", arguments: cases.map(\.0))
    func queue(_ name: String) async throws {
        let (_, filter, queue, total, bulk, viewer) = try #require(Self.cases.first { $0.0 == name })
        let view = ReviewView(queue, total: total, filter: filter, engagements: ListFixture.choices.engagements,
                              partners: ListFixture.partners, bulk: bulk, input: ListFixture.input(viewer))
        assertSnapshot(of: view, as: .dump, named: name, testName: "review-model")
        let html = try await PageSnapshots.html(view, template: "review")
        assertSnapshot(of: html, as: .lines, named: name, testName: "review-html")
    }

    @Test("the arbitration page's view model and HTML")
    func arbitration() async throws {
        let submitted = ClaimPageSnapshotTests.consented + [(.submit, ClaimFixture.partner, nil, nil)]
        var first = ClaimFixture.file(submitted, proof: ClaimFixture.fullProof(on: ClaimFixture.start.adding(calendarDays: 2)))
        first.customer.subscriptionID = "0b9e4c6d-2f3a-4b5c-8d7e-1a2b3c4d5e6f"
        var second = ClaimFixture.file([])
        second.claim.id = 77
        second.organizationName = "Cedar Partners"
        second.location = Location(id: 11, organizationID: 3, name: "Cedar Boston", country: "US")
        second.contacts = [Contact(name: "Dana Diaz", title: "CFO", email: "dana@alder.example")]
        let input = PageInput(viewer: ClaimFixture.reviewerViewer, csrfToken: "csrf-token", flash: nil, database: "embedded SQLite",
                              demo: false, now: ClaimFixture.start.adding(calendarDays: 5))
        let view = ArbitrationView([first, second], input: input)
        assertSnapshot(of: view, as: .dump, named: "two-partners", testName: "arbitration-model")
        let html = try await PageSnapshots.html(view, template: "arbitration")
        assertSnapshot(of: html, as: .lines, named: "two-partners", testName: "arbitration-html")
    }
}
