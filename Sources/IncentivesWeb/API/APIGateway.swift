import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore
import NIOCore
import Synchronization

/// The caller of the API request being handled: set by `APIGateway` around the handler, read by the handlers
/// (the generated server protocol passes them only the operation's input).
enum APIRequest {
    @TaskLocal static var caller: APICaller?
}

/// Who a token is, remembered for a moment, so a burst of requests costs one look-up of its caller. Revoking a
/// token through this instance forgets it at once; another instance (or the CLI) is heard within `lifetime`, as
/// are role changes.
final class APICallerCache: Sendable {
    static let lifetime: Duration = .seconds(1)
    private let entries = Mutex<[String: (caller: APICaller, stored: ContinuousClock.Instant)]>([:])

    func caller(hash: String) -> APICaller? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard ContinuousClock.now - entry.stored < Self.lifetime else {
                entries[hash] = nil
                return nil
            }
            return entry.caller
        }
    }

    func store(_ caller: APICaller, hash: String) {
        entries.withLock { entries in
            if entries.count >= 10_000 { entries.removeAll() }
            entries[hash] = (caller, .now)
        }
    }

    /// Forgets every caller: the next request of each token looks it up again.
    func forgetAll() { entries.withLock { $0.removeAll() } }

    func forget(tokenID: Int64) {
        entries.withLock { $0 = $0.filter { $0.value.caller.token.id != tokenID } }
    }
}

/// Requests per token per minute, counted in this instance's memory in fixed one-minute windows.
final class RateLimiter: Sendable {
    struct Decision { let allowed: Bool; let limit: Int; let remaining: Int; let resetSeconds: Int }

    let limit: Int
    private let windows = Mutex<[Int64: (minute: Int64, used: Int)]>([:])

    init(perMinute limit: Int) { self.limit = limit }

    func take(_ tokenID: Int64, at now: Date) -> Decision {
        let seconds = now.timeIntervalSince1970
        let minute = Int64((seconds / 60).rounded(.down))
        let reset = max(1, Int((Double(minute + 1) * 60 - seconds).rounded(.up)))
        let used: Int = windows.withLock { windows in
            if windows.count > 10_000 { windows = windows.filter { $0.value.minute == minute } }
            var entry = windows[tokenID].flatMap { $0.minute == minute ? $0 : nil } ?? (minute: minute, used: 0)
            entry.used += 1
            windows[tokenID] = entry
            return entry.used
        }
        return Decision(allowed: used <= limit, limit: limit, remaining: max(0, limit - used), resetSeconds: reset)
    }
}

/// The paths of the contract with their methods, read from openapi.yaml: a method the contract does not declare
/// on a path it does is answered 405 with `Allow`, before anything else.
struct APIPathIndex: Sendable {
    struct Entry: Sendable { let segments: [String]; let methods: [HTTPRequest.Method] }
    let entries: [Entry]

    init(paths: [String: [String]]) {
        entries = paths.map { path, methods in
            Entry(segments: path.split(separator: "/").map(String.init),
                  methods: methods.compactMap { HTTPRequest.Method($0.uppercased()) }.sorted { $0.rawValue < $1.rawValue })
        }
    }

