import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/login` and `/logout`: password sign-in with throttling, session rotation, server-side sign-out. Open to
/// everyone: a signed-in visitor asking for the sign-in page is sent on, a signed-out one asking to sign out is sent to
/// sign in.
struct SignInController: Sendable {
    let deps: AppDependencies
    let users: UserRepository
    let sessions: SessionRepository
    let throttle: SignInThrottle

    /// The one message for a failed sign-in: it never says whether the account exists.
    static let failure = "Email or password is incorrect."
    static let demoOnly = "Demo accounts sign in only when the server runs in demo mode."

    init(deps: AppDependencies, throttle: SignInThrottle) {
        self.deps = deps
        users = deps.stores.users
        sessions = deps.stores.sessions
        self.throttle = throttle
    }

    func register(on router: Router<AppRequestContext>) {
        router.get(SitePath.login.pattern, use: show)
        router.post(SitePath.login.pattern, use: signIn)
        router.get(SitePath.logout.pattern, use: confirmSignOut)
        router.post(SitePath.logout.pattern, use: signOut)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let next = RedirectTarget.sameOriginPath(request.uri.queryParameters["next"].map(String.init))
        if context.viewer != nil { return deps.redirect(to: next ?? SitePath.home.href()) }
        return deps.page("login", SignInView(next: next, input: deps.pageInput(context))).response
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let email = context.form.text("email")
        let password = context.form["password"] ?? ""
        let next = context.form["next"]
        let account = Credentials.normalizedEmail(email) ?? email.lowercased()
        let now = deps.clock.now
        func fail(_ message: String, _ status: HTTPResponse.Status) -> Response {
            deps.page("login", SignInView(email: email, next: next, error: message, input: deps.pageInput(context)), status: status).response
        }
        guard !email.isEmpty, !password.isEmpty else { return fail("Enter your email and password.", .unprocessableContent) }
        // No account has an address that breaks the rule, or a longer password: refused before it is counted or checked.
        guard Credentials.normalizedEmail(email) != nil else {
            return fail("Enter your email address, like name@example.com.", .unprocessableContent)
        }
        guard password.utf8.count <= Credentials.maximumPasswordBytes else { return fail(Self.failure, .unprocessableContent) }
        // The attempt is counted before its password is checked, so parallel guesses get no more checks than serial ones.
        let attempt: Int64
        switch try await sessions.beginSignIn(account: account, address: context.remoteAddress, now: now, throttle: throttle) {
        case .refused(let until):
            // While it must wait, the password is not even checked: guessing gains nothing.
            deps.telemetry.signInLockouts.increment()
            var response = fail(SignInThrottle.message(until: until, now: now), .tooManyRequests)
            response.headers[.retryAfter] = String(SignInThrottle.seconds(until: until, now: now))
            return response
        case .admitted(let attemptID):
            attempt = attemptID
        }
        let found = try await users.credentials(email: email)
        // An unknown account costs the same bcrypt work as a wrong password, so timing tells nothing.
        let hash = found?.passwordHash ?? PasswordHasher.decoy
        let verified = try await BlockingWork.run { PasswordHasher.verify(password, hash: hash) }
        guard verified, found?.passwordHash != nil, let user = found else {
            try await sessions.finishSignIn(attemptID: attempt, succeeded: false)
            deps.telemetry.signInFailures.increment()
            return fail(Self.failure, .unprocessableContent)
        }
        // The demo's password is published: its accounts are for demo mode only.
        guard !user.isDemo || deps.config.demo else {
            try await sessions.finishSignIn(attemptID: attempt, succeeded: false)
            return fail(Self.demoOnly, .forbidden)
        }
        try await sessions.finishSignIn(attemptID: attempt, succeeded: true)
        return try await deps.startSession(userID: user.id, sessions: sessions, request: request, context: context,
                                           redirectTo: RedirectTarget.sameOriginPath(next) ?? SitePath.home.href())
    }

    @Sendable func confirmSignOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard context.viewer != nil else { return deps.redirect(to: SitePath.login.href()) }
        return deps.page("logout", SignOutView(input: deps.pageInput(context))).response
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let token = context.sessionToken { try await sessions.end(token: token) }
        var response = deps.redirect(to: SitePath.login.href(), flash: Flash(kind: .info, message: "You are signed out."))
        response.setCookie(deps.cookies.clear(.session))
        return response
    }
}
