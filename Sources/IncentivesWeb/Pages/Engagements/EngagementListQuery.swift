import Foundation
import Hummingbird
import IncentivesDomain

/// The engagements list's URL state: tab, filters, sort; unknown values fall back to the defaults.
struct EngagementListQuery: Sendable {
    enum Sort: String, CaseIterable, Sendable { case name, location, role, eligibility, status, active, eligible }
    var area: String?
    var location: Int64?
    var status: EngagementStatus?
    var role: PartnerRole?
    var sort: Sort = .name
    var descending = false

    init(area: String? = nil, location: Int64? = nil, status: EngagementStatus? = nil, role: PartnerRole? = nil,
         sort: Sort = .name, descending: Bool = false) {
        self.area = area
        self.location = location
        self.status = status
        self.role = role
        self.sort = sort
        self.descending = descending
    }

    init(_ parameters: Parameters) {
        area = parameters.get("area").flatMap { $0.isEmpty ? nil : $0 }
        location = parameters.get("location").flatMap { Int64($0) }
        status = parameters.get("status").flatMap(EngagementStatus.init(rawValue:))
        role = parameters.get("role").flatMap(PartnerRole.init(rawValue:))
        sort = parameters.get("sort").flatMap(Sort.init(rawValue:)) ?? .name
        descending = parameters.get("dir") == "desc"
    }

    var isFiltered: Bool { location != nil || status != nil || role != nil }

    /// The list's address with these values; defaults are left out so links stay short.
    var href: String {
        var items: [(String, String)] = []
        if let area { items.append(("area", area)) }
        if let location { items.append(("location", String(location))) }
        if let status { items.append(("status", status.rawValue)) }
        if let role { items.append(("role", role.rawValue)) }
        if sort != .name || descending {
            items.append(("sort", sort.rawValue))
            items.append(("dir", descending ? "desc" : "asc"))
        }
        return SitePath.engagements.href(items)
    }
}
