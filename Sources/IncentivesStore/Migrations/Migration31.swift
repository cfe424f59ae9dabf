extension Migrator {
    /// The review queue's kept days (migration 29) read by scope: `review_queue_days` keeps a row per day of waiting and
    /// day of deadline for the whole program and for each location, keyed by the days first, so a vendor's read of its
    /// own rows (organization and location 0) walked every location's rows too (a fifth of the vendor's home page at a
    /// million claims). This index starts with the scope and holds the count, so each scope reads only its own rows.
    static let migration31 = Migration(number: 31, name: "review queue days by scope", statements: [
        "CREATE INDEX review_queue_days_scope ON review_queue_days (organization_id, location_id, since_day, due_day, n)",
    ])
}
