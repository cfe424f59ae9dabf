import ArgumentParser
import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesWeb
import Logging
import Synchronization

@main
struct Incentives: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incentives",
        abstract: "Run a partner incentive program: engagements, customer claims, reviews, deadlines and earnings.",
        discussion: "The database comes from DATABASE_URL (sqlite:PATH or postgres://user:pass@host:port/db); default \(AppConfig.defaultDatabase).",
        subcommands: [Serve.self, Migrate.self, Seed.self, Sweep.self, Export.self, Users.self, Tokens.self, Claims.self, Catalogue.self,
                      Partners.self, Payments.self, Backup.self, Restore.self, Config.self])
}

/// Shared start-up for every command: configuration, logging, the database, migrations.
enum Runtime {
    /// `LOG_LEVEL` and `LOG_FORMAT`; every line redacted and, inside a request, naming its id and user.
    static func bootstrapLogging(_ config: AppConfig) {
        LoggingSystem.bootstrap({ label, provider in
            AppLogHandler(label: label, format: config.logFormat, level: config.logLevel, metadataProvider: provider)
        }, metadataProvider: AppLogHandler.requestMetadata)
    }

    /// - Parameter statementTimeout: PostgreSQL's limit per statement; `serve` sets one so a runaway query can't hold
    ///   a connection, batch commands (seed, sweep, export) run unlimited.
    static func open(_ config: AppConfig, migrate: Bool = true, statementTimeout: Duration? = nil) async throws -> Database {
        let db = try await Database.open(config.database, leaseTimeout: config.databaseWait, statementTimeout: statementTimeout,
                                         logger: Logger(label: "incentives.db"))
        if migrate {
            do { try await Migrator.migrate(db, clock: SystemClock()) } catch {
                await db.close()
                throw CLIError("Migrating \(config.database) failed: \(error)")
            }
        }
        return db
    }

    /// Runs `body` with an open database and always closes it.
    static func withDatabase<T>(_ config: AppConfig, migrate: Bool = true, _ body: (Database) async throws -> T) async throws -> T {
        let db = try await open(config, migrate: migrate)
        do {
            let result = try await body(db)
            await db.close()
            return result
        } catch {
            await db.close()
            throw error
        }
    }

    /// `--now`: an ISO 8601 instant ("2026-11-25T10:00:00Z") or a day ("2026-11-25", midnight UTC).
    static func parseInstant(_ text: String) throws -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let day = DayDate(text) { return day.startUTC }
        throw CLIError("--now must be an ISO 8601 instant such as 2026-11-25T10:00:00Z or a day such as 2026-11-25, not '\(text)'.")
    }
}

