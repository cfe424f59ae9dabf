import Foundation
import Hummingbird
import Mustache
import IncentivesDomain
import IncentivesStore

/// A claim as a table row shows it, in the viewer's words and zone.
struct ClaimLine: Sendable {
    let id: Int64
    let name: String
    let customer: String
    let engagement: String
    let location: String
    let organization: String
    /// "Organization: location" for the vendor, the location alone for a partner (whose organization the header names).
    var place: String
    let status: String
    let statusCode: String
    let tone: String
    let deadline: String
    let deadlineTitle: String
    let amount: String
    let updated: String

    init(_ claim: ClaimSummary, viewer: Viewer, now: Date, deps: AppDependencies) {
        id = claim.id; name = claim.name; customer = claim.customerName; engagement = claim.engagementName
        location = claim.locationName; organization = claim.organizationName
        place = viewer.vendorRole == nil ? claim.locationName : "\(claim.organizationName): \(claim.locationName)"
        status = claim.status.label; statusCode = claim.status.rawValue; tone = claim.status.tone
        if let due = claim.dueAt, let kind = claim.dueKind {
            deadline = "\(kind.label.prefix(1).uppercased() + kind.label.dropFirst()) \(Countdown.phrase(from: now, to: due))"
            deadlineTitle = deps.format(due, for: viewer)
        } else {
            deadline = ""; deadlineTitle = ""
        }
        amount = claim.amount?.description ?? ""
        updated = deps.format(claim.updatedAt, for: viewer, style: .date)
    }
}

/// Rows are rendered by the thousand: named lookups instead of swift-mustache's reflection, which costs
/// a Mirror per field per row.
extension ClaimLine: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "name": name_
        case "customer": customer
        case "engagement": engagement
        case "location": location
        case "organization": organization
        case "place": place
        case "status": status
        case "statusCode": statusCode
        case "tone": tone
        case "deadline": deadline
        case "deadlineTitle": deadlineTitle
        case "amount": amount
        case "updated": updated
        default: nil
        }
    }
    private var name_: String { self.name }
}

/// "due in 4 days", "due in 5 hours", "overdue by 2 days": how far a deadline is, rounded the way people say it.
enum Countdown {
    static func phrase(from now: Date, to due: Date) -> String {
        let seconds = due.timeIntervalSince(now)
        let magnitude = abs(seconds)
        let amount: String
        if magnitude >= 2 * 86_400 { amount = "\(Int(magnitude / 86_400)) days" }
        else if magnitude >= 2 * 3_600 { amount = "\(Int(magnitude / 3_600)) hours" }
        else if magnitude >= 120 { amount = "\(Int(magnitude / 60)) minutes" }
        else { return seconds >= 0 ? "due now" : "just passed" }
        return seconds >= 0 ? "due in \(amount)" : "overdue by \(amount)"
    }
}

/// `/claims/{id}`: one claim of the organization (the vendor: anyone's), scoped in the repository. The list is `ClaimListPage`.
struct ClaimPages: Sendable {
    let deps: AppDependencies
    let listing: ClaimListing
    let claims: ClaimRepository

    struct HistoryLine: Sendable { let at: String; let action: String; let actor: String; let side: String; let from: String; let to: String; let note: String }
    struct DetailView: PageView {
        let shell: Shell
        let claim: ClaimLine
        let kind: String
        let history: [HistoryLine]
        let clock: String?
        let clockTitle: String?
        let definition: String
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/claims/{id}") { request, context in
            let viewer = try context.viewer(for: .claims, request)
            // A malformed id is as unknown as a foreign one.
            guard let id = context.parameters.get("id", as: Int64.self),
                  let summary = try await listing.summary(of: id, in: viewer.scope),
                  let history = try await claims.history(of: id, in: viewer.scope) else { throw HTTPError(.notFound) }
            let now = deps.clock.now
            let line = ClaimLine(summary, viewer: viewer, now: now, deps: deps)
            let entries = history.reversed().map { entry in
                HistoryLine(at: deps.format(entry.at, for: viewer), action: entry.action.label,
                            actor: entry.actor.role == .clock ? entry.actor.name : "\(entry.actor.name) (\(entry.actor.role.label))",
                            side: entry.side.rawValue, from: entry.from?.label ?? "", to: entry.to.label, note: entry.note ?? "")
            }
            let view = DetailView(
                shell: Shell(context, deps: deps, title: summary.name, section: .claims, trail: [(summary.name, nil)]),
                claim: line, kind: summary.kind.label, history: entries,
                clock: summary.dueKind.map { _ in line.deadline }, clockTitle: summary.dueAt.map { deps.format($0, for: viewer) },
                definition: summary.status.definition)
            return deps.page("claim", view)
        }
    }
}
