import Foundation
import SQLKit
import Synchronization

/// SQLite's one writer, with group commit. Writers that arrive while a write transaction runs queue here (in-process,
/// so the thread pool stays free instead of parking threads in SQLite's busy handler). When the running caller's work
/// is done and others are waiting, the transaction is not committed yet: the next caller takes its turn in it, and so
/// on, and the last of the batch commits for all. Each caller's work runs in its own task (its task-locals, its spans),
/// the first's as the transaction itself, each later one's from a SAVEPOINT: a caller that fails (a conflict, a
/// refusal, any thrown error) rolls back only its own work and hears only its own error, at once. A caller that
/// succeeded hears so only after the COMMIT; if the COMMIT fails, every caller of the batch hears that.
/// One COMMIT writes each page the batch changed once to the write-ahead log, where a transaction per caller wrote the
/// pages every caller touches (the kept totals, the tails of the history and the outbox, the indexes' newest entries)
/// once per caller; and the checkpoints that copy the log into the database have as many fewer pages to copy.
final class SQLiteWriter: Sendable {
    /// How many callers one transaction takes at most, and for how long it takes more: a caller hears of its success only
    /// at the COMMIT, so a batch is kept short even under a steady stream of writers.
    static let batchLimit = 64
    static let batchAge: Duration = .milliseconds(20)

    private let handles: SQLiteHandles
    private let state = Mutex(State())
    /// `batchLimit`, or 1 to commit each caller alone (a benchmark compares).
    let limit: Int

    /// Where each write's work and statements run (`WriterThread`).
    let thread = WriterThread()

    init(handles: SQLiteHandles, limit: Int = SQLiteWriter.batchLimit) {
        self.handles = handles
        self.limit = max(1, limit)
    }

    deinit { thread.stop() }

    private struct State: ~Copyable {
        /// A transaction is open, or a caller is opening or committing one: a newcomer waits.
        var busy = false
        var waiting: [CheckedContinuation<Turn, Never>] = []
    }

    /// How many transactions it committed (tests see how callers were grouped).
    private let commits = Atomic<Int>(0)
    var committed: Int { commits.load(ordering: .relaxed) }
    /// How many callers wait for their turn now.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// What a waiting caller is handed: an open transaction to work in, or the writer to open the next one.
    enum Turn: Sendable {
        case join(Batch)
        case open
    }

    /// One open transaction and the callers waiting for its COMMIT.
    final class Batch: Sendable {
        let handle: SQLiteHandle
        /// The connection for BEGIN, COMMIT and ROLLBACK, run on the thread pool: BEGIN may wait for another process's
        /// write lock, and COMMIT may checkpoint the log into the database and sync it.
        let sql: any SQLDatabase
        /// The same connection for the callers' work, run on the writer's thread (`WriterThread`, `runHere`):
        /// inside the transaction the write lock is held, and no statement waits for another connection.
        let work: any SQLDatabase
        /// Those of the caller that opened it: they count the connection in use while it is open.
        let instruments: StoreInstruments
        /// The file left WAL for this transaction (`Database.Journal.rollbackWhenAlone`) and goes back when it ends.
        let leftWAL: Bool
        /// How many callers worked in it, and since when the first of them waits for the COMMIT.
        private let members = Mutex<(count: Int, since: ContinuousClock.Instant?)>((1, nil))
        /// The callers whose work succeeded, waiting for the COMMIT's outcome.
        private let waiting = Mutex<[CheckedContinuation<Void, any Error>]>([])

        init(handle: SQLiteHandle, sql: any SQLDatabase, work: any SQLDatabase, instruments: StoreInstruments, leftWAL: Bool) {
            self.handle = handle; self.sql = sql; self.work = work; self.instruments = instruments; self.leftWAL = leftWAL
        }

        /// Whether it takes no more callers: it has `limit`, or its first caller waits for the COMMIT since `batchAge`.
        func isFull(limit: Int) -> Bool {
            members.withLock { members in
                let since = members.since ?? .now
                members.since = since
                return members.count >= limit || ContinuousClock.now - since >= SQLiteWriter.batchAge
            }
        }

        func joined() { members.withLock { $0.count += 1 } }