    /// The contract's entry of the path (relative to `/api/v1`), or nil for a path the contract does not have.
    func entry(for path: Substring) -> Entry? {
        let parts = path.split(separator: "/")
        return entries.first { entry in
            entry.segments.count == parts.count && zip(entry.segments, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }
}

extension APIPathIndex.Entry {
    /// Whether an id of the path (`{id}`, `{location_id}`…: the contract's ids are whole numbers) is no whole number, so
    /// the path names nothing; the generated server would otherwise answer its decoding error as a bad body.
    func namesNothing(_ path: Substring) -> Bool {
        zip(segments, path.split(separator: "/")).contains { segment, part in
            (segment == "{id}" || (segment.hasPrefix("{") && segment.hasSuffix("_id}"))) && Int64(part) == nil
        }
    }
}

/// Everything around an API handler: problems for every error, 405 for undeclared methods, bearer tokens,
/// read-only tokens refused on POST, PUT and DELETE, the per-token rate limit and its headers, and idempotency keys on POST.
struct APIGateway: RouterMiddleware {
    typealias Context = AppRequestContext

    static let prefix = "/api/v1"
    let tokens: APITokenRepository
    let callers: APICallerCache
    let clock: any WallClock
    let limiter: RateLimiter
    let paths: APIPathIndex
    /// The largest body of a document upload (the largest file, and some).
    let uploadLimit: Int
    /// The largest body of every other operation: JSON of a few fields.
    static let jsonLimit = 64 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let relative = request.uri.path.dropFirst(Self.prefix.count)
            // One match of the path against the contract serves the method check and the id check.
            let entry = paths.entry(for: relative)
            if let methods = entry?.methods, !methods.contains(request.method),
               !(request.method == .head && methods.contains(.get)) {
                throw APIProblem(.methodNotAllowed, "\(request.method.rawValue) is not an operation of this path.",
                                 headers: [.allow: methods.map(\.rawValue).joined(separator: ", ")])
            }
            guard let caller = try await authenticate(request) else { throw APIProblem.unauthorized }
            RequestObservation.signedIn(caller.viewer.userID)
            if (request.uri.query ?? "").contains("%00") || request.uri.path.contains("%00") {
                throw APIProblem(.badRequest, "NUL characters are not accepted in parameters.")
            }
            if entry?.namesNothing(relative) == true { throw APIProblem.notFound() }
            // The contract's maxLength: the generated server doesn't check header lengths, and a long list of
            // entity tags could otherwise be read as none at all.
            if request.headers[values: .ifMatch].joined(separator: ", ").count > 100 {
                throw APIProblem(.badRequest, "If-Match takes the claim's ETag, at most 100 characters, like \"3\".")
            }
            let decision = limiter.take(caller.token.id, at: clock.now)
            var response: Response
            if !decision.allowed {
                response = APIProblem(.rateLimited, "This token may make \(decision.limit) requests a minute; try again in \(decision.resetSeconds) seconds.",
                                      headers: [.retryAfter: String(decision.resetSeconds)]).response
            } else if request.method == .post {
                guard caller.token.scope == .write else {
                    throw APIProblem(.readOnlyToken, "This token has the read scope; create a write token to change things.")
                }
                response = try await idempotent(request, context: context, caller: caller, next: next)
            } else if request.method != .get && request.method != .head && caller.token.scope != .write {
                // PUT and DELETE (a proof template on a draft) change things too.
                throw APIProblem(.readOnlyToken, "This token has the read scope; create a write token to change things.")
            } else {
                response = await run(request, context: context, caller: caller, next: next)
            }
            // swift-openapi-runtime writes header values URI-encoded (`%223%22`); an entity tag goes out as RFC 9110 has it.
            if let etag = response.headers[.eTag], let plain = etag.removingPercentEncoding { response.headers[.eTag] = plain }
            // A template's name likewise (`attachment; filename="…"`: it always holds quotes once decoded).
            if let disposition = response.headers[.contentDisposition], !disposition.contains("\""),
               let plain = disposition.removingPercentEncoding { response.headers[.contentDisposition] = plain }
            response.headers[HTTPField.Name("RateLimit-Limit")!] = String(decision.limit)
            response.headers[HTTPField.Name("RateLimit-Remaining")!] = String(decision.remaining)
            response.headers[HTTPField.Name("RateLimit-Reset")!] = String(decision.resetSeconds)
            return response
        } catch {
            return APIProblem.from(error, logger: context.logger).response
        }
    }

