import Foundation
import IncentivesDomain
import SQLKit

/// The customer a partner is adding: one it claimed before, or one named by an id.
public enum IntakeCustomer: Sendable, Hashable {
    case existing(Int64)
    /// A customer by its ids; found in the directory (the customers table) when one matches, added otherwise.
    case named(name: String, domain: String?, tenantID: String?, subscriptionID: String?)
}

/// Everything Add customer sends when the partner commits.
public struct IntakeRequest: Sendable {
    public var kind: ClaimKind
    public var name: String
    public var organizationID: Int64
    public var locationID: Int64
    public var customer: IntakeCustomer
    public var engagementID: Int64
    public var contacts: [Contact]
    /// Why contacts outside the customer's domain are right (required when there are any).
    public var mismatchReason: String

    public init(kind: ClaimKind, name: String, organizationID: Int64, locationID: Int64, customer: IntakeCustomer,
                engagementID: Int64, contacts: [Contact], mismatchReason: String) {
        self.kind = kind; self.name = name; self.organizationID = organizationID; self.locationID = locationID
        self.customer = customer; self.engagementID = engagementID; self.contacts = contacts; self.mismatchReason = mismatchReason
    }
}

/// One engagement offered in Add customer, with whether this customer can be claimed on it.
public struct IntakeEngagement: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var solutionArea: SolutionArea
    public var option: ClaimOption
    /// The claim would take a budget past its limit: the partner is told and may still go on.
    public var budgetWarning: String? = nil
}