/// A user error: printed as one line, exit status 1, no stack trace.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the web app (and run the deadline sweeper every minute).")

    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on.") var port: Int?
    @Flag(help: "Seed the demo program once and print the demo sign-ins.") var demo = false

    func run() async throws {
        var config = try await AppConfig.load()
        Runtime.bootstrapLogging(config)
        // A sendmail that exits before reading its input must not take the server down with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        if let host { config.host = host }
        if let port {
            guard (1...65_535).contains(port) else { throw CLIError("--port must be from 1 to 65535.") }
            config.port = port
        }
        config.demo = config.demo || demo
        let logger = Logger(label: "incentives")
        let clock = SystemClock()
        let db = try await Runtime.open(config, statementTimeout: .seconds(30))
        do {
            if config.demo {
                let summary = try await Seeder(db: db).seedDemo(now: clock.now)
                if summary.wrote { logger.info("Seeded the demo program: \(summary)") }
            }
            let tracing = try TraceExport.make(config, logger: logger)
            let deps = try await AppDependencies(config: config, db: db, clock: clock, telemetry: AppTelemetry(tracer: tracing.tracer))
            if let warning = try await deps.demoAccountsWarning() { logger.warning("\(warning)") }
            let app = buildApplication(deps, logger: logger, extra: tracing.service.map { [$0] } ?? [])
            let managers = try await deps.stores.users.programManagerCount()
            print(banner(config, programManagers: managers))
            fflush(nil) // flush every stream: the banner must show even when stdout is a pipe or file
            try await runUntilStopped(app, logger: logger)
        } catch {
            await db.close()
            throw error
        }
        await db.close()
    }

    func banner(_ config: AppConfig, programManagers: Int) -> String {
        var lines = ["partner-incentives on http://\(config.host):\(config.port)  (database \(config.database))"]
        switch config.mailTransport {
        case .mailDrop(let directory): lines.append("Emails are written to \(directory) (one .eml per message; MAIL_TRANSPORT=sendmail to send them).")
        case .sendmail(let path): lines.append("Emails are sent through \(path) -t.")
        }
        if config.demo {
            lines.append("Demo sign-ins (password \(Seeder.demoPassword)):")
            for signIn in Seeder.demoSignIns { lines.append("  \(signIn.email.padding(toLength: 26, withPad: " ", startingAt: 0)) \(signIn.role)") }
        } else if programManagers == 0 {
            // A fresh database: nobody can sign in yet. The first program manager is made here, then starts the program.
            lines.append("No program manager yet. Create the first one (a password is printed once), sign in, and open /catalogue")
            lines.append("to start your program; README, \"Set up your own program\", walks through the rest:")
            lines.append("  incentives users add --email you@vendor.example --name \"Your Name\" --vendor program_manager")
        }
        return lines.joined(separator: "\n")
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date.")

    func run() async throws {
        let config = try await AppConfig.load()
        let db = try await Runtime.open(config, migrate: false)
        do {
            let applied = try await Migrator.migrate(db, clock: SystemClock())
            print(applied.isEmpty ? "Schema is up to date (\(Migrator.all.count) migrations)." : "Applied migrations \(applied.map(String.init).joined(separator: ", ")).")
        } catch {
            await db.close()
            throw CLIError("Migrating \(config.database) failed: \(error)")
        }
        await db.close()
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Seed the demo program, or synthetic claims for load tests.")

    @Flag(help: "The demo program: partners, engagements, ~200 claims in every status, demo users.") var demo = false
    @Option(help: "Add N synthetic claims over the demo's partners and engagements, in every status.") var scale: Int?
    @Option(help: "Seed as of this instant (ISO 8601); default now. Same instant, same data.") var now: String?
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        guard demo || scale != nil else { throw CLIError("Say what to seed: --demo, or --scale N.") }
        if let scale, scale <= 0 { throw CLIError("--scale must be a positive number of claims.") }
        let instant = try now.map(Runtime.parseInstant) ?? SystemClock().now
        let config = try await AppConfig.load()
        try await Runtime.withDatabase(config) { db in
            let seeder = Seeder(db: db)
            if demo && scale == nil {
                let summary = try await seeder.seedDemo(now: instant)
                print(summary.wrote ? "Seeded the demo program: \(summary)." : summary.description)
            }
            if let scale {
                let reporter = progress.reporter(.items("claims"), total: scale)
                let started = Date()
                let summary = try await seeder.seedScale(count: scale, now: instant) { done, _ in reporter.update(done) }
                reporter.finish()
                let seconds = Date().timeIntervalSince(started)
                print("Added \(summary.claims) synthetic claims in \(String(format: "%.1f", seconds)) s "
                      + "(\(Int(Double(summary.claims) / max(seconds, 0.001))) claims/s), \(summary.claimsByStatus.count) statuses.")
            }
        }
    }
}

