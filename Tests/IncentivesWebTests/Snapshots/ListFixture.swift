import Foundation
import IncentivesDomain
@testable import IncentivesStore
@testable import IncentivesWeb

/// Claims as lists show them, as plain values at a fixed instant: the claims list, the review queue and the home page
/// are built from these with no database, as the pages build them from the store's.
enum ListFixture {
    static let now = ClaimFixture.at("2026-11-25T16:30:00Z")

    static let areas = [SolutionArea(id: 1, code: "infra", name: "Infrastructure"), SolutionArea(id: 2, code: "security", name: "Security")]
    static let choices = ClaimListChoices(
        areas: areas,
        engagements: [(id: 7, name: "Cloud adoption workshop"), (id: 8, name: "Security assessment"), (id: 9, name: "Azure consumption")],
        locations: [(id: 3, name: "Bluefin Seattle"), (id: 4, name: "Bluefin Portland")])

    /// An Incentives admin of Seattle who also manages its users, and an Incentives user of Portland.
    static let partnerViewer = Viewer(userID: 5, email: "ana@bluefin.example", name: "Ana Almeida",
                                      membership: .partner(organizationID: 2,
                                                           roles: [3: [.incentivesAdmin, .accountAdmin], 4: [.incentivesUser]]),
                                      organizationName: "Bluefin Consulting", timeZone: TimeZone(identifier: "America/Los_Angeles")!)

    static func input(_ viewer: Viewer) -> PageInput {
        PageInput(viewer: viewer, csrfToken: "csrf-token", flash: nil, database: "embedded SQLite", demo: false, now: now)
    }

    /// A claim `days` old, last changed `updatedHoursAgo` before `now`, with its open clock `dueInHours` ahead (negative: past).
    static func summary(_ id: Int64, _ name: String, status: ClaimStatus, customer: String, engagement: (Int64, String) = (7, "Cloud adoption workshop"),
                        location: (Int64, String) = (3, "Bluefin Seattle"), organization: String = "Bluefin Consulting",
                        amount: Decimal? = 5000, due: (DeadlineKind, Double)? = nil, updatedHoursAgo: Double = 5,
                        kind: ClaimKind = .partnerActivities) -> ClaimSummary {
        let dueAt = due.map { now.addingTimeInterval($0.1 * 3600) }
        return ClaimSummary(id: id, name: name, kind: kind, status: status, customerName: customer, engagementID: engagement.0,
                            engagementName: engagement.1, locationID: location.0, locationName: location.1, organizationName: organization,
                            solutionAreaID: 1, amount: amount.map { Money($0, .usd) }, dueAt: dueAt, dueKind: due?.0,
                            expiresAt: dueAt, consentAt: nil, createdAt: now.adding(calendarDays: -20),
                            updatedAt: now.addingTimeInterval(-updatedHoursAgo * 3600))
    }

    /// A partner's claims in several statuses: one overdue, one due within hours, one waiting on them, one without a clock.
    static let partnerClaims = [
        summary(42, "Alder cloud adoption", status: .consentReceived, customer: "Alder Logistics", due: (.submission, 60), updatedHoursAgo: 2),
        summary(51, "Birch security review", status: .submitted, customer: "Birch & Sons <Ltd>", engagement: (8, "Security assessment"),
                amount: 3000, due: (.review, 24 * 12), updatedHoursAgo: 30),
        summary(57, "Cedar workshop", status: .awaitingConsent, customer: "Cedar Health", location: (4, "Bluefin Portland"),
                due: (.consent, 5), updatedHoursAgo: 50),
        summary(63, "Dogwood consumption", status: .partnerActionRequired, customer: "Dogwood Retail", engagement: (9, "Azure consumption"),
                amount: nil, due: (.review, -30), updatedHoursAgo: 80, kind: .useOrConsume),
        summary(70, "Elm approved workshop", status: .approved, customer: "Elm Transit", updatedHoursAgo: 200),
    ]

    /// A page of claims with the tabs' counts: all, attention, then infrastructure and security.
    static func slice(_ claims: [ClaimSummary], counts: (Int, Int, Int, Int), next: ClaimCursor? = nil) -> ClaimSlice {
        ClaimSlice(claims: claims, next: next, countAll: counts.0, countAttention: counts.1, countByArea: [1: counts.2, 2: counts.3])
    }

    /// The review queue: a plain submission, a dispute round, and a claim another partner competes with.
    static let queue = [
        ReviewItem(summary: summary(51, "Birch security review", status: .submitted, customer: "Birch & Sons <Ltd>",
                                    engagement: (8, "Security assessment"), amount: 3000, due: (.review, 24 * 12), updatedHoursAgo: 100),
                   version: 4, isDisputeRound: false, arbitrationPending: false),
        ReviewItem(summary: summary(66, "Fir dispute", status: .submitted, customer: "Fir Foods", location: (11, "Cedar Boston"),
                                    organization: "Cedar Partners", due: (.review, 24 * 5), updatedHoursAgo: 60),
                   version: 9, isDisputeRound: true, arbitrationPending: false),
        ReviewItem(summary: summary(68, "Gum tree consumption", status: .underReview, customer: "Gum Tree Energy",
                                    engagement: (9, "Azure consumption"), amount: nil, due: (.review, 24 * 20), updatedHoursAgo: 20,
                                    kind: .useOrConsume),
                   version: 3, isDisputeRound: false, arbitrationPending: true),
    ]

    static let partners = [PartnerOrganization(id: 2, name: "Bluefin Consulting"), PartnerOrganization(id: 3, name: "Cedar Partners")]
}
