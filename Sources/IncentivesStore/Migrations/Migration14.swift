extension Migrator {
    /// Arbitration flags left by versions that kept them when a claim left the competition: a claim that can no
    /// longer lose an arbitration (the domain's `ClaimLifecycle.isArbitrable`, as of this migration), and a claim
    /// left alone in one, wait for nothing.
    static let migration14 = Migration(number: 14, name: "arbitration flags of claims no longer competing", statements: [
        """
        UPDATE claims SET arbitration = NULL WHERE arbitration IS NOT NULL AND (kind <> 'use_or_consume'
          OR status NOT IN ('customer_claimed', 'submitted', 'under_review', 'partner_action_required', 'rejected', 'disputed'))
        """,
        """
        UPDATE claims SET arbitration = NULL WHERE arbitration IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM claims o WHERE o.customer_id = claims.customer_id AND o.engagement_id = claims.engagement_id
            AND o.id <> claims.id AND o.arbitration IS NOT NULL)
        """,
    ])
}
