extension Migrator {
    /// The home page's charts (`DashboardReads`) count a period of the whole program: without these, the vendor's funnel
    /// (claims created in the period, no organization to lead with) and the decisions per week (history rows of one
    /// action in the period) would read every claim and every history row.
    static let migration26 = Migration(number: 26, name: "dashboard period indexes", statements: [
        // Claims created in a period, every organization's (partners seek claims_org_created).
        "CREATE INDEX claims_created ON claims (created_at, id)",
        // Approvals and rejections in a period, with the claim each belongs to (the review time reads its submission).
        "CREATE INDEX claim_history_action_at ON claim_history (action, at, claim_id)",
    ])
}
