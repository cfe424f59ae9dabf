import Foundation
import IncentivesDomain
import SQLKit

/// A piece of proof as the claim page lists it.
public struct StoredProof: Sendable, Hashable {
    public var id: Int64
    public var kind: ProofRequirement.Kind
    public var fileName: String?
    public var contentType: String?
    public var contentHash: String?
    public var sizeBytes: Int64?
    public var addedBy: String
    public var addedAt: Date
    /// A survey's answers, by question id, in question order.
    public var answers: [SurveyAnswer]
}

public struct SurveyAnswer: Sendable, Hashable, Codable {
    public var id: String
    public var value: String
    public init(id: String, value: String) { self.id = id; self.value = value }
}

/// A comment on a claim, by the partner or the vendor.
public struct ClaimComment: Sendable, Hashable {
    public var at: Date
    public var author: String
    public var side: Side
    public var body: String
}

/// Why a link was emailed to a customer contact.
public enum CustomerLinkPurpose: String, Sendable, CaseIterable {
    /// Confirm (or decline) a partner-activities claim; later, withdraw it.
    case consent
    /// A use-or-consume claim was submitted: the customer may object (withdraw consent).
    case notice
    /// Answer the customer survey.
    case survey
}

/// A link emailed to a customer contact, as the claim page shows it (never its token).
public struct CustomerLinkRecord: Sendable, Hashable {
    public var id: Int64
    public var claimID: Int64
    public var purpose: CustomerLinkPurpose
    public var email: String
    public var contactName: String
    public var createdAt: Date
    public var expiresAt: Date
    public var voidedAt: Date?
    public var answer: CustomerAnswer?
    public var answeredAt: Date?
    public var answerAddress: String?
    public var revokedAt: Date?
    public var revokeAddress: String?
}

/// Everything the claim page shows about one claim.
public struct ClaimFile: Sendable {
    public var claim: Claim
    public var customer: Customer
    public var engagement: Engagement
    public var version: EngagementVersion
    public var location: Location
    public var organizationName: String
    public var contacts: [Contact]
    public var proof: [StoredProof]
    public var comments: [ClaimComment]
    public var history: [ClaimHistoryEntry]
    public var links: [CustomerLinkRecord]
    public var context: ClaimContext
    public var clock: OpenClock?
    /// Use or consume: another partner's claim on the same subscription and engagement is waiting for arbitration.
    public var arbitrationPending: Bool
    /// What the program checks of the customer criteria are decided from (the vendor's view only: it counts other
    /// partners' claims); the page decides them at its own time.
    public var criterionFacts: CriterionFacts? = nil
    /// The reviewer-confirmed criteria confirmed with the approval.
    public var confirmations: [CriterionConfirmation] = []

    public var customerSurveyAnswered: Bool { proof.contains { $0.kind == .customerSurvey } }
    public var missingProof: [String] { ClaimLifecycle.missingProof(for: claim, context: context) }
}

/// What a customer sees behind an emailed link.
public struct CustomerLinkView: Sendable {
    public var link: CustomerLinkRecord
    public var claim: Claim
    public var partnerName: String
    public var engagementName: String
    public var engagementDescription: String
    public var customerName: String
    /// The customer survey's questions in the claim's version.
    public var customerQuestions: [SurveyQuestion] = Survey.customer.questions
}

/// The work on a claim's bundle (proof, surveys, hours, contacts, comments) and the links to customers.
/// Every change checks the domain's rules for the viewer's role, raises the claim's version (so an open
/// form elsewhere learns it is stale), and writes its history row, in one transaction.
public struct ClaimWork: Sendable {
    public let db: Database
    public let links: ClaimLinks

    public init(db: Database, links: ClaimLinks) { self.db = db; self.links = links }

    // MARK: Reading