        /// Hands the transaction to `next`, then waits until it ends: returns when it committed, throws what ended it
        /// otherwise. The caller is counted among those waiting before `next` may end it.
        func handOver(to next: CheckedContinuation<Turn, Never>) async throws {
            try await withCheckedThrowingContinuation { continuation in
                waiting.withLock { $0.append(continuation) }
                next.resume(returning: .join(self))
            }
        }

        /// Tells every caller waiting for the COMMIT how it went.
        func finish(_ outcome: Result<Void, any Error>) {
            let members = waiting.withLock { waiting in
                defer { waiting.removeAll() }
                return waiting
            }
            for continuation in members { continuation.resume(with: outcome) }
        }
    }

    /// Runs `body` in the write transaction: first in a transaction of its own, or in a SAVEPOINT of the transaction open
    /// when it queued. Returns once the transaction committed; throws `body`'s error as soon as its work is rolled back.
    /// - Parameters:
    ///   - wrap: what each connection is seen through (the statement log of tests).
    ///   - instruments: told of the wait for the writer and of the connection's use.
    ///   - journal: how the transaction is journaled if this caller opens it (a caller that joins one open already is
    ///     journaled as that one is).
    func write<T: Sendable>(asked: ContinuousClock.Instant, _ instruments: StoreInstruments, journal: Database.Journal = .wal,
                            wrap: @Sendable (any SQLDatabase) -> any SQLDatabase,
                            _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(thread) {
            try await inTransaction(asked: asked, instruments, journal: journal, wrap: wrap, body)
        }
    }

    private func inTransaction<T: Sendable>(asked: ContinuousClock.Instant, _ instruments: StoreInstruments, journal: Database.Journal,
                                            wrap: @Sendable (any SQLDatabase) -> any SQLDatabase,
                                            _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let batch: Batch
        let first: Bool
        switch await turn() {
        case .join(let open):
            batch = open
            first = false
        case .open:
            do {
                batch = try await begin(instruments, journal: journal, wrap: wrap)
            } catch {
                handOn()
                throw error
            }
            first = true
        }
        instruments.leased(after: .now - asked)
        let value: T
        do {
            value = try await work(body, in: batch, first: first)
        } catch let lost as SavepointLost {
            // The transaction is in no known state: nothing of it may be committed.
            try? await end(batch, failure: lost.rollback, discard: true)
            throw lost.underlying
        } catch {
            if first {
                // Nothing but this caller's work is in the transaction yet.
                try? await end(batch, failure: error, discard: false)
            } else if let next = nextMember(of: batch) {
                next.resume(returning: .join(batch))
            } else {
                try? await end(batch, failure: nil, discard: false)
            }
            throw error
        }
        if let next = nextMember(of: batch) {
            try await batch.handOver(to: next)
        } else {
            try await end(batch, failure: nil, discard: false)
        }
        return value
    }

