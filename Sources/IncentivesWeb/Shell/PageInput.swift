import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// What every view model needs from the request, as plain values, read once per request: who is signed in, the form
/// token, the flash, the instant. View models are built from it and from store values only, so a test builds one
/// without a database or a server.
struct PageInput: Sendable {
    var viewer: Viewer?
    var csrfToken: String
    var flash: Flash?
    /// Which database the footer names ("embedded SQLite").
    var database: String
    var demo: Bool
    var now: Date

    /// Times in the viewer's zone.
    var times: PageTimes { PageTimes(zone: viewer?.timeZone ?? PageTime.utc) }
}

/// Formats instants for one viewer: in their zone, with the zone's abbreviation so nobody has to guess
/// ("13 Feb 2027 at 15:44 GMT-8"; dates alone "13 Feb 2027").
struct PageTimes: Sendable {
    var zone: TimeZone

    func dateTime(_ date: Date) -> String { PageTime.format(date, in: zone, style: .dateTime) }
    func date(_ date: Date) -> String { PageTime.format(date, in: zone, style: .date) }
}

extension AppDependencies {
    /// The request's page input, with the clock read once.
    func pageInput(_ context: AppRequestContext) -> PageInput {
        PageInput(viewer: context.viewer, csrfToken: context.csrfToken, flash: context.flash,
                  database: db.flavor == .sqlite ? "embedded SQLite" : "PostgreSQL", demo: config.demo, now: clock.now)
    }
}

extension Section {
    /// Where the section's navigation entry leads.
    var sitePath: SitePath {
        switch self {
        case .home: .home
        case .engagements: .engagements
        case .claims: .claims
        case .eligibility: .eligibility
        case .payeeProfiles: .payeeProfiles
        case .enrollment: .enrollment
        case .earnings: .earnings
        case .payments: .payments
        case .review: .review
        case .catalogue: .catalogue
        case .partners: .partners
        case .users: .users
        case .webhooks: .webhooks
        }
    }
}
