extension Migrator {
    /// The claims list sorted by claim name in the name's order: the "Claim" column's header read every claim in the
    /// viewer's scope and sorted them all for the first fifty (0.26 s for the vendor, 0.45 s for a partner admin at a
    /// million claims). The vendor sees every claim (`claims_name`); a partner's users see their organization's
    /// (`claims_org_name`, which a user of some of its locations reads too, passing over the other locations' rows).
    /// A claim's name and organization never change with its status, so neither index moves with a transition or an expiry.
    static let migration35 = Migration(number: 35, name: "claims by name", statements: [
        "CREATE INDEX claims_name ON claims (name, id)",
        "CREATE INDEX claims_org_name ON claims (organization_id, name, id)",
    ])
}
