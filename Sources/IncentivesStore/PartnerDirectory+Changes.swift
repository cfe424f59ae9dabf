import Foundation
import IncentivesDomain
import SQLKit

/// The program manager's changes to organizations and locations: each one transaction with its history entry.
extension PartnerDirectory {
    /// Adds an organization; returns its id.
    public func addOrganization(name: String, by viewer: Viewer, now: Date) async throws -> Int64 {
        try Self.requireManager(viewer)
        return try await db.write { [db] sql in
            try await TransactionLocks.partnerNames(on: sql, flavor: db.flavor)
            let name = try PartnerRules.organization(name: name, taken: try await Self.organizationNames(except: nil, on: sql))
            guard let id = try await sql.raw("""
                INSERT INTO organizations (name, created_at) VALUES (\(bind: name), \(bind: now)) RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) else { throw StoreError.conflict("The organization could not be added.") }
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .organization, subjectID: id, action: "created",
                                                          organizationID: id, detail: "Name: \(name)"), on: sql)
            return id
        }
    }

    /// Renames an organization; nothing is written when the name is the same.
    public func renameOrganization(_ id: Int64, to name: String, by viewer: Viewer, now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write { [db] sql in
            try await TransactionLocks.partnerNames(on: sql, flavor: db.flavor)
            let current = try await Self.lockedOrganization(id, on: sql, flavor: db.flavor)
            let name = try PartnerRules.organization(name: name, taken: try await Self.organizationNames(except: id, on: sql))
            guard name != current.name else { return }
            try await sql.raw("UPDATE organizations SET name = \(bind: name) WHERE id = \(bind: id)").run()
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .organization, subjectID: id, action: "renamed",
                                                          organizationID: id, detail: "Name: \(current.name) → \(name)"), on: sql)
        }
    }

    /// Adds a location to an active organization; returns its id.
    public func addLocation(organization organizationID: Int64, name: String, country: String, by viewer: Viewer, now: Date) async throws -> Int64 {
        try Self.requireManager(viewer)
        return try await db.write { [db] sql in
            let organization = try await Self.lockedOrganization(organizationID, on: sql, flavor: db.flavor)
            let checked = try PartnerRules.location(name: name, country: country,
                                                    taken: try await Self.locationNames(organizationID, except: nil, on: sql))
            if organization.deactivation != nil { throw PartnerRefusal("The organization is deactivated; reactivate it first.") }
            guard let id = try await sql.raw("""
                INSERT INTO locations (organization_id, name, country)
                VALUES (\(bind: organizationID), \(bind: checked.name), \(bind: checked.country.code))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) else { throw StoreError.conflict("The location could not be added.") }
            try await ProgramChanges.record(ProgramChange(
                by: viewer, at: now, subject: .location, subjectID: id, action: "created", organizationID: organizationID, locationID: id,
                detail: "\(checked.name), \(checked.country.code) (\(checked.country.market.label))"), on: sql)
            return id
        }
    }

    /// Changes a location's name and country; nothing is written when both are the same.
    public func editLocation(_ id: Int64, name: String, country: String, by viewer: Viewer, now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write { [db] sql in
            let location = try await Self.location(id, on: sql)
            _ = try await Self.lockedOrganization(location.organizationID, on: sql, flavor: db.flavor)
            let checked = try PartnerRules.location(name: name, country: country,
                                                    taken: try await Self.locationNames(location.organizationID, except: id, on: sql))
            var changes: [String] = []
            if checked.name != location.name { changes.append("Name: \(location.name) → \(checked.name)") }
            if checked.country.code != location.country {
                changes.append("Country: \(location.country) → \(checked.country.code) (\(checked.country.market.label))")
            }
            guard !changes.isEmpty else { return }
            try await sql.raw("""
                UPDATE locations SET name = \(bind: checked.name), country = \(bind: checked.country.code) WHERE id = \(bind: id)
                """).run()
            try await ProgramChanges.record(ProgramChange(
                by: viewer, at: now, subject: .location, subjectID: id, action: "edited", organizationID: location.organizationID,
                locationID: id, detail: changes.joined(separator: "; ")), on: sql)
        }
    }

