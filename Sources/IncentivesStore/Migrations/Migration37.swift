extension Migrator {
    /// The claims list sorted by customer reads an index range rather than every claim in the viewer's scope (0.13-0.5 s
    /// a page at a million claims): the customers lead the read in name order (`ClaimListing.walk`), a partner's through
    /// `partner_customers_organization` or `partner_customers_location` (migration 30), and the vendor's, every
    /// organization's customers, through this index. A customer's row is one location's, so each row's claims are one
    /// range of `claims_scope_customer`. It moves only when a location gains or loses a customer, or a customer is renamed.
    static let migration37 = Migration(number: 37, name: "claims list sorts by customer", statements: [
        "CREATE INDEX partner_customers_name ON partner_customers (name, customer_id, location_id)",
    ])
}
