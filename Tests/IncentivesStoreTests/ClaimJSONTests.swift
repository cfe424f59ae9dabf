import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("The shared claim JSON shape")
struct ClaimJSONTests {
    let now = TestDatabases.now

    @Test("load reads claims in the order asked, with every field of the stored claim", arguments: TestDatabases.flavors)
    func loadMatchesStoredClaims(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let ids = try await db.read { sql in
                try await sql.raw("SELECT id FROM claims ORDER BY id DESC LIMIT 40").all().map { try $0.decode(column: "id", as: Int64.self) }
            }
            let loaded = try await ClaimJSON.load(ids: ids + [999_999_999], on: db)
            #expect(loaded.map(\.id) == ids, "in the order asked; an id that does not exist is left out")
            let repo = ClaimRepository(db: db)
            for json in loaded {
                let claim = try #require(try await repo.find(json.id, in: .system))
                #expect(json.status == claim.status.rawValue && json.statusLabel == claim.status.label)
                #expect(json.kind == claim.kind.rawValue && json.version == claim.version && json.name == claim.name)
                #expect(json.organizationID == claim.organizationID && json.locationID == claim.locationID)
                #expect(json.engagementID == claim.engagementID && json.engagementVersion == claim.engagementVersion)
                #expect(json.customer.id == claim.customerID)
                #expect(json.amount == claim.amount.map(ClaimJSON.Amount.init))
                #expect(json.consentAt == claim.consentAt && json.firstSubmittedAt == claim.firstSubmittedAt)
                #expect(json.createdAt == claim.createdAt && json.isDisputeRound == claim.isDisputeRound)
            }
            #expect(loaded.contains { $0.amount != nil } && loaded.contains { $0.nextDeadline != nil })
        }
    }

    @Test("every key is present, absent values are null, dates are RFC 3339 UTC and money is a string", arguments: TestDatabases.flavors)
    func shapeAndFastPathAgree(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let ids = try await db.read { sql in
                try await sql.raw("SELECT id FROM claims ORDER BY id").all().map { try $0.decode(column: "id", as: Int64.self) }
            }
            let claims = try await ClaimJSON.load(ids: ids, on: db)
            let encoder = ClaimJSON.makeEncoder()
            let keys: Set<String> = ["id", "name", "kind", "status", "status_label", "version", "organization_id", "location_id",
                                     "location_name", "engagement_id", "engagement_name", "engagement_version", "customer", "amount",
                                     "hours", "next_deadline", "is_dispute_round", "consent_at", "first_submitted_at", "created_at",
                                     "updated_at"]
            for claim in claims {
                let viaEncoder = try encoder.encode(claim)
                var fast: [UInt8] = []
                claim.write(to: &fast)
                let a = try #require(try JSONSerialization.jsonObject(with: viaEncoder) as? NSDictionary)
                let b = try #require(try JSONSerialization.jsonObject(with: Data(fast)) as? NSDictionary)
                #expect(a == b, "the fast writer and the shared encoder write the same JSON")
                #expect(Set(a.allKeys.compactMap { $0 as? String }) == keys)
                let customer = try #require(a["customer"] as? NSDictionary)
                #expect(Set(customer.allKeys.compactMap { $0 as? String }) == ["id", "name", "domain", "tenant_id"])
                let created = try #require(a["created_at"] as? String)
                #expect(created.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
                if claim.consentAt == nil { #expect(a["consent_at"] is NSNull) }
                if let amount = a["amount"] as? NSDictionary {
                    #expect((amount["amount"] as? String)?.wholeMatch(of: /-?\d+(\.\d+)?/) != nil)
                } else {
                    #expect(a["amount"] is NSNull)
                }
                let back = try ClaimJSON.makeDecoder().decode(ClaimJSON.self, from: Data(fast))
                var truncated = claim
                for path in [\ClaimJSON.createdAt, \.updatedAt] { truncated[keyPath: path] = wholeSeconds(claim[keyPath: path]) }
                #expect(back.id == claim.id && back.createdAt == truncated.createdAt && back.updatedAt == truncated.updatedAt)
            }
        }
    }

    @Test("SQLite: claims read in place are the claims their rows make decoded by name, nulls and odd names too")
    func inPlaceMatchesDecoded() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            try await Seeder(db: db).seedScale(count: 300, now: now)
            try await db.write { sql in
                try await sql.raw("""
                    UPDATE claims SET name = CASE id % 5 WHEN 0 THEN 'Zoë "quoted" \\ 東京 🚀' WHEN 1 THEN '' ELSE name END,
                                      hours = CASE id % 3 WHEN 0 THEN '7.5' ELSE hours END
                    """).run()
                try await sql.raw("UPDATE customers SET domain = NULL, tenant_id = NULL WHERE id % 4 = 0").run()
            }
            let (inPlace, decoded) = try await ClaimJSON.readBothWays(on: db)
            #expect(decoded.count > 300)
            #expect(inPlace == decoded)
            // Every kind of value each column may hold is among them.
            #expect(decoded.contains { $0.amount == nil } && decoded.contains { $0.amount != nil })
            #expect(decoded.contains { $0.hours == nil } && decoded.contains { $0.hours == "7.5" })
            #expect(decoded.contains { $0.nextDeadline == nil } && decoded.contains { $0.nextDeadline?.expiresClaim == true })
            #expect(decoded.contains { $0.nextDeadline?.expiresClaim == false })
            #expect(decoded.contains { $0.customer.domain == nil } && decoded.contains { $0.customer.tenantID != nil })
            #expect(decoded.contains { $0.consentAt == nil } && decoded.contains { $0.firstSubmittedAt != nil })
            #expect(decoded.contains { $0.isDisputeRound } && decoded.contains { $0.name.isEmpty })
        }
    }

    @Test("the claims list's JSON, read in the list's own query, is what load reads by id", arguments: TestDatabases.flavors)
    func listAgreesWithLoad(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            var query = ClaimListQuery()
            query.sort = .amount
            let (page, next) = try await ClaimListing(db: db).claimsJSON(query, in: .partner(organizationID: 1, locationIDs: [1, 2, 3, 4]), now: now)
            #expect(page.count == 50 && next != nil)
            #expect(page.allSatisfy { $0.organizationID == 1 })
            #expect(try await ClaimJSON.load(ids: page.map(\.id), on: db) == page)
        }
    }

    @Test("the API's pages follow the same cursors as the page's, for every sort both ways", arguments: TestDatabases.flavors)
    func apiPagesMatchPagePages(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let listing = ClaimListing(db: db)
            let scope = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
            for sort in ClaimListQuery.Sort.allCases {
                for descending in [true, false] {
                    var query = ClaimListQuery()
                    query.sort = sort
                    query.descending = descending
                    query.limit = 25
                    var api: [Int64] = [], page: [Int64] = []
                    var apiQuery = query, pageQuery = query
                    for _ in 0..<40 {
                        let (claims, next) = try await listing.claimsJSON(apiQuery, in: scope, now: now)
                        api += claims.map(\.id)
                        guard let next else { break }
                        apiQuery.after = next
                    }
                    for _ in 0..<40 {
                        let result = try await listing.page(pageQuery, in: scope, now: now)
                        page += result.claims.map(\.id)
                        guard let next = result.next else { break }
                        pageQuery.after = next
                    }
                    #expect(api == page, "\(sort) \(descending ? "desc" : "asc")")
                    #expect(Set(api).count == api.count)
                }
            }
        }
    }

    @Test("RFC 3339 by arithmetic agrees with Foundation, before and after 1970")
    func rfc3339() {
        for seconds in [-86_400.5, 0, 951_782_400, 1_795_600_000.75, 4_102_444_799, 253_402_214_400] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(RFC3339.string(date) == wholeSeconds(date).formatted(Date.ISO8601FormatStyle()))
        }
    }

    @Test("strings are escaped as JSON asks")
    func escaping() throws {
        var w = JSONBytes()
        w.string("a\"b\\c\n\u{0}\u{1F}é/")
        let text = String(decoding: w.out, as: UTF8.self)
        #expect(text == #""a\"b\\c\n\u0000\u001fé/""#)
        #expect(try JSONSerialization.jsonObject(with: Data(w.out), options: .fragmentsAllowed) as? String == "a\"b\\c\n\u{0}\u{1F}é/")
        // Text with nothing to escape is copied whole; one escapable byte anywhere takes the careful path.
        let samples = ["", "Bluefin Consulting – Zürich 🐟", String(repeating: "x", count: 300), "\"", "\\", "\u{7}", "end\t", "\u{7F}"]
        for sample in samples {
            var one = JSONBytes()
            one.string(sample)
            #expect(try JSONSerialization.jsonObject(with: Data(one.out), options: .fragmentsAllowed) as? String == sample, "\(sample)")
            #expect(one.out.first == UInt8(ascii: "\"") && one.out.last == UInt8(ascii: "\""))
        }
        var none = JSONBytes()
        none.string(nil)
        #expect(none.out == Array("null".utf8))
    }

    func wholeSeconds(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }
}
