import Foundation
import IncentivesDomain
import IncentivesStore
import Logging
import ServiceLifecycle

/// Expires claims whose deadline passed, every `interval`, for as long as the app runs. The same
/// work as `incentives sweep`; safe beside other instances (the repository takes disjoint batches).
/// Each pass also writes the deadline reminders due (7 days and 1 day before a partner-side deadline) and
/// the expiry emails, through the outbox. Ended sessions and stale sign-in failures are cleared on the same beat, and
/// "expiring" partner criteria whose day has ended become "not met", and earnings still unpaid past the program's payment
/// limit are forfeited.
public struct DeadlineSweeper: Service {
    let claims: ClaimRepository
    let sessions: SessionRepository?
    let links: ClaimLinks?
    /// Moves engagements from upcoming to active to closed with their dates, and puts a new version in force on its day.
    let catalogue: CatalogueConsole?
    /// Ends expiring partner criteria whose day has passed.
    let eligibility: EligibilityLists?
    /// Forfeits earnings unpaid past the program's limit.
    let payments: PaymentRuns?
    let clock: any WallClock
    let interval: Duration
    let logger: Logger
    /// Counts the passes and expiries, sets the lag, and traces each pass.
    let telemetry: AppTelemetry?

    public init(claims: ClaimRepository, sessions: SessionRepository? = nil, links: ClaimLinks? = nil, catalogue: CatalogueConsole? = nil,
                eligibility: EligibilityLists? = nil, payments: PaymentRuns? = nil, clock: any WallClock, interval: Duration, logger: Logger,
                telemetry: AppTelemetry? = nil) {
        self.claims = claims; self.sessions = sessions; self.links = links; self.catalogue = catalogue; self.eligibility = eligibility
        self.payments = payments
        self.clock = clock; self.interval = interval; self.logger = logger; self.telemetry = telemetry
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sweepOnce()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass, in a span of its own; a failure is logged and the next pass tries again.
    public func sweepOnce() async {
        await (telemetry?.store ?? .off).traced("sweeper.pass") { _ in await sweep() }
        telemetry?.sweeperRuns.increment()
    }

    /// How far behind the deadlines this pass starts: now minus the oldest deadline passed and not yet expired.
    private func measureLag() async {
        guard let telemetry else { return }
        let now = clock.now
        do {
            telemetry.sweeperLag.record(try await claims.oldestOverdue(at: now).map { max(0, now.timeIntervalSince($0)) } ?? 0)
        } catch {
            logger.error("Deadline sweep lag could not be read: \(error)")
        }
    }

    private func sweep() async {
        // Engagements first: a claim swept below is then held to today's status of its engagement.
        do {
            if let changed = try await catalogue?.refresh(at: clock.now), changed > 0 {
                logger.info("Engagement statuses", metadata: ["changed": "\(changed)"])
            }
        } catch {
            logger.error("Engagement status refresh failed: \(error)")
        }
        await measureLag()
        do {
            let expired = try await claims.expireDue(at: clock.now, links: links)
            telemetry?.sweeperExpiries.increment(by: expired.values.reduce(0, +))
            if !expired.isEmpty {
                logger.info("Deadline sweep", metadata: ["expired": "\(expired.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: ","))"])
            }
        } catch {
            logger.error("Deadline sweep failed: \(error)")
        }
        if let links {
            do {
                let reminded = try await claims.remindDue(at: clock.now, links: links)
                if reminded > 0 { logger.info("Deadline reminders", metadata: ["claims": "\(reminded)"]) }
            } catch {
                logger.error("Deadline reminders failed: \(error)")
            }
        }
        do {
            if let expired = try await eligibility?.expireDue(at: clock.now), expired > 0 {
                logger.info("Expired partner criteria", metadata: ["criteria": "\(expired)"])
            }
        } catch {
            logger.error("Criteria expiry failed: \(error)")
        }
        do {
            if let forfeited = try await payments?.forfeitOverdue(at: clock.now), forfeited > 0 {
                logger.info("Forfeited earnings", metadata: ["earnings": "\(forfeited)"])
            }
        } catch {
            logger.error("Forfeiting unpaid earnings failed: \(error)")
        }
        do {
            try await sessions?.purge(now: clock.now)
        } catch {
            logger.error("Session clean-up failed: \(error)")
        }
    }
}
