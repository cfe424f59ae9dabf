import Foundation
import IncentivesDomain
import SQLKit

/// A location the viewer works for, with everything that decides whether it earns.
public struct LocationStanding: Sendable, Hashable {
    public var location: Location
    public var organizationName: String
    /// Enrollment per program id (a location missing from a program was never invited to it).
    public var enrollments: [Int64: EnrollmentStatus]
    public var bankProfileID: Int64?
    /// The bank profile's status and the latest tax profile's expiry.
    public var payee: PayeeStanding
    /// The location's standing on every engagement whose eligibility list it is on, by engagement id.
    public var engagements: [Int64: LocationEligibility]
    /// Deactivated by the vendor: it takes no new claims and is not offered in Add customer.
    public var deactivated = false

    /// Whether the latest tax profile is still valid at an instant; nil when there is none.
    public func taxProfileIsValid(at instant: Date) -> Bool? {
        payee.taxExpiresOn.map { TaxProfileSummary.isValid(expiresOn: $0, at: instant) }
    }

    /// How many of the engagements it is listed on it earns on at an instant.
    public func earningEngagements(at instant: Date) -> Int {
        engagements.values.filter { $0.isEarning(at: instant) }.count
    }

    /// Why the location earns on no engagement of `programID`, in words; nil when it earns on one.
    /// Checked in the order a partner fixes things: enrollment, payee profile, the lists, the criteria.
    public func notEarningReason(in programID: Int64, at instant: Date) -> String? {
        guard let enrollment = enrollments[programID] else { return "Not enrolled in the program." }
        guard enrollment == .enrolled else { return "Enrollment is \(enrollment.label.lowercased()); only enrolled locations earn." }
        if let problem = payee.problem(at: instant) { return problem }
        if engagements.isEmpty { return "Not on the eligibility list of any engagement." }
        if !engagements.values.contains(where: \.isEligible) { return "Not every partner criterion is met on any engagement." }
        return earningEngagements(at: instant) > 0 ? nil : "Not earning on any engagement."
    }
}

/// A company bank profile as the payee-profiles page shows it; the account number never leaves masked.
public struct BankProfileSummary: Sendable, Hashable {
    public var id: Int64
    public var organizationName: String
    public var holderName: String
    public var bankName: String
    public var country: String
    /// Only the last four characters, e.g. `•••• 5432`.
    public var maskedAccountNumber: String
    public var status: BankProfileStatus
    /// What to change, when the vendor asked for an update.
    public var statusReason: String?
    /// Set when a newer profile took this one's place (profiles are never deleted).
    public var replacedBy: Int64?
    /// Names of the viewer's locations paid through it.
    public var usedBy: [String]
    /// The optimistic-locking version a decision is saved over.
    public var version: Int64 = 1
    public var createdAt: Date = .distantPast

    /// Shows the last four characters of an account number, and nothing when it has four or fewer.
    public static func mask(_ accountNumber: String) -> String {
        let compact = accountNumber.filter { !$0.isWhitespace }
        return compact.count > 4 ? "•••• \(compact.suffix(4))" : "••••"
    }
}

/// A location's tax profile (there may be several over time; the latest expiry is the one that counts).
public struct TaxProfileSummary: Sendable, Hashable {
    public var id: Int64
    public var locationID: Int64
    public var locationName: String
    public var organizationName: String
    public var country: String
    public var form: String
    public var expiresOn: DayDate
    /// The location's profile with the latest expiry, the one its payee standing uses.
    public var isCurrent: Bool

    /// Valid through the whole expiry day (UTC), as `PayeeStanding` counts it.
    public func isValid(at instant: Date) -> Bool { Self.isValid(expiresOn: expiresOn, at: instant) }

    /// The domain's payee rule with the bank part taken as settled, so the expiry rule lives in one place.
    static func isValid(expiresOn: DayDate, at instant: Date) -> Bool {
        PayeeStanding(bankStatus: .approved, taxExpiresOn: expiresOn).isComplete(at: instant)
    }
}

/// Bank and tax profiles the viewer may see.
public struct PayeeProfiles: Sendable, Hashable {
    public var bankProfiles: [BankProfileSummary]
    public var taxProfiles: [TaxProfileSummary]
}

