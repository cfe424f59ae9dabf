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
    typealias Kind = ErrorKind

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

    /// Every error the API can meet, as a problem: HTTP-level errors here, domain and store errors through `ErrorAnswer`.
    static func from(_ error: any Error, logger: Logger) -> APIProblem {
        switch error {
        case let problem as APIProblem:
            return problem
        case let server as ServerError:
            // The generated server wraps what the handler threw; a request it could not even decode (no input yet)
            // is the client's to fix.
            if server.underlyingError is APIProblem || server.underlyingError is HTTPError || ErrorAnswer(server.underlyingError) != nil {
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
        default:
            guard let answer = ErrorAnswer(error) else {
                logger.error("API: \(String(reflecting: error))")
                return APIProblem(.serverError, "The error has been logged.")
            }
            if answer.kind == .unavailable { logger.error("store unavailable: \(error)") }
            if answer.kind == .serverError { logger.error("API: \(String(reflecting: error))") }
            // The API names the member a refusal is about, as its contract does.
            return APIProblem(answer.kind, answer.field.map { "\($0): \(answer.detail)" } ?? answer.detail, headers: answer.headers)
        }
    }
}
