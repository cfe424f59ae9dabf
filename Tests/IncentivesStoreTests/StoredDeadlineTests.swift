import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// The deadlines the repository stores after each move, against instants worked out by hand from DOMAIN.md's table
/// (an assessment: consent 30 days from creation, first submission 60 and review 90 from consent, dispute 30 from
/// the rejection; calendar days), so a wrong policy field or base date can't pass as its own expectation.
@Suite("Stored deadlines after each move, on SQLite and PostgreSQL")
struct StoredDeadlineTests {
    let links = ClaimLinks(publicURL: "https://incentives.example")
    let seattle = AccessScope.partner(organizationID: 1, locationIDs: [1])
    let partner = Actor(role: .incentivesAdmin, userID: 1, name: "Alex Morgan")
    let reviewer = Actor(role: .reviewer, userID: 5, name: "Jordan Lee")
    let customer = Actor(role: .customer, name: "Ana Chen <ana@alderlogistics.example>")

    static func instant(_ text: String) throws -> Date {
        try #require(try? Date(text, strategy: .iso8601), "not an ISO 8601 instant: \(text)")
    }

    struct Stored: Equatable, CustomStringConvertible {
        var status: String, dueAt: Date?, dueKind: String?, expiresAt: Date?
        var description: String { "\(status) due \(dueAt.map { "\($0)" } ?? "-") (\(dueKind ?? "-")) expires \(expiresAt.map { "\($0)" } ?? "-")" }
    }

    static func stored(_ id: Int64, _ db: Database) async throws -> Stored {
        let row = try await db.read { try await $0.raw("SELECT status, due_at, due_kind, expires_at FROM claims WHERE id = \(bind: id)").first() }
        let found = try #require(row)
        return Stored(status: try found.decode(column: "status", as: String.self), dueAt: try found.decode(column: "due_at", as: Date?.self),
                      dueKind: try found.decode(column: "due_kind", as: String?.self),
                      expiresAt: try found.decode(column: "expires_at", as: Date?.self))
    }

    /// What the row must hold: `expires` false for the vendor's own deadline, shown but never held against the partner.
    static func expect(_ id: Int64, _ db: Database, _ status: ClaimStatus, due: String?, kind: DeadlineKind?, expires: Bool = true,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let dueAt = try due.map(instant)
        let wanted = Stored(status: status.rawValue, dueAt: dueAt, dueKind: kind?.rawValue, expiresAt: expires ? dueAt : nil)
        #expect(try await stored(id, db) == wanted, sourceLocation: sourceLocation)
    }

