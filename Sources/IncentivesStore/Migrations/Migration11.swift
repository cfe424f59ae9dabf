extension Migrator {
    /// Webhooks: endpoints, their event types, events, deliveries and attempts.
    static let migration11 = Migration(number: 11, name: "webhooks: endpoints, events, deliveries, attempts", statements: [
        // An endpoint of a partner organization, or of the vendor (organization_id NULL). The secret signs
        // every request; after a rotation the previous one also signs until previous_secret_until.
        """
        CREATE TABLE webhook_endpoints (
          id {pk}, organization_id BIGINT NULL REFERENCES organizations(id), url TEXT NOT NULL,
          description TEXT NOT NULL, secret TEXT NOT NULL, previous_secret TEXT NULL, previous_secret_until {ts} NULL,
          enabled {bool} NOT NULL, created_at {ts} NOT NULL, created_by BIGINT NULL REFERENCES users(id))
        """,
        "CREATE INDEX webhook_endpoints_organization ON webhook_endpoints (organization_id, id)",
        """
        CREATE TABLE webhook_endpoint_events (
          endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE, event_type TEXT NOT NULL,
          PRIMARY KEY (endpoint_id, event_type))
        """,
        // Fan-out asks "who listens to this type" at every claim write: by type first.
        "CREATE INDEX webhook_endpoint_events_type ON webhook_endpoint_events (event_type, endpoint_id)",
        // One row per event that had at least one listener; the payload is the exact body sent, every time.
        """
        CREATE TABLE webhook_events (
          id {pk}, public_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
          organization_id BIGINT NULL REFERENCES organizations(id), payload TEXT NOT NULL, created_at {ts} NOT NULL)
        """,
        // status: pending (due at next_attempt_at; leased while lease_until is ahead), delivered, failed.
        """
        CREATE TABLE webhook_deliveries (
          id {pk}, event_id BIGINT NOT NULL REFERENCES webhook_events(id),
          endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
          status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at {ts} NOT NULL,
          lease_until {ts} NULL, created_at {ts} NOT NULL, last_attempt_at {ts} NULL)
        """,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at, id)",
        // The endpoint page lists its deliveries newest first, by keyset on id.
        "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id)",
        "CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id)",
        """
        CREATE TABLE webhook_attempts (
          id {pk}, delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
          at {ts} NOT NULL, http_status BIGINT NULL, error TEXT NULL, duration_ms BIGINT NOT NULL,
          response_excerpt TEXT NULL)
        """,
        "CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id)",
    ])
}
