import Foundation
import IncentivesDomain
import IncentivesStore

/// How the program pages word days, months and statuses, shared by the section pages.
enum Wording {
    /// `2027-01` as "Jan 2027"; anything unexpected as stored.
    static func monthText(_ month: String) -> String {
        guard let first = DayDate("\(month)-01") else { return month }
        var style = Date.FormatStyle(timeZone: TimeZone(identifier: "UTC")!).month(.abbreviated).year()
        style.locale = Locale(identifier: "en_GB")
        return first.startUTC.formatted(style)
    }

    static func tone(_ status: BankProfileStatus?) -> String {
        switch status {
        case .approved: "success"
        case .pendingValidation: "progress"
        case .actionRequired, nil: "attention"
        }
    }

    static func tone(_ status: PaymentStatus) -> String {
        switch status {
        case .sent: "success"
        case .failed, .reversed, .forfeited: "danger"
        case .inProgress, .upcoming: "progress"
        case .unprocessed: "muted"
        }
    }
}

extension AppDependencies {
    /// A UTC calendar day as pages write dates, e.g. "25 Nov 2026": the same day in every zone, so no zone shift.
    func day(_ day: DayDate) -> String { day.text }
}
