import Foundation
import IncentivesDomain
import SQLKit

/// A partner location as the vendor's partner pages show it: where it is, whether it is deactivated, its enrollment
/// per program and how many people hold Incentives admin on it (they receive the enrollment invitation).
public struct PartnerLocation: Sendable, Hashable {
    public var id: Int64
    public var organizationID: Int64
    public var name: String
    public var country: String
    public var deactivation: Deactivation?
    public var enrollments: [Int64: EnrollmentStatus] = [:]
    public var incentivesAdmins = 0

    public var market: Market { Market(country: country) }
}

/// A partner organization with its locations and counts, for the list and the head of its page.
public struct PartnerSummary: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var createdAt: Date
    public var deactivation: Deactivation?
    public var locations: [PartnerLocation] = []
    public var users = 0
    public var openClaims = 0
}

/// Everything an organization's page shows: the summary, its users, its history and the program it enrolls in.
public struct PartnerFile: Sendable {
    public var summary: PartnerSummary
    public var users: [UserRecord]
    public var history: [ProgramChange]
    /// The installation's program (nil before one is set up): enrollment invitations are to it.
    public var program: (id: Int64, name: String)?
}

/// Which organizations the list shows.
public enum PartnerFilter: String, CaseIterable, Sendable {
    case all, active, deactivated
}

/// The vendor's directory of partner organizations and locations: created, edited, deactivated and reactivated by
/// the program manager, read by reviewers. Vendor data: a partner reads none of it here. Every change writes a
/// `ProgramChange` in its own transaction.
public struct PartnerDirectory: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    // MARK: Reads

    /// Organizations by name, with their locations, enrollments and counts; `search` matches part of the name.
    public func list(search: String = "", filter: PartnerFilter = .all, by viewer: Viewer) async throws -> [PartnerSummary] {
        try Self.requireReader(viewer)
        let key = PartnerRules.nameKey(search.trimmingCharacters(in: .whitespaces))
        return try await db.read { try await Self.summaries(nil, on: $0) }.filter { summary in
            guard key.isEmpty || PartnerRules.nameKey(summary.name).contains(key) else { return false }
            switch filter {
            case .all: return true
            case .active: return summary.deactivation == nil
            case .deactivated: return summary.deactivation != nil
            }
        }
    }

    /// One organization with everything its page shows; nil for an unknown id (and for any partner viewer).
    public func organization(_ id: Int64, by viewer: Viewer) async throws -> PartnerFile? {
        guard viewer.vendorRole != nil else { return nil }
        return try await db.read { sql in
            guard let summary = try await Self.summaries(id, on: sql).first else { return nil }
            let users = try await UserRepository.records(where: "u.organization_id = \(bind: id)", on: sql)
            return PartnerFile(summary: summary, users: users, history: try await Self.history(of: id, on: sql),
                               program: try await Self.program(on: sql))
        }
    }

    /// One location with its enrollments; nil for an unknown id (and for any partner viewer).
    public func location(_ id: Int64, by viewer: Viewer) async throws -> PartnerLocation? {
        guard viewer.vendorRole != nil else { return nil }
        return try await db.read { sql in
            let organization = try await sql.raw("SELECT organization_id FROM locations WHERE id = \(bind: id)")
                .first(decodingColumn: "organization_id", as: Int64.self)
            guard let organization else { return nil }
            return try await Self.summaries(organization, on: sql).first?.locations.first { $0.id == id }
        }
    }

    /// The organization with this name (case-insensitively), for the command line.
    public func organizationID(named name: String, by viewer: Viewer) async throws -> Int64? {
        try await list(by: viewer).first { PartnerRules.nameKey($0.name) == PartnerRules.nameKey(name.trimmingCharacters(in: .whitespaces)) }?.id
    }

    // MARK: Shared SQL

    static func requireReader(_ viewer: Viewer) throws {
        guard viewer.vendorRole != nil else { throw StoreError.notFound("No such partner organization.") }
    }

    static func requireManager(_ viewer: Viewer) throws {
        try requireReader(viewer)
        guard viewer.vendorRole == .programManager else {
            throw PartnerRefusal(.notYourRole, "Only the program manager changes partner organizations and locations.")
        }
    }

    /// The installation's program: the first.
    static func program(on sql: any SQLDatabase) async throws -> (id: Int64, name: String)? {
        let row = try await sql.raw("SELECT id, name FROM programs ORDER BY id LIMIT 1").first(decoding: PartnerProgramRow.self)
        return row.map { ($0.id, $0.name) }
    }

    static func history(of organizationID: Int64, on sql: any SQLDatabase) async throws -> [ProgramChange] {
        // The organization's own entries and those of its locations and enrollments: all carry its id.
        try await ProgramChanges.entries(where: "organization_id = \(bind: organizationID)", on: sql)
    }

    /// The organizations (all, or the one `id` names) with locations, enrollments, admins and counts.
    static func summaries(_ id: Int64?, on sql: any SQLDatabase) async throws -> [PartnerSummary] {
        let only: SQLQueryString = id.map { (id: Int64) -> SQLQueryString in "o.id = \(bind: id)" } ?? "1 = 1"
        var summaries = try await sql.raw("""
            SELECT o.id, o.name, o.created_at, o.deactivated_at, o.deactivation_reason FROM organizations o WHERE \(only) ORDER BY o.name, o.id
            """).all(decoding: PartnerOrganizationRow.self, with: .snakeCase).map(\.summary)
        guard !summaries.isEmpty else { return [] }
        var locations = try await sql.raw("""
            SELECT l.id, l.organization_id, l.name, l.country, l.deactivated_at, l.deactivation_reason FROM locations l
            JOIN organizations o ON o.id = l.organization_id WHERE \(only) ORDER BY l.name, l.id
            """).all(decoding: PartnerLocationRow.self, with: .snakeCase).map(\.location)
        let enrollments = try await sql.raw("""
            SELECT en.program_id, en.location_id, en.status FROM enrollments en JOIN locations l ON l.id = en.location_id
            JOIN organizations o ON o.id = l.organization_id WHERE \(only)
            """).all(decoding: PartnerEnrollmentRow.self, with: .snakeCase)
        let admins = try await counts("""
            SELECT r.location_id AS ref, COUNT(*) AS n FROM user_location_roles r JOIN locations l ON l.id = r.location_id
            JOIN organizations o ON o.id = l.organization_id WHERE r.role = 'incentives_admin' AND \(only) GROUP BY r.location_id
            """, on: sql)
        for i in locations.indices {
            locations[i].incentivesAdmins = admins[locations[i].id] ?? 0
            for row in enrollments where row.locationId == locations[i].id {
                locations[i].enrollments[row.programId] = EnrollmentStatus(rawValue: row.status)
            }
        }
        let users = try await counts("""
            SELECT o.id AS ref, COUNT(*) AS n FROM users u JOIN organizations o ON o.id = u.organization_id WHERE \(only) GROUP BY o.id
            """, on: sql)
        // Added up from claim_counts (kept by triggers, migration 8): the open statuses' rows, not every claim.
        let open = ClaimStatus.allCases.filter { !$0.isTerminal }.map { SQLQueryString("\(bind: $0.rawValue)") }
        let openClaims = try await counts("""
            SELECT k.organization_id AS ref, CAST(SUM(k.n) AS BIGINT) AS n FROM claim_counts k JOIN organizations o ON o.id = k.organization_id
            WHERE \(only) AND k.status IN (\(open.joined(separator: ", "))) GROUP BY k.organization_id
            """, on: sql)
        let byOrganization = Dictionary(grouping: locations, by: \.organizationID)
        for i in summaries.indices {
            summaries[i].locations = byOrganization[summaries[i].id] ?? []
            summaries[i].users = users[summaries[i].id] ?? 0
            summaries[i].openClaims = openClaims[summaries[i].id] ?? 0
        }
        return summaries
    }

    private static func counts(_ query: SQLQueryString, on sql: any SQLDatabase) async throws -> [Int64: Int] {
        Dictionary(uniqueKeysWithValues: try await sql.raw(query).all(decoding: PartnerCountRow.self).map { ($0.ref, $0.n) })
    }
}

