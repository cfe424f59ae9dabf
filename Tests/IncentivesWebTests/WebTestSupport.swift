import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import NIOCore
import Testing

/// The app on a fresh demo database, driven in-process, with a fixed clock the test can move.
struct WebHarness: Sendable {
    let deps: AppDependencies
    let clock: FixedClock
    let client: any TestClientProtocol

    var db: Database { deps.db }

    /// - Parameters:
    ///   - seeded: whether the demo data is there (by default, in demo mode only).
    ///   - configure: settings beyond these (e.g. `metricsToken`); `telemetry`: the app's registry and tracer;
    ///     `logger`: the app's and the database's logger (a test may read what they log).
    static func with(flavor: SQLFlavor = .sqlite, demo: Bool = true, seeded: Bool? = nil, publicURL: String? = nil, trustedProxy: Bool = false,
                     apiRateLimit: Int = 600, configure: @Sendable (inout AppConfig) -> Void = { _ in },
                     telemetry: AppTelemetry = AppTelemetry(), logger: Logger? = nil,
                     _ body: @Sendable (WebHarness) async throws -> Void) async throws {
        try await TestDatabases.with(flavor, seeded: seeded ?? demo, logger: logger ?? Logger(label: "incentives.db")) { db in
            let clock = FixedClock(TestDatabases.now)
            let uploads = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-uploads-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: uploads) }
            var config = AppConfig(demo: demo, publicURL: publicURL, trustedProxy: trustedProxy,
                                   mailTransport: .mailDrop(directory: uploads + "/mail"), uploadDirectory: uploads,
                                   uploadPolicy: UploadPolicy(maxBytes: 64 * 1024), apiRateLimit: apiRateLimit)
            // The database is up in these tests: a machine busy with parallel tests must not make /ready say otherwise.
            config.readyWait = .seconds(60)
            configure(&config)
            let deps = try await AppDependencies(config: config, db: db, clock: clock, telemetry: telemetry)
            let app = Application(responder: buildResponder(deps), logger: logger)
            try await app.test(.router) { client in
                try await body(WebHarness(deps: deps, clock: clock, client: client))
            }
        }
    }

    /// A browser with no cookies yet.
    func browser() -> Browser { Browser(client: client) }

    /// A browser already signed in as the user (a session made in the store, skipping bcrypt).
    func signedIn(_ email: String) async throws -> Browser {
        let user = try #require(try await UserRepository(db: db).find(email: email), "no user \(email)")
        let started = try await SessionRepository(db: db).start(userID: user.id, address: "test", userAgent: "test", now: clock.now)
        let browser = Browser(client: client)
        await browser.set(cookie: "pi_session", started.token)
        return browser
    }

    /// Adds a partner user holding the given roles on the given locations.
    func addUser(_ email: String, organization: Int64, roles: [(Int64, LocationRole)]) async throws -> Int64 {
        let users = UserRepository(db: db)
        let id = try await users.add(email: email, name: "Test \(email)", organizationID: organization, vendorRole: nil,
                                     passwordHash: PasswordHasher.hash("correct horse battery", cost: 4), now: clock.now)
        for (location, role) in roles { try await users.grant(role, onLocation: location, toUser: id) }
        return id
    }
}

