import Foundation
import IncentivesDomain
import IncentivesStore
import Logging
import ServiceLifecycle

/// Where emails go: a folder of `.eml` files (the demo default, and what tests read), or `sendmail -t`.
public enum MailTransportSetting: Sendable, Hashable {
    case mailDrop(directory: String)
    case sendmail(path: String)
}

/// Hands one rendered message to the outside world; throws when it did not take it.
protocol MailTransport: Sendable {
    func deliver(_ rfc822: String, of message: OutboxMessage) async throws
}

/// Writes one `.eml` per message into a folder. The file is named by the outbox id and appears whole
/// (written aside, then renamed), so a reader never sees half a message, and a message taken again
/// after a crash finds its file already there and is not written twice.
struct MailDropTransport: MailTransport {
    let directory: URL

    func deliver(_ rfc822: String, of message: OutboxMessage) async throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let final = directory.appendingPathComponent(Self.fileName(message.id))
        if fm.fileExists(atPath: final.path) { return }
        let partial = directory.appendingPathComponent(".\(message.id).\(UUID().uuidString).tmp")
        try Data(rfc822.utf8).write(to: partial)
        do {
            try fm.moveItem(at: partial, to: final)
        } catch {
            try? fm.removeItem(at: partial)
            if fm.fileExists(atPath: final.path) { return }
            throw error
        }
    }

    /// Zero-padded so a listing sorts in the order messages were written.
    static func fileName(_ id: Int64) -> String { String(format: "%012lld.eml", id) }
}

/// Pipes the message to `sendmail -t -i` (recipients from the headers; a lone "." is not the end).
/// A non-zero exit is a failed try, retried by the outbox's policy. A sendmail that hangs is stopped after
/// `timeout`, well inside the outbox's lease, so a stuck MTA neither stops the mail loop nor lets another
/// instance take the message again while this one may still be sending it.
struct SendmailTransport: MailTransport {
    let path: String
    var timeout: Duration = .seconds(60)

    func deliver(_ rfc822: String, of message: OutboxMessage) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-t", "-i"]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let exited = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        try process.run()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            process.terminate()
            try await Task.sleep(for: .seconds(2))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        defer { watchdog.cancel() }
        // A sendmail that gives up early (server unreachable) closes its input before reading it: the write
        // then fails with a broken pipe, and the exit status and what it said are the news worth keeping. The write
        // blocks while sendmail does not read, so it runs on a thread of its own, not the cooperative pool.
        let body = Data(rfc822.replacingOccurrences(of: "\r\n", with: "\n").utf8)
        let writeError: (any Error)? = await withCheckedContinuation { done in
            DispatchQueue.global().async {
                do { try input.fileHandleForWriting.write(contentsOf: body); done.resume(returning: nil) } catch { done.resume(returning: error) }
                try? input.fileHandleForWriting.close()
            }
        }
        var status: Int32 = -1
        for await code in exited { status = code }
        if process.terminationReason == .uncaughtSignal {
            throw MailDeliveryError(message: "sendmail did not finish within \(timeout) and was stopped")
        }
        if status == 0, let writeError { throw MailDeliveryError(message: "sendmail did not take the whole message: \(writeError)") }
        guard status == 0 else {
            let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw MailDeliveryError(message: "sendmail exited with \(status): \(said.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}

struct MailDeliveryError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Delivers the outbox for as long as the app runs: every `interval` it takes the due messages, hands
/// each to the transport, and records the result (retries follow the outbox's `DeliveryPolicy`).
public struct MailDelivery: Service {
    let outbox: Outbox
    let transport: any MailTransport
    let from: String
    let messageIDDomain: String
    let clock: any WallClock
    let interval: Duration
    let logger: Logger
    /// Counts failed tries and traces each pass.
    let telemetry: AppTelemetry?

    init(outbox: Outbox, transport: any MailTransport, from: String, messageIDDomain: String, clock: any WallClock,
         interval: Duration, logger: Logger, telemetry: AppTelemetry? = nil) {
        self.outbox = outbox; self.transport = transport; self.from = from; self.messageIDDomain = messageIDDomain
        self.clock = clock; self.interval = interval; self.logger = logger; self.telemetry = telemetry
    }

    public init(outbox: Outbox, setting: MailTransportSetting, from: String, messageIDDomain: String, clock: any WallClock,
                interval: Duration, logger: Logger, telemetry: AppTelemetry? = nil) {
        let transport: any MailTransport = switch setting {
        case .mailDrop(let directory): MailDropTransport(directory: URL(fileURLWithPath: directory, isDirectory: true))
        case .sendmail(let path): SendmailTransport(path: path)
        }
        self.init(outbox: outbox, transport: transport, from: from, messageIDDomain: messageIDDomain, clock: clock,
                  interval: interval, logger: logger, telemetry: telemetry)
    }

    /// Messages leased per pass.
    static let batch = 20

    public func run() async throws {
        await DrainLoop.run(batch: Self.batch, interval: interval) { await deliverDue() }
    }

    /// One pass over the due messages, in a span of its own; returns how many were delivered. Failures are recorded,
    /// not thrown.
    @discardableResult
    public func deliverDue() async -> Int {
        await (telemetry?.store ?? .off).traced("mail.drain") { _ in await deliverPass() }
    }

    private func deliverPass() async -> Int {
        let taken: [OutboxMessage]
        do {
            taken = try await outbox.take(now: clock.now, limit: Self.batch)
        } catch {
            logger.error("Mail outbox could not be read: \(error)")
            return 0
        }
        var delivered = 0
        for item in taken {
            let document = item.message.rfc822(from: from, messageID: item.messageID(domain: messageIDDomain), date: item.createdAt)
            do {
                try await transport.deliver(document, of: item)
                try await outbox.markSent(item.id, now: clock.now)
                delivered += 1
            } catch {
                let status = try? await outbox.markFailed(item.id, attempts: item.attempts, error: "\(error)", now: clock.now)
                telemetry?.outboxFailures.increment()
                logger.warning("Mail delivery failed", metadata: [
                    "outbox_id": "\(item.id)", "attempt": "\(item.attempts)", "now": "\(status?.rawValue ?? "unrecorded")", "error": "\(error)",
                ])
            }
        }
        return delivered
    }
}
