import Foundation
import IncentivesDomain
import SQLKit

/// One criterion of a listed location as the vendor's list shows it: its status, evidence and who set it.
public struct CriterionRecord: Sendable, Hashable {
    public var criterion: String
    public var status: CriterionStatus
    public var expiresOn: DayDate?
    public var evidence: String?
    public var setByName: String?
    public var setAt: Date?
    /// Whether it counts as met at the instant the list was read.
    public var met: Bool
}

/// A location of the program, as the list's pages name it.
public struct ProgramLocation: Sendable, Hashable {
    public var location: Location
    public var organizationName: String
    public var enrollment: EnrollmentStatus?

    /// "Bluefin Analytics / Seattle".
    public var fullName: String { "\(organizationName) / \(location.name)" }
}

/// A location on an engagement's eligibility list, with when and by whom it was added and its criteria.
public struct EligibilityEntry: Sendable, Hashable {
    public var place: ProgramLocation
    public var listedAt: Date
    public var listedByName: String
    public var criteria: [CriterionRecord]
}

/// One engagement's eligibility list for the vendor: the partner criteria of the version in force, the entries, the
/// locations that could be added, and the list's history.
public struct EligibilityList: Sendable {
    public var engagement: Engagement
    public var criteria: [String]
    public var entries: [EligibilityEntry]
    public var others: [ProgramLocation]
    public var history: [ProgramChange]
}

