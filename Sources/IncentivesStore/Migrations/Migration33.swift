extension Migrator {
    /// The catalogue revision on PostgreSQL is raised per changed row, not per statement: a statement trigger fires even
    /// when its statement changes nothing, and the sweep refreshes every published engagement each minute with an UPDATE
    /// that matches none when nothing moves, so the revision rose every minute and every transition read the catalogue
    /// again (and `incentives sweep` with nothing to do still wrote). Edits change a few rows; TRUNCATE stays per statement.
    static let migration33 = Migration(number: 33, name: "catalogue revision per changed row", statements: [], dialect: [
        .sqlite: [],
        .postgres: ["programs", "engagements", "engagement_versions"].flatMap { table in
            [
                "DROP TRIGGER catalogue_revision_\(table) ON \(table)",
                "CREATE TRIGGER catalogue_revision_\(table) AFTER INSERT OR UPDATE OR DELETE ON \(table) "
                    + "FOR EACH ROW EXECUTE FUNCTION catalogue_revised()",
                "CREATE TRIGGER catalogue_revision_\(table)_truncate AFTER TRUNCATE ON \(table) "
                    + "FOR EACH STATEMENT EXECUTE FUNCTION catalogue_revised()",
            ]
        },
    ])
}
