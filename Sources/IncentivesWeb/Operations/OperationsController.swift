import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore
import Logging
import NIOCore

/// `/health`, `/ready` and `/metrics`, registered ahead of every middleware: a load balancer's probe or a scrape costs
/// no session lookup, form token or error page, and gets no cookie.
struct OperationsController: Sendable {
    let deps: AppDependencies

    /// `/health`'s answer, the same bytes every time (`ObservedResponder` gives it to a GET before anything else runs).
    static let healthy = Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                                  body: .init(byteBuffer: ByteBuffer(string: "ok")))

    func register(on router: Router<AppRequestContext>) {
        // HEAD /health (and a GET, should anything wrap the responder without `ObservedResponder`).
        router.get(SitePath.health.pattern) { _, _ in Self.healthy }
        router.get(SitePath.ready.pattern, use: ready)
        router.get(SitePath.metrics.pattern, use: metrics)
    }

    /// 200 `{"status":"ready"}` when the database answers within `AppConfig.readyWait` and holds exactly this build's migrations;
    /// otherwise 503 `{"status":"not_ready","reason":"…"}`.
    @Sendable func ready(_ request: Request, context: AppRequestContext) async -> Response {
        var body = #"{"status":"#
        let problem = await Readiness.problem(of: deps.db, within: deps.config.readyWait)
        if let problem {
            body += #""not_ready","reason":"#
            JSONText.appendString(problem, to: &body)
            body += "}"
        } else {
            body += #""ready"}"#
        }
        return Response(status: problem == nil ? .ok : .serviceUnavailable,
                        headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The main port serves `/metrics` only with `METRICS_TOKEN` set and no `METRICS_ADDRESS` (whose listener then
    /// serves it alone); otherwise it is not there.
    @Sendable func metrics(_ request: Request, context: AppRequestContext) async -> Response {
        guard deps.config.metricsAddress == nil, deps.config.metricsToken != nil else { return Response(status: .notFound) }
        return await MetricsScrape(deps: deps).answer(request, logger: context.logger)
    }
}

/// One scrape: refused (401) without the bearer token when `METRICS_TOKEN` is set, otherwise the Prometheus text format
/// of the app's registry, with the outbox and webhook queues read as of now.
struct MetricsScrape: Sendable {
    let deps: AppDependencies

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    func answer(_ request: Request, logger: Logger) async -> Response {
        if let token = deps.config.metricsToken {
            let sent = request.headers[.authorization].flatMap { header -> String? in
                guard header.lowercased().hasPrefix("bearer ") else { return nil }
                return String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            }
            guard let sent, CSRFMiddleware.constantTimeEquals(token, sent) else {
                return Response(status: .unauthorized, headers: [.wwwAuthenticate: #"Bearer realm="metrics""#, .cacheControl: "no-store"])
            }
        }
        let now = deps.clock.now
        do {
            deps.telemetry.observeQueues(outbox: try await deps.stores.outbox.backlog(now: now),
                                         webhooks: try await deps.stores.webhooks.backlog(now: now))
        } catch {
            // The rest of the scrape still tells the truth; the queue gauges keep their last reading.
            logger.warning("metrics: the queues could not be read: \(error)")
        }
        return Response(status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: deps.telemetry.exposition())))
    }
}

/// `METRICS_ADDRESS`: a listener of its own that serves `/metrics` and nothing else (a port the public never reaches).
enum MetricsListener {
    static func application(_ deps: AppDependencies, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get(SitePath.metrics.pattern) { request, context in
            await MetricsScrape(deps: deps).answer(request, logger: context.logger)
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "partner-incentives-metrics"),
                           logger: logger)
    }
}
