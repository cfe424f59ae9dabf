import Foundation
import IncentivesDomain
import IncentivesStore

/// The calendar settings page: the viewer's private address to copy (or a button to make one), what the calendar holds
/// for their role, when the address was made and last renewed, and the button that renews it.
struct CalendarView: PageView {
    let shell: Shell
    let hasAddress: Bool
    /// The feed's full address, and the same with `webcal://`, which opens a calendar app that subscribes to it.
    let address: String
    let subscribeHref: String
    let made: String
    let renewed: String?
    /// What the calendar holds for this viewer, in a sentence.
    let contents: String
    let limit: String
    let renewAction: String
    let renewLabel: String

    init(_ record: CalendarAddress?, publicURL: String, input: PageInput) {
        shell = Shell(input, title: "Calendar feed", trail: [("Calendar feed", nil)])
        hasAddress = record != nil
        address = record.map { publicURL + SitePath.calendarFeed(secret: .text($0.secret)).href() } ?? ""
        subscribeHref = address.replacingOccurrences(of: #"^https?://"#, with: "webcal://", options: .regularExpression)
        made = record.map { input.times.dateTime($0.createdAt) } ?? ""
        renewed = record?.renewedAt.map(input.times.dateTime)
        contents = Self.contents(for: input.viewer)
        limit = "Up to \(CalendarFeed.limit) deadlines, the soonest first; "
            + "a deadline that passed more than \(Int(CalendarFeed.keepsPassedFor / 86_400)) days ago drops out."
        renewAction = SitePath.calendar.href()
        renewLabel = record == nil ? "Make my calendar address" : "Renew address"
    }

    static func contents(for viewer: Viewer?) -> String {
        guard let viewer else { return "" }
        if viewer.vendorRole != nil {
            return "Every open deadline of every partner's claims: consent, submission, review (including the vendor's own) and dispute."
        }
        let count = viewer.incentiveLocations.count
        guard count > 0 else {
            return "You hold no Incentives role on any location, so your calendar is empty until you are given one."
        }
        return "Every open deadline of the claims of your \(count == 1 ? "location" : "\(count) locations"): "
            + "consent, submission, answers to the reviewer, review and dispute."
    }
}
