import Foundation
import Hummingbird
import IncentivesDomain

/// The pieces every list page shares: tabs with counts, filter choices, sortable column headers, and
/// addresses that carry a list's state in their query string.

/// A tab of a list, with how many rows it holds (`hasCount` false: too many to count, as for a broad search).
struct ListTab: Sendable {
    let name: String; let href: String; let count: Int; let current: Bool; var hasCount = true
}

/// One choice of a filter's `<select>`.
struct ListOption: Sendable { let value: String; let label: String; let selected: Bool }

/// A sortable column's header: its link sorts by it (or reverses), `aria-sort` says the current order.
struct SortHeader: Sendable {
    let label: String; let href: String; let ariaSort: String; let arrow: String; let numeric: Bool

    init(label: String, href: String, current: Bool, descending: Bool, numeric: Bool) {
        self.label = label; self.href = href; self.numeric = numeric
        ariaSort = current ? (descending ? "descending" : "ascending") : "none"
        arrow = current ? (descending ? "▼" : "▲") : ""
    }
}

/// What a list page answers for a page token that does not decode, or names a row the viewer does not see.
let damagedPageLink = HTTPError(.badRequest, message: "This page link is damaged. Start again from the first page.")

/// `path?name=value&...` with the values percent-encoded; just `path` when there are none.
func queryPath(_ path: String, _ items: [(String, String)]) -> String {
    guard !items.isEmpty else { return path }
    return path + "?" + items.map { "\($0.0)=\(PercentEncoding.unreserved($0.1))" }.joined(separator: "&")
}

// Read by field tables (TemplateFieldTable): every list repeats these.
extension ListTab: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "name": { $0.name }, "href": { $0.href }, "count": { $0.count }, "current": { $0.current }, "hasCount": { $0.hasCount },
    ])
}

extension ListOption: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>(["value": { $0.value }, "label": { $0.label }, "selected": { $0.selected }])
}

extension SortHeader: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "label": { $0.label }, "href": { $0.href }, "ariaSort": { $0.ariaSort }, "arrow": { $0.arrow }, "numeric": { $0.numeric },
    ])
}
