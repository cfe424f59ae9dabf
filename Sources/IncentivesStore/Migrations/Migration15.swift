import Foundation

extension Migrator {
    /// Concurrent writers on PostgreSQL: one customer per identity, and claim counts locked in one order.
    static let migration15 = Migration(number: 15, name: "one customer per identity; claim counts locked in key order", statements: [
        // Two Add-customer requests at once could each add the same new customer. Before the unique keys go on, any
        // such twin is folded into the oldest record of its identity (its claims move there), so the keys hold.
        """
        UPDATE claims SET customer_id = (SELECT MIN(o.id) FROM customers o JOIN customers d ON d.tenant_id = o.tenant_id
                                         WHERE d.id = claims.customer_id)
        WHERE customer_id IN (SELECT d.id FROM customers d WHERE d.tenant_id IS NOT NULL
                                AND d.id > (SELECT MIN(o.id) FROM customers o WHERE o.tenant_id = d.tenant_id))
        """,
        "DELETE FROM customers WHERE tenant_id IS NOT NULL AND id > (SELECT MIN(o.id) FROM customers o WHERE o.tenant_id = customers.tenant_id)",
        """
        UPDATE claims SET customer_id = (SELECT MIN(o.id) FROM customers o JOIN customers d ON d.subscription_id = o.subscription_id
                                         WHERE d.id = claims.customer_id)
        WHERE customer_id IN (SELECT d.id FROM customers d WHERE d.subscription_id IS NOT NULL
                                AND d.id > (SELECT MIN(o.id) FROM customers o WHERE o.subscription_id = d.subscription_id))
        """,
        """
        DELETE FROM customers WHERE subscription_id IS NOT NULL
          AND id > (SELECT MIN(o.id) FROM customers o WHERE o.subscription_id = customers.subscription_id)
        """,
        """
        UPDATE claims SET customer_id = (SELECT MIN(o.id) FROM customers o JOIN customers d ON d.domain = o.domain
                                         WHERE d.id = claims.customer_id AND o.tenant_id IS NULL AND o.subscription_id IS NULL)
        WHERE customer_id IN (SELECT d.id FROM customers d WHERE d.domain IS NOT NULL AND d.tenant_id IS NULL AND d.subscription_id IS NULL
                                AND d.id > (SELECT MIN(o.id) FROM customers o WHERE o.domain = d.domain
                                              AND o.tenant_id IS NULL AND o.subscription_id IS NULL))
        """,
        """
        DELETE FROM customers WHERE domain IS NOT NULL AND tenant_id IS NULL AND subscription_id IS NULL
          AND id > (SELECT MIN(o.id) FROM customers o WHERE o.domain = customers.domain AND o.tenant_id IS NULL AND o.subscription_id IS NULL)
        """,
        // A tenant and a subscription name one customer each; a customer known by its domain alone, one per domain.
        "CREATE UNIQUE INDEX customers_tenant_unique ON customers (tenant_id) WHERE tenant_id IS NOT NULL",
        "CREATE UNIQUE INDEX customers_subscription_unique ON customers (subscription_id) WHERE subscription_id IS NOT NULL",
        "CREATE UNIQUE INDEX customers_domain_only_unique ON customers (domain) WHERE domain IS NOT NULL AND tenant_id IS NULL AND subscription_id IS NULL",
    ], dialect: [
        .postgres: [
            // Every writer takes the count rows it changes in ascending key order (text compared bytewise, as Swift
            // sorts them in ClaimCountLocks), so two writers never wait on each other's rows in a circle: a claim's
            // move takes its old and new rows lower key first; a sweep batch takes all of its rows up front, sorted.
            """
            CREATE OR REPLACE FUNCTION claim_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
              old_first boolean;
            BEGIN
              IF TG_OP = 'UPDATE' AND (OLD.organization_id, OLD.location_id, OLD.engagement_id, OLD.solution_area_id, OLD.kind, OLD.status)
                 IS NOT DISTINCT FROM (NEW.organization_id, NEW.location_id, NEW.engagement_id, NEW.solution_area_id, NEW.kind, NEW.status) THEN
                RETURN NULL;
              END IF;
              old_first := TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND
                (OLD.organization_id, OLD.location_id, OLD.engagement_id, OLD.solution_area_id, OLD.kind COLLATE "C", OLD.status COLLATE "C")
                < (NEW.organization_id, NEW.location_id, NEW.engagement_id, NEW.solution_area_id, NEW.kind COLLATE "C", NEW.status COLLATE "C"));
              IF old_first THEN
                UPDATE claim_counts SET n = n - 1
                WHERE organization_id = OLD.organization_id AND location_id = OLD.location_id AND engagement_id = OLD.engagement_id
                  AND solution_area_id = OLD.solution_area_id AND kind = OLD.kind AND status = OLD.status;
              END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO claim_counts (organization_id, location_id, engagement_id, solution_area_id, kind, status, n)
                VALUES (NEW.organization_id, NEW.location_id, NEW.engagement_id, NEW.solution_area_id, NEW.kind, NEW.status, 1)
                ON CONFLICT (organization_id, location_id, engagement_id, solution_area_id, kind, status)
                DO UPDATE SET n = claim_counts.n + 1;
              END IF;
              IF TG_OP = 'UPDATE' AND NOT old_first THEN
                UPDATE claim_counts SET n = n - 1
                WHERE organization_id = OLD.organization_id AND location_id = OLD.location_id AND engagement_id = OLD.engagement_id
                  AND solution_area_id = OLD.solution_area_id AND kind = OLD.kind AND status = OLD.status;
              END IF;
              RETURN NULL;
            END
            $$
            """,
        ],
    ])
}
