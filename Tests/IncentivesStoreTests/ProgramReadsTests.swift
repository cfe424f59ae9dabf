import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Program reads (engagements, eligibility, payee profiles, earnings, catalogue) on SQLite and PostgreSQL")
struct ProgramReadsTests {
    let now = TestDatabases.now
    // The demo's ids: Bluefin is organization 1 with locations 1-4 (Seattle, London, Singapore, Bangalore),
    // Cedar 2 with 5-7, Kestrel 3 with 8-9.
    let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
    let seattle = AccessScope.partner(organizationID: 1, locationIDs: [1])
    let cedar = AccessScope.partner(organizationID: 2, locationIDs: [5, 6, 7])
    let kestrel = AccessScope.partner(organizationID: 3, locationIDs: [8, 9])
    /// Cedar's locations claimed under Bluefin's organization: a forged session must see nothing.
    let forged = AccessScope.partner(organizationID: 1, locationIDs: [5, 6, 7])
    let noLocations = AccessScope.partner(organizationID: 1, locationIDs: [])

    /// The N of M figures computed straight from the tables with the domain's rules, per engagement id.
    func expectedEarningLocations(locationIDs: Set<Int64>, db: Database) async throws -> [Int64: EarningLocations] {
        try await db.read { sql in
            var payee: [Int64: PayeeStanding] = [:]
            var enrollment: [Int64: EnrollmentStatus] = [:]
            for row in try await sql.raw("""
                SELECT l.id, b.status AS bank, en.status AS enrollment,
                       (SELECT MAX(expires_on) FROM tax_profiles t WHERE t.location_id = l.id) AS tax
                FROM locations l LEFT JOIN bank_profiles b ON b.id = l.bank_profile_id
                LEFT JOIN enrollments en ON en.location_id = l.id
                """).all() {
                let id = try row.decode(column: "id", as: Int64.self)
                payee[id] = PayeeStanding(bankStatus: try row.decode(column: "bank", as: String?.self).flatMap(BankProfileStatus.init(rawValue:)),
                                          taxExpiresOn: try row.decode(column: "tax", as: String?.self).flatMap { DayDate($0) })
                enrollment[id] = try row.decode(column: "enrollment", as: String?.self).flatMap(EnrollmentStatus.init(rawValue:))
            }
            var criteria: [Int64: [Int64: [CriterionResult]]] = [:]
            for row in try await sql.raw("SELECT engagement_id, location_id, criterion, met FROM location_criteria ORDER BY position").all() {
                let location = try row.decode(column: "location_id", as: Int64.self)
                guard locationIDs.contains(location) else { continue }
                criteria[try row.decode(column: "engagement_id", as: Int64.self), default: [:]][location, default: []]
                    .append(CriterionResult(criterion: try row.decode(column: "criterion", as: String.self), met: try row.decode(column: "met", as: Bool.self)))
            }
            // The engagement's side through the domain's own reading of a whole engagement (version in force now).
            var market: [Int64: Market] = [:]
            for row in try await sql.raw("SELECT id, country FROM locations").all() {
                market[try row.decode(column: "id", as: Int64.self)] = Market(country: try row.decode(column: "country", as: String.self))
            }
            var result: [Int64: EarningLocations] = [:]
            for (engagementID, byLocation) in criteria {
                let engagement = try #require(try await CatalogueRepository.engagement(engagementID, on: sql))
                result[engagementID] = EarningLocations(byLocation.map {
                    LocationEligibility(locationID: $0.key, enrollment: enrollment[$0.key], criteria: $0.value, payee: payee[$0.key]!,
                                        terms: EarningTerms(engagement, market: market[$0.key]!, at: now))
                }, at: now)
            }
            return result
        }
    }

