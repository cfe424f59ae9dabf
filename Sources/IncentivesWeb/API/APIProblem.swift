import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore
import Logging
import OpenAPIRuntime

/// An API error as RFC 9457 problem details: a stable `type` per kind of error (a link into `/api/docs`), a
/// title, and a detail in words.
struct APIProblem: Error, Sendable {
    /// The kinds of error the API answers with; their raw values end the `type` URI.
    enum Kind: String, CaseIterable, Sendable {
        case badRequest = "bad-request"
        case unauthorized
        case forbidden
        case readOnlyToken = "read-only-token"
        case roleNotAllowed = "role-not-allowed"
        case notFound = "not-found"
        case methodNotAllowed = "method-not-allowed"
        case versionConflict = "version-conflict"
        case idempotencyInFlight = "idempotency-key-in-flight"
        case idempotencyKeyReused = "idempotency-key-reused"
        case actionNotAllowed = "action-not-allowed"
        case invalidInput = "invalid-input"
        case invalidDocument = "invalid-document"
        case tooLarge = "too-large"
        case rateLimited = "rate-limited"
        case unavailable
        case serverError = "server-error"

        var status: HTTPResponse.Status {
            switch self {
            case .badRequest: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden, .readOnlyToken, .roleNotAllowed: .forbidden
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .versionConflict, .idempotencyInFlight: .conflict
            case .idempotencyKeyReused, .actionNotAllowed, .invalidInput, .invalidDocument: .unprocessableContent
            case .tooLarge: .contentTooLarge
            case .rateLimited: .tooManyRequests
            case .unavailable: .serviceUnavailable
            case .serverError: .internalServerError
            }
        }

        var title: String {
            switch self {
            case .badRequest: "The request could not be read"
            case .unauthorized: "A valid API token is needed"
            case .forbidden: "Your role does not allow this"
            case .readOnlyToken: "This token may only read"
            case .roleNotAllowed: "Your role can't take this action"
            case .notFound: "Not found"
            case .methodNotAllowed: "Method not allowed"
            case .versionConflict: "The claim changed meanwhile"
            case .idempotencyInFlight: "A request with this idempotency key is still running"
            case .idempotencyKeyReused: "This idempotency key was used with another request"
            case .actionNotAllowed: "Not allowed now"
            case .invalidInput: "Check what you sent"
            case .invalidDocument: "The document was refused"
            case .tooLarge: "Too large"
            case .rateLimited: "Too many requests"
            case .unavailable: "Temporarily unavailable"
            case .serverError: "Something went wrong"
            }
        }

        /// What the reference page says about it.
        var explanation: String {
            switch self {
            case .badRequest: "A parameter, header or body did not match the contract (a wrong type, an unknown value, a text longer than its `maxLength`, more items than `maxItems`, a damaged cursor, a NUL character)."
            case .unauthorized: "No `Authorization: Bearer` header, or a token that is unknown or revoked. Answered with `WWW-Authenticate: Bearer`."
            case .forbidden: "The token's user may not use this part of the program (for example a partner asking for the vendor's catalogue)."
            case .readOnlyToken: "A POST with a token of scope `read`."
            case .roleNotAllowed: "The claim lifecycle gives this action to another role (for example a partner trying to approve)."
            case .notFound: "Nothing with this id that the caller may see: a foreign id answers exactly like a missing one."
            case .methodNotAllowed: "The path exists with other methods, listed in `Allow`."
            case .versionConflict: "`If-Match` named an older version of the claim than the current one; nothing was changed."
            case .idempotencyInFlight: "The first request with this `Idempotency-Key` has not finished; retry later."
            case .idempotencyKeyReused: "The `Idempotency-Key` was used within 24 hours for a different request."
            case .actionNotAllowed: "The claim's lifecycle does not allow the action now; `detail` says why."
            case .invalidInput: "A field's value was refused; `detail` says which and why."
            case .invalidDocument: "The upload was empty, or not a document type the program accepts."
            case .tooLarge: "A JSON body over 64 KB, or an upload larger than the server accepts (`UPLOAD_MAX_MB`)."
            case .rateLimited: "The token's requests per minute are spent; `Retry-After` says how many seconds to wait."
            case .unavailable: "The database is not answering."
            case .serverError: "An unexpected error, logged on the server."
            }
        }
    }

