import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore
import Logging
import NIOCore
import ServiceLifecycle

extension AppDependencies {
    /// The page templates from the app bundle (tests render view models with them, without a server).
    static func loadTemplates() async throws -> PageTemplates {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Templates").path else {
            throw StoreError.badConfiguration("The page templates are missing from the app bundle.")
        }
        return try PageTemplates.load(from: folder)
    }
}

/// Everything a request handler needs, built once at start-up.
public struct AppDependencies: Sendable {
    public let config: AppConfig
    public let db: Database
    public let clock: any WallClock
    let templates: PageTemplates
    /// The public API's contract, read once.
    public let apiSpec: APISpec
    /// API tokens' callers, remembered for a moment (revoking here forgets at once).
    let apiCallers = APICallerCache()
    /// Signs signed-out visitors' form tokens with the server's secret.
    let formTokens: FormTokenSigner
    /// The repositories and application services, built once.
    public let stores: AppStores
    /// This app's metrics registry (`/metrics`) and tracer; the database reports to them too.
    public let telemetry: AppTelemetry

    public init(config: AppConfig, db: Database, clock: any WallClock, telemetry: AppTelemetry = AppTelemetry()) async throws {
        self.config = config
        self.db = db
        self.clock = clock
        self.telemetry = telemetry
        db.instrument(with: telemetry.store)
        stores = AppStores(db: db, config: config)
        if let secret = config.secretKey {
            formTokens = FormTokenSigner(secret: secret)
        } else {
            formTokens = FormTokenSigner(secret: try await ServerSecrets(db: db).secret(named: "form_tokens", now: clock.now))
        }
        apiSpec = try APISpec.load()
        templates = try await Self.loadTemplates()
    }
}

/// The router with every page and the middleware around them. Tests read its route list to keep the
/// authorization matrix complete.
public func buildRouter(_ deps: AppDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let sessions = deps.stores.sessions
    // Before any middleware: probes and scrapes stay cheap and cookie-free.
    OperationsController(deps: deps).register(on: router)
    // Order matters: headers on everything; the session before the error pages (so they show
    // who is signed in); the form token checked inside the error pages (so a refusal is a page).
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: OutageMiddleware())
    router.add(middleware: SessionMiddleware(sessions: sessions, clock: deps.clock, cookies: deps.cookies,
                                             formTokens: deps.formTokens, trustedProxy: deps.config.trustedProxy))
    router.add(middleware: ErrorPageMiddleware(deps: deps))
    router.add(middleware: CSRFMiddleware())
    if let publicFolder = Bundle.module.resourceURL?.appendingPathComponent("Public").path {
        router.add(middleware: FileMiddleware(publicFolder, urlBasePath: "/static", cacheControl: .init([(MediaType(type: .any), [.maxAge(3600)])])))
    }
    SignInController(deps: deps, throttle: .standard).register(on: router)
    HomeController(deps: deps).register(on: router)
    AddCustomerController(deps: deps).register(on: router)
    ClaimController(deps: deps).register(on: router)
    CustomerLinkController(deps: deps).register(on: router)
    ClaimListController(deps: deps).register(on: router)
    EngagementController(deps: deps).register(on: router)
    EligibilityController(deps: deps).register(on: router)
    PayeeProfilesController(deps: deps).register(on: router)
    EnrollmentController(deps: deps).register(on: router)
    EarningsController(deps: deps).register(on: router)
    ReviewController(deps: deps).register(on: router)
    CatalogueController(deps: deps).register(on: router)
    EligibilityListController(deps: deps).register(on: router)
    InclusionRequestController(deps: deps).register(on: router)
    PaymentsController(deps: deps).register(on: router)
    RemittanceController(deps: deps).register(on: router)
    BudgetsController(deps: deps).register(on: router)
    UserController(deps: deps).register(on: router)
    WebhookController(deps: deps).register(on: router)
    PartnerController(deps: deps).register(on: router)
    APIDocsController(deps: deps).register(on: router)
    TokenController(deps: deps).register(on: router)
    CalendarController(deps: deps).register(on: router)
    return router
}

/// The pages' and the API's routers behind one responder, answering `HEAD` like `GET`, each request observed (its id,
/// span, counts and access line).
public func buildResponder(_ deps: AppDependencies) -> some HTTPResponder<AppRequestContext> {
    ObservedResponder(inner: HeadAsGetResponder(inner: SiteResponder(pages: buildRouter(deps).buildResponder(),
                                                                     api: buildAPIRouter(deps, listing: deps.stores.listing).buildResponder())),
                      telemetry: deps.telemetry)
}

/// Builds the HTTP application: routes, middleware, and the background services in its ServiceGroup (with `extra`,
/// e.g. the trace exporter, and the metrics listener of `METRICS_ADDRESS`).
public func buildApplication(_ deps: AppDependencies, logger: Logger, extra: [any Service] = []) -> some ApplicationProtocol {
    let sweeper = DeadlineSweeper(claims: deps.stores.claims, sessions: deps.stores.sessions, links: deps.stores.links,
                                  catalogue: deps.stores.console, eligibility: deps.stores.eligibility, payments: deps.stores.paymentRuns,
                                  clock: deps.clock, interval: deps.config.sweepInterval, logger: logger, telemetry: deps.telemetry)
    let mail = MailDelivery(outbox: deps.stores.outbox, setting: deps.config.mailTransport, from: deps.config.mailFrom,
                            messageIDDomain: deps.config.publicHost, clock: deps.clock, interval: deps.config.mailPollInterval,
                            logger: logger, telemetry: deps.telemetry)
    let webhooks = WebhookDelivery(webhooks: deps.stores.webhooks, addressPolicy: deps.config.webhookAddressPolicy,
                                   clock: deps.clock, interval: deps.config.webhookPollInterval, logger: logger, telemetry: deps.telemetry)
    var services: [any Service] = [sweeper, mail, webhooks] + extra
    if let address = deps.config.metricsAddress {
        services.append(MetricsListener.application(deps, host: address.host, port: address.port, logger: logger))
    }
    return Application(
        responder: buildResponder(deps),
        // A connection with no request under way (silent, or trickling its headers in) is closed after a while.
        server: .http1(configuration: .init(idleTimeout: TimeAmount(deps.config.httpIdleTimeout))),
        configuration: .init(address: .hostname(deps.config.host, port: deps.config.port), serverName: "partner-incentives"),
        services: services,
        logger: logger)
}

/// Runs the app until SIGTERM or SIGINT. Requests in flight and background passes get `grace` to finish, then are
/// cancelled: a stop never waits on a long export, a half-sent request or a database that does not answer.
public func runUntilStopped(_ app: some ApplicationProtocol, logger: Logger, grace: Duration = .seconds(7)) async throws {
    var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = grace
    configuration.maximumCancellationDuration = .seconds(2)
    try await ServiceGroup(configuration: configuration).run()
}

/// A rendered page.
struct HTML: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    let body: String

    func response(from request: Request, context: some RequestContext) throws -> Response { response }

    var response: Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Headers every response carries: no inline scripts, no framing, no sniffing, little referrer.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return response
    }
}
