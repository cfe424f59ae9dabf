import Foundation
import Logging
import SQLiteKit
import SQLKit

/// What a backup or a restore left: the file, its size and the schema it holds.
public struct BackupSummary: Sendable, Equatable {
    public var path: String
    public var bytes: Int64
    /// The newest migration applied in the copy.
    public var migration: Int
}

/// Online backups of the SQLite database, and their restore into an empty path.
///
/// A backup is `VACUUM INTO` a new file: one read transaction, so the copy is the database as it was at one instant
/// while the server (in WAL mode) goes on writing. It is written under a temporary name in the target's folder,
/// checked (`PRAGMA integrity_check`, the migrations table), flushed to disk and only then given its name, so a failed
/// backup leaves no file that looks like one. A restore copies a backup the same way into a path that holds no
/// database yet. PostgreSQL has its own tools (`pg_dump -Fc`, `pg_restore`): the README gives the recipe.
public enum SQLiteBackup {
    /// Why a PostgreSQL database is not backed up here, and what to do instead.
    public static let postgresAdvice = "DATABASE_URL is a PostgreSQL database: back it up with pg_dump -Fc and restore it with "
        + "pg_restore, as the README's \"Back up and restore\" shows."

    /// Copies the database at `location` to `target` (a new file) while others may go on writing to it.
    /// - Parameter progress: bytes of the copy written so far, now and then (the total is `expectedBytes`).
    public static func backUp(_ location: DatabaseLocation, to target: String, logger: Logger = Logger(label: "incentives.backup"),
                              progress: (@Sendable (Int) -> Void)? = nil) async throws -> BackupSummary {
        guard case .sqlite(let source) = location else { throw StoreError.badConfiguration(postgresAdvice) }
        guard FileManager.default.fileExists(atPath: source) else {
            throw StoreError.notFound("There is no database at \(source) (DATABASE_URL) to back up.")
        }
        let destination = try Destination(target, field: "to")
        if FileManager.default.fileExists(atPath: destination.path) {
            throw StoreError.invalid(field: "to", "\(target) exists already: a backup never overwrites a file. Name a new file, "
                                     + "or move that one away first.")
        }
        let db = try await Database.open(location, maxConnections: 1, logger: logger)
        let temporary = destination.temporary
        let watcher = progress.map { report in Task { await watchSize(of: temporary, report: report) } }
        do {
            try await db.read { try await $0.raw("VACUUM INTO \(bind: temporary)").run() }
        } catch {
            watcher?.cancel()
            await db.close()
            destination.discard()
            throw error
        }
        watcher?.cancel()
        await db.close()
        return try await destination.complete(checking: "The backup of \(source)", replacing: false, logger: logger)
    }

    /// About how many bytes a backup of the database at `location` writes: its pages in use (a backup leaves free pages out).
    public static func expectedBytes(_ location: DatabaseLocation) async throws -> Int {
        guard case .sqlite(let path) = location, FileManager.default.fileExists(atPath: path) else { return 0 }
        let db = try await Database.open(location, maxConnections: 1)
        do {
            let bytes = try await db.read { sql in
                let pragma = { (name: String) in try await sql.raw("PRAGMA \(unsafeRaw: name)").first(decodingColumn: name, as: Int.self) ?? 0 }
                return try await (pragma("page_count") - pragma("freelist_count")) * pragma("page_size")
            }
            await db.close()
            return bytes
        } catch {
            await db.close()
            throw error
        }
    }

    /// Copies the backup at `source` to `target`, a path that holds no database (missing, or an empty file), once the
    /// copy proves to be a sound database of this app that this version can run.
    /// - Parameter progress: bytes copied so far (of the source file's size).
    public static func restore(from source: String, to target: String, logger: Logger = Logger(label: "incentives.backup"),
                               progress: (@Sendable (Int) -> Void)? = nil) async throws -> BackupSummary {
        try checkSource(source)
        let destination = try Destination(target, field: "to", creatingFolder: true)
        let size = (try? FileManager.default.attributesOfItem(atPath: destination.path)[.size] as? Int) ?? nil
        if let size, size > 0 {
            throw StoreError.invalid(field: "to", "\(target) holds a database already (\(size) bytes): a backup is restored only into an "
                                     + "empty path. Move that file away first, with no server running on it.")
        }
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: destination.path + suffix) {
            throw StoreError.invalid(field: "to", "\(target)\(suffix) is left from an earlier database and would be read as part of "
                                     + "the restored one: remove \(target)-wal and \(target)-shm first.")
        }
        do {
            try copy(source, to: destination.temporary, progress: progress)
        } catch {
            destination.discard()
            throw error
        }
        return try await destination.complete(checking: source, replacing: size == 0, logger: logger)
    }

    /// A backup to restore: a SQLite file, and not a live database whose latest writes still sit in its log.
    static func checkSource(_ source: String) throws {
        guard let file = FileHandle(forReadingAtPath: source) else {
            throw StoreError.notFound("There is no readable file at \(source) to restore.")
        }
        defer { try? file.close() }
        let header = (try? file.read(upToCount: 16)) ?? nil
        guard header == Data("SQLite format 3\0".utf8) else {
            throw StoreError.invalid(field: "from", "\(source) is not a SQLite database, so not a backup of this app.")
        }
        if let log = try? FileManager.default.attributesOfItem(atPath: source + "-wal")[.size] as? Int, log > 0 {
            throw StoreError.invalid(field: "from", "\(source) has a write-ahead log beside it (\(source)-wal): it is a database in use, "
                                     + "not a backup. Take a backup of it with incentives backup and restore that file.")
        }
    }

    /// Reports the size of `path` every tenth of a second until cancelled.
    private static func watchSize(of path: String, report: @Sendable (Int) -> Void) async {
        while !Task.isCancelled {
            if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int { report(size) }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Copies in 1 MiB pieces, reporting the bytes copied, and flushes the copy to disk.
    private static func copy(_ source: String, to target: String, progress: (@Sendable (Int) -> Void)?) throws {
        guard let input = FileHandle(forReadingAtPath: source), FileManager.default.createFile(atPath: target, contents: nil),
              let output = FileHandle(forWritingAtPath: target) else {
            throw StoreError.unreachable("Could not copy \(source) to \(target).")
        }
        defer { try? input.close(); try? output.close() }
        var copied = 0
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            try output.write(contentsOf: chunk)
            copied += chunk.count
            progress?(copied)
        }
        try output.synchronize()
    }
}
