import Hummingbird
import IncentivesStore

/// The pages' outermost net for a database that is down: the session is looked up before the error pages run (they
/// show who is signed in), so an outage met there would leave Hummingbird's bare 500. This answers a plain 503
/// page instead, built without the database, with `Retry-After`.
struct OutageMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StoreError {
            guard case .unreachable = error else { throw error }
            context.logger.error("store unavailable: \(error)")
            return DatabaseOutage.page
        }
    }
}

/// What every surface (pages, the API) says while the database is down, and when to ask again.
enum DatabaseOutage {
    static let message = "The database is not answering. Try again in a minute."
    static let retryAfter = "10"

    /// The page built without the database (no session, no template).
    static var page: Response {
        Response(status: .serviceUnavailable, headers: [.contentType: "text/html; charset=utf-8", .retryAfter: retryAfter, .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: """
                    <!doctype html>
                    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                    <title>Temporarily unavailable · Partner Incentives</title><link rel="stylesheet" href="/static/app.css"></head>
                    <body><main class="narrow"><h1>Temporarily unavailable</h1>
                    <p>\(message)</p></main></body></html>
                    """)))
    }
}
