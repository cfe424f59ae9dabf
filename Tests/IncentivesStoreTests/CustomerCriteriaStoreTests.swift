import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// Customer criteria checked by the program at Add customer (issue 17): the refusal names the criterion in its own
/// words, and the engagements pages sort customers by the same checks in SQL.
@Suite("Customer criteria at Add customer on SQLite and PostgreSQL")
struct CustomerCriteriaStoreTests {
    let now = TestDatabases.now
    let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
    let admin = Actor(role: .incentivesAdmin, userID: nil, name: "Admin")

    /// Replaces the customer criteria of every version of an engagement.
    static func setCriteria(_ criteria: [CustomerCriterion], engagement: Int64, on db: Database) async throws {
        let json = String(decoding: try JSONEncoder().encode(criteria), as: UTF8.self)
        try await db.write { sql in
            try await sql.raw("UPDATE engagement_versions SET customer_criteria = \(bind: json) WHERE engagement_id = \(bind: engagement)").run()
        }
    }

    func openEngagement(_ intake: ClaimIntake) async throws -> (Int64, Int64)? { try await ClaimIntakeTests().openEngagement(intake) }

    func request(_ location: Int64, _ engagement: Int64, email: String) -> IntakeRequest {
        IntakeRequest(kind: .partnerActivities, name: "Criteria test", organizationID: 1, locationID: location,
                      customer: .named(name: "Fresh Co", domain: "fresh.example", tenantID: nil, subscriptionID: nil),
                      engagementID: engagement, contacts: [Contact(name: "Ada", title: "CIO", email: email)], mismatchReason: "Our consultant")
    }

    func claimCount(_ db: Database) async throws -> Int {
        try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM claims").first(decodingColumn: "n", as: Int.self) ?? 0 }
    }

    @Test("a version row written before criteria were typed (a JSON list of strings) reads as items the reviewer confirms",
          arguments: TestDatabases.flavors)
    func oldRows(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let id = try #require(try await CatalogueRepository(db: db).engagements().first?.id)
            try await db.write { sql in
                try await sql.raw(#"""
                    UPDATE engagement_versions SET customer_criteria = '["Old words", "More old words"]' WHERE engagement_id = \#(bind: id)
                    """#).run()
            }
            let engagement = try #require(try await db.read { try await CatalogueRepository.engagement(id, on: $0) })
            #expect(engagement.versions.allSatisfy { $0.customerCriteria == [.reviewerConfirms("Old words"), .reviewerConfirms("More old words")] })
        }
    }

    @Test("a program check not met refuses Add customer with the criterion's words and stores nothing; met, the claim is added",
          arguments: TestDatabases.flavors)
    func refusalNamesTheCriterion(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let intake = ClaimIntake(db: db)
            let (location, engagement) = try #require(try await openEngagement(intake))
            try await Self.setCriteria([.reviewerConfirms("50 seats"), .program(.contactsAtCustomerDomain, "Contacts work at the customer")],
                                       engagement: engagement, on: db)
            let before = try await claimCount(db)
            do {
                _ = try await intake.create(request(location, engagement, email: "ada@consulting.example"), by: admin, in: bluefin, at: now)
                Issue.record("a contact outside the customer's domain was accepted")
            } catch let refusal as ClaimRefusal {
                #expect(refusal.description == "Not eligible: Contacts work at the customer.")
            }
            #expect(try await claimCount(db) == before)
            let customers = try await db.read {
                try await $0.raw("SELECT COUNT(*) AS n FROM customers WHERE domain = 'fresh.example'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(customers == 0, "the new customer is not recorded either")
            let claim = try await intake.create(request(location, engagement, email: "ada@fresh.example"), by: admin, in: bluefin, at: now)
            #expect(claim.engagementID == engagement)
        }
    }

    @Test("no other active claim: a customer with another partner's active claim is refused in the criterion's words",
          arguments: TestDatabases.flavors)
    func otherActiveClaim(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let intake = ClaimIntake(db: db)
            let (location, engagement) = try #require(try await openEngagement(intake))
            let first = try await intake.create(request(location, engagement, email: "ada@fresh.example"), by: admin, in: bluefin, at: now)
            try await Self.setCriteria([.program(.noOtherActiveClaim, "Nobody else claims the customer")], engagement: engagement, on: db)
            // Another organization's active claim on the same customer and engagement.
            try await db.write { sql in
                try await sql.raw("UPDATE claims SET organization_id = organization_id + 1 WHERE id = \(bind: first.id)").run()
            }
            let customer = try #require(try await db.read { try await ClaimWork.customer(first.customerID, on: $0) })
            let option = try await intake.options(kind: .partnerActivities, locationID: location, customer: customer, in: bluefin, at: now)
                .first { $0.id == engagement }?.option
            #expect(option?.refusal == "Not eligible: Nobody else claims the customer.")
            try await Self.setCriteria([.reviewerConfirms("Nobody else claims the customer")], engagement: engagement, on: db)
            let relaxed = try await intake.options(kind: .partnerActivities, locationID: location, customer: customer, in: bluefin, at: now)
                .first { $0.id == engagement }?.option
            #expect(relaxed?.refusal != "Not eligible: Nobody else claims the customer.")
        }
    }
}

@Suite("Customer criteria in the catalogue file")
struct CustomerCriteriaFileTests {
    @Test("the file writes checks as maps and the reviewer's items as strings, reads them back, and names a bad check's line")
    func catalogueFile() async throws {
        let good = try await TestDatabases.with(.sqlite, seeded: true) { db in try CatalogueFile.yaml(try await CatalogueFile.document(of: db)) }
        #expect(good.contains("check: customer_id_recorded"))
        let read = try CatalogueFile.read(good)
        #expect(read.engagements.allSatisfy { $0.versions.allSatisfy { $0.terms.customerCriteria.programChecks == [.customerIDRecorded] } })
        var lines = good.components(separatedBy: "\n")
        let check = try #require(lines.firstIndex { $0.contains("check: customer_id_recorded") })
        lines[check] = lines[check].replacingOccurrences(of: "customer_id_recorded", with: "moon_phase")
        let problems = try #require(#expect(throws: CatalogueFileRefused.self) { try CatalogueFile.read(lines.joined(separator: "\n")) }).problems
        #expect(problems.contains { $0.line == check + 1 && $0.message.contains("moon_phase is not a check the program makes") }, "\(problems)")
    }
}
