extension Migrator {
    /// The catalogue's revision (issue 20): one number that every change to a program, an engagement or an engagement's
    /// versions raises, by triggers, in the transaction that makes the change. What is read from those tables and decoded
    /// (a claim transition's engagement and calendar, `CatalogueCache`) is kept in memory under the revision it was read
    /// at, and used again only while the revision is the same. The number starts at random so that a database recreated
    /// under a running process does not start at a revision something was kept under.
    static let migration32 = Migration(number: 32, name: "catalogue revision", statements: [
        "CREATE TABLE catalogue_revision (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL)",
    ], dialect: [
        // SQLite has row triggers only: each changed row raises it (catalogue edits change a few rows).
        .sqlite: ["INSERT INTO catalogue_revision (id, n) VALUES (1, random() / 4)"]
            + ["programs", "engagements", "engagement_versions"].flatMap { table in
                ["INSERT", "UPDATE", "DELETE"].map { event in
                    """
                    CREATE TRIGGER catalogue_revision_\(table)_\(event.lowercased()) AFTER \(event) ON \(table) BEGIN
                      UPDATE catalogue_revision SET n = n + 1 WHERE id = 1;
                    END
                    """
                }
            },
        // PostgreSQL: once per statement. The row is locked until the change commits, so catalogue edits wait on each
        // other; claim transitions only read it.
        .postgres: [
            "INSERT INTO catalogue_revision (id, n) VALUES (1, CAST(FLOOR(random() * 1e15) AS BIGINT))",
            """
            CREATE FUNCTION catalogue_revised() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              UPDATE catalogue_revision SET n = n + 1 WHERE id = 1;
              RETURN NULL;
            END
            $$
            """,
        ] + ["programs", "engagements", "engagement_versions"].map { table in
            "CREATE TRIGGER catalogue_revision_\(table) AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(table) "
                + "FOR EACH STATEMENT EXECUTE FUNCTION catalogue_revised()"
        },
    ])
}