// MARK: Rows

private struct PartnerProgramRow: Decodable {
    var id: Int64
    var name: String
}

private struct PartnerCountRow: Decodable {
    var ref: Int64
    var n: Int
}

private struct PartnerEnrollmentRow: Decodable {
    var programId: Int64
    var locationId: Int64
    var status: String
}

/// An organization's columns; deactivated when `deactivated_at` is set.
private struct PartnerOrganizationRow: Decodable {
    var id: Int64
    var name: String
    var createdAt: Date
    var deactivatedAt: Date?
    var deactivationReason: String?

    var summary: PartnerSummary {
        PartnerSummary(id: id, name: name, createdAt: createdAt, deactivation: Deactivation(deactivatedAt, deactivationReason))
    }
}

/// A location's columns.
struct PartnerLocationRow: Decodable {
    var id: Int64
    var organizationId: Int64
    var name: String
    var country: String
    var deactivatedAt: Date?
    var deactivationReason: String?

    var location: PartnerLocation {
        PartnerLocation(id: id, organizationID: organizationId, name: name, country: country,
                        deactivation: Deactivation(deactivatedAt, deactivationReason))
    }
}

extension Deactivation {
    /// From the two columns; nil while `deactivated_at` is empty.
    init?(_ at: Date?, _ reason: String?) {
        guard let at else { return nil }
        self.init(at: at, reason: reason ?? "")
    }
}