/// Add customer's reads and its one write (the customer, when new, and the claim, together).
public struct ClaimIntake: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// The customers the scope claimed before, by name (the "claim an existing customer" list).
    public func knownCustomers(in scope: AccessScope, limit: Int = 500) async throws -> [Customer] {
        try await db.read { sql in
            try await sql.raw("""
                SELECT id FROM customers WHERE id IN (SELECT c.customer_id FROM claims c WHERE \(scope.claimFilter("c")))
                ORDER BY name, id LIMIT \(bind: limit)
                """).all(decodingColumn: "id", as: Int64.self).asyncCompactMap { try await ClaimWork.customer($0, on: sql) }
        }
    }

    /// The customer the partner means: one it claimed before (nil when not the scope's), or the directory's
    /// match for the ids given, or nil for a customer the program has not met yet.
    public func resolve(_ customer: IntakeCustomer, in scope: AccessScope) async throws -> Customer? {
        try await db.read { sql in try await Self.resolve(customer, in: scope, on: sql) }
    }

    static func resolve(_ customer: IntakeCustomer, in scope: AccessScope, on sql: any SQLDatabase) async throws -> Customer? {
        switch customer {
        case .existing(let id):
            guard try await sql.raw("""
                SELECT c.id FROM claims c WHERE c.customer_id = \(bind: id) AND \(scope.claimFilter("c")) LIMIT 1
                """).first() != nil else { return nil }
            return try await ClaimWork.customer(id, on: sql)
        case .named(_, let domain, let tenant, let subscription):
            let match: SQLQueryString
            if let subscription { match = "subscription_id = \(bind: subscription)" }
            else if let tenant { match = "tenant_id = \(bind: tenant)" }
            else if let domain { match = "domain = \(bind: domain)" }
            else { return nil }
            guard let id = try await sql.raw("SELECT id FROM customers WHERE \(match) ORDER BY id LIMIT 1")
                .first(decodingColumn: "id", as: Int64.self) else { return nil }
            return try await ClaimWork.customer(id, on: sql)
        }
    }

    /// The engagements of the kind whose eligibility list names the location, each with whether this customer
    /// (nil: one the program has not met) can be claimed on it now, by solution area then name.
    public func options(kind: ClaimKind, locationID: Int64, customer: Customer?, in scope: AccessScope, at now: Date) async throws -> [IntakeEngagement] {
        try await db.read { sql in try await Self.options(kind: kind, locationID: locationID, customer: customer, in: scope, at: now, on: sql) }
    }

    static func options(kind: ClaimKind, locationID: Int64, customer: Customer?, contacts: [Contact]? = nil, in scope: AccessScope,
                        at now: Date, on sql: any SQLDatabase) async throws -> [IntakeEngagement] {
        guard case .partner(let organization, let locations) = scope, locations.contains(locationID),
              let standing = try await ProgramReads.standings(in: scope, at: now, on: sql).first(where: { $0.location.id == locationID })
        else { return [] }
        let role: PartnerRole = kind == .useOrConsume ? .useOrConsume : .buildIntent
        let rows = try await sql.raw("""
            SELECT e.id, a.id AS area_id, a.code, a.name AS area_name FROM engagements e
            JOIN solution_areas a ON a.id = e.solution_area_id
            WHERE e.role = \(bind: role.rawValue) AND e.lifecycle <> 'draft'
              AND e.id IN (SELECT engagement_id FROM eligibility_entries WHERE location_id = \(bind: locationID))
            ORDER BY a.position, e.name, e.id
            """).all(decoding: OfferedEngagementRow.self, with: .snakeCase)
        var claims: [Int64: [EngagementReads.CustomerFacts.ClaimFact]] = [:]
        if let customer {
            // One row per claim: the approval's earning only, not a reversal's negative line of the same claim.
            for row in try await sql.raw("""
                SELECT k.engagement_id, k.organization_id, k.location_id, k.status,
                       CASE WHEN k.consent_at IS NULL THEN 0 ELSE 1 END AS consented, ea.approved_at
                FROM claims k LEFT JOIN earnings ea ON ea.claim_id = k.id AND ea.kind = 'earning' WHERE k.customer_id = \(bind: customer.id)
                """).all(decoding: CustomerClaimRow.self, with: .snakeCase) {
                guard let status = ClaimStatus(rawValue: row.status) else { continue }
                let same = row.organizationId == organization
                claims[row.engagementId, default: []].append(.init(
                    status: status, consented: row.consented == 1, ours: same && locations.contains(row.locationId), sameOrganization: same,
                    approvedAt: row.approvedAt))
            }
        }
        var result: [IntakeEngagement] = []
        var candidates: [Budgets.Candidate] = []
        for row in rows {
            let id = row.id
            guard let engagement = try await CatalogueRepository.engagement(id, on: sql) else { continue }
            let facts = claims[id] ?? []
            // A customer the program has not met yet meets the recorded criteria by the ids the partner gives.
            let customerStanding = customer.map {
                EngagementReads.CustomerFacts.standing(of: $0, claims: facts, role: role,
                                                       criteria: engagement.version(inForceAt: now).customerCriteria, contacts: contacts, at: now)
            }
                ?? CustomerStanding(meetsCriteria: true, activeClaims: 0, consentedWithAnotherPartner: false,
                                    approvedWithThisPartner: false, approvedWithAnotherPartner: false)
            let earned = engagement.earningsCap == nil ? nil : try await ClaimRepository.earned(
                locationID: locationID, engagementID: id, currency: engagement.currentVersion.rates.currency, on: sql)
            let option = ClaimOption.decide(
                engagement: engagement, location: standing.engagements[id], market: standing.location.market, standing: customerStanding,
                otherPartnersActive: facts.filter { !$0.sameOrganization && $0.status.isActive }.count,
                earnedOnEngagement: earned, at: now)
            result.append(IntakeEngagement(id: id, name: engagement.name,
                                           solutionArea: SolutionArea(id: row.areaId, code: row.code, name: row.areaName), option: option))
            let version = engagement.version(inForceAt: now)
            if option.isOpen {
                candidates.append(.init(engagementID: id, programID: engagement.programID, currency: version.rates.currency,
                                        expectedMinor: Commitment.expectedMinor(version: version, market: standing.location.market, hours: nil)))
            }
        }
        return try await Self.applyBudgets(to: result, candidates: candidates, on: sql)
    }

    /// An open engagement whose budget is used up is refused with why; one the claim would take past its budget warns.
    private static func applyBudgets(to options: [IntakeEngagement], candidates: [Budgets.Candidate],
                                     on sql: any SQLDatabase) async throws -> [IntakeEngagement] {
        let verdicts = try await Budgets.verdicts(for: candidates, on: sql)
        guard !verdicts.isEmpty else { return options }
        return options.map { offered in
            var offered = offered
            guard let verdict = verdicts[offered.id] else { return offered }
            if let refusal = verdict.refusal { offered.option.refusal = refusal }
            if let warning = verdict.warning {
                offered.budgetWarning = warning
                offered.option.notes.append(warning)
            }
            return offered
        }
    }

    /// Adds the customer (when new) and the claim in one transaction, after deciding again everything the
    /// pages showed: the location is the viewer's, the engagement open to this customer, the contacts at the
    /// customer's domain or explained. A competing use-or-consume claim is accepted and flagged, with the
    /// claims it competes with, for a reviewer to arbitrate.
    public func create(_ request: IntakeRequest, by actor: Actor, in scope: AccessScope, at now: Date) async throws -> Claim {
        try request.checkLimits()
        guard case .partner(let organization, let locations) = scope, organization == request.organizationID,
              locations.contains(request.locationID) else {
            throw StoreError.notFound("That location is not one you hold a role on.")
        }
        let flavor = db.flavor
        return try await db.write { sql in
            // On PostgreSQL two intakes of one customer run one after the other from here: each sees the other's
            // claim (limits, competition) and only one adds a new customer record.
            let existing: Int64? = if case .existing(let id) = request.customer { id } else { nil }
            try await TransactionLocks.customer(request.customer, record: existing, on: sql, flavor: flavor)
            // The budgets the claim is checked against can't change until it is stored (nothing is stored when refused).
            if flavor == .postgres, let engagement = try await Budgets.engagementIfAny(request.engagementID, on: sql) {
                try await TransactionLocks.budget(program: engagement.programID, currency: engagement.currency, on: sql, flavor: flavor)
            }
            // A location the vendor deactivated takes no new claims (its claims and earnings stay).
            let deactivated = try await sql.raw("""
                SELECT id FROM locations WHERE id = \(bind: request.locationID) AND deactivated_at IS NOT NULL
                """).first()
            if deactivated != nil { throw PartnerRefusal("This location is deactivated; it takes no new claims.") }
            var customer = try await Self.resolve(request.customer, in: scope, on: sql)
            if customer == nil, case .existing = request.customer { throw StoreError.notFound("No such customer.") }
            if let customer, existing == nil { try await TransactionLocks.customerRecord(customer.id, on: sql, flavor: flavor) }
            // Decided before a new customer is recorded (nothing to store when refused), and again with the contacts below.
            try await Self.decide(request, customer: customer, contacts: nil, in: scope, at: now, on: sql)
            guard !request.contacts.isEmpty || request.kind == .useOrConsume else {
                throw StoreError.invalid(field: "contact_name_1", "Give at least one customer contact: consent and surveys go to them.")
            }
            if customer == nil, case .named(let name, let domain, let tenant, let subscription) = request.customer {
                let named = name.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !named.isEmpty, named.count <= 200 else {
                    throw StoreError.invalid(field: "customer_name", "Give the customer's name as it should appear on the claim.")
                }
                // Only the ids the partner gave are recorded: a domain read off a contact's address would be the partner's
                // word, and the directory is shared, so it could send other partners' intakes of that domain here.
                let id = try await sql.raw("""
                    INSERT INTO customers (name, domain, tenant_id, subscription_id, created_at)
                    VALUES (\(bind: named), \(bind: domain), \(bind: tenant), \(bind: subscription), \(bind: now)) RETURNING id
                    """).first(decodingColumn: "id", as: Int64.self)!
                customer = try await ClaimWork.customer(id, on: sql)
            }
            guard let customer else { throw StoreError.notFound("No such customer.") }
            let option = try await Self.decide(request, customer: customer, contacts: request.contacts, in: scope, at: now, on: sql)
            // A customer known by its tenant alone: the first contact's domain is what the others are checked against.
            let reference = customer.domain ?? request.contacts.first.flatMap { CustomerIntake.emailDomain($0.email) }
            let foreign = CustomerIntake.foreignContacts(request.contacts, customerDomain: reference)
            let reason = request.mismatchReason.trimmingCharacters(in: .whitespacesAndNewlines)
            if !foreign.isEmpty && reason.isEmpty {
                throw StoreError.invalid(field: "mismatch_reason",
                    "\(foreign.map(\.email).joined(separator: ", ")) \(foreign.count == 1 ? "is" : "are") not at \(reference ?? "the customer's domain"). Say why \(foreign.count == 1 ? "this contact speaks" : "these contacts speak") for the customer.")
            }
            let note = foreign.isEmpty ? nil : "Contacts outside \(reference ?? "the customer's domain"): \(reason)"
            let claim = try await ClaimRepository.create(
                NewClaim(organizationID: organization, locationID: request.locationID, customerID: customer.id,
                         engagementID: request.engagementID, name: request.name, kind: request.kind),
                contacts: request.contacts, by: actor, note: note, at: now, on: sql)
            if option.competing {
                try await sql.raw("""
                    UPDATE claims SET arbitration = 'pending'
                    WHERE customer_id = \(bind: customer.id) AND engagement_id = \(bind: request.engagementID)
                      AND status NOT IN (\(unsafeRaw: ClaimStatus.allCases.filter(\.isTerminal).map { "'\($0.rawValue)'" }.joined(separator: ", ")))
                    """).run()
            }
            return claim
        }
    }
}

