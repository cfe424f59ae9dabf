import Foundation

extension Migrator {
    /// Webhook endpoints are scoped to locations (issue 15): an endpoint of a partner organization carries the events
    /// of the locations where its creator is Incentives admin, stored with it; each event records its claim's
    /// location, so deliveries are scoped and checked again when sent. Existing endpoints get their creator's current
    /// Incentives-admin locations (none when the creator is gone or has left the organization). Manual sends (test
    /// event, Send again) are remembered for a minute to rate-limit them.
    static let migration12 = Migration(number: 12, name: "webhook endpoints scoped to locations, event locations, manual sends", statements: [
        """
        CREATE TABLE webhook_endpoint_locations (
          endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
          location_id BIGINT NOT NULL REFERENCES locations(id), PRIMARY KEY (endpoint_id, location_id))
        """,
        // Fan-out asks "which endpoints take this location's events".
        "CREATE INDEX webhook_endpoint_locations_location ON webhook_endpoint_locations (location_id, endpoint_id)",
        """
        INSERT INTO webhook_endpoint_locations (endpoint_id, location_id)
        SELECT DISTINCT e.id, r.location_id FROM webhook_endpoints e
        JOIN users u ON u.id = e.created_by AND u.organization_id = e.organization_id
        JOIN user_location_roles r ON r.user_id = u.id AND r.role = 'incentives_admin'
        JOIN locations l ON l.id = r.location_id AND l.organization_id = e.organization_id
        """,
        // NULL for events of no claim (webhook.ping).
        "ALTER TABLE webhook_events ADD COLUMN location_id BIGINT NULL REFERENCES locations(id)",
        """
        CREATE TABLE webhook_manual_sends (
          endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE, at {ts} NOT NULL)
        """,
        "CREATE INDEX webhook_manual_sends_endpoint ON webhook_manual_sends (endpoint_id, at)",
    ], dialect: [
        // Events written before this migration: their claim's location, read from the claim the payload names.
        .sqlite: ["""
            UPDATE webhook_events SET location_id = (
              SELECT c.location_id FROM claims c WHERE c.id = json_extract(webhook_events.payload, '$.data.claim.id'))
            WHERE type <> 'webhook.ping'
            """],
        .postgres: ["""
            UPDATE webhook_events ev SET location_id = c.location_id FROM claims c
            WHERE ev.type <> 'webhook.ping' AND c.id = (ev.payload::jsonb #>> '{data,claim,id}')::bigint
            """],
    ])
}
