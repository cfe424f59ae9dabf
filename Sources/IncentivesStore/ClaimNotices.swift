import Foundation
import IncentivesDomain
import SQLKit

/// Where a claim lives on the web, for the links in emails.
public struct ClaimLinks: Sendable {
    public let base: String
    public init(publicURL: String) { base = publicURL }
    public func claim(_ id: Int64) -> String { "\(base)/claims/\(id)" }
    /// Where a customer contact answers a consent request or a partner-of-record notice (no account).
    public func consent(_ token: String) -> String { "\(base)/consent/\(token)" }
    public func survey(_ token: String) -> String { "\(base)/survey/\(token)" }
}

extension ClaimRepository {
    /// Who at the partner hears of a claim: users with an Incentives role on its location who have signed
    /// up (an invitation not yet accepted gets no claim mail).
    static func partnerRecipients(ofLocation locationID: Int64, on sql: any SQLDatabase) async throws -> [String] {
        try await partnerRecipients(ofLocations: [locationID], on: sql)[locationID] ?? []
    }

    /// `partnerRecipients(ofLocation:)` of many locations in one read.
    static func partnerRecipients(ofLocations locationIDs: Set<Int64>, on sql: any SQLDatabase) async throws -> [Int64: [String]] {
        guard !locationIDs.isEmpty else { return [:] }
        let rows = try await sql.raw("""
            SELECT DISTINCT r.location_id, u.email FROM users u JOIN user_location_roles r ON r.user_id = u.id
            WHERE r.location_id IN (\(binds: locationIDs.sorted())) AND r.role IN ('incentives_admin', 'incentives_user')
              AND u.password_hash IS NOT NULL
            ORDER BY r.location_id, u.email
            """).all(decoding: RecipientRow.self, with: .snakeCase)
        return Dictionary(grouping: rows, by: \.locationId).mapValues { $0.map(\.email) }
    }

    private struct RecipientRow: Decodable {
        var locationId: Int64
        var email: String
    }

