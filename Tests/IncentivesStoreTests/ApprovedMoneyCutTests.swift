import Foundation
@testable import IncentivesStore
import Testing

@Suite("The dashboards' period cuts")
struct ApprovedMoneyCutTests {
    @Test("a cut's days and month are the UTC dates a formatter writes, around midnights, month ends and leap days")
    func daysAsFormatted() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let edges: [TimeInterval] = [0, 1, 43_199, 43_200, 43_201, 86_399, 86_400, -1, -86_401]
        let anchors = ["1999-12-31", "2024-02-29", "2026-11-30", "2026-12-01", "2027-01-15", "1969-12-31"].map { formatter.date(from: $0)! }
        var randomly = SystemRandomNumberGenerator()
        let instants = anchors.flatMap { day in edges.map { day.addingTimeInterval($0) } }
            + (0..<300).map { _ in Date(timeIntervalSince1970: Double(Int64.random(in: -2_000_000_000...4_000_000_000, using: &randomly)) / 1.7) }
        for instant in instants {
            #expect(ApprovedMoney.Cut.day(instant) == formatter.string(from: instant), "\(instant.timeIntervalSince1970)")
            let cut = ApprovedMoney.Cut(instant)
            // The month is the one the days run to or from (its first day is one end of them).
            #expect(cut.month.count == 7 && (cut.daysFrom == cut.month + "-01" || cut.daysTo == cut.month + "-01"))
        }
    }
}
