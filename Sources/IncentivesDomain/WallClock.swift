import Foundation
import Synchronization

/// Where "now" comes from. Injected everywhere so that tests fix time and move it (DESIGN rule).
public protocol WallClock: Sendable {
    var now: Date { get }
}

/// The real time of the machine.
public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that stands still until moved; for tests, `sweep --now` and deterministic seeding.
public final class FixedClock: WallClock {
    private let instant: Mutex<Date>

    public init(_ date: Date) { instant = Mutex(date) }

    public var now: Date { instant.withLock { $0 } }

    public func set(_ date: Date) { instant.withLock { $0 = date } }

    public func advance(days: Int) { advance(by: TimeInterval(days) * 86_400) }

    public func advance(by seconds: TimeInterval) { instant.withLock { $0 += seconds } }
}
