import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// The earnings page's URL: its filters and page position, checked; bad values answer 400 rather than being ignored.
struct EarningsQuery: Sendable {
    /// Rows per page unless the URL asks for another size (`per`, 1...200).
    static let pageSize = 50

    var filter = EarningsFilter()
    var cursor = EarningsCursor.newest
    var per = Self.pageSize

    init() {}

    init(_ parameters: Parameters) throws {
        func value(_ name: String) -> String? {
            guard let raw = parameters[name[...]].map(String.init), !raw.isEmpty else { return nil }
            return raw
        }
        func id(_ name: String) throws -> Int64? {
            guard let text = value(name) else { return nil }
            guard let id = Int64(text), id > 0 else { throw HTTPError(.badRequest, message: "'\(name)' must be a positive number.") }
            return id
        }
        filter.locationID = try id("location")
        if let status = value("status") {
            guard let known = PaymentStatus(rawValue: status) else { throw HTTPError(.badRequest, message: "Unknown payment status.") }
            filter.paymentStatus = known
        }
        if let month = value("month") {
            guard EarningsFilter.isMonth(month) else { throw HTTPError(.badRequest, message: "The month must look like 2026-12.") }
            filter.paymentMonth = month
        }
        if let after = try id("after") {
            cursor = .olderThan(after)
        } else if let before = try id("before") {
            cursor = .newerThan(before)
        }
        if let per = value("per") {
            guard let n = Int(per), (1...200).contains(n) else { throw HTTPError(.badRequest, message: "'per' must be between 1 and 200.") }
            self.per = n
        }
    }

    /// The filters (and page size, when not the default) as query items, for links that keep them.
    func items(withPer: Bool = true) -> [(String, String)] {
        var items: [(String, String)] = []
        if let l = filter.locationID { items.append(("location", String(l))) }
        if let s = filter.paymentStatus { items.append(("status", s.rawValue)) }
        if let m = filter.paymentMonth { items.append(("month", m)) }
        if withPer && per != Self.pageSize { items.append(("per", String(per))) }
        return items
    }
}
