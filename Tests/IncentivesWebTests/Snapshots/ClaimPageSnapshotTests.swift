import Foundation
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import SnapshotTesting
import Testing

/// The claim page's view model and its HTML in each group of statuses, from plain values: the golden files under
/// `__Snapshots__` are the page as it looks, reviewed in diffs whenever the page changes.
@Suite("Page snapshots: the claim page in each status group")
struct ClaimPageSnapshotTests {
    typealias Step = (ClaimAction, Actor, String?, ReviewReason?)

    static let consentSent: [Step] = [(.sendConsentRequest, ClaimFixture.partner, nil, nil)]
    static let consented: [Step] = consentSent + [(.acceptConsent, ClaimFixture.customerContact, nil, nil)]
    static let inReview: [Step] = consented + [(.submit, ClaimFixture.partner, nil, nil), (.startReview, ClaimFixture.reviewer, nil, nil)]

    /// Each case: its name, the walk, the proof the claim holds, and who looks.
    static let cases: [(String, [Step], Bool, Viewer)] = [
        ("customer-claimed", [], false, ClaimFixture.partnerViewer),
        ("awaiting-consent", consentSent, false, ClaimFixture.partnerViewer),
        ("consent-received-proof-missing", consented, false, ClaimFixture.partnerViewer),
        ("under-review-reviewer", inReview, true, ClaimFixture.reviewerViewer),
        ("partner-action-required",
         inReview + [(.requestInformation, ClaimFixture.reviewer, "Missing customer signature: page 2 is unsigned", .missingCustomerSignature)],
         true, ClaimFixture.partnerViewer),
        ("approved", inReview + [(.approve, ClaimFixture.reviewer, nil, nil)], true, ClaimFixture.partnerViewer),
        ("rejected-dispute-open",
         inReview + [(.reject, ClaimFixture.reviewer, "Customer or location not eligible", .notEligible)], true, ClaimFixture.partnerViewer),
    ]

    @Test("the claim page's view model and HTML", arguments: cases.map(\.0))
    func claimPage(_ name: String) async throws {
        let (_, steps, proof, viewer) = try #require(Self.cases.first { $0.0 == name })
        let file = ClaimFixture.file(steps, proof: proof ? ClaimFixture.fullProof(on: ClaimFixture.start.adding(calendarDays: 2)) : [])
        let view = ClaimView(file, input: ClaimFixture.input(viewer, file: file), uploadLimit: "25 MB")
        assertSnapshot(of: view, as: .dump, named: name, testName: "claim-model")
        let html = try await PageSnapshots.html(view, template: "claim")
        assertSnapshot(of: html, as: .lines, named: name, testName: "claim-html")
    }
}

/// Renders view models with the app's own templates, as the pages do.
enum PageSnapshots {
    static func html(_ view: some PageView, template: String) async throws -> String {
        let html = try await AppDependencies.loadTemplates().render(view, template: template) ?? ""
        // The page as swift-mustache rendered it, byte for byte.
        #expect(html == SwiftMustacheReference.pages.render(view, withTemplate: template), "\(template)")
        return html
    }
}