    /// The claim page's data, or nil when the scope may not see the claim.
    public func file(_ id: Int64, in scope: AccessScope) async throws -> ClaimFile? {
        try await db.read { sql in
            guard let claim = try await ClaimRepository.load(id, in: scope, on: sql, lock: false, flavor: db.flavor),
                  let location = try await ClaimRepository.location(claim.locationID, on: sql) else { return nil }
            var context = try await ClaimRepository.context(engagementID: claim.engagementID, market: location.market, on: sql)
            context.providedProof = try await ClaimRepository.providedProof(of: id, on: sql)
            if claim.status == .approved { context.reversal = try await Reversals.window(of: claim, on: sql) }
            let version = context.version(of: claim)
            guard let customer = try await Self.customer(claim.customerID, on: sql) else {
                throw StoreError.corrupt("Claim \(id) names a missing customer.")
            }
            let organization = try await sql.raw("SELECT name FROM organizations WHERE id = \(bind: claim.organizationID)")
                .first(decodingColumn: "name", as: String.self) ?? ""
            let arbitration = try await sql.raw("SELECT arbitration FROM claims WHERE id = \(bind: id)")
                .first(decodingColumn: "arbitration", as: String?.self) ?? nil
            let contacts = try await Self.contacts(of: id, on: sql)
            // The program's checks count other partners' claims: only the vendor is shown them.
            var facts: CriterionFacts?
            if scope == .vendor {
                facts = try await ClaimChecklist.facts(of: claim, customer: customer, role: context.engagement.role, contacts: contacts,
                                                       at: claim.updatedAt, on: sql)
            }
            return ClaimFile(
                claim: claim, customer: customer, engagement: context.engagement, version: version, location: location,
                organizationName: organization, contacts: contacts,
                proof: try await Self.proof(of: id, on: sql), comments: try await Self.comments(of: id, on: sql),
                history: try await ClaimRepository.historyRows(of: id, on: sql), links: try await Self.links(of: id, on: sql),
                context: context,
                clock: ClaimLifecycle.openClock(for: claim, policy: version.deadlines, calendar: context.calendar),
                arbitrationPending: arbitration == "pending", criterionFacts: facts,
                confirmations: try await ClaimChecklist.confirmations(of: id, on: sql))
        }
    }

    /// A stored document of a claim the scope may see: its name, type and content hash.
    public func document(_ proofID: Int64, of claimID: Int64, in scope: AccessScope) async throws -> StoredProof? {
        try await db.read { sql in
            guard try await ClaimRepository.load(claimID, in: scope, on: sql, lock: false, flavor: db.flavor) != nil else { return nil }
            return try await Self.proof(of: claimID, on: sql).first { $0.id == proofID && $0.contentHash != nil }
        }
    }

    // MARK: Proof, hours, contacts, comments

    /// Adds a document for a requirement of the claim's engagement version; one replaces the one before it.
    public func addDocument(_ kind: ProofRequirement.Kind, fileName: String, format: DocumentFormat, contentHash: String,
                            size: Int, to claimID: Int64, expectedVersion: Int?, by actor: Actor, in scope: AccessScope,
                            at now: Date) async throws {
        try await change(claimID, expectedVersion: expectedVersion, in: scope, by: actor, at: now) { claim, context, sql in
            try ClaimLifecycle.checkProofEditor(actor.role, on: claim)
            guard kind == .invoice || kind == .findingsDocument,
                  context.version(of: claim).proofRequirements.contains(where: { $0.kind == kind }) else {
                throw StoreError.invalid(field: "kind", "This engagement does not ask for that document.")
            }
            let replaced = try await sql.raw("SELECT file_name FROM claim_proof WHERE claim_id = \(bind: claimID) AND kind = \(bind: kind.rawValue)")
                .all(decodingColumn: "file_name", as: String?.self).compactMap { $0 }
            try await sql.raw("DELETE FROM claim_proof WHERE claim_id = \(bind: claimID) AND kind = \(bind: kind.rawValue)").run()
            try await sql.raw("""
                INSERT INTO claim_proof (claim_id, kind, file_name, content_hash, size_bytes, added_by, added_at, content_type)
                VALUES (\(bind: claimID), \(bind: kind.rawValue), \(bind: fileName), \(bind: contentHash), \(bind: Int64(size)),
                        \(bind: actor.name), \(bind: now), \(bind: format.mediaType))
                """).run()
            let note = replaced.isEmpty ? "\(kind.label): \(fileName)" : "\(kind.label): \(fileName) (replaces \(replaced.joined(separator: ", ")))"
            return (claim, .addProof, note)
        }
    }

