import Foundation

/// One sign-in attempt as the throttle remembers it: on which account (the email as typed, normalized), from
/// which address, when, and how it went. An attempt is noted before its password is checked, as pending.
public struct SignInAttempt: Sendable, Hashable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// Noted, its password not checked yet: it counts as a failure until it is.
        case pending
        case failed
        case succeeded
    }

    public var account: String
    public var address: String
    public var at: Date
    public var outcome: Outcome

    public init(account: String, address: String, at: Date, outcome: Outcome) {
        self.account = account; self.address = address; self.at = at; self.outcome = outcome
    }
}

/// When a sign-in may be tried. Failures (pending attempts included) cost nothing up to a free number, then each
/// further attempt waits 2, 4, 8 ... seconds after the latest failure, at most `longestDelay`. Three counts:
/// - the account from one address (`freePerPair`), forgiven when that address signs in to the account;
/// - one address over all accounts (`freePerAddress`, higher: offices share addresses);
/// - the account from every address (`freePerAccount`), which slows only addresses that have failed on the
///   account and never signed in to it within `trustedFor`. So strangers, however many, cannot lock the owner
///   out: a correct password from an address without failures on the account, or from one where the owner
///   signed in before, is always checked.
public struct SignInThrottle: Sendable, Hashable {
    /// Failures count for this long.
    public var window: TimeInterval
    /// An address where the account signed in within this long is the owner's own.
    public var trustedFor: TimeInterval
    public var freePerPair: Int
    public var freePerAddress: Int
    public var freePerAccount: Int
    public var longestDelay: TimeInterval

    public init(window: TimeInterval = 24 * 3600, trustedFor: TimeInterval = 90 * 86_400, freePerPair: Int = 3,
                freePerAddress: Int = 20, freePerAccount: Int = 10, longestDelay: TimeInterval = 15 * 60) {
        self.window = window; self.trustedFor = trustedFor
        self.freePerPair = freePerPair; self.freePerAddress = freePerAddress; self.freePerAccount = freePerAccount
        self.longestDelay = longestDelay
    }

    public static let standard = SignInThrottle()

    /// The wait after `failures` failures of which `free` cost nothing: none, then 2, 4, 8 ... seconds, capped.
    public func delay(afterFailures failures: Int, free: Int) -> TimeInterval {
        guard failures >= free else { return 0 }
        return min(pow(2, Double(min(failures - free + 1, 40))), longestDelay)
    }

    /// The instant from which an attempt on `account` from `address` may be checked, or nil when it may be now.
    /// `history` holds earlier attempts on the account or from the address, in any order; others are ignored.
    public func notBefore(account: String, address: String, history: [SignInAttempt], now: Date) -> Date? {
        let pair = history.filter { $0.account == account && $0.address == address }
        let pairSignedIn = pair.filter { $0.outcome == .succeeded }.map(\.at).max()
        let failures = history.filter { $0.outcome != .succeeded && now.timeIntervalSince($0.at) < window }
        let pairFailures = failures.filter { attempt in
            attempt.account == account && attempt.address == address && pairSignedIn.map { attempt.at > $0 } ?? true
        }
        let trusted = pairSignedIn.map { now.timeIntervalSince($0) < trustedFor } ?? false
        var until = [wait(pairFailures, free: freePerPair), wait(failures.filter { $0.address == address }, free: freePerAddress)]
        if !trusted && !pairFailures.isEmpty {
            until.append(wait(failures.filter { $0.account == account }, free: freePerAccount))
        }
        return until.compactMap { $0 }.filter { $0 > now }.max()
    }

    private func wait(_ failures: [SignInAttempt], free: Int) -> Date? {
        guard let latest = failures.map(\.at).max() else { return nil }
        let delay = delay(afterFailures: failures.count, free: free)
        return delay > 0 ? latest.addingTimeInterval(delay) : nil
    }

    /// Whole seconds until `until`, at least one (a `Retry-After`).
    public static func seconds(until: Date, now: Date) -> Int {
        max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }

    /// The message shown while an attempt must wait: the same whether or not the account exists.
    public static func message(until: Date, now: Date) -> String {
        let seconds = seconds(until: until, now: now)
        if seconds < 60 { return "Too many failed sign-ins. Try again in \(seconds) second\(seconds == 1 ? "" : "s")." }
        let minutes = (seconds + 59) / 60
        return "Too many failed sign-ins. Try again in \(minutes) minute\(minutes == 1 ? "" : "s")."
    }
}
