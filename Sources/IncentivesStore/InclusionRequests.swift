import Foundation
import IncentivesDomain
import SQLKit

extension ClaimLinks {
    /// An engagement's Eligibility page, where a partner reads the answer to an inclusion request.
    public func engagementEligibility(_ id: Int64) -> String { "\(base)/engagements/\(id)/eligibility" }
}

/// Partners' requests that a location be put on an engagement's eligibility list ("contact your PDM to be included"),
/// and the program manager's answers. A partner reads and sends only its own locations' requests; the vendor reads the
/// queue and decides, each change with its history row, the list entry, the emails and the events in one transaction.
public struct InclusionRequests: Sendable {
    public let db: Database
    public let links: ClaimLinks

    public init(db: Database, links: ClaimLinks) { self.db = db; self.links = links }

    // MARK: The partner

    /// Sends a request for one of the viewer's locations (Incentives admin) on an engagement it sees but is not listed
    /// on. A location or an engagement outside the viewer's reach is not found; a listed location, or one with a request
    /// pending, is refused. Returns the request's id.
    public func send(_ locationID: Int64, to engagementID: Int64, note raw: String, by viewer: Viewer, at now: Date) async throws -> Int64 {
        let note = try InclusionRequest.checkedNote(raw)
        let scope = viewer.scope
        guard case .partner = scope, viewer.incentiveLocations.contains(locationID) else { throw StoreError.notFound("No location \(locationID).") }
        return try await db.write { sql in
            guard try await Self.seesEngagement(engagementID, scope, on: sql) else { throw StoreError.notFound("No engagement \(engagementID).") }
            let (engagement, place) = try await EligibilityLists.target(engagementID, locationID, on: sql)
            guard viewer.locationRoles[locationID]?.contains(.incentivesAdmin) == true else {
                throw EligibilityRefusal("Only an Incentives admin of \(place.location.name) can ask for it to be included.", field: "location")
            }
            guard try await !EligibilityLists.isListed(locationID, engagementID, on: sql) else {
                throw EligibilityRefusal("\(place.location.name) is already on the list of \(engagement.name).", field: "location")
            }
            guard try await Self.pending(engagementID, locationID, on: sql) == nil else {
                throw EligibilityRefusal("A request for \(place.location.name) is already pending; the program manager answers it first.",
                                         field: "location")
            }
            guard let id = try await sql.raw("""
                INSERT INTO inclusion_requests (engagement_id, organization_id, location_id, note, status, requested_by, requested_by_name,
                                                requested_at)
                VALUES (\(bind: engagementID), \(bind: place.location.organizationID), \(bind: locationID), \(bind: note),
                        \(bind: InclusionRequestStatus.pending.rawValue), \(bind: viewer.userID), \(bind: viewer.name), \(bind: now))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) else {
                throw StoreError.corrupt("The database did not return the new inclusion request's id.")
            }
            try await ProgramChanges.record(ProgramChange(
                by: viewer, at: now, subject: .inclusionRequest, subjectID: id, action: "requested",
                organizationID: place.location.organizationID, locationID: locationID, engagementID: engagementID,
                detail: "\(place.fullName) asked to be included in \(engagement.name)"), on: sql)
            return id
        }
    }

    /// The requests of the scope's locations on one engagement, newest first (a partner sees only its own).
    public func ofEngagement(_ engagementID: Int64, in scope: AccessScope) async throws -> [InclusionRequest] {
        try await db.read { sql in
            try await Self.requests(where: "r.engagement_id = \(bind: engagementID) AND \(scope.locationFilter("l"))",
                                    order: "r.requested_at DESC, r.id DESC", limit: 200, on: sql)
        }
    }

    static func seesEngagement(_ engagementID: Int64, _ scope: AccessScope, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("""
            SELECT 1 AS listed FROM eligibility_entries ee JOIN locations l ON l.id = ee.location_id
            WHERE ee.engagement_id = \(bind: engagementID) AND \(scope.locationFilter("l")) LIMIT 1
            """).first() != nil
    }

    static func pending(_ engagementID: Int64, _ locationID: Int64, on sql: any SQLDatabase) async throws -> Int64? {
        try await sql.raw("""
            SELECT id FROM inclusion_requests
            WHERE engagement_id = \(bind: engagementID) AND location_id = \(bind: locationID) AND status = 'pending'
            """).first(decodingColumn: "id", as: Int64.self)
    }

    // MARK: The vendor

    /// The vendor's queue: pending requests first, each group oldest first, filtered by status and engagement; a page of
    /// `limit` after the request `after` (the last of the page before), by keyset on the queue's order.
    public func queue(status: InclusionRequestStatus? = nil, engagementID: Int64? = nil, after: Int64? = nil,
                      limit: Int = 200) async throws -> [InclusionRequest] {
        var condition: SQLQueryString = "1 = 1"
        if let status { condition = "r.status = \(bind: status.rawValue)" }
        if let engagementID { condition = "\(condition) AND r.engagement_id = \(bind: engagementID)" }
        if let after {
            condition = """
                \(condition) AND (CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END, r.requested_at, r.id) >
                  (SELECT CASE WHEN c.status = 'pending' THEN 0 ELSE 1 END, c.requested_at, c.id
                   FROM inclusion_requests c WHERE c.id = \(bind: after))
                """
        }
        let filter = condition
        return try await db.read { sql in
            try await Self.requests(where: filter, order: "CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END, r.requested_at, r.id",
                                    limit: limit, on: sql)
        }
    }

    /// One request, for the vendor; nil for an unknown id.
    public func request(_ id: Int64) async throws -> InclusionRequest? {
        try await db.read { try await Self.request(id, on: $0) }
    }

    static func request(_ id: Int64, on sql: any SQLDatabase) async throws -> InclusionRequest? {
        try await requests(where: "r.id = \(bind: id)", order: "r.id", limit: 1, on: sql).first
    }

    /// What happened to a request (sent, decided), oldest first; vendor reads only.
    public func history(of id: Int64) async throws -> [ProgramChange] {
        try await ProgramChanges.about(.inclusionRequest, id, on: db)
    }

    /// Approves (the location joins the list, unless it is there already) or declines a pending request; the location's
    /// Incentives admins are emailed either way. A request already answered is refused; an unknown one is not found.
    @discardableResult
    public func decide(_ id: Int64, _ decision: InclusionDecision, by viewer: Viewer, at now: Date) async throws -> InclusionRequest {
        try await db.write { sql in
            guard let request = try await Self.request(id, on: sql) else { throw StoreError.notFound("No inclusion request \(id).") }
            try request.checkPending()
            let moved = try await sql.raw("""
                UPDATE inclusion_requests SET status = \(bind: decision.status.rawValue), decided_by = \(bind: viewer.userID),
                  decided_by_name = \(bind: viewer.name), decided_at = \(bind: now), reason = \(bind: decision.reason)
                WHERE id = \(bind: id) AND status = 'pending'
                RETURNING id
                """).all()
            // Another program manager answered between the read and the update.
            guard !moved.isEmpty else { throw EligibilityRefusal("This request was answered meanwhile; reload the page.", field: "decision") }
            if decision == .approve, try await !EligibilityLists.isListed(request.locationID, request.engagementID, on: sql) {
                let (engagement, place) = try await EligibilityLists.target(request.engagementID, request.locationID, on: sql)
                try await EligibilityLists.insertEntry(place, engagement, by: viewer.userID, name: viewer.name, at: now, on: sql)
                try await ProgramChanges.record(ProgramChange(
                    by: viewer, at: now, subject: .eligibility, subjectID: request.engagementID, action: "listed",
                    organizationID: request.organizationID, locationID: request.locationID, engagementID: request.engagementID,
                    detail: "\(request.placeName) added to the list (inclusion request #\(id))"), on: sql)
            }
            try await ProgramChanges.record(ProgramChange(
                by: viewer, at: now, subject: .inclusionRequest, subjectID: id, action: decision.status.rawValue,
                organizationID: request.organizationID, locationID: request.locationID, engagementID: request.engagementID,
                detail: "\(request.placeName): \(decision.status.label.lowercased())" + (decision.reason.map { " (\($0))" } ?? "")), on: sql)
            guard let decided = try await Self.request(id, on: sql) else { throw StoreError.notFound("No inclusion request \(id).") }
            try await EligibilityEvents.decided(decided, at: now, on: sql)
            let link = links.engagementEligibility(request.engagementID)
            for email in try await Self.admins(ofLocation: request.locationID, on: sql) {
                try await Outbox.enqueue(.inclusionRequestDecided(to: email, request: decided, link: link), now: now, on: sql)
            }
            return decided
        }
    }

    /// The signed-up Incentives admins of a location: who hears the answer to its requests.
    static func admins(ofLocation locationID: Int64, on sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("""
            SELECT DISTINCT u.email FROM users u JOIN user_location_roles r ON r.user_id = u.id
            WHERE r.location_id = \(bind: locationID) AND r.role = 'incentives_admin' AND u.password_hash IS NOT NULL
            ORDER BY u.email
            """).all(decodingColumn: "email", as: String.self)
    }

    // MARK: Rows

    static func requests(where condition: SQLQueryString, order: SQLQueryString, limit: Int,
                         on sql: any SQLDatabase) async throws -> [InclusionRequest] {
        try await sql.raw("""
            SELECT r.id, r.engagement_id, e.name AS engagement_name, r.organization_id, o.name AS organization_name, r.location_id,
                   l.name AS location_name, r.note, r.status, r.requested_by_name, r.requested_at, r.decided_by_name, r.decided_at, r.reason
            FROM inclusion_requests r JOIN engagements e ON e.id = r.engagement_id
            JOIN locations l ON l.id = r.location_id JOIN organizations o ON o.id = r.organization_id
            WHERE \(condition)
            ORDER BY \(order) LIMIT \(literal: limit)
            """).all(decoding: RequestRow.self, with: .snakeCase).map { try $0.request() }
    }

    private struct RequestRow: Decodable {
        var id: Int64
        var engagementId: Int64
        var engagementName: String
        var organizationId: Int64
        var organizationName: String
        var locationId: Int64
        var locationName: String
        var note: String
        var status: String
        var requestedByName: String
        var requestedAt: Date
        var decidedByName: String?
        var decidedAt: Date?
        var reason: String?

        func request() throws -> InclusionRequest {
            guard let status = InclusionRequestStatus(rawValue: status) else {
                throw StoreError.corrupt("Inclusion request \(id) holds an unknown status (\(status)).")
            }
            return InclusionRequest(id: id, engagementID: engagementId, engagementName: engagementName, organizationID: organizationId,
                                    organizationName: organizationName, locationID: locationId, locationName: locationName, note: note,
                                    status: status, requestedByName: requestedByName, requestedAt: requestedAt, decidedByName: decidedByName,
                                    decidedAt: decidedAt, reason: reason)
        }
    }
}
