import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// The app's cookies and how they are set, in one place. Behind https their names carry the `__Host-`
/// prefix: a browser then takes them only from this very host, over https, for the whole site, so no sibling
/// subdomain or plain-http attacker can plant one. Plain names on http, for local use.
struct Cookies: Sendable {
    enum Name: String {
        case session = "pi_session"
        /// A signed-out visitor's form token (login, invitations): signed by the server, sent back in forms.
        case csrf = "pi_csrf"
        case flash = "pi_flash"
    }

    /// Whether the site is served over https (`PUBLIC_URL`).
    let secure: Bool

    func name(_ name: Name) -> String { secure ? "__Host-" + name.rawValue : name.rawValue }

    func value(_ name: Name, in request: Request) -> String? { request.cookies[self.name(name)]?.value }

    func make(_ name: Name, _ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: self.name(name), value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func clear(_ name: Name) -> Cookie { make(name, "", maxAge: 0) }

    /// Whether the response already sets this cookie.
    func isSet(_ name: Name, in response: Response) -> Bool {
        response.headers[values: .setCookie].contains { $0.hasPrefix("\(self.name(name))=") }
    }
}

/// Signed-out visitors' form tokens: random, and signed with the server's key (HMAC-SHA256), so only this
/// server makes them; a token a client chose, or altered, is refused.
struct FormTokenSigner: Sendable {
    let key: SymmetricKey

    /// The key from the server's secret, kept apart from any other use of that secret.
    init(secret: String) {
        key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("partner-incentives form tokens".utf8),
                                                                 using: SymmetricKey(data: Data(secret.utf8))))
    }

    func issue() -> String {
        let nonce = Secret.make()
        return nonce + "." + signature(nonce)
    }

    func isGenuine(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 43 else { return false }
        return CSRFMiddleware.constantTimeEquals(signature(String(parts[0])), String(parts[1]))
    }

    private func signature(_ nonce: String) -> String {
        Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data(nonce.utf8), using: key)))
    }
}

/// Resumes the session from its cookie, hands out a signed form token to signed-out visitors, and carries
/// the flash message of the previous request.
struct SessionMiddleware: RouterMiddleware {
    let sessions: SessionRepository
    let clock: any WallClock
    let cookies: Cookies
    let formTokens: FormTokenSigner
    var trustedProxy = false

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        if trustedProxy, let forwarded = Self.clientAddress(forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!]) {
            context.remoteAddress = forwarded
        }
        if let token = cookies.value(.session, in: request), !token.isEmpty {
            context.sessionToken = token
            context.session = try await sessions.resume(token: token, now: clock.now)
            if let user = context.session?.viewer.userID { RequestObservation.signedIn(user) }
        }
        var issuedToken: String?
        if context.session == nil {
            context.signedOutFormToken = cookies.value(.csrf, in: request).flatMap { formTokens.isGenuine($0) ? $0 : nil }
            if context.signedOutFormToken == nil { issuedToken = formTokens.issue() }
        }
        context.csrfToken = context.session?.csrfToken ?? context.signedOutFormToken ?? issuedToken ?? ""
        if let flash = cookies.value(.flash, in: request) { context.flash = FlashCookie.decode(flash) }

        var response = try await next(request, context)
        if let issuedToken, !cookies.isSet(.csrf, in: response) { response.setCookie(cookies.make(.csrf, issuedToken)) }
        // A flash is shown once: cleared by the page that displayed it (not by a redirect passing it on).
        if context.flash != nil, request.method == .get, response.status.code < 300 || response.status.code >= 400,
           !cookies.isSet(.flash, in: response) {
            response.setCookie(cookies.clear(.flash))
        }
        if context.sessionToken != nil, context.session == nil, !cookies.isSet(.session, in: response) {
            // The cookie named a session that has ended: drop it.
            response.setCookie(cookies.clear(.session))
        }
        if context.session != nil {
            // Signed-in pages are personal: never stored by shared caches or the back-forward cache of another user.
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }

    /// The address the trusted proxy saw: the last `X-Forwarded-For` entry (earlier ones are the client's say-so).
    static func clientAddress(forwardedFor values: [String]) -> String? {
        let entries = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return entries.last.map { String($0.prefix(64)) }
    }
}

/// The flash message travels in a short-lived cookie, base64url-encoded.
enum FlashCookie {
    static func encode(_ flash: Flash) -> String {
        Base64URL.encode(Data("\(flash.kind.rawValue):\(flash.message)".utf8))
    }

    static func decode(_ value: String) -> Flash? {
        guard value.count <= 1_000, let data = Base64URL.decode(value), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":"), let kind = Flash.Kind(rawValue: String(text[..<colon])) else { return nil }
        return Flash(kind: kind, message: String(text[text.index(after: colon)...]))
    }
}

/// Refused because a state-changing request did not carry this visitor's form token.
struct CSRFRefused: Error {}

/// Every state-changing request must carry the visitor's form token in a `csrf_token` field.
/// Also reads the posted form once, for the handlers.
struct CSRFMiddleware: RouterMiddleware {
    /// Forms are small; uploads (`MultipartUpload`) read their own body.
    static let formLimit = 256 * 1024

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard ![.get, .head, .options].contains(request.method) else { return try await next(request, context) }
        var request = request
        var context = context
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.formLimit)
            } catch {
                throw HTTPError(.contentTooLarge, message: "The form is too large.")
            }
            context.form = try FormFields(form: body)
        } else if contentType.hasPrefix("multipart/form-data") && MultipartUpload.isUploadPath(request.uri.path) {
            // Upload handlers read the body as it streams and check the token in it (`MultipartUpload.read`).
            return try await next(request, context)
        }
        guard Self.accepts(context.form["csrf_token"] ?? "", request: request, context: context) else { throw CSRFRefused() }
        return try await next(request, context)
    }

    /// Whether a sent form token is this visitor's: signed in, the session's own token and nothing else;
    /// signed out, the server-signed token of its cookie. The one check for every form, urlencoded or multipart.
    static func accepts(_ sent: String, request: Request, context: AppRequestContext) -> Bool {
        let expected = context.session.map { $0.csrfToken } ?? context.signedOutFormToken
        guard let expected, !sent.isEmpty else { return false }
        return constantTimeEquals(expected, sent)
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool { Secret.constantTimeEquals(a, b) }
}

/// `HEAD` answers like `GET` without a body. Hummingbird picks the route before any middleware runs and
/// routes only the methods it is given, so this wraps the router's responder itself.
struct HeadAsGetResponder<Inner: HTTPResponder>: HTTPResponder {
    typealias Context = Inner.Context
    let inner: Inner

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .head else { return try await inner.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var response = try await inner.respond(to: Request(head: head, body: request.body), context: context)
        response.body = .init()
        return response
    }
}
