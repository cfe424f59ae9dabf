import Logging
import ServiceLifecycle
import Tracing
#if OTel
import OTel
#endif

/// The tracer `serve` reports spans to: swift-otel's, exporting over OTLP/HTTP, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set
/// and the build has the `OTel` trait (`swift build --traits OTel`); otherwise a no-op, which costs next to nothing.
public enum TraceExport {
    /// The tracer, and the exporter's service to run beside the app (nil when nothing is exported).
    public static func make(_ config: AppConfig, logger: Logger) throws -> (tracer: any Tracer, service: (any Service)?) {
        guard config.otlpEndpoint != nil else { return (NoOpTracer(), nil) }
        #if OTel
        // swift-otel reads OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables) itself, as the spec says.
        var otel = OTel.Configuration.default
        otel.serviceName = "partner-incentives"
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.traces.otlpExporter.protocol = .httpProtobuf
        let backend = try OTel.makeTracingBackend(configuration: otel)
        return (backend.factory, backend.service)
        #else
        logger.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set, but this build has no trace exporter: build with `swift build --traits OTel`.")
        return (NoOpTracer(), nil)
        #endif
    }
}
