import Foundation
import SQLKit
import Synchronization

/// Whether this instance may be sent traffic (`/ready`): the database answers through the pool within a short wait,
/// and every migration this build knows has been applied (those of a newer build may be there too).
public enum Readiness {
    /// The reason the instance is not ready, or nil when it is. Never waits much longer than `limit`: a probe
    /// that has not answered by then is left to finish on its own.
    public static func problem(of db: Database, within limit: Duration, migrations: [Migration] = Migrator.all) async -> String? {
        let applied: [Int]
        switch await firstOf(limit, { try await appliedMigrations(db) }) {
        case nil: return "The database did not answer within \(limit)."
        case .failure(let error): return "The database did not answer: \(oneLine(error))"
        case .success(let numbers): applied = numbers
        }
        // Migrations of a newer build are no reason to leave rotation: an upgrade migrates first with the new build,
        // then restarts the instances one at a time, and the old ones serve meanwhile on the schema they know.
        let missing = Set(migrations.map(\.number)).subtracting(applied).sorted()
        if !missing.isEmpty {
            return "Migrations not applied: \(missing.map(String.init).joined(separator: ", ")) (run `incentives migrate`)."
        }
        return nil
    }

    private static func appliedMigrations(_ db: Database) async throws -> [Int] {
        try await db.read { sql in
            try await sql.raw("SELECT number FROM schema_migrations").all(decodingColumn: "number", as: Int.self)
        }
    }

    /// `body`'s result, or nil when `limit` passes first (SQLite's handles and PostgreSQL's pool may wait longer).
    /// A `body` that never returns is left behind, not awaited (tests use it as a hang guard too).
    static func firstOf<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
        let answer = FirstAnswer<Result<T, any Error>?>()
        return await withCheckedContinuation { continuation in
            answer.start(continuation)
            let timer = Task {
                do { try await Task.sleep(for: limit) } catch { return }
                answer.give(nil) // the probe runs on; its answer is dropped
            }
            Task {
                do { answer.give(.success(try await body())) } catch { answer.give(.failure(error)) }
                timer.cancel()
            }
        }
    }

    /// The error's first line, ending with one full stop.
    private static func oneLine(_ error: any Error) -> String {
        let line = String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "unknown error"
        return line.hasSuffix(".") ? line : line + "."
    }
}

/// Resumes a continuation with the first answer given; later answers are dropped.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)

    func start(_ waiting: CheckedContinuation<T, Never>) { continuation.withLock { $0 = waiting } }

    func give(_ value: T) {
        let waiting = continuation.withLock { held -> CheckedContinuation<T, Never>? in
            defer { held = nil }
            return held
        }
        waiting?.resume(returning: value)
    }
}
