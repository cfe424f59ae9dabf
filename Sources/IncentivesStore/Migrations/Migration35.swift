extension Migrator {
    /// The claims list sorted by claim name, location or engagement reads an index range rather than every claim in the
    /// viewer's scope (at a million claims those headers took 0.26-0.76 s a page). None of these indexes moves with a
    /// transition or an expiry: a claim's name, organization, location and engagement never change with its status.
    /// - By name: `claims_name` for the vendor, who sees every claim; `claims_org_name` for a partner's users (a user of
    ///   some of its locations reads it too, passing over the other locations' rows).
    /// - By location or engagement: the small table is read in its name order (`locations_name`, `engagements_name`)
    ///   and each of its rows' claims in id order (`claims_location_claim`; `claims_engagement_claim`, or
    ///   `claims_org_engagement_claim` in a partner's scope): `ClaimListing.walk`.
    static let migration35 = Migration(number: 35, name: "claims list sorts by name, location and engagement", statements: [
        "CREATE INDEX claims_name ON claims (name, id)",
        "CREATE INDEX claims_org_name ON claims (organization_id, name, id)",
        "CREATE INDEX claims_location_claim ON claims (location_id, id)",
        "CREATE INDEX claims_engagement_claim ON claims (engagement_id, id)",
        "CREATE INDEX claims_org_engagement_claim ON claims (organization_id, engagement_id, id)",
        "CREATE INDEX locations_name ON locations (name, id)",
        "CREATE INDEX engagements_name ON engagements (name, id)",
    ])
}
