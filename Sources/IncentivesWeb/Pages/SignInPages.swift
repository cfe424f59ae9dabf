import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore
import NIOPosix

/// bcrypt is slow on purpose: it runs on NIO's thread pool so it never stalls the request threads, and at most
/// one per core at a time, so a burst of sign-ins waits its turn here instead of taking every thread.
enum BlockingWork {
    static let passwords = AsyncSemaphore(permits: max(1, ProcessInfo.processInfo.activeProcessorCount))

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        try await passwords.withPermit { try await NIOThreadPool.singleton.runIfActive(work) }
    }
}

/// `/login` and `/logout`: password sign-in with throttling, session rotation, server-side sign-out.
struct SignInPages: Sendable {
    let deps: AppDependencies
    let users: UserRepository
    let sessions: SessionRepository
    let throttle: SignInThrottle

    /// The one message for a failed sign-in: it never says whether the account exists.
    static let failure = "Email or password is incorrect."
    static let demoOnly = "Demo accounts sign in only when the server runs in demo mode."

    struct SignIn: Sendable { let email: String; let role: String }
    struct View: PageView {
        let shell: Shell
        let email: String
        let next: String?
        let error: String?
        let demo: Bool
        let signIns: [SignIn]
        let password: String
    }

    struct SignOutView: PageView { let shell: Shell }

    func register(on router: Router<AppRequestContext>) {
        router.get("/login") { request, context in
            let next = RedirectTarget.sameOriginPath(request.uri.queryParameters["next"].map(String.init))
            if context.viewer != nil { return deps.redirect(to: next ?? "/") }
            return try render(context, email: "", next: next, error: nil, status: .ok)
                .response(from: request, context: context)
        }
        router.post("/login") { request, context in try await signIn(request, context) }
        router.get("/logout") { request, context -> Response in
            guard context.viewer != nil else { return deps.redirect(to: "/login") }
            return try deps.page("logout", SignOutView(shell: Shell(context, deps: deps, title: "Sign out")))
                .response(from: request, context: context)
        }
        router.post("/logout") { _, context -> Response in
            if let token = context.sessionToken { try await sessions.end(token: token) }
            var response = deps.redirect(to: "/login", flash: Flash(kind: .info, message: "You are signed out."))
            response.setCookie(deps.cookies.clear(.session))
            return response
        }
    }

    func render(_ context: AppRequestContext, email: String, next: String?, error: String?, status: HTTPResponse.Status) -> HTML {
        let view = View(
            shell: Shell(context, deps: deps, title: "Sign in"), email: email, next: RedirectTarget.sameOriginPath(next), error: error,
            demo: deps.config.demo,
            signIns: deps.config.demo ? Seeder.demoSignIns.map { SignIn(email: $0.email, role: $0.role) } : [],
            password: deps.config.demo ? Seeder.demoPassword : "")
        return deps.page("login", view, status: status)
    }

    func signIn(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let email = context.form.text("email"), password = context.form["password"] ?? ""
        let next = context.form["next"]
        let account = Credentials.normalizedEmail(email) ?? email.lowercased()
        let now = deps.clock.now
        func fail(_ message: String, _ status: HTTPResponse.Status) throws -> Response {
            try render(context, email: email, next: next, error: message, status: status).response(from: request, context: context)
        }
        guard !email.isEmpty, !password.isEmpty else {
            return try fail("Enter your email and password.", .unprocessableContent)
        }
        // No account has an address that breaks the rule, or a longer password: refused before it is counted or checked.
        guard Credentials.normalizedEmail(email) != nil else {
            return try fail("Enter your email address, like name@example.com.", .unprocessableContent)
        }
        guard password.utf8.count <= Credentials.maximumPasswordBytes else { return try fail(Self.failure, .unprocessableContent) }
        // The attempt is counted before its password is checked, so parallel guesses get no more checks than serial ones.
        let attempt: Int64
        switch try await sessions.beginSignIn(account: account, address: context.remoteAddress, now: now, throttle: throttle) {
        case .refused(let until):
            // While it must wait, the password is not even checked: guessing gains nothing.
            var response = try fail(SignInThrottle.message(until: until, now: now), .tooManyRequests)
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
            return try fail(Self.failure, .unprocessableContent)
        }
        // The demo's password is published: its accounts are for demo mode only.
        guard !user.isDemo || deps.config.demo else {
            try await sessions.finishSignIn(attemptID: attempt, succeeded: false)
            return try fail(Self.demoOnly, .forbidden)
        }
        try await sessions.finishSignIn(attemptID: attempt, succeeded: true)
        return try await deps.startSession(userID: user.id, sessions: sessions, request: request, context: context,
                                           redirectTo: RedirectTarget.sameOriginPath(next) ?? "/")
    }
}

extension AppDependencies {
    /// Signs a user in on this browser: a new session id (a session fixed before sign-in is worth nothing after
    /// it), its cookie, and the signed-out form token dropped (the session's own token replaces it).
    func startSession(userID: Int64, sessions: SessionRepository, request: Request, context: AppRequestContext,
                      redirectTo path: String, flash: Flash? = nil) async throws -> Response {
        if let old = context.sessionToken { try await sessions.end(token: old) }
        let started = try await sessions.start(userID: userID, address: context.remoteAddress,
                                               userAgent: request.headers[.userAgent] ?? "", now: clock.now)
        var response = redirect(to: path, flash: flash)
        response.setCookie(cookies.make(.session, started.token))
        response.setCookie(cookies.clear(.csrf))
        return response
    }
}

extension AppDependencies {
    /// The start-up warning when the database holds demo accounts and the server is not in demo mode.
    public func demoAccountsWarning() async throws -> String? {
        guard !config.demo else { return nil }
        let count = try await UserRepository(db: db).demoUserCount()
        guard count > 0 else { return nil }
        return "This database holds \(count) demo account\(count == 1 ? "" : "s") with the published password; without --demo "
            + "they can't sign in, keep a session or use an API token. `incentives users passwd` makes one an ordinary account."
    }
}