    /// `body` in the open transaction. The first caller's work is the whole transaction so far (a failure rolls it all
    /// back); a later caller's starts at a SAVEPOINT of its own, the latest of that name, which a failure rolls back to.
    /// It is not released: COMMIT keeps it all, and one statement fewer runs per caller.
    private func work<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T, in batch: Batch, first: Bool) async throws -> T {
        if first { return try await body(batch.work) }
        try await batch.work.raw("SAVEPOINT caller").run()
        do {
            return try await body(batch.work)
        } catch {
            // Only this caller's work goes; the others' stays in the transaction.
            do {
                try await uncancelled { try await batch.work.raw("ROLLBACK TO SAVEPOINT caller").run() }
            } catch let rollback {
                throw SavepointLost(underlying: error, rollback: rollback)
            }
            throw error
        }
    }

    /// A caller's work failed and could not be rolled back to its savepoint.
    private struct SavepointLost: Error {
        let underlying: any Error
        let rollback: any Error
    }

    /// The caller to work next in `batch`, when one waits and the batch may take it.
    private func nextMember(of batch: Batch) -> CheckedContinuation<Turn, Never>? {
        guard !batch.isFull(limit: limit) else { return nil }
        let next = state.withLock { state in state.waiting.isEmpty ? nil : state.waiting.removeFirst() }
        if next != nil { batch.joined() }
        return next
    }

    /// Waits for the writer: a turn in the open transaction, or the writer itself to open one.
    private func turn() async -> Turn {
        await withCheckedContinuation { continuation in
            let free = state.withLock { state in
                guard !state.busy else {
                    state.waiting.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if free { continuation.resume(returning: .open) }
        }
    }

    /// Passes the writer to the longest waiter, who opens the next transaction, or frees it.
    private func handOn() {
        let next = state.withLock { state -> CheckedContinuation<Turn, Never>? in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: .open)
    }

    /// A connection, with BEGIN IMMEDIATE: the write lock taken up front (DESIGN rule).
    private func begin(_ instruments: StoreInstruments, journal: Database.Journal,
                       wrap: @Sendable (any SQLDatabase) -> any SQLDatabase) async throws -> Batch {
        let handle = try await handles.checkOut()
        let sql = wrap(handle.sql)
        var leftWAL = false
        do {
            if journal == .rollbackWhenAlone { leftWAL = try await Self.leaveWAL(on: sql) }
            try await sql.raw("BEGIN IMMEDIATE").run()
        } catch {
            if leftWAL { await Self.backToWAL(on: sql) }
            await handles.checkIn(handle, usable: true)
            throw error
        }
        let batch = Batch(handle: handle, sql: sql, work: wrap(handle.here), instruments: instruments, leftWAL: leftWAL)
        instruments.inUse.increment()
        return batch
    }

    /// Commits `batch`, or rolls it back after `failure`; gives its connection back (closed when `discard`, or when the
    /// ROLLBACK failed), tells its waiting callers and passes the writer on. Throws what ended it, as the members hear it.
    private func end(_ batch: Batch, failure: (any Error)?, discard: Bool) async throws {
        var failure = failure
        if failure == nil {
            do {
                try await uncancelled { try await batch.sql.raw("COMMIT").run() }
                commits.add(1, ordering: .relaxed)
            } catch {
                failure = error
            }
        }
        var usable = !discard
        if let cause = failure {
            do {
                try await uncancelled { try await batch.sql.raw("ROLLBACK").run() }
            } catch let rollback {
                usable = false
                failure = RollbackFailed(underlying: cause, rollback: rollback)
            }
        }
        if batch.leftWAL && usable { await Self.backToWAL(on: batch.sql) }
        await handles.checkIn(batch.handle, usable: usable)
        let outcome: Result<Void, any Error>
        if let failure { outcome = .failure(Self.forMembers(failure)) } else { outcome = .success(()) }
        batch.finish(outcome)
        batch.instruments.inUse.decrement()
        handOn()
        try outcome.get()
    }

    /// Switches the file from WAL to a rollback journal, synced in full, if no other connection has it open; false, still in
    /// WAL, if one has. No waiting: a server that has the file open keeps it, and the load goes through the WAL.
    private static func leaveWAL(on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("PRAGMA busy_timeout = 0").run()
        let mode: String?
        do {
            mode = try await sql.raw("PRAGMA journal_mode = DELETE").first(decodingColumn: "journal_mode", as: String.self)
        } catch let error as SQLiteStatementError where error.isBusy {
            mode = nil
        }
        try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(Database.sqliteBusyTimeout))").run()
        guard mode == "delete" else { return false }
        // NORMAL is safe from a power cut in WAL mode only; with a rollback journal FULL is (one more sync per commit).
        try await sql.raw("PRAGMA synchronous = FULL").run()
        return true
    }

    /// Puts the file back in WAL after `leaveWAL`. If it cannot (a reader came meanwhile and holds the file), the file
    /// stays as it is, safe, and the next connection to open it switches it back, as every connection does at its open.
    private static func backToWAL(on sql: any SQLDatabase) async {
        try? await uncancelled {
            try await sql.raw("PRAGMA synchronous = NORMAL").run()
            try await sql.raw("PRAGMA journal_mode = WAL").run()
        }
    }

    /// What a caller whose own work succeeded hears when the transaction it was part of could not be committed.
    private static func forMembers(_ error: any Error) -> any Error {
        let cause = (error as? RollbackFailed)?.underlying ?? error
        return StoreError.unreachable("The database could not commit the change: \(Database.reason(cause)).")
    }
}
