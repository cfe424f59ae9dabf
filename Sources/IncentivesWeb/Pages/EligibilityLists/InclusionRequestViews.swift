import Foundation
import IncentivesDomain
import IncentivesStore

/// `/catalogue/inclusion-requests`: partners' requests to be put on a list, pending first, filtered by status and
/// engagement. Built from the requests and the page input only.
struct InclusionQueueView: PageView {
    /// The queue's filters as the address gives them; anything unknown means "all".
    struct Query: Sendable, Equatable {
        var status: InclusionRequestStatus?
        var engagementID: Int64?
        /// The last request of the page before.
        var after: Int64?

        init(_ status: String?, _ engagement: String?, _ after: String? = nil) {
            self.status = status.flatMap(InclusionRequestStatus.init(rawValue:))
            engagementID = engagement.flatMap { Int64($0) }
            self.after = after.flatMap { Int64($0) }
        }

        /// The address of the page after `last`, with the same filters.
        func next(after last: Int64) -> String {
            var query: [(String, String)] = []
            if let status { query.append(("status", status.rawValue)) }
            if let engagementID { query.append(("engagement", String(engagementID))) }
            return SitePath.inclusionRequests.href(query + [("after", String(last))])
        }
    }

    /// Requests on one page of the queue.
    static let perPage = 50
    struct Option: Sendable { let value: String; let label: String; let selected: Bool }
    struct Line: Sendable {
        let href: String
        let engagement: String
        let location: String
        let status: String
        let pending: Bool
        let requested: String
    }

    let shell: Shell
    let action: String
    let statuses: [Option]
    let engagements: [Option]
    let lines: [Line]
    let hasLines: Bool
    let pendingCount: Int
    let nextHref: String?

    init(_ requests: [InclusionRequest], query: Query, engagements list: [(Int64, String)], input: PageInput) {
        shell = Shell(input, title: "Inclusion requests", section: .catalogue, trail: [("Inclusion requests", nil)])
        action = SitePath.inclusionRequests.href()
        statuses = [Option(value: "", label: "Every status", selected: query.status == nil)]
            + InclusionRequestStatus.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == query.status) }
        engagements = [Option(value: "", label: "Every engagement", selected: query.engagementID == nil)]
            + list.map { Option(value: String($0.0), label: $0.1, selected: $0.0 == query.engagementID) }
        let times = input.times
        let page = Array(requests.prefix(Self.perPage))
        nextHref = requests.count > Self.perPage ? page.last.map { query.next(after: $0.id) } : nil
        lines = page.map { r in
            Line(href: SitePath.inclusionRequest(.id(r.id)).href(), engagement: r.engagementName, location: r.placeName,
                 status: r.status.label, pending: r.status == .pending,
                 requested: "\(times.dateTime(r.requestedAt)) by \(r.requestedByName)")
        }
        hasLines = !lines.isEmpty
        pendingCount = page.filter { $0.status == .pending }.count
    }
}

/// One inclusion request for the vendor: what the partner asked and why, its answer, and for the program manager the
/// approve and decline forms while it is pending.
struct InclusionRequestView: PageView {
    struct HistoryLine: Sendable { let when: String; let who: String; let detail: String }

    let shell: Shell
    let title: String
    let engagement: String
    let listHref: String
    let location: String
    let note: String
    let requested: String
    let status: String
    let answer: String?
    let reason: String?
    let canDecide: Bool
    let action: String
    let error: String?
    let typedReason: String
    let history: [HistoryLine]

    init(_ r: InclusionRequest, history changes: [ProgramChange], problem: String? = nil, reason typed: String = "", input: PageInput) {
        let times = input.times
        title = "Inclusion request #\(r.id)"
        shell = Shell(input, title: title, section: .catalogue,
                      trail: [("Inclusion requests", SitePath.inclusionRequests.href()), (title, nil)])
        engagement = r.engagementName
        listHref = SitePath.catalogueEligibility(.id(r.engagementID)).href()
        location = r.placeName
        note = r.note
        requested = "\(times.dateTime(r.requestedAt)) by \(r.requestedByName)"
        status = r.status.label
        answer = r.decidedAt.map { "\(r.status.label) \(times.dateTime($0)) by \(r.decidedByName ?? "")" }
        reason = r.reason
        canDecide = r.status == .pending && input.viewer?.vendorRole == .programManager
        action = SitePath.inclusionRequestDecision(.id(r.id)).href()
        error = problem
        typedReason = typed
        history = changes.map { HistoryLine(when: times.dateTime($0.at), who: $0.actorName, detail: $0.detail ?? $0.action) }
    }
}
