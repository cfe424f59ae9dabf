import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore
import NIOCore

/// `/settings/calendar`: every signed-in user's private calendar address, made and renewed there; and the feed itself,
/// `/calendar/{secret}.ics`, which needs no session (calendar apps can't sign in): the secret is the authority.
struct CalendarController: Sendable {
    let deps: AppDependencies
    let feeds: CalendarFeeds

    init(deps: AppDependencies) {
        self.deps = deps
        feeds = deps.stores.calendarFeeds
    }

    func register(on router: Router<AppRequestContext>) {
        let settings = router.group().add(middleware: SignedInGuard())
        settings.get(SitePath.calendar.pattern, use: show)
        settings.post(SitePath.calendar.pattern, use: renew)
        router.get(SitePath.calendarFeed(secret: .key).pattern, use: feed)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let address = try await feeds.address(of: try context.signedIn.userID)
        return deps.page("calendar", CalendarView(address, publicURL: deps.config.publicURL, input: deps.pageInput(context)))
    }

    /// Makes the address, or replaces it: the old one answers 404 from now on.
    @Sendable func renew(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        let renewing = try await feeds.address(of: viewer.userID) != nil
        try await feeds.renew(for: viewer.userID, now: deps.clock.now)
        let message = renewing ? "Your calendar has a new address; the old one no longer works. Subscribe to the new one."
            : "Your calendar address is ready. Add it to your calendar app."
        return deps.redirect(to: SitePath.calendar.href(), flash: Flash(kind: .success, message: message))
    }

    /// The feed: 404 for an unknown or renewed secret and for a user who may no longer sign in, exactly like a page
    /// that does not exist; otherwise the open deadlines the user's claims list shows.
    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let userID = try await feeds.owner(of: context.parameters.get("secret") ?? ""),
              let viewer = try await deps.stores.users.viewer(userID, acceptsDemoUsers: deps.config.demo) else {
            throw HTTPError(.notFound)
        }
        let now = deps.clock.now
        let deadlines = try await feeds.deadlines(in: viewer.scope, from: CalendarFeed.earliest(at: now))
        let calendar = CalendarFeed(name: "Partner Incentives deadlines: \(viewer.organizationName)", host: deps.config.publicHost,
                                    publicURL: deps.config.publicURL, stamp: now, deadlines: deadlines)
        // Personal: never kept by a shared cache; an app polling every minute reads it at most every five.
        return Response(status: .ok, headers: [.contentType: "text/calendar; charset=utf-8", .cacheControl: "private, max-age=300"],
                        body: .init(byteBuffer: ByteBuffer(string: calendar.text)))
    }
}