    var kind: Kind
    var detail: String
    var headers: HTTPFields = [:]

    init(_ kind: Kind, _ detail: String, headers: HTTPFields = [:]) {
        self.kind = kind; self.detail = detail; self.headers = headers
    }

    static func typeURI(_ kind: Kind) -> String { "/api/docs#problem-\(kind.rawValue)" }

    static let unauthorized = APIProblem(.unauthorized, "Send a personal API token as `Authorization: Bearer pi_...`; create one in Settings, API tokens.",
                                         headers: [.wwwAuthenticate: "Bearer realm=\"partner-incentives\""])

    static func notFound(_ what: String = "There is nothing here, or it is not yours to see.") -> APIProblem { APIProblem(.notFound, what) }

    /// The problem as a response, with its JSON written by hand (a few fixed fields).
    var response: Response {
        var out = JSONBytes()
        out.raw("{\"type\":"); out.string(Self.typeURI(kind))
        out.raw(",\"title\":"); out.string(kind.title)
        out.raw(",\"status\":"); out.integer(Int64(kind.status.code))
        out.raw(",\"detail\":"); out.string(detail)
        out.raw("}")
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        return Response(status: kind.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: out.out)))
    }

    /// Every error the API can meet, as a problem: the one place that maps domain and store errors to statuses.
    static func from(_ error: any Error, logger: Logger) -> APIProblem {
        switch error {
        case let problem as APIProblem:
            return problem
        case let input as InputRefusal:
            // What the contract's own limits refuse is a 400, as the contract says; the rest is a 422.
            return APIProblem(input.kind == .outsideLimits ? .badRequest : .invalidInput, "\(input.field): \(input.message)")
        case let refusal as ClaimRefusal:
            if case .notYourRole = refusal { return APIProblem(.roleNotAllowed, refusal.description) }
            return APIProblem(.actionNotAllowed, refusal.description)
        case let upload as UploadProblem:
            if case .tooLarge = upload { return APIProblem(.tooLarge, upload.description) }
            return APIProblem(.invalidDocument, upload.description)
        case let refusal as any DomainRefusal:
            return APIProblem(.actionNotAllowed, refusal.description)
        case let store as StoreError:
            switch store {
            case .notFound: return .notFound()
            case .conflict(let message): return APIProblem(.versionConflict, message)
            case .invalid(let field, let message): return APIProblem(.invalidInput, "\(field): \(message)")
            case .unreachable, .badConfiguration:
                logger.error("store unavailable: \(store)")
                return APIProblem(.unavailable, DatabaseOutage.message, headers: [.retryAfter: DatabaseOutage.retryAfter])
            case .corrupt:
                logger.error("API: \(String(reflecting: store))")
                return APIProblem(.serverError, "The error has been logged.")
            }
        case let server as ServerError:
            // The generated server wraps what the handler threw; a request it could not even decode (no input yet)
            // is the client's to fix.
            if server.underlyingError is APIProblem || server.underlyingError is any DomainRefusal || server.underlyingError is StoreError
                || server.underlyingError is HTTPError {
                return from(server.underlyingError, logger: logger)
            }
            if server.operationInput == nil {
                return APIProblem(.badRequest, server.causeDescription)
            }
            logger.error("API \(server.operationID): \(String(reflecting: server.underlyingError))")
            return APIProblem(.serverError, "The error has been logged.")
        case let http as HTTPError:
            let kind: Kind = switch http.status {
            case .notFound: .notFound
            case .forbidden: .forbidden
            case .unauthorized: .unauthorized
            case .contentTooLarge: .tooLarge
            case .unprocessableContent: .invalidInput
            case .methodNotAllowed: .methodNotAllowed
            case _ where http.status.code < 500: .badRequest
            default: .serverError
            }
            return APIProblem(kind, http.body ?? kind.title, headers: kind == .unauthorized ? unauthorized.headers : [:])
        case is DecodingError:
            return APIProblem(.badRequest, "The body is not the JSON this operation takes.")
        default:
            logger.error("API: \(String(reflecting: error))")
            return APIProblem(.serverError, "The error has been logged.")
        }
    }
}