/// Keeps cookies between requests and fills in the form token, as a browser with a page open would.
actor Browser {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    /// The form token of the last page that had one.
    private(set) var csrfToken: String?

    init(client: any TestClientProtocol) { self.client = client }

    /// Headers sent with every request (e.g. what a proxy adds).
    private(set) var extraHeaders: [(HTTPField.Name, String)] = []

    func set(cookie name: String, _ value: String) { cookies[name] = value }

    func set(header name: String, _ value: String) { extraHeaders.append((HTTPField.Name(name)!, value)) }

    struct Page: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String
        var location: String? { headers[.location] }
        var setCookies: [String] { headers[values: .setCookie] }
    }

    @discardableResult
    func get(_ path: String, method: HTTPRequest.Method = .get) async throws -> Page {
        try await send(path, method: method, body: nil)
    }

    /// Posts a form; the page's form token is added unless `csrf` says otherwise ("" sends none).
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)] = [], csrf: String? = nil) async throws -> Page {
        var all = fields
        let token = csrf ?? csrfToken ?? cookies["pi_csrf"] ?? ""
        if !token.isEmpty { all.append(("csrf_token", token)) }
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))
        let body = all.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        return try await send(path, method: .post, body: body)
    }

    /// Posts an urlencoded body exactly as given (percent escapes, raw bytes and all), then this page's form token.
    @discardableResult
    func post(_ path: String, encoded: [UInt8]) async throws -> Page {
        var body = ByteBuffer(bytes: encoded)
        if let token = csrfToken ?? cookies["pi_csrf"] { body.writeString("&csrf_token=\(token)") }
        return try await send(path, method: .post, body: body, contentType: "application/x-www-form-urlencoded")
    }

    /// Posts a `multipart/form-data` form as a browser's file upload does: the form token first, then the
    /// fields, then the file.
    @discardableResult
    func upload(_ path: String, _ fields: [(String, String)], file: (field: String, name: String, bytes: [UInt8])?,
                csrf: String? = nil) async throws -> Page {
        let token = csrf ?? csrfToken ?? cookies["pi_csrf"] ?? ""
        var parts = ((token.isEmpty ? [] : [("csrf_token", token)]) + fields).map { MultipartPart(name: $0.0, text: $0.1) }
        if let file { parts.append(MultipartPart(name: file.field, fileName: file.name, bytes: file.bytes)) }
        return try await multipart(path, parts)
    }

    /// One part of a `multipart/form-data` body: a field, or a file when it has a file name.
    struct MultipartPart: Sendable {
        var name: String
        var fileName: String?
        var bytes: [UInt8]

        init(name: String, text: String) { self.name = name; fileName = nil; bytes = Array(text.utf8) }
        init(name: String, fileName: String, bytes: [UInt8]) { self.name = name; self.fileName = fileName; self.bytes = bytes }
    }

    /// Posts the parts exactly in the order given, adding nothing (not even the form token).
    @discardableResult
    func multipart(_ path: String, _ parts: [MultipartPart]) async throws -> Page {
        let boundary = "----web-tests-\(UUID().uuidString)"
        var body = ByteBuffer()
        for part in parts {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\"")
            if let fileName = part.fileName {
                body.writeString("; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream")
            }
            body.writeString("\r\n\r\n")
            body.writeBytes(part.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return try await send(path, method: .post, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    private func send(_ path: String, method: HTTPRequest.Method, body: String?) async throws -> Page {
        try await send(path, method: method, body: body.map { ByteBuffer(string: $0) },
                       contentType: body == nil ? nil : "application/x-www-form-urlencoded")
    }

    private func send(_ path: String, method: HTTPRequest.Method, body: ByteBuffer?, contentType: String?) async throws -> Page {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        if let contentType { headers[.contentType] = contentType }
        headers[.userAgent] = "web-tests"
        for (name, value) in extraHeaders { headers.append(HTTPField(name: name, value: value)) }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: body)
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if line.contains("Max-Age=0") || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        let text = String(buffer: response.body)
        if let range = text.range(of: #"name="csrf_token" value=""#) {
            csrfToken = String(text[range.upperBound...].prefix { $0 != "\"" })
        }
        return Page(status: response.status, headers: response.headers, body: text)
    }
}

extension String {
    /// Whether the page runs script of its own: a `<script>` that is not a file under /static (the layout's, which the
    /// CSP's `script-src 'self'` allows) would be inline, which the CSP blocks.
    var hasInlineScript: Bool {
        replacing(/<script src="\/static\/[^"]+"[^>]*><\/script>/, with: "").contains("<script")
    }

    /// The text of the first `<h1>`.
    var h1: String? {
        guard let start = range(of: "<h1>"), let end = range(of: "</h1>", range: start.upperBound..<endIndex) else { return nil }
        return String(self[start.upperBound..<end.lowerBound])
    }

    /// The main navigation's link texts, in order.
    var navigation: [String] {
        guard let start = range(of: #"<nav aria-label="Main""#), let end = range(of: "</nav>", range: start.upperBound..<endIndex) else { return [] }
        let nav = self[start.upperBound..<end.lowerBound]
        return nav.components(separatedBy: "</a>").dropLast().compactMap { piece in
            piece.range(of: ">", options: .backwards).map { String(piece[$0.upperBound...]) }
        }
    }
}
