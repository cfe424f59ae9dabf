import Foundation
import IncentivesDomain
import SQLKit

/// The webhook events of eligibility lists, written in the transaction of the change: `eligibility.changed` when a
/// location joins or leaves a list or one of its partner criteria changes status (by hand, by import, by the clock), and
/// `inclusion_request.decided`. Delivered like claim events: to the vendor's endpoints, and to the partner endpoints
/// that take the location.
enum EligibilityEvents {
    struct EngagementRef: Encodable { let id: Int64; let name: String }
    struct LocationRef: Encodable {
        let id: Int64
        let name: String
        let organizationID: Int64
        enum CodingKeys: String, CodingKey { case id, name, organizationID = "organization_id" }

        init(id: Int64, name: String, organizationID: Int64) { self.id = id; self.name = name; self.organizationID = organizationID }
        init(_ place: ProgramLocation) { self.init(id: place.location.id, name: place.location.name, organizationID: place.location.organizationID) }
    }
    /// A criterion's new status and the one before (null: never set, so not met); `expires_on` for an expiring one.
    struct CriterionChange: Encodable {
        let criterion: String
        let status: String
        let previousStatus: String?
        let expiresOn: String?
        enum CodingKeys: String, CodingKey { case criterion, status, previousStatus = "previous_status", expiresOn = "expires_on" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(criterion, forKey: .criterion)
            try c.encode(status, forKey: .status)
            try c.encode(previousStatus, forKey: .previousStatus)
            try c.encode(expiresOn, forKey: .expiresOn)
        }
    }

    /// `eligibility.changed`: `change` is `listed`, `unlisted` or `criterion` (then `criterion` says which and how);
    /// every key present, `criterion` null for a list change.
    struct Change: Encodable {
        let engagement: EngagementRef
        let location: LocationRef
        let change: String
        let criterion: CriterionChange?
        let actor: String

        enum CodingKeys: String, CodingKey { case engagement, location, change, criterion, actor }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(engagement, forKey: .engagement)
            try c.encode(location, forKey: .location)
            try c.encode(change, forKey: .change)
            try c.encode(criterion, forKey: .criterion)
            try c.encode(actor, forKey: .actor)
        }
    }

    /// `inclusion_request.decided`.
    struct Decision: Encodable {
        struct Body: Encodable {
            let request: InclusionRequest
            enum CodingKeys: String, CodingKey {
                case id, status, note, reason, requestedAt = "requested_at", requestedBy = "requested_by", decidedAt = "decided_at"
                case decidedBy = "decided_by"
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(request.id, forKey: .id)
                try c.encode(request.status.rawValue, forKey: .status)
                try c.encode(request.note, forKey: .note)
                try c.encode(request.reason, forKey: .reason)
                try c.encode(request.requestedAt, forKey: .requestedAt)
                try c.encode(request.requestedByName, forKey: .requestedBy)
                try c.encode(request.decidedAt, forKey: .decidedAt)
                try c.encode(request.decidedByName, forKey: .decidedBy)
            }
        }
        let inclusionRequest: Body
        let engagement: EngagementRef
        let location: LocationRef
        enum CodingKeys: String, CodingKey { case inclusionRequest = "inclusion_request", engagement, location }
    }

    /// A location joined (`listed`) or left an engagement's list.
    static func listChanged(_ place: ProgramLocation, _ engagement: Engagement, listed: Bool, by actor: String, at now: Date,
                            on sql: any SQLDatabase) async throws {
        try await publish(.eligibilityChanged, LocationRef(place), at: now, on: sql, Change(
            engagement: EngagementRef(id: engagement.id, name: engagement.name), location: LocationRef(place),
            change: listed ? "listed" : "unlisted", criterion: nil, actor: actor))
    }

    /// A criterion's status moved (or an expiring one got another day): the caller knows, having read the result before.
    static func criterionChanged(_ location: LocationRef, _ engagement: EngagementRef, criterion: String, from previous: CriterionStatus?,
                                 to status: CriterionStatus, expiresOn: DayDate?, by actor: String, at now: Date,
                                 on sql: any SQLDatabase) async throws {
        try await publish(.eligibilityChanged, location, at: now, on: sql, Change(
            engagement: engagement, location: location, change: "criterion",
            criterion: CriterionChange(criterion: criterion, status: status.rawValue, previousStatus: previous?.rawValue,
                                       expiresOn: expiresOn?.description),
            actor: actor))
    }

    /// An inclusion request was approved or declined.
    static func decided(_ request: InclusionRequest, at now: Date, on sql: any SQLDatabase) async throws {
        let location = LocationRef(id: request.locationID, name: request.locationName, organizationID: request.organizationID)
        try await publish(.inclusionRequestDecided, location, at: now, on: sql, Decision(
            inclusionRequest: Decision.Body(request: request), engagement: EngagementRef(id: request.engagementID, name: request.engagementName),
            location: location))
    }

    /// One event for every endpoint subscribed to `type` that takes the location (the vendor's take every location);
    /// nothing is written when none listens.
    static func publish<Payload: Encodable>(_ type: WebhookEventType, _ location: LocationRef, at now: Date, on sql: any SQLDatabase,
                                           _ data: Payload) async throws {
        let endpoints = try await sql.raw("""
            SELECT e.id FROM webhook_endpoint_events t JOIN webhook_endpoints e ON e.id = t.endpoint_id
            WHERE t.event_type = \(bind: type.rawValue)
              AND (e.organization_id IS NULL OR (e.organization_id = \(bind: location.organizationID) AND EXISTS (
                SELECT 1 FROM webhook_endpoint_locations wl WHERE wl.endpoint_id = e.id AND wl.location_id = \(bind: location.id))))
            ORDER BY e.id
            """).all(decodingColumn: "id", as: Int64.self)
        guard !endpoints.isEmpty else { return }
        try await WebhookEvents.insert(type, organizationID: location.organizationID, locationID: location.id, data: data,
                                       endpoints: endpoints, now: now, on: sql)
    }
}