    private func authenticate(_ request: Request) async throws -> APICaller? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        guard APITokenRepository.looksLikeToken(secret) else { return nil }
        let hash = Secret.hash(secret)
        if let known = callers.caller(hash: hash) { return known }
        guard let caller = try await tokens.authenticate(secret, now: clock.now) else { return nil }
        callers.store(caller, hash: hash)
        return caller
    }

    /// The handler's response, or its error as a problem.
    private func run(_ request: Request, context: Context, caller: APICaller,
                     next: (Request, Context) async throws -> Response) async -> Response {
        do {
            return try await APIRequest.$caller.withValue(caller) { try await next(request, context) }
        } catch {
            return APIProblem.from(error, logger: context.logger).response
        }
    }

    /// A POST under its `Idempotency-Key`: the first response is kept (but a 5xx) and replayed for the same
    /// request; another request under the same key is refused.
    private func idempotent(_ request: Request, context: Context, caller: APICaller,
                            next: (Request, Context) async throws -> Response) async throws -> Response {
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let key, !((1...200).contains(key.utf8.count) && key.utf8.allSatisfy({ $0 >= 0x21 && $0 < 0x7F })) {
            throw APIProblem(.badRequest, "An Idempotency-Key is 1 to 200 visible ASCII characters.")
        }
        var request = request
        let body: ByteBuffer
        let upload = Self.isUpload(request.uri.path), csv = Self.isImport(request.uri.path)
        do { body = try await request.collectBody(upTo: upload ? uploadLimit : csv ? CSVTable.maxFileBytes : Self.jsonLimit) } catch {
            throw APIProblem(.tooLarge, upload ? "The body is larger than this server accepts."
                                               : csv ? "A CSV import is at most \(CSVTable.maxFileBytes / 1024) KB; import it in parts."
                                               : "A request body is at most \(Self.jsonLimit / 1024) KB (only a document upload may be larger).")
        }
        // JSON may spell NUL as an escape; no field of the API takes one (and PostgreSQL refuses it in text), nor does a CSV import.
        let type = (request.headers[.contentType] ?? "").lowercased()
        if type.contains("json") || type.contains("csv"), Self.containsNUL(body.readableBytesView) {
            throw APIProblem(.badRequest, "NUL characters are not accepted.")
        }
        guard let key else {
            return await run(Request(head: request.head, body: .init(buffer: body)), context: context, caller: caller, next: next)
        }
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8))
        hasher.update(data: Array(buffer: body))
        let requestHash = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let now = clock.now
        switch try await tokens.claim(key: key, tokenID: caller.token.id, requestHash: requestHash, now: now) {
        case .replay(let stored):
            var headers: HTTPFields = [:]
            for (name, value) in stored.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
            if let type = stored.contentType { headers[.contentType] = type }
            headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
        case .mismatch:
            throw APIProblem(.idempotencyKeyReused, "This Idempotency-Key was used for a different request in the last 24 hours; use a new key.")
        case .inFlight:
            throw APIProblem(.idempotencyInFlight, "The first request with this Idempotency-Key has not finished yet; retry in a moment.")
        case .fresh:
            let replayable = Request(head: request.head, body: .init(buffer: body))
            var response = await run(replayable, context: context, caller: caller, next: next)
            let bytes: [UInt8]
            do { bytes = try await Self.collect(response.body) } catch {
                try? await tokens.abandon(key: key, tokenID: caller.token.id)
                throw error
            }
            response.body = .init(byteBuffer: ByteBuffer(bytes: bytes))
            if response.status.code >= 500 {
                try await tokens.abandon(key: key, tokenID: caller.token.id)
            } else {
                var kept: [String: String] = [:]
                for name in [HTTPField.Name.eTag, .location] { if let value = response.headers[name] { kept[name.canonicalName] = value } }
                try await tokens.finish(key: key, tokenID: caller.token.id,
                                        response: StoredResponse(status: response.status.code, contentType: response.headers[.contentType],
                                                                 headers: kept, body: bytes))
            }
            return response
        }
    }

    /// Whether the path is the document upload's, the one operation whose body is a file.
    static func isUpload(_ path: String) -> Bool {
        let parts = path.dropFirst(prefix.count).split(separator: "/")
        return parts.count == 3 && parts[0] == "claims" && parts[2] == "documents"
    }

    /// Whether the path is a CSV import's (`/catalogue/engagements/{id}/eligibility/import`, `…/criteria/import`,
    /// `/payment-runs/{id}/confirmations/import`), whose body is a file of up to `CSVTable.maxFileBytes`.
    static func isImport(_ path: String) -> Bool {
        let parts = path.dropFirst(prefix.count).split(separator: "/")
        return (parts.count == 5 && parts[0] == "catalogue" && parts[1] == "engagements" && parts[4] == "import")
            || (parts.count == 4 && parts[0] == "payment-runs" && parts[2] == "confirmations" && parts[3] == "import")
    }

    /// Whether a JSON text holds a NUL, as a byte or as the escape `\u0000`, read in place: a backslash that is
    /// itself escaped (`\\u0000`) starts no escape.
    static func containsNUL(_ bytes: ByteBufferView) -> Bool {
        let backslash = UInt8(ascii: "\\"), zero = UInt8(ascii: "0")
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == 0 { return true }
            if byte == backslash {
                let escaped = i + 1
                if escaped + 4 < bytes.endIndex, bytes[escaped] == UInt8(ascii: "u"),
                   bytes[(escaped + 1)...(escaped + 4)].allSatisfy({ $0 == zero }) { return true }
                i = escaped + 1
                continue
            }
            i += 1
        }
        return false
    }

    /// A response body's bytes (POST responses are small: a claim or a problem).
    static func collect(_ body: ResponseBody) async throws -> [UInt8] {
        final class Sink: @unchecked Sendable { var bytes: [UInt8] = [] }
        struct Collector: ResponseBodyWriter {
            let sink: Sink
            mutating func write(_ buffer: ByteBuffer) async throws { sink.bytes += buffer.readableBytesView }
            consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
        }
        let sink = Sink()
        try await body.write(Collector(sink: sink))
        return sink.bytes
    }
}
