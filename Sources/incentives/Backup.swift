import ArgumentParser
import Foundation
import IncentivesStore
import IncentivesWeb

/// `incentives backup`: a consistent copy of the SQLite database, taken while the server runs.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite database to a new file while the server runs: one instant's data, checked before it is named.",
        discussion: "On PostgreSQL, use pg_dump -Fc and pg_restore (README, \"Back up and restore\").")

    @Option(help: "The new file to write; an existing file is never overwritten.") var to: String
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        let config = try await AppConfig.load()
        guard case .sqlite = config.database else { throw CLIError(SQLiteBackup.postgresAdvice) }
        let reporter = progress.reporter(.bytes, total: try await SQLiteBackup.expectedBytes(config.database))
        let summary = try await SQLiteBackup.backUp(config.database, to: to) { reporter.update($0) }
        reporter.update(Int(summary.bytes))
        reporter.finish(exact: true)
        print("Backed up \(config.database) to \(summary.path): \(ProgressText.mebibytes(Int(summary.bytes))) MiB, "
              + "migration \(summary.migration), integrity ok.")
    }
}

/// `incentives restore`: a backup into a path that holds no database yet, then `serve` on it.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into an empty path (by default the SQLite file of DATABASE_URL), checked before it is named.",
        discussion: "The path must hold no database: stop the server and move the old file away first. `serve` on the restored "
            + "file applies any newer migrations. On PostgreSQL, use pg_restore (README, \"Back up and restore\").")

    @Option(help: "The backup, as incentives backup wrote it.") var from: String
    @Option(help: "Where to restore it; default the SQLite file of DATABASE_URL.") var to: String?
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        let target: String
        if let to {
            target = to
        } else {
            guard case .sqlite(let path) = try await AppConfig.load().database else {
                throw CLIError("DATABASE_URL is a PostgreSQL database: restore a pg_dump file with pg_restore (README, \"Back up and "
                               + "restore\"), or name a SQLite file with --to.")
            }
            target = path
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: from)[.size] as? Int) ?? nil
        let reporter = progress.reporter(.bytes, total: size)
        let summary = try await SQLiteBackup.restore(from: from, to: target) { reporter.update($0) }
        reporter.finish()
        let known = Migrator.all.map(\.number).max() ?? 0
        print("Restored \(from) to \(summary.path): \(ProgressText.mebibytes(Int(summary.bytes))) MiB, migration \(summary.migration), "
              + "integrity ok. Serve it with DATABASE_URL=sqlite:\(summary.path)"
              + (summary.migration < known ? "; serve applies migrations \(summary.migration + 1) to \(known) first." : "."))
    }
}
