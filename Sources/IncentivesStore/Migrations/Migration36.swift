extension Migrator {
    /// The claims list sorted by amount reads an index range rather than every claim in the viewer's scope (0.11-0.45 s a
    /// page at a million claims). The key is `amount_sort`, the amount in minor units with no amount (-1) before every
    /// amount, as `ClaimListing.sortKey` orders it: a generated column, as `due_sort` (migration 8), so both databases
    /// index one expression the list names.
    /// Only an acceptance of consent or an approval changes a claim's amount, and a transition writes only the
    /// columns it changed (`ClaimRepository.savedColumns`), so no other step moves these indexes.
    /// `claims_amount_sort` serves the vendor, who sees every claim; `claims_org_amount_sort` a partner's users.
    static let migration36 = Migration(number: 36, name: "claims list sorts by amount", statements: [], dialect: [
        .sqlite: [
            // Virtual: computed on read, stored only in the indexes.
            "ALTER TABLE claims ADD COLUMN amount_sort BIGINT GENERATED ALWAYS AS (COALESCE(amount_minor, -1)) VIRTUAL",
            "CREATE INDEX claims_amount_sort ON claims (amount_sort, id)",
            "CREATE INDEX claims_org_amount_sort ON claims (organization_id, amount_sort, id)",
        ],
        .postgres: [
            "ALTER TABLE claims ADD COLUMN amount_sort BIGINT GENERATED ALWAYS AS (COALESCE(amount_minor, -1)) STORED",
            "CREATE INDEX claims_amount_sort ON claims (amount_sort, id)",
            "CREATE INDEX claims_org_amount_sort ON claims (organization_id, amount_sort, id)",
        ],
    ])
}
