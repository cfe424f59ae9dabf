extension Migrator {
    /// Sign-in attempts noted before their password is checked; demo accounts marked; the server's own secrets.
    static let migration13 = Migration(number: 13, name: "sign-in attempts, demo accounts, server secrets", statements: [
        // outcome: pending (noted, password not checked yet), failed, succeeded (kept longer: it vouches for the address).
        """
        CREATE TABLE sign_in_attempts (
          id {pk}, account TEXT NOT NULL, address TEXT NOT NULL, attempted_at {ts} NOT NULL, outcome TEXT NOT NULL)
        """,
        "CREATE INDEX sign_in_attempts_account ON sign_in_attempts (account, attempted_at)",
        "CREATE INDEX sign_in_attempts_address ON sign_in_attempts (address, attempted_at)",
        // Seeded demo users sign in with a published password: only while the server runs in demo mode.
        "ALTER TABLE users ADD COLUMN demo {bool} NOT NULL DEFAULT FALSE",
        // Databases seeded before this migration: the demo's sign-ins as they were seeded.
        """
        UPDATE users SET demo = TRUE
        WHERE email IN ('admin@bluefin.example', 'user@bluefin.example', 'admin@cedar.example', 'admin@kestrel.example',
                        'reviewer@vendor.example', 'manager@vendor.example')
          AND EXISTS (SELECT 1 FROM seed_runs WHERE name = 'demo')
        """,
        // Secrets the server makes once for itself (the form-token key), shared by every instance on one database.
        "CREATE TABLE server_secrets (name TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at {ts} NOT NULL)",
    ])
}
