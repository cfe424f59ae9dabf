import Foundation
import HTTPTypes
import Hummingbird
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime

/// The API's own router, apart from the pages': its middleware is `APIGateway` (tokens, limits, idempotency,
/// problems), never the pages' sessions, form tokens and error pages.
func buildAPIRouter(_ deps: AppDependencies, listing: ClaimListing) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    let spec = deps.apiSpec
    // The contract is public: clients and fuzzers read it before they hold a token.
    router.get(RouterPath(APISpec.yamlPath)) { _, _ in
        Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: spec.yaml)))
    }
    router.get(RouterPath(APISpec.jsonPath)) { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: spec.json)))
    }
    // Added after the contract's routes, so it wraps every operation and the not-found answer, not those two.
    router.add(middleware: APIGateway(tokens: deps.stores.apiTokens,
                                      callers: deps.apiCallers, clock: deps.clock,
                                      limiter: RateLimiter(perMinute: deps.config.apiRateLimit), paths: spec.paths,
                                      uploadLimit: deps.config.uploadPolicy.maxBytes + 64 * 1024))
    let api = PublicAPI(deps: deps, listing: listing)
    let transport = HandRoutedTransport(router: router, skipped: ["GET /api/v1/claims"], nulls: spec.nulls)
    do {
        try api.registerHandlers(on: transport, serverURL: URL(string: APIGateway.prefix)!,
                                 configuration: Configuration(jsonEncodingOptions: []))
    } catch {
        preconditionFailure("The generated API routes could not be registered: \(error)")
    }
    // The claims list, the API's hottest call, answers with the bytes `ClaimJSON` writes; the generated client
    // decodes them like any other response (a test holds it to that).
    router.get("/api/v1/claims") { request, _ -> Response in
        let body = try await api.claimListBody(FormFields(urlEncoded: request.uri.query ?? ""))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
    return router
}

/// Registers the generated operations on the router, but for those answered by a route of their own.
struct HandRoutedTransport: ServerTransport {
    let router: Router<AppRequestContext>
    /// "METHOD /path" of the operations not to register.
    let skipped: Set<String>
    let nulls: ResponseNulls

    func register(_ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
                  method: HTTPRequest.Method, path: String) throws {
        guard !skipped.contains("\(method.rawValue) \(path)") else { return }
        let nulls = self.nulls
        try router.register({ request, body, metadata in
            // A request without a body (no length, or length 0) has none: an optional body is then absent,
            // rather than an empty document that fails to parse.
            let length = request.headerFields[.contentLength]
            let none = length == "0" || (length == nil && request.headerFields[.transferEncoding] == nil)
            let (response, answer) = try await handler(request, none ? nil : body, metadata)
            guard let answer, response.headerFields[.contentType]?.hasPrefix("application/json") == true else { return (response, answer) }
            let bytes = try await [UInt8](collecting: answer, upTo: 16 * 1024 * 1024)
            let relative = String(path.dropFirst(APIGateway.prefix.count))
            let filled = nulls.fill(bytes, method: method.rawValue, path: relative, status: response.status.code)
            var headed = response
            headed.headerFields[.contentLength] = String(filled.count)
            return (headed, HTTPBody(filled))
        }, method: method, path: path)
    }
}

/// Sends `/api/v1/...` to the API's router and everything else to the pages'.
struct SiteResponder<Pages: HTTPResponder, API: HTTPResponder>: HTTPResponder
    where Pages.Context == AppRequestContext, API.Context == AppRequestContext {
    let pages: Pages
    let api: API

    func respond(to request: Request, context: AppRequestContext) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix(APIGateway.prefix + "/") || path == APIGateway.prefix {
            return try await api.respond(to: request, context: context)
        }
        return try await pages.respond(to: request, context: context)
    }
}
