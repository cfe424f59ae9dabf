extension Migrator {
    /// The reviewer's checklist: each reviewer-confirmed customer criterion a reviewer confirmed with an approval, by
    /// its place in the claim's pinned version and its words then, with who confirmed it and when. A table rather than
    /// the history row's detail: the claim page lists the items one by one ("Confirmed by X on D"), and a report can ask
    /// which claims were approved on an item.
    static let migration23 = Migration(number: 23, name: "claim criteria confirmations", statements: [
        """
        CREATE TABLE claim_criteria_confirmations (
          id {pk}, claim_id BIGINT NOT NULL REFERENCES claims(id), position BIGINT NOT NULL, text TEXT NOT NULL,
          confirmed_by BIGINT NULL REFERENCES users(id), confirmed_by_name TEXT NOT NULL, confirmed_at {ts} NOT NULL)
        """,
        "CREATE INDEX claim_criteria_confirmations_claim ON claim_criteria_confirmations (claim_id, position)",
    ])
}
