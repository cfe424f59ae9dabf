import Foundation
import IncentivesDomain
import SQLKit

/// A table worked through by a background service (the mail outbox, webhook deliveries): due rows are taken
/// under a lease, so two app instances never take the same row at once, and a row whose taker died is due
/// again once its lease runs out. On PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED` (another
/// instance takes the next ones instead of waiting); on SQLite the write transaction is exclusive anyway.
enum LeasedQueue {
    /// Reads up to `limit` due rows and leases them, inside the caller's write transaction.
    /// - Parameters:
    ///   - from: the table and any joins, e.g. `webhook_deliveries d JOIN webhook_endpoints e ON ...`.
    ///   - alias: the queue table's name or alias in `from`; only its rows are locked and leased.
    ///   - columns: what to read of each row; must include `<alias>.id AS id`.
    ///   - due: the ways a row is due, each read by a statement of its own in `order`, the first way's rows first. One
    ///     condition `a OR b` over two ranges of the queue's index could not be read in order: it would read every due
    ///     row and sort them all to return the first few, each time (a backlog of a hundred thousand emails after a
    ///     long outage's sweep).
    ///   - lease: the `SET` list that leases a row (attempt counted, `lease_until` ahead).
    static func take(from: String, alias: String, table: String, columns: String, due: [SQLQueryString], order: String,
                     limit: Int, lease: SQLQueryString, flavor: SQLFlavor, on sql: any SQLDatabase) async throws -> [any SQLRow] {
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE OF \(unsafeRaw: alias) SKIP LOCKED" : ""
        var rows: [any SQLRow] = []
        for condition in due {
            let left = max(1, min(limit, 500)) - rows.count
            guard left > 0 else { break }
            rows += try await sql.raw("""
                SELECT \(unsafeRaw: columns) FROM \(unsafeRaw: from) WHERE \(condition)
                ORDER BY \(unsafeRaw: order) LIMIT \(unsafeRaw: String(left))\(lock)
                """).all()
        }
        // By hand: the rows are the caller's, which decodes them into its own row struct.
        let ids = Set(try rows.map { try $0.decode(column: "id", as: Int64.self) })
        // One statement leases the whole batch (the rows are locked, or the SQLite write is exclusive).
        if !ids.isEmpty {
            try await sql.raw("UPDATE \(unsafeRaw: table) SET \(lease) WHERE id IN (\(AccessScope.bindList(ids)))").run()
        }
        return rows
    }

    /// How many rows wait in the queue (`waiting` statuses) and how long the first due `pending` one has been due at `now`.
    /// Both read the `(status, next_attempt_at, id)` index: a range of the waiting rows and the first entry of the due.
    static func backlog(of table: String, waiting: [String], now: Date, on db: Database) async throws -> QueueBacklog {
        try await db.read { sql in
            let statuses = waiting.map { "'\($0)'" }.joined(separator: ", ")
            let depth = try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE status IN (\(unsafeRaw: statuses))")
                .first(decodingColumn: "n", as: Int.self) ?? 0
            let due = try await sql.raw("""
                SELECT next_attempt_at FROM \(unsafeRaw: table) WHERE status = 'pending' AND next_attempt_at <= \(bind: now)
                ORDER BY next_attempt_at LIMIT 1
                """).first(decoding: DueRow.self, with: .snakeCase)
            return QueueBacklog(depth: depth, oldestDue: due.map { max(0, now.timeIntervalSince($0.nextAttemptAt)) } ?? 0)
        }
    }

    private struct DueRow: Decodable {
        var nextAttemptAt: Date
    }

    /// How many rows of the queue stand in each status (for tests and operators); unknown statuses are left out.
    static func counts<Status: RawRepresentable & Hashable & Sendable>(of table: String, as: Status.Type, on db: Database)
        async throws -> [Status: Int] where Status.RawValue == String {
        try await db.read { sql in
            var counts: [Status: Int] = [:]
            for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM \(unsafeRaw: table) GROUP BY status")
                .all(decoding: StatusCountRow.self, with: .snakeCase) {
                guard let status = Status(rawValue: row.status) else { continue }
                counts[status] = row.n
            }
            return counts
        }
    }
}

/// A queue as an operator watches it: how many rows wait, and for how long the most overdue one has been due (seconds).
public struct QueueBacklog: Sendable, Hashable {
    public var depth: Int
    public var oldestDue: TimeInterval
}
