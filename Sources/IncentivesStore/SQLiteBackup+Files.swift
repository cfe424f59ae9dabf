import Foundation
import Logging
import SQLiteKit
import SQLKit

extension SQLiteBackup {
    /// Where a backup or a restore goes: the final path, and the temporary name in the same folder the copy is written
    /// under until it has been checked (a rename within one folder is atomic).
    struct Destination {
        let path: String
        let folder: String
        let temporary: String

        init(_ target: String, field: String, creatingFolder: Bool = false) throws {
            let url = URL(fileURLWithPath: target).standardizedFileURL
            path = url.path
            folder = url.deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            if creatingFolder && !FileManager.default.fileExists(atPath: folder) {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw StoreError.invalid(field: field, "The folder \(folder) does not exist: create it first, or name a file in another one.")
            }
            let tag = UUID().uuidString.prefix(8).lowercased()
            temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).incomplete-\(tag)").path
        }

        /// Checks the copy under its temporary name, flushes it to disk and gives it its name; `replacing` an empty
        /// file there, or only if nothing is there. `subject` names the copy in refusals.
        func complete(checking subject: String, replacing: Bool, logger: Logger) async throws -> BackupSummary {
            do {
                let migration = try await SQLiteBackup.check(temporary, subject: subject, logger: logger)
                try Self.flush(temporary)
                if replacing {
                    guard rename(temporary, path) == 0 else {
                        throw StoreError.unreachable("Could not rename the copy to \(path): \(Self.lastError)")
                    }
                } else {
                    // link() fails when the name is taken, even by a file that appeared since the first look: never overwritten.
                    guard link(temporary, path) == 0 else {
                        if errno == EEXIST {
                            throw StoreError.invalid(field: "to", "\(path) exists already: a backup never overwrites a file.")
                        }
                        throw StoreError.unreachable("Could not name the copy \(path): \(Self.lastError)")
                    }
                    unlink(temporary)
                }
                discard() // what SQLite may have left beside the temporary name while checking it
                try Self.flush(folder)
                let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
                return BackupSummary(path: path, bytes: bytes, migration: migration)
            } catch {
                discard()
                throw error
            }
        }

        /// Removes the temporary copy and whatever SQLite left beside it.
        func discard() {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: temporary + suffix) }
        }

        /// fsync: the copy's bytes, or a folder's new entry, on disk before anyone relies on them.
        static func flush(_ path: String) throws {
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw StoreError.unreachable("Could not open \(path) to flush it: \(lastError)") }
            defer { close(descriptor) }
            guard fsync(descriptor) == 0 else { throw StoreError.unreachable("Could not flush \(path) to disk: \(lastError)") }
        }

        static var lastError: String { String(cString: strerror(errno)) }
    }

    /// Checks that the file at `path` is a sound database of this app that this version can run; returns its newest
    /// migration. `subject` names it in refusals.
    static func check(_ path: String, subject: String, logger: Logger) async throws -> Int {
        let (problems, migration) = try await inspect(path, logger: logger)
        guard problems == ["ok"] else {
            throw StoreError.corrupt("\(subject) failed SQLite's integrity check (\(problems.prefix(3).joined(separator: "; "))): "
                                     + "it is damaged, and nothing was written.")
        }
        guard let migration else {
            throw StoreError.invalid(field: "from", "\(subject) is a SQLite database but not one of this app: it has no migrations table.")
        }
        let known = Migrator.all.map(\.number).max() ?? 0
        guard migration <= known else {
            throw StoreError.invalid(field: "from", "\(subject) holds migration \(migration), newer than this incentives knows (\(known)): "
                                     + "restore it with the version that wrote it.")
        }
        return migration
    }

    /// `PRAGMA integrity_check`'s lines (`["ok"]` when sound) and the newest migration applied (nil: no migrations table),
    /// read through a connection of its own that sets nothing on the file.
    static func inspect(_ path: String, logger: Logger) async throws -> (problems: [String], migration: Int?) {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            let sql = connection.sql()
            let problems = try await sql.raw("PRAGMA integrity_check").all(decodingColumn: "integrity_check", as: String.self)
            let tracked = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").first() != nil
            let migration = tracked
                ? try await sql.raw("SELECT MAX(number) AS n FROM schema_migrations").first(decodingColumn: "n", as: Int?.self) ?? nil
                : nil
            try await connection.close()
            return (problems, migration)
        } catch {
            try? await connection.close()
            throw StoreError.corrupt("\(path) could not be read as a database: \(error)")
        }
    }
}