    /// The token of the newest email of a kind about the claim.
    static func mailToken(_ db: Database, _ kind: MailKind, claim: Int64, path: String) async throws -> String {
        let body = try await db.read { sql in
            try await sql.raw("SELECT body FROM mail_outbox WHERE kind = \(bind: kind.rawValue) AND claim_id = \(bind: claim) ORDER BY id DESC")
                .first()?.decode(column: "body", as: String.self)
        }
        let text = try #require(body, "no \(kind) email about claim \(claim)")
        let match = try #require(text.firstMatch(of: try Regex("/\(path)/([A-Za-z0-9_-]{43})")), "no link in: \(text)")
        return String(try #require(match.output[1].substring))
    }

    @Test("an assessment claim's consent, submission, review and dispute deadlines are the table's, from the right dates",
          arguments: TestDatabases.flavors)
    func deadlinesFollowTheTable(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let work = ClaimWork(db: db, links: links)
            // Engagement 4, "Container readiness assessment", open to Seattle; created at the demo's instant.
            let created = try await repo.create(NewClaim(organizationID: 1, locationID: 1, customerID: 1, engagementID: 4,
                                                         name: "Deadline walk", kind: .partnerActivities),
                                                contacts: [Contact(name: "Ana Chen", title: "CIO", email: "ana@alderlogistics.example")],
                                                by: partner, in: seattle, at: try Self.instant("2026-11-25T09:46:40Z"))
            let id = created.id
            // Consent: 30 days from creation, whoever's move it is.
            try await Self.expect(id, db, .customerClaimed, due: "2026-12-25T09:46:40Z", kind: .consent)
            try await repo.perform(ClaimCommand(.sendConsentRequest, by: partner), on: id, in: seattle,
                                   at: try Self.instant("2026-11-27T12:00:00Z"), links: links)
            try await Self.expect(id, db, .awaitingConsent, due: "2026-12-25T09:46:40Z", kind: .consent)

            // First submission: 60 days from the consent date (1 Dec + 60 = 30 Jan).
            try await repo.perform(ClaimCommand(.acceptConsent, by: customer, address: "203.0.113.9"), on: id, in: .system,
                                   at: try Self.instant("2026-12-01T08:30:00Z"))
            try await Self.expect(id, db, .consentReceived, due: "2027-01-30T08:30:00Z", kind: .submission)

            // The proof an assessment asks for, then the submission: the review deadline is 90 days from consent
            // (1 Dec + 90 = 1 Mar 2027), the vendor's own, so nothing expires on it.
            try await work.addDocument(.findingsDocument, fileName: "findings.pdf", format: .pdf, contentHash: String(repeating: "a", count: 64),
                                       size: 10, to: id, expectedVersion: nil, by: partner, in: seattle,
                                       at: try Self.instant("2026-12-08T10:00:00Z"))
            try await work.sendCustomerSurvey(on: id, expectedVersion: nil, by: partner, in: seattle, at: try Self.instant("2026-12-08T10:05:00Z"))
            try await work.answerCustomerSurvey(token: try await Self.mailToken(db, .survey, claim: id, path: "survey"),
                                                [SurveyAnswer(id: "delivered_as_described", value: "yes"), SurveyAnswer(id: "satisfaction", value: "4")],
                                                address: "203.0.113.9", at: try Self.instant("2026-12-09T15:00:00Z"))
            try await Self.expect(id, db, .consentReceived, due: "2027-01-30T08:30:00Z", kind: .submission)
            try await repo.perform(ClaimCommand(.submit, by: partner), on: id, in: seattle, at: try Self.instant("2026-12-15T14:00:00Z"))
            try await Self.expect(id, db, .submitted, due: "2027-03-01T08:30:00Z", kind: .review, expires: false)

            // A request for more: the partner must answer by the same review deadline, and now it expires the claim.
            try await repo.perform(ClaimCommand(.requestInformation, by: reviewer, reason: "Missing customer signature: page 2",
                                                reasonCode: .missingCustomerSignature),
                                   on: id, in: .vendor, at: try Self.instant("2026-12-20T16:00:00Z"))
            try await Self.expect(id, db, .partnerActionRequired, due: "2027-03-01T08:30:00Z", kind: .review)
            try await repo.perform(ClaimCommand(.submit, by: partner), on: id, in: seattle, at: try Self.instant("2026-12-22T09:00:00Z"))
            try await Self.expect(id, db, .submitted, due: "2027-03-01T08:30:00Z", kind: .review, expires: false)

            // A rejection opens the dispute window: 30 days from the rejection (5 Jan + 30 = 4 Feb), also while disputed.
            try await repo.perform(ClaimCommand(.reject, by: reviewer, reason: "Duplicate claim", reasonCode: .duplicateClaim),
                                   on: id, in: .vendor, at: try Self.instant("2027-01-05T12:00:00Z"))
            try await Self.expect(id, db, .rejected, due: "2027-02-04T12:00:00Z", kind: .dispute)
            try await repo.perform(ClaimCommand(.dispute, by: partner, reason: "Not a duplicate: another site"), on: id, in: seattle,
                                   at: try Self.instant("2027-01-10T09:00:00Z"))
            try await Self.expect(id, db, .disputed, due: "2027-02-04T12:00:00Z", kind: .dispute)
            // A dispute round's submission has no review deadline.
            try await repo.perform(ClaimCommand(.submit, by: partner), on: id, in: seattle, at: try Self.instant("2027-01-12T09:00:00Z"))
            try await Self.expect(id, db, .submitted, due: nil, kind: nil)
        }
    }

    @Test("the sweeper expires a claim at its stored instant, not a second before", arguments: TestDatabases.flavors)
    func sweeperUsesTheStoredInstant(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let repo = ClaimRepository(db: db)
            let created = try await repo.create(NewClaim(organizationID: 1, locationID: 1, customerID: 1, engagementID: 4,
                                                         name: "Expiry at the instant", kind: .partnerActivities),
                                                contacts: [Contact(name: "Ana Chen", title: "CIO", email: "ana@alderlogistics.example")],
                                                by: partner, in: seattle, at: try Self.instant("2026-11-25T09:46:40Z"))
            try await repo.perform(ClaimCommand(.sendConsentRequest, by: partner), on: created.id, in: seattle,
                                   at: try Self.instant("2026-11-26T09:00:00Z"), links: links)
            // 30 days from creation: 25 Dec 2026 at 09:46:40 UTC.
            _ = try await repo.expireDue(at: try Self.instant("2026-12-25T09:46:39Z"))
            #expect(try await Self.stored(created.id, db).status == ClaimStatus.awaitingConsent.rawValue)
            _ = try await repo.expireDue(at: try Self.instant("2026-12-25T09:46:40Z"))
            try await Self.expect(created.id, db, .consentExpired, due: nil, kind: nil)
        }
    }
}