struct Sweep: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move engagements with their dates, expire every claim whose deadline has passed, and write the deadline reminders due; "
            + "emails go to the outbox. Expiring partner criteria whose day has ended become not met; earnings unpaid past the "
            + "program's payment limit are forfeited.")

    @Option(help: "Sweep as of this instant (ISO 8601, UTC); default now.") var now: String?
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        let instant = try now.map(Runtime.parseInstant) ?? SystemClock().now
        let config = try await AppConfig.load()
        let links = ClaimLinks(publicURL: config.publicURL)
        let (engagements, counts, reminded, criteria, forfeited) = try await Runtime.withDatabase(config) { db in
            let claims = ClaimRepository(db: db)
            // Engagements first, as the server's sweep does: their status and version in force move with their dates.
            let engagements = try await CatalogueConsole(db: db).refresh(at: instant)
            // The claims due are the long part at scale: counted first, reported per batch.
            let reporter = progress.reporter(.items("claims due"), total: try await claims.dueCount(at: instant))
            let expired = try await claims.expireDue(at: instant, links: links) { reporter.update($0) }
            reporter.finish()
            return (engagements, expired, try await claims.remindDue(at: instant, links: links),
                    try await EligibilityLists(db: db).expireDue(at: instant),
                    try await PaymentRuns(db: db, links: links).forfeitOverdue(at: instant))
        }
        let total = counts.values.reduce(0, +)
        // One line of counts, then a line per claim status moved: scripts read both.
        print("Swept at \(iso8601UTC(instant)): \(total) claim\(total == 1 ? "" : "s") expired, \(reminded) reminded of a deadline, "
              + "\(criteria) partner criteri\(criteria == 1 ? "on" : "a") expired, \(engagements) engagement\(engagements == 1 ? "" : "s") moved, "
              + "\(forfeited) earning\(forfeited == 1 ? "" : "s") forfeited.")
        for status in ClaimStatus.allCases { if let n = counts[status] { print("  \(status.rawValue)\t\(n)") } }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export data.", subcommands: [ExportClaims.self])
}

struct ExportClaims: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "Export every organization's claims to standard output, streamed: RFC 4180 CSV or an XLSX workbook.",
        discussion: "The same columns and writer as the claims list's Download CSV / Export XLSX links.")

    @Option(help: "Output format: csv or xlsx.") var format = "csv"
    @Option(help: "Only this partner organization's claims (its name).") var partner: String?
    @Option(help: "Only claims in this status (a code such as under_review).") var status: String?
    @Option(help: "Order: \(ClaimListQuery.Sort.allCases.map(\.rawValue).joined(separator: ", ")).") var sort = "updated"
    @Flag(help: "Oldest, smallest or A to Z first (default: newest first, as the claims list).") var ascending = false
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        guard let format = ExportFormat(rawValue: format.lowercased()) else {
            throw CLIError("--format \(format) is not supported; use csv or xlsx.")
        }
        if format == .xlsx && isatty(STDOUT_FILENO) == 1 {
            throw CLIError("An XLSX workbook is binary: redirect it to a file, e.g. > claims.xlsx.")
        }
        var query = ClaimListQuery()
        guard let order = ClaimListQuery.Sort(rawValue: sort) else {
            throw CLIError("Unknown sort '\(sort)'. Use one of: \(ClaimListQuery.Sort.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        query.sort = order
        query.descending = !ascending
        if let status {
            guard let code = ClaimStatus(rawValue: status) else {
                throw CLIError("Unknown status '\(status)'. Use one of: \(ClaimStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            query.status = code
        }
        let config = try await AppConfig.load()
        let out = BufferedOutput()
        _ = try await Runtime.withDatabase(config) { db in
            let listing = ClaimListing(db: db)
            if let partner {
                guard let id = try await listing.organizationID(named: partner) else {
                    throw CLIError("No partner organization is named '\(partner)'.")
                }
                query.organizationID = id
            }
            // The operator sees every organization, as the vendor does.
            let export = try await listing.prepareExport(query, as: format, in: .system, now: SystemClock().now)
            let reporter = progress.reporter(.items("claims"), total: progress.progress == .none ? nil : try await export.count())
            let written = try await export.write(progress: { reporter.update($0) }) { out.write($0) }
            reporter.finish()
            return written
        }
        out.flush()
    }
}

/// Standard output in 64 KiB writes: streaming without a syscall per row.
final class BufferedOutput: Sendable {
    private let buffer = Mutex<[UInt8]>([])

    func write(_ chunk: [UInt8]) {
        let full: [UInt8]? = buffer.withLock { bytes in
            bytes.append(contentsOf: chunk)
            guard bytes.count >= 65_536 else { return nil }
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        if let full { FileHandle.standardOutput.write(Data(full)) }
    }

    func flush() {
        let rest = buffer.withLock { bytes in defer { bytes.removeAll() }; return bytes }
        if !rest.isEmpty { FileHandle.standardOutput.write(Data(rest)) }
    }
}
