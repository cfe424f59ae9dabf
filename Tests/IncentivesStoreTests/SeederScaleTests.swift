import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Synthetic claims for load tests")
struct SeederScaleTests {
    let now = TestDatabases.now

    @Test("seedScale writes the count asked, in every status, with open clocks still running, the same data every time")
    func deterministicAndRealistic() async throws {
        let seed = { (batch: Int) async throws -> (SeedSummary, String, Int) in
            try await TestDatabases.with(.sqlite) { db in
                let summary = try await Seeder(db: db).seedScale(count: 1_300, now: now, batchSize: batch)
                var out: [UInt8] = []
                var query = ClaimListQuery()
                query.sort = .name; query.descending = false
                try await ClaimListing(db: db).export(query, as: .csv, in: .system, now: now) { out += $0 }
                // An open clock that expires the claim lies ahead of `now`; terminal claims have no clock.
                let terminal = ClaimStatus.allCases.filter(\.isTerminal).map { "'\($0.rawValue)'" }.joined(separator: ", ")
                let stale = try await db.read { sql in
                    try await sql.raw("""
                        SELECT COUNT(*) AS n FROM claims
                        WHERE (expires_at IS NOT NULL AND expires_at <= \(bind: now))
                           OR (due_at IS NOT NULL AND status IN (\(unsafeRaw: terminal)))
                        """).first()!.decode(column: "n", as: Int.self)
                }
                return (summary, String(decoding: out, as: UTF8.self), stale)
            }
        }
        let (first, export, stale) = try await seed(500)
        #expect(first.claims == 1_300 && first.customers == 1_300)
        #expect(Set(first.claimsByStatus.keys) == Set(ClaimStatus.allCases))
        #expect(stale == 0)
        // The demo's ~200 and the 1,300: every line of the export.
        #expect(export.components(separatedBy: "\r\n").count - 2 > 1_450)
        let (_, again, _) = try await seed(500)
        #expect(again == export, "same seed, same instant: the same claims")
    }
    @Test("SQLite: a load with the file to itself is written once, to the file, not first to the write-ahead log")
    func loadBypassesTheLog() async throws {
        try await TestDatabases.with(.sqlite) { db in
            guard case .sqlite(let path) = db.location else { return }
            try await Seeder(db: db).seedScale(count: 3_000, now: now)
            let size = { (suffix: String) in
                ((try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? Int) ?? 0
            }
            // Through the WAL the log would have held every page the load wrote (the log keeps its length once grown).
            // With a rollback journal only the writes after the load (the sequences) went to it.
            #expect(size("") > 4_000_000, "the load grew the file")
            #expect(size("-wal") < size("") / 10, "the log is \(size("-wal")) bytes beside a \(size("")) byte file")
            let mode = try await db.read { try await $0.raw("PRAGMA journal_mode").first(decodingColumn: "journal_mode", as: String.self) }
            #expect(mode == "wal")
        }
    }
}
