import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// Cookie names and how they are set, in one place.
enum Cookies {
    static let session = "pi_session"
    /// A signed-out visitor's form token (login, invitations): the double-submit pattern.
    static let csrf = "pi_csrf"
    static let flash = "pi_flash"

    static func make(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func clear(_ name: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

/// Resumes the session from its cookie, hands out a form token to signed-out visitors, and carries
/// the flash message of the previous request.
struct SessionMiddleware: RouterMiddleware {
    let sessions: SessionRepository
    let clock: any WallClock
    let secure: Bool
    var trustedProxy = false

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        if trustedProxy, let forwarded = Self.clientAddress(forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!]) {
            context.remoteAddress = forwarded
        }
        if let token = request.cookies[Cookies.session]?.value, !token.isEmpty {
            context.sessionToken = token
            context.session = try await sessions.resume(token: token, now: clock.now)
        }
        let anonymousToken = Self.anonymousToken(request)
        let issuedToken = anonymousToken == nil ? Secret.make() : nil
        context.csrfToken = context.session?.csrfToken ?? anonymousToken ?? issuedToken ?? ""
        if let flash = request.cookies[Cookies.flash]?.value { context.flash = FlashCookie.decode(flash) }

        var response = try await next(request, context)
        if let issuedToken { response.setCookie(Cookies.make(Cookies.csrf, issuedToken, secure: secure)) }
        // A flash is shown once: cleared by the page that displayed it (not by a redirect passing it on).
        if context.flash != nil, request.method == .get, response.status.code < 300 || response.status.code >= 400,
           !response.headers[values: .setCookie].contains(where: { $0.hasPrefix("\(Cookies.flash)=") }) {
            response.setCookie(Cookies.clear(Cookies.flash, secure: secure))
        }
        if context.sessionToken != nil, context.session == nil,
           !response.headers[values: .setCookie].contains(where: { $0.hasPrefix("\(Cookies.session)=") }) {
            // The cookie named a session that has ended: drop it.
            response.setCookie(Cookies.clear(Cookies.session, secure: secure))
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

    /// The signed-out visitor's form token from its cookie, if it looks like one of ours.
    static func anonymousToken(_ request: Request) -> String? {
        guard let value = request.cookies[Cookies.csrf]?.value, value.count >= 32 else { return nil }
        return value
    }
}

/// The flash message travels in a short-lived cookie, base64url-encoded.
enum FlashCookie {
    static func encode(_ flash: Flash) -> String {
        Data("\(flash.kind.rawValue):\(flash.message)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ value: String) -> Flash? {
        var base64 = value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard value.count <= 1_000, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
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

    /// Whether a sent form token belongs to this browser. Either secret bound to it will do: a login form
    /// opened before signing in elsewhere still works.
    static func accepts(_ sent: String, request: Request, context: AppRequestContext) -> Bool {
        let accepted = [context.session?.csrfToken, SessionMiddleware.anonymousToken(request)].compactMap { $0 }
        return !sent.isEmpty && accepted.contains(where: { constantTimeEquals($0, sent) })
    }

    private static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
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
