import CoreMetrics
import Foundation
import IncentivesDomain
import Metrics
import Synchronization
import Tracing

/// Where the store reports what it does: the app's metrics (swift-metrics over the app's own Prometheus registry) and
/// its tracer (a no-op unless traces are exported). Each app builds its own, so parallel tests never share one.
public struct Telemetry: Sendable {
    public let metrics: any MetricsFactory
    public let tracer: any Tracer

    public init(metrics: any MetricsFactory, tracer: any Tracer) {
        self.metrics = metrics
        self.tracer = tracer
    }

    /// Reports nowhere: batch commands, and databases no app instruments.
    public static let off = Telemetry(metrics: NOOPMetricsHandler.instance, tracer: NoOpTracer())
}

/// One series family of `/metrics`: its name and the `# HELP` line it is scraped with. Every family the app reports
/// is listed in `all`; labels stay few and bounded (never an id or an email).
public struct MetricFamily: Sendable, Hashable {
    public let name: String
    public let help: String

    init(_ name: String, _ help: String) { self.name = name; self.help = help }

    public static let httpRequests = MetricFamily(
        "incentives_http_requests_total", "HTTP requests answered, by method, route pattern and status.")
    public static let httpDuration = MetricFamily(
        "incentives_http_request_duration_seconds", "Time to answer an HTTP request (headers ready), by method and route pattern.")
    public static let claimTransitions = MetricFamily(
        "incentives_claim_transitions_total", "Claim lifecycle transitions committed, by action and the side that took it.")
    public static let sweeperRuns = MetricFamily("incentives_sweeper_runs_total", "Passes of the deadline sweeper.")
    public static let sweeperExpiries = MetricFamily("incentives_sweeper_expiries_total", "Claims the deadline sweeper expired.")
    public static let sweeperLag = MetricFamily(
        "incentives_sweeper_lag_seconds", "At the last sweep: now minus the oldest deadline that had passed unexpired (0 when none).")
    public static let outboxDepth = MetricFamily("incentives_outbox_depth", "Emails waiting in the outbox (pending or being sent).")
    public static let outboxOldest = MetricFamily(
        "incentives_outbox_oldest_pending_seconds", "How long the longest-waiting due email has been due (0 when none is).")
    public static let outboxFailures = MetricFamily("incentives_outbox_failures_total", "Email deliveries that failed (each try).")
    public static let webhookDepth = MetricFamily("incentives_webhook_queue_depth", "Webhook deliveries waiting to be sent.")
    public static let webhookOldest = MetricFamily(
        "incentives_webhook_oldest_pending_seconds", "How long the longest-waiting due webhook delivery has been due (0 when none is).")
    public static let webhookFailures = MetricFamily("incentives_webhook_failures_total", "Webhook attempts that failed (each try).")
    public static let poolInUse = MetricFamily("incentives_db_pool_connections_in_use", "Database connections held by a call now.")
    public static let poolWaits = MetricFamily(
        "incentives_db_pool_waits_total", "Database calls that found no connection (or SQLite write slot) free and waited over 1 ms.")
    public static let poolWaitTime = MetricFamily(
        "incentives_db_pool_wait_seconds", "Time a database call waited for a connection (and on SQLite for the write slot).")
    public static let poolUnavailable = MetricFamily(
        "incentives_db_unavailable_total", "Database calls that got no connection in time or lost it (answered 503).")
    public static let signInFailures = MetricFamily("incentives_sign_in_failures_total", "Sign-ins refused for a wrong email or password.")
    public static let signInLockouts = MetricFamily(
        "incentives_sign_in_lockouts_total", "Sign-in attempts turned away by the throttle before their password was checked.")

    public static let all: [MetricFamily] = [
        httpRequests, httpDuration, claimTransitions, sweeperRuns, sweeperExpiries, sweeperLag, outboxDepth, outboxOldest,
        outboxFailures, webhookDepth, webhookOldest, webhookFailures, poolInUse, poolWaits, poolWaitTime, poolUnavailable,
        signInFailures, signInLockouts,
    ]

