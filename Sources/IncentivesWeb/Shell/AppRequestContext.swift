import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore
import NIOCore

/// Per-request state: who is signed in, the form token, a flash message and the posted form.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in session, if any.
    public var session: SessionRecord?
    /// The cookie secret of that session (to end it on sign-out or rotate it on sign-in).
    var sessionToken: String?
    /// The token this visitor's forms carry: the session's, or a signed-out visitor's cookie.
    var csrfToken = ""
    /// A signed-out visitor's form token from its cookie, when the server signed it.
    var signedOutFormToken: String?
    /// A one-time message from the previous request (set before a redirect).
    var flash: Flash?
    /// The fields of a posted `application/x-www-form-urlencoded` body.
    var form = FormFields()
    /// The client's address, for sign-in throttling and the session record (see `AppConfig.trustedProxy`): the
    /// proxy's word when trusted, else the connection's peer, formatted only when a handler asks (few do).
    var remoteAddress: String {
        get { forwardedAddress ?? channel.remoteAddress?.ipAddress ?? "unknown" }
        set { forwardedAddress = newValue }
    }
    private var forwardedAddress: String?
    private let channel: any Channel
    /// The claim of a `/claims/{id}` route, put here by a `RecordResolver`.
    var claim: ClaimFile?
    /// The colleague of a `/settings/users/{id}` route, put here by a `RecordResolver`.
    var member: UserRecord?
    /// The endpoint of a `/settings/webhooks/{id}` route, put here by a `RecordResolver`.
    var webhookEndpoint: WebhookEndpoint?
    /// The engagement of an `/engagements/{id}` route, put here by a `RecordResolver`.
    var engagement: EngagementDetail?
    /// The partner organization of a `/partners/{id}` route, put here by a `RecordResolver`.
    var partner: PartnerFile?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var viewer: Viewer? { session?.viewer }

    /// The signed-in viewer if they may open `section`; otherwise sends them to sign in, or answers 403.
    func viewer(for section: Section, _ request: Request) throws -> Viewer {
        guard let viewer else { throw SignInRequired(next: request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")) }
        guard viewer.may(open: section) else { throw HTTPError(.forbidden) }
        return viewer
    }
}

/// Thrown when a page needs a signed-in user; becomes a redirect to `/login?next=`.
struct SignInRequired: Error {
    let next: String
}

/// A one-line message shown once on the next page.
struct Flash: Sendable, Equatable {
    enum Kind: String, Sendable { case info, success, error }
    var kind: Kind
    var message: String
}

/// Fields of an urlencoded form; repeated names keep every value.
struct FormFields: Sendable {
    private(set) var values: [String: [String]] = [:]

    init() {}

    init(urlEncoded text: String) {
        for (name, value) in Self.pairs(text) { values[name ?? "", default: []].append(value ?? "") }
    }

    /// A posted form's fields. What no browser sends is refused (400) rather than read as something else:
    /// bytes that are not UTF-8, raw or percent-encoded, and NUL.
    init(form body: ByteBuffer) throws {
        let damaged = HTTPError(.badRequest, message: "The form arrived damaged (its text is not UTF-8); nothing was changed. Reload the page and try again.")
        guard let text = String(validating: body.readableBytesView, as: UTF8.self) else { throw damaged }
        for (name, value) in Self.pairs(text) {
            guard let name, let value else { throw damaged }
            guard !name.utf8.contains(0), !value.utf8.contains(0) else {
                throw HTTPError(.badRequest, message: "NUL characters are not accepted in forms; nothing was changed.")
            }
            values[name, default: []].append(value)
        }
    }

    /// Name and value of each `name=value` pair, decoded (nil where the escapes are not UTF-8).
    private static func pairs(_ text: String) -> [(String?, String?)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String? { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Fields from name and value pairs (the API's typed query parameters, for the pages' parsers).
    init(pairs: [(String, String)]) {
        for (name, value) in pairs { values[name, default: []].append(value) }
    }

    subscript(_ name: String) -> String? { values[name]?.first }

    /// The field trimmed, or "" when absent.
    func text(_ name: String) -> String { (values[name]?.first ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    func all(_ name: String) -> [String] { values[name] ?? [] }
}