    /// Deactivates an organization and, with the same instant and reason, each of its active locations.
    public func deactivateOrganization(_ id: Int64, reason: String, by viewer: Viewer, now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write { [db] sql in
            let organization = try await Self.lockedOrganization(id, on: sql, flavor: db.flavor)
            let off = try PartnerRules.deactivating(organization.deactivation, reason: reason, at: now, what: "organization")
            try await sql.raw("""
                UPDATE organizations SET deactivated_at = \(bind: off.at), deactivation_reason = \(bind: off.reason) WHERE id = \(bind: id)
                """).run()
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .organization, subjectID: id, action: "deactivated",
                                                          organizationID: id, detail: off.reason), on: sql)
            for location in try await Self.locations(of: id, on: sql) where location.deactivation == nil {
                try await Self.setDeactivation(off, location: location, action: "deactivated", by: viewer, now: now, on: sql)
            }
        }
    }

    /// Reactivates an organization and the locations that were deactivated with it.
    public func reactivateOrganization(_ id: Int64, by viewer: Viewer, now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write { [db] sql in
            let organization = try await Self.lockedOrganization(id, on: sql, flavor: db.flavor)
            try PartnerRules.reactivating(organization.deactivation, what: "organization")
            try await sql.raw("UPDATE organizations SET deactivated_at = NULL, deactivation_reason = NULL WHERE id = \(bind: id)").run()
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .organization, subjectID: id, action: "reactivated",
                                                          organizationID: id), on: sql)
            guard let off = organization.deactivation else { return }
            let locations = try await Self.locations(of: id, on: sql)
            let returning = Set(PartnerRules.returning(with: off, locations.map { ($0.id, $0.deactivation) }))
            for location in locations where returning.contains(location.id) {
                try await Self.setDeactivation(nil, location: location, action: "reactivated", by: viewer, now: now, on: sql)
            }
        }
    }

    /// Deactivates one location: it takes no new claims and is not invited to enroll; its claims and earnings stay.
    public func deactivateLocation(_ id: Int64, reason: String, by viewer: Viewer, now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write { [db] sql in
            let location = try await Self.location(id, on: sql)
            _ = try await Self.lockedOrganization(location.organizationID, on: sql, flavor: db.flavor)
            let off = try PartnerRules.deactivating(location.deactivation, reason: reason, at: now, what: "location")
            try await Self.setDeactivation(off, location: location, action: "deactivated", by: viewer, now: now, on: sql)
        }
    }

    /// Reactivates one location of an active organization.
    public func reactivateLocation(_ id: Int64, by viewer: Viewer, now: Date) async throws {
        try Self.requireManager(viewer)
        try await db.write { [db] sql in
            let location = try await Self.location(id, on: sql)
            let organization = try await Self.lockedOrganization(location.organizationID, on: sql, flavor: db.flavor)
            try PartnerRules.reactivating(location.deactivation, what: "location", organization: organization.deactivation)
            try await Self.setDeactivation(nil, location: location, action: "reactivated", by: viewer, now: now, on: sql)
        }
    }

    // MARK: Shared SQL

    static func setDeactivation(_ off: Deactivation?, location: PartnerLocation, action: String, by viewer: Viewer, now: Date,
                                on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE locations SET deactivated_at = \(bind: off?.at), deactivation_reason = \(bind: off?.reason) WHERE id = \(bind: location.id)
            """).run()
        try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .location, subjectID: location.id, action: action,
                                                      organizationID: location.organizationID, locationID: location.id, detail: off?.reason), on: sql)
    }

    /// The organization, locked for the rest of the transaction on PostgreSQL (its locations and first admin are
    /// decided one change at a time); not found for an unknown id.
    static func lockedOrganization(_ id: Int64, on sql: any SQLDatabase, flavor: SQLFlavor) async throws -> PartnerSummary {
        if flavor == .postgres { try await sql.raw("SELECT id FROM organizations WHERE id = \(bind: id) FOR UPDATE").run() }
        guard let organization = try await summaries(id, on: sql).first else { throw StoreError.notFound("No such partner organization.") }
        return organization
    }

    static func location(_ id: Int64, on sql: any SQLDatabase) async throws -> PartnerLocation {
        guard let row = try await sql.raw("""
            SELECT id, organization_id, name, country, deactivated_at, deactivation_reason FROM locations WHERE id = \(bind: id)
            """).first(decoding: PartnerLocationRow.self, with: .snakeCase) else { throw StoreError.notFound("No such location.") }
        return row.location
    }

    static func locations(of organizationID: Int64, on sql: any SQLDatabase) async throws -> [PartnerLocation] {
        try await sql.raw("""
            SELECT id, organization_id, name, country, deactivated_at, deactivation_reason FROM locations
            WHERE organization_id = \(bind: organizationID) ORDER BY name, id
            """).all(decoding: PartnerLocationRow.self, with: .snakeCase).map(\.location)
    }

    static func organizationNames(except id: Int64?, on sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("SELECT name FROM organizations WHERE id <> \(bind: id ?? 0)").all(decodingColumn: "name", as: String.self)
    }

    static func locationNames(_ organizationID: Int64, except id: Int64?, on sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("""
            SELECT name FROM locations WHERE organization_id = \(bind: organizationID) AND id <> \(bind: id ?? 0)
            """).all(decodingColumn: "name", as: String.self)
    }
}
