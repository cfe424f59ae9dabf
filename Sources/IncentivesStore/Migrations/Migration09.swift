extension Migrator {
    /// The claims list's search index, kept by triggers. Literal SQL: it was built from `ClaimSearchIndex` until the
    /// migrations were frozen, and this is the text that code produced (e5d90f4 to c4eaf23); migration 17 brings databases
    /// that took its first version (8229f40) to the same state.
    static let migration09 = Migration(number: 9, name: "claim search index", statements: [], dialect: [
        // What the claims list's search looks in, one text per claim: its name, the customer's name, domain and
        // tenant id, and the contacts' emails, lower-cased, fields apart (char 31, which nobody types), so a
        // search never matches across two of them. Triggers keep it, whichever code writes a claim, contact or
        // customer. SQLite: an FTS5 trigram index, so a search of 3 characters or more reads the index, not
        // every claim. PostgreSQL: a table, with a pg_trgm index when the server has that extension
        // (`Migrator.optionalIndexes`).
        .sqlite: [
            "CREATE VIRTUAL TABLE claim_search USING fts5(doc, tokenize = 'trigram')",
            claimSearchBackfillSQLite,
            """
            CREATE TRIGGER claim_search_insert AFTER INSERT ON claims BEGIN INSERT INTO claim_search (rowid, doc) SELECT c.id, \
            lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, '') || \
            char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM \
            claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = NEW.id; END
            """,
            """
            CREATE TRIGGER claim_search_update AFTER UPDATE OF name, customer_id ON claims BEGIN DELETE FROM claim_search WHERE rowid IN \
            (SELECT c.id FROM claims c WHERE c.id = NEW.id); INSERT INTO claim_search (rowid, doc) SELECT c.id, lower(c.name || char(31) \
            || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, '') || char(31) || COALESCE((SELECT \
            group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM claims c JOIN customers cu ON \
            cu.id = c.customer_id WHERE c.id = NEW.id; END
            """,
            "CREATE TRIGGER claim_search_delete AFTER DELETE ON claims BEGIN DELETE FROM claim_search WHERE rowid = OLD.id; END",
            """
            CREATE TRIGGER claim_search_contact_insert AFTER INSERT ON claim_contacts BEGIN DELETE FROM claim_search WHERE rowid IN \
            (SELECT c.id FROM claims c WHERE c.id = NEW.claim_id); INSERT INTO claim_search (rowid, doc) SELECT c.id, lower(c.name || \
            char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, '') || char(31) || \
            COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM claims c JOIN \
            customers cu ON cu.id = c.customer_id WHERE c.id = NEW.claim_id; END
            """,
            """
            CREATE TRIGGER claim_search_contact_update AFTER UPDATE OF email, claim_id ON claim_contacts BEGIN
              DELETE FROM claim_search WHERE rowid IN (SELECT c.id FROM claims c WHERE c.id IN (OLD.claim_id, NEW.claim_id)); INSERT INTO \
            claim_search (rowid, doc) SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) \
            || COALESCE(cu.tenant_id, '') || char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE \
            cc.claim_id = c.id), '')) FROM claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.id IN (OLD.claim_id, NEW.claim_id);
            END
            """,
            """
            CREATE TRIGGER claim_search_contact_delete AFTER DELETE ON claim_contacts BEGIN DELETE FROM claim_search WHERE rowid IN \
            (SELECT c.id FROM claims c WHERE c.id = OLD.claim_id); INSERT INTO claim_search (rowid, doc) SELECT c.id, lower(c.name || \
            char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, '') || char(31) || \
            COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM claims c JOIN \
            customers cu ON cu.id = c.customer_id WHERE c.id = OLD.claim_id; END
            """,
            """
            CREATE TRIGGER claim_search_customer_update AFTER UPDATE OF name, domain, tenant_id ON customers BEGIN
              DELETE FROM claim_search WHERE rowid IN (SELECT c.id FROM claims c WHERE c.customer_id = NEW.id); INSERT INTO claim_search \
            (rowid, doc) SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || \
            COALESCE(cu.tenant_id, '') || char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE \
            cc.claim_id = c.id), '')) FROM claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.customer_id = NEW.id;
            END
            """,
        ],
        .postgres: [
            "CREATE TABLE claim_search (claim_id BIGINT PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE, doc TEXT NOT NULL)",
            """
            CREATE FUNCTION claim_search_doc(claim BIGINT) RETURNS TEXT LANGUAGE sql STABLE AS $$
              SELECT lower(c.name || chr(31) || cu.name || chr(31) || COALESCE(cu.domain, '') || chr(31) || COALESCE(cu.tenant_id, '') || \
            chr(31) || COALESCE((SELECT string_agg(cc.email, chr(31) ORDER BY cc.position) FROM claim_contacts cc WHERE cc.claim_id = \
            c.id), '')) FROM claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = claim
            $$
            """,
            claimSearchBackfillPostgres,
            """
            CREATE FUNCTION claim_search_track() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE target BIGINT;
            BEGIN
              IF TG_TABLE_NAME = 'customers' THEN
                UPDATE claim_search s SET doc = claim_search_doc(s.claim_id)
                WHERE s.claim_id IN (SELECT id FROM claims WHERE customer_id = NEW.id);
                RETURN NULL;
              END IF;
              IF TG_TABLE_NAME = 'claims' THEN target := NEW.id;
              ELSIF TG_OP = 'DELETE' THEN target := OLD.claim_id;
              ELSE target := NEW.claim_id;
              END IF;
              INSERT INTO claim_search (claim_id, doc) VALUES (target, claim_search_doc(target))
              ON CONFLICT (claim_id) DO UPDATE SET doc = EXCLUDED.doc;
              RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER claim_search_claims AFTER INSERT OR UPDATE OF name, customer_id ON claims FOR EACH ROW EXECUTE FUNCTION \
            claim_search_track()
            """,
            """
            CREATE TRIGGER claim_search_contacts AFTER INSERT OR UPDATE OR DELETE ON claim_contacts FOR EACH ROW EXECUTE FUNCTION \
            claim_search_track()
            """,
            """
            CREATE TRIGGER claim_search_customers AFTER UPDATE OF name, domain, tenant_id ON customers FOR EACH ROW EXECUTE FUNCTION \
            claim_search_track()
            """,
        ],
    ])
}

extension Migrator {
    /// Every claim's search text into the SQLite index (the migration's backfill). It ends in a condition on `claims c`, so
    /// a bulk load indexes its own claims with it by adding one (`KeptTables`).
    static let claimSearchBackfillSQLite = """
        INSERT INTO claim_search (rowid, doc) SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') \
        || char(31) || COALESCE(cu.tenant_id, '') || char(31) || COALESCE((SELECT group_concat(cc.email, char(31)) FROM \
        claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM claims c JOIN customers cu ON cu.id = c.customer_id WHERE 1 = 1
        """
    /// Every claim's search text into the PostgreSQL table (the migration's backfill). It ends on `claims c` joined to its
    /// customer, so a bulk load indexes its own claims with it by adding a `WHERE` (`KeptTables`).
    static let claimSearchBackfillPostgres = """
        INSERT INTO claim_search (claim_id, doc) SELECT c.id, lower(c.name || chr(31) || cu.name || chr(31) || COALESCE(cu.domain, \
        '') || chr(31) || COALESCE(cu.tenant_id, '') || chr(31) || COALESCE((SELECT string_agg(cc.email, chr(31) ORDER BY \
        cc.position) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) FROM claims c JOIN customers cu ON cu.id = c.customer_id
        """
}
