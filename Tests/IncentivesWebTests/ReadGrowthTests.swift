import Foundation
import HTTPTypes
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLiteKit
import Synchronization
import Testing

/// The guard against reads that grow with the data (issue 20): every page of each demo role's navigation, the records
/// a page links to, and the API's reads are requested at 1,000 and at 20,000 claims on SQLite. Each must ask the same
/// reading statements at both sizes, and each statement must cost about the same: SQLite's own count of the steps it took
/// (the sqlite3 shell's `.stats`, here read from the app's own kept statement, so with the app's plan) may not grow with
/// the claims, no statement may walk a large table whole, and none may be prepared again each time it runs. Not timed:
/// the counts are the same on a busy machine.
@Suite("Reads at scale: each page and API read asks the same statements at 1,000 and 20,000 claims, at about the same cost")
struct ReadGrowthTests {
    static let partnerRoles = ["admin@bluefin.example", "user@bluefin.example"]
    static let vendorRoles = ["reviewer@vendor.example", "manager@vendor.example"]

    /// The claims list sorted by each of its column headers, first and next page both ways (a next page's bound is a
    /// cursor on claim 3, which every role sees; ascending, the claims past it are nearly all of them): a header is one
    /// click from the navigation's list. And a page deep in a tie: by deadline, after claim 4 (at claim 3's location, with
    /// no deadline, so among every claim without one), where the page's bound must not pass over the tie's claims on the
    /// far side of the cursor one by one; and ascending by amount past the claims without one.
    static let sortedLists: [String] = ClaimListQuery.Sort.allCases.filter { $0 != .updated }.flatMap { sort -> [String] in
        let key: ClaimCursor.Key = switch sort {
        case .due, .updated: .date(Date(timeIntervalSince1970: 1_800_000_000))
        case .amount: .number(500_000) // claim 3's own amount: a key its location holds, as a next page's link has
        case .status: .text("submitted")
        default: .text("M")
        }
        let after = ClaimCursor(key: key, id: 3).token
        return ["/claims?sort=\(sort.rawValue)", "/claims?sort=\(sort.rawValue)&after=\(after)", "/claims?sort=\(sort.rawValue)&dir=asc&after=\(after)"]
    } + ["/claims?sort=due&after=\(ClaimCursor(key: .date(ClaimListing.noDeadline), id: 4).token)",
         // Ascending by amount, after the first page's claims without an amount (the Next link's kind of cursor): the
         // organization's smallest amounts may all be another location's, and a one-location user's page must not pass
         // over them one by one.
         "/claims?sort=amount&dir=asc&after=\(ClaimCursor(key: .number(-1), id: 3).token)"]

    /// Reads beyond the navigation, per role: records a list links to (claim 3 is at the location every Bluefin user
    /// holds), tabs, the list's sorts, and the API's reads (`api:` paths, with the user's read token).
    static let extraReads: [String: [String]] = {
        let partner = sortedLists + ["/claims/3", "/engagements/1", "/engagements/1/customers", "/engagements/1/customers?tab=ineligible",
                       "/engagements/1/eligibility", "/settings/calendar",
                       "api:/api/v1/me", "api:/api/v1/claims", "api:/api/v1/claims/3", "api:/api/v1/claims/3/comments",
                       "api:/api/v1/engagements", "api:/api/v1/engagements/1", "api:/api/v1/earnings", "api:/api/v1/locations"]
        let reviewer = sortedLists + ["/claims/3", "/claims?tab=review", "/settings/calendar", "/partners/1",
                        "api:/api/v1/me", "api:/api/v1/claims", "api:/api/v1/claims/3", "api:/api/v1/budgets"]
        return ["admin@bluefin.example": partner, "user@bluefin.example": partner, "reviewer@vendor.example": reviewer,
                "manager@vendor.example": reviewer + ["api:/api/v1/earnings", "api:/api/v1/payment-runs"]]
    }()

    /// Reads that still grow with the claims, each waiting for its fix in issue 20 (most count or sum every matching
    /// claim or earning, where a kept total or a capped count would not grow). An entry that no longer grows fails
    /// the test too, so the list can only shrink.
    static let knownGrowth: Set<String> = ["reviewer@vendor.example GET /", "manager@vendor.example GET /"]

    /// A step count this far above the small database's (and more than twice it) is growth: 20 times the claims
    /// would take about 20 times the steps of a read in proportion to them.
    static let stepAllowance = 5_000
    /// Steps of a full scan allowed at the larger size: small tables (engagements, locations) are read whole, claims never.
    static let fullScanAllowance = 2_000

