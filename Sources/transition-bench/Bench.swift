import Foundation
import IncentivesDomain
import IncentivesStore
import SQLKit

// Claim transitions through the store's own command (`ClaimRepository.perform`, as the pages and the API call it), on
// a database seeded by `incentives seed --scale N --now INSTANT`: a reviewer asks for information, the partner submits
// again, the reviewer starts the review, and round again, on every partner-activities claim submitted or under review.
// Each transition writes the claim's update, its history row, its webhook events (with --webhooks) and, for a
// reviewer's action, the partner's emails in the outbox. Prints transitions per second.
// Usage: transition-bench DATABASE_URL INSTANT [--seconds S] [--tasks N] [--webhooks] [--kept-statements N] [--write-batch N]
//        [--checkpoints background|writer]

@main
enum Bench {
    static let reviewer = Actor(role: .reviewer, userID: nil, name: "Bench Reviewer")
    static let partner = Actor(role: .incentivesAdmin, userID: nil, name: "Bench Partner")

    /// The next action that keeps the claim going round: from submitted, ask for information or start the review.
    static func next(after status: ClaimStatus, round: Int) -> ClaimCommand {
        switch status {
        case .partnerActionRequired: ClaimCommand(.submit, by: partner)
        case .submitted where round % 2 == 0: ClaimCommand(.startReview, by: reviewer)
        default: ClaimCommand(.requestInformation, by: reviewer, reason: "The invoice is unreadable.", reasonCode: .missingProof)
        }
    }

    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: transition-bench DATABASE_URL INSTANT [--seconds S] [--tasks N] [--webhooks]\n".utf8))
            exit(2)
        }
        func option(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        let seconds = option("--seconds").flatMap(Double.init) ?? 10
        let tasks = option("--tasks").flatMap(Int.init) ?? 4
        guard let now = ISO8601DateFormatter().date(from: arguments[1]) else { fatalError("INSTANT is ISO 8601, e.g. 2026-11-25T00:00:00Z") }

        // --kept-statements 0: every statement prepared anew, as before SQLite connections kept them (to compare).
        let kept = option("--kept-statements").flatMap(Int.init) ?? Database.keptStatements
        // --write-batch 1: each transition committed alone, as before SQLite's writer grouped them (to compare).
        let batch = option("--write-batch").flatMap(Int.init) ?? Database.writeBatch
        // --checkpoints writer: SQLite checkpoints inside the COMMIT, as before WALCheckpointer (to compare).
        let checkpoints = option("--checkpoints") ?? "background"
        guard ["background", "writer"].contains(checkpoints) else { fatalError("--checkpoints is background or writer") }
        let background = checkpoints == "background"
        let db = try await Database.open(try DatabaseLocation(parsing: arguments[0]), maxConnections: tasks + 1, keptStatements: kept,
                                         writeBatch: batch, backgroundCheckpoints: background)
        // A copy seeded by an older build lacks the newest migrations; the claims' commands need them.
        try await Migrator.migrate(db, clock: FixedClock(now))
        if arguments.contains("--webhooks") {
            // A vendor endpoint taking every status change: each transition then also writes an event and its delivery.
            guard let manager = try await UserRepository(db: db).find(email: "manager@vendor.example") else { fatalError("Seed the demo first.") }
            _ = try await WebhookRepository(db: db).create(url: "https://bench.example/hooks", description: "bench", events: [.claimStatusChanged],
                                                           owner: .vendor, by: manager.id, policy: .publicOnly, now: now)
        }
        let claims = ClaimRepository(db: db)
        struct Picked: Decodable { var id: Int64; var status: String }
        let picked = try await db.read { sql in
            try await sql.raw("""
                SELECT id, status FROM claims WHERE kind = 'partner_activities' AND status IN ('submitted', 'under_review')
                  AND NOT is_dispute_round ORDER BY id
                """).all(decoding: Picked.self)
        }
        let ids = picked.compactMap { row in ClaimStatus(rawValue: row.status).map { (id: row.id, status: $0) } }
        guard !ids.isEmpty else { fatalError("No partner-activities claim submitted or under review: seed with --scale first.") }

        let links = ClaimLinks(publicURL: "https://incentives.example")

        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int(seconds * 1000))
        let counts = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for task in 0..<tasks {
                let mine = stride(from: task, to: ids.count, by: tasks).map { ids[$0].id }
                let initial = Dictionary(uniqueKeysWithValues: stride(from: task, to: ids.count, by: tasks).map { (ids[$0].id, ids[$0].status) })
                group.addTask {
                    var statuses = initial
                    var done = 0, refused = 0, round = 0
                    // A claim whose deadline has passed at INSTANT is refused from then on ("this claim is expiring"):
                    // it leaves the round, rather than cost the writer a refused transaction on every round (a third of
                    // the attempts on a seeded file before).
                    var going = mine
                    while ContinuousClock.now < deadline && !going.isEmpty {
                        var refusedNow: Set<Int64> = []
                        for id in going where ContinuousClock.now < deadline {
                            do {
                                let moved = try await claims.perform(Bench.next(after: statuses[id]!, round: round), on: id, in: .system, at: now,
                                                                    links: links)
                                statuses[id] = moved.claim.status
                                done += 1
                            } catch is ClaimRefusal {
                                refused += 1
                                refusedNow.insert(id)
                            }
                        }
                        going.removeAll { refusedNow.contains($0) }
                        round += 1
                    }
                    return (done, refused)
                }
            }
            var total = (0, 0)
            for try await (done, refused) in group { total.0 += done; total.1 += refused }
            return total
        }
        let elapsed = ContinuousClock.now - started
        let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "%d transitions in %.2f s: %.0f transitions/s (%d claims, %d tasks, %d refused and left out)",
                     counts.0, total, Double(counts.0) / total, ids.count, tasks, counts.1))
        await db.close()
    }
}
