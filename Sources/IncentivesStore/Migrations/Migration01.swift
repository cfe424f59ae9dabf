extension Migrator {
    /// The first schema: the catalogue, partner organizations and locations, customers, claims with their history, earnings and users.
    static let migration01 = Migration(number: 1, name: "catalogue, partners, customers, claims, history, earnings, users", statements: [
        """
        CREATE TABLE programs (
          id {pk}, name TEXT NOT NULL, manager_name TEXT NOT NULL, manager_email TEXT NOT NULL,
          weekend TEXT NOT NULL, holidays TEXT NOT NULL)
        """,
        "CREATE TABLE solution_areas (id {pk}, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE TABLE organizations (id {pk}, name TEXT NOT NULL UNIQUE, created_at {ts} NOT NULL)",
        """
        CREATE TABLE bank_profiles (
          id {pk}, organization_id BIGINT NOT NULL REFERENCES organizations(id),
          holder_name TEXT NOT NULL, bank_name TEXT NOT NULL, country TEXT NOT NULL,
          account_number TEXT NOT NULL, swift_bic TEXT NOT NULL,
          status TEXT NOT NULL, status_reason TEXT NULL,
          replaced_by BIGINT NULL REFERENCES bank_profiles(id),
          created_at {ts} NOT NULL, updated_at {ts} NOT NULL)
        """,
        "CREATE INDEX bank_profiles_organization ON bank_profiles (organization_id)",
        """
        CREATE TABLE locations (
          id {pk}, organization_id BIGINT NOT NULL REFERENCES organizations(id),
          name TEXT NOT NULL, country TEXT NOT NULL,
          bank_profile_id BIGINT NULL REFERENCES bank_profiles(id))
        """,
        "CREATE INDEX locations_organization ON locations (organization_id)",
        """
        CREATE TABLE tax_profiles (
          id {pk}, location_id BIGINT NOT NULL REFERENCES locations(id),
          country TEXT NOT NULL, form TEXT NOT NULL, tax_id TEXT NOT NULL,
          expires_on TEXT NOT NULL, created_at {ts} NOT NULL)
        """,
        "CREATE INDEX tax_profiles_location ON tax_profiles (location_id, expires_on)",
        """
        CREATE TABLE enrollments (
          program_id BIGINT NOT NULL REFERENCES programs(id), location_id BIGINT NOT NULL REFERENCES locations(id),
          status TEXT NOT NULL, updated_at {ts} NOT NULL, PRIMARY KEY (program_id, location_id))
        """,
        """
        CREATE TABLE engagements (
          id {pk}, program_id BIGINT NOT NULL REFERENCES programs(id),
          solution_area_id BIGINT NOT NULL REFERENCES solution_areas(id),
          name TEXT NOT NULL, role TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
          last_claim_day TEXT NULL, active_claims_per_customer BIGINT NOT NULL,
          cap_minor BIGINT NULL, currency TEXT NOT NULL, created_at {ts} NOT NULL)
        """,
        "CREATE INDEX engagements_area ON engagements (solution_area_id, name)",
        """
        CREATE TABLE engagement_versions (
          engagement_id BIGINT NOT NULL REFERENCES engagements(id), number BIGINT NOT NULL,
          effective_from {ts} NOT NULL, pay_model TEXT NOT NULL,
          rate_a_minor BIGINT NULL, rate_b_minor BIGINT NULL, rate_c_minor BIGINT NULL, max_hours TEXT NULL,
          consent_days BIGINT NOT NULL, submission_days BIGINT NOT NULL, review_days BIGINT NOT NULL,
          dispute_days BIGINT NOT NULL, cpor_response_days BIGINT NOT NULL,
          description TEXT NOT NULL, partner_criteria TEXT NOT NULL, customer_criteria TEXT NOT NULL,
          proof_requirements TEXT NOT NULL, resource_links TEXT NOT NULL,
          PRIMARY KEY (engagement_id, number))
        """,
        """
        CREATE TABLE location_criteria (
          location_id BIGINT NOT NULL REFERENCES locations(id), engagement_id BIGINT NOT NULL REFERENCES engagements(id),
          position BIGINT NOT NULL, criterion TEXT NOT NULL, met {bool} NOT NULL,
          PRIMARY KEY (location_id, engagement_id, position))
        """,
        "CREATE INDEX location_criteria_engagement ON location_criteria (engagement_id)",
        """
        CREATE TABLE customers (
          id {pk}, name TEXT NOT NULL, domain TEXT NULL, tenant_id TEXT NULL, top_parent_id TEXT NULL,
          subscription_id TEXT NULL, opportunity_id TEXT NULL, created_at {ts} NOT NULL)
        """,
        "CREATE INDEX customers_domain ON customers (domain)",
        "CREATE INDEX customers_tenant ON customers (tenant_id)",
        """
        CREATE TABLE claims (
          id {pk}, organization_id BIGINT NOT NULL REFERENCES organizations(id),
          location_id BIGINT NOT NULL REFERENCES locations(id),
          engagement_id BIGINT NOT NULL REFERENCES engagements(id), engagement_version BIGINT NOT NULL,
          solution_area_id BIGINT NOT NULL REFERENCES solution_areas(id),
          customer_id BIGINT NOT NULL REFERENCES customers(id),
          name TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, is_dispute_round {bool} NOT NULL,
          created_at {ts} NOT NULL, updated_at {ts} NOT NULL, consent_at {ts} NULL, first_submitted_at {ts} NULL,
          rejected_at {ts} NULL, action_requested_at {ts} NULL, hours TEXT NULL,
          amount_minor BIGINT NULL, currency TEXT NOT NULL,
          due_at {ts} NULL, due_kind TEXT NULL, expires_at {ts} NULL,
          version BIGINT NOT NULL)
        """,
        // The claims list: newest first per organization, per solution-area tab, per location.
        "CREATE INDEX claims_org_updated ON claims (organization_id, updated_at, id)",
        "CREATE INDEX claims_org_area_updated ON claims (organization_id, solution_area_id, updated_at, id)",
        "CREATE INDEX claims_location_updated ON claims (location_id, updated_at, id)",
        "CREATE INDEX claims_org_status ON claims (organization_id, status, updated_at, id)",
        "CREATE INDEX claims_org_due ON claims (organization_id, due_at, id)",
        "CREATE INDEX claims_org_created ON claims (organization_id, created_at, id)",
        "CREATE INDEX claims_org_engagement ON claims (organization_id, engagement_id, updated_at, id)",
        // The review queue (vendor) and customer eligibility counts.
        "CREATE INDEX claims_status_updated ON claims (status, updated_at, id)",
        "CREATE INDEX claims_customer_engagement ON claims (customer_id, engagement_id)",
        // The deadline sweeper's "due before" scan touches only claims with an expiring clock.
        "CREATE INDEX claims_expires ON claims (expires_at) WHERE expires_at IS NOT NULL",
        """
        CREATE TABLE claim_contacts (
          claim_id BIGINT NOT NULL REFERENCES claims(id), position BIGINT NOT NULL,
          name TEXT NOT NULL, title TEXT NOT NULL, email TEXT NOT NULL, PRIMARY KEY (claim_id, position))
        """,
        """
        CREATE TABLE claim_proof (
          id {pk}, claim_id BIGINT NOT NULL REFERENCES claims(id), kind TEXT NOT NULL,
          file_name TEXT NULL, content_hash TEXT NULL, size_bytes BIGINT NULL,
          added_by TEXT NOT NULL, added_at {ts} NOT NULL)
        """,
        "CREATE INDEX claim_proof_claim ON claim_proof (claim_id, kind)",
        """
        CREATE TABLE claim_history (
          id {pk}, claim_id BIGINT NOT NULL REFERENCES claims(id), at {ts} NOT NULL,
          action TEXT NOT NULL, actor_role TEXT NOT NULL, actor_user_id BIGINT NULL, actor_name TEXT NOT NULL,
          side TEXT NOT NULL, from_status TEXT NULL, to_status TEXT NOT NULL, note TEXT NULL)
        """,
        "CREATE INDEX claim_history_claim ON claim_history (claim_id, id)",
        """
        CREATE TABLE earnings (
          id {pk}, claim_id BIGINT NOT NULL UNIQUE REFERENCES claims(id),
          location_id BIGINT NOT NULL REFERENCES locations(id), engagement_id BIGINT NOT NULL REFERENCES engagements(id),
          engagement_version BIGINT NOT NULL, market TEXT NOT NULL, rate_minor BIGINT NOT NULL, hours TEXT NULL,
          amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, approved_at {ts} NOT NULL,
          payment_month TEXT NOT NULL, payment_status TEXT NOT NULL, updated_at {ts} NOT NULL)
        """,
        "CREATE INDEX earnings_location ON earnings (location_id, engagement_id)",
        """
        CREATE TABLE users (
          id {pk}, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password_hash TEXT NULL,
          organization_id BIGINT NULL REFERENCES organizations(id), vendor_role TEXT NULL, created_at {ts} NOT NULL)
        """,
        """
        CREATE TABLE user_location_roles (
          user_id BIGINT NOT NULL REFERENCES users(id), location_id BIGINT NOT NULL REFERENCES locations(id),
          role TEXT NOT NULL, PRIMARY KEY (user_id, location_id, role))
        """,
        "CREATE INDEX user_location_roles_location ON user_location_roles (location_id)",
        // Seeding runs once per database; this remembers what was seeded.
        "CREATE TABLE seed_runs (name TEXT PRIMARY KEY, seeded_at {ts} NOT NULL)",
    ])
}
