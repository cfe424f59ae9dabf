import IncentivesDomain
import SQLKit
import Synchronization

/// What a claim transition reads of the catalogue, its engagement (with the versions' terms) and its program's working
/// calendar, decoded once per catalogue revision rather than read and decoded on every transition. The revision
/// (`catalogue_revision`, migrations 32 and 33) is raised by triggers in the very transaction that changes a program, an
/// engagement or a version, whoever makes the change (a page, an import, another process, a hand-written statement), and
/// only ever goes up in what is committed.
///
/// Why a kept entry is right: it is kept under the revision read before its rows, in a write transaction that then
/// committed (`CommitNotes` hands it over only after the COMMIT; a rolled-back transaction's reads, and its revision,
/// are never kept). Its rows are what was committed at that revision. A later transaction uses it only when it reads the
/// same revision, so when nothing of the catalogue changed since (any change commits a higher one).
final class CatalogueCache: Sendable {
    struct Entry: Sendable {
        let engagement: Engagement
        let calendar: WorkingCalendar
    }

    /// One revision's entries: a higher revision read replaces them all. Bounded, as the catalogue is by people's edits.
    private let kept = Mutex<(revision: Int64, entries: [Int64: Entry])>((.min, [:]))
    static let capacity = 4_096

    func entry(_ engagementID: Int64, at revision: Int64) -> Entry? {
        kept.withLock { $0.revision == revision ? $0.entries[engagementID] : nil }
    }

    /// Keeps what a committed transaction read at `revision`.
    func keep(_ read: [(engagementID: Int64, revision: Int64, entry: Entry)]) {
        guard !read.isEmpty else { return }
        kept.withLock { kept in
            for (id, revision, entry) in read where revision >= kept.revision {
                if revision > kept.revision || kept.entries.count >= Self.capacity { kept = (revision, [:]) }
                kept.entries[id] = entry
            }
        }
    }

    /// The engagement and its program's calendar as the transaction sees them: kept, or read and then kept once the
    /// transaction commits. Outside a write transaction (no `CommitNotes`) it reads, and keeps nothing.
    static func engagement(_ id: Int64, on sql: any SQLDatabase) async throws -> Entry {
        guard let notes = CommitNotes.current, let cache = notes.catalogue else { return try await read(id, on: sql) }
        // The revision first, then the rows: the rows are of that revision or a later one, never an earlier one.
        guard let revision = try await sql.raw("SELECT n FROM catalogue_revision WHERE id = 1").first(decodingColumn: "n", as: Int64.self)
        else { return try await read(id, on: sql) }
        if let entry = cache.entry(id, at: revision) { return entry }
        let entry = try await read(id, on: sql)
        notes.note(catalogue: (id, revision, entry))
        return entry
    }

    private static func read(_ id: Int64, on sql: any SQLDatabase) async throws -> Entry {
        guard let engagement = try await CatalogueRepository.engagement(id, on: sql) else {
            throw StoreError.notFound("No such engagement.")
        }
        let program = try await CatalogueRepository.program(engagement.programID, on: sql)
        return Entry(engagement: engagement, calendar: program?.calendar ?? .mondayToFriday)
    }
}
