import Crypto
import Foundation
import IncentivesDomain
import SQLKit

/// Webhook endpoints and their deliveries, always scoped to an owner: another organization's or location's
/// endpoint or delivery is not found.
public struct WebhookRepository: Sendable {
    public let db: Database
    public let policy: WebhookRetryPolicy
    public let manualSends: WebhookManualSendLimit

    public init(db: Database, policy: WebhookRetryPolicy = .standard, manualSends: WebhookManualSendLimit = .standard) {
        self.db = db; self.policy = policy; self.manualSends = manualSends
    }

    /// How long a secret replaced by a rotation keeps signing.
    public static let rotationOverlap: TimeInterval = 24 * 3600

    static let endpointColumns = """
        e.id, e.organization_id, e.url, e.description, e.enabled, e.created_at, e.previous_secret_until,
        (SELECT d.status FROM webhook_deliveries d WHERE d.endpoint_id = e.id ORDER BY d.id DESC LIMIT 1) AS last_status
        """

    // MARK: Endpoints

    public func endpoints(of owner: WebhookOwner) async throws -> [WebhookEndpoint] {
        try await db.read { sql in
            let rows = try await sql.raw("SELECT \(unsafeRaw: Self.endpointColumns) FROM webhook_endpoints e WHERE \(owner.filter) ORDER BY e.id")
                .all(decoding: EndpointRow.self, with: .snakeCase)
            return try await Self.endpoints(rows, on: sql)
        }
    }

    public func endpoint(_ id: Int64, of owner: WebhookOwner) async throws -> WebhookEndpoint? {
        try await db.read { sql in try await Self.endpoint(id, of: owner, on: sql) }
    }

    static func endpoint(_ id: Int64, of owner: WebhookOwner, on sql: any SQLDatabase) async throws -> WebhookEndpoint? {
        let rows = try await sql.raw("""
            SELECT \(unsafeRaw: endpointColumns) FROM webhook_endpoints e WHERE e.id = \(bind: id) AND \(owner.filter)
            """).all(decoding: EndpointRow.self, with: .snakeCase)
        return try await endpoints(rows, on: sql).first
    }

    /// A `webhook_endpoints` row (`endpointColumns`), never its secret.
    private struct EndpointRow: Decodable {
        var id: Int64
        var organizationId: Int64?
        var url: String
        var description: String
        var enabled: Bool
        var createdAt: Date
        var previousSecretUntil: Date?
        var lastStatus: String?
    }

    /// An endpoint's subscription to an event type.
    private struct EventTypeRow: Decodable {
        var endpointId: Int64
        var eventType: String
    }

    /// A location whose events an endpoint takes, by name.
    private struct EndpointLocationRow: Decodable {
        var endpointId: Int64
        var name: String
    }

    private static func endpoints(_ rows: [EndpointRow], on sql: any SQLDatabase) async throws -> [WebhookEndpoint] {
        var endpoints = rows.map { row in
            WebhookEndpoint(
                id: row.id, organizationID: row.organizationId, url: row.url, description: row.description, events: [], locations: [],
                enabled: row.enabled, createdAt: row.createdAt, previousSecretUntil: row.previousSecretUntil,
                lastStatus: row.lastStatus.flatMap(WebhookDeliveryStatus.init(rawValue:)))
        }
        guard !endpoints.isEmpty else { return [] }
        let ids = AccessScope.bindList(Set(endpoints.map(\.id)))
        var events: [Int64: [WebhookEventType]] = [:]
        for row in try await sql.raw("SELECT endpoint_id, event_type FROM webhook_endpoint_events WHERE endpoint_id IN (\(ids))")
            .all(decoding: EventTypeRow.self, with: .snakeCase) {
            guard let type = WebhookEventType(rawValue: row.eventType) else { continue }
            events[row.endpointId, default: []].append(type)
        }
        var locations: [Int64: [String]] = [:]
        for row in try await sql.raw("""
            SELECT wl.endpoint_id, l.name FROM webhook_endpoint_locations wl JOIN locations l ON l.id = wl.location_id
            WHERE wl.endpoint_id IN (\(ids)) ORDER BY l.name, l.id
            """).all(decoding: EndpointLocationRow.self, with: .snakeCase) {
            locations[row.endpointId, default: []].append(row.name)
        }
        for i in endpoints.indices {
            let chosen = Set(events[endpoints[i].id] ?? [])
            endpoints[i].events = WebhookEventType.allCases.filter(chosen.contains)
            endpoints[i].locations = locations[endpoints[i].id] ?? []
        }
        return endpoints
    }

