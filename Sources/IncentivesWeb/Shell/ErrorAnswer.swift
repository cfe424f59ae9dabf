import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore

/// The one table from what went wrong in the domain or the store to how it is answered: its kind (and so the status
/// and wording on a page and in the API), the sentence, and the input it is about. Pages, the API and the CLI all
/// answer through it, so a refusal reads the same everywhere. HTTP-level errors (a malformed request, a missing
/// session) are each surface's own.
struct ErrorAnswer: Sendable {
    var kind: ErrorKind
    var detail: String
    var field: String?
    var headers: HTTPFields = [:]
    /// A refusal by the program's rules or of a value the person sent: they can act on it, so a page shows it next to
    /// the form that caused it.
    var isRefusal = false

    /// A page's status: a refusal is a 422 whatever its kind (a page has no contract of its own to answer 400 for, and
    /// its form keeps what the person typed); the rest as the API answers.
    var pageStatus: HTTPResponse.Status { isRefusal ? .unprocessableContent : kind.status }

    static let notFoundDetail = "There is nothing here, or it is not yours to see."

    /// Nil for an error the table does not know: a server error, logged by the surface.
    init?(_ error: any Error) {
        switch error {
        case let refusal as any DomainRefusal:
            let kind: ErrorKind = switch refusal.refusalKind {
            case .notAllowed: .actionNotAllowed
            case .notYourRole: .roleNotAllowed
            case .invalidInput: .invalidInput
            case .outsideContractLimits: .badRequest
            case .invalidDocument: .invalidDocument
            case .tooLarge: .tooLarge
            }
            self.init(kind: kind, detail: refusal.description, field: refusal.refusedInput)
            isRefusal = true
        case let store as StoreError:
            switch store {
            case .notFound: self.init(kind: .notFound, detail: Self.notFoundDetail)
            case .conflict(let message): self.init(kind: .versionConflict, detail: message)
            case .invalid(let field, let message):
                self.init(kind: .invalidInput, detail: message, field: field)
                isRefusal = true
            case .unreachable, .badConfiguration:
                self.init(kind: .unavailable, detail: DatabaseOutage.message, headers: [.retryAfter: DatabaseOutage.retryAfter])
            case .corrupt: self.init(kind: .serverError, detail: "The error has been logged.")
            }
        case let noRole as NoRoleOnClaim:
            self.init(kind: .roleNotAllowed, detail: noRole.description)
        case is DecodingError:
            self.init(kind: .badRequest, detail: "The body is not the JSON this operation takes.")
        default:
            return nil
        }
    }

    init(kind: ErrorKind, detail: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.kind = kind; self.detail = detail; self.field = field; self.headers = headers
    }

    /// A refusal to show next to the form that caused it; nil for everything else, which the error page answers.
    static func formRefusal(_ error: any Error) -> ErrorAnswer? {
        guard let answer = ErrorAnswer(error), answer.isRefusal else { return nil }
        return answer
    }
}

/// Every kind of error a request can meet, with how the API answers it (status, title, its entry in `/api/docs`) and how
/// a page does. Their raw values end the API's problem `type` URI, so they never change.
enum ErrorKind: String, CaseIterable, Sendable {
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

    /// The heading of the error page.
    var pageHeading: String {
        switch self {
        case .notFound: "Page not found"
        case .forbidden, .roleNotAllowed, .readOnlyToken, .unauthorized: "Not allowed"
        case .versionConflict, .idempotencyInFlight, .idempotencyKeyReused: "This changed meanwhile"
        case .invalidInput, .invalidDocument, .badRequest, .tooLarge: "Check what you entered"
        case .actionNotAllowed: "This can't be done"
        case .methodNotAllowed: "Method not allowed"
        case .rateLimited: "Too many requests"
        case .unavailable: "Temporarily unavailable"
        case .serverError: "Something went wrong"
        }
    }
}