    /// Removes a document or the partner's survey answers.
    public func removeProof(_ proofID: Int64, from claimID: Int64, expectedVersion: Int?, by actor: Actor, in scope: AccessScope,
                            at now: Date) async throws {
        try await change(claimID, expectedVersion: expectedVersion, in: scope, by: actor, at: now) { claim, _, sql in
            try ClaimLifecycle.checkProofEditor(actor.role, on: claim)
            guard let row = try await sql.raw("""
                SELECT kind, file_name FROM claim_proof WHERE id = \(bind: proofID) AND claim_id = \(bind: claimID)
                """).first(decoding: ProofNameRow.self, with: .snakeCase), let kind = ProofRequirement.Kind(rawValue: row.kind),
                  kind != .customerSurvey else {
                throw StoreError.notFound("No such document on this claim.")
            }
            try await sql.raw("DELETE FROM claim_proof WHERE id = \(bind: proofID)").run()
            return (claim, .removeProof, row.fileName.map { "\(kind.label): \($0)" } ?? kind.label)
        }
    }

    /// The partner's survey; answering again replaces the earlier answers.
    public func answerPartnerSurvey(_ answers: [SurveyAnswer], on claimID: Int64, expectedVersion: Int?, by actor: Actor,
                                    in scope: AccessScope, at now: Date) async throws {
        try await change(claimID, expectedVersion: expectedVersion, in: scope, by: actor, at: now) { claim, context, sql in
            try ClaimLifecycle.checkProofEditor(actor.role, on: claim, what: "The survey")
            guard context.version(of: claim).proofRequirements.contains(where: { $0.kind == .partnerSurvey }) else {
                throw StoreError.invalid(field: "survey", "This engagement does not ask for a partner survey.")
            }
            try await sql.raw("DELETE FROM claim_proof WHERE claim_id = \(bind: claimID) AND kind = 'partner_survey'").run()
            try await Self.insertSurvey(.partnerSurvey, answers: answers, claimID: claimID, by: actor.name, at: now, on: sql)
            return (claim, .answerSurvey, "Partner survey")
        }
    }

    /// Variable pay: the hours delivered, which set the claim's amount.
    public func enterHours(_ text: String, on claimID: Int64, expectedVersion: Int?, by actor: Actor, in scope: AccessScope,
                           at now: Date) async throws {
        try await change(claimID, expectedVersion: expectedVersion, in: scope, by: actor, at: now) { claim, context, _ in
            try ClaimLifecycle.checkProofEditor(actor.role, on: claim, what: "Hours")
            let next = try ClaimLifecycle.enterHours(text, on: claim, context: context)
            return (next, .enterHours, "\(next.hours.map { "\($0)" } ?? "") hours")
        }
    }

    /// Replaces the customer contacts. Refused once the customer answered the survey; voids the customer
    /// links nobody answered yet (they went to the old contacts).
    public func changeContacts(_ contacts: [Contact], on claimID: Int64, expectedVersion: Int?, by actor: Actor,
                               in scope: AccessScope, at now: Date) async throws {
        let contacts = try ContactInput.checked(contacts.map(ContactInput.init))
        try await change(claimID, expectedVersion: expectedVersion, in: scope, by: actor, at: now) { claim, _, sql in
            let answered = try await sql.raw("SELECT id FROM claim_proof WHERE claim_id = \(bind: claimID) AND kind = 'customer_survey'").first() != nil
            guard ClaimLifecycle.contactEditors(for: claim, customerSurveyAnswered: answered).contains(actor.role) else {
                throw ClaimRefusal.cannotClaim(answered
                    ? "The customer already answered the survey; its contacts stay as they were."
                    : "Contacts can't be changed while the claim is \(claim.status.label).")
            }
            try await sql.raw("DELETE FROM claim_contacts WHERE claim_id = \(bind: claimID)").run()
            try await ClaimWriter.insertContacts(contacts, claimID: claimID, on: sql)
            try await sql.raw("""
                UPDATE customer_links SET voided_at = \(bind: now)
                WHERE claim_id = \(bind: claimID) AND answered_at IS NULL AND voided_at IS NULL
                """).run()
            return (claim, .changeContacts, contacts.map(\.email).joined(separator: ", "))
        }
    }

