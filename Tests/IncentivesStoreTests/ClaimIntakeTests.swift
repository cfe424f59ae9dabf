import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Add customer's write (ClaimIntake) on SQLite and PostgreSQL")
struct ClaimIntakeTests {
    let now = TestDatabases.now
    let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])

    @Test("a customer named by its tenant alone keeps no domain taken from a contact's address, so no partner can plant one in the directory",
          arguments: TestDatabases.flavors)
    func tenantOnlyCustomerTakesNoDomainFromContacts(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let intake = ClaimIntake(db: db)
            let (location, engagement) = try #require(try await openEngagement(intake))
            let tenant = "3f2c1a90-1b2c-4d5e-8f90-123456789abc"
            let claim = try await intake.create(
                IntakeRequest(kind: .partnerActivities, name: "Tenant only", organizationID: 1, locationID: location,
                              customer: .named(name: "Planted Co", domain: nil, tenantID: tenant, subscriptionID: nil),
                              engagementID: engagement, contacts: [Contact(name: "Eve", title: "CTO", email: "eve@victim.example")],
                              mismatchReason: ""),
                by: Actor(role: .incentivesAdmin, userID: nil, name: "Admin"), in: bluefin, at: now)
            let domain = try await db.read { sql in
                try await sql.raw("SELECT domain FROM customers WHERE id = \(bind: claim.customerID)").first()!.decode(column: "domain", as: String?.self)
            }
            #expect(domain == nil)
            // Whoever later names the customer by that domain does not land on the tenant-only record.
            let found = try await intake.resolve(.named(name: "", domain: "victim.example", tenantID: nil, subscriptionID: nil), in: bluefin)
            #expect(found == nil)
        }
    }

    func openEngagement(_ intake: ClaimIntake) async throws -> (Int64, Int64)? {
        for location: Int64 in [1, 2, 3, 4] {
            if let option = try await intake.options(kind: .partnerActivities, locationID: location, customer: nil, in: bluefin, at: now)
                .first(where: { $0.option.isOpen }) {
                return (location, option.id)
            }
        }
        return nil
    }
}
