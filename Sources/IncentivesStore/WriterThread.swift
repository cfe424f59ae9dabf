import Foundation

/// The thread SQLite's writer works on (`SQLiteWriter`). Inside its transaction the writer holds SQLite's write lock, so
/// its statements wait on nothing but the CPU and the page cache, and they run where the caller's code runs
/// (`SQLiteStatementConnection.runHere`) rather than hopping to a thread pool and back twice per statement, which cost
/// more than most of those statements. That place must not be Swift's cooperative pool, which has a thread per core
/// and runs every request: a sweep's batch or a large import would hold one of them for as long as its statements take.
/// So each write runs with this thread as its task executor: the caller's code in the transaction, and its statements,
/// run here, one transaction after another.
final class WriterThread: TaskExecutor, @unchecked Sendable {
    static let name = "sqlite-writer"

    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private var stopped = false
    /// The thread's own id, once it runs.
    private var id: pthread_t?

    init() {
        Thread { [self] in run() }.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if stopped {
            // A task that still prefers this executor after `stop` (one finishing as the database closed) runs on
            // Swift's pool instead of waiting for a thread that is gone.
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Whether the code calling runs on this thread.
    var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return id.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    private func run() {
        // Named from inside: on Linux a name given before the start is not the one `top` and `perf` show.
        Thread.current.name = Self.name
        condition.lock()
        id = pthread_self()
        condition.unlock()
        var running: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                stopped = true
                condition.unlock()
                return
            }
            swap(&running, &jobs)
            condition.unlock()
            for job in running { job.runSynchronously(on: asUnownedTaskExecutor()) }
            running.removeAll(keepingCapacity: true)
        }
    }

    /// Ends the thread once the jobs queued so far have run.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }
}
