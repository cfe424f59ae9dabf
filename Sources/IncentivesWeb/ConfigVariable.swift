import Configuration
import IncentivesStore

/// One environment variable the app reads. `AppConfig.load` reads every setting through one of these, and the
/// reference tables in the README and docs/deploy.md are printed from `all` (`incentives config reference`), so the
/// documentation lists exactly what the code reads, with the defaults the code uses.
public struct ConfigVariable: Sendable, Hashable {
    /// The environment variable, as an operator writes it (`DATABASE_URL`).
    public let name: String
    /// The default as the code applies it, written as an operator would set it; nil when unset means "off".
    public let defaultValue: String?
    /// How the reference shows the default when it is not a plain value (`http://HOST:PORT`); nil shows `defaultValue`.
    public let defaultDescription: String?
    /// What it does, in Markdown, for the reference table.
    public let meaning: String
    /// Kept out of configuration access logs (swift-configuration redacts secrets).
    public let isSecret: Bool

    init(_ name: String, default defaultValue: String? = nil, shown defaultDescription: String? = nil, secret: Bool = false,
         _ meaning: String) {
        self.name = name; self.defaultValue = defaultValue; self.defaultDescription = defaultDescription
        self.meaning = meaning; self.isSecret = secret
    }

    /// swift-configuration's key for the variable: `DATABASE_URL` is `database.url` (the environment provider joins the
    /// components with `_` and upper-cases them).
    var key: ConfigKey { ConfigKey(name.lowercased().split(separator: "_").map(String.init)) }
}

extension ConfigVariable {
    static let databaseURL = ConfigVariable("DATABASE_URL", default: AppConfig.defaultDatabase, secret: true,
        "`sqlite:PATH` or `postgres://user:pass@host:port/db` (`?sslmode=disable\\|prefer\\|require`, prefer by default)")
    static let databaseWaitSeconds = ConfigVariable("DATABASE_WAIT_SECONDS", default: "5",
        "how long a request waits for a database connection before it answers 503")
    static let host = ConfigVariable("HOST", default: "127.0.0.1", "the address `serve` listens on (`--host` overrides)")
    static let port = ConfigVariable("PORT", default: "8080", "the port `serve` listens on (`--port` overrides)")
    static let sweepIntervalSeconds = ConfigVariable("SWEEP_INTERVAL_SECONDS", default: "60",
        "how often `serve` expires claims past their deadline")
    static let demo = ConfigVariable("DEMO", default: "false", "`true`: the same as `serve --demo` (demo program and sign-ins)")
    static let publicURL = ConfigVariable("PUBLIC_URL", shown: "`http://HOST:PORT`",
        "the address users reach the app at (links in emails and the calendar feed); `https://…` makes cookies `Secure`")
    static let sessionIdleMinutes = ConfigVariable("SESSION_IDLE_MINUTES", default: "30",
        "a session ends after this long without a request")
    static let sessionMaxHours = ConfigVariable("SESSION_MAX_HOURS", default: "12", "a session ends after this long in all")
    static let trustedProxy = ConfigVariable("TRUSTED_PROXY", default: "false",
        "`true` behind one reverse proxy: a client's address (sign-in throttling, sessions) is the last `X-Forwarded-For` entry")
    static let mailTransport = ConfigVariable("MAIL_TRANSPORT", default: "maildrop",
        "`maildrop`: every email is written to `MAIL_DROP_DIR` as one `.eml` file; `sendmail`: piped to `SENDMAIL_PATH -t -i`")
    static let mailDropDir = ConfigVariable("MAIL_DROP_DIR", default: "./data/mail",
        "the mail-drop folder (files named by outbox id, written whole)")
    static let sendmailPath = ConfigVariable("SENDMAIL_PATH", default: "/usr/sbin/sendmail",
        "the sendmail-compatible program (Postfix, msmtp, …)")
    static let mailFrom = ConfigVariable("MAIL_FROM", shown: "`Partner Incentives <no-reply@HOST>`, `HOST` that of `PUBLIC_URL`",
        "the sender of every email")
    static let mailPollSeconds = ConfigVariable("MAIL_POLL_SECONDS", default: "5",
        "how often the mail service looks at the outbox (a backlog goes out batch after batch without waiting)")
    static let webhookPollSeconds = ConfigVariable("WEBHOOK_POLL_SECONDS", default: "5",
        "how often the webhook service looks for due deliveries (a full batch goes on at once)")
    static let webhookAllowLocal = ConfigVariable("WEBHOOK_ALLOW_LOCAL", default: "false", shown: "`false` (`true` in demo mode)",
        "accept webhook endpoints inside this server's network: plain `http://` to 127.0.0.1/localhost, private addresses "
            + "(checked again at every send: turned off, stored local endpoints get nothing)")
    static let uploadDir = ConfigVariable("UPLOAD_DIR", default: "./data/uploads",
        "where proof-of-execution documents are kept, by content hash, outside the web root")
    static let uploadMaxMB = ConfigVariable("UPLOAD_MAX_MB", default: "25", "the largest document accepted, in MB")
    static let apiRateLimit = ConfigVariable("API_RATE_LIMIT", default: "600", "API requests a minute per token")
    static let httpIdleTimeoutSeconds = ConfigVariable("HTTP_IDLE_TIMEOUT_SECONDS", default: "60",
        "a connection with no request in progress for this long is closed (slow or silent clients)")
    static let secretKey = ConfigVariable("SECRET_KEY", shown: "made once, kept in the database", secret: true,
        "the server's secret (at least 32 characters); signed-out visitors' form tokens are signed with a key derived from it")
    static let logLevel = ConfigVariable("LOG_LEVEL", default: "info",
        "`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`")
    static let logFormat = ConfigVariable("LOG_FORMAT", default: "text",
        "`json`: one JSON object per line, with level, time, request id, user id and route; secrets never appear")
    static let metricsToken = ConfigVariable("METRICS_TOKEN", secret: true,
        "`/metrics` answers only `Authorization: Bearer <token>` (16+ characters); unset, and without `METRICS_ADDRESS`, "
            + "`/metrics` is 404")
    static let metricsAddress = ConfigVariable("METRICS_ADDRESS",
        "`host:port` of a listener of its own that serves `/metrics` alone (then the main port's `/metrics` is 404)")
    static let otlpEndpoint = ConfigVariable("OTEL_EXPORTER_OTLP_ENDPOINT",
        "export traces over OTLP/HTTP there (`http://collector:4318`), in a build with `--traits OTel`")

