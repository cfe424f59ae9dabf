import Foundation
import HummingbirdBcrypt
import IncentivesDomain
import SQLKit

/// What a seeding run wrote.
public struct SeedSummary: Sendable, CustomStringConvertible {
    public var organizations = 0, locations = 0, engagements = 0, customers = 0, claims = 0, users = 0
    public var claimsByStatus: [ClaimStatus: Int] = [:]
    /// False when the demo was already in the database and nothing was written.
    public var wrote = true

    public var description: String {
        guard wrote else { return "The demo program is already seeded; nothing written." }
        return "\(organizations) partner organizations, \(locations) locations, \(engagements) engagements, "
            + "\(customers) customers, \(claims) claims, \(users) users"
    }
}

/// Writes the demo program (deterministic: same seed and same `now`, same data) and synthetic load.
public struct Seeder: Sendable {
    public let db: Database
    public var seed: UInt64 = 20_261_125

    public init(db: Database) { self.db = db }

    /// Seeds the demo program once per database; later calls change nothing.
    @discardableResult
    public func seedDemo(now: Date, passwordCost: UInt8 = 10) async throws -> SeedSummary {
        let seed = self.seed
        // Hash outside the transaction: bcrypt is slow on purpose.
        let hash = Bcrypt.hash(DemoCatalogue.demoPassword, cost: passwordCost)
        return try await db.write { sql in
            if try await sql.raw("SELECT name FROM seed_runs WHERE name = 'demo'").first() != nil {
                var summary = SeedSummary(); summary.wrote = false; return summary
            }
            var random = SeededRandom(seed: seed)
            let world = try await DemoWorld.write(on: sql, now: now, random: &random, passwordHash: hash)
            var summary = world.summary
            let records = world.claims(now: now, count: 200, random: &random)
            try await ClaimWriter.insertRecords(records.map { ($0, world.areaOf[$0.claim.engagementID]!) }, on: sql)
            try await DemoPayments.write(on: sql, flavor: db.flavor, now: now)
            summary.claims = records.count
            for record in records { summary.claimsByStatus[record.claim.status, default: 0] += 1 }
            try await sql.raw("INSERT INTO seed_runs (name, seeded_at) VALUES ('demo', \(bind: now))").run()
            try await Self.resetSequences(on: sql, flavor: db.flavor)
            return summary
        }
    }

