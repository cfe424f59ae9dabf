import Foundation
import IncentivesDomain
import Testing

@Suite("Sign-in rules: the throttle and redirect targets")
struct SignInRulesTests {
    let throttle = SignInThrottle.standard
    let now = at("2026-11-25T10:00:00Z")
    let owner = "manager@vendor.example"

    /// `count` attempts `every` seconds apart, the last `endingAgo` seconds before `now`.
    func attempts(_ count: Int, account: String? = nil, from address: String = "203.0.113.66", every: TimeInterval = 1,
                  endingAgo: TimeInterval = 0, outcome: SignInAttempt.Outcome = .failed) -> [SignInAttempt] {
        (0..<count).map {
            SignInAttempt(account: account ?? owner, address: address,
                          at: now.addingTimeInterval(-endingAgo - TimeInterval(count - 1 - $0) * every), outcome: outcome)
        }
    }

    func notBefore(from address: String, _ history: [SignInAttempt], account: String? = nil) -> Date? {
        throttle.notBefore(account: account ?? owner, address: address, history: history, now: now)
    }

    @Test("the delay: free failures, then 2, 4, 8 ... seconds, at most 15 minutes")
    func delays() {
        #expect((0..<3).map { throttle.delay(afterFailures: $0, free: 3) } == [0, 0, 0])
        #expect((3..<8).map { throttle.delay(afterFailures: $0, free: 3) } == [2, 4, 8, 16, 32])
        #expect(throttle.delay(afterFailures: 12, free: 3) == 900)
        #expect(throttle.delay(afterFailures: 10_000, free: 3) == 900)
    }

    @Test("one address on one account: three failures free, then each attempt waits after the latest")
    func pair() {
        #expect(notBefore(from: "203.0.113.66", attempts(2)) == nil)
        #expect(notBefore(from: "203.0.113.66", attempts(3)) == now.addingTimeInterval(2))
        #expect(notBefore(from: "203.0.113.66", attempts(3, endingAgo: 2)) == nil, "the wait is over")
        #expect(notBefore(from: "203.0.113.66", attempts(6, endingAgo: 10)) == now.addingTimeInterval(6))
        // Pending attempts (passwords being checked right now) count as failures.
        #expect(notBefore(from: "203.0.113.66", attempts(3, outcome: .pending)) == now.addingTimeInterval(2))
        // Failures older than a day do not count.
        #expect(notBefore(from: "203.0.113.66", attempts(30, endingAgo: 24 * 3600)) == nil)
    }

    @Test("signing in from an address forgives that address its failures on the account")
    func successForgives() {
        let history = attempts(5, endingAgo: 100) + attempts(1, endingAgo: 50, outcome: .succeeded) + attempts(2)
        #expect(notBefore(from: "203.0.113.66", history) == nil)
        #expect(notBefore(from: "203.0.113.66", history + attempts(1)) == now.addingTimeInterval(2))
    }

    @Test("one address over many accounts: twenty failures free")
    func address() {
        let spray = (0..<20).flatMap { attempts(1, account: "guess\($0)@example.com") }
        #expect(notBefore(from: "203.0.113.66", Array(spray.prefix(19))) == nil)
        #expect(notBefore(from: "203.0.113.66", spray) == now.addingTimeInterval(2))
        #expect(notBefore(from: "198.51.100.10", spray) == nil, "another address is not slowed")
    }

    @Test("many strangers on one account slow the strangers, never the owner")
    func strangersNeverLockTheOwner() {
        // Fifteen addresses, two failures each: 30 on the account.
        let strangers = (1...15).flatMap { attempts(2, from: "192.0.2.\($0)") }
        #expect(notBefore(from: "192.0.2.1", strangers) == now.addingTimeInterval(900), "a stranger who failed waits")
        #expect(notBefore(from: "100.64.7.7", strangers) == nil, "an address that never failed is checked")
        // The owner's address, which signed in 30 days ago, even after a mistyped password.
        let owners = attempts(1, from: "198.51.100.10", endingAgo: 30 * 86_400, outcome: .succeeded) + attempts(1, from: "198.51.100.10")
        #expect(notBefore(from: "198.51.100.10", strangers + owners) == nil)
        // A sign-in older than 90 days vouches for nothing.
        let stale = attempts(1, from: "198.51.100.10", endingAgo: 91 * 86_400, outcome: .succeeded) + attempts(1, from: "198.51.100.10")
        #expect(notBefore(from: "198.51.100.10", strangers + stale) != nil)
        // Nine failures on the account cost nothing yet.
        #expect(notBefore(from: "192.0.2.1", Array(strangers.prefix(9))) == nil)
    }

    @Test("the wait is worded in seconds, then in minutes rounded up", arguments: [
        (0.2, "1 second"), (1, "1 second"), (2, "2 seconds"), (59, "59 seconds"), (60, "1 minute"), (61, "2 minutes"), (900, "15 minutes"),
    ] as [(TimeInterval, String)])
    func message(seconds: TimeInterval, text: String) {
        #expect(SignInThrottle.message(until: now.addingTimeInterval(seconds), now: now) == "Too many failed sign-ins. Try again in \(text).")
    }

    // MARK: Redirect targets

    @Test("paths on this site are kept as they are", arguments: [
        "/", "/claims", "/claims?tab=all&q=acme%20corp", "/claims/12#history", "/settings/users?x=1", "/engagements/3/customers?after=MTI%3D",
        "/a:b@c", "/claims?q=%E2%82%AC",
    ])
    func kept(path: String) {
        #expect(RedirectTarget.sameOriginPath(path) == path)
    }

    @Test("anything that could leave the site is refused", arguments: [
        nil, "", "claims", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
        "/\n/evil.example", "/\r/evil.example", " /claims", "/claims ", "/\u{0000}", "/\u{007F}", "/\u{00A0}/evil.example",
        "/\u{3000}/evil.example", "/\u{2028}/evil.example", "/\u{202E}/evil.example", "/\u{200B}/evil.example", "/\u{FEFF}/x",
        "/é", "/%2F%2Fevil.example", "/%2f/evil.example", "/%5Cevil.example", "/%252F/evil.example", "/%25252F%25252Fevil.example",
        "/%09/evil.example", "/%0A", "/100%", "/%zz", "https://evil.example", "javascript:alert(1)", "data:text/html,x",
        "/<script>", "/\"x", "/" + String(repeating: "a", count: 2_000),
    ] as [String?])
    func refused(target: String?) {
        #expect(RedirectTarget.sameOriginPath(target) == nil)
    }
}
