import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

@Suite("Times on pages")
struct PageTimeTests {
    /// What Foundation's format style writes, the reference the fast formatter must match.
    func reference(_ date: Date, _ zone: TimeZone, dateOnly: Bool) -> String {
        var format = Date.FormatStyle(timeZone: zone)
        format.locale = Locale(identifier: "en_GB")
        return dateOnly ? date.formatted(format.day().month(.abbreviated).year())
            : date.formatted(format.day().month(.abbreviated).year().hour(.twoDigits(amPM: .omitted)).minute().timeZone(.specificName(.short)))
    }

    @Test("the fast formatter writes what Foundation writes, across zones, DST changes, month and year ends",
          arguments: ["UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"])
    func matchesFoundation(zoneID: String) throws {
        let zone = try #require(TimeZone(identifier: zoneID))
        // A seeded generator, so a failure can be run again: PAGE_TIME_SEED=<the seed in the message> swift test ...
        let seed = ProcessInfo.processInfo.environment["PAGE_TIME_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        var generator = SeededRandom(seed: seed)
        // 2026-01-01 to 2028-12-31, plus instants next to midnight and the hour.
        var instants = (0..<400).map { _ in Date(timeIntervalSince1970: Double.random(in: 1_767_225_600...1_861_833_600, using: &generator).rounded(.down)) }
        instants += [Date(timeIntervalSince1970: 1_798_761_599), Date(timeIntervalSince1970: 1_798_761_600), Date(timeIntervalSince1970: 1_774_746_000)]
        for date in instants {
            #expect(PageTime.format(date, in: zone, style: .dateTime) == reference(date, zone, dateOnly: false), "\(date) in \(zoneID), PAGE_TIME_SEED=\(seed)")
            #expect(PageTime.format(date, in: zone, style: .date) == reference(date, zone, dateOnly: true), "\(date) in \(zoneID), PAGE_TIME_SEED=\(seed)")
        }
    }

    @Test("the claim page's clock: the stored deadline in each viewer's own time zone, and whose move it is", arguments: TestDatabases.flavors)
    func claimClockInTheViewersZone(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            // A claim created at 25 Nov 2026 09:46:40 UTC: its consent deadline is 30 days later, 25 Dec 09:46:40 UTC.
            let claim = try await ClaimRepository(db: app.db).create(
                NewClaim(organizationID: 1, locationID: 1, customerID: 1, engagementID: 4, name: "Clock in Kolkata", kind: .partnerActivities),
                contacts: [Contact(name: "Ana Chen", title: "CIO", email: "ana@alderlogistics.example")],
                by: Actor(role: .incentivesUser, userID: 2, name: "Sam Rivera"), in: .partner(organizationID: 1, locationIDs: [1]), at: app.clock.now)
            let kolkata = try await app.addUser("kolkata@bluefin.example", organization: 1, roles: [(1, .incentivesUser)])
            try await app.db.write { try await $0.raw("UPDATE users SET time_zone = 'Asia/Kolkata' WHERE id = \(bind: kolkata)").run() }
            // en_GB names these zones by their offset from GMT.
            let cases = [("kolkata@bluefin.example", "25 Dec 2026 at 15:16 GMT+5:30", "Waiting on you"),
                         ("admin@bluefin.example", "25 Dec 2026 at 01:46 GMT-8", "Waiting on you"),
                         ("reviewer@vendor.example", "25 Dec 2026 at 04:46 GMT-5", "Waiting on the partner")]
            for (email, when, whose) in cases {
                let page = try await app.signedIn(email).get("/claims/\(claim.id)")
                #expect(page.body.contains(#"<dd id="claim-clock"><strong>Consent due in 30 days</strong> <span class="muted">(\#(when))</span><br>\#(whose)</dd>"#),
                        "\(email)")
            }
        }
    }
}