    @Test("no read grows with the claims: same statements, about the same steps, no large table walked whole")
    func readsDoNotGrow() async throws {
        let small = try await Self.costs(claims: 1_000)
        let large = try await Self.costs(claims: 20_000)
        #expect(small.keys.sorted() == large.keys.sorted())
        var growing: Set<String> = []
        // READ_GROWTH_REPORT=FILE writes what grows, known or not, for whoever is taking reads off the list.
        var report = ""
        defer {
            if let file = ProcessInfo.processInfo.environment["READ_GROWTH_REPORT"] {
                try? report.write(toFile: file, atomically: true, encoding: .utf8)
            }
        }
        for read in large.keys.sorted() {
            guard let before = small[read], let after = large[read] else { continue }
            var problems: [String] = []
            if before.map(\.sql) != after.map(\.sql) {
                problems.append("asks \(before.count) statements at 1,000 claims and \(after.count) at 20,000")
            }
            for (one, other) in zip(before, after) where other.steps > 2 * one.steps + Self.stepAllowance {
                problems.append("\(one.steps) → \(other.steps) steps: \(one.sql.prefix(300))")
            }
            for statement in after where statement.fullScanSteps > Self.fullScanAllowance {
                problems.append("walks \(statement.fullScanSteps) rows of a table whole: \(statement.sql.prefix(300))")
            }
            for statement in after where statement.preparedAgain > 0 {
                problems.append("is prepared again each time it runs (its plan depends on a bound value, as `LIMIT ?` or `LIKE ?` " +
                                "makes it): \(statement.sql.prefix(300))")
            }
            if !problems.isEmpty {
                growing.insert(read)
                report += "\(read) grows with the claims:\n\(problems.joined(separator: "\n"))\n\n"
            }
            if !problems.isEmpty && !Self.knownGrowth.contains(read) {
                let found = problems.joined(separator: "\n")
                Issue.record("\(read) grows with the claims:\n\(found)")
            }
        }
        for read in Self.knownGrowth.subtracting(growing).sorted() {
            Issue.record("\(read) no longer grows with the claims: take it off ReadGrowthTests.knownGrowth")
        }
    }

    /// One statement a request asked, and what SQLite took to answer it on the same database.
    struct StatementCost: Sendable {
        let sql: String
        let steps: Int
        let fullScanSteps: Int
        /// How many times SQLite prepared it again when a kept statement ran it a second time with the same values.
        let preparedAgain: Int
    }

    /// Every read of every role on the demo grown to `claims` claims: "<email> GET <path>" to its statements' costs.
    static func costs(claims: Int) async throws -> [String: [StatementCost]] {
        let costs = Mutex<[String: [StatementCost]]>([:])
        try await WebHarness.with(flavor: .sqlite) { app in
            try await Seeder(db: app.db).seedScale(count: claims - 200, now: app.clock.now)
            guard case .sqlite(let path) = app.db.location else { return }
            var found: [String: [StatementCost]] = [:]
            for (read, statements) in try await Self.recordReads(app) { found[read] = try await Self.measure(statements, in: path) }
            costs.withLock { [found] in $0 = found }
        }
        return costs.withLock { $0 }
    }

    /// Every read of every role: each role's navigation (parsed from its home page), `extraReads`, and the API's reads,
    /// each requested once while its statements are recorded; "<email> GET <path>" to the statements that read.
    static func recordReads(_ app: WebHarness) async throws -> [String: [RecordedStatement]] {
        var found: [String: [RecordedStatement]] = [:]
        for email in partnerRoles + vendorRoles {
            let browser = try await app.signedIn(email)
            let token = try await app.token(email, scope: .read)
            let home = try await browser.get("/")
            let reads = Self.navigation(in: home.body) + (extraReads[email] ?? [])
            for read in reads {
                // Like the tab counts (forgotten by the recording), a token's caller is remembered for a second of
                // wall-clock time: every request looks it up, so a slow machine records what a fast one does.
                app.deps.apiCallers.forgetAll()
                let (status, recording) = try await app.db.recordingStatements { () -> HTTPResponse.Status in
                    if read.hasPrefix("api:") {
                        return try await app.api(String(read.dropFirst(4)), token: token).status
                    }
                    return try await browser.get(read).status
                }
                #expect(status == .ok, "\(email) GET \(read) answered \(status)")
                found["\(email) GET \(read)"] = recording.statements.filter { Self.isRead($0.sql) }
            }
        }
        return found
    }

    /// The links of the main navigation, in order.
    static func navigation(in html: String) -> [String] {
        guard let start = html.range(of: #"<nav aria-label="Main""#),
              let end = html.range(of: "</nav>", range: start.upperBound..<html.endIndex) else { return [] }
        return html[start.upperBound..<end.lowerBound].matches(of: /href="([^"]+)"/).map { String($0.output.1) }
    }

    /// The statements that read, each run again on the same file as the app runs it (a connection that keeps its
    /// statements, `SQLiteStatementConnection`, with the same plans), with SQLite's counters for its first run, then run
    /// once more with the same values to see that it is not prepared again. Writes are left out: a request's bookkeeping
    /// (a session's or a token's last use) is written when enough wall-clock time has passed, so their number differs
    /// from run to run, and each touches one row by its key.
    static func measure(_ reads: [RecordedStatement], in path: String) async throws -> [StatementCost] {
        let kept = try await SQLiteStatementConnection.open(path: path)
        var costs: [StatementCost] = []
        do {
            let encoder = SQLiteDataEncoder()
            for statement in reads {
                let binds = try statement.binds.map { try encoder.encode($0) }
                try await kept.run(statement.sql, binds, cursor: { _ in })
                guard let counts = kept.takeCounts(of: statement.sql) else {
                    throw StoreError.corrupt("not kept, so not measured: \(statement.sql.prefix(300))")
                }
                let before = kept.timesPreparedAgain
                try await kept.run(statement.sql, binds, cursor: { _ in })
                costs.append(StatementCost(sql: statement.sql, steps: counts.steps, fullScanSteps: counts.fullScanSteps,
                                           preparedAgain: kept.timesPreparedAgain - before))
            }
        } catch {
            try? await kept.close()
            throw error
        }
        try await kept.close()
        return costs
    }

    static func isRead(_ sql: String) -> Bool {
        let head = sql.drop(while: \.isWhitespace).prefix(6).uppercased()
        return head.hasPrefix("SELECT") || head.hasPrefix("WITH")
    }
}
