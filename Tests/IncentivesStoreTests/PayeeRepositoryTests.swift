import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Payee profiles and enrollment writes on SQLite and PostgreSQL")
struct PayeeRepositoryTests {
    let now = TestDatabases.now

    func viewer(_ email: String, _ db: Database) async throws -> Viewer {
        try #require(try await UserRepository(db: db).find(email: email), "no user \(email)").viewer
    }

    static let germanIBAN = try! BankDetails.validate(BankDetailsForm(
        holderName: "Cedar Systems GmbH", bankName: "Rhine Savings", country: "DE", accountNumber: "DE89 3704 0044 0532 0130 00",
        swiftBIC: "RHSVDEFF")).get()

    func count(_ sql: String, _ db: Database) async throws -> Int {
        try await db.read { try await $0.raw(SQLQueryString(sql)).first()!.decode(column: "n", as: Int.self) }
    }

    @Test("adding and replacing: the new profile is pending, the old one is kept as replaced, its locations move", arguments: TestDatabases.flavors)
    func replaceMovesLocations(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let payees = PayeeRepository(db: db)
            let cedar = try await viewer("admin@cedar.example", db)
            let history = try await count("SELECT COUNT(*) AS n FROM payee_history WHERE subject = 'bank_profile'", db)
            let added = try await payees.addBankProfile(Self.germanIBAN, by: cedar, now: now)
            let replacement = try await payees.replaceBankProfile(2, with: Self.germanIBAN, by: cedar, now: now)
            let profiles = try await ProgramReads(db: db).payeeProfiles(in: cedar.scope)
            let byID = Dictionary(uniqueKeysWithValues: profiles.bankProfiles.map { ($0.id, $0) })
            #expect(byID[added]?.status == .pendingValidation && byID[added]?.usedBy == [])
            #expect(byID[replacement]?.status == .pendingValidation)
            #expect(byID[replacement]?.usedBy == ["Cedar Systems - Berlin", "Cedar Systems - Sao Paulo"])
            #expect(byID[2]?.replacedBy == replacement && byID[2]?.status == .approved && byID[2]?.usedBy == [])
            #expect(profiles.bankProfiles.first?.status == .pendingValidation, "pending first")
            let stored = try #require(try await payees.bankProfileForEdit(replacement, by: cedar))
            #expect(stored.accountNumber == "DE89370400440532013000" && stored.swiftBIC == "RHSVDEFF")
            #expect(try await count("SELECT COUNT(*) AS n FROM payee_history WHERE subject = 'bank_profile'", db) == history + 3)
            // A replaced profile is not replaced twice.
            await #expect(throws: StoreError.self) { try await payees.replaceBankProfile(2, with: Self.germanIBAN, by: cedar, now: now) }
        }
    }

    @Test("another organization's bank profile or location is not found, and nothing is written", arguments: TestDatabases.flavors)
    func foreignIsNotFound(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let payees = PayeeRepository(db: db)
            let bluefin = try await viewer("admin@bluefin.example", db)
            let bluefinUser = try await viewer("user@bluefin.example", db)
            let before = try await count("SELECT COUNT(*) AS n FROM bank_profiles", db)
            let history = try await count("SELECT COUNT(*) AS n FROM payee_history", db)
            // Cedar's profile 2 and location 5 are not found for Bluefin, exactly as an unknown id would be.
            for attempt in [
                { try await payees.replaceBankProfile(2, with: Self.germanIBAN, by: bluefin, now: now) },
                { try await payees.assign(bankProfile: 2, toLocation: 1, by: bluefin, now: now); return 0 },
                { try await payees.assign(bankProfile: 1, toLocation: 5, by: bluefin, now: now); return 0 },
            ] as [@Sendable () async throws -> Int64] {
                let error = await #expect(throws: StoreError.self) { _ = try await attempt() }
                guard case .notFound? = error else { Issue.record("expected not found, got \(String(describing: error))"); continue }
            }
            // An Incentives user may not add one at all.
            await #expect(throws: StoreError.self) { _ = try await payees.addBankProfile(Self.germanIBAN, by: bluefinUser, now: now) }
            #expect(try await payees.bankProfileForEdit(2, by: bluefin) == nil)
            #expect(try await count("SELECT COUNT(*) AS n FROM bank_profiles", db) == before)
            #expect(try await count("SELECT COUNT(*) AS n FROM payee_history", db) == history, "nothing written (the demo's history has a failed payment)")
        }
    }

    @Test("approving a bank profile makes its location earn at once; the engagements' N of M follow", arguments: TestDatabases.flavors)
    func approvalMakesEarning(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let reads = ProgramReads(db: db)
            let scope = AccessScope.partner(organizationID: 2, locationIDs: [5, 6, 7])
            func dubaiEarns() async throws -> Int {
                try #require(try await reads.locations(in: scope, at: now).first { $0.location.id == 6 }).earningEngagements(at: now)
            }
            func earningTotal() async throws -> Int {
                try await reads.engagements(in: scope, at: now).map { $0.earningLocations(at: now).earning }.reduce(0, +)
            }
            #expect(try await dubaiEarns() == 0)
            let before = try await earningTotal()
            let manager = try await viewer("manager@vendor.example", db)
            // A stale version is a conflict, never a silent overwrite.
            await #expect(throws: StoreError.conflict("This bank profile changed meanwhile; reload the page.")) {
                try await PayeeRepository(db: db).decide(bankProfile: 3, .approved, reason: nil, expectedVersion: 7, by: manager, now: now)
            }
            try await PayeeRepository(db: db).decide(bankProfile: 3, .approved, reason: nil, expectedVersion: 1, by: manager, now: now)
            let dubai = try await dubaiEarns()
            #expect(dubai > 0)
            #expect(try await earningTotal() == before + dubai)
            // Action required takes it back, with the reason shown to the partner.
            try await PayeeRepository(db: db).decide(bankProfile: 3, .actionRequired, reason: "The holder name differs", expectedVersion: 2, by: manager, now: now)
            #expect(try await dubaiEarns() == 0)
            let profile = try await reads.payeeProfiles(in: scope).bankProfiles.first { $0.id == 3 }
            #expect(profile?.status == .actionRequired && profile?.statusReason == "The holder name differs")
            await #expect(throws: StoreError.self) {
                try await PayeeRepository(db: db).decide(bankProfile: 3, .actionRequired, reason: "", expectedVersion: 3, by: manager, now: now)
            }
            // Partners never decide.
            let cedar = try await viewer("admin@cedar.example", db)
            await #expect(throws: StoreError.self) {
                try await PayeeRepository(db: db).decide(bankProfile: 3, .approved, reason: nil, expectedVersion: 3, by: cedar, now: now)
            }
        }
    }

    @Test("accepting an invitation, then submitting; stale versions and other people's enrollments refused", arguments: TestDatabases.flavors)
    func enrollmentSteps(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let payees = PayeeRepository(db: db)
            let kestrel = try await viewer("admin@kestrel.example", db), bluefin = try await viewer("admin@bluefin.example", db)
            let lines = try await payees.enrollments(in: kestrel.scope, now: now)
            let johannesburg = try #require(lines.first { $0.locationID == 9 })
            #expect(johannesburg.status == .invited && johannesburg.payeeReady)
            await #expect(throws: StoreError.self) {
                try await payees.changeEnrollment(program: 1, location: 9, .accept, expectedVersion: johannesburg.version, by: bluefin, now: now)
            }
            #expect(try await payees.changeEnrollment(program: 1, location: 9, .accept, expectedVersion: johannesburg.version, by: kestrel, now: now) == .enrolling)
            await #expect(throws: StoreError.self) {
                try await payees.changeEnrollment(program: 1, location: 9, .submit, expectedVersion: johannesburg.version, by: kestrel, now: now)
            }
            #expect(try await payees.changeEnrollment(program: 1, location: 9, .submit, expectedVersion: johannesburg.version + 1, by: kestrel, now: now) == .validating)
            await #expect(throws: StoreError.self) {
                try await payees.changeEnrollment(program: 1, location: 9, .approve, expectedVersion: johannesburg.version + 2, by: kestrel, now: now)
            }
            #expect(try await count("SELECT COUNT(*) AS n FROM payee_history WHERE subject = 'enrollment'", db) == 2)
        }
    }

    @Test("a tax profile renews a location's standing; another organization's location is not found", arguments: TestDatabases.flavors)
    func taxProfiles(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let payees = PayeeRepository(db: db)
            let bluefin = try await viewer("admin@bluefin.example", db)
            let details = try TaxProfileDetails.validate(TaxProfileForm(form: "W-8BEN-E", taxID: "IN-778899", expiresOn: "2027-06-30"),
                                                         country: "IN", today: DayDate(now)).get()
            _ = try await payees.addTaxProfile(details, toLocation: 4, by: bluefin, now: now)
            let bangalore = try #require(try await ProgramReads(db: db).locations(in: bluefin.scope, at: now).first { $0.location.id == 4 })
            #expect(bangalore.taxProfileIsValid(at: now) == true)
            await #expect(throws: StoreError.self) { _ = try await payees.addTaxProfile(details, toLocation: 8, by: bluefin, now: now) }
        }
    }
}
