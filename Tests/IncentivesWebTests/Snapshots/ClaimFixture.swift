import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb

/// A claim's whole file as plain values, walked through the domain's lifecycle at fixed instants: the claim page's view
/// model is built from it with no database, as the page builds it from the store's.
enum ClaimFixture {
    static func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    /// A Monday; each step of a walk happens one day after the one before.
    static let start = at("2026-11-02T09:00:00Z")

    static let version = EngagementVersion(
        number: 2, effectiveFrom: at("2026-01-01T00:00:00Z"), payModel: .fixed,
        rates: MarketRates(currency: .usd, a: 5000, b: 3000, c: 1000), deadlines: .standard(for: .workshop),
        description: "A one-day workshop on the customer's cloud adoption plan.", partnerCriteria: ["Holds the specialization"],
        customerCriteria: ["At least 50 seats"],
        proofRequirements: [
            ProofRequirement(kind: .invoice, description: "The invoice for the delivered workshop."),
            ProofRequirement(kind: .findingsDocument, description: "The findings shared with the customer.",
                             templateName: "Findings template", templateVersion: "2.1"),
            ProofRequirement(kind: .partnerSurvey, description: "Five questions about the workshop."),
        ],
        resourceLinks: [])

    static let engagement = Engagement(
        id: 7, programID: 1, solutionAreaID: 1, name: "Cloud adoption workshop", role: .buildIntent, type: .workshop,
        status: .active, lastClaimDay: nil, activeClaimsPerCustomer: 1, earningsCap: nil, versions: [version])

    static let location = Location(id: 3, organizationID: 2, name: "Bluefin Seattle", country: "US")
    static let customer = Customer(id: 9, name: "Alder Logistics", domain: "alder.example", tenantID: "6f1c2b7e-0c1d-4a51-9d2e-3b8a1c9e7f10")
    static let contacts = [Contact(name: "Ben Brandt", title: "IT Director", email: "ben.brandt@alder.example")]

    static let partner = Actor(role: .incentivesAdmin, userID: 5, name: "Ana Almeida")
    static let reviewer = Actor(role: .reviewer, userID: 1, name: "Rita Reviewer")
    static let customerContact = Actor(role: .customer, name: "Ben Brandt")

    static let partnerViewer = Viewer(userID: 5, email: "ana@bluefin.example", name: "Ana Almeida",
                                      membership: .partner(organizationID: 2, roles: [3: [.incentivesAdmin]]),
                                      organizationName: "Bluefin Consulting", timeZone: TimeZone(identifier: "America/Los_Angeles")!)
    static let reviewerViewer = Viewer(userID: 1, email: "rita@vendor.example", name: "Rita Reviewer", membership: .vendor(.reviewer),
                                       timeZone: TimeZone(identifier: "Europe/Berlin")!)

    /// Both proof documents and the partner survey, added the day consent came.
    static func fullProof(on day: Date) -> [StoredProof] {
        [
            StoredProof(id: 31, kind: .invoice, fileName: "invoice-2026-117.pdf", contentType: "application/pdf", contentHash: "a1",
                        sizeBytes: 182_344, addedBy: "Ana Almeida", addedAt: day, answers: []),
            StoredProof(id: 32, kind: .findingsDocument, fileName: "findings.docx", contentType: nil, contentHash: "b2",
                        sizeBytes: 2_400_000, addedBy: "Ana Almeida", addedAt: day, answers: []),
            StoredProof(id: 33, kind: .partnerSurvey, fileName: nil, contentType: nil, contentHash: nil, sizeBytes: nil,
                        addedBy: "Ana Almeida", addedAt: day,
                        answers: Survey.partner.questions.map { SurveyAnswer(id: $0.id, value: $0.answer == .rating ? "4" : $0.answer == .date ? "2026-11-03" : $0.answer == .yesNo ? "yes" : "Went well") }),
        ]
    }

    /// The claim created at `start`, then moved by `steps` one day apart; `proof` is what it holds (and the domain counts).
    static func file(_ steps: [(ClaimAction, Actor, String?, ReviewReason?)], proof: [StoredProof] = []) -> ClaimFile {
        let context = ClaimContext(engagement: engagement, market: location.market, providedProof: Set(proof.map(\.kind)))
        let new = NewClaim(organizationID: 2, locationID: 3, customerID: 9, engagementID: 7, name: "Alder cloud adoption", kind: .partnerActivities)
        var (claim, entry) = try! ClaimLifecycle.create(new, by: partner, context: context, at: start)
        claim.id = 42
        var history = [entry]
        for (day, step) in steps.enumerated() {
            let command = ClaimCommand(step.0, by: step.1, reason: step.2, reasonCode: step.3)
            let transition = try! ClaimLifecycle.perform(command, on: claim, context: context, at: start.adding(calendarDays: day + 1))
            claim = transition.claim
            history.append(transition.entry)
        }
        claim.version = history.count
        return ClaimFile(claim: claim, customer: customer, engagement: engagement, version: version, location: location,
                         organizationName: "Bluefin Consulting", contacts: contacts, proof: proof, comments: [], history: history,
                         links: [], context: context,
                         clock: ClaimLifecycle.openClock(for: claim, policy: version.deadlines, calendar: context.calendar),
                         arbitrationPending: false)
    }

    /// The page input of `viewer` on the day after the last step.
    static func input(_ viewer: Viewer, file: ClaimFile) -> PageInput {
        PageInput(viewer: viewer, csrfToken: "csrf-token", flash: nil, database: "embedded SQLite", demo: false,
                  now: start.adding(calendarDays: file.history.count))
    }
}
