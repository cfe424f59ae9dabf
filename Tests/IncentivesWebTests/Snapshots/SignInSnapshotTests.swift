import Foundation
import IncentivesDomain
@testable import IncentivesWeb
import Testing

/// The sign-in page sent back after a failed attempt, from plain values: the address kept, the one message, where to go
/// after signing in; and in demo mode with the demo accounts.
@Suite("Page snapshots: the sign-in page")
struct SignInSnapshotTests {
    static func input(demo: Bool) -> PageInput {
        PageInput(viewer: nil, csrfToken: "signed-out-token", flash: nil, database: "embedded SQLite", demo: demo,
                  now: ClaimFixture.start)
    }

    @Test("the sign-in page with an error")
    func signInWithError() async throws {
        let view = SignInView(email: "ana@bluefin.example", next: "/claims?status=approved&q=O'Brien", error: SignInController.failure,
                              input: Self.input(demo: false))
        try await PageSnapshots.pin(view, template: "login", state: "error")
        // Only a path of this site is a place to go next.
        #expect(SignInView(next: "https://evil.example/", input: Self.input(demo: false)).next == nil)
    }

    @Test("the sign-in page in demo mode, with the demo accounts")
    func demoSignIn() async throws {
        let view = SignInView(error: "Enter your email and password.", input: Self.input(demo: true))
        try await PageSnapshots.pin(view, template: "login", state: "demo-error")
    }
}