    /// Writes the deadline reminders due at `now` (7 days and 1 day before a deadline the partner must
    /// meet) to the outbox, each once per deadline. Returns how many claims were reminded.
    public func remindDue(at now: Date, links: ClaimLinks, batchSize: Int = 500) async throws -> Int {
        let horizon = now.addingTimeInterval(Double(DeadlineReminder.weekBefore.days) * 86_400)
        // The week's deadlines, read once through the deadline index; the statuses are checked here, not in SQL, which
        // would steer the planner to every claim of those statuses (see `reminderWindowQuery`).
        let candidates = try await db.read { sql in
            try await sql.raw(Self.reminderWindowQuery(now: now, horizon: horizon)).all(decoding: WindowRow.self)
        }.filter { ClaimStatus(rawValue: $0.status)?.waitsOnPartner == true }.map(\.id).sorted()
        let waiting = ClaimStatus.allCases.filter(\.waitsOnPartner).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        var reminded = 0
        for slice in candidates.chunked(size: batchSize) {
            let batch = Array(slice)
            // Reminders are written beside claims, never into them: cached claim counts stay valid.
            reminded += try await db.write(changesClaims: false) { sql -> Int in
                // The reminders already sent for the claim's current deadline come along (joined on the stored
                // value itself, so no timestamp is decoded and compared again). The window and the statuses are read
                // again here: a claim may have moved on since the read above.
                // Several instances on one PostgreSQL each take claims no other holds; the reminder rows below
                // decide, whatever the race, which one writes a reminder.
                let lock: SQLQueryString = db.flavor == .postgres ? " FOR UPDATE OF c SKIP LOCKED" : ""
                let rows = try await sql.raw("""
                    SELECT c.id, c.name, c.due_kind, c.expires_at, c.location_id, r.reminder
                    FROM claims c LEFT JOIN claim_reminders r ON r.claim_id = c.id AND r.due_at = c.expires_at
                    WHERE c.id IN (\(binds: batch)) AND c.expires_at > \(bind: now) AND c.expires_at <= \(bind: horizon)
                      AND c.status IN (\(unsafeRaw: waiting))
                    ORDER BY c.id\(lock)
                    """).all(decoding: ReminderRow.self, with: .snakeCase)
                var claims: [(id: Int64, name: String, kind: DeadlineKind?, due: Date, location: Int64, sent: Set<DeadlineReminder>)] = []
                for row in rows {
                    let sent = row.reminder.flatMap(DeadlineReminder.init(rawValue:))
                    if claims.last?.id == row.id {
                        if let sent { claims[claims.count - 1].sent.insert(sent) }
                        continue
                    }
                    claims.append((row.id, row.name, row.dueKind.flatMap(DeadlineKind.init(rawValue:)), row.expiresAt, row.locationId,
                                   sent.map { [$0] } ?? []))
                }
                var count = 0
                for claim in claims {
                    guard let kind = claim.kind,
                          let (reminder, covers) = DeadlineReminder.due(at: now, deadline: claim.due, alreadySent: claim.sent) else { continue }
                    // One claim's failure (a broken recipient, say) is logged and leaves the others' reminders alone.
                    try await sql.raw("SAVEPOINT reminder").run()
                    do {
                        var written = 0
                        for covered in covers {
                            written += try await sql.raw("""
                                INSERT INTO claim_reminders (claim_id, due_at, reminder, sent_at)
                                SELECT id, expires_at, \(bind: covered.rawValue), \(bind: now) FROM claims WHERE id = \(bind: claim.id)
                                ON CONFLICT DO NOTHING RETURNING claim_id
                                """).all().count
                        }
                        // Another instance wrote these reminders first: it sends them.
                        if written > 0 {
                            try await ClaimEvents.deadline(claimID: claim.id, kind: kind, due: claim.due, reminder: reminder, at: now, on: sql)
                            let due = "\(DayDate(claim.due).text), \(Self.utcTime(claim.due)) UTC"
                            for email in try await Self.partnerRecipients(ofLocation: claim.location, on: sql) {
                                try await Outbox.enqueue(.deadlineReminder(to: email, claimID: claim.id, claimName: claim.name, kind: kind,
                                                                           reminder: reminder, due: due, link: links.claim(claim.id)),
                                                         now: now, on: sql)
                            }
                            count += 1
                        }
                        try await sql.raw("RELEASE SAVEPOINT reminder").run()
                    } catch {
                        try await sql.raw("ROLLBACK TO SAVEPOINT reminder").run()
                        try await sql.raw("RELEASE SAVEPOINT reminder").run()
                        db.logger.error("No deadline reminder for claim \(claim.id) in this sweep: \(Database.translated(error, file: #fileID, function: #function))")
                    }
                }
                return count
            }
        }
        return reminded
    }

    /// The claims a reminder may be due for: a deadline within the week ahead, with their statuses (tests read its plan).
    /// It reads the deadline index's range alone. With the partner-side statuses in the condition the planner walked every
    /// claim of those statuses instead (a quarter of all claims), per batch of 500: about a minute of CPU per sweep, each
    /// minute, at a million claims.
    static func reminderWindowQuery(now: Date, horizon: Date) -> SQLQueryString {
        "SELECT id, status FROM claims WHERE expires_at > \(bind: now) AND expires_at <= \(bind: horizon)"
    }

    private struct WindowRow: Decodable {
        var id: Int64
        var status: String
    }

    /// A claim whose deadline comes, once per reminder already sent for it (or once with none).
    private struct ReminderRow: Decodable {
        var id: Int64
        var name: String
        var dueKind: String?
        var expiresAt: Date
        var locationId: Int64
        var reminder: Int?
    }

    static func utcTime(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    /// The emails of an expiry: every partner recipient hears the claim's new status.
    static func expiryMail(_ claim: Claim, links: ClaimLinks, now: Date, on sql: any SQLDatabase) async throws {
        try await Outbox.enqueue(expiryMail(claim, to: try await partnerRecipients(ofLocation: claim.locationID, on: sql), links: links),
                                 now: now, on: sql)
    }

    static func expiryMail(_ claim: Claim, to recipients: [String], links: ClaimLinks) -> [MailMessage] {
        recipients.map { .claimExpired(to: $0, claimID: claim.id, claimName: claim.name, status: claim.status, link: links.claim(claim.id)) }
    }
}
