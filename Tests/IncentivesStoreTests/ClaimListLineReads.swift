import Foundation
@testable import IncentivesStore
import SQLKit
import Testing

extension ClaimListLine {
    /// Every claim of a SQLite database as a claims list reads it, newest first, both ways: in place (`page(_:on:)`) and
    /// each row decoded by name (`init(row:)`). The tests of each line type hold the two equal.
    static func readBothWays(on db: Database) async throws -> (inPlace: [Self], decoded: [Self]) {
        let query = ClaimListing.linesQuery(where: "1 = 1", orderBy: "c.updated_at DESC, c.id DESC", limit: ClaimExport.pageSize,
                                            json: readsJSONColumns)
        return try await db.read { sql in
            let sqlite = try #require(sql as? SQLiteStatementDatabase)
            return (try await page(query, on: sqlite), try await sql.raw(query).all().map(Self.init(row:)))
        }
    }
}
