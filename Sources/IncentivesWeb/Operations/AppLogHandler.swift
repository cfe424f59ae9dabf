import Foundation
import Logging
import Synchronization

/// `LOG_FORMAT`: `text`, a line a person reads, or `json`, one object per line for a log collector.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// The app's log lines: every line redacted (`LogRedaction`), with the request id and user of the request being
/// answered (`RequestObservation`, through the metadata provider), as text or as one JSON object per line:
/// `{"time":"2026-11-25T10:00:00.123Z","level":"info","message":"request","request_id":"…","user_id":7,"route":"/claims/{id}",
/// "status":200,"duration_ms":4.1,…}`.
public struct AppLogHandler: LogHandler {
    /// Where finished lines go (standard error in `serve`; a test's buffer in tests).
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    let sink: Sink
    let now: @Sendable () -> Date

    public init(label: String, format: LogFormat, level: Logger.Level = .info,
                metadataProvider: Logger.MetadataProvider? = AppLogHandler.requestMetadata,
                now: @escaping @Sendable () -> Date = { Date() }, sink: @escaping Sink = AppLogHandler.standardError) {
        self.label = label; self.format = format; self.logLevel = level; self.metadataProvider = metadataProvider
        self.now = now; self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The request id and user of the request this task answers, on every line written while it does.
    public static let requestMetadata = Logger.MetadataProvider {
        guard let request = RequestObservation.current else { return [:] }
        var metadata: Logger.Metadata = ["request_id": .string(request.id)]
        if let user = request.userID { metadata["user_id"] = .stringConvertible(user) }
        return metadata
    }

    /// Writes each line whole, so lines of concurrent requests never interleave.
    public static let standardError: Sink = { line in
        let bytes = Data((line + "\n").utf8)
        errorStream.withLock { _ in FileHandle.standardError.write(bytes) }
    }
    private static let errorStream = Mutex(())

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { own, _ in own } }
        if let sent = event.metadata { merged.merge(sent) { _, sent in sent } }
        // Hummingbird's own counter of requests: `request_id` is the one that is returned and logged.
        merged["hb.request.id"] = nil
        if let error = event.error { merged["error"] = .string(String(describing: error)) }
        let message = LogRedaction.scrub(event.message.description)
        let redacted = LogRedaction.redact(merged)
        switch format {
        case .text: sink(textLine(level: event.level, message: message, metadata: redacted))
        case .json: sink(jsonLine(level: event.level, message: message, metadata: redacted))
        }
    }

    private func timestamp() -> String {
        now().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    private func textLine(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(timestamp()) \(level) \(label) :\(fields.isEmpty ? "" : " " + fields) \(message)"
    }

    /// Keys first in every JSON line, in this order; the rest follow sorted.
    static let leadingKeys = ["request_id", "user_id", "method", "route", "status", "duration_ms"]
    /// Keys written as JSON numbers when their value is one.
    static let numericKeys: Set<String> = ["user_id", "status", "duration_ms"]

    private func jsonLine(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var out = "{\"time\":\"\(timestamp())\",\"level\":\"\(level.rawValue)\",\"message\":"
        JSONText.appendString(message, to: &out)
        out += ",\"logger\":"
        JSONText.appendString(label, to: &out)
        let rest = metadata.keys.filter { !Self.leadingKeys.contains($0) }.sorted()
        for key in Self.leadingKeys.filter({ metadata[$0] != nil }) + rest {
            out += ","
            JSONText.appendString(key, to: &out)
            out += ":"
            JSONText.append(metadata[key]!, numeric: Self.numericKeys.contains(key), to: &out)
        }
        return out + "}"
    }
}

/// JSON text written by hand: a log line is on every request's path, and this is a fraction of `JSONEncoder`'s cost.
enum JSONText {
    static func append(_ value: Logger.MetadataValue, numeric: Bool, to out: inout String) {
        switch value {
        case .string(let text):
            let number = numeric && Double(text) != nil && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }
            if number { out += text } else { appendString(text, to: &out) }
        case .stringConvertible(let value):
            append(.string(value.description), numeric: numeric, to: &out)
        case .array(let values):
            out += "["
            for (index, item) in values.enumerated() {
                if index > 0 { out += "," }
                append(item, numeric: false, to: &out)
            }
            out += "]"
        case .dictionary(let entries):
            out += "{"
            for (index, key) in entries.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                append(entries[key]!, numeric: false, to: &out)
            }
            out += "}"
        }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