    /// Emails the customer survey to the first contact; a new one voids the unanswered one before it.
    public func sendCustomerSurvey(on claimID: Int64, expectedVersion: Int?, by actor: Actor, in scope: AccessScope,
                                   at now: Date) async throws {
        try await change(claimID, expectedVersion: expectedVersion, in: scope, by: actor, at: now) { claim, context, sql in
            try ClaimLifecycle.checkProofEditor(actor.role, on: claim, what: "The customer survey")
            guard context.version(of: claim).proofRequirements.contains(where: { $0.kind == .customerSurvey }) else {
                throw StoreError.invalid(field: "survey", "This engagement does not ask for a customer survey.")
            }
            if try await sql.raw("SELECT id FROM claim_proof WHERE claim_id = \(bind: claimID) AND kind = 'customer_survey'").first() != nil {
                throw ClaimRefusal.cannotClaim("The customer already answered the survey.")
            }
            // The link lasts as long as the partner's clock (the customer's answer is only useful before it);
            // two weeks when no clock runs.
            let clock = ClaimLifecycle.openClock(for: claim, policy: context.version(of: claim).deadlines, calendar: context.calendar)
            let expires = clock.map(\.dueAt) ?? now.addingTimeInterval(14 * 86_400)
            let contact = try await Self.sendLink(.survey, for: claim, expires: expires, links: links, now: now, on: sql)
            return (claim, .sendSurvey, "To \(contact.email)")
        }
    }

    /// A comment from a partner user (Incentives roles) or vendor staff; any status, even finished.
    public func comment(_ body: String, on claimID: Int64, by actor: Actor, in scope: AccessScope, at now: Date) async throws {
        let text = try TextRule.comment.check(body, field: "body")
        guard actor.role.side == .partner || actor.role.side == .vendor else {
            throw StoreError.invalid(field: "body", "Only the partner and the vendor comment on claims.")
        }
        try await db.write { sql in
            guard try await ClaimRepository.load(claimID, in: scope, on: sql, lock: false, flavor: db.flavor) != nil else {
                throw StoreError.notFound("No claim \(claimID).")
            }
            try await sql.raw("""
                INSERT INTO claim_comments (claim_id, at, author_user_id, author_name, side, body)
                VALUES (\(bind: claimID), \(bind: now), \(bind: actor.userID), \(bind: actor.name), \(bind: actor.role.side.rawValue), \(bind: text))
                """).run()
            try await ClaimEvents.comment(on: claimID, by: actor, body: text, at: now, on: sql)
        }
    }

    // MARK: Customer links

    /// The claim behind a link, or nil for a token nobody issued.
    public func customerLink(token: String) async throws -> CustomerLinkView? {
        try await db.read { sql in
            guard let link = try await Self.link(hash: Secret.hash(token), on: sql),
                  let claim = try await ClaimRepository.load(link.claimID, in: .system, on: sql, lock: false, flavor: db.flavor) else {
                return nil
            }
            guard let names = try await sql.raw("""
                SELECT o.name AS partner, e.name AS engagement, cu.name AS customer
                FROM claims c JOIN organizations o ON o.id = c.organization_id JOIN engagements e ON e.id = c.engagement_id
                JOIN customers cu ON cu.id = c.customer_id WHERE c.id = \(bind: claim.id)
                """).first(decoding: LinkPageNamesRow.self, with: .snakeCase) else { return nil }
            let engagement = try await CatalogueRepository.engagement(claim.engagementID, on: sql)
            // The version the claim is held to, found as the claim page finds it (`ClaimContext.version(of:)`).
            let version = engagement.map { e in
                e.version(number: claim.engagementVersion) ?? e.version(inForceAt: claim.consentAt ?? claim.createdAt)
            }
            return CustomerLinkView(link: link, claim: claim, partnerName: names.partner, engagementName: names.engagement,
                                    engagementDescription: version?.description ?? "", customerName: names.customer,
                                    customerQuestions: version?.questions(of: .customer) ?? Survey.customer.questions)
        }
    }

