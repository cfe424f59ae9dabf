extension Migrator {
    /// Databases that took migration 9 as it first landed (8229f40, before e5d90f4 edited it) have no trigger for an
    /// edited contact email on SQLite, so the search index kept the old email: this adds the trigger when it is missing
    /// and indexes again every claim whose indexed text is not its text now (none on other databases). PostgreSQL's
    /// migration 9 never changed (its contacts trigger covers updates): nothing to do there.
    static let migration17 = Migration(number: 17, name: "claim search: edited contact emails re-indexed on every database",
                                       statements: [], dialect: [
        .sqlite: [
            """
            CREATE TRIGGER IF NOT EXISTS claim_search_contact_update AFTER UPDATE OF email, claim_id ON claim_contacts BEGIN
              DELETE FROM claim_search WHERE rowid IN (SELECT c.id FROM claims c WHERE c.id IN (OLD.claim_id, NEW.claim_id)); \
            INSERT INTO claim_search (rowid, doc) SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || \
            COALESCE(cu.domain, '') || char(31) || COALESCE(cu.tenant_id, '') || char(31) || \
            COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')) \
            FROM claims c JOIN customers cu ON cu.id = c.customer_id WHERE c.id IN (OLD.claim_id, NEW.claim_id);
            END
            """,
            // The index's own rows (FTS5's content table) whose text is stale go out, then every claim not indexed goes in.
            """
            DELETE FROM claim_search WHERE rowid IN (
              SELECT s.id FROM claim_search_content s JOIN claims c ON c.id = s.id JOIN customers cu ON cu.id = c.customer_id
              WHERE s.c0 IS NOT lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || \
            COALESCE(cu.tenant_id, '') || char(31) || \
            COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), '')))
            """,
            """
            INSERT INTO claim_search (rowid, doc)
            SELECT c.id, lower(c.name || char(31) || cu.name || char(31) || COALESCE(cu.domain, '') || char(31) || \
            COALESCE(cu.tenant_id, '') || char(31) || \
            COALESCE((SELECT group_concat(cc.email, char(31)) FROM claim_contacts cc WHERE cc.claim_id = c.id), ''))
            FROM claims c JOIN customers cu ON cu.id = c.customer_id
            WHERE NOT EXISTS (SELECT 1 FROM claim_search_content s WHERE s.id = c.id)
            """,
        ],
    ])
}
