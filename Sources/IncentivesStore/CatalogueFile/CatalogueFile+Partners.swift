import Foundation
import IncentivesDomain
import SQLKit
import Yams

/// The partners and eligibility lists of the catalogue file: read from the database, written as YAML, and applied.
extension CatalogueFile {
    // MARK: From the database

    private struct OrganizationRow: Decodable {
        var id: Int64, name: String, createdAt: Date, deactivatedAt: Date?, deactivationReason: String?
    }

    private struct LocationRow: Decodable {
        var organizationId: Int64, name: String, country: String, deactivatedAt: Date?, deactivationReason: String?, enrollment: String?
    }

    static func deactivation(_ at: Date?, _ reason: String?) -> Deactivation? {
        guard let at else { return nil }
        return Deactivation(at: at, reason: reason ?? "")
    }

    /// Every partner organization by name, with its locations by name and their enrollment in `programID`.
    static func partners(programID: Int64?, on sql: any SQLDatabase) async throws -> [CatalogueDocument.PartnerEntry] {
        let organizations = try await sql.raw("""
            SELECT id, name, created_at, deactivated_at, deactivation_reason FROM organizations ORDER BY name, id
            """).all(decoding: OrganizationRow.self, with: .snakeCase)
        let locations = Dictionary(grouping: try await sql.raw("""
            SELECT l.organization_id, l.name, l.country, l.deactivated_at, l.deactivation_reason, en.status AS enrollment
            FROM locations l LEFT JOIN enrollments en ON en.location_id = l.id AND en.program_id = \(bind: programID ?? 0)
            ORDER BY l.name, l.id
            """).all(decoding: LocationRow.self, with: .snakeCase), by: \.organizationId)
        return organizations.map { o in
            .init(name: o.name, since: o.createdAt, deactivated: deactivation(o.deactivatedAt, o.deactivationReason),
                  locations: (locations[o.id] ?? []).map { l in
                      .init(name: l.name, country: l.country, deactivated: deactivation(l.deactivatedAt, l.deactivationReason),
                            enrollment: l.enrollment.flatMap(EnrollmentStatus.init(rawValue:)))
                  })
        }
    }

    private struct ResultRow: Decodable {
        var organization: String, location: String, listedAt: Date?, listedByName: String?
        var criterion: String?, status: String?, expiresOn: String?, evidence: String?, setByName: String?, setAt: Date?
    }

    /// An engagement's list: listed locations and every location with a stored result, criteria in the order they were set.
    static func eligibility(of engagementID: Int64, on sql: any SQLDatabase) async throws -> [CatalogueDocument.ListedLocation] {
        let rows = try await sql.raw("""
            SELECT o.name AS organization, l.name AS location, ee.listed_at, ee.listed_by_name,
                   lc.criterion, lc.status, lc.expires_on, lc.evidence, lc.set_by_name, lc.set_at
            FROM locations l JOIN organizations o ON o.id = l.organization_id
            LEFT JOIN eligibility_entries ee ON ee.location_id = l.id AND ee.engagement_id = \(bind: engagementID)
            LEFT JOIN location_criteria lc ON lc.location_id = l.id AND lc.engagement_id = \(bind: engagementID)
            WHERE ee.location_id IS NOT NULL OR lc.location_id IS NOT NULL
            ORDER BY o.name, o.id, l.name, l.id, lc.position
            """).all(decoding: ResultRow.self, with: .snakeCase)
        var listed: [CatalogueDocument.ListedLocation] = []
        for row in rows {
            if listed.last.map({ $0.partner != row.organization || $0.location != row.location }) ?? true {
                listed.append(.init(partner: row.organization, location: row.location, listedAt: row.listedAt, listedBy: row.listedByName,
                                    criteria: []))
            }
            guard let criterion = row.criterion, let status = row.status.flatMap(CriterionStatus.init(rawValue:)) else { continue }
            listed[listed.count - 1].criteria.append(.init(criterion: criterion, status: status, expiresOn: row.expiresOn.flatMap { DayDate($0) },
                                                           evidence: row.evidence, setBy: row.setByName, setAt: row.setAt))
        }
        return listed
    }

    // MARK: As YAML

    static func partnerNode(_ p: CatalogueDocument.PartnerEntry) -> Node {
        var pairs: [(String, Node)] = [("name", text(p.name))]
        if let since = p.since { pairs.append(("since", Node(instant(since)))) }
        if let off = p.deactivated { pairs.append(("deactivated", deactivationNode(off))) }
        pairs.append(("locations", Node(p.locations.map { l in
            var fields: [(String, Node)] = [("name", text(l.name)), ("country", Node(l.country))]
            if let enrollment = l.enrollment { fields.append(("enrollment", Node(enrollment.rawValue))) }
            if let off = l.deactivated { fields.append(("deactivated", deactivationNode(off))) }
            return map(fields)
        })))
        return map(pairs)
    }

