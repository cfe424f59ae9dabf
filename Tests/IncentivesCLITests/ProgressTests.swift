@testable import incentives
import Synchronization
import Testing

@Suite("Progress on long CLI work: the text from the numbers, and how often it is written")
struct ProgressTests {
    let claims = ProgressText(unit: .items("claims"))

    @Test("a plain line: done of total, percent, rate, time left; without a total, done and rate")
    func lines() {
        #expect(claims.line(done: 40_000, total: 100_000, elapsed: 15.325) == "progress: 40000/100000 claims (40%), 2,610/s, 23 s left")
        #expect(claims.line(done: 40_000, total: nil, elapsed: 15.325) == "progress: 40000 claims, 2,610/s")
        #expect(claims.line(done: 0, total: 100, elapsed: 0) == "progress: 0/100 claims (0%)", "no rate before any time has passed")
        #expect(claims.line(done: 0, total: 100, elapsed: 1) == "progress: 0/100 claims (0%), 0/s", "no time left before anything is done")
        #expect(ProgressText(unit: .bytes).line(done: 13_107_200, total: 41_943_040, elapsed: 1.6)
                == "progress: 12.5/40.0 MiB (31%), 7.8 MiB/s, 3.6 s left")
        #expect(claims.line(done: 120, total: 100, elapsed: 1) == "progress: 120/100 claims (100%), 120/s, 0.0 s left",
                "an estimate passed (a backup larger than its pages said) shows 100%, not more")
        #expect(claims.finished(done: 100_000, total: 100_000, elapsed: 38) == "progress: 100000/100000 claims (100%), 2,632/s, done in 38 s")
    }

    @Test("a terminal's bar: filled to the share done, then the same details")
    func bar() {
        #expect(claims.bar(done: 40_000, total: 100_000, elapsed: 15.325)
                == "[#########...............] 40% 40000/100000 claims, 2,610/s, 23 s left")
        #expect(claims.bar(done: 100, total: 100, elapsed: 2, width: 4) == "[####] 100% 100/100 claims, 50/s, 0.0 s left")
        #expect(claims.bar(done: 40_000, total: nil, elapsed: 15.325) == "40000 claims, 2,610/s")
    }

    @Test("durations, numbers and sizes as a person reads them")
    func pieces() {
        #expect([0.04, 0.4, 9.2, 59, 59.2, 250, 3_725].map(ProgressText.duration)
                == ["0.1 s", "0.4 s", "9.2 s", "59 s", "1 min 00 s", "4 min 10 s", "1 h 03 min"])
        #expect([0, 999, 1_000, 1_234_567, -1_234].map(ProgressText.grouped) == ["0", "999", "1,000", "1,234,567", "-1,234"])
        #expect([0, 52_429, 13_107_200, 1 << 30].map(ProgressText.mebibytes) == ["0.0", "0.1", "12.5", "1024.0"])
    }

    /// A clock the test moves, and the text written, in order.
    final class Recorder: Sendable {
        let time = Mutex(0.0)
        let written = Mutex<[String]>([])

        func progress(_ style: Progress.Style, total: Int?) -> Progress {
            Progress(ProgressText(unit: .items("claims")), total: total, style: style, clock: { self.time.withLock { $0 } },
                     output: { text in self.written.withLock { $0.append(text) } })
        }

        func at(_ seconds: Double, _ body: () -> Void) {
            time.withLock { $0 = seconds }
            body()
        }

        var lines: [String] { written.withLock { $0 } }
    }

    @Test("lines: none in the quiet time, then one every 2 s or each further 10%, and a last line")
    func linesThrottled() {
        let recorder = Recorder()
        let progress = recorder.progress(.lines(quietFor: 2), total: 100)
        recorder.at(0.5) { progress.update(10) }
        #expect(recorder.lines.isEmpty, "quick work stays silent")
        recorder.at(2.5) { progress.update(20) }
        recorder.at(3.0) { progress.update(25) }
        recorder.at(3.2) { progress.update(30) }
        recorder.at(5.3) { progress.update(31) }
        recorder.at(6.0) { progress.finish() }
        #expect(recorder.lines == [
            "progress: 20/100 claims (20%), 8/s, 10 s left\n",
            "progress: 30/100 claims (30%), 9/s, 7.5 s left\n",
            "progress: 31/100 claims (31%), 6/s, 12 s left\n",
            "progress: 31/100 claims (31%), 5/s, done in 6.0 s\n",
        ])
    }

    @Test("work over within the quiet time writes nothing at all; `none` never writes")
    func silent() {
        let recorder = Recorder()
        let quick = recorder.progress(.lines(quietFor: 2), total: 100)
        recorder.at(1.0) { quick.update(100) }
        recorder.at(1.5) { quick.finish() }
        let none = recorder.progress(.none, total: 100)
        recorder.at(10) { none.update(50) }
        recorder.at(20) { none.finish() }
        #expect(recorder.lines.isEmpty)
    }

    @Test("the bar is redrawn in place at most ten times a second, always at the end, and closed with a new line")
    func barThrottled() {
        let recorder = Recorder()
        let progress = recorder.progress(.bar, total: 1_000)
        for step in 1...999 { recorder.at(Double(step) / 1_000) { progress.update(step) } }
        let drawn = recorder.lines.count
        #expect((9...11).contains(drawn), "\(drawn) redraws in one second")
        recorder.at(1.0) { progress.update(1_000) }
        recorder.at(1.01) { progress.finish() }
        let all = recorder.lines
        #expect(all.count == drawn + 2 && all.allSatisfy { $0.hasPrefix("\r[") } && all.last?.hasSuffix("\n") == true)
        #expect(all[all.count - 2].hasPrefix("\r[########################] 100% 1000/1000 claims"), "the end is always drawn")
    }

    @Test("a total that was an estimate (a backup's size) ends at 100% of what was done")
    func exactFinish() {
        let recorder = Recorder()
        let progress = recorder.progress(.lines(quietFor: 0), total: 100)
        recorder.at(1) { progress.update(95) }
        recorder.at(2) { progress.finish(exact: true) }
        #expect(recorder.lines == ["progress: 95/100 claims (95%), 95/s, 0.1 s left\n", "progress: 95/95 claims (100%), 48/s, done in 2.0 s\n"])
    }
}
