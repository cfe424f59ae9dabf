import Foundation
import IncentivesDomain
import IncentivesStore

/// `/engagements/{id}/eligibility`: each of the viewer's enrolled locations on the engagement, criterion by criterion,
/// with its payee profile and whether it earns; for a location not on the list, the Incentives admin's inclusion request
/// form, and every request of the viewer's locations with its answer. Built from the engagement's detail, the requests
/// and the page input only.
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
        var listNote: String
        let payeeComplete: Bool
        let payee: String
        let payeeHref: String
        let earning: Bool
        let notEarning: String
        /// The inclusion request form (an Incentives admin, a location not listed, no request pending).
        var request: RequestForm?
        /// "Inclusion request sent …" while one waits.
        var pendingLine: String?
    }
    struct RequestForm: Sendable {
        let action: String
        let location: String
        let inputID: String
        let note: String
        let error: String?
    }
    /// A refused request, shown next to its location's form with 422.
    struct RequestProblem: Sendable, Equatable {
        let location: Int64
        let message: String
        let note: String
    }
    struct RequestLine: Sendable {
        let location: String
        let sent: String
        let note: String
        let status: String
        let answer: String?
        let reason: String?
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
    let requests: [RequestLine]
    let hasRequests: Bool
    /// A refused request whose location shows no form (a request already pending, a listed location), above the table.
    let requestError: String?

    init(_ detail: EngagementDetail, requests sent: [InclusionRequest] = [], problem: RequestProblem? = nil, input: PageInput) {
        let e = detail.engagement
        let manager = detail.program.map { "\($0.managerName) (\($0.managerEmail))" } ?? "the program manager"
        let enrolled = detail.locations.filter { $0.enrollments[e.programID] == .enrolled }
        let times = input.times
        let rows = enrolled.map { standing in
            var row = Self.row(standing, on: e, manager: manager, now: input.now)
            guard standing.engagements[e.id] == nil else { return row }
            let id = standing.location.id
            if let pending = sent.first(where: { $0.locationID == id && $0.status == .pending }) {
                row.pendingLine = "Inclusion request sent \(times.dateTime(pending.requestedAt)): waiting for the program manager's answer."
            } else if input.viewer?.locationRoles[id]?.contains(.incentivesAdmin) == true {
                let mine = problem?.location == id ? problem : nil
                row.request = RequestForm(action: SitePath.engagementInclusionRequests(.id(e.id)).href(), location: String(id),
                                          inputID: "include-\(id)", note: mine?.note ?? "", error: mine?.message)
                row.listNote = "This location is not on the engagement's eligibility list. Ask \(manager) to include it here:"
            }
            return row
        }
        shell = EngagementHeading.shell(detail, input, page: "Eligibility")
        heading = EngagementHeading(detail, current: "Eligibility")
        self.rows = rows
        hasRows = !rows.isEmpty
        earningCount = rows.filter(\.earning).count
        enrolledCount = rows.count
        managerName = detail.program?.managerName ?? "the program manager"
        managerEmail = detail.program?.managerEmail ?? ""
        enrollmentHref = SitePath.enrollment.href()
        requests = sent.map { r in
            RequestLine(location: r.locationName, sent: "\(times.dateTime(r.requestedAt)) by \(r.requestedByName)", note: r.note,
                        status: r.status.label, answer: r.decidedAt.map { "\(times.dateTime($0)) by \(r.decidedByName ?? "")" },
                        reason: r.reason)
        }
        hasRequests = !requests.isEmpty
        requestError = rows.contains { $0.request?.error != nil } ? nil : problem?.message
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
