extension Migrator {
    /// Indexes for the earnings list's keyset pages.
    static let migration04 = Migration(number: 4, name: "earnings keyset indexes", statements: [
        // The earnings list seeks on (approved_at, id), newest first: all of it for the vendor, per
        // location for partners (one range per location of the scope), and within the URL's filters.
        "CREATE INDEX earnings_approved ON earnings (approved_at, id)",
        "CREATE INDEX earnings_location_approved ON earnings (location_id, approved_at, id)",
        "CREATE INDEX earnings_status_approved ON earnings (payment_status, approved_at, id)",
        "CREATE INDEX earnings_month_approved ON earnings (payment_month, approved_at, id)",
    ])
}
