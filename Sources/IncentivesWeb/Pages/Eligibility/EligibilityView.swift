import Foundation
import IncentivesDomain
import IncentivesStore

/// The eligibility page's view model: per location its enrollment, bank and tax profiles, and whether it earns or the
/// first thing that keeps it from earning. Built from the program, the locations' standings and the page input only.
struct EligibilityView: PageView {
    struct LocationLine: Sendable {
        let name: String
        let organization: String
        let country: String
        let market: String
        let enrollment: String
        let enrollmentTone: String
        let bank: String
        let bankTone: String
        let tax: String
        let taxTone: String
        let payeeHref: String
        let earning: Bool
        let reason: String
    }

    let shell: Shell
    let rows: [LocationLine]
    let hasRows: Bool
    let earningCount: Int
    let locationCount: Int
    let locationPlural: String
    let programName: String
    let payeeProfilesHref: String

    init(program: Program?, locations: [LocationStanding], input: PageInput) {
        let rows = locations.map { Self.line($0, program: program, now: input.now) }
        shell = Shell(input, title: Section.eligibility.title, section: .eligibility)
        self.rows = rows
        hasRows = !rows.isEmpty
        earningCount = rows.filter(\.earning).count
        locationCount = rows.count
        locationPlural = rows.count == 1 ? "" : "s"
        programName = program?.name ?? "the program"
        payeeProfilesHref = SitePath.payeeProfiles.href()
    }

    static func line(_ standing: LocationStanding, program: Program?, now: Date) -> LocationLine {
        let enrollment = program.flatMap { standing.enrollments[$0.id] }
        let reason = program.map { standing.notEarningReason(in: $0.id, at: now) } ?? "No program is set up yet."
        let tax: (String, String)
        if let expiry = standing.payee.taxExpiresOn, let valid = standing.taxProfileIsValid(at: now) {
            tax = !valid ? ("Expired \(expiry.text)", "danger") : ("Valid until \(expiry.text)", "success")
        } else {
            tax = ("Missing", "danger")
        }
        return LocationLine(
            name: standing.location.name, organization: standing.organizationName, country: standing.location.country,
            market: standing.location.market.rawValue.uppercased(),
            enrollment: enrollment?.label ?? "Not enrolled", enrollmentTone: enrollment == .enrolled ? "success" : "attention",
            bank: standing.payee.bankStatus?.label ?? "None assigned", bankTone: standing.payee.bankStatus.tone,
            tax: tax.0, taxTone: tax.1, payeeHref: PayeeProfilesView.locationHref(standing.location.id), earning: reason == nil,
            reason: reason ?? "Earning on \(standing.earningEngagements(at: now)) of \(standing.engagements.count) listed engagements")
    }
}