/// An engagement of the catalogue with the name of its solution area.
public struct CatalogueEntry: Sendable, Hashable {
    public var engagement: Engagement
    public var solutionArea: SolutionArea
}

/// Scoped reads behind the program's pages: engagements, eligibility, payee profiles, earnings, catalogue.
/// Partner scopes see their organization's rows on their Incentives locations only; the vendor sees all.
public struct ProgramReads: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// The program the installation runs (the first, if there were several).
    public func program() async throws -> Program? {
        try await db.read { sql in
            guard let id = try await sql.raw("SELECT MIN(id) AS id FROM programs").first(decodingColumn: "id", as: Int64?.self) ?? nil else {
                return nil
            }
            return try await CatalogueRepository.program(id, on: sql)
        }
    }

    /// The scope's locations with enrollment, payee standing and criteria per listed engagement.
    /// Every partner organization, by name (the vendor's filters).
    public func partnerOrganizations() async throws -> [PartnerOrganization] {
        try await db.read { sql in
            // `PartnerOrganization`'s properties are its columns.
            try await sql.raw("SELECT id, name FROM organizations ORDER BY name, id").all(decoding: PartnerOrganization.self, with: .snakeCase)
        }
    }

    public func locations(in scope: AccessScope, at now: Date) async throws -> [LocationStanding] {
        try await db.read { try await Self.standings(in: scope, at: now, on: $0) }
    }

    /// Engagements on whose eligibility list at least one of the scope's locations is, by solution area then name
    /// (eligible or not; the engagements page lists only those with an eligible location: `EngagementReads`).
    public func engagements(in scope: AccessScope, at now: Date) async throws -> [EngagementStanding] {
        try await db.read { try await EngagementReads.engagementStandings(in: scope, at: now, onlyEligible: false, on: $0) }
    }

    /// Bank profiles of the scope's organization that pay one of its locations (or none yet), and the
    /// tax profiles of its locations.
    public func payeeProfiles(in scope: AccessScope) async throws -> PayeeProfiles {
        try await db.read { sql in
            var usedBy: [Int64: [String]] = [:]
            for row in try await sql.raw("""
                SELECT l.bank_profile_id, l.name FROM locations l
                WHERE l.bank_profile_id IS NOT NULL AND \(scope.locationFilter("l")) ORDER BY l.name, l.id
                """).all(decoding: PaidLocationRow.self, with: .snakeCase) {
                usedBy[row.bankProfileId, default: []].append(row.name)
            }
            let banks = try await sql.raw("""
                SELECT b.id, o.name AS organization_name, b.holder_name, b.bank_name, b.country, b.account_number,
                       b.status, b.status_reason, b.replaced_by, b.version, b.created_at
                FROM bank_profiles b JOIN organizations o ON o.id = b.organization_id
                WHERE \(scope.bankProfileFilter("b"))
                ORDER BY CASE WHEN b.status = 'pending_validation' AND b.replaced_by IS NULL THEN 0 ELSE 1 END,
                         o.name, b.replaced_by IS NOT NULL, b.created_at DESC, b.id DESC
                """).all(decoding: BankSummaryRow.self, with: .snakeCase).map { try $0.summary(usedBy: usedBy[$0.id] ?? []) }
            var seen = Set<Int64>()
            let taxes = try await sql.raw("""
                SELECT t.id, t.location_id, l.name AS location_name, o.name AS organization_name, t.country, t.form, t.expires_on
                FROM tax_profiles t JOIN locations l ON l.id = t.location_id JOIN organizations o ON o.id = l.organization_id
                WHERE \(scope.locationFilter("l"))
                ORDER BY o.name, l.name, l.id, t.expires_on DESC, t.id DESC
                """).all(decoding: TaxSummaryRow.self, with: .snakeCase).map { try $0.summary(isCurrent: seen.insert($0.locationId).inserted) }
            return PayeeProfiles(bankProfiles: banks, taxProfiles: taxes)
        }
    }

    /// Every engagement with all its versions, by solution area then name (the vendor's catalogue).
    /// Engagements are assembled by `CatalogueRepository`, the one place that reads them whole.
    public func catalogue() async throws -> [CatalogueEntry] {
        try await db.read { sql in
            var areas: [Int64: SolutionArea] = [:]
            for area in try await sql.raw("SELECT id, code, name FROM solution_areas").all(decoding: SolutionArea.self, with: .snakeCase) {
                areas[area.id] = area
            }
            var entries: [CatalogueEntry] = []
            for id in try await sql.raw("""
                SELECT e.id FROM engagements e JOIN solution_areas sa ON sa.id = e.solution_area_id
                WHERE e.lifecycle <> 'draft'
                ORDER BY sa.position, sa.id, e.name, e.id
                """).all(decodingColumn: "id", as: Int64.self) {
                guard let engagement = try await CatalogueRepository.engagement(id, on: sql),
                      let area = areas[engagement.solutionAreaID] else { continue }
                entries.append(CatalogueEntry(engagement: engagement, solutionArea: area))
            }
            return entries
        }
    }

    /// Locations of the scope, each with its enrollments, payee standing and per-engagement criteria and terms
    /// (the engagement's status, last day and rates of the version in force at `instant`).
    static func standings(in scope: AccessScope, at instant: Date, on sql: any SQLDatabase) async throws -> [LocationStanding] {
        var standings = try await sql.raw("""
            SELECT l.id, l.organization_id, l.name, l.country, o.name AS organization_name, b.id AS bank_id, b.status AS bank_status,
                   CASE WHEN l.deactivated_at IS NULL THEN 0 ELSE 1 END AS deactivated,
                   (SELECT MAX(t.expires_on) FROM tax_profiles t WHERE t.location_id = l.id) AS tax_expires_on
            FROM locations l
            JOIN organizations o ON o.id = l.organization_id
            LEFT JOIN bank_profiles b ON b.id = l.bank_profile_id AND b.organization_id = l.organization_id
            WHERE \(scope.locationFilter("l"))
            ORDER BY o.name, l.name, l.id
            """).all(decoding: StandingRow.self, with: .snakeCase).map { try $0.standing() }
        let index = Dictionary(uniqueKeysWithValues: standings.enumerated().map { ($1.location.id, $0) })
        for row in try await sql.raw("""
            SELECT en.program_id, en.location_id, en.status FROM enrollments en JOIN locations l ON l.id = en.location_id
            WHERE \(scope.locationFilter("l"))
            """).all(decoding: EnrollmentRow.self, with: .snakeCase) {
            guard let i = index[row.locationId] else { continue }
            guard let status = EnrollmentStatus(rawValue: row.status) else {
                throw StoreError.corrupt("An enrollment holds an unknown status (\(row.status)).")
            }
            standings[i].enrollments[row.programId] = status
        }
        let terms = try await EngagementReads.earningTerms(in: scope, at: instant, on: sql)
        let criteria = try await EligibilitySQL.criteriaInForce(of: EligibilitySQL.listedEngagements(scope), at: instant, on: sql)
        let results = try await EligibilitySQL.results(in: scope, on: sql)
        for row in try await sql.raw("""
            SELECT ee.location_id, ee.engagement_id, e.program_id
            FROM eligibility_entries ee JOIN locations l ON l.id = ee.location_id JOIN engagements e ON e.id = ee.engagement_id
            WHERE \(scope.locationFilter("l")) AND e.lifecycle <> 'draft'
            """).all(decoding: ListedRow.self, with: .snakeCase) {
            guard let i = index[row.locationId] else { continue }
            let stored = results[EligibilitySQL.PairKey(locationID: row.locationId, engagementID: row.engagementId)] ?? [:]
            // A criterion without a result yet (new in this version) is not met.
            let list = (criteria[row.engagementId] ?? []).map { stored[$0]?.result($0, at: instant) ?? CriterionResult(criterion: $0, met: false) }
            standings[i].engagements[row.engagementId] = LocationEligibility(
                locationID: row.locationId, enrollment: standings[i].enrollments[row.programId], listed: true, criteria: list,
                payee: standings[i].payee, terms: terms[row.engagementId]?(standings[i].location.market))
        }
        return standings
    }
}

