import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/eligibility`: each of the viewer's locations, and whether and why it earns.
/// Every read is scoped in `ProgramReads` by the viewer's organization and Incentives locations.
struct EligibilityPage: Sendable {
    let deps: AppDependencies
    let reads: ProgramReads

    init(deps: AppDependencies) {
        self.deps = deps
        self.reads = ProgramReads(db: deps.db)
    }

    // MARK: View models

    struct LocationLine: Sendable {
        let name: String; let organization: String; let country: String; let market: String
        let enrollment: String; let enrollmentTone: String; let bank: String; let bankTone: String
        let tax: String; let taxTone: String; let payeeHref: String; let earning: Bool; let reason: String
    }
    struct EligibilityView: PageView {
        let shell: Shell
        let rows: [LocationLine]
        let hasRows: Bool
        let earningCount: Int
        let locationCount: Int
        let locationPlural: String
        let programName: String
    }

    // MARK: Routes

    func register(on router: Router<AppRequestContext>) {
        router.get("/eligibility") { request, context in
            let viewer = try context.viewer(for: .eligibility, request)
            let now = deps.clock.now
            let program = try await reads.program()
            let rows = try await reads.locations(in: viewer.scope, at: deps.clock.now).map { standing in
                let enrollment = program.flatMap { standing.enrollments[$0.id] }
                let reason = program.map { standing.notEarningReason(in: $0.id, at: now) } ?? "No program is set up yet."
                let tax: (String, String)
                if let expiry = standing.payee.taxExpiresOn, let valid = standing.taxProfileIsValid(at: now) {
                    tax = !valid ? ("Expired \(deps.day(expiry))", "danger") : ("Valid until \(deps.day(expiry))", "success")
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
            let earning = rows.filter(\.earning).count
            return deps.page("eligibility", EligibilityView(
                shell: Shell(context, deps: deps, title: Section.eligibility.title, section: .eligibility),
                rows: rows, hasRows: !rows.isEmpty, earningCount: earning, locationCount: rows.count,
                locationPlural: rows.count == 1 ? "" : "s", programName: program?.name ?? "the program"))
        }

    }
}
