import Foundation
import IncentivesStore
@testable import IncentivesWeb
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
}
