import Foundation
import IncentivesDomain
import IncentivesStore

/// The review queue's view model: built from the queue's claims, the filters' choices and a bulk action's report and the
/// page input (no database). Oldest first, dispute rounds and competing claims marked; the reviewer gets the bulk form.
struct ReviewView: PageView {
    /// What a bulk action did: how many claims it took, and each it left with the reason. Shown on the page the POST
    /// answers with, not in the flash cookie: a hundred refusals do not fit in a cookie.
    struct BulkReport: Sendable {
        let summary: String
        let refused: [String]

        init(_ action: ClaimAction, outcomes: [BulkOutcome]) {
            let done = outcomes.filter { $0.refusal == nil }.count
            let refused = outcomes.filter { $0.refusal != nil }
            let verb = action == .approve ? "Approved" : "Asked for more information on"
            summary = "\(verb) \(done) claim\(done == 1 ? "" : "s")." + (refused.isEmpty ? "" : " Not done:")
            self.refused = refused.map { "#\($0.claimID) \($0.claimName) (\($0.refusal ?? ""))" }
        }
    }

    struct QueueRow: Sendable {
        let line: ClaimLine
        let version: Int
        let dispute: Bool
        let competing: Bool
        let kind: String
        let arbitrationHref: String
    }

    let shell: Shell
    let rows: [QueueRow]
    let hasRows: Bool
    let total: Int
    let summary: String
    let statuses: [ListOption]
    let kinds: [ListOption]
    let engagements: [ListOption]
    let partners: [ListOption]
    let disputesOnly: Bool
    let competingOnly: Bool
    let isFiltered: Bool
    let canDecide: Bool
    let codes: [ListOption]
    let outcomeSummary: String?
    let outcomeTone: String
    let outcomes: [String]
    let hasOutcomes: Bool
    /// The queue without filters, where the filters are sent.
    let queueHref: String
    let bulkAction: String

    /// - Parameters:
    ///   - total: how many claims wait under these filters (the queue holds the oldest of them).
    ///   - engagements: every engagement, to filter by.
    init(_ queue: [ReviewItem], total: Int, filter: ReviewFilter, engagements: [(id: Int64, name: String)],
         partners: [PartnerOrganization], bulk: BulkReport? = nil, input: PageInput) {
        shell = Shell(input, title: Section.review.title, section: .review)
        rows = queue.map {
            QueueRow(line: ClaimLine($0.summary, input: input), version: $0.version, dispute: $0.isDisputeRound,
                     competing: $0.arbitrationPending, kind: $0.summary.kind.label,
                     arbitrationHref: SitePath.arbitration(.id($0.summary.id)).href())
        }
        hasRows = !rows.isEmpty
        self.total = total
        summary = "\(total) claim\(total == 1 ? "" : "s") waiting, oldest first"
            + (rows.count < total ? "; the oldest \(rows.count) are shown." : ".")
        statuses = ReviewFilter.statuses.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0 == filter.status) }
        kinds = ClaimKind.allCases.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0 == filter.kind) }
        self.engagements = engagements.map { ListOption(value: String($0.id), label: $0.name, selected: $0.id == filter.engagementID) }
        self.partners = partners.map { ListOption(value: String($0.id), label: $0.name, selected: $0.id == filter.organizationID) }
        disputesOnly = filter.disputesOnly
        competingOnly = filter.competingOnly
        isFiltered = filter != ReviewFilter()
        canDecide = input.viewer?.vendorRole == .reviewer
        codes = ReviewReason.offered(for: .requestInformation).map { ListOption(value: $0.rawValue, label: $0.label, selected: false) }
        outcomeSummary = bulk?.summary
        outcomeTone = bulk?.refused.isEmpty == false ? "error" : "success"
        outcomes = bulk?.refused ?? []
        hasOutcomes = bulk?.refused.isEmpty == false
        queueHref = SitePath.review.href()
        bulkAction = SitePath.reviewBulk.href()
    }
}
