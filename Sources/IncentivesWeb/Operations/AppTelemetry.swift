import CoreMetrics
import Foundation
import IncentivesStore
import Metrics
import Prometheus
import Synchronization
import Tracing

/// The app's own metrics registry (what `/metrics` serves) and tracer, and the web layer's instruments over them. One
/// per app: nothing is bootstrapped process-wide, so tests run apps side by side, each reading its own numbers.
public final class AppTelemetry: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The same registry and tracer as the store sees them.
    public let store: Telemetry
    let signInFailures: CoreMetrics.Counter
    let signInLockouts: CoreMetrics.Counter
    let sweeperRuns: CoreMetrics.Counter
    let sweeperExpiries: CoreMetrics.Counter
    let sweeperLag: CoreMetrics.Gauge
    let outboxFailures: CoreMetrics.Counter
    let webhookFailures: CoreMetrics.Counter
    private let queues: [MetricFamily: CoreMetrics.Gauge]
    /// `GET /health` answered 200: the same series `answered` would count it in, resolved once.
    private let healthProbes: CoreMetrics.Counter
    /// The request counter and histogram of each method, route and status met so far (a bounded set: the routes).
    private let requests = Mutex<[RequestSeries: (count: CoreMetrics.Counter, time: CoreMetrics.Timer)]>([:])

    public init(tracer: any Tracer = NoOpTracer()) {
        registry = PrometheusCollectorRegistry()
        let factory = RegistryMetricsFactory(registry: registry)
        store = Telemetry(metrics: factory, tracer: tracer)
        func counter(_ family: MetricFamily) -> CoreMetrics.Counter { CoreMetrics.Counter(label: family.name, dimensions: [], factory: factory) }
        func gauge(_ family: MetricFamily) -> CoreMetrics.Gauge { CoreMetrics.Gauge(label: family.name, dimensions: [], factory: factory) }
        signInFailures = counter(.signInFailures)
        signInLockouts = counter(.signInLockouts)
        sweeperRuns = counter(.sweeperRuns)
        sweeperExpiries = counter(.sweeperExpiries)
        sweeperLag = gauge(.sweeperLag)
        outboxFailures = counter(.outboxFailures)
        webhookFailures = counter(.webhookFailures)
        healthProbes = CoreMetrics.Counter(label: MetricFamily.httpRequests.name,
                                           dimensions: [("method", "GET"), ("route", SitePath.health.path), ("status", "200")], factory: factory)
        let queueFamilies: [MetricFamily] = [.outboxDepth, .outboxOldest, .webhookDepth, .webhookOldest]
        queues = Dictionary(uniqueKeysWithValues: queueFamilies.map { ($0, gauge($0)) })
        // Families that see their first sample late are still listed, at zero, from the first scrape on.
        _ = CoreMetrics.Meter(label: MetricFamily.poolInUse.name, dimensions: [], factory: factory)
        for family in [MetricFamily.poolWaits, .poolUnavailable] { _ = counter(family) }
        _ = CoreMetrics.Timer(label: MetricFamily.poolWaitTime.name, dimensions: [], factory: factory)
    }

    var tracer: any Tracer { store.tracer }

    /// A `GET /health` probe answered: counted like any request, not timed (it does no work worth a histogram).
    func answeredHealth() { healthProbes.increment() }

    /// One answered request: `route` is the router's pattern (or "unmatched"), never the path as sent.
    func answered(method: String, route: String, status: Int, after elapsed: Duration) {
        let series = RequestSeries(method: method, route: route, status: status)
        let instruments = requests.withLock { known in
            if let found = known[series] { return found }
            let made = (count: CoreMetrics.Counter(label: MetricFamily.httpRequests.name,
                                       dimensions: [("method", method), ("route", route), ("status", String(status))], factory: store.metrics),
                        time: CoreMetrics.Timer(label: MetricFamily.httpDuration.name,
                                            dimensions: [("method", method), ("route", route)], factory: store.metrics))
            known[series] = made
            return made
        }
        instruments.count.increment()
        instruments.time.record(duration: elapsed)
    }

    /// The mail outbox's and the webhook queue's backlog, read when Prometheus scrapes: always as of now, on whichever
    /// instance is asked, even when its delivery services are stuck; two indexed reads per scrape cost nothing.
    func observeQueues(outbox: QueueBacklog, webhooks: QueueBacklog) {
        queues[.outboxDepth]?.record(outbox.depth)
        queues[.outboxOldest]?.record(outbox.oldestDue)
        queues[.webhookDepth]?.record(webhooks.depth)
        queues[.webhookOldest]?.record(webhooks.oldestDue)
    }

    /// The Prometheus text exposition of every family.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}

private struct RequestSeries: Hashable {
    let method: String
    let route: String
    let status: Int
}

/// swift-metrics over one `PrometheusCollectorRegistry`, with each family's `# HELP` line (`MetricFamily`) and buckets
/// fit for web requests and pool waits. (swift-prometheus' own factory writes no help text.)
struct RegistryMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry

    static let durationBuckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                              .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500),
                                              .seconds(5), .seconds(10)]
    static let valueBuckets: [Double] = [1, 5, 10, 50, 100, 500, 1_000, 5_000, 10_000]

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricFamily.help(for: label))
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: Self.valueBuckets)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: Self.durationBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
