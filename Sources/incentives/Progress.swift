import ArgumentParser
import Foundation
import Synchronization

/// How long work shows its progress, always on standard error (standard output may be the file being written).
enum ProgressMode: String, CaseIterable, ExpressibleByArgument {
    /// A bar on a terminal; elsewhere (a pipe, a log, CI) plain lines, once the work has taken 2 s.
    case auto
    case bar, lines, none
}

/// `--progress`, for every command whose work may take a while.
struct ProgressOptions: ParsableArguments {
    @Option(help: "Progress on standard error: auto (a bar on a terminal, else a line every 2 s or 10% once 2 s have passed), bar, lines or none.")
    var progress: ProgressMode = .auto

    /// A reporter of `total` (nil: not known, so done and rate only) in `unit`.
    func reporter(_ unit: ProgressText.Unit, total: Int?) -> Progress {
        let style: Progress.Style = switch progress {
        case .auto: isatty(STDERR_FILENO) == 1 ? .bar : .lines(quietFor: 2)
        case .bar: .bar
        case .lines: .lines(quietFor: 0)
        case .none: .none
        }
        return Progress(ProgressText(unit: unit), total: total, style: style)
    }
}

/// Reports work done as it goes: on a terminal one bar redrawn in place (`\r`) at most ten times a second; elsewhere a
/// plain line at most every 2 s or each further 10%. It only writes: the work reports to it through `update`.
final class Progress: Sendable {
    enum Style: Sendable {
        case bar
        /// Lines, none in the first `quietFor` seconds (quick work in a script stays silent).
        case lines(quietFor: Double)
        case none
    }

    private struct State {
        var done = 0
        var total: Int?
        var lastWrite: Double?
        /// The tenth of the total reached at the last line.
        var lastStep = 0
        var shown = false
        var barWidth = 0
    }

    let text: ProgressText
    let style: Style
    private let started: Double
    private let clock: @Sendable () -> Double
    private let output: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// - Parameters: clock: seconds on a monotonic clock; output: where the text goes (standard error).
    init(_ text: ProgressText, total: Int?, style: Style, clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime },
         output: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.text = text; self.style = style; self.clock = clock; self.output = output
        started = clock()
        state.withLock { $0.total = total }
    }

    /// The work has done `done` in all so far.
    func update(_ done: Int) {
        let now = clock(), elapsed = now - started
        let written: String? = state.withLock { state in
            state.done = done
            switch style {
            case .none: return nil
            case .bar:
                if let last = state.lastWrite, now - last < 0.1, done != state.total { return nil }
                return redraw(&state, at: now, elapsed: elapsed)
            case .lines(let quiet):
                let step = state.total.map { $0 > 0 ? min(10, 10 * done / $0) : 0 } ?? 0
                guard elapsed >= quiet, (state.lastWrite.map { now - $0 >= 2 } ?? true) || step > state.lastStep else { return nil }
                state.lastWrite = now; state.lastStep = step; state.shown = true
                return text.line(done: done, total: state.total, elapsed: elapsed) + "\n"
            }
        }
        if let written { output(written) }
    }

    /// The work is over: the bar's last state and a new line, or a last line where lines were shown.
    /// - Parameter exact: the total was an estimate (a backup's size) and what was done is all there was.
    func finish(exact: Bool = false) {
        let now = clock(), elapsed = now - started
        let written: String? = state.withLock { state in
            if exact { state.total = state.done }
            switch style {
            case .none: return nil
            case .bar: return redraw(&state, at: now, elapsed: elapsed) + "\n"
            case .lines(let quiet):
                guard state.shown || quiet == 0 else { return nil }
                return text.finished(done: state.done, total: state.total, elapsed: elapsed) + "\n"
            }
        }
        if let written { output(written) }
    }

    /// The bar over the last one, padded so that nothing of a longer one stays.
    private func redraw(_ state: inout State, at now: Double, elapsed: Double) -> String {
        let bar = text.bar(done: state.done, total: state.total, elapsed: elapsed)
        defer { state.lastWrite = now; state.shown = true; state.barWidth = bar.count }
        return "\r" + bar + String(repeating: " ", count: max(0, state.barWidth - bar.count))
    }
}