/// The vendor's side of eligibility lists: reads every partner's entries (vendor pages only), and changes entries and
/// criteria results one transaction at a time, each with its history row. The clock's sweep ends expired results.
public struct EligibilityLists: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    // MARK: Reads

    /// The engagement's list at `now`; nil for an unknown engagement.
    public func list(_ engagementID: Int64, at now: Date) async throws -> EligibilityList? {
        guard var list = try await entries(engagementID, at: now) else { return nil }
        list.history = try await ProgramChanges.ofEngagement(engagementID, on: db).filter { [.eligibility, .criterion].contains($0.subject) }
        return list
    }

    private func entries(_ engagementID: Int64, at now: Date) async throws -> EligibilityList? {
        try await db.read { sql in
            guard let engagement = try await CatalogueRepository.engagement(engagementID, on: sql) else { return nil }
            let criteria = engagement.version(inForceAt: now).partnerCriteria
            let places = try await Self.places(programID: engagement.programID, on: sql)
            let results = try await EligibilitySQL.results(in: .vendor, engagementID: engagementID, on: sql)
            var entries: [EligibilityEntry] = []
            for row in try await sql.raw("""
                SELECT location_id, listed_at, listed_by_name FROM eligibility_entries WHERE engagement_id = \(bind: engagementID)
                """).all(decoding: EntryRow.self, with: .snakeCase) {
                guard let place = places[row.locationId] else { continue }
                let stored = results[EligibilitySQL.PairKey(locationID: row.locationId, engagementID: engagementID)] ?? [:]
                entries.append(EligibilityEntry(place: place, listedAt: row.listedAt, listedByName: row.listedByName,
                                                criteria: criteria.map { Self.record($0, stored[$0], at: now) }))
            }
            entries.sort { ($0.place.organizationName, $0.place.location.name, $0.place.location.id)
                < ($1.place.organizationName, $1.place.location.name, $1.place.location.id) }
            let listed = Set(entries.map(\.place.location.id))
            let others = places.values.filter { !listed.contains($0.location.id) }
                .sorted { ($0.organizationName, $0.location.name, $0.location.id) < ($1.organizationName, $1.location.name, $1.location.id) }
            return EligibilityList(engagement: engagement, criteria: criteria, entries: entries, others: others, history: [])
        }
    }

    static func record(_ criterion: String, _ stored: EligibilitySQL.StoredResult?, at now: Date) -> CriterionRecord {
        guard let stored else { return CriterionRecord(criterion: criterion, status: .notMet, met: false) }
        return CriterionRecord(criterion: criterion, status: stored.status, expiresOn: stored.expiresOn, evidence: stored.evidence,
                               setByName: stored.setByName, setAt: stored.setAt, met: stored.status.isMet(expiresOn: stored.expiresOn, at: now))
    }

    /// Every location of the program's organizations, with its enrollment in the program, by id.
    static func places(programID: Int64, on sql: any SQLDatabase) async throws -> [Int64: ProgramLocation] {
        var places: [Int64: ProgramLocation] = [:]
        for row in try await sql.raw("""
            SELECT l.id, l.organization_id, l.name, l.country, o.name AS organization_name, en.status AS enrollment
            FROM locations l JOIN organizations o ON o.id = l.organization_id
            LEFT JOIN enrollments en ON en.location_id = l.id AND en.program_id = \(bind: programID)
            """).all(decoding: PlaceRow.self, with: .snakeCase) {
            places[row.id] = ProgramLocation(location: Location(id: row.id, organizationID: row.organizationId, name: row.name, country: row.country),
                                             organizationName: row.organizationName,
                                             enrollment: row.enrollment.flatMap(EnrollmentStatus.init(rawValue:)))
        }
        return places
    }

    // MARK: Entries

    /// Puts a location on the engagement's list; refused when it is already there.
    public func add(_ locationID: Int64, to engagementID: Int64, by viewer: Viewer, at now: Date) async throws {
        try await db.write { sql in
            let (engagement, place) = try await Self.target(engagementID, locationID, on: sql)
            guard try await !Self.isListed(locationID, engagementID, on: sql) else {
                throw EligibilityRefusal("\(place.fullName) is already on the list of \(engagement.name).", field: "location")
            }
            try await Self.insertEntry(place, engagement, by: viewer.userID, name: viewer.name, at: now, on: sql)
            try await ProgramChanges.record(ProgramChange(
                by: viewer, at: now, subject: .eligibility, subjectID: engagementID, action: "listed",
                organizationID: place.location.organizationID, locationID: locationID, engagementID: engagementID,
                detail: "\(place.fullName) added to the list"), on: sql)
        }
    }

    /// Takes a location off the engagement's list (its criteria results and claims stay); refused when it is not there.
    public func remove(_ locationID: Int64, from engagementID: Int64, by viewer: Viewer, at now: Date) async throws {
        try await db.write { sql in
            let (engagement, place) = try await Self.target(engagementID, locationID, on: sql)
            guard try await Self.isListed(locationID, engagementID, on: sql) else {
                throw EligibilityRefusal("\(place.fullName) is not on the list of \(engagement.name).", field: "location")
            }
            try await Self.deleteEntry(place, engagement, by: viewer.name, at: now, on: sql)
            try await ProgramChanges.record(ProgramChange(
                by: viewer, at: now, subject: .eligibility, subjectID: engagementID, action: "unlisted",
                organizationID: place.location.organizationID, locationID: locationID, engagementID: engagementID,
                detail: "\(place.fullName) removed from the list"), on: sql)
        }
    }

    /// Writes a list entry and its `eligibility.changed` event.
    static func insertEntry(_ place: ProgramLocation, _ engagement: Engagement, by userID: Int64?, name: String, at now: Date,
                            on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO eligibility_entries (engagement_id, location_id, listed_at, listed_by, listed_by_name)
            VALUES (\(bind: engagement.id), \(bind: place.location.id), \(bind: now), \(bind: userID), \(bind: name))
            """).run()
        try await EligibilityEvents.listChanged(place, engagement, listed: true, by: name, at: now, on: sql)
    }

    /// Deletes a list entry (its criteria results stay) and writes its `eligibility.changed` event.
    static func deleteEntry(_ place: ProgramLocation, _ engagement: Engagement, by name: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            DELETE FROM eligibility_entries WHERE engagement_id = \(bind: engagement.id) AND location_id = \(bind: place.location.id)
            """).run()
        try await EligibilityEvents.listChanged(place, engagement, listed: false, by: name, at: now, on: sql)
    }

    static func isListed(_ locationID: Int64, _ engagementID: Int64, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("""
            SELECT 1 AS listed FROM eligibility_entries WHERE engagement_id = \(bind: engagementID) AND location_id = \(bind: locationID)
            """).first() != nil
    }

    /// The engagement and the location a change names, or a 404 for either.
    static func target(_ engagementID: Int64, _ locationID: Int64, on sql: any SQLDatabase) async throws -> (Engagement, ProgramLocation) {
        guard let engagement = try await CatalogueRepository.engagement(engagementID, on: sql) else {
            throw StoreError.notFound("No engagement \(engagementID).")
        }
        guard let place = try await places(programID: engagement.programID, on: sql)[locationID] else {
            throw StoreError.notFound("No location \(locationID).")
        }
        return (engagement, place)
    }

    // MARK: Criteria

    /// Sets one partner criterion (its exact words in the version in force) of a listed location.
    public func setCriterion(_ criterion: String, of locationID: Int64, on engagementID: Int64, to setting: CriterionSetting,
                             by viewer: Viewer, at now: Date) async throws {
        try await db.write { sql in
            let (engagement, place) = try await Self.target(engagementID, locationID, on: sql)
            guard try await Self.isListed(locationID, engagementID, on: sql) else {
                throw EligibilityRefusal("\(place.fullName) is not on the list; add it before setting its criteria.", field: "criterion")
            }
            guard engagement.version(inForceAt: now).partnerCriteria.contains(criterion) else {
                throw EligibilityRefusal("\(engagement.name) has no partner criterion \"\(criterion)\".", field: "criterion")
            }
            try await Self.store(criterion, of: place, on: engagement, setting, by: viewer.userID, name: viewer.name, at: now, on: sql)
            try await ProgramChanges.record(ProgramChange(
                by: viewer, at: now, subject: .criterion, subjectID: locationID, action: "set_\(setting.status.rawValue)",
                organizationID: place.location.organizationID, locationID: locationID, engagementID: engagementID,
                detail: "\(place.fullName): \(criterion) → \(setting.summary)"), on: sql)
        }
    }

    /// Writes a criterion's result, creating it when the location has none for these words yet, and its
    /// `eligibility.changed` event when the status moved.
    static func store(_ criterion: String, of place: ProgramLocation, on engagement: Engagement, _ setting: CriterionSetting,
                      by userID: Int64?, name: String, at now: Date, on sql: any SQLDatabase) async throws {
        let met = setting.status.isMet(expiresOn: setting.expiresOn, at: now)
        let evidence: String? = setting.evidence.isEmpty ? nil : setting.evidence
        let locationID = place.location.id, engagementID = engagement.id
        let found = try await sql.raw("""
            SELECT status, expires_on FROM location_criteria
            WHERE engagement_id = \(bind: engagementID) AND location_id = \(bind: locationID) AND criterion = \(bind: criterion)
            """).first()
        let previous = try found.map { try $0.decode(column: "status", as: String.self) }.flatMap(CriterionStatus.init(rawValue:))
        let previousDay = try found.flatMap { try $0.decode(column: "expires_on", as: String?.self) }.flatMap { DayDate($0) }
        if (previous ?? .notMet) != setting.status || previousDay != setting.expiresOn {
            try await EligibilityEvents.criterionChanged(.init(place), .init(id: engagementID, name: engagement.name), criterion: criterion,
                                                         from: previous, to: setting.status, expiresOn: setting.expiresOn, by: name, at: now,
                                                         on: sql)
        }
        if found != nil {
            try await sql.raw("""
                UPDATE location_criteria SET status = \(bind: setting.status.rawValue), met = \(bind: met),
                  expires_on = \(bind: setting.expiresOn?.description), evidence = \(bind: evidence), set_by = \(bind: userID),
                  set_by_name = \(bind: name), set_at = \(bind: now)
                WHERE engagement_id = \(bind: engagementID) AND location_id = \(bind: locationID) AND criterion = \(bind: criterion)
                """).run()
        } else {
            // Positions only keep the primary key of migration 1 unique: results are found by their words.
            let position = try await sql.raw("""
                SELECT COALESCE(MAX(position), -1) + 1 AS next FROM location_criteria
                WHERE engagement_id = \(bind: engagementID) AND location_id = \(bind: locationID)
                """).first(decodingColumn: "next", as: Int64.self) ?? 0
            try await sql.raw("""
                INSERT INTO location_criteria (location_id, engagement_id, position, criterion, met, status, expires_on, evidence,
                                               set_by, set_by_name, set_at)
                VALUES (\(bind: locationID), \(bind: engagementID), \(bind: position), \(bind: criterion), \(bind: met),
                        \(bind: setting.status.rawValue), \(bind: setting.expiresOn?.description), \(bind: evidence), \(bind: userID),
                        \(bind: name), \(bind: now))
                """).run()
        }
    }
}

// MARK: Rows

private struct EntryRow: Decodable {
    var locationId: Int64
    var listedAt: Date
    var listedByName: String
}

private struct PlaceRow: Decodable {
    var id: Int64
    var organizationId: Int64
    var name: String
    var country: String
    var organizationName: String
    var enrollment: String?
}