    /// Adds `count` synthetic claims over the demo's partners and engagements, in every status, written in bulk. Seeds
    /// the demo first if it is missing.
    ///
    /// Each batch draws from its own random stream (the seed and the batch's number) and its own id range,
    /// so the data is the same however the work is scheduled: while one batch is written, the next is
    /// walked through the state machine on the other core.
    ///
    /// The whole load is one transaction with the kept tables' row triggers and the written tables' secondary indexes set
    /// aside, the indexes built and the kept tables rebuilt once at its end (`KeptTables`). Other writers wait for it; on
    /// PostgreSQL readers of the loaded tables wait too (dropping an index locks its table). On SQLite, when the seed has
    /// the file to itself, that transaction is journaled by a rollback journal rather than the WAL
    /// (`Database.Journal.rollbackWhenAlone`): the gigabytes a large load adds are written once, not to the log and again
    /// at the checkpoint.
    @discardableResult
    public func seedScale(count: Int, now: Date, batchSize: Int = 5_000,
                          progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> SeedSummary {
        try await seedDemo(now: now)
        let world = try await db.read { try await DemoWorld.load(on: $0) }
        let (firstID, firstCustomer) = try await db.read { sql in
            let top = { (table: String) in
                try await sql.raw("SELECT COALESCE(MAX(id), 0) AS top FROM \(ident: table)").first(decodingColumn: "top", as: Int64.self) ?? 0
            }
            return (try await top("claims") + 1, try await top("customers") + 1)
        }
        let batches = stride(from: 0, to: count, by: batchSize).map { (start: $0, size: min(batchSize, count - $0)) }
        let seed = self.seed
        // One customer per claim: batch k's claims and customers both start `start` past the first free id.
        let make: @Sendable (Int) -> ([ClaimRecord], [Customer]) = { index in
            // Each batch starts at a hashed point of the generator's cycle: starting batches one step of the cycle
            // apart (the generator's own increment) made batch k's stream batch k+1's shifted by one draw, so
            // customers of different batches drew the same tenant ids.
            var start = SeededRandom(seed: seed ^ (UInt64(index + 1) &* 0xD1B5_4A32_D192_ED03))
            var random = SeededRandom(seed: start.next())
            let batch = batches[index]
            return world.syntheticClaims(firstID: firstID + Int64(batch.start), firstCustomerID: firstCustomer + Int64(batch.start),
                                         count: batch.size, now: now, random: &random)
        }
        let areaOf = world.areaOf
        // Writes every batch in turn on `sql`, the next one made meanwhile.
        let load: @Sendable (any SQLDatabase) async throws -> SeedSummary = { sql in
            var summary = SeedSummary()
            summary.wrote = true
            var next: Task<([ClaimRecord], [Customer]), Never>? = batches.isEmpty ? nil : Task { make(0) }
            for index in batches.indices {
                guard let (records, customers) = await next?.value else { break }
                next = index + 1 < batches.count ? Task { make(index + 1) } : nil
                try await DemoWorld.insertCustomers(customers, on: sql, now: now)
                try await ClaimWriter.insertRecords(records.map { ($0, areaOf[$0.claim.engagementID]!) }, on: sql)
                for record in records { summary.claimsByStatus[record.claim.status, default: 0] += 1 }
                summary.claims += records.count
                summary.customers += customers.count
                progress?(summary.claims, count)
            }
            return summary
        }
        let flavor = db.flavor
        let summary = try await db.write(journal: .rollbackWhenAlone) { sql in
            switch flavor {
            case .sqlite:
                // A page cache of up to 4 GiB for this load: the new rows' pages and, at its end, the sorts that build the
                // indexes set aside (a sort runs in as much memory as the cache may take) stay in memory rather than spill to
                // the log or to temporary files and come back. A million claims make a 2.8 GB file: with 1 GiB, pages
                // spilled to the log mid-transaction were read back through the log's index (`walFindFrame`, 7% of the
                // seed's time) and the load took 139.9 s against 126.1 s (3.5 GB resident against 2.2 GB). Pages are
                // taken as needed, so a smaller load uses less. Back to the usual after.
                try await sql.raw("PRAGMA cache_size = -4194304").run()
            case .postgres:
                // Building the indexes again over millions of claims takes longer than a request's statement timeout, and
                // each build sorts in memory up to this much rather than in temporary files.
                try await sql.raw("SET LOCAL statement_timeout = 0").run()
                try await sql.raw("SET LOCAL maintenance_work_mem = '1GB'").run()
            }
            let aside = try await KeptTables.setAside(on: sql, flavor: flavor)
            let summary = try await load(sql)
            try await KeptTables.restore(aside, firstClaimID: firstID, on: sql, flavor: flavor)
            if flavor == .sqlite { try await sql.raw("PRAGMA cache_size = \(unsafeRaw: String(Database.sqliteCacheSize))").run() }
            return summary
        }
        if flavor == .postgres {
            // The planner's statistics for the tables the load grew, as autovacuum would gather them some minutes later:
            // until then it would plan for the tables as they were.
            try await db.write(changesClaims: false) { sql in
                for table in KeptTables.loaded + KeptTables.tables {
                    try await sql.raw("ANALYZE \(ident: table)").run()
                }
            }
        }
        try await db.write { try await Self.resetSequences(on: $0, flavor: db.flavor) }
        return summary
    }

    /// Seeding gives ids itself; PostgreSQL's identity sequences must then move past them.
    static func resetSequences(on sql: any SQLDatabase, flavor: SQLFlavor) async throws {
        guard flavor == .postgres else { return }
        for table in ["programs", "solution_areas", "organizations", "bank_profiles", "locations", "tax_profiles",
                      "engagements", "customers", "claims", "claim_proof", "claim_history", "earnings", "users"] {
            try await sql.raw(SQLQueryString("""
                SELECT setval(pg_get_serial_sequence('\(table)', 'id'), COALESCE((SELECT MAX(id) FROM \(table)), 0) + 1, false)
                """)).run()
        }
    }
}

extension Seeder {
    /// The demo sign-ins and what each may do, for the banner `serve --demo` prints and the landing page.
    public static var demoSignIns: [(email: String, role: String)] {
        DemoCatalogue.users.map { user in
            let role: String
            if let vendor = user.vendorRole {
                role = vendor.label
            } else {
                let org = user.organization.map { DemoCatalogue.organizations[$0].name } ?? ""
                let scope = user.locations == nil ? "all \(org) locations" : DemoCatalogue.organizations[user.organization ?? 0].locations[user.locations![0]].name
                let roles = user.role == .incentivesAdmin ? "Incentives admin and account admin" : user.role?.label ?? ""
                role = "\(roles), \(scope)"
            }
            return (user.email, role)
        }
    }

    public static var demoPassword: String { DemoCatalogue.demoPassword }
}