    /// The customer's answer on a consent or notice link: accept, decline, or (later) revoke. Refuses a
    /// voided link, an expired one for a first answer, and an answer the claim's status no longer allows.
    public func answerConsent(token: String, _ action: ClaimAction, address: String, at now: Date) async throws -> ClaimTransition {
        try await db.write { sql in
            guard let link = try await Self.link(hash: Secret.hash(token), on: sql, lock: db.flavor == .postgres),
                  link.purpose != .survey else { throw StoreError.notFound("This link is not known.") }
            guard link.voidedAt == nil else {
                throw ClaimRefusal.cannotClaim("This link was replaced by a newer email. Use the link in the latest email you received.")
            }
            switch action {
            case .acceptConsent, .declineConsent:
                guard link.purpose == .consent, link.answer == nil else {
                    throw ClaimRefusal.cannotClaim("You already answered on \(DayDate(link.answeredAt ?? now).text).")
                }
                guard now < link.expiresAt else {
                    throw ClaimRefusal.cannotClaim("This link expired on \(DayDate(link.expiresAt).text). Ask the partner to send a new one if you still want to answer.")
                }
            case .revokeConsent:
                guard link.revokedAt == nil else { throw ClaimRefusal.cannotClaim("You already withdrew your consent.") }
                if link.purpose == .consent && link.answer != .accepted {
                    throw ClaimRefusal.cannotClaim("There is no consent to withdraw: you have not given it on this link.")
                }
            default:
                throw StoreError.invalid(field: "answer", "That answer was not recognised.")
            }
            let customer = Actor(role: .customer, name: "\(link.contactName) <\(link.email)>")
            let transition = try await ClaimRepository.perform(
                ClaimCommand(action, by: customer, address: address), on: link.claimID, expectedVersion: nil, in: .system,
                at: now, links: links, on: sql, flavor: db.flavor)
            if action == .revokeConsent {
                try await sql.raw("UPDATE customer_links SET revoked_at = \(bind: now), revoke_address = \(bind: address) WHERE id = \(bind: link.id)").run()
            } else {
                try await sql.raw("""
                    UPDATE customer_links SET answer = \(bind: action == .acceptConsent ? CustomerAnswer.accepted.rawValue : CustomerAnswer.declined.rawValue),
                      answered_at = \(bind: now), answer_address = \(bind: address) WHERE id = \(bind: link.id)
                    """).run()
            }
            return transition
        }
    }

    /// The customer's survey answers, from the emailed link: stored as the claim's customer survey.
    public func answerCustomerSurvey(token: String, _ answers: [SurveyAnswer], address: String, at now: Date) async throws {
        try await db.write { sql in
            guard let link = try await Self.link(hash: Secret.hash(token), on: sql, lock: db.flavor == .postgres),
                  link.purpose == .survey else { throw StoreError.notFound("This link is not known.") }
            guard link.voidedAt == nil else {
                throw ClaimRefusal.cannotClaim("This link was replaced by a newer email. Use the link in the latest email you received.")
            }
            guard link.answer == nil else { throw ClaimRefusal.cannotClaim("You already answered this survey. Thank you.") }
            guard now < link.expiresAt else {
                throw ClaimRefusal.cannotClaim("This link expired on \(DayDate(link.expiresAt).text).")
            }
            guard let claim = try await ClaimRepository.load(link.claimID, in: .system, on: sql, lock: true, flavor: db.flavor),
                  !claim.status.isTerminal else {
                throw ClaimRefusal.cannotClaim("The partner's claim is closed; your answers are no longer needed. Thank you.")
            }
            let name = "\(link.contactName) <\(link.email)>"
            try await Self.insertSurvey(.customerSurvey, answers: answers, claimID: claim.id, by: name, at: now, on: sql)
            try await sql.raw("""
                UPDATE customer_links SET answer = 'answered', answered_at = \(bind: now), answer_address = \(bind: address)
                WHERE id = \(bind: link.id)
                """).run()
            try await Self.touch(claim, expectedVersion: nil, at: now, on: sql)
            try await ClaimWriter.insertHistory([ClaimHistoryEntry(
                claimID: claim.id, at: now, action: .answerSurvey, actor: Actor(role: .customer, name: name),
                from: claim.status, to: claim.status, note: "Customer survey", address: address)], on: sql)
        }
    }

