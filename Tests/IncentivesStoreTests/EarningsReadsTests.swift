import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Synchronization
import Testing

@Suite("Earnings reads: keyset pages, monthly totals, CSV export, on SQLite and PostgreSQL")
struct EarningsReadsTests {
    let now = TestDatabases.now
    // The demo's ids: Bluefin is organization 1 with locations 1-4, Cedar 2 with 5-7, Kestrel 3 with 8-9.
    let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
    let seattle = AccessScope.partner(organizationID: 1, locationIDs: [1])
    let cedar = AccessScope.partner(organizationID: 2, locationIDs: [5, 6, 7])
    /// Cedar's locations claimed under Bluefin's organization: a forged session must see nothing.
    let forged = AccessScope.partner(organizationID: 1, locationIDs: [5, 6, 7])
    let noLocations = AccessScope.partner(organizationID: 1, locationIDs: [])

    static let trickyName = #"=HYPERLINK("http://x"), "quoted""#

    /// Adds `count` earnings (each on a copy of a demo claim, ids from 100001) over the demo's locations,
    /// several currencies and statuses, with runs of equal approval times so the id breaks ties.
    static func addEarnings(_ count: Int, to db: Database, now: Date) async throws {
        try await db.write { sql in
            let templates = try await sql.raw("SELECT id, claim_id FROM earnings ORDER BY id").all().map {
                (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "claim_id", as: Int64.self))
            }
            let currencies = ["USD", "EUR", "JPY"]
            for i in 0..<count {
                let (earning, claim) = templates[i % templates.count]
                let id = Int64(100_001 + i)
                let name = i == 3 ? trickyName : "Extra claim \(i)"
                try await sql.raw("""
                    INSERT INTO claims (id, organization_id, location_id, engagement_id, engagement_version, solution_area_id, customer_id,
                      name, kind, status, is_dispute_round, created_at, updated_at, consent_at, first_submitted_at, rejected_at,
                      action_requested_at, hours, amount_minor, currency, due_at, due_kind, expires_at, version)
                    SELECT \(bind: id), organization_id, location_id, engagement_id, engagement_version, solution_area_id, customer_id,
                      \(bind: name), kind, status, is_dispute_round, created_at, updated_at, consent_at, first_submitted_at, rejected_at,
                      action_requested_at, hours, amount_minor, currency, due_at, due_kind, expires_at, version
                    FROM claims WHERE id = \(bind: claim)
                    """).run()
                // Every third earning shares its approval time with the one before: ties go by id.
                let approvedAt = now.addingTimeInterval(-Double((i - i % 3 / 2) * 86_400 * 2))
                let currency = currencies[i % currencies.count]
                let amount = Int64(10_000 + (i * 7_919) % 500_000)
                let status = PaymentStatus.allCases[i % PaymentStatus.allCases.count]
                try await sql.raw("""
                    INSERT INTO earnings (id, claim_id, location_id, engagement_id, engagement_version, market, rate_minor, hours,
                      amount_minor, currency, approved_at, payment_month, payment_status, updated_at)
                    SELECT \(bind: id), \(bind: id), location_id, engagement_id, engagement_version, market, rate_minor, hours,
                      \(bind: amount), \(bind: currency), \(bind: approvedAt), \(bind: Pricing.estimatedPaymentMonth(approvedAt: approvedAt)),
                      \(bind: status.rawValue), \(bind: approvedAt)
                    FROM earnings WHERE id = \(bind: earning)
                    """).run()
            }
        }
    }

    /// Every earning id the scope may see, newest approval first: every row of the table, filtered here in Swift (not
    /// with `EarningsReads.conditions`, the clause under test), so a scope or filter bug there can't hide in both.
    func expectedIDs(_ scope: AccessScope, _ filter: EarningsFilter = .init(), db: Database) async throws -> [Int64] {
        let rows = try await db.read { sql in
            try await sql.raw("""
                SELECT ea.id, ea.location_id, l.organization_id, ea.payment_status, ea.payment_month
                FROM earnings ea JOIN locations l ON l.id = ea.location_id ORDER BY ea.approved_at DESC, ea.id DESC
                """).all()
        }
        var ids: [Int64] = []
        for row in rows {
            let location = try row.decode(column: "location_id", as: Int64.self)
            switch scope {
            case .vendor, .system: break
            case .partner(let organization, let locations):
                guard try row.decode(column: "organization_id", as: Int64.self) == organization, locations.contains(location) else { continue }
            }
            if let wanted = filter.locationID, wanted != location { continue }
            if let wanted = filter.paymentStatus, try row.decode(column: "payment_status", as: String.self) != wanted.rawValue { continue }
            if let wanted = filter.paymentMonth, try row.decode(column: "payment_month", as: String.self) != wanted { continue }
            ids.append(try row.decode(column: "id", as: Int64.self))
        }
        return ids
    }

    /// Walks the Older links from the newest page, then the Newer links back.
    func walk(_ reads: EarningsReads, _ scope: AccessScope, _ filter: EarningsFilter = .init(), size: Int) async throws
        -> (older: [[EarningLine]], newer: [[EarningLine]]) {
        var older: [[EarningLine]] = []
        var cursor = EarningsCursor.newest
        while true {
            let page = try await reads.page(in: scope, filter: filter, from: cursor, limit: size)
            older.append(page.lines)
            #expect(page.lines.count <= size)
            guard page.hasOlder, let last = page.lines.last else { break }
            #expect(page.lines.count == size)
            cursor = .olderThan(last.id)
        }
        var newer: [[EarningLine]] = []
        guard let oldest = older.last?.last else { return (older, newer) }
        cursor = .newerThan(oldest.id)
        while true {
            let page = try await reads.page(in: scope, filter: filter, from: cursor, limit: size)
            newer.append(page.lines)
            guard page.hasNewer, let first = page.lines.first else { break }
            cursor = .newerThan(first.id)
        }
        return (older, newer)
    }

    static func csv(_ reads: EarningsReads, _ filter: EarningsFilter = .init(), in scope: AccessScope, batch: Int = 500) async throws -> (String, Int) {
        let out = Mutex("")
        let count = try await reads.writeCSV(filter, in: scope, batch: batch) { text in out.withLock { $0 += text } }
        return (out.withLock { $0 }, count)
    }

    @Test("pages cover every earning of the scope exactly once, in order, both ways", arguments: TestDatabases.flavors)
    func keysetPages(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            try await Self.addEarnings(137, to: db, now: now)
            let reads = EarningsReads(db: db)
            let filters = [EarningsFilter(), EarningsFilter(paymentStatus: .sent), EarningsFilter(locationID: 2),
                           EarningsFilter(paymentMonth: Pricing.estimatedPaymentMonth(approvedAt: now))]
            for scope in [AccessScope.vendor, bluefin, seattle, cedar] {
                for filter in filters {
                    let expected = try await expectedIDs(scope, filter, db: db)
                    // Every scope has unfiltered earnings, so an empty read can't pass as a match.
                    if filter == EarningsFilter() { #expect(!expected.isEmpty, "\(scope)") }
                    for size in [1, 7, 50] where size > 1 || expected.count < 60 {
                        let (older, newer) = try await walk(reads, scope, filter, size: size)
                        #expect(older.flatMap { $0 }.map(\.id) == expected, "\(scope) \(filter) by \(size)")
                        // Back from the oldest page: everything newer than the last row, each page newest first.
                        let back = newer.reversed().flatMap { $0 }.map(\.id)
                        #expect(back == Array(expected.dropLast()), "\(scope) \(filter) back by \(size)")
                    }
                }
            }
            // Every line is in the scope (and its organization), whatever the cursor names.
            let all = try await walk(reads, bluefin, size: 500).older.flatMap { $0 }
            #expect(all.count > 60 && all.allSatisfy { [1, 2, 3, 4].contains($0.locationID) && $0.organizationName == "Bluefin Consulting" })
            for scope in [forged, noLocations] {
                #expect(try await reads.page(in: scope).lines.isEmpty)
                #expect(try await reads.monthly(in: scope).isEmpty)
                #expect(try await Self.csv(reads, in: scope).1 == 0)
            }
            // A cursor naming another organization's earning gives nothing away: an empty page.
            let cedarEarning = try #require(try await expectedIDs(cedar, db: db).first)
            let probe = try await reads.page(in: bluefin, from: .olderThan(cedarEarning))
            #expect(probe.lines.isEmpty)
        }
    }

    @Test("the seek uses an index per sort and never OFFSET (SQLite plan)")
    func plansUseIndexes() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            func plan(_ scope: AccessScope, _ filter: EarningsFilter = .init(), _ cursor: EarningsCursor) async throws -> String {
                let query = EarningsReads.linesQuery(in: scope, filter: filter, from: cursor, limit: 51)
                let text = try await db.read { sql in
                    var serializer = SQLSerializer(database: sql)
                    query.serialize(to: &serializer)
                    return serializer.sql
                }
                #expect(!text.uppercased().contains("OFFSET"))
                var explain: SQLQueryString = "EXPLAIN QUERY PLAN "
                explain.appendInterpolation(query)
                let statement = explain
                return try await db.read { try await $0.raw(statement).all() }
                    .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            }
            let vendor = try await plan(.vendor, .init(), .olderThan(5))
            #expect(vendor.contains("earnings_approved") && !vendor.contains("TEMP B-TREE"), "\(vendor)")
            let vendorNewer = try await plan(.vendor, .init(), .newerThan(5))
            #expect(vendorNewer.contains("earnings_approved") && !vendorNewer.contains("TEMP B-TREE"), "\(vendorNewer)")
            let partner = try await plan(bluefin, .init(), .olderThan(5))
            #expect(partner.contains("earnings_location_approved"), "\(partner)")
            let status = try await plan(.vendor, EarningsFilter(paymentStatus: .sent), .newest)
            #expect(status.contains("earnings_status_approved") && !status.contains("TEMP B-TREE"), "\(status)")
            let month = try await plan(.vendor, EarningsFilter(paymentMonth: "2026-12"), .newest)
            #expect(month.contains("earnings_month_approved") && !month.contains("TEMP B-TREE"), "\(month)")
        }
    }

    @Test("monthly totals are the exact sums of the lines, per currency, never across currencies", arguments: TestDatabases.flavors)
    func monthlyTotals(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            try await Self.addEarnings(60, to: db, now: now)
            let reads = EarningsReads(db: db)
            for scope in [AccessScope.vendor, bluefin, seattle, cedar] {
                let lines = try await walk(reads, scope, size: 500).older.flatMap { $0 }
                let monthly = try await reads.monthly(in: scope)
                var expected: [String: (earned: Money, paid: Money, lines: Int)] = [:]
                for line in lines {
                    let key = "\(line.paymentMonth) \(line.amount.currency.code)"
                    let zero = Money.zero(line.amount.currency)
                    var sums = expected[key] ?? (zero, zero, 0)
                    if ![.reversed, .forfeited].contains(line.paymentStatus) { sums.earned = sums.earned + line.amount }
                    if line.paymentStatus == .paid { sums.paid = sums.paid + line.amount }
                    sums.lines += 1
                    expected[key] = sums
                }
                #expect(monthly.count == expected.count)
                for month in monthly {
                    let sums = try #require(expected["\(month.month) \(month.earned.currency.code)"])
                    #expect(month.earned == sums.earned && month.paid == sums.paid && month.lines == sums.lines)
                    #expect(month.paid.currency == month.earned.currency)
                }
                // Sorted by month, then currency; totals per currency add the months up exactly.
                #expect(monthly.map { "\($0.month) \($0.earned.currency.code)" } == monthly.map { "\($0.month) \($0.earned.currency.code)" }.sorted())
                let totals = EarningsReads.totals(monthly)
                #expect(Set(totals.map(\.earned.currency)).count == totals.count)
                for total in totals {
                    let mine = lines.filter { $0.amount.currency == total.earned.currency }
                    let earned = mine.filter { ![.reversed, .forfeited].contains($0.paymentStatus) }.reduce(Money.zero(total.earned.currency)) { $0 + $1.amount }
                    #expect(total.earned == earned && total.lines == mine.count)
                }
            }
            #expect(Set(try await reads.monthly(in: .vendor).map(\.earned.currency.code)) == ["EUR", "JPY", "USD"])
        }
    }

    @Test("CSV: header, one RFC 4180 line per earning in page order, formula guard, any batch size")
    func csvExport() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            try await Self.addEarnings(23, to: db, now: now)
            let reads = EarningsReads(db: db)
            let (whole, count) = try await Self.csv(reads, in: .vendor)
            let (batched, batchedCount) = try await Self.csv(reads, in: .vendor, batch: 4)
            #expect(whole == batched && count == batchedCount)
            let expected = try await expectedIDs(.vendor, db: db)
            #expect(count == expected.count)
            let lines = whole.components(separatedBy: "\r\n")
            #expect(lines.first == EarningsReads.csvColumns.joined(separator: ","))
            #expect(lines.last == "" && lines.count == expected.count + 2)
            #expect(!whole.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
            #expect(lines.dropFirst().dropLast().map { Int64($0.prefix { $0 != "," })! } == expected)
            // The name with a formula, a comma and quotes: quoted, quotes doubled, neutralised.
            #expect(whole.contains(#","'=HYPERLINK(""http://x""), ""quoted""","#))
            #expect(CSV.field("a,b") == "\"a,b\"" && CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"" && CSV.field("x\ny") == "\"x\ny\"")
            // Filters and scope as on the page.
            let (sent, sentCount) = try await Self.csv(reads, EarningsFilter(paymentStatus: .sent), in: bluefin)
            let expectedSent = try await expectedIDs(bluefin, EarningsFilter(paymentStatus: .sent), db: db)
            #expect(sentCount > 0 && sentCount == expectedSent.count)
            #expect(sent.components(separatedBy: "\r\n").dropFirst().dropLast().allSatisfy { $0.hasSuffix(",sent") && $0.contains(",Bluefin Consulting,") })
            // Money as plain minor-digit text: JPY has none, USD two.
            #expect(whole.contains(",JPY,") && !whole.contains(".00,JPY,"))
        }
    }

    @Test("the CSV is byte for byte the same on SQLite and PostgreSQL",
          .enabled(if: TestDatabases.flavors.contains(.postgres)))
    func csvSameOnBothDatabases() async throws {
        var exports: [String] = []
        for flavor in [SQLFlavor.sqlite, .postgres] {
            let text = try await TestDatabases.with(flavor, seeded: true) { db in
                try await Self.addEarnings(40, to: db, now: now)
                let reads = EarningsReads(db: db)
                return try await Self.csv(reads, in: .vendor).0 + Self.csv(reads, EarningsFilter(locationID: 2), in: bluefin).0
            }
            exports.append(text)
        }
        #expect(exports[0].count > 1_000)
        #expect(exports[0] == exports[1])
    }
}
