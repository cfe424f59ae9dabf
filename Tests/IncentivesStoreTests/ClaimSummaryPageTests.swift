import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("The claims page's lines read in place")
struct ClaimSummaryPageTests {
    let now = TestDatabases.now

    @Test("SQLite: lines read in place are the lines their rows make decoded by name, nulls, odd names and every status too")
    func inPlaceMatchesDecoded() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            try await Seeder(db: db).seedScale(count: 300, now: now)
            try await db.write { sql in
                try await sql.raw("""
                    UPDATE claims SET name = CASE id % 5 WHEN 0 THEN 'Zoë "quoted" \\ <b>東京</b> 🚀' WHEN 1 THEN '' ELSE name END
                    """).run()
                try await sql.raw("UPDATE customers SET name = name || ' & Co.' WHERE id % 4 = 0").run()
            }
            let (inPlace, decoded) = try await ClaimSummary.readBothWays(on: db)
            #expect(decoded.count > 300)
            #expect(inPlace == decoded)
            // Every kind of value each column may hold is among them.
            #expect(Set(decoded.map(\.status)) == Set(ClaimStatus.allCases))
            #expect(decoded.contains { $0.amount == nil } && decoded.contains { $0.amount != nil })
            #expect(decoded.contains { $0.dueAt == nil } && decoded.contains { $0.dueKind != nil && $0.expiresAt != nil })
            #expect(decoded.contains { $0.dueKind != nil && $0.expiresAt == nil })
            #expect(decoded.contains { $0.consentAt == nil } && decoded.contains { $0.consentAt != nil })
            #expect(decoded.contains { $0.name.isEmpty } && decoded.contains { $0.name.contains("東京") })
        }
    }
}