    /// Every variable, in the order the reference lists them.
    public static let all: [ConfigVariable] = [
        databaseURL, databaseWaitSeconds, host, port, sweepIntervalSeconds, demo, publicURL, sessionIdleMinutes,
        sessionMaxHours, trustedProxy, mailTransport, mailDropDir, sendmailPath, mailFrom, mailPollSeconds,
        webhookPollSeconds, webhookAllowLocal, uploadDir, uploadMaxMB, apiRateLimit, httpIdleTimeoutSeconds, secretKey,
        logLevel, logFormat, metricsToken, metricsAddress, otlpEndpoint,
    ]
}

/// The environment reference, as Markdown, kept in documents between two marker comments.
public enum ConfigReference {
    public static let startMarker = "<!-- config-reference:start -->"
    public static let endMarker = "<!-- config-reference:end -->"

    /// The table of every variable: name, default, meaning.
    public static var table: String {
        var lines = ["| variable | default | meaning |", "|---|---|---|"]
        for variable in ConfigVariable.all {
            let shown = variable.defaultDescription ?? variable.defaultValue.map { "`\($0)`" } ?? "unset"
            lines.append("| `\(variable.name)` | \(shown) | \(variable.meaning) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The document with the text between its markers replaced by `table`; nil when it has no pair of markers.
    public static func updating(_ document: String) -> String? {
        guard let start = document.range(of: startMarker),
              let end = document.range(of: endMarker, range: start.upperBound..<document.endIndex) else { return nil }
        return document[..<start.upperBound] + "\n" + table + document[end.lowerBound...]
    }
}

extension ConfigReader {
    /// The variable's value, or nil when it is unset.
    func string(_ variable: ConfigVariable) -> String? {
        string(forKey: variable.key, isSecret: variable.isSecret)
    }

    /// The variable's value, or its default.
    func string(_ variable: ConfigVariable, default fallback: String) -> String {
        string(forKey: variable.key, isSecret: variable.isSecret, default: fallback)
    }

    /// The variable's value, or its default: for variables that have one.
    func value(_ variable: ConfigVariable) -> String {
        guard let fallback = variable.defaultValue else { preconditionFailure("\(variable.name) has no default") }
        return string(variable, default: fallback)
    }

    /// A yes/no variable: `1`, `true` or `yes` (any case) are yes.
    func flag(_ variable: ConfigVariable) -> Bool {
        ["1", "true", "yes"].contains(value(variable).lowercased())
    }

    /// A whole number above 0, or a clear refusal naming the variable.
    func wholeNumber(_ variable: ConfigVariable) throws -> Int {
        let text = value(variable)
        guard let number = Int(text), number > 0 else {
            throw StoreError.badConfiguration("\(variable.name) must be a whole number above 0, not '\(text)'.")
        }
        return number
    }
}
