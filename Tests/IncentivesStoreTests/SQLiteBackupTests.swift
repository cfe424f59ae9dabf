import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Synchronization
import Testing

@Suite("Backups of the SQLite database while it is written, and their restore into an empty path")
struct SQLiteBackupTests {
    /// A value that a writer task and the test both see.
    final class Shared<Value: Sendable>: Sendable {
        private let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func get() -> Value { value.withLock { $0 } }
        func update(_ body: @Sendable (inout Value) -> Void) { value.withLock { body(&$0) } }
    }

    /// A folder of the test's own, removed afterwards.
    func withFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder)
    }

    /// The error's text, or nil when `body` did not throw.
    func refusal(_ body: () async throws -> Any) async -> String? {
        do { _ = try await body(); return nil } catch { return String(describing: error) }
    }

    /// Files of the folder, the temporary ones included.
    func names(in folder: URL) throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) }

    /// Every table's rows as text (SQLite's `quote` of each column), sorted: two databases with equal maps hold the same data.
    func tables(_ db: Database) async throws -> [String: [String]] {
        try await db.read { sql in
            let names = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                .all(decodingColumn: "name", as: String.self)
            var rows: [String: [String]] = [:]
            for table in names {
                let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all(decodingColumn: "name", as: String.self)
                let row = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
                rows[table] = try await sql.raw(SQLQueryString("SELECT \(row) AS r FROM \"\(table)\""))
                    .all(decodingColumn: "r", as: String.self).sorted()
            }
            return rows
        }
    }

    /// One writer's transaction: the claim's name and two history rows, all of tick `n` or none of it.
    @Sendable static func tick(_ n: Int, claim: Int64, on db: Database) async throws {
        try await db.write { sql in
            try await sql.raw("UPDATE claims SET name = \(bind: "tick \(n)") WHERE id = \(bind: claim)").run()
            for part in ["a", "b"] {
                try await ProgramChanges.record(ProgramChange(at: TestDatabases.now, actorUserID: nil, actorName: "writer", subject: .program,
                                                              subjectID: Int64(n), action: "tick", organizationID: nil, locationID: nil,
                                                              engagementID: nil, detail: "tick \(n) \(part)"), on: sql)
            }
        }
    }

    @Test("a backup taken while a task keeps writing is one instant's data, whole, sound and current; restored, it reads the same")
    func backupUnderWrites() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            try await withFolder { folder in
                guard case .sqlite(let source) = db.location else { Issue.record("not SQLite"); return }
                let claim = try await db.read {
                    try await $0.raw("SELECT MIN(id) AS id FROM claims").first(decodingColumn: "id", as: Int64.self)
                } ?? 0
                let ticks = Shared(0)
                let writer = Task {
                    var n = 0
                    while !Task.isCancelled {
                        n += 1
                        try await Self.tick(n, claim: claim, on: db)
                        ticks.update { [n] in $0 = n }
                    }
                }
                while ticks.get() < 20 { try await Task.sleep(for: .milliseconds(5)) }
                let before = ticks.get()
                let sizes = Shared<[Int]>([])
                let target = folder.appendingPathComponent("backup.sqlite").path
                let summary = try await SQLiteBackup.backUp(.sqlite(path: source), to: target) { size in sizes.update { $0.append(size) } }
                let after = ticks.get()
                while ticks.get() < after + 20 { try await Task.sleep(for: .milliseconds(5)) }
                writer.cancel()
                _ = try? await writer.value

                #expect(summary.migration == Migrator.all.last?.number && summary.bytes > 100_000)
                #expect(try names(in: folder) == ["backup.sqlite"], "no temporary file is left, no WAL beside the backup")
                #expect(sizes.get().allSatisfy { $0 <= summary.bytes }, "the size reported never passes the backup's")
                let restored = folder.appendingPathComponent("restored/incentives.sqlite").path
                let again = try await SQLiteBackup.restore(from: target, to: restored)
                #expect(again.bytes == summary.bytes && again.migration == summary.migration)

                let copy = try await Database.open(.sqlite(path: restored))
                let backupRows: [String: [String]]
                do { backupRows = try await tables(copy) } catch { await copy.close(); throw error }
                await copy.close()
                let sourceRows = try await tables(db)
                #expect(try await SQLiteBackup.inspect(restored, logger: db.logger).problems == ["ok"])
                // The ticks in the backup: both rows of each, 1...k with no gap, k between the ticks before and after it.
                let tickRows = backupRows["program_changes", default: []].filter { $0.contains("'tick'") }
                let k = tickRows.count / 2
                // (A tick may commit just before the backup's instant and be counted just after `after` was read.)
                #expect(tickRows.count == 2 * k && k >= before && k <= after + 1, "ticks \(tickRows.count) rows; before \(before), after \(after)")
                for n in 1..<(k + 1) { #expect(tickRows.filter { $0.contains("'tick \(n) a'") || $0.contains("'tick \(n) b'") }.count == 2) }
                // The claim's name is the last tick's: the same instant in every table.
                #expect(backupRows["claims", default: []].contains { $0.hasPrefix("\(claim)|") && $0.contains("'tick \(k)'") })
                // Every other row is as in the source, where the writer changed nothing else (the search index follows the name).
                let sourceChanges = Set(sourceRows["program_changes", default: []])
                #expect(backupRows["program_changes", default: []].allSatisfy(sourceChanges.contains))
                for (table, rows) in sourceRows where !["program_changes", "claims"].contains(table) && !table.hasPrefix("claim_search") {
                    #expect(backupRows[table] == rows, "\(table) differs")
                }
                #expect(backupRows["claims"]?.filter { !$0.hasPrefix("\(claim)|") } == sourceRows["claims"]?.filter { !$0.hasPrefix("\(claim)|") })
                #expect(Set(backupRows.keys) == Set(sourceRows.keys))
            }
        }
    }

    @Test("a backup refuses: an existing file (left as it was), a missing folder, a missing database, PostgreSQL")
    func backupRefusals() async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await withFolder { folder in
                guard case .sqlite(let source) = db.location else { return }
                let taken = folder.appendingPathComponent("taken.sqlite")
                try Data("keep me".utf8).write(to: taken)
                let exists = await refusal { try await SQLiteBackup.backUp(db.location, to: taken.path) }
                #expect(exists?.contains("taken.sqlite exists already: a backup never overwrites a file") == true, "\(exists ?? "")")
                #expect(try Data(contentsOf: taken) == Data("keep me".utf8))
                let nowhere = await refusal { try await SQLiteBackup.backUp(db.location, to: folder.path + "/none/b.sqlite") }
                #expect(nowhere?.contains("/none does not exist") == true, "\(nowhere ?? "")")
                let missing = await refusal { try await SQLiteBackup.backUp(.sqlite(path: source + ".gone"), to: folder.path + "/b.sqlite") }
                #expect(missing?.contains("There is no database at") == true, "\(missing ?? "")")
                #expect(!FileManager.default.fileExists(atPath: source + ".gone"), "a missing database is not created by looking for it")
                let postgres = await refusal {
                    try await SQLiteBackup.backUp(.postgres(url: "postgres://u@127.0.0.1:1/x"), to: folder.path + "/b.sqlite")
                }
                #expect(postgres?.contains("pg_dump -Fc") == true && postgres?.contains("Back up and restore") == true)
                #expect(try names(in: folder) == ["taken.sqlite"], "nothing else is written")
            }
        }
    }

    @Test("a restore refuses a path holding a database, a stray WAL, a file that is no backup of this app, a newer or damaged one")
    func restoreRefusals() async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await withFolder { folder in
                let backup = folder.appendingPathComponent("good.sqlite").path
                _ = try await SQLiteBackup.backUp(db.location, to: backup)
                let occupied = folder.appendingPathComponent("occupied.sqlite").path
                try Data("a database".utf8).write(to: URL(fileURLWithPath: occupied))
                let full = await refusal { try await SQLiteBackup.restore(from: backup, to: occupied) }
                #expect(full?.contains("occupied.sqlite holds a database already (10 bytes)") == true, "\(full ?? "")")
                #expect(try Data(contentsOf: URL(fileURLWithPath: occupied)) == Data("a database".utf8))

                let stray = folder.appendingPathComponent("stray.sqlite").path
                FileManager.default.createFile(atPath: stray + "-wal", contents: Data([1]))
                let wal = await refusal { try await SQLiteBackup.restore(from: backup, to: stray) }
                #expect(wal?.contains("stray.sqlite-wal is left from an earlier database") == true, "\(wal ?? "")")

                let text = folder.appendingPathComponent("notes.txt").path
                try Data("SQLite? no, notes".utf8).write(to: URL(fileURLWithPath: text))
                let notSQLite = await refusal { try await SQLiteBackup.restore(from: text, to: folder.path + "/r1.sqlite") }
                #expect(notSQLite?.contains("notes.txt is not a SQLite database") == true, "\(notSQLite ?? "")")

                let other = folder.appendingPathComponent("other.sqlite").path
                let foreign = try await Database.open(.sqlite(path: other))
                try await foreign.write { try await $0.raw("CREATE TABLE notes (text TEXT)").run() }
                await foreign.close()
                let notOurs = await refusal { try await SQLiteBackup.restore(from: other, to: folder.path + "/r2.sqlite") }
                #expect(notOurs?.contains("not one of this app: it has no migrations table") == true, "\(notOurs ?? "")")

                let newer = folder.appendingPathComponent("newer.sqlite").path
                try FileManager.default.copyItem(atPath: backup, toPath: newer)
                let future = try await Database.open(.sqlite(path: newer))
                try await future.write {
                    try await $0.raw("INSERT INTO schema_migrations (number, name, applied_at) VALUES (999, 'future', 0)").run()
                }
                await future.close()
                let tooNew = await refusal { try await SQLiteBackup.restore(from: newer, to: folder.path + "/r3.sqlite") }
                #expect(tooNew?.contains("holds migration 999, newer than this incentives knows (\(Migrator.all.last!.number))") == true)

                let damaged = folder.appendingPathComponent("damaged.sqlite").path
                var bytes = try Data(contentsOf: URL(fileURLWithPath: backup))
                for i in stride(from: 8_192, to: bytes.count, by: 3) { bytes[i] = 0xA5 }
                try bytes.write(to: URL(fileURLWithPath: damaged))
                let broken = await refusal { try await SQLiteBackup.restore(from: damaged, to: folder.path + "/r4.sqlite") }
                #expect(broken != nil, "a damaged file is not restored")

                #expect(try names(in: folder) == ["good.sqlite", "occupied.sqlite", "stray.sqlite-wal", "notes.txt", "other.sqlite",
                                                  "newer.sqlite", "damaged.sqlite"], "no restore left a file or a temporary copy")
            }
        }
    }

    @Test("a restore goes into a missing path or an empty file, and refuses a live database whose log is beside it")
    func restoreTargets() async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await withFolder { folder in
                let backup = folder.appendingPathComponent("b.sqlite").path
                let made = try await SQLiteBackup.backUp(db.location, to: backup)
                let empty = folder.appendingPathComponent("empty.sqlite").path
                FileManager.default.createFile(atPath: empty, contents: nil)
                let restored = try await SQLiteBackup.restore(from: backup, to: empty)
                #expect(restored.bytes == made.bytes && restored.migration == made.migration)
                // The test's database is open, in WAL mode: its log holds writes its file does not yet.
                guard case .sqlite(let live) = db.location else { return }
                try await db.write { try await $0.raw("CREATE TABLE scratch (n INTEGER)").run() }
                let inUse = await refusal { try await SQLiteBackup.restore(from: live, to: folder.path + "/r.sqlite") }
                #expect(inUse?.contains("it is a database in use, not a backup") == true, "\(inUse ?? "")")
            }
        }
    }
}
