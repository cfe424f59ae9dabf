extension Migrator {
    /// The engagements pages count and page a partner's customers in SQL (`CustomerStandingSQL`): these let both
    /// databases answer from the indexes alone, without reading a claim row.
    static let migration16 = Migration(number: 16, name: "engagement customer standing indexes", statements: [
        // The scope's customers: the claims of an organization's locations, their customer ids.
        "CREATE INDEX claims_scope_customer ON claims (organization_id, location_id, customer_id)",
        // Every partner's claims on one customer and engagement, with what eligibility counts.
        "CREATE INDEX claims_customer_standing ON claims (customer_id, engagement_id, organization_id, location_id, status, consent_at)",
    ])
}
