import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// The rules of decoding rows into values (Rows.swift): a stored status the code does not know is corrupt data, and
/// booleans, optional columns, dates and 64-bit ids read back alike from SQLite's and PostgreSQL's column types.
@Suite("Row decoding: unknown statuses are corrupt, values read back alike on SQLite and PostgreSQL")
struct RowDecodingTests {
    let now = TestDatabases.now

    /// Whether `body` fails with `StoreError.corrupt`.
    func isCorrupt(_ body: () async throws -> Void) async -> Bool {
        do {
            try await body()
            return false
        } catch StoreError.corrupt {
            return true
        } catch {
            return false
        }
    }

    /// Sets `column` of one row of `table` to a value no version of the code knows, runs `check`, and puts it back.
    func withUnknown(_ column: String, of table: String, id: Int64, in db: Database, _ check: () async throws -> Void) async throws {
        let before = try await db.read { sql in
            try await sql.raw("SELECT \(ident: column) AS v FROM \(ident: table) WHERE id = \(bind: id)").first(decodingColumn: "v", as: String.self)
        }
        let write = { (value: String) in
            try await db.write { sql in
                try await sql.raw("UPDATE \(ident: table) SET \(ident: column) = \(bind: value) WHERE id = \(bind: id)").run()
            }
        }
        try await write("mystery")
        try await check()
        try await write(try #require(before))
    }

    func firstID(of table: String, in db: Database, last: Bool = false) async throws -> Int64 {
        try #require(try await db.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: last ? "MAX" : "MIN")(id) AS id FROM \(ident: table)").first(decodingColumn: "id", as: Int64.self)
        })
    }

    @Test("row struct properties name their columns: an underscore before each capital, lower-cased")
    func columnNames() {
        let names = ["id": "id", "n": "n", "organizationId": "organization_id", "rateAMinor": "rate_a_minor",
                     "durationMs": "duration_ms", "cporResponseDays": "cpor_response_days", "swiftBic": "swift_bic"]
        for (property, column) in names { #expect(SQLRowDecoder.snakeCased(property) == column) }
    }

    @Test("an unknown claim, bank profile, earning, delivery or outbox status is StoreError.corrupt", arguments: TestDatabases.flavors)
    func unknownStatusesAreCorrupt(_ flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let claim = try await firstID(of: "claims", in: db)
            try await withUnknown("status", of: "claims", id: claim, in: db) {
                #expect(await isCorrupt { _ = try await ClaimRepository(db: db).find(claim, in: .vendor) })
                #expect(await isCorrupt { _ = try await ClaimListing(db: db).summary(of: claim, in: .vendor) })
                #expect(await isCorrupt { _ = try await ClaimJSON.load(ids: [claim], on: db) })
            }
            #expect(try await ClaimListing(db: db).summary(of: claim, in: .vendor) != nil)

            let bank = try await firstID(of: "bank_profiles", in: db)
            try await withUnknown("status", of: "bank_profiles", id: bank, in: db) {
                #expect(await isCorrupt { _ = try await ProgramReads(db: db).payeeProfiles(in: .vendor) })
                #expect(await isCorrupt { _ = try await ProgramReads(db: db).locations(in: .vendor, at: now) })
            }

            let earning = try await firstID(of: "earnings", in: db)
            try await withUnknown("payment_status", of: "earnings", id: earning, in: db) {
                #expect(await isCorrupt { _ = try await EarningsReads(db: db).page(in: .vendor, limit: 500) })
            }

            let endpoint = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://crm.bluefin.example/hooks")
            let (owner, _) = try await WebhookOwners.of("admin@bluefin.example", db)
            let delivery = try await WebhookRepository(db: db).sendTest(endpoint.id, owner: owner, now: now)
            try await withUnknown("status", of: "webhook_deliveries", id: delivery, in: db) {
                #expect(await isCorrupt { _ = try await WebhookRepository(db: db).deliveries(of: endpoint.id, owner: owner) })
            }

            try await Outbox(db: db).enqueue(MailMessage(kind: .decision, to: "someone@example.com", subject: "S", body: "B"), now: now)
            let message = try await firstID(of: "mail_outbox", in: db, last: true)
            try await withUnknown("kind", of: "mail_outbox", id: message, in: db) {
                #expect(await isCorrupt { _ = try await Outbox(db: db).take(now: now, limit: 500) })
            }
        }
    }

    @Test("an unknown enrollment status is StoreError.corrupt", arguments: TestDatabases.flavors)
    func unknownEnrollmentIsCorrupt(_ flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            // Enrollments have no id column: one location's rows change, then go back.
            let location = try await firstID(of: "locations", in: db)
            let statuses = try await db.read { sql in
                try await sql.raw("SELECT program_id, status FROM enrollments WHERE location_id = \(bind: location)").all()
            }
            #expect(!statuses.isEmpty)
            try await db.write { try await $0.raw("UPDATE enrollments SET status = 'mystery' WHERE location_id = \(bind: location)").run() }
            #expect(await isCorrupt { _ = try await ProgramReads(db: db).locations(in: .vendor, at: now) })
            #expect(await isCorrupt { _ = try await PayeeRepository(db: db).enrollments(in: .vendor, now: now) })
        }
    }

    @Test("booleans, optional columns, dates and ids past 32 bits read back alike", arguments: TestDatabases.flavors)
    func valuesReadBackAlike(_ flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            // A customer whose id needs 64 bits, with some ids recorded and some NULL.
            let big: Int64 = 6_000_000_001
            try await db.write { sql in
                try await sql.raw("""
                    INSERT INTO customers (id, name, domain, tenant_id, top_parent_id, subscription_id, opportunity_id, created_at)
                    VALUES (\(bind: big), 'Far Away Ltd', NULL, 'tenant-far', NULL, 'sub-far', NULL, \(bind: now))
                    """).run()
            }
            let customer = try await db.read { try await ClaimWork.customer(big, on: $0) }
            #expect(customer == Customer(id: big, name: "Far Away Ltd", domain: nil, tenantID: "tenant-far", topParentID: nil,
                                         subscriptionID: "sub-far", opportunityID: nil))

            // A claim's boolean and dates, through the three ways a claim is read.
            let claim = try await firstID(of: "claims", in: db)
            let consent = now.addingTimeInterval(-3_600)
            try await db.write { sql in
                try await sql.raw("""
                    UPDATE claims SET is_dispute_round = \(bind: true), consent_at = \(bind: consent), first_submitted_at = NULL
                    WHERE id = \(bind: claim)
                    """).run()
            }
            let found = try #require(try await ClaimRepository(db: db).find(claim, in: .vendor))
            let summary = try #require(try await ClaimListing(db: db).summary(of: claim, in: .vendor))
            let json = try #require(try await ClaimJSON.load(ids: [claim], on: db).first)
            #expect(found.isDisputeRound && json.isDisputeRound)
            #expect(found.consentAt == consent && summary.consentAt == consent && json.consentAt == consent)
            #expect(found.firstSubmittedAt == nil && json.firstSubmittedAt == nil)
            #expect(summary.createdAt == found.createdAt && json.createdAt == found.createdAt)

            // `password_hash IS NOT NULL` is a boolean on PostgreSQL and an integer on SQLite; `demo` a stored boolean.
            let users = UserRepository(db: db)
            let invited = try await users.add(email: "not-yet@bluefin.example", name: "Not Yet", organizationID: 1, vendorRole: nil,
                                              passwordHash: nil, now: now)
            let record = try #require(try await users.find(email: "not-yet@bluefin.example"))
            #expect(record.id == invited && !record.hasPassword && !record.isDemo && record.organizationID == 1 && record.vendorRole == nil)
            let admin = try #require(try await users.find(email: "admin@bluefin.example"))
            #expect(admin.hasPassword && admin.isDemo && admin.organizationName == "Bluefin Consulting")
            #expect(try await users.credentials(email: "not-yet@bluefin.example").map { $0.passwordHash == nil && !$0.isDemo } == true)

            // A stored boolean written both ways.
            let endpoint = try await WebhookOwners.endpoint(db, by: "admin@bluefin.example", url: "https://crm.bluefin.example/hooks")
            let (owner, _) = try await WebhookOwners.of("admin@bluefin.example", db)
            let webhooks = WebhookRepository(db: db)
            #expect(endpoint.enabled && endpoint.organizationID == 1 && endpoint.previousSecretUntil == nil)
            try await webhooks.setEnabled(endpoint.id, false, of: owner)
            #expect(try await webhooks.endpoint(endpoint.id, of: owner)?.enabled == false)
            _ = try await webhooks.rotateSecret(endpoint.id, of: owner, now: now)
            let rotated = try #require(try await webhooks.endpoint(endpoint.id, of: owner))
            #expect(rotated.previousSecretUntil == now.addingTimeInterval(WebhookRepository.rotationOverlap) && !rotated.enabled)
        }
    }
}
