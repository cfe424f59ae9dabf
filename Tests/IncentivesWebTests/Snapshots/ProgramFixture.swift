import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb

/// A partner's standing in the program as plain values: two locations (Seattle earns; Berlin waits on its bank profile and
/// its tax profile ran out), three engagements in two solution areas, a page of customers and a page of earnings in two
/// currencies. The engagements, eligibility and earnings view models are built from it with no database.
enum ProgramFixture {
    static func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
    static func day(_ text: String) -> DayDate { DayDate(text)! }

    static let now = at("2026-11-20T17:00:00Z")

    static let program = Program(id: 1, name: "Cloud Partner Incentives", managerName: "Casey Kim",
                                 managerEmail: "incentives-team@vendor.example")
    static let infrastructure = SolutionArea(id: 1, code: "cloud-infrastructure", name: "Cloud infrastructure")
    static let security = SolutionArea(id: 2, code: "modern-work-security", name: "Modern work and security")

    static let seattle = Location(id: 3, organizationID: 2, name: "Bluefin Consulting - Seattle", country: "US")
    static let berlin = Location(id: 4, organizationID: 2, name: "Bluefin Consulting - Berlin", country: "DE")
    static let paid = PayeeStanding(bankStatus: .approved, taxExpiresOn: day("2027-06-30"))
    static let unpaid = PayeeStanding(bankStatus: .pendingValidation, taxExpiresOn: day("2026-10-31"))

    static let viewer = Viewer(userID: 5, email: "ana@bluefin.example", name: "Ana Almeida",
                               membership: .partner(organizationID: 2, roles: [3: [.incentivesAdmin], 4: [.incentivesUser]]),
                               organizationName: "Bluefin Consulting", timeZone: TimeZone(identifier: "America/Los_Angeles")!)
    static let manager = Viewer(userID: 2, email: "casey@vendor.example", name: "Casey Kim", membership: .vendor(.programManager),
                                timeZone: TimeZone(identifier: "Europe/Berlin")!)

    static func input(_ viewer: Viewer = viewer) -> PageInput {
        PageInput(viewer: viewer, csrfToken: "csrf-token", flash: nil, database: "embedded SQLite", demo: false, now: now)
    }

    // MARK: Engagements

    /// The claim fixture's version, with links to read (one is not a web address, so it is shown, not linked).
    static let workshopVersion: EngagementVersion = {
        var version = ClaimFixture.version
        version.resourceLinks = [ResourceLink(title: "Workshop playbook", url: "https://partners.example/playbooks/adoption"),
                                 ResourceLink(title: "Old deck", url: "javascript:alert(1)")]
        return version
    }()
    static let workshop = Engagement(
        id: 7, programID: 1, solutionAreaID: 1, name: "Cloud adoption workshop", role: .buildIntent, type: .workshop, status: .active,
        lastClaimDay: day("2027-03-31"), activeClaimsPerCustomer: 1, earningsCap: Money(20_000, .usd), versions: [workshopVersion])
    static let migration = Engagement(
        id: 8, programID: 1, solutionAreaID: 1, name: "Data migration", role: .buildIntent, type: .workshop, status: .upcoming,
        lastClaimDay: nil, activeClaimsPerCustomer: 1, earningsCap: nil, versions: [ClaimFixture.version])
    static let securityUsage = Engagement(
        id: 9, programID: 1, solutionAreaID: 2, name: "Security usage", role: .useOrConsume, type: .workshop, status: .active,
        lastClaimDay: nil, activeClaimsPerCustomer: 2, earningsCap: nil,
        versions: [EngagementVersion(
            number: 1, effectiveFrom: at("2026-01-01T00:00:00Z"), payModel: .variable, rates: MarketRates(currency: .eur, a: 120, b: 90, c: 60),
            maxHours: 40, deadlines: .standard(for: .workshop), description: "Usage of the security suite.",
            partnerCriteria: ["Security specialization"], customerCriteria: ["A security subscription"], proofRequirements: [],
            resourceLinks: [])])

    /// A location's standing on an engagement it is listed on, with as many criteria as `met` says, met or not.
    static func eligibility(_ e: Engagement, at location: Location, met: [Bool], payee: PayeeStanding) -> LocationEligibility {
        let names = ["Holds the specialization", "Two certified architects"]
        return LocationEligibility(locationID: location.id, enrollment: .enrolled,
                                   criteria: met.enumerated().map { CriterionResult(criterion: names[$0], met: $1) },
                                   payee: payee, terms: EarningTerms(e, market: location.market, at: now))
    }

    static var standings: [LocationStanding] {
        [
            LocationStanding(location: seattle, organizationName: "Bluefin Consulting", enrollments: [1: .enrolled], bankProfileID: 11, payee: paid,
                             engagements: [7: eligibility(workshop, at: seattle, met: [true, true], payee: paid),
                                           8: eligibility(migration, at: seattle, met: [true], payee: paid)]),
            LocationStanding(location: berlin, organizationName: "Bluefin Consulting", enrollments: [1: .enrolled], bankProfileID: 12, payee: unpaid,
                             engagements: [7: eligibility(workshop, at: berlin, met: [true, false], payee: unpaid),
                                           9: eligibility(securityUsage, at: berlin, met: [true], payee: unpaid)]),
        ]
    }

