import Foundation
import IncentivesDomain
import IncentivesStore

/// A claim as a table row shows it, in the viewer's words and zone: on the claims list, the review queue and the home page.
struct ClaimLine: Sendable {
    let id: Int64
    let href: String
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

    init(_ claim: ClaimSummary, input: PageInput) {
        id = claim.id
        href = SitePath.claim(.id(claim.id)).href()
        name = claim.name
        customer = claim.customerName
        engagement = claim.engagementName
        location = claim.locationName
        organization = claim.organizationName
        place = input.viewer?.vendorRole == nil ? claim.locationName : "\(claim.organizationName): \(claim.locationName)"
        status = claim.status.label
        statusCode = claim.status.rawValue
        tone = claim.status.tone
        if let due = claim.dueAt, let kind = claim.dueKind {
            deadline = "\(kind.label.prefix(1).uppercased() + kind.label.dropFirst()) \(Countdown.phrase(from: input.now, to: due))"
            deadlineTitle = input.times.dateTime(due)
        } else {
            deadline = ""
            deadlineTitle = ""
        }
        amount = claim.amount?.description ?? ""
        updated = input.times.date(claim.updatedAt)
    }
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