// MARK: Rows

/// A location's entry on an engagement's eligibility list, with the engagement's program.
private struct ListedRow: Decodable {
    var locationId: Int64
    var engagementId: Int64
    var programId: Int64
}

/// A location paid through a bank profile, by name.
private struct PaidLocationRow: Decodable {
    var bankProfileId: Int64
    var name: String
}

/// A bank profile as the payee-profiles page lists it.
private struct BankSummaryRow: Decodable {
    var id: Int64
    var organizationName: String
    var holderName: String
    var bankName: String
    var country: String
    var accountNumber: String
    var status: String
    var statusReason: String?
    var replacedBy: Int64?
    var version: Int64
    var createdAt: Date

    func summary(usedBy: [String]) throws -> BankProfileSummary {
        guard let status = BankProfileStatus(rawValue: status) else { throw StoreError.corrupt("Bank profile \(id) holds an unknown status.") }
        return BankProfileSummary(
            id: id, organizationName: organizationName, holderName: holderName, bankName: bankName, country: country,
            maskedAccountNumber: BankProfileSummary.mask(accountNumber), status: status, statusReason: statusReason, replacedBy: replacedBy,
            usedBy: usedBy, version: version, createdAt: createdAt)
    }
}

/// A tax profile with its location's and organization's names.
private struct TaxSummaryRow: Decodable {
    var id: Int64
    var locationId: Int64
    var locationName: String
    var organizationName: String
    var country: String
    var form: String
    var expiresOn: String