extension ClaimIntake {
    /// The option of the request's engagement for the customer, or its refusal thrown.
    @discardableResult
    static func decide(_ request: IntakeRequest, customer: Customer?, contacts: [Contact]?, in scope: AccessScope, at now: Date,
                       on sql: any SQLDatabase) async throws -> ClaimOption {
        let option = try await options(kind: request.kind, locationID: request.locationID, customer: customer, contacts: contacts,
                                       in: scope, at: now, on: sql).first { $0.id == request.engagementID }?.option
        guard let option else { throw StoreError.notFound("That engagement is not open to this location.") }
        if let refusal = option.refusal { throw ClaimRefusal.cannotClaim(refusal) }
        return option
    }
}

/// An engagement of the location's lists, with its solution area.
private struct OfferedEngagementRow: Decodable {
    var id: Int64
    var areaId: Int64
    var code: String
    var areaName: String
}

/// A claim on the customer, by any partner: what its standing on the engagement counts.
private struct CustomerClaimRow: Decodable {
    var engagementId: Int64
    var organizationId: Int64
    var locationId: Int64
    var status: String
    var consented: Int
    var approvedAt: Date?
}

extension Array {
    func asyncCompactMap<T>(_ transform: (Element) async throws -> T?) async rethrows -> [T] {
        var result: [T] = []
        for element in self { if let value = try await transform(element) { result.append(value) } }
        return result
    }
}
