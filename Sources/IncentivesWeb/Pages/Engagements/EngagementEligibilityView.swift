import Foundation
import IncentivesDomain
import IncentivesStore

/// `/engagements/{id}/eligibility`: each of the viewer's enrolled locations on the engagement, criterion by criterion,
/// with its payee profile and whether it earns. Built from the engagement's detail and the page input only.
struct EngagementEligibilityView: PageView {
    struct CriterionRow: Sendable {
        let criterion: String
        let met: Bool
        let todo: String
    }
    struct LocationRow: Sendable {
        let name: String
        let market: String
        let enrollment: String
        let eligible: Bool
        let eligibility: String
        let criteria: [CriterionRow]
        let hasCriteria: Bool
        let listNote: String
        let payeeComplete: Bool
        let payee: String
        let payeeHref: String
        let earning: Bool
        let notEarning: String
    }

    let shell: Shell
    let heading: EngagementHeading
    let rows: [LocationRow]
    let hasRows: Bool
    let earningCount: Int
    let enrolledCount: Int
    let managerName: String
    let managerEmail: String
    let enrollmentHref: String

    init(_ detail: EngagementDetail, input: PageInput) {
        let e = detail.engagement
        let manager = detail.program.map { "\($0.managerName) (\($0.managerEmail))" } ?? "the program manager"
        let enrolled = detail.locations.filter { $0.enrollments[e.programID] == .enrolled }
        let rows = enrolled.map { Self.row($0, on: e, manager: manager, now: input.now) }
        shell = EngagementHeading.shell(detail, input, page: "Eligibility")
        heading = EngagementHeading(detail, current: "Eligibility")
        self.rows = rows
        hasRows = !rows.isEmpty
        earningCount = rows.filter(\.earning).count
        enrolledCount = rows.count
        managerName = detail.program?.managerName ?? "the program manager"
        managerEmail = detail.program?.managerEmail ?? ""
        enrollmentHref = SitePath.enrollment.href()
    }

    /// - Parameter manager: who to ask to update the eligibility list, in words.
    static func row(_ standing: LocationStanding, on e: Engagement, manager: String, now: Date) -> LocationRow {
        let eligibility = standing.engagements[e.id]
        let criteria = (eligibility?.criteria ?? []).map { c in
            CriterionRow(criterion: c.criterion, met: c.met,
                         todo: c.met ? c.expiresOn.map { "Met until \($0)." } ?? "Met." : "Not met: meet it, then ask \(manager) to update the eligibility list.")
        }
        let eligible = eligibility?.isEligible ?? false
        let unmet = criteria.filter { !$0.met }.count
        let listed = eligible ? "Eligible" : "Not eligible: \(unmet) of \(criteria.count) criteria not met"
        let payeeProblem = standing.payee.problem(at: now)
        let earning = eligibility?.isEarning(at: now) ?? false
        return LocationRow(
            name: EngagementBoardView.shortName(standing), market: standing.location.market.label,
            enrollment: standing.enrollments[e.programID]?.label ?? "Not enrolled",
            eligible: eligible,
            eligibility: eligibility == nil ? "Not on the list" : listed,
            criteria: criteria, hasCriteria: !criteria.isEmpty,
            listNote: eligibility == nil ? "This location is not on the engagement's eligibility list. Ask \(manager) to add it." : "",
            payeeComplete: payeeProblem == nil, payee: payeeProblem ?? "Complete",
            payeeHref: PayeeProfilesView.locationHref(standing.location.id),
            earning: earning,
            notEarning: earning ? "" : (eligibility?.problems(at: now) ?? ["Not on the engagement's eligibility list."]).joined(separator: " "))
    }
}
