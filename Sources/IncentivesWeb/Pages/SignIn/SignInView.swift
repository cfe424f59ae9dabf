import Foundation
import IncentivesDomain
import IncentivesStore

/// The sign-in page: the form (sent back with its one message after a failure) and, in demo mode, the demo accounts.
struct SignInView: PageView {
    struct DemoAccount: Sendable {
        let email: String
        let role: String
    }

    let shell: Shell
    let email: String
    /// Where to go after signing in: a path of this site only.
    let next: String?
    let error: String?
    let demo: Bool
    let signIns: [DemoAccount]
    let password: String
    let action: String

    init(email: String = "", next: String? = nil, error: String? = nil, input: PageInput) {
        shell = Shell(input, title: "Sign in")
        self.email = email
        self.next = RedirectTarget.sameOriginPath(next)
        self.error = error
        demo = input.demo
        signIns = input.demo ? Seeder.demoSignIns.map { DemoAccount(email: $0.email, role: $0.role) } : []
        password = input.demo ? Seeder.demoPassword : ""
        action = SitePath.login.href()
    }
}

/// The sign-out page: one button, which ends the session on the server.
struct SignOutView: PageView {
    let shell: Shell
    let action: String

    init(input: PageInput) {
        shell = Shell(input, title: "Sign out")
        action = SitePath.logout.href()
    }
}
