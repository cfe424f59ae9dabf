import Foundation
import HTTPTypes
import Hummingbird
import IncentivesStore
import Logging
import Tracing

/// The first thing every request meets, pages and API alike: it takes or makes the request id (returned as
/// `X-Request-Id`, errors included, and on every log line of the request), opens the request's span, and once the answer
/// is ready counts it by method, route pattern and status and writes the one access line. A `GET /health` is answered
/// first of all and only counted: no id, span or log line (probes come every few seconds to every instance).
struct ObservedResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == AppRequestContext {
    let inner: Inner
    let telemetry: AppTelemetry

    var requestIDField: HTTPField.Name { RequestID.field }

    func respond(to request: Request, context: AppRequestContext) async throws -> Response {
        // Ahead of the request id, the logger's metadata, the task-local observation and the router, which together cost
        // a fifth of a bare Hummingbird server's rate on this path (issue 20). HEAD goes the way below, which drops the body.
        if request.method == .get, request.uri.path == SitePath.health.path {
            telemetry.answeredHealth()
            return OperationsController.healthy
        }
        let id = RequestID.accepted(request.headers[requestIDField]) ?? RequestID.make()
        let started = ContinuousClock.now
        let observation = RequestObservation(id: id)
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        let method = RequestLabels.method(request.method)
        let quiet = request.uri.path == SitePath.health.path
        return await RequestObservation.$current.withValue(observation) {
            let span = quiet ? nil : startSpan(request, method: method, id: id)
            var response = await answer(request, context: context, span: span)
            response.headers[requestIDField] = id
            let route = RequestLabels.route(context.endpointPath)
            let status = Int(response.status.code)
            let elapsed = ContinuousClock.now - started
            telemetry.answered(method: method, route: route, status: status, after: elapsed)
            if let span {
                span.operationName = "\(method) \(route)"
                span.attributes["http.route"] = route
                span.attributes["http.status_code"] = status
                if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
                span.end()
            }
            if !quiet {
                var line: Logger.Metadata = ["method": .string(method), "route": .string(route), "status": .stringConvertible(status),
                                             "duration_ms": .string(RequestLabels.milliseconds(elapsed))]
                if let user = observation.userID { line["user_id"] = .stringConvertible(user) }
                context.logger.info("request", metadata: line)
            }
            return response
        }
    }

    /// The inner answer inside the span; what escapes it becomes the answer Hummingbird would give, so it carries the id.
    private func answer(_ request: Request, context: AppRequestContext, span: (any Span)?) async -> Response {
        do {
            guard let span else { return try await inner.respond(to: request, context: context) }
            return try await InstrumentationContext.$current.withValue(span.context) { try await inner.respond(to: request, context: context) }
        } catch let error as any HTTPResponseError {
            return (try? error.response(from: request, context: context)) ?? Response(status: error.status)
        } catch {
            span?.recordError(error)
            context.logger.error("unanswered error: \(String(reflecting: error))")
            return Response(status: .internalServerError)
        }
    }

    /// A server span, continuing the caller's trace when it sent one (`traceparent`, as the tracer reads it).
    private func startSpan(_ request: Request, method: String, id: String) -> any Span {
        var parent = InstrumentationContext.current ?? .topLevel
        telemetry.tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let span = telemetry.tracer.startSpan(method, context: parent, ofKind: .server)
        span.attributes["http.method"] = method
        span.attributes["request.id"] = id
        return span
    }

}

/// How a request is named in metrics, spans and the access line: few, bounded values, never what a client typed.
enum RequestLabels {
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// The method: one of the few a client may send, else "other".
    static func method(_ method: HTTPRequest.Method) -> String {
        knownMethods.contains(method.rawValue) ? method.rawValue : "other"
    }

    /// The route pattern the router matched (`/claims/{id}`), never the path as sent; "unmatched" when none did.
    static func route(_ endpoint: String?) -> String {
        switch endpoint {
        case nil, "NotFound": "unmatched"
        case "FileMiddleware": "/static/*"
        case let pattern?: pattern
        }
    }

    /// Milliseconds with one decimal.
    static func milliseconds(_ elapsed: Duration) -> String {
        let micro = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        return String(format: "%.1f", Double(micro) / 1_000)
    }
}

/// Reads trace context headers from a request.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}