    static func deactivationNode(_ off: Deactivation) -> Node { map([("at", Node(instant(off.at))), ("reason", text(off.reason))]) }

    static func listedNode(_ l: CatalogueDocument.ListedLocation) -> Node {
        var pairs: [(String, Node)] = [("partner", text(l.partner)), ("location", text(l.location))]
        if let at = l.listedAt { pairs.append(("listed_at", Node(instant(at)))) }
        if let by = l.listedBy { pairs.append(("listed_by", text(by))) }
        pairs.append(("criteria", Node(l.criteria.map { c in
            var fields: [(String, Node)] = [("criterion", text(c.criterion)), ("status", Node(c.status.rawValue))]
            if let day = c.expiresOn { fields.append(("expires_on", Node(day.description))) }
            if let evidence = c.evidence { fields.append(("evidence", text(evidence))) }
            if let by = c.setBy { fields.append(("set_by", text(by))) }
            if let at = c.setAt { fields.append(("set_at", Node(instant(at)))) }
            return map(fields)
        })))
        return map(pairs)
    }

    // MARK: Into an empty database

    /// Writes the partners; returns each location's id by partner and location name.
    static func applyPartners(_ partners: [CatalogueDocument.PartnerEntry], programID: Int64?, record: Recorder, at now: Date,
                              on sql: any SQLDatabase) async throws -> [PlaceKey: Int64] {
        var ids: [PlaceKey: Int64] = [:]
        for p in partners {
            let organizationID = try await sql.raw("""
                INSERT INTO organizations (name, created_at, deactivated_at, deactivation_reason)
                VALUES (\(bind: p.name), \(bind: p.since ?? now), \(bind: p.deactivated?.at), \(bind: p.deactivated?.reason))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) ?? 0
            try await record(.organization, organizationID, p.name, organizationID, nil, nil)
            for l in p.locations {
                let locationID = try await sql.raw("""
                    INSERT INTO locations (organization_id, name, country, deactivated_at, deactivation_reason)
                    VALUES (\(bind: organizationID), \(bind: l.name), \(bind: l.country), \(bind: l.deactivated?.at), \(bind: l.deactivated?.reason))
                    RETURNING id
                    """).first(decodingColumn: "id", as: Int64.self) ?? 0
                ids[PlaceKey(partner: p.name, location: l.name)] = locationID
                if let programID, let enrollment = l.enrollment {
                    try await sql.raw("""
                        INSERT INTO enrollments (program_id, location_id, status, updated_at)
                        VALUES (\(bind: programID), \(bind: locationID), \(bind: enrollment.rawValue), \(bind: now))
                        """).run()
                }
                try await record(.location, locationID, "\(p.name) / \(l.name), \(l.country)", organizationID, locationID, nil)
            }
        }
        return ids
    }

    /// Writes an engagement's list entries and criteria results as the file has them (who set them and when included).
    static func applyEligibility(_ listed: [CatalogueDocument.ListedLocation], engagementID: Int64, locations: [PlaceKey: Int64],
                                 at now: Date, on sql: any SQLDatabase) async throws {
        for entry in listed {
            guard let locationID = locations[PlaceKey(partner: entry.partner, location: entry.location)] else { continue }
            if let listedAt = entry.listedAt {
                try await sql.raw("""
                    INSERT INTO eligibility_entries (engagement_id, location_id, listed_at, listed_by, listed_by_name)
                    VALUES (\(bind: engagementID), \(bind: locationID), \(bind: listedAt), NULL, \(bind: entry.listedBy ?? "Imported"))
                    """).run()
            }
            for (position, c) in entry.criteria.enumerated() {
                try await sql.raw("""
                    INSERT INTO location_criteria (location_id, engagement_id, position, criterion, met, status, expires_on, evidence,
                                                   set_by, set_by_name, set_at)
                    VALUES (\(bind: locationID), \(bind: engagementID), \(bind: position), \(bind: c.criterion),
                            \(bind: c.status.isMet(expiresOn: c.expiresOn, at: now)), \(bind: c.status.rawValue), \(bind: c.expiresOn?.description),
                            \(bind: c.evidence), NULL, \(bind: c.setBy), \(bind: c.setAt))
                    """).run()
            }
        }
    }

    /// A location as the file names it.
    struct PlaceKey: Hashable { var partner: String; var location: String }

    /// Records one imported record in the program's history: subject, id, detail, organization, location, engagement.
    typealias Recorder = (ProgramChange.Subject, Int64, String, Int64?, Int64?, Int64?) async throws -> Void
}