    /// The help line of a family by name ("" for a name no family has).
    public static func help(for name: String) -> String { byName[name]?.help ?? "" }

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}

/// What a transaction did that is told only once it commits: the claim transitions it made, counted after COMMIT so a
/// rolled-back change (a conflict, a refusal, a retried deadlock) never counts.
final class CommitNotes: Sendable {
    private let transitions = Mutex<[ClaimTransitionLabel]>([])
    /// The database's catalogue cache, and what the transaction read of the catalogue, kept there once it commits.
    let catalogue: CatalogueCache?
    private let catalogueRead = Mutex<[(engagementID: Int64, revision: Int64, entry: CatalogueCache.Entry)]>([])

    init(catalogue: CatalogueCache? = nil) { self.catalogue = catalogue }

    /// The transaction running in this task, if any.
    @TaskLocal static var current: CommitNotes?

    func note(_ label: ClaimTransitionLabel) { transitions.withLock { $0.append(label) } }

    func note(catalogue read: (engagementID: Int64, revision: Int64, entry: CatalogueCache.Entry)) {
        catalogueRead.withLock { $0.append(read) }
    }

    /// After the COMMIT: what the transaction read of the catalogue is kept.
    func committed() { catalogue?.keep(catalogueRead.withLock { $0 }) }

    /// Notes the transition `entry` records, in the transaction this task runs (none outside one).
    static func transition(_ entry: ClaimHistoryEntry) {
        current?.note(ClaimTransitionLabel(action: entry.action.rawValue, side: entry.actor.role.side.rawValue))
    }

    var noted: [ClaimTransitionLabel] { transitions.withLock { $0 } }
}

/// A transition's labels: its action and the side of who took it, as the domain names them.
struct ClaimTransitionLabel: Sendable, Hashable {
    let action: String
    let side: String
}

/// The store's instruments over the telemetry an app attached: the pool's use and waits, and committed transitions.
struct StoreInstruments: Sendable {
    let telemetry: Telemetry
    let inUse: Meter
    let waits: Counter
    let waitTime: CoreMetrics.Timer
    let unavailable: Counter

    init(_ telemetry: Telemetry) {
        self.telemetry = telemetry
        let factory = telemetry.metrics
        inUse = Meter(label: MetricFamily.poolInUse.name, dimensions: [], factory: factory)
        waits = Counter(label: MetricFamily.poolWaits.name, dimensions: [], factory: factory)
        waitTime = CoreMetrics.Timer(label: MetricFamily.poolWaitTime.name, dimensions: [], factory: factory)
        unavailable = Counter(label: MetricFamily.poolUnavailable.name, dimensions: [], factory: factory)
    }

    /// A caller got its connection after `waited`.
    func leased(after waited: Duration) {
        waitTime.record(duration: waited)
        if waited > .milliseconds(1) { waits.increment() }
    }

    func committed(_ transitions: [ClaimTransitionLabel]) {
        for label in transitions {
            Counter(label: MetricFamily.claimTransitions.name, dimensions: [("action", label.action), ("side", label.side)],
                    factory: telemetry.metrics).increment()
        }
    }
}

extension Telemetry {
    /// Runs `body` in a span named `name`, a child of the task's current span (or a trace of its own), ended when
    /// `body` returns or throws; a thrown error is recorded on it.
    public func traced<T>(_ name: String, kind: SpanKind = .internal, attributes: SpanAttributes = [:],
                          isolation: isolated (any _Concurrency.Actor)? = #isolation,
                          _ body: (any Span) async throws -> T) async rethrows -> T {
        let span = tracer.startSpan(name, ofKind: kind)
        defer { span.end() }
        if !attributes.isEmpty { span.attributes.merge(attributes) }
        do {
            return try await InstrumentationContext.$current.withValue(span.context) { try await body(span) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
