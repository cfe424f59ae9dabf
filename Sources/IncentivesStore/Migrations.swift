extension Migrator {
    /// Every migration, in order, one line each. A new one: its own file in Migrations/ (literal SQL), a line here, and its
    /// checksums in MigrationChecksumTests. A landed one is never edited: the checksum test fails when one changes.
    public static let all: [Migration] = [
        migration01,
        migration02,
        migration03,
        migration04,
        migration05,
        migration06,
        migration07,
        migration08,
        migration09,
        migration10,
        migration11,
        migration12,
        migration13,
        migration14,
        migration15,
        migration16,
        migration17,
        migration18,
        migration19,
        migration20,
        migration21,
        migration22,
        migration23,
        migration24,
        migration25,
        migration26,
        migration30,
    ]
}
