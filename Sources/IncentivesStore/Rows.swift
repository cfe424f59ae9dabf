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
            customerCriteria: try decode([CustomerCriterion].self, customerCriteria),
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

// MARK: Decoding rows
//
// A query of two or more columns decodes into a `Decodable` row struct, declared next to the query (here when several
// files read it), whose camelCase properties name the snake_case columns: `organization_id` is `organizationId` (spell
// `Id`, not `ID`, or the key misses). An optional property whose column the query does not select decodes as nil, so
// a row struct declares exactly the columns its query names. Stored status strings stay `String` in the row and are
// checked into the domain's enum where the row becomes a domain value (an unknown one is `StoreError.corrupt`).
// A single column (an id from RETURNING, a COUNT, a list of ids) is read by name with `first/all(decodingColumn:)`.
// The hottest lists (the claims list and the API's, the engagements board's criteria, earnings pages and exports)
// decode by hand: SQLKit's row decoder looks each key up twice and builds its column name, every key of every row; in
// a quick check (debug build, SQLite) a claims-list row took over five times as long to decode that way.

extension SQLRowDecoder {
    /// The decoder of every row struct: camelCase properties for snake_case columns. SQLKit's `.convertFromSnakeCase`
    /// walks Characters and their Unicode properties for every key of every row (a release build here: about 4 µs a key,
    /// on a busy machine); converting ASCII bytes takes a fifteenth of that and maps the names row structs use alike.
    static let snakeCase = SQLRowDecoder(keyDecodingStrategy: .custom { path in
        SomeCodingKey(stringValue: snakeCased(path.last?.stringValue ?? ""))
    })

    /// `organizationId` → `organization_id`, `rateAMinor` → `rate_a_minor`: an underscore before each ASCII capital.
    static func snakeCased(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 &- 65 < 26 }) else { return key }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(key.utf8.count + 4)
        for byte in key.utf8 {
            if byte &- 65 < 26 {
                bytes.append(UInt8(ascii: "_"))
                bytes.append(byte + 32)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension SQLRow {
    /// This row as a row struct (for rows already at hand, such as a leased batch).
    func decoded<T: Decodable>(_ type: T.Type) throws -> T {
        try decode(model: type, with: .snakeCase)
    }
}

/// A `locations` row.
struct LocationRow: Decodable {
    var id: Int64
    var organizationId: Int64
    var name: String
    var country: String

    var location: Location { Location(id: id, organizationID: organizationId, name: name, country: country) }
}

/// A `customers` row.
struct CustomerRow: Decodable {
    var id: Int64
    var name: String
    var domain: String?
    var tenantId: String?
    var topParentId: String?
    var subscriptionId: String?
    var opportunityId: String?

    var customer: Customer {
        Customer(id: id, name: name, domain: domain, tenantID: tenantId, topParentID: topParentId, subscriptionID: subscriptionId,
                 opportunityID: opportunityId)
    }
}

/// How many rows stand in each status (`SELECT status, COUNT(*) AS n ... GROUP BY status`).
struct StatusCountRow: Decodable {
    var status: String
    var n: Int
}

extension AccessScope {
    /// The SQL that limits a query on `claims` (aliased `alias`) to what this scope may see.
    func claimFilter(_ alias: String = "claims") -> SQLQueryString {
        filter(organization: "\(ident: alias).organization_id", location: "\(ident: alias).location_id")
    }

    /// What this scope may see, stated on any two expressions: a partner's organization and locations, nothing for a
    /// partner without locations, everything for the vendor.
    func filter(organization organizationColumn: SQLQueryString, location locationColumn: SQLQueryString) -> SQLQueryString {
        switch self {
        case .vendor, .system:
            return "1 = 1"
        case .partner(let organization, let locations):
            guard !locations.isEmpty else { return "1 = 0" }
            // Ids are integers from the session, never user text, but they are bound all the same.
            return "\(organizationColumn) = \(bind: organization) AND \(locationColumn) IN (\(boundList: locations.sorted()))"
        }
    }
}

extension SQLQueryString {
    /// `?, ?, ...`: each id bound, in order.
    mutating func appendInterpolation(boundList ids: [Int64]) {
        for (i, id) in ids.enumerated() {
            if i > 0 { appendLiteral(", ") }
            appendInterpolation(bind: id)
        }
    }
}

/// ISO 8601 in UTC with seconds, the form exports and APIs use.
public func iso8601UTC(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle())
}

/// `iso8601UTC(date)` appended to `out` as bytes (`2026-11-25T09:46:40Z`) by arithmetic (`RFC3339`): an export writes
/// millions. Years outside 1900-9999 (where calendars disagree on old dates, or the year takes more digits) go through
/// `iso8601UTC`.
func appendISO8601UTC(_ date: Date, to out: inout [UInt8]) {
    let t = date.timeIntervalSince1970
    guard t >= -2_208_988_800, t < 253_402_300_800 else { return out.append(contentsOf: iso8601UTC(date).utf8) }
    RFC3339.append(date, to: &out)
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
