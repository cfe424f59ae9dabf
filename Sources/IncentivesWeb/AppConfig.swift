import Configuration
import Foundation
import IncentivesDomain
import IncentivesStore
import Logging

/// The app's settings, read once: environment variables, then a `.env` file, then defaults.
public struct AppConfig: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    /// `DATABASE_WAIT_SECONDS`: how long a request waits for a database connection before it answers 503.
    public var databaseWait: Duration = .seconds(5)
    /// How long `/ready` waits for the database before it answers 503: short, so a proxy takes a stuck instance out
    /// quickly. Not a setting; tests on a loaded machine wait longer.
    public var readyWait: Duration = .seconds(2)
    /// How often the deadline sweeper runs inside `serve`.
    public var sweepInterval: Duration
    /// Demo mode: seeds the demo program and shows the demo sign-ins.
    public var demo: Bool
    /// `PUBLIC_URL`: the address users reach the app at, when it is not `http://HOST:PORT` (a proxy).
    public var publicURLSetting: String?
    /// The address users reach the app at (links in invitations); `https://` makes cookies `Secure`.
    public var publicURL: String { publicURLSetting ?? "http://\(host):\(port)" }
    /// How long a session lives idle, and at most.
    public var sessionPolicy: SessionPolicy
    /// `TRUSTED_PROXY`: the app runs behind one reverse proxy, so a client's address is the last entry of
    /// `X-Forwarded-For` (the one the proxy appended), not the proxy's own address.
    public var trustedProxy: Bool
    /// `MAIL_TRANSPORT` (`maildrop`, the default, or `sendmail`), `MAIL_DROP_DIR`, `SENDMAIL_PATH`.
    public var mailTransport: MailTransportSetting
    /// `MAIL_FROM`: the sender of every email.
    public var mailFromSetting: String?
    /// `MAIL_POLL_SECONDS`: how often the mail service looks at the outbox.
    public var mailPollInterval: Duration
    /// `WEBHOOK_POLL_SECONDS`: how often the webhook service looks for due deliveries.
    public var webhookPollInterval: Duration
    /// `WEBHOOK_ALLOW_LOCAL`: accept endpoints inside this server's network (plain http to localhost, private
    /// addresses). Off by default; demo mode turns it on so a receiver on the same machine can be tried.
    public var webhookAllowLocal: Bool
    public var webhookAddressPolicy: WebhookAddressPolicy { demo || webhookAllowLocal ? .allowLocal : .publicOnly }
    /// `UPLOAD_DIR`: where proof-of-execution documents are kept, by content hash, outside the web root.
    public var uploadDirectory: String
    /// `UPLOAD_MAX_MB`: the largest document accepted.
    public var uploadPolicy: UploadPolicy
    /// `API_RATE_LIMIT`: requests per minute per API token.
    public var apiRateLimit: Int
    /// `HTTP_IDLE_TIMEOUT_SECONDS`: a connection without a request in progress for this long is closed.
    public var httpIdleTimeout: Duration
    /// `SECRET_KEY`: the server's own secret (form tokens are signed with a key derived from it). Unset, the
    /// server makes one once and keeps it in the database.
    public var secretKey: String?

    /// `METRICS_TOKEN`: a scrape of `/metrics` must send `Authorization: Bearer <token>` (at least 16 characters). Unset
    /// (the default) and without `METRICS_ADDRESS`, `/metrics` answers 404.
    public var metricsToken: String?
    /// `METRICS_ADDRESS` (`host:port`, e.g. `127.0.0.1:9464`): `/metrics` is served there, by a listener of its own, and
    /// the main port's `/metrics` answers 404. Default: unset.
    public var metricsAddress: ListenAddress?
    /// `LOG_FORMAT`: `text` (the default), or `json` for one JSON object per line.
    public var logFormat: LogFormat = .text
    /// `LOG_LEVEL`: `trace`, `debug`, `info` (the default), `notice`, `warning`, `error` or `critical`.
    public var logLevel: Logger.Level = .info
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (e.g. `http://collector:4318`): traces are exported there over OTLP/HTTP, in a build
    /// with the `OTel` trait (swift-otel also reads the other standard `OTEL_*` variables). Default: unset, no export.
    public var otlpEndpoint: String?

    /// The host name of `publicURL`, for Message-IDs and the default sender.
    public var publicHost: String { URL(string: publicURL)?.host ?? host }
    public var mailFrom: String { mailFromSetting ?? "Partner Incentives <no-reply@\(publicHost)>" }

    /// Cookies carry `Secure` when the app is served over HTTPS.
    public var secureCookies: Bool { publicURL.lowercased().hasPrefix("https://") }

    public static let defaultDatabase = "sqlite:./data/incentives.sqlite"

    public init(host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation = .sqlite(path: "./data/incentives.sqlite"),
                sweepInterval: Duration = .seconds(60), demo: Bool = false, publicURL: String? = nil,
                sessionPolicy: SessionPolicy = .standard, trustedProxy: Bool = false,
                mailTransport: MailTransportSetting = .mailDrop(directory: "./data/mail"), mailFrom: String? = nil,
                mailPollInterval: Duration = .seconds(5), webhookPollInterval: Duration = .seconds(5),
                webhookAllowLocal: Bool = false, uploadDirectory: String = "./data/uploads",
                uploadPolicy: UploadPolicy = UploadPolicy(), apiRateLimit: Int = 600, httpIdleTimeout: Duration = .seconds(60),
                secretKey: String? = nil) {
        self.host = host; self.port = port; self.database = database; self.sweepInterval = sweepInterval; self.demo = demo
        self.publicURLSetting = publicURL
        self.sessionPolicy = sessionPolicy
        self.trustedProxy = trustedProxy
        self.mailTransport = mailTransport; self.mailFromSetting = mailFrom; self.mailPollInterval = mailPollInterval
        self.webhookPollInterval = webhookPollInterval; self.webhookAllowLocal = webhookAllowLocal
        self.uploadDirectory = uploadDirectory; self.uploadPolicy = uploadPolicy
        self.apiRateLimit = apiRateLimit
        self.httpIdleTimeout = httpIdleTimeout
        self.secretKey = secretKey
    }

    /// Reads every variable of `ConfigVariable.all`, the environment winning over `.env`; a value the app can't use is
    /// refused here, with the variable's name, so `serve` never starts half-configured.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            dotEnvPath: String = ".env") async throws -> AppConfig {
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment)]
        if FileManager.default.fileExists(atPath: dotEnvPath) {
            providers.append(try await EnvironmentVariablesProvider(environmentFilePath: .init(dotEnvPath)))
        }
        let reader = ConfigReader(providers: providers)
        let port = reader.value(.port)
        guard let portNumber = Int(port), (1...65_535).contains(portNumber) else {
            throw StoreError.badConfiguration("PORT must be a number from 1 to 65535, not '\(port)'.")
        }
        let publicURL = reader.string(.publicURL)
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw StoreError.badConfiguration("PUBLIC_URL must start with http:// or https://, not '\(publicURL)'.")
        }
        let transport: MailTransportSetting
        switch reader.value(.mailTransport).lowercased() {
        case "maildrop": transport = .mailDrop(directory: reader.value(.mailDropDir))
        case "sendmail": transport = .sendmail(path: reader.value(.sendmailPath))
        case let other: throw StoreError.badConfiguration("MAIL_TRANSPORT must be maildrop or sendmail, not '\(other)'.")
        }
        let mailFrom = reader.string(.mailFrom)
        if let mailFrom, !mailFrom.contains("@") {
            throw StoreError.badConfiguration("MAIL_FROM must hold an email address, like 'Incentives <no-reply@example.com>', not '\(mailFrom)'.")
        }
        let secretKey = reader.string(.secretKey)
        if let secretKey, secretKey.utf8.count < 32 {
            throw StoreError.badConfiguration("SECRET_KEY must be at least 32 characters (e.g. `openssl rand -base64 32`), or unset.")
        }
        let idle = try reader.wholeNumber(.sessionIdleMinutes)
        let absolute = try reader.wholeNumber(.sessionMaxHours)
        var config = AppConfig(host: reader.value(.host), port: portNumber,
                         database: try DatabaseLocation(parsing: reader.value(.databaseURL)),
                         sweepInterval: .seconds(try reader.wholeNumber(.sweepIntervalSeconds)),
                         demo: reader.flag(.demo),
                         publicURL: publicURL.map { String($0.trimmingCharacters(in: CharacterSet(charactersIn: "/"))) },
                         sessionPolicy: SessionPolicy(idle: TimeInterval(idle * 60), absolute: TimeInterval(absolute * 3600)),
                         trustedProxy: reader.flag(.trustedProxy),
                         mailTransport: transport, mailFrom: mailFrom, mailPollInterval: .seconds(try reader.wholeNumber(.mailPollSeconds)),
                         webhookPollInterval: .seconds(try reader.wholeNumber(.webhookPollSeconds)),
                         webhookAllowLocal: reader.flag(.webhookAllowLocal),
                         uploadDirectory: reader.value(.uploadDir),
                         uploadPolicy: UploadPolicy(maxBytes: try reader.wholeNumber(.uploadMaxMB) * 1024 * 1024),
                         apiRateLimit: try reader.wholeNumber(.apiRateLimit),
                         httpIdleTimeout: .seconds(try reader.wholeNumber(.httpIdleTimeoutSeconds)), secretKey: secretKey)
        config.databaseWait = .seconds(try reader.wholeNumber(.databaseWaitSeconds))
        try config.readOperations(reader)
        return config
    }

    /// `METRICS_TOKEN`, `METRICS_ADDRESS`, `LOG_FORMAT`, `LOG_LEVEL`, `OTEL_EXPORTER_OTLP_ENDPOINT`.
    private mutating func readOperations(_ reader: ConfigReader) throws {
        metricsToken = reader.string(.metricsToken)
        if let token = metricsToken, token.utf8.count < 16 {
            throw StoreError.badConfiguration("METRICS_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 16`), or unset.")
        }
        metricsAddress = try reader.string(.metricsAddress).map { try ListenAddress(parsing: $0, name: "METRICS_ADDRESS") }
        let format = reader.value(.logFormat)
        guard let logFormat = LogFormat(rawValue: format.lowercased()) else {
            throw StoreError.badConfiguration("LOG_FORMAT must be text or json, not '\(format)'.")
        }
        self.logFormat = logFormat
        let level = reader.value(.logLevel)
        guard let logLevel = Logger.Level(rawValue: level.lowercased()) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw StoreError.badConfiguration("LOG_LEVEL must be one of \(levels), not '\(level)'.")
        }
        self.logLevel = logLevel
        otlpEndpoint = reader.string(.otlpEndpoint)
        if let endpoint = otlpEndpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw StoreError.badConfiguration("OTEL_EXPORTER_OTLP_ENDPOINT must start with http:// or https://, not '\(endpoint)'.")
        }
    }
}

/// A `host:port` to listen on (`[::1]:9464` for IPv6).
public struct ListenAddress: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) { self.host = host; self.port = port }

    init(parsing text: String, name: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            throw StoreError.badConfiguration("\(name) must be host:port, like 127.0.0.1:9464, not '\(text)'.")
        }
        let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty else { throw StoreError.badConfiguration("\(name) must name a host, like 127.0.0.1:9464, not '\(text)'.") }
        self.init(host: host, port: port)
    }
}
