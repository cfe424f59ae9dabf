import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

/// `partner_customers` (migration 30), the customers the engagements pages walk: after every kind of write it holds
/// exactly what grouping the claims by customer and location gives, and the walks over it meet each of a scope's
/// customers once.
@Suite("Kept partner customers: each location's customers, after intake, transitions, sweeps, renames, moves and deletes")
struct PartnerCustomersTests {
    let now = TestDatabases.now
    /// Scopes of three organizations: whole ones (an admin's) and single or several locations of one (a user's).
    let scopes: [AccessScope] = [
        .partner(organizationID: 1, locationIDs: [1, 2, 3, 4]), .partner(organizationID: 1, locationIDs: [1]),
        .partner(organizationID: 1, locationIDs: [2, 3]), .partner(organizationID: 2, locationIDs: [5, 6, 7]),
        .partner(organizationID: 3, locationIDs: [8, 9]), .partner(organizationID: 3, locationIDs: [9]),
    ]

    struct Row: Decodable, Hashable { var customerId: Int64; var locationId: Int64; var organizationId: Int64; var name: String; var claims: Int }

    /// The kept table against the claims grouped from scratch, and each scope's walk (in pages of 7 from a cursor, as the
    /// Customers page goes on) against the scope's customers from the claims.
    func compare(_ moment: String, on db: Database) async throws {
        try await db.read { sql in
            let kept = try await sql.raw("SELECT customer_id, location_id, organization_id, name, claims FROM partner_customers")
                .all(decoding: Row.self, with: .snakeCase)
            let scratch = try await sql.raw("""
                SELECT c.customer_id, c.location_id, c.organization_id, cu.name, COUNT(*) AS claims
                FROM claims c JOIN customers cu ON cu.id = c.customer_id
                GROUP BY c.customer_id, c.location_id, c.organization_id, cu.name
                """).all(decoding: Row.self, with: .snakeCase)
            #expect(Set(kept) == Set(scratch), "\(moment): partner_customers")
            #expect(kept.count == scratch.count, "\(moment): one row per customer and location")
            for scope in scopes {
                let expected = try await sql.raw("SELECT DISTINCT c.customer_id FROM claims c WHERE \(scope.claimFilter("c"))")
                    .all(decodingColumn: "customer_id", as: Int64.self)
                // A scope holding part of its organization is walked by its locations only.
                let covers = try await CustomerStandingSQL.coversOrganization(scope, on: sql)
                for whole in covers ? [false, true] : [false] {
                    var walked: [Int64] = [], start: CustomerStandingSQL.WalkStart = nil
                    while true {
                        let page = try await sql.raw(CustomerStandingSQL.scopeCustomers(scope, wholeOrganization: whole, after: start, limit: 7))
                            .all(decoding: WalkRow.self, with: .snakeCase)
                        walked += page.map(\.customerId)
                        guard page.count == 7, let last = page.last else { break }
                        start = (last.name, last.customerId)
                    }
                    #expect(walked.count == expected.count && Set(walked) == Set(expected), "\(moment): \(scope) walked whole: \(whole)")
                }
            }
        }
    }

    struct WalkRow: Decodable { var customerId: Int64; var name: String }