    /// Endpoints the owner has (all of an organization's, whoever sees them), to hold them under the cap.
    public func count(of owner: WebhookOwner) async throws -> Int {
        try await db.read { sql in try await Self.count(of: owner, on: sql) }
    }

    static func count(of owner: WebhookOwner, on sql: any SQLDatabase) async throws -> Int {
        let whose: SQLQueryString = owner.organizationID.map { "organization_id = \(bind: $0)" } ?? "organization_id IS NULL"
        return try await sql.raw("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE \(whose)").first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// Registers an endpoint, enabled, and returns it with its secret (shown once: only the owner's
    /// receiver needs it after that). The caller has checked the fields with `WebhookEndpointRules`; they are checked
    /// again here so no way in stores an address the server's `policy` refuses. A partner's endpoint takes the events
    /// of the owner's locations; `userID` is its creator, whose roles are checked again at every delivery.
    public func create(url: String, description: String, events: Set<WebhookEventType>, owner: WebhookOwner, by userID: Int64,
                       policy: WebhookAddressPolicy, now: Date) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        if let problem = WebhookEndpointRules.problem(withURL: url, policy: policy) { throw StoreError.invalid(field: "url", problem) }
        if let problem = WebhookEndpointRules.problem(withDescription: description) { throw StoreError.invalid(field: "description", problem) }
        guard !events.isEmpty else { throw StoreError.invalid(field: "events", "Choose at least one event.") }
        if case .partner = owner, let only = events.first(where: \.isVendorOnly) {
            throw StoreError.invalid(field: "events", "\(only.rawValue) names no location: only the vendor's endpoints take it.")
        }
        let secret = WebhookSignature.newSecret()
        let flavor = db.flavor
        let endpoint = try await db.write(changesClaims: false) { sql -> WebhookEndpoint in
            try await TransactionLocks.webhookEndpoints(organization: owner.organizationID, on: sql, flavor: flavor)
            guard try await Self.count(of: owner, on: sql) < WebhookEndpointRules.maxEndpointsPerOwner else {
                throw StoreError.invalid(field: "form", WebhookEndpointRules.tooManyEndpoints)
            }
            guard let id = try await sql.raw("""
                INSERT INTO webhook_endpoints (organization_id, url, description, secret, enabled, created_at, created_by)
                VALUES (\(bind: owner.organizationID), \(bind: url), \(bind: description), \(bind: secret), \(bind: true), \(bind: now),
                        \(bind: userID)) RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) else {
                throw StoreError.corrupt("The database did not return the new endpoint's id.")
            }
            for type in events.sorted(by: { $0.rawValue < $1.rawValue }) {
                try await sql.raw("INSERT INTO webhook_endpoint_events (endpoint_id, event_type) VALUES (\(bind: id), \(bind: type.rawValue))").run()
            }
            if case .partner(let organizationID, let locations) = owner {
                // Only the organization's own locations, whatever the caller passed.
                for location in locations.sorted() {
                    try await sql.raw("""
                        INSERT INTO webhook_endpoint_locations (endpoint_id, location_id)
                        SELECT \(bind: id), id FROM locations WHERE id = \(bind: location) AND organization_id = \(bind: organizationID)
                        """).run()
                }
            }
            guard let endpoint = try await Self.endpoint(id, of: owner, on: sql) else { throw StoreError.notFound("No endpoint \(id).") }
            return endpoint
        }
        return (endpoint, secret)
    }

    /// Disabled endpoints keep their events: deliveries wait and go out once it is enabled again.
    public func setEnabled(_ id: Int64, _ enabled: Bool, of owner: WebhookOwner) async throws {
        try await db.write(changesClaims: false) { sql in
            let updated = try await sql.raw("""
                UPDATE webhook_endpoints SET enabled = \(bind: enabled)
                WHERE id = \(bind: id) AND id IN (SELECT e.id FROM webhook_endpoints e WHERE \(owner.filter)) RETURNING id
                """).all()
            guard updated.count == 1 else { throw StoreError.notFound("No endpoint \(id).") }
        }
    }

    /// A new secret; the old one keeps signing (a second `v1=`) for `rotationOverlap`, so the receiver can
    /// switch without losing a delivery. Returns the new secret (shown once).
    public func rotateSecret(_ id: Int64, of owner: WebhookOwner, now: Date) async throws -> String {
        let secret = WebhookSignature.newSecret()
        try await db.write(changesClaims: false) { sql in
            let updated = try await sql.raw("""
                UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = \(bind: now.addingTimeInterval(Self.rotationOverlap)),
                  secret = \(bind: secret)
                WHERE id = \(bind: id) AND id IN (SELECT e.id FROM webhook_endpoints e WHERE \(owner.filter)) RETURNING id
                """).all()
            guard updated.count == 1 else { throw StoreError.notFound("No endpoint \(id).") }
        }
        return secret
    }

    /// Deletes the endpoint with its subscriptions, deliveries and attempts (cascades); events stay for
    /// other endpoints that received them.
    public func delete(_ id: Int64, of owner: WebhookOwner) async throws {
        try await db.write(changesClaims: false) { sql in
            let deleted = try await sql.raw("""
                DELETE FROM webhook_endpoints WHERE id = \(bind: id) AND id IN (SELECT e.id FROM webhook_endpoints e WHERE \(owner.filter))
                RETURNING id
                """).all()
            guard deleted.count == 1 else { throw StoreError.notFound("No endpoint \(id).") }
        }
    }

    // MARK: Deliveries

    static let deliveryColumns = """
        d.id, d.endpoint_id, ev.public_id, ev.type, d.status, d.attempts, d.next_attempt_at, d.created_at, d.last_attempt_at
        """

    /// A delivery row (`deliveryColumns`) with its event's public id and type.
    private struct DeliveryRow: Decodable {
        var id: Int64
        var endpointId: Int64
        var publicId: String
        var type: String
        var status: String
        var attempts: Int
        var nextAttemptAt: Date
        var createdAt: Date
        var lastAttemptAt: Date?

        func record() throws -> WebhookDeliveryRecord {
            guard let status = WebhookDeliveryStatus(rawValue: status) else {
                throw StoreError.corrupt("Webhook delivery \(id) holds an unknown status.")
            }
            return WebhookDeliveryRecord(id: id, endpointID: endpointId, eventPublicID: publicId, type: type, status: status,
                                         attempts: attempts, nextAttemptAt: nextAttemptAt, createdAt: createdAt, lastAttemptAt: lastAttemptAt)
        }
    }

    /// The exact body a delivery sends, read beside its `DeliveryRow`.
    private struct PayloadRow: Decodable {
        var payload: String
    }

    /// A `webhook_attempts` row.
    private struct AttemptRow: Decodable {
        var at: Date
        var httpStatus: Int?
        var error: String?
        var durationMs: Int
        var responseExcerpt: String?

        var attempt: WebhookAttempt {
            WebhookAttempt(at: at, httpStatus: httpStatus, error: error, durationMS: durationMs, responseExcerpt: responseExcerpt)
        }
    }

    /// The endpoint's deliveries, newest first, `limit` a page, older than `before` (a keyset on id).
    /// Nil when the endpoint is not the owner's.
    public func deliveries(of endpointID: Int64, owner: WebhookOwner, before: Int64? = nil, limit: Int = 25) async throws -> WebhookDeliveryPage? {
        try await db.read { sql in
            guard try await Self.endpoint(endpointID, of: owner, on: sql) != nil else { return nil }
            let seek: SQLQueryString = before.map { " AND d.id < \(bind: $0)" } ?? ""
            let rows = try await sql.raw("""
                SELECT \(unsafeRaw: Self.deliveryColumns) FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
                WHERE d.endpoint_id = \(bind: endpointID)\(seek) AND \(owner.eventFilter) ORDER BY d.id DESC LIMIT \(bind: limit + 1)
                """).all(decoding: DeliveryRow.self, with: .snakeCase)
            let page = try rows.prefix(limit).map { try $0.record() }
            return WebhookDeliveryPage(deliveries: page, nextBefore: rows.count > limit ? page.last?.id : nil)
        }
    }

    /// One delivery of the owner's endpoint, with its payload and attempts; nil when foreign or missing.
    public func delivery(_ id: Int64, of endpointID: Int64, owner: WebhookOwner) async throws -> WebhookDeliveryDetail? {
        try await db.read { sql in
            guard try await Self.endpoint(endpointID, of: owner, on: sql) != nil,
                  let row = try await sql.raw("""
                    SELECT \(unsafeRaw: Self.deliveryColumns), ev.payload FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
                    WHERE d.id = \(bind: id) AND d.endpoint_id = \(bind: endpointID) AND \(owner.eventFilter)
                    """).first() else { return nil }
            let attempts = try await sql.raw("""
                SELECT at, http_status, error, duration_ms, response_excerpt FROM webhook_attempts WHERE delivery_id = \(bind: id) ORDER BY id
                """).all(decoding: AttemptRow.self, with: .snakeCase).map(\.attempt)
            return WebhookDeliveryDetail(delivery: try row.decoded(DeliveryRow.self).record(), payload: try row.decoded(PayloadRow.self).payload,
                                         attempts: attempts)
        }
    }

    /// "Send again": the delivery is due now, whatever it was (a failed one gets one more attempt). Counts as a
    /// manual send (`WebhookSendLimited` past the limit).
    public func sendAgain(_ id: Int64, of endpointID: Int64, owner: WebhookOwner, now: Date) async throws {
        try await db.write(changesClaims: false) { sql in
            guard try await Self.endpoint(endpointID, of: owner, on: sql) != nil else { throw StoreError.notFound("No endpoint \(endpointID).") }
            let updated = try await sql.raw("""
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = \(bind: now), lease_until = NULL
                WHERE id = \(bind: id) AND endpoint_id = \(bind: endpointID)
                  AND event_id IN (SELECT ev.id FROM webhook_events ev WHERE \(owner.eventFilter)) RETURNING id
                """).all()
            guard updated.count == 1 else { throw StoreError.notFound("No delivery \(id).") }
            try await countManualSend(to: endpointID, now: now, on: sql)
        }
    }

    /// Records a manual send to the endpoint, or throws `WebhookSendLimited` (rolling the caller's change back)
    /// when the endpoint has had its share this minute.
    func countManualSend(to endpointID: Int64, now: Date, on sql: any SQLDatabase) async throws {
        if db.flavor == .postgres {
            // Two clicks at once must not both pass the limit: one endpoint's manual sends take turns.
            try await sql.raw("SELECT id FROM webhook_endpoints WHERE id = \(bind: endpointID) FOR UPDATE").run()
        }
        let since = now.addingTimeInterval(-manualSends.window)
        try await sql.raw("DELETE FROM webhook_manual_sends WHERE endpoint_id = \(bind: endpointID) AND at <= \(bind: since)").run()
        let earlier = try await sql.raw("SELECT at FROM webhook_manual_sends WHERE endpoint_id = \(bind: endpointID)")
            .all(decodingColumn: "at", as: Date.self)
        if let until = manualSends.nextAllowed(after: earlier, now: now) {
            throw WebhookSendLimited(until: until, message: manualSends.message(until: until, now: now))
        }
        try await sql.raw("INSERT INTO webhook_manual_sends (endpoint_id, at) VALUES (\(bind: endpointID), \(bind: now))").run()
    }

    struct PingData: Encodable {
        struct Endpoint: Encodable { let id: Int64; let url: String }
        let endpoint: Endpoint
        let message: String
    }

    /// A `webhook.ping` event to this endpoint alone, due now. Returns the delivery's id. Counts as a manual send
    /// (`WebhookSendLimited` past the limit).
    public func sendTest(_ endpointID: Int64, owner: WebhookOwner, now: Date) async throws -> Int64 {
        try await db.write(changesClaims: false) { sql in
            guard let endpoint = try await Self.endpoint(endpointID, of: owner, on: sql) else {
                throw StoreError.notFound("No endpoint \(endpointID).")
            }
            try await countManualSend(to: endpointID, now: now, on: sql)
            let data = PingData(endpoint: .init(id: endpoint.id, url: endpoint.url), message: "A test event sent from the webhook settings.")
            guard let id = try await WebhookEvents.insert(.webhookPing, organizationID: owner.organizationID, locationID: nil, data: data,
                                                          endpoints: [endpointID], now: now, on: sql).first else {
                throw StoreError.corrupt("The test delivery was not written.")
            }
            return id
        }
    }

    // MARK: The delivery service's side

    /// Takes up to `limit` due deliveries of enabled endpoints, oldest due first, leased for `lease`
    /// seconds; each counts one attempt. A delivery whose taker died is due again after its lease. A partner
    /// endpoint's delivery carries its `refusal` when its creator may no longer read the claim's location
    /// (`WebhookDeliveryScope`, on the roles of now).
    public func take(now: Date, limit: Int = 20, lease: TimeInterval = 120) async throws -> [WebhookSend] {
        try await db.write(changesClaims: false) { sql in
            let rows = try await LeasedQueue.take(
                from: "webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_events ev ON ev.id = d.event_id",
                alias: "d", table: "webhook_deliveries",
                columns: """
                    d.id AS id, d.attempts, e.url, e.secret, e.previous_secret, e.previous_secret_until, ev.public_id, ev.payload,
                    ev.type, ev.location_id, e.organization_id,
                    CASE WHEN EXISTS (SELECT 1 FROM webhook_endpoint_locations wl WHERE wl.endpoint_id = e.id AND wl.location_id = ev.location_id)
                      THEN 1 ELSE 0 END AS takes_location,
                    CASE WHEN EXISTS (SELECT 1 FROM users u JOIN user_location_roles r ON r.user_id = u.id
                                      WHERE u.id = e.created_by AND u.organization_id = e.organization_id
                                        AND r.location_id = ev.location_id AND r.role = 'incentives_admin')
                      THEN 1 ELSE 0 END AS creator_admin
                    """,
                due: ["""
                    d.status = 'pending' AND d.next_attempt_at <= \(bind: now) AND (d.lease_until IS NULL OR d.lease_until <= \(bind: now))
                    AND e.enabled = \(bind: true)
                    """],
                order: "d.next_attempt_at, d.id", limit: limit,
                lease: "attempts = attempts + 1, lease_until = \(bind: now.addingTimeInterval(lease))",
                flavor: db.flavor, on: sql)
            return try rows.map { try $0.decoded(SendRow.self).send(now: now) }
        }
    }

    /// Records an attempt and moves the delivery: delivered, pending again after the policy's delay, or failed
    /// when no attempt is left or it was refused. `spread` (-1...1) places the delay in its jitter band. Returns the
    /// new status.
    @discardableResult
    public func record(_ send: WebhookSend, outcome: WebhookAttemptOutcome, durationMS: Int, now: Date,
                       spread: Double = Double.random(in: -1...1)) async throws -> WebhookDeliveryStatus {
        let retries: Bool
        if case .refused = outcome { retries = false } else { retries = !outcome.succeeded }
        let delay = retries ? policy.delay(afterAttempt: send.attempt, spread: spread) : nil
        let status: WebhookDeliveryStatus = outcome.succeeded ? .delivered : delay == nil ? .failed : .pending
        let (httpStatus, error, excerpt): (Int?, String?, String?) = switch outcome {
        case .response(let code, let text): (code, nil, Self.excerpt(text))
        case .error(let message), .refused(let message): (nil, String(message.prefix(1_000)), nil)
        }
        try await db.write(changesClaims: false) { sql in
            try await sql.raw("""
                INSERT INTO webhook_attempts (delivery_id, at, http_status, error, duration_ms, response_excerpt)
                VALUES (\(bind: send.deliveryID), \(bind: now), \(bind: httpStatus), \(bind: error), \(bind: durationMS), \(bind: excerpt))
                """).run()
            try await sql.raw("""
                UPDATE webhook_deliveries SET status = \(bind: status.rawValue), lease_until = NULL, last_attempt_at = \(bind: now),
                  next_attempt_at = \(bind: now.addingTimeInterval(delay ?? 0))
                WHERE id = \(bind: send.deliveryID)
                """).run()
        }
        return status
    }

    /// A leased delivery with what sending it needs: the endpoint's secrets, the event, and whether its creator may still read it.
    private struct SendRow: Decodable {
        var id: Int64
        var attempts: Int
        var url: String
        var secret: String
        var previousSecret: String?
        var previousSecretUntil: Date?
        var publicId: String
        var payload: String
        var type: String
        var locationId: Int64?
        var organizationId: Int64?
        var takesLocation: Int
        var creatorAdmin: Int

        func send(now: Date) -> WebhookSend {
            var secrets = [secret]
            if let previousSecret, let previousSecretUntil, now < previousSecretUntil { secrets.append(previousSecret) }
            // The vendor's endpoints take every organization's events; a partner's, only what its creator may read now.
            let refusal = organizationId == nil ? nil : WebhookDeliveryScope.refusal(
                eventLocation: locationId, isTestEvent: type == WebhookEventType.webhookPing.rawValue,
                endpointTakesLocation: takesLocation == 1, creatorIsIncentivesAdmin: creatorAdmin == 1)
            return WebhookSend(deliveryID: id, url: url, eventPublicID: publicId, payload: payload, secrets: secrets,
                               attempt: attempts + 1, refusal: refusal)
        }
    }

    /// At most 1 KB of a response body, cut on a character boundary.
    static func excerpt(_ text: String) -> String { text.prefix(upTo: 1_024) { $0.utf8.count } }

    /// The deliveries still to be sent, and how long the most overdue has been due (`/metrics`).
    public func backlog(now: Date) async throws -> QueueBacklog {
        try await LeasedQueue.backlog(of: "webhook_deliveries", waiting: ["pending"], now: now, on: db)
    }

    /// Counts per status (for tests and operators).
    public func counts() async throws -> [WebhookDeliveryStatus: Int] {
        try await LeasedQueue.counts(of: "webhook_deliveries", as: WebhookDeliveryStatus.self, on: db)
    }
}

/// A manual send ("Send test event", "Send again") refused: the endpoint had its share this minute.
public struct WebhookSendLimited: Error, Sendable, Hashable {
    /// When the next one may go.
    public let until: Date
    public let message: String
}