/// What a progress report says, from the numbers alone: done, the total when known, the seconds since the start.
struct ProgressText: Sendable, Equatable {
    enum Unit: Sendable, Equatable {
        /// Things counted, named in the plural ("claims").
        case items(String)
        /// Bytes, shown in MiB.
        case bytes
    }

    let unit: Unit

    /// `progress: 40000/100000 claims (40%), 2,610/s, 23 s left`; without a total, `progress: 40000 claims, 2,610/s`.
    func line(done: Int, total: Int?, elapsed: Double) -> String {
        "progress: " + ([amount(done, of: total)] + rateAndLeft(done: done, total: total, elapsed: elapsed)).joined(separator: ", ")
    }

    /// The last line: `progress: 100000/100000 claims (100%), 2,610/s, done in 38 s`.
    func finished(done: Int, total: Int?, elapsed: Double) -> String {
        let rate = rate(done: done, elapsed: elapsed).map { [$0] } ?? []
        return "progress: " + ([amount(done, of: total)] + rate + ["done in \(Self.duration(elapsed))"]).joined(separator: ", ")
    }

    /// `[#########...........] 40% 40000/100000 claims, 2,610/s, 23 s left`; without a total no bar, done and rate.
    func bar(done: Int, total: Int?, elapsed: Double, width: Int = 24) -> String {
        let details = ([amount(done, of: total, percent: false)] + rateAndLeft(done: done, total: total, elapsed: elapsed)).joined(separator: ", ")
        guard let total, total > 0 else { return details }
        let filled = width * min(done, total) / total
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + "\(Self.percent(done, of: total))% " + details
    }

    /// `40000/100000 claims (40%)`, `40000 claims`, `12.5/40.0 MiB (31%)`.
    private func amount(_ done: Int, of total: Int?, percent: Bool = true) -> String {
        let shown: String = switch unit {
        case .items(let name): (total.map { "\(done)/\($0)" } ?? "\(done)") + " " + name
        case .bytes: (total.map { "\(Self.mebibytes(done))/\(Self.mebibytes($0))" } ?? Self.mebibytes(done)) + " MiB"
        }
        guard percent, let total, total > 0 else { return shown }
        return shown + " (\(Self.percent(done, of: total))%)"
    }

    private func rate(done: Int, elapsed: Double) -> String? {
        guard elapsed > 0.001 else { return nil }
        let perSecond = Double(done) / elapsed
        return switch unit {
        case .items: "\(Self.grouped(Int(perSecond.rounded())))/s"
        case .bytes: "\(Self.mebibytes(Int(perSecond))) MiB/s"
        }
    }

    private func rateAndLeft(done: Int, total: Int?, elapsed: Double) -> [String] {
        guard let rate = rate(done: done, elapsed: elapsed) else { return [] }
        guard let total, done > 0 else { return [rate] }
        let left = Double(max(0, total - done)) * elapsed / Double(done)
        return [rate, "\(Self.duration(left)) left"]
    }

    static func percent(_ done: Int, of total: Int) -> Int { min(100, 100 * max(0, done) / total) }

    /// 2610 → `2,610`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Bytes in MiB with one decimal: 13_107_200 → `12.5`.
    static func mebibytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `0.4 s`, `23 s`, `4 min 05 s`, `1 h 02 min`, rounded up to what is shown.
    static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.1f s", (seconds * 10).rounded(.up) / 10) }
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole) s" }
        if whole < 3_600 { return "\(whole / 60) min \(String(format: "%02d", whole % 60)) s" }
        let minutes = (whole + 59) / 60
        return "\(minutes / 60) h \(String(format: "%02d", minutes % 60)) min"
    }
}
