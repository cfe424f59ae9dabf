extension Migrator {
    /// Paying partners: budgets, payment runs with their payee lines and earnings, the append-only earnings ledger,
    /// and reversals as negative earnings (which is why an earning is no longer one per claim).
    static let migration24 = Migration(number: 24, name: "budgets, payment runs, the earnings ledger, reversals", statements: [
        // The program's payment rules: how long after approval a reviewer may reverse a claim, how long an earning
        // may stay unpaid before it is forfeited, and the account a run's bank files pay from.
        "ALTER TABLE programs ADD COLUMN reversal_window_days BIGINT NOT NULL DEFAULT 180",
        "ALTER TABLE programs ADD COLUMN payment_limit_days BIGINT NOT NULL DEFAULT 365",
        "ALTER TABLE programs ADD COLUMN payer_name TEXT NULL",
        "ALTER TABLE programs ADD COLUMN payer_iban TEXT NULL",
        "ALTER TABLE programs ADD COLUMN payer_bic TEXT NULL",
        // One budget per currency for the program, and per engagement (an engagement pays in one currency, but a
        // budget names its currency so that it is never compared with another).
        """
        CREATE TABLE program_budgets (
          program_id BIGINT NOT NULL REFERENCES programs(id), currency TEXT NOT NULL, amount_minor BIGINT NOT NULL,
          updated_at {ts} NOT NULL, updated_by TEXT NOT NULL, PRIMARY KEY (program_id, currency))
        """,
        """
        CREATE TABLE engagement_budgets (
          engagement_id BIGINT NOT NULL REFERENCES engagements(id), currency TEXT NOT NULL, amount_minor BIGINT NOT NULL,
          updated_at {ts} NOT NULL, updated_by TEXT NOT NULL, PRIMARY KEY (engagement_id, currency))
        """,
        // A run: draft (gathered at a cut-off) -> approved (by a second vendor user) -> exported -> sent -> completed
        // (every payee line paid or failed); a draft may be canceled. `reference` names it in bank files.
        """
        CREATE TABLE payment_runs (
          id {pk}, reference TEXT NOT NULL UNIQUE, program_id BIGINT NOT NULL REFERENCES programs(id),
          cutoff_on TEXT NOT NULL, status TEXT NOT NULL, version BIGINT NOT NULL DEFAULT 1,
          created_at {ts} NOT NULL, created_by BIGINT NULL REFERENCES users(id), created_by_name TEXT NOT NULL,
          approved_at {ts} NULL, approved_by BIGINT NULL REFERENCES users(id), approved_by_name TEXT NULL,
          exported_at {ts} NULL, sent_at {ts} NULL, completed_at {ts} NULL, canceled_at {ts} NULL)
        """,
        "CREATE INDEX payment_runs_program ON payment_runs (program_id, id)",
        // One line per payee (a location) and currency: the net of its earnings, and the creditor as it stood when
        // the run was gathered (a bank file pays the account the approver saw, not one changed since).
        """
        CREATE TABLE payment_run_lines (
          id {pk}, run_id BIGINT NOT NULL REFERENCES payment_runs(id), location_id BIGINT NOT NULL REFERENCES locations(id),
          currency TEXT NOT NULL, amount_minor BIGINT NOT NULL, earnings_count BIGINT NOT NULL,
          bank_profile_id BIGINT NOT NULL REFERENCES bank_profiles(id), creditor_name TEXT NOT NULL,
          creditor_country TEXT NOT NULL, creditor_account TEXT NOT NULL, creditor_bic TEXT NOT NULL,
          creditor_routing_code TEXT NULL, end_to_end_id TEXT NOT NULL UNIQUE,
          status TEXT NOT NULL, failure_reason TEXT NULL, settled_at {ts} NULL, settled_by_name TEXT NULL,
          UNIQUE (run_id, location_id, currency))
        """,
        "CREATE INDEX payment_run_lines_location ON payment_run_lines (location_id, run_id)",
        """
        CREATE TABLE payment_run_items (
          run_id BIGINT NOT NULL REFERENCES payment_runs(id), line_id BIGINT NOT NULL REFERENCES payment_run_lines(id),
          earning_id BIGINT NOT NULL, amount_minor BIGINT NOT NULL, PRIMARY KEY (run_id, earning_id))
        """,
        "CREATE INDEX payment_run_items_line ON payment_run_items (line_id, earning_id)",
        // What was due at the cut-off but not gathered, and why (blocked payee, or a negative net carried forward).
        """
        CREATE TABLE payment_run_holds (
          id {pk}, run_id BIGINT NOT NULL REFERENCES payment_runs(id), location_id BIGINT NOT NULL REFERENCES locations(id),
          currency TEXT NOT NULL, amount_minor BIGINT NOT NULL, earnings_count BIGINT NOT NULL, reason TEXT NOT NULL,
          detail TEXT NOT NULL)
        """,
        "CREATE INDEX payment_run_holds_run ON payment_run_holds (run_id, location_id)",
        """
        CREATE TABLE payment_run_history (
          id {pk}, run_id BIGINT NOT NULL REFERENCES payment_runs(id), at {ts} NOT NULL, action TEXT NOT NULL,
          actor_user_id BIGINT NULL REFERENCES users(id), actor_name TEXT NOT NULL, note TEXT NULL)
        """,
        "CREATE INDEX payment_run_history_run ON payment_run_history (run_id, id)",
        // Append-only: every earning, inclusion in a run, payment, failure, reversal and forfeit. Balances are
        // derived from it (and the earnings' statuses are checked against it by replaying it).
        """
        CREATE TABLE earning_ledger (
          id {pk}, at {ts} NOT NULL, kind TEXT NOT NULL, earning_id BIGINT NOT NULL,
          claim_id BIGINT NOT NULL REFERENCES claims(id), location_id BIGINT NOT NULL REFERENCES locations(id),
          engagement_id BIGINT NOT NULL REFERENCES engagements(id), currency TEXT NOT NULL, amount_minor BIGINT NOT NULL,
          run_id BIGINT NULL REFERENCES payment_runs(id), actor_user_id BIGINT NULL, actor_name TEXT NOT NULL,
          note TEXT NULL)
        """,
        "CREATE INDEX earning_ledger_earning ON earning_ledger (earning_id, id)",
        "CREATE INDEX earning_ledger_engagement ON earning_ledger (engagement_id, currency, id)",
        "CREATE INDEX earning_ledger_location ON earning_ledger (location_id, id)",
        // Before this, only "unprocessed" and "reversed" happened live; any other status was made up by the demo
        // seeder without a run behind it, so it becomes what it really is: not paid yet.
        "UPDATE earnings SET payment_status = 'unprocessed' WHERE payment_status IN ('upcoming', 'in_progress', 'sent')",
        """
        INSERT INTO earning_ledger (at, kind, earning_id, claim_id, location_id, engagement_id, currency, amount_minor,
          actor_name, note)
        SELECT approved_at, 'earned', id, claim_id, location_id, engagement_id, currency, amount_minor, 'Reviewer',
          'Recorded before the ledger' FROM earnings
        """,
        """
        INSERT INTO earning_ledger (at, kind, earning_id, claim_id, location_id, engagement_id, currency, amount_minor,
          actor_name, note)
        SELECT updated_at, payment_status, id, claim_id, location_id, engagement_id, currency, amount_minor, 'Program',
          'Recorded before the ledger' FROM earnings WHERE payment_status IN ('reversed', 'forfeited')
        """,
    ], dialect: [
        // An earning is no longer one per claim: a reversal after payment is a second, negative earning of the same
        // claim. SQLite cannot drop a column's UNIQUE, so the table is rebuilt (nothing references it).
        .sqlite: [
            """
            CREATE TABLE earnings_next (
              id INTEGER PRIMARY KEY, claim_id BIGINT NOT NULL REFERENCES claims(id),
              location_id BIGINT NOT NULL REFERENCES locations(id), engagement_id BIGINT NOT NULL REFERENCES engagements(id),
              engagement_version BIGINT NOT NULL, market TEXT NOT NULL, rate_minor BIGINT NOT NULL, hours TEXT NULL,
              amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, approved_at REAL NOT NULL,
              payment_month TEXT NOT NULL, payment_status TEXT NOT NULL, updated_at REAL NOT NULL,
              kind TEXT NOT NULL DEFAULT 'earning', reverses_earning_id BIGINT NULL REFERENCES earnings_next(id),
              run_id BIGINT NULL REFERENCES payment_runs(id), status_reason TEXT NULL, version BIGINT NOT NULL DEFAULT 1)
            """,
            """
            INSERT INTO earnings_next (id, claim_id, location_id, engagement_id, engagement_version, market, rate_minor, hours,
              amount_minor, currency, approved_at, payment_month, payment_status, updated_at)
            SELECT id, claim_id, location_id, engagement_id, engagement_version, market, rate_minor, hours,
              amount_minor, currency, approved_at, payment_month, payment_status, updated_at FROM earnings
            """,
            "DROP TABLE earnings",
            "ALTER TABLE earnings_next RENAME TO earnings",
            "CREATE INDEX earnings_location ON earnings (location_id, engagement_id)",
            "CREATE INDEX earnings_approved ON earnings (approved_at, id)",
            "CREATE INDEX earnings_location_approved ON earnings (location_id, approved_at, id)",
            "CREATE INDEX earnings_status_approved ON earnings (payment_status, approved_at, id)",
            "CREATE INDEX earnings_month_approved ON earnings (payment_month, approved_at, id)",
            "CREATE UNIQUE INDEX earnings_claim ON earnings (claim_id) WHERE kind = 'earning'",
            "CREATE INDEX earnings_run ON earnings (run_id) WHERE run_id IS NOT NULL",
            "CREATE INDEX earnings_engagement ON earnings (engagement_id, currency, payment_status)",
        ],
        .postgres: [
            "ALTER TABLE earnings DROP CONSTRAINT earnings_claim_id_key",
            "ALTER TABLE earnings ADD COLUMN kind TEXT NOT NULL DEFAULT 'earning'",
            "ALTER TABLE earnings ADD COLUMN reverses_earning_id BIGINT NULL REFERENCES earnings(id)",
            "ALTER TABLE earnings ADD COLUMN run_id BIGINT NULL REFERENCES payment_runs(id)",
            "ALTER TABLE earnings ADD COLUMN status_reason TEXT NULL",
            "ALTER TABLE earnings ADD COLUMN version BIGINT NOT NULL DEFAULT 1",
            "CREATE UNIQUE INDEX earnings_claim ON earnings (claim_id) WHERE kind = 'earning'",
            "CREATE INDEX earnings_run ON earnings (run_id) WHERE run_id IS NOT NULL",
            "CREATE INDEX earnings_engagement ON earnings (engagement_id, currency, payment_status)",
        ],
    ])
}
