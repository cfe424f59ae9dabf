import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore
import Logging
import Mustache

/// Everything a request handler needs, built once at start-up.
public struct AppDependencies: Sendable {
    public let config: AppConfig
    public let db: Database
    public let clock: any WallClock
    public let templates: MustacheLibrary

    public init(config: AppConfig, db: Database, clock: any WallClock) async throws {
        self.config = config; self.db = db; self.clock = clock
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Templates").path else {
            throw StoreError.badConfiguration("The page templates are missing from the app bundle.")
        }
        self.templates = try await MustacheLibrary(directory: folder)
    }
}

/// Builds the HTTP application: routes, middleware, and the background services in its ServiceGroup.
public func buildApplication(_ deps: AppDependencies, logger: Logger) -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    if let publicFolder = Bundle.module.resourceURL?.appendingPathComponent("Public").path {
        router.add(middleware: FileMiddleware(publicFolder, urlBasePath: "/static", cacheControl: .init([(MediaType(type: .any), [.maxAge(3600)])])))
    }
    router.get("/health") { _, _ in "ok" }
    LandingPage(deps: deps).register(on: router)
    let sweeper = DeadlineSweeper(claims: ClaimRepository(db: deps.db), clock: deps.clock,
                                  interval: deps.config.sweepInterval, logger: logger)
    return Application(
        router: router,
        configuration: .init(address: .hostname(deps.config.host, port: deps.config.port), serverName: "partner-incentives"),
        services: [sweeper],
        logger: logger)
}

/// A rendered page.
struct HTML: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    let body: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Headers every response carries: no inline scripts, no framing, no sniffing, little referrer.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return response
    }
}
