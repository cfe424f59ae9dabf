import Foundation
import Hummingbird
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
        let count = try await stores.users.demoUserCount()
        guard count > 0 else { return nil }
        return "This database holds \(count) demo account\(count == 1 ? "" : "s") with the published password; without --demo "
            + "they can't sign in, keep a session or use an API token. `incentives users passwd` makes one an ordinary account."
    }
}
