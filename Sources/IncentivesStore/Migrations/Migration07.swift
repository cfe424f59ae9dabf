extension Migrator {
    /// Claim work: customer links, comments, documents' types and survey answers, coded reasons, arbitration.
    static let migration07 = Migration(number: 7, name: "claim work: customer links, comments, documents, coded reasons, arbitration", statements: [
        // A link emailed to a customer contact (consent, survey, partner-of-record notice). Only the token's
        // SHA-256 is kept; a newer link or changed contacts void an unanswered one.
        """
        CREATE TABLE customer_links (
          id {pk}, claim_id BIGINT NOT NULL REFERENCES claims(id), purpose TEXT NOT NULL,
          token_hash TEXT NOT NULL UNIQUE, email TEXT NOT NULL, contact_name TEXT NOT NULL,
          created_at {ts} NOT NULL, expires_at {ts} NOT NULL, voided_at {ts} NULL,
          answer TEXT NULL, answered_at {ts} NULL, answer_address TEXT NULL,
          revoked_at {ts} NULL, revoke_address TEXT NULL)
        """,
        "CREATE INDEX customer_links_claim ON customer_links (claim_id, purpose, id)",
        """
        CREATE TABLE claim_comments (
          id {pk}, claim_id BIGINT NOT NULL REFERENCES claims(id), at {ts} NOT NULL,
          author_user_id BIGINT NULL REFERENCES users(id), author_name TEXT NOT NULL, side TEXT NOT NULL, body TEXT NOT NULL)
        """,
        "CREATE INDEX claim_comments_claim ON claim_comments (claim_id, id)",
        // Documents: what they really are (sniffed), and survey answers as JSON.
        "ALTER TABLE claim_proof ADD COLUMN content_type TEXT NULL",
        "ALTER TABLE claim_proof ADD COLUMN answers TEXT NULL",
        // A reviewer's coded reason; where a customer answered from.
        "ALTER TABLE claim_history ADD COLUMN reason_code TEXT NULL",
        "ALTER TABLE claim_history ADD COLUMN address TEXT NULL",
        // Use or consume: a second partner claiming the same subscription on an engagement is accepted
        // but waits for a reviewer to arbitrate ('pending'; null when nothing competes).
        "ALTER TABLE claims ADD COLUMN arbitration TEXT NULL",
        "CREATE INDEX claims_arbitration ON claims (arbitration, created_at, id) WHERE arbitration IS NOT NULL",
    ])
}