    // MARK: Pieces

    /// One change to the bundle: load with a lock, check the version, let `body` change things, then raise
    /// the version and write the history row.
    private func change(_ claimID: Int64, expectedVersion: Int?, in scope: AccessScope, by actor: Actor, at now: Date,
                        _ body: @escaping @Sendable (Claim, ClaimContext, any SQLDatabase) async throws -> (Claim, ClaimAction, String)) async throws {
        try await db.write { sql in
            guard let claim = try await ClaimRepository.load(claimID, in: scope, on: sql, lock: true, flavor: db.flavor) else {
                throw StoreError.notFound("No claim \(claimID).")
            }
            if let expectedVersion, expectedVersion != claim.version {
                throw StoreError.conflict("This claim changed since you opened it; reload to see its current state.")
            }
            let context = try await ClaimRepository.context(for: claim, on: sql)
            let (next, action, note) = try await body(claim, context, sql)
            try await Self.touch(next, expectedVersion: claim.version, at: now, on: sql)
            try await ClaimWriter.insertHistory([ClaimHistoryEntry(
                claimID: claimID, at: now, action: action, actor: actor, from: claim.status, to: claim.status, note: note)], on: sql)
        }
    }

    /// Raises the claim's version (and keeps hours and amount, which entering hours changes).
    static func touch(_ claim: Claim, expectedVersion: Int?, at now: Date, on sql: any SQLDatabase) async throws {
        let guardVersion: SQLQueryString = expectedVersion.map { " AND version = \(bind: $0)" } ?? ""
        let updated = try await sql.raw("""
            UPDATE claims SET version = version + 1, updated_at = \(bind: now), hours = \(bind: claim.hours.map { "\($0)" }),
              amount_minor = \(bind: claim.amount?.minorUnits)
            WHERE id = \(bind: claim.id)\(guardVersion) RETURNING id
            """).all()
        guard updated.count == 1 else {
            throw StoreError.conflict("This claim changed since you opened it; reload to see its current state.")
        }
    }

