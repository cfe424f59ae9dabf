extension Migrator {
    /// The engagements pages at scale (issue 20): each partner location's customers kept by triggers, so an engagement's
    /// Customers page and counts walk the scope's own customers by name instead of every claim of the partner; and an
    /// index for the scope's open claims on one engagement (the board's active customers).
    /// Every location's customers counted from scratch: the migration's backfill, and a bulk load's rebuild (`KeptTables`).
    static let partnerCustomersBackfill = """
        INSERT INTO partner_customers (customer_id, location_id, organization_id, name, claims)
        SELECT c.customer_id, c.location_id, c.organization_id, cu.name, COUNT(*) FROM claims c JOIN customers cu ON cu.id = c.customer_id
        GROUP BY c.customer_id, c.location_id, c.organization_id, cu.name
        """

    static let migration30 = Migration(number: 30, name: "partner customers kept by triggers", statements: [
        // A location's customers: one row per customer with a claim of the location, with how many (a row whose count falls
        // to zero is removed) and the customer's name, the order the Customers page lists them in. The organization is
        // the claims', so an organization's customers are its locations' rows.
        """
        CREATE TABLE partner_customers (
          customer_id BIGINT NOT NULL, location_id BIGINT NOT NULL, organization_id BIGINT NOT NULL, name TEXT NOT NULL,
          claims BIGINT NOT NULL, PRIMARY KEY (customer_id, location_id))
        """,
        // An organization's customers by name (an admin's scope: each customer once, its locations' rows side by side) and
        // one location's (a user's scope), walked from a page's cursor.
        "CREATE INDEX partner_customers_organization ON partner_customers (organization_id, name, customer_id, location_id)",
        "CREATE INDEX partner_customers_location ON partner_customers (location_id, name, customer_id)",
        // The scope's open claims on one engagement (its active customers), without its closed ones.
        "CREATE INDEX claims_org_engagement_status ON claims (organization_id, engagement_id, status, location_id, customer_id)",
        partnerCustomersBackfill,
    ], dialect: [
        // SQLite runs one writer at a time: a trigger per row.
        .sqlite: [
            """
            CREATE TRIGGER partner_customers_insert AFTER INSERT ON claims BEGIN
            \(sqliteAddPartnerCustomer)
            END
            """,
            """
            CREATE TRIGGER partner_customers_move AFTER UPDATE OF customer_id, location_id, organization_id ON claims
            WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.location_id IS NOT NEW.location_id
              OR OLD.organization_id IS NOT NEW.organization_id
            BEGIN
            \(sqliteTakePartnerCustomer)
            \(sqliteAddPartnerCustomer)
            END
            """,
            """
            CREATE TRIGGER partner_customers_delete AFTER DELETE ON claims BEGIN
            \(sqliteTakePartnerCustomer)
            END
            """,
            """
            CREATE TRIGGER partner_customers_rename AFTER UPDATE OF name ON customers WHEN OLD.name IS NOT NEW.name BEGIN
              UPDATE partner_customers SET name = NEW.name WHERE customer_id = NEW.id;
            END
            """,
        ],
        // PostgreSQL runs writers side by side. A row is one customer's at one location, and a claim is inserted only after
        // its customer's lock (`TransactionLocks.customer`), so two intakes never share a row; a statement of many claims
        // (the seeder's batches, a delete) changes its rows in ascending key order, so two never wait in a circle.
        .postgres: [
            """
            CREATE FUNCTION partner_customers_apply() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                INSERT INTO partner_customers (customer_id, location_id, organization_id, name, claims)
                SELECT n.customer_id, n.location_id, n.organization_id, cu.name, COUNT(*)
                FROM new_rows n JOIN customers cu ON cu.id = n.customer_id
                GROUP BY n.customer_id, n.location_id, n.organization_id, cu.name
                ORDER BY n.customer_id, n.location_id
                ON CONFLICT (customer_id, location_id) DO UPDATE SET claims = partner_customers.claims + excluded.claims;
              ELSE
                PERFORM 1 FROM partner_customers p JOIN (SELECT DISTINCT customer_id, location_id FROM old_rows) o
                  ON o.customer_id = p.customer_id AND o.location_id = p.location_id
                ORDER BY p.customer_id, p.location_id FOR UPDATE OF p;
                UPDATE partner_customers p SET claims = p.claims - o.n
                FROM (SELECT customer_id, location_id, COUNT(*) AS n FROM old_rows GROUP BY customer_id, location_id) o
                WHERE p.customer_id = o.customer_id AND p.location_id = o.location_id;
                DELETE FROM partner_customers p USING (SELECT DISTINCT customer_id, location_id FROM old_rows) o
                WHERE p.customer_id = o.customer_id AND p.location_id = o.location_id AND p.claims <= 0;
              END IF;
              RETURN NULL;
            END
            $$
            """,
            "CREATE TRIGGER partner_customers_insert AFTER INSERT ON claims REFERENCING NEW TABLE AS new_rows "
                + "FOR EACH STATEMENT EXECUTE FUNCTION partner_customers_apply()",
            "CREATE TRIGGER partner_customers_delete AFTER DELETE ON claims REFERENCING OLD TABLE AS old_rows "
                + "FOR EACH STATEMENT EXECUTE FUNCTION partner_customers_apply()",
            // A claim moved to another customer or location (no command does; a data fix might): its two rows, lower key first.
            """
            CREATE FUNCTION partner_customers_move() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              PERFORM 1 FROM partner_customers
              WHERE (customer_id = OLD.customer_id AND location_id = OLD.location_id)
                 OR (customer_id = NEW.customer_id AND location_id = NEW.location_id)
              ORDER BY customer_id, location_id FOR UPDATE;
              UPDATE partner_customers SET claims = claims - 1 WHERE customer_id = OLD.customer_id AND location_id = OLD.location_id;
              DELETE FROM partner_customers WHERE customer_id = OLD.customer_id AND location_id = OLD.location_id AND claims <= 0;
              INSERT INTO partner_customers (customer_id, location_id, organization_id, name, claims)
              SELECT NEW.customer_id, NEW.location_id, NEW.organization_id, cu.name, 1 FROM customers cu WHERE cu.id = NEW.customer_id
              ON CONFLICT (customer_id, location_id) DO UPDATE SET claims = partner_customers.claims + 1;
              RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER partner_customers_move AFTER UPDATE OF customer_id, location_id, organization_id ON claims FOR EACH ROW
            WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.location_id IS DISTINCT FROM NEW.location_id
                  OR OLD.organization_id IS DISTINCT FROM NEW.organization_id)
            EXECUTE FUNCTION partner_customers_move()
            """,
            """
            CREATE FUNCTION partner_customers_rename() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              UPDATE partner_customers SET name = NEW.name WHERE customer_id = NEW.id;
              RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER partner_customers_rename AFTER UPDATE OF name ON customers FOR EACH ROW
            WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION partner_customers_rename()
            """,
        ],
    ])

    /// The SQLite trigger statements adding a claim (NEW) to its location's customer, and taking one (OLD) away.
    private static let sqliteAddPartnerCustomer = """
          INSERT INTO partner_customers (customer_id, location_id, organization_id, name, claims)
          SELECT NEW.customer_id, NEW.location_id, NEW.organization_id, cu.name, 1 FROM customers cu WHERE cu.id = NEW.customer_id
          ON CONFLICT (customer_id, location_id) DO UPDATE SET claims = claims + 1;
        """
    private static let sqliteTakePartnerCustomer = """
          UPDATE partner_customers SET claims = claims - 1 WHERE customer_id = OLD.customer_id AND location_id = OLD.location_id;
          DELETE FROM partner_customers WHERE customer_id = OLD.customer_id AND location_id = OLD.location_id AND claims <= 0;
        """
}
