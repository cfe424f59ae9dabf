extension Migrator {
    /// The claims list sorted by amount for a partner's user of one location. `claims_org_amount_sort` (migration 36) reads
    /// the organization's claims in amount order and passes over the other locations' ones, and amounts follow the
    /// engagements a location runs: at a million claims the organization's smallest amounts were all another location's,
    /// and the next page ascending passed over them one by one (62 ms). Such a user's reads go through this index instead
    /// (`ClaimSearch.locationLed`). It moves only when a claim's amount does (accepting consent, approving).
    static let migration38 = Migration(number: 38, name: "claims list sorts by amount for one location", statements: [
        "CREATE INDEX claims_location_amount_sort ON claims (location_id, amount_sort, id)",
    ])
}