    func summary(isCurrent: Bool) throws -> TaxProfileSummary {
        guard let expires = DayDate(expiresOn) else { throw StoreError.corrupt("Tax profile \(id) holds an unreadable expiry date.") }
        return TaxProfileSummary(id: id, locationID: locationId, locationName: locationName, organizationName: organizationName,
                                 country: country, form: form, expiresOn: expires, isCurrent: isCurrent)
    }
}

/// A location with its organization's name, bank profile status and latest tax expiry.
private struct StandingRow: Decodable {
    var id: Int64
    var organizationId: Int64
    var name: String
    var country: String
    var organizationName: String
    var bankId: Int64?
    var bankStatus: String?
    var taxExpiresOn: String?
    var deactivated: Int

    func standing() throws -> LocationStanding {
        let status = bankStatus.flatMap(BankProfileStatus.init(rawValue:))
        if bankStatus != nil && status == nil { throw StoreError.corrupt("The bank profile of location \(id) holds an unknown status.") }
        return LocationStanding(
            location: Location(id: id, organizationID: organizationId, name: name, country: country), organizationName: organizationName,
            enrollments: [:], bankProfileID: bankId,
            payee: PayeeStanding(bankStatus: status, taxExpiresOn: taxExpiresOn.flatMap { DayDate($0) }), engagements: [:],
            deactivated: deactivated != 0)
    }
}

/// A location's enrollment in a program.
private struct EnrollmentRow: Decodable {
    var programId: Int64
    var locationId: Int64
    var status: String
}

extension AccessScope {
    /// The SQL that limits a query on `locations` (aliased `alias`) to the scope's locations.
    func locationFilter(_ alias: String) -> SQLQueryString {
        switch self {
        case .vendor, .system:
            return "1 = 1"
        case .partner(let organization, let locations):
            guard !locations.isEmpty else { return "1 = 0" }
            return "\(ident: alias).organization_id = \(bind: organization) AND \(ident: alias).id IN (\(Self.bindList(locations)))"
        }
    }

    /// Bank profiles of the scope's organization that pay one of its locations, or no location at all
    /// (a company-level profile not yet assigned, or one since replaced).
    func bankProfileFilter(_ alias: String) -> SQLQueryString {
        switch self {
        case .vendor, .system:
            return "1 = 1"
        case .partner(let organization, let locations):
            guard !locations.isEmpty else { return "1 = 0" }
            return """
                \(ident: alias).organization_id = \(bind: organization) AND (
                  EXISTS (SELECT 1 FROM locations bl WHERE bl.bank_profile_id = \(ident: alias).id AND bl.organization_id = \(bind: organization)
                          AND bl.id IN (\(Self.bindList(locations))))
                  OR NOT EXISTS (SELECT 1 FROM locations bu WHERE bu.bank_profile_id = \(ident: alias).id))
                """
        }
    }

    static func bindList(_ ids: Set<Int64>) -> SQLQueryString {
        var list: SQLQueryString = ""
        for (i, id) in ids.sorted().enumerated() {
            if i > 0 { list.appendLiteral(", ") }
            list.appendInterpolation(bind: id)
        }
        return list
    }
}
