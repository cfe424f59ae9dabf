import Foundation
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import SnapshotTesting
import Testing

/// The eligibility page from the program fixture's plain values: Seattle earns, Berlin does not and says why.
@Suite("Page snapshots: eligibility")
struct EligibilitySnapshotTests {
    @Test("the eligibility page's view model and HTML")
    func eligibility() async throws {
        let view = EligibilityView(program: ProgramFixture.program, locations: ProgramFixture.standings, input: ProgramFixture.input())
        assertSnapshot(of: view, as: .dump, named: "one-earning-one-not", testName: "eligibility-model")
        let html = try await PageSnapshots.html(view, template: "eligibility")
        assertSnapshot(of: html, as: .lines, named: "one-earning-one-not", testName: "eligibility-html")
    }
}
