import Foundation
import IncentivesDomain

/// How pages word months, and the tone (the colour family of a status badge, `badge-<tone>` in the CSS) of every
/// status the pages show: one place, so a status looks the same on every page.
enum Wording {
    /// `2027-01` as "Jan 2027"; anything unexpected as stored.
    static func monthText(_ month: String) -> String {
        guard let first = DayDate("\(month)-01") else { return month }
        var style = Date.FormatStyle(timeZone: TimeZone(identifier: "UTC")!).month(.abbreviated).year()
        style.locale = Locale(identifier: "en_GB")
        return first.startUTC.formatted(style)
    }
}

extension ClaimStatus {
    var tone: String {
        switch self {
        case .approved: "success"
        case .rejected, .rejectedFinal, .consentDeclined, .consentRejected: "danger"
        case .partnerActionRequired, .disputed, .customerClaimed, .consentReceived: "attention"
        case .submitted, .underReview, .awaitingConsent: "progress"
        default: "muted"
        }
    }
}

extension EngagementStatus {
    var tone: String {
        switch self {
        case .active: "success"
        case .upcoming: "progress"
        case .closed: "muted"
        }
    }
}

extension EnrollmentStatus {
    var tone: String {
        switch self {
        case .enrolled: "success"
        case .validating, .enrolling: "progress"
        case .invited, .actionRequired: "attention"
        case .inactive, .discontinued: "muted"
        }
    }
}

extension BankProfileStatus {
    var tone: String {
        switch self {
        case .approved: "success"
        case .pendingValidation: "progress"
        case .actionRequired: "attention"
        }
    }
}

extension Optional where Wrapped == BankProfileStatus {
    /// A location's bank profile: none assigned is something to do, as an update is.
    var tone: String { self?.tone ?? "attention" }
}

extension PaymentStatus {
    var tone: String {
        switch self {
        case .paid: "success"
        case .failed, .reversed, .forfeited: "danger"
        case .inProgress, .upcoming, .sent: "progress"
        case .unprocessed: "muted"
        }
    }
}
