import Foundation
import Synchronization
import VaporCSQLite

/// Copies SQLite's write-ahead log into the database file from a thread and a connection of its own.
///
/// Left to itself SQLite checkpoints inside the COMMIT that takes the log past 1,000 pages: the writer copies the pages
/// into the file and syncs it while every other writer queues behind it (16% of a busy writer's samples). Here each
/// connection's commit only reports the log's length (`sqlite3_wal_hook`, which also turns SQLite's own checkpoint
/// off); past `background` pages it wakes this thread, which runs a PASSIVE checkpoint beside the writer, on the other
/// core: PASSIVE takes no lock a writer or a reader waits for, and copies what no reader still needs.
///
/// The log starts over from its beginning only when a write begins with all of it copied. Under a steady stream of
/// writes the copy never quite catches up, so past `writer` pages the committing writer copies the rest itself, as
/// SQLite would have (most of it is copied already), and the next write starts the log over: the log stays bounded.
final class WALCheckpointer: @unchecked Sendable {
    /// When a copy is due, in pages of the log after a commit.
    struct Limits: Sendable {
        /// Past this the checkpointer's thread copies the log.
        var background: Int32
        /// Past this the committing writer copies it (the checkpointer fell behind).
        var writer: Int32

        /// SQLite's own threshold for the thread; sixteen times it (64 MiB of 4 KiB pages) for the writer.
        static let standard = Limits(background: 1_000, writer: 16_000)
    }

    /// One PASSIVE checkpoint's outcome: the log's length and how much of it is in the file, in pages.
    struct Copy: Sendable, Equatable {
        var log: Int32
        var copied: Int32
    }

    /// At most 15 bytes: Linux refuses a longer thread name, and the thread would show as the one that started it.
    static let threadName = "wal-checkpoint"

    let path: String
    let limits: Limits

    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var due = false
    private var stopping = false
    private var running = false
    private var finished = false
    private var last: Copy?

    private let copiesMade = Atomic<Int>(0)
    private let writerCopiesMade = Atomic<Int>(0)
    private let committedPages = Atomic<Int32>(0)

    init(path: String, limits: Limits = .standard) {
        self.path = path
        self.limits = limits
    }

    /// How many checkpoints the thread ran, and how many the writers ran themselves.
    var copies: Int { copiesMade.load(ordering: .relaxed) }
    var writerCopies: Int { writerCopiesMade.load(ordering: .relaxed) }
    /// The log's length after the latest commit, in pages.
    var lastCommitPages: Int32 { committedPages.load(ordering: .relaxed) }
    /// The thread's latest checkpoint.
    var lastCopy: Copy? {
        condition.lock()
        defer { condition.unlock() }
        return last
    }

    /// Reports every commit of `connection` here from now on, instead of SQLite checkpointing in it. The connection must
    /// not outlive this object (the connection holds it: `SQLiteStatementConnection`).
    func watch(_ connection: OpaquePointer) {
        sqlite_nio_sqlite3_wal_hook(connection, { context, connection, schema, pages in
            guard let context else { return SQLITE_OK }
            Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(pages: pages, on: connection, schema: schema)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// A commit left the log `pages` long. Runs on the committing thread, after SQLite released the write lock.
    private func committed(pages: Int32, on connection: OpaquePointer?, schema: UnsafePointer<CChar>?) {
        committedPages.store(pages, ordering: .relaxed)
        if pages >= limits.writer {
            // What SQLite's default hook does (sqlite3WalDefaultHook): PASSIVE, so a reader is never waited for.
            if sqlite_nio_sqlite3_wal_checkpoint_v2(connection, schema, SQLITE_CHECKPOINT_PASSIVE, nil, nil) == SQLITE_OK {
                writerCopiesMade.add(1, ordering: .relaxed)
            }
        } else if pages >= limits.background {
            wake()
        }
    }

    private func wake() {
        condition.lock()
        due = true
        let start = !running && !stopping
        if start { running = true }
        condition.signal()
        condition.unlock()
        // Started by the first copy due: most databases (a test's, a short command's) never need one.
        if start { Thread { [self] in run() }.start() }
    }

    private func run() {
        Thread.current.name = Self.threadName
        var connection: OpaquePointer?
        defer {
            sqlite_nio_sqlite3_close(connection)
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        while true {
            condition.lock()
            while !due && !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                return
            }
            due = false
            condition.unlock()
            if connection == nil {
                // No mutex of SQLite's own: only this thread uses the connection.
                let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
                // A connection finds the file in WAL mode at its first read: a checkpoint before that does nothing.
                if sqlite_nio_sqlite3_open_v2(path, &connection, flags, nil) != SQLITE_OK
                    || sqlite_nio_sqlite3_exec(connection, "SELECT 1 FROM sqlite_schema LIMIT 1", nil, nil, nil) != SQLITE_OK {
                    sqlite_nio_sqlite3_close(connection)
                    connection = nil
                    continue
                }
            }
            var log: Int32 = -1
            var copied: Int32 = -1
            // SQLITE_BUSY: a writer is copying itself right now; the next commit past the threshold wakes this again.
            guard sqlite_nio_sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK else { continue }
            copiesMade.add(1, ordering: .relaxed)
            condition.lock()
            last = Copy(log: log, copied: copied)
            condition.unlock()
        }
    }

    /// Ends the thread after the copy it is making, closing its connection. With `wait`, returns once it has: blocking,
    /// so from a thread that may wait (`Database.close` runs it on NIO's thread pool).
    func stop(wait: Bool) {
        condition.lock()
        stopping = true
        condition.signal()
        while wait && running && !finished { condition.wait() }
        condition.unlock()
    }
}