    static func standing(_ e: Engagement, area: SolutionArea, active: Int, eligible: Int, eligibleAtLeast: Bool = false) -> EngagementStanding {
        EngagementStanding(id: e.id, programID: 1, name: e.name, solutionArea: area, role: e.role, type: e.type, status: e.status,
                           lastClaimDay: e.lastClaimDay, activeClaimsPerCustomer: e.activeClaimsPerCustomer,
                           locations: standings.compactMap { $0.engagements[e.id] }, activeCustomers: active, eligibleCustomers: eligible,
                           eligibleCustomersAtLeast: eligibleAtLeast)
    }

    /// The workshop earns at Seattle ("1 of 2" ✓); the migration is not open yet ("0 of 1"); Berlin alone is on the
    /// security engagement and earns nowhere ("0 of 1"). The workshop has more active customers than the board counts
    /// ("100+"); the migration's eligible ones were counted among the partner's first customers only ("4+").
    static var board: EngagementBoard {
        EngagementBoard(areas: [infrastructure, security], locations: standings,
                        engagements: [standing(workshop, area: infrastructure, active: 101, eligible: 12),
                                      standing(migration, area: infrastructure, active: 0, eligible: 4, eligibleAtLeast: true),
                                      standing(securityUsage, area: security, active: 1, eligible: 0)],
                        program: program)
    }

    /// The workshop as its pages see it; with a page of customers (one of each kind) on the Customers tab.
    static func workshopDetail(customers: [EngagementCustomer] = [], counts: [CustomerEligibility.Group: Int] = [:]) -> EngagementDetail {
        EngagementDetail(engagement: workshop, solutionArea: infrastructure, program: program, locations: standings, customers: customers,
                         nextCustomers: customers.isEmpty ? nil : ClaimCursor(key: .text("Fabrikam"), id: 60), customerCounts: counts)
    }

    static let customers = [
        EngagementCustomer(customer: Customer(id: 9, name: "Alder Logistics", domain: "alder.example", tenantID: nil), eligibility: .eligible,
                           canBeClaimed: false, claimID: 42, claimName: "Alder cloud adoption", claimStatus: .underReview),
        EngagementCustomer(customer: Customer(id: 10, name: "Birch & Sons <Ltd>", domain: nil, tenantID: "6f1c2b7e-0c1d-4a51-9d2e-3b8a1c9e7f10"),
                           eligibility: .eligible, canBeClaimed: true, claimID: nil, claimName: nil, claimStatus: nil),
    ]

    // MARK: Earnings

    /// An earning on the engagement's current version.
    static func line(_ id: Int64, claim: Int64, _ name: String, on e: Engagement, location: Location, rate: Money, hours: Decimal? = nil,
                     amount: Money, approved: String, month: String, status: PaymentStatus) -> EarningLine {
        EarningLine(id: id, claimID: claim, claimName: name, engagementID: e.id, engagementName: e.name,
                    locationID: location.id, locationName: location.name, organizationName: "Bluefin Consulting", market: location.market,
                    engagementVersion: e.currentVersion.number, rate: rate, hours: hours, amount: amount, approvedAt: at(approved),
                    paymentMonth: month, paymentStatus: status)
    }

    /// Newest first, as the store pages them, three a page: two currencies, on their way and paid; one reversed on the next page.
    static let earnings = EarningsSlice(lines: [
        line(104, claim: 61, "Contoso security hours", on: securityUsage, location: berlin, rate: Money(120, .eur), hours: 12.5, amount: Money(1500, .eur),
             approved: "2026-11-18T10:00:00Z", month: "2027-01", status: .upcoming),
        line(103, claim: 58, "Alder cloud adoption", on: workshop, location: seattle, rate: Money(5000, .usd), amount: Money(5000, .usd),
             approved: "2026-10-02T16:30:00Z", month: "2026-11", status: .inProgress),
        line(102, claim: 51, "Fabrikam workshop", on: workshop, location: seattle, rate: Money(5000, .usd), amount: Money(5000, .usd),
             approved: "2026-09-01T08:00:00Z", month: "2026-10", status: .sent),
    ], hasOlder: true, hasNewer: false)

    /// The months of every line, the next page's reversed one included (it earns nothing).
    static let months = [
        MonthlyEarning(month: "2026-09", earned: .zero(.usd), paid: .zero(.usd), lines: 1),
        MonthlyEarning(month: "2026-10", earned: Money(5000, .usd), paid: Money(5000, .usd), lines: 1),
        MonthlyEarning(month: "2026-11", earned: Money(5000, .usd), paid: .zero(.usd), lines: 1),
        MonthlyEarning(month: "2027-01", earned: Money(1500, .eur), paid: .zero(.eur), lines: 1),
    ]

    static let earningsLocations = [EarningsLocation(id: 3, name: seattle.name, organizationName: "Bluefin Consulting"),
                                    EarningsLocation(id: 4, name: berlin.name, organizationName: "Bluefin Consulting")]
}