    @Test("engagements list only those with one of the viewer's locations on the list, with the domain's N of M", arguments: TestDatabases.flavors)
    func engagementsAreScopedAndCounted(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = ProgramReads(db: db)
            let cases: [(AccessScope, Set<Int64>)] = [(bluefin, [1, 2, 3, 4]), (seattle, [1]), (kestrel, [8, 9])]
            for (scope, ids) in cases {
                let list = try await reads.engagements(in: scope, at: now)
                let expected = try await expectedEarningLocations(locationIDs: ids, db: db)
                #expect(Set(list.map(\.id)) == Set(expected.keys))
                for engagement in list {
                    #expect(!engagement.locations.isEmpty)
                    #expect(engagement.locations.allSatisfy { ids.contains($0.locationID) })
                    #expect(engagement.earningLocations(at: now) == expected[engagement.id])
                }
                // By solution area, then name.
                let keys = list.map { [String(format: "%04d", $0.solutionArea.id), $0.name] }
                #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
            }
            // Literal figures, worked out by hand from the demo's catalogue, profiles and eligibility lists: Bluefin's four
            // locations are enrolled (M = 4) and Bangalore never earns (expired tax profile); Cedar's M counts Berlin and Dubai
            // (Sao Paulo's enrollment is action required), Dubai's bank profile waits on validation; Kestrel's is Paris alone
            // (Johannesburg is invited).
            let literal: [(AccessScope, Int64, String)] = [
                // Infrastructure modernization workshop: Seattle, London and Singapore (market B pays 3,000) meet every criterion.
                (bluefin, 2, "3 of 4"),
                // Cloud migration assessment: Seattle and Singapore miss a criterion; London earns.
                (bluefin, 1, "1 of 4"),
                // Identity and access workshop pays market A only: Singapore (B) can't earn, London misses a criterion.
                (bluefin, 12, "1 of 4"),
                // Compliance quick start is closed, Hybrid meetings workshop upcoming: nobody earns.
                (bluefin, 14, "0 of 4"), (bluefin, 10, "0 of 4"),
                (seattle, 1, "0 of 1"), (seattle, 2, "1 of 1"),
                (cedar, 2, "1 of 2"), (cedar, 12, "0 of 2"),
                (kestrel, 1, "1 of 1"),
            ]
            for (scope, id, label) in literal {
                let engagement = try #require(try await reads.engagements(in: scope, at: now).first { $0.id == id }, "\(id) in \(scope)")
                #expect(engagement.earningLocations(at: now).label == label, "\(engagement.name) in \(scope)")
            }
            let bluefinList = try await reads.engagements(in: bluefin, at: now)
            #expect(bluefinList.count == 20)
            // Bangalore's tax profile has expired: it is enrolled everywhere it is listed but earns nowhere.
            #expect(bluefinList.allSatisfy { $0.earningLocations(at: now).enrolled == 4 })
            #expect(bluefinList.allSatisfy { $0.earningLocations(at: now).earning <= 3 })
            #expect(bluefinList.contains { $0.earningLocations(at: now).showsGreenIcon })
            // Kestrel is on no business applications list.
            let kestrelList = try await reads.engagements(in: kestrel, at: now)
            #expect(!kestrelList.isEmpty && kestrelList.allSatisfy { $0.solutionArea.id != 3 })
            #expect(try await reads.engagements(in: forged, at: now).isEmpty)
            #expect(try await reads.engagements(in: noLocations, at: now).isEmpty)
        }
    }

    @Test("eligibility shows one row per viewer location, and why a location does not earn", arguments: TestDatabases.flavors)
    func eligibilityPerLocation(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = ProgramReads(db: db)
            let program = try #require(try await reads.program())
            let bluefinRows = try await reads.locations(in: bluefin, at: now)
            #expect(bluefinRows.map(\.location.id).sorted() == [1, 2, 3, 4])
            #expect(bluefinRows.allSatisfy { $0.organizationName == "Bluefin Consulting" })
            let bangalore = try #require(bluefinRows.first { $0.location.id == 4 })
            #expect(bangalore.location.market == .c && bangalore.enrollments[program.id] == .enrolled)
            #expect(bangalore.taxProfileIsValid(at: now) == false)
            // The demo's Bangalore tax profile expired 12 days before 25 Nov 2026.
            #expect(bangalore.notEarningReason(in: program.id, at: now) == "The tax profile expired on 13 Nov 2026.")
            #expect(bangalore.earningEngagements(at: now) == 0)
            let seattleRow = try #require(bluefinRows.first { $0.location.id == 1 })
            #expect(seattleRow.notEarningReason(in: program.id, at: now) == nil)
            #expect(seattleRow.earningEngagements(at: now) > 0 && seattleRow.taxProfileIsValid(at: now) == true)

            #expect(try await reads.locations(in: seattle, at: now).map(\.location.id) == [1])
            let cedarRows = Dictionary(uniqueKeysWithValues: try await reads.locations(in: cedar, at: now).map { ($0.location.id, $0) })
            #expect(cedarRows.keys.sorted() == [5, 6, 7])
            #expect(cedarRows[6]?.payee.bankStatus == .pendingValidation)
            #expect(cedarRows[6]?.notEarningReason(in: program.id, at: now) == "The bank profile is awaiting validation (up to 48 hours).")
            #expect(cedarRows[7]?.notEarningReason(in: program.id, at: now) == "Enrollment is action required; only enrolled locations earn.")
            #expect(cedarRows[5]?.notEarningReason(in: program.id, at: now) == nil)
            #expect(try await reads.locations(in: forged, at: now).isEmpty)
            #expect(try await reads.locations(in: .vendor, at: now).count == 9)
        }
    }

    @Test("payee profiles are the viewer's organization's, with account numbers masked", arguments: TestDatabases.flavors)
    func payeeProfilesAreScopedAndMasked(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = ProgramReads(db: db)
            let fullNumbers = try await db.read { sql in
                try await sql.raw("SELECT account_number FROM bank_profiles").all().map { try $0.decode(column: "account_number", as: String.self) }
            }
            let all = try await reads.payeeProfiles(in: .vendor)
            #expect(all.bankProfiles.count == 4 && all.taxProfiles.count == 9)
            for profile in all.bankProfiles {
                #expect(profile.maskedAccountNumber.hasPrefix("•••• ") && profile.maskedAccountNumber.count == 9)
                #expect(!fullNumbers.contains { number in String(reflecting: profile).contains(number) })
                #expect(fullNumbers.contains { $0.hasSuffix(profile.maskedAccountNumber.suffix(4)) })
            }

            let mine = try await reads.payeeProfiles(in: bluefin)
            #expect(mine.bankProfiles.map(\.id) == [1])
            #expect(mine.bankProfiles.first?.maskedAccountNumber == "•••• 5678")
            #expect(mine.bankProfiles.first?.usedBy.count == 4)
            #expect(mine.taxProfiles.map(\.locationID).sorted() == [1, 2, 3, 4])
            #expect(mine.taxProfiles.filter { !$0.isValid(at: now) }.map(\.locationID) == [4])
            #expect(mine.taxProfiles.allSatisfy { $0.isCurrent })

            let seattleOnly = try await reads.payeeProfiles(in: seattle)
            #expect(seattleOnly.bankProfiles.first?.usedBy == ["Bluefin Consulting - Seattle"])
            #expect(seattleOnly.taxProfiles.map(\.locationName) == ["Bluefin Consulting - Seattle"])

            let cedarProfiles = try await reads.payeeProfiles(in: cedar)
            #expect(Set(cedarProfiles.bankProfiles.map(\.id)) == [2, 3])
            #expect(cedarProfiles.bankProfiles.allSatisfy { $0.organizationName == "Cedar Systems" })
            #expect(cedarProfiles.bankProfiles.first { $0.id == 3 }?.usedBy == ["Cedar Systems - Dubai"])

            let forgedProfiles = try await reads.payeeProfiles(in: forged)
            #expect(forgedProfiles.bankProfiles.isEmpty && forgedProfiles.taxProfiles.isEmpty)
        }
    }

    @Test("masking keeps the last four characters only")
    func masking() {
        #expect(BankProfileSummary.mask("GB82 WEST 1234 5698 7654 32") == "•••• 5432")
        #expect(BankProfileSummary.mask("12345") == "•••• 2345")
        #expect(BankProfileSummary.mask("1234") == "••••")
        #expect(BankProfileSummary.mask("") == "••••")
    }

    @Test("earnings are scoped, newest approval first, with exact totals per currency", arguments: TestDatabases.flavors)
    func earningsAreScopedAndTotalled(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = ProgramReads(db: db)
            let everything = try await reads.earnings(in: .vendor, limit: 500)
            #expect(!everything.lines.isEmpty && everything.totalCount == everything.lines.count)
            #expect(Set(everything.lines.map(\.organizationName)).count > 1)
            let cases: [(AccessScope, Set<Int64>, String)] = [
                (bluefin, [1, 2, 3, 4], "Bluefin Consulting"), (seattle, [1], "Bluefin Consulting"), (cedar, [5, 6, 7], "Cedar Systems")]
            for (scope, ids, organization) in cases {
                let page = try await reads.earnings(in: scope, limit: 500)
                let expected = everything.lines.filter { ids.contains($0.locationID) }
                #expect(page.lines == expected)
                #expect(page.lines.allSatisfy { $0.organizationName == organization })
                #expect(page.totalCount == expected.count)
            }
            #expect(try await reads.earnings(in: seattle, limit: 500).lines.allSatisfy { $0.locationName == "Bluefin Consulting - Seattle" })
            #expect(try await reads.earnings(in: forged).lines.isEmpty)
            #expect(try await reads.earnings(in: forged).totals.isEmpty)

            // Newest approval first.
            let approvals = everything.lines.map(\.approvedAt)
            #expect(approvals == approvals.sorted(by: >))

            // Totals: exact sums of the lines' money, reversed and forfeited left out of "earned".
            for scope in [AccessScope.vendor, bluefin, seattle, cedar] {
                let page = try await reads.earnings(in: scope, limit: 500)
                for total in page.totals {
                    let lines = page.lines.filter { $0.amount.currency == total.earned.currency }
                    let earned = lines.filter { ![.reversed, .forfeited].contains($0.paymentStatus) }
                        .reduce(Money.zero(total.earned.currency)) { $0 + $1.amount }
                    let paid = lines.filter { $0.paymentStatus == .paid }.reduce(Money.zero(total.paid.currency)) { $0 + $1.amount }
                    #expect(total.earned == earned && total.paid == paid && total.lines == lines.count)
                }
            }
            #expect(everything.lines.contains { $0.paymentStatus == .reversed })
            // Bluefin's nine USD earnings, by hand from the demo (rate by market × hours where paid by the hour):
            // 2,500 + 2,000 + 1,500 + 175 × 46 + 5,000 + 5,000 + 3,000 + 1,500 + 1,500; sent: 2,500 + 1,500 + 8,050 + 5,000 + 3,000.
            let bluefinTotals = try await reads.earnings(in: bluefin, limit: 500).totals
            #expect(bluefinTotals.map(\.earned) == [Money(30_050, .usd)] && bluefinTotals.map(\.paid) == [Money(20_050, .usd)])
            #expect(bluefinTotals.map(\.lines) == [9])

            // A page shorter than the whole still totals the whole.
            let first = try await reads.earnings(in: .vendor, limit: 3)
            #expect(first.lines == Array(everything.lines.prefix(3)))
            #expect(first.totals == everything.totals && first.totalCount == everything.totalCount)
        }
    }

    @Test("the catalogue holds every engagement with its versions and the rates in force", arguments: TestDatabases.flavors)
    func catalogue(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let entries = try await ProgramReads(db: db).catalogue()
            #expect(entries.count == 20)
            let positions = entries.map(\.solutionArea.id)
            #expect(positions == positions.sorted())
            // The same engagements as the repository reads one by one.
            let repository = try await CatalogueRepository(db: db).engagements()
            #expect(Set(entries.map(\.engagement)) == Set(repository))
            let workshop = try #require(entries.first { $0.engagement.name == "Infrastructure modernization workshop" }?.engagement)
            #expect(workshop.versions.count == 2)
            #expect(workshop.version(inForceAt: now).rates.rate(for: .a) == Money(5000, .usd))
            #expect(workshop.version(inForceAt: now.adding(calendarDays: -90)).rates.rate(for: .a) == Money(3500, .usd))
            let identity = try #require(entries.first { $0.engagement.name == "Identity and access workshop" }?.engagement)
            #expect(identity.currentVersion.rates.rate(for: .b) == nil)
        }
    }
}
