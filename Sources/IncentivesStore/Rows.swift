import Foundation
import IncentivesDomain
import SQLKit

/// A `claims` row as stored.
struct ClaimRow: Codable, Sendable {
    var id: Int64
    var organizationId: Int64
    var locationId: Int64
    var engagementId: Int64
    var engagementVersion: Int
    var customerId: Int64
    var name: String
    var kind: String
    var status: String
    var isDisputeRound: Bool
    var createdAt: Date
    var updatedAt: Date
    var consentAt: Date?
    var firstSubmittedAt: Date?
    var rejectedAt: Date?
    var actionRequestedAt: Date?
    var hours: String?
    var amountMinor: Int64?
    var currency: String
    var version: Int

    static let columns = """
        id, organization_id, location_id, engagement_id, engagement_version, customer_id, name, kind, status,
        is_dispute_round, created_at, updated_at, consent_at, first_submitted_at, rejected_at, action_requested_at,
        hours, amount_minor, currency, version
        """

    func claim() throws -> Claim {
        guard let kind = ClaimKind(rawValue: kind), let status = ClaimStatus(rawValue: status) else {
            throw StoreError.corrupt("Claim \(id) holds an unknown kind or status (\(kind), \(status)).")
        }
        let currency = Currency(currency)
        return Claim(id: id, organizationID: organizationId, locationID: locationId, engagementID: engagementId,
                     engagementVersion: engagementVersion, customerID: customerId, name: name, kind: kind, status: status,
                     isDisputeRound: isDisputeRound, createdAt: createdAt, updatedAt: updatedAt, consentAt: consentAt,
                     firstSubmittedAt: firstSubmittedAt, rejectedAt: rejectedAt, actionRequestedAt: actionRequestedAt,
                     hours: hours.flatMap { Decimal(string: $0) },
                     amount: amountMinor.map { Money(minorUnits: $0, currency: currency) }, version: version)
    }
}

/// An `engagements` row; versions are loaded beside it.
struct EngagementRow: Codable, Sendable {
    var id: Int64
    var programId: Int64
    var solutionAreaId: Int64
    var name: String
    var role: String
    var type: String
    var status: String
    var lastClaimDay: String?
    var activeClaimsPerCustomer: Int
    var capMinor: Int64?
    var currency: String
}

/// An `engagement_versions` row; lists are JSON text so both dialects store them alike.
struct EngagementVersionRow: Codable, Sendable {
    var engagementId: Int64
    var number: Int
    var effectiveFrom: Date
    var payModel: String
    var rateAMinor: Int64?
    var rateBMinor: Int64?
    var rateCMinor: Int64?
    var maxHours: String?
    var consentDays: Int
    var submissionDays: Int
    var reviewDays: Int
    var disputeDays: Int
    var cporResponseDays: Int
    var description: String
    var partnerCriteria: String
    var customerCriteria: String
    var proofRequirements: String
    var resourceLinks: String

    func version(currency: Currency) throws -> EngagementVersion {
        let json = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try json.decode(type, from: Data(text.utf8)) }
        guard let payModel = PayModel(rawValue: payModel) else {
            throw StoreError.invalid(field: "pay_model", "Engagement \(engagementId) has an unknown pay model \(payModel).")
        }
        let rate = { (minor: Int64?) in minor.map { Money(minorUnits: $0, currency: currency).amount } }
        return EngagementVersion(
            number: number, effectiveFrom: effectiveFrom, payModel: payModel,
            rates: MarketRates(currency: currency, a: rate(rateAMinor), b: rate(rateBMinor), c: rate(rateCMinor)),
            maxHours: maxHours.flatMap { Decimal(string: $0) },
            deadlines: DeadlinePolicy(consentDays: consentDays, submissionDays: submissionDays, reviewDays: reviewDays,
                                      disputeDays: disputeDays, cporResponseBusinessDays: cporResponseDays),
            description: description,
            partnerCriteria: try decode([String].self, partnerCriteria),
            customerCriteria: try decode([String].self, customerCriteria),
            proofRequirements: try decode([ProofRequirement].self, proofRequirements),
            resourceLinks: try decode([ResourceLink].self, resourceLinks))
    }
}

/// The program's working calendar, stored as text ("1,7" and "2026-12-25,2027-01-01").
struct ProgramRow: Codable, Sendable {
    var id: Int64
    var name: String
    var managerName: String
    var managerEmail: String
    var weekend: String
    var holidays: String

    var program: Program {
        let weekend = Set(weekend.split(separator: ",").compactMap { Int($0) })
        let holidays = Set(holidays.split(separator: ",").compactMap { DayDate($0) })
        return Program(id: id, name: name, managerName: managerName, managerEmail: managerEmail,
                       calendar: WorkingCalendar(weekend: weekend, holidays: holidays))
    }
}

extension SQLRow {
    func decoded<T: Decodable>(_ type: T.Type) throws -> T {
        try decode(model: type, keyDecodingStrategy: .convertFromSnakeCase)
    }
}

extension AccessScope {
    /// The SQL that limits a query on `claims` (aliased `alias`) to what this scope may see.
    func claimFilter(_ alias: String = "claims") -> SQLQueryString {
        switch self {
        case .vendor, .system:
            return "1 = 1"
        case .partner(let organization, let locations):
            guard !locations.isEmpty else { return "1 = 0" }
            // Ids are integers from the session, never user text, but they are bound all the same.
            var query: SQLQueryString = "\(ident: alias).organization_id = \(bind: organization) AND \(ident: alias).location_id IN ("
            for (i, location) in locations.sorted().enumerated() {
                if i > 0 { query.appendLiteral(", ") }
                query.appendInterpolation(bind: location)
            }
            query.appendLiteral(")")
            return query
        }
    }
}

/// ISO 8601 in UTC with seconds, the form exports and APIs use.
public func iso8601UTC(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle())
}

extension String {
    /// The longest run of whole characters from the start whose sizes add up to at most `limit` (a cell's
    /// UTF-16 units, an excerpt's bytes): never half a character.
    func prefix(upTo limit: Int, measuredBy size: (Character) -> Int) -> String {
        var result = ""
        var total = 0
        for character in self {
            total += size(character)
            if total > limit { break }
            result.append(character)
        }
        return result
    }
}
