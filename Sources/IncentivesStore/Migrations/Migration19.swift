extension Migrator {
    /// Partner organizations and locations are deactivated by the vendor, with a reason, and can be reactivated; their
    /// claims, earnings and history stay. A deactivated location takes no new claims and is not invited to enroll.
    static let migration19 = Migration(number: 19, name: "deactivated organizations and locations", statements: [
        "ALTER TABLE organizations ADD COLUMN deactivated_at {ts} NULL",
        "ALTER TABLE organizations ADD COLUMN deactivation_reason TEXT NULL",
        "ALTER TABLE locations ADD COLUMN deactivated_at {ts} NULL",
        "ALTER TABLE locations ADD COLUMN deactivation_reason TEXT NULL",
    ])
}