    static func insertSurvey(_ kind: ProofRequirement.Kind, answers: [SurveyAnswer], claimID: Int64, by name: String, at now: Date,
                             on sql: any SQLDatabase) async throws {
        let json = String(decoding: try JSONEncoder().encode(answers), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO claim_proof (claim_id, kind, file_name, added_by, added_at, answers)
            VALUES (\(bind: claimID), \(bind: kind.rawValue), NULL, \(bind: name), \(bind: now), \(bind: json))
            """).run()
    }

    /// Issues a link to the claim's first contact, voiding the unanswered links of the same purpose, and
    /// writes its email. Returns the contact.
    @discardableResult
    static func sendLink(_ purpose: CustomerLinkPurpose, for claim: Claim, expires: Date, links: ClaimLinks, now: Date,
                         on sql: any SQLDatabase) async throws -> Contact {
        guard let contact = try await contacts(of: claim.id, on: sql).first else {
            throw ClaimRefusal.cannotClaim("Add a customer contact first: the email goes to them.")
        }
        try await sql.raw("""
            UPDATE customer_links SET voided_at = \(bind: now)
            WHERE claim_id = \(bind: claim.id) AND purpose = \(bind: purpose.rawValue) AND answered_at IS NULL AND voided_at IS NULL
            """).run()
        let token = Secret.make()
        try await sql.raw("""
            INSERT INTO customer_links (claim_id, purpose, token_hash, email, contact_name, created_at, expires_at)
            VALUES (\(bind: claim.id), \(bind: purpose.rawValue), \(bind: Secret.hash(token)), \(bind: contact.email),
                    \(bind: contact.name), \(bind: now), \(bind: expires))
            """).run()
        guard let names = try await sql.raw("""
            SELECT o.name AS partner, e.name AS engagement FROM claims c
            JOIN organizations o ON o.id = c.organization_id JOIN engagements e ON e.id = c.engagement_id WHERE c.id = \(bind: claim.id)
            """).first(decoding: LinkNamesRow.self, with: .snakeCase) else { throw StoreError.notFound("No claim \(claim.id).") }
        let facts = CustomerMailFacts(
            contactName: contact.name, partnerName: names.partner, engagementName: names.engagement, claimID: claim.id,
            link: purpose == .survey ? links.survey(token) : links.consent(token),
            expires: "\(DayDate(expires).text), \(ClaimRepository.utcTime(expires)) UTC")
        let message: MailMessage = switch purpose {
        case .consent: .consentRequest(to: contact.email, facts)
        case .notice: .partnerOfRecordNotice(to: contact.email, facts)
        case .survey: .surveyRequest(to: contact.email, facts)
        }
        try await Outbox.enqueue(message, now: now, on: sql)
        return contact
    }

    static func customer(_ id: Int64, on sql: any SQLDatabase) async throws -> Customer? {
        try await sql.raw("""
            SELECT id, name, domain, tenant_id, top_parent_id, subscription_id, opportunity_id FROM customers WHERE id = \(bind: id)
            """).first(decoding: CustomerRow.self, with: .snakeCase)?.customer
    }

    /// `Contact`'s properties are its `claim_contacts` columns.
    static func contacts(of claimID: Int64, on sql: any SQLDatabase) async throws -> [Contact] {
        try await sql.raw("SELECT name, title, email FROM claim_contacts WHERE claim_id = \(bind: claimID) ORDER BY position")
            .all(decoding: Contact.self, with: .snakeCase)
    }

    static func proof(of claimID: Int64, on sql: any SQLDatabase) async throws -> [StoredProof] {
        try await sql.raw("""
            SELECT id, kind, file_name, content_type, content_hash, size_bytes, added_by, added_at, answers
            FROM claim_proof WHERE claim_id = \(bind: claimID) ORDER BY id
            """).all(decoding: ProofRow.self, with: .snakeCase).compactMap(\.proof)
    }

    static func comments(of claimID: Int64, on sql: any SQLDatabase) async throws -> [ClaimComment] {
        try await sql.raw("SELECT at, author_name, side, body FROM claim_comments WHERE claim_id = \(bind: claimID) ORDER BY id")
            .all(decoding: CommentRow.self, with: .snakeCase).map(\.comment)
    }

    static let linkColumns = """
        id, claim_id, purpose, email, contact_name, created_at, expires_at, voided_at, answer, answered_at, answer_address,
        revoked_at, revoke_address
        """

    static func links(of claimID: Int64, on sql: any SQLDatabase) async throws -> [CustomerLinkRecord] {
        try await sql.raw("SELECT \(unsafeRaw: linkColumns) FROM customer_links WHERE claim_id = \(bind: claimID) ORDER BY id")
            .all(decoding: LinkRow.self, with: .snakeCase).map(\.record)
    }

    static func link(hash: String, on sql: any SQLDatabase, lock: Bool = false) async throws -> CustomerLinkRecord? {
        let forUpdate: SQLQueryString = lock ? " FOR UPDATE" : ""
        return try await sql.raw("SELECT \(unsafeRaw: linkColumns) FROM customer_links WHERE token_hash = \(bind: hash)\(forUpdate)")
            .first(decoding: LinkRow.self, with: .snakeCase)?.record
    }
}

// MARK: Rows

/// A document's kind and name, as removing it names it in the history.
private struct ProofNameRow: Decodable {
    var kind: String
    var fileName: String?
}

/// The names a customer's email shows.
private struct LinkNamesRow: Decodable {
    var partner: String
    var engagement: String
}

/// The names the page behind a customer's link shows.
private struct LinkPageNamesRow: Decodable {
    var partner: String
    var engagement: String
    var customer: String
}

/// A `claim_proof` row; a kind this version does not know is left out, as before.
private struct ProofRow: Decodable {
    var id: Int64
    var kind: String
    var fileName: String?
    var contentType: String?
    var contentHash: String?
    var sizeBytes: Int64?
    var addedBy: String
    var addedAt: Date
    var answers: String?

    var proof: StoredProof? {
        guard let kind = ProofRequirement.Kind(rawValue: kind) else { return nil }
        let answers = answers.flatMap { try? JSONDecoder().decode([SurveyAnswer].self, from: Data($0.utf8)) } ?? []
        return StoredProof(id: id, kind: kind, fileName: fileName, contentType: contentType, contentHash: contentHash,
                           sizeBytes: sizeBytes, addedBy: addedBy, addedAt: addedAt, answers: answers)
    }
}

/// A `claim_comments` row.
private struct CommentRow: Decodable {
    var at: Date
    var authorName: String
    var side: String
    var body: String

    var comment: ClaimComment { ClaimComment(at: at, author: authorName, side: Side(rawValue: side) ?? .partner, body: body) }
}

/// A `customer_links` row (`ClaimWork.linkColumns`), never its token.
private struct LinkRow: Decodable {
    var id: Int64
    var claimId: Int64
    var purpose: String
    var email: String
    var contactName: String
    var createdAt: Date
    var expiresAt: Date
    var voidedAt: Date?
    var answer: String?
    var answeredAt: Date?
    var answerAddress: String?
    var revokedAt: Date?
    var revokeAddress: String?

    var record: CustomerLinkRecord {
        CustomerLinkRecord(
            id: id, claimID: claimId, purpose: CustomerLinkPurpose(rawValue: purpose) ?? .consent, email: email, contactName: contactName,
            createdAt: createdAt, expiresAt: expiresAt, voidedAt: voidedAt, answer: answer.flatMap(CustomerAnswer.init(rawValue:)),
            answeredAt: answeredAt, answerAddress: answerAddress, revokedAt: revokedAt, revokeAddress: revokeAddress)
    }
}

extension ClaimRepository {
    /// The emails a transition causes, written with it: a consent request on sending one, the customer's
    /// notice on a use-or-consume claim's first submission, and news for the partner of every change it
    /// did not make itself (the customer's answers, the reviewer's requests and decisions).
    static func notify(_ transition: ClaimTransition, before: Claim, context: ClaimContext, links: ClaimLinks, now: Date,
                       on sql: any SQLDatabase) async throws {
        let claim = transition.claim
        let action = transition.entry.action
        if action == .sendConsentRequest {
            // The link works until the consent deadline: after it the claim expires anyway.
            let clock = ClaimLifecycle.openClock(for: claim, policy: context.version(of: claim).deadlines, calendar: context.calendar)
            try await ClaimWork.sendLink(.consent, for: claim, expires: clock?.dueAt ?? now.addingTimeInterval(30 * 86_400),
                                         links: links, now: now, on: sql)
        }
        if action == .submit && claim.kind == .useOrConsume && before.firstSubmittedAt == nil {
            // The customer may object until approval and after it; the status rules decide, the link only identifies.
            try await ClaimWork.sendLink(.notice, for: claim, expires: now.addingTimeInterval(366 * 86_400), links: links, now: now, on: sql)
        }
        let side = transition.entry.actor.role.side
        if action == .reverse {
            try await Reversals.notice(claim, entry: transition.entry, links: links, now: now, on: sql)
        } else if side == .vendor || side == .customer {
            let who = side == .customer ? "the customer's answer" : "a reviewer's decision"
            for email in try await partnerRecipients(ofLocation: claim.locationID, on: sql) {
                try await Outbox.enqueue(.claimChanged(to: email, claimID: claim.id, claimName: claim.name, status: claim.status,
                                                       by: who, note: transition.entry.note, link: links.claim(claim.id)),
                                         now: now, on: sql)
            }
        }
    }
}