    @Test("the kept table equals grouping the claims after intake, transitions, sweeps, renames, moves and deletes",
          arguments: TestDatabases.flavors)
    func keptEqualsScratch(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            try await compare("seeded", on: db)
            // The migration's backfill filled it from the demo's claims.
            let backfilled = try await db.read {
                try await $0.raw("SELECT COUNT(*) AS n FROM partner_customers").first(decodingColumn: "n", as: Int.self)
            }
            #expect(backfilled ?? 0 > 20)

            // New claims in batches, as the seeder writes them (one statement of many claims).
            try await Seeder(db: db).seedScale(count: 60, now: now, batchSize: 25)
            try await compare("after the seeder's batches", on: db)

            // Add customer, through the store's command, for several partners and locations: new customers, customers the
            // partner had, and customers another partner claimed (found by their domain), on engagements open to them.
            var random = SeededRandom(seed: 30)
            let intake = ClaimIntake(db: db)
            let places: [(organization: Int64, location: Int64)] = [(1, 1), (1, 2), (1, 3), (2, 5), (2, 6), (3, 8), (3, 9)]
            let domains = try await db.read { sql in
                try await sql.raw("SELECT domain FROM customers WHERE domain IS NOT NULL ORDER BY id LIMIT 40")
                    .all(decodingColumn: "domain", as: String.self)
            }
            var added = 0
            for round in 0..<40 {
                let place = places[Int(random.next() % UInt64(places.count))]
                let scope = AccessScope.partner(organizationID: place.organization, locationIDs: [place.location])
                let domain: String
                let customer: IntakeCustomer
                switch random.next() % 3 {
                case 0:
                    domain = "new-\(round).example"
                    customer = .named(name: "New \(round % 5) Co", domain: domain, tenantID: nil, subscriptionID: nil)
                case 1:
                    domain = domains[Int(random.next() % UInt64(domains.count))]
                    customer = .named(name: "Known by domain", domain: domain, tenantID: nil, subscriptionID: nil)
                default:
                    guard let known = try await intake.knownCustomers(in: scope, limit: 20).randomElement(using: &random) else { continue }
                    domain = known.domain ?? "known.example"
                    customer = .existing(known.id)
                }
                let options = try await intake.options(kind: .partnerActivities, locationID: place.location, customer: nil, in: scope, at: now)
                    .filter(\.option.isOpen)
                guard let engagement = options.randomElement(using: &random) else { continue }
                let request = IntakeRequest(kind: .partnerActivities, name: "Round \(round)", organizationID: place.organization,
                                            locationID: place.location, customer: customer, engagementID: engagement.id,
                                            contacts: [Contact(name: "Ada", title: "CIO", email: "ada@\(domain)")], mismatchReason: "")
                let author = Actor(role: .incentivesAdmin, userID: nil, name: "Admin")
                if (try? await intake.create(request, by: author, in: scope, at: now)) != nil { added += 1 }
            }
            #expect(added > 15, "claims were added (\(added))")
            try await compare("after Add customer", on: db)

            // Transitions through the repository (they change no claim's customer or location), then a sweep.
            let repo = ClaimRepository(db: db)
            let open = try await db.read { sql in
                try await sql.raw("SELECT id FROM claims WHERE due_at IS NOT NULL ORDER BY id").all(decodingColumn: "id", as: Int64.self)
            }
            let steps: [(ClaimAction, ActorRole)] = [(.sendConsentRequest, .incentivesUser), (.acceptConsent, .customer),
                                                     (.submit, .incentivesAdmin), (.cancel, .incentivesAdmin)]
            var moved = 0
            for round in 0..<60 {
                let (action, role) = steps[Int(random.next() % UInt64(steps.count))]
                let command = ClaimCommand(action, by: Actor(role: role, userID: nil, name: "Tester"), reason: "Round \(round)")
                if (try? await repo.perform(command, on: open[Int(random.next() % UInt64(open.count))], in: .system,
                                            at: now.addingTimeInterval(Double(round) * 600))) != nil { moved += 1 }
            }
            #expect(moved > 5, "transitions were made (\(moved))")
            _ = try await repo.expireDue(at: now.addingTimeInterval(30 * 86_400), batchSize: 17)
            try await compare("after transitions and a sweep", on: db)

            // Plain SQL, for what no command does today: a customer renamed, claims re-filed under another location and
            // another customer (one statement of several), and claims deleted.
            try await db.write { sql in
                try await sql.raw("""
                    UPDATE customers SET name = 'Aardvark renamed' WHERE id = (SELECT MIN(customer_id) FROM claims WHERE location_id = 1)
                    """).run()
                let refiled = "SELECT id FROM claims WHERE location_id = 1 ORDER BY id LIMIT 3"
                try await sql.raw("UPDATE claims SET location_id = 2 WHERE id IN (\(unsafeRaw: refiled))").run()
                let other = try await sql.raw("SELECT MAX(id) AS id FROM customers").first(decodingColumn: "id", as: Int64.self) ?? 0
                try await sql.raw("""
                    UPDATE claims SET customer_id = \(bind: other) WHERE id IN (SELECT id FROM claims WHERE location_id = 8 ORDER BY id LIMIT 2)
                    """).run()
                let victims = try await sql.raw("SELECT id FROM claims WHERE location_id IN (3, 5) AND due_at IS NOT NULL ORDER BY id DESC LIMIT 3")
                    .all(decodingColumn: "id", as: Int64.self)
                let list = SQLQueryString(victims.map(String.init).joined(separator: ", "))
                for table in ["claim_contacts", "claim_history", "claim_proof", "earnings", "claim_reminders", "mail_outbox"] {
                    try await sql.raw("DELETE FROM \(ident: table) WHERE claim_id IN (\(list))").run()
                }
                try await sql.raw("DELETE FROM claims WHERE id IN (\(list))").run()
            }
            try await compare("after a rename, moves and deletes", on: db)
        }
    }
}
