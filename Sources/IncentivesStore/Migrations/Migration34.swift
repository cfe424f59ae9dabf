extension Migrator {
    /// The decisions index (migration 26) holds decisions only. The one read it serves, the home page's approvals and
    /// rejections in a period (`DashboardReads.decided`), asks for those two actions; holding every history row, it took
    /// an entry on every transition and every expiry the sweep writes, and at a million claims (five million history rows,
    /// 380,000 of them decisions) it was the longest index a bulk seed built: 10.6 s.
    static let migration34 = Migration(number: 34, name: "decisions index of decisions only", statements: [
        "DROP INDEX claim_history_action_at",
        "CREATE INDEX claim_history_action_at ON claim_history (action, at, claim_id) WHERE action IN ('approve', 'reject')",
    ])
}
