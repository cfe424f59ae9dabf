import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/earnings`: earnings from approved claims, with totals per currency.
struct EarningsPage: Sendable {
    let deps: AppDependencies
    let reads: ProgramReads

    init(deps: AppDependencies) {
        self.deps = deps
        self.reads = ProgramReads(db: deps.db)
    }

    struct EarningRow: Sendable {
        let claimID: Int64; let claim: String; let engagement: String; let organization: String; let location: String
        let market: String; let version: Int; let amount: String; let approvedOn: String; let approvedTitle: String
        let paymentMonth: String; let paymentStatus: String; let paymentTone: String
    }
    struct TotalLine: Sendable { let currency: String; let earned: String; let sent: String; let lines: Int }
    struct EarningsView: PageView {
        let shell: Shell
        let rows: [EarningRow]
        let hasRows: Bool
        let totals: [TotalLine]
        let showOrganization: Bool
        let shown: Int
        let totalCount: Int
        let partial: Bool
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/earnings") { request, context in
            let viewer = try context.viewer(for: .earnings, request)
            let page = try await reads.earnings(in: viewer.scope, limit: 100)
            let rows = page.lines.map { e in
                EarningRow(claimID: e.claimID, claim: e.claimName, engagement: e.engagementName, organization: e.organizationName,
                           location: e.locationName, market: e.market.rawValue.uppercased(), version: e.engagementVersion,
                           amount: e.amount.description, approvedOn: deps.format(e.approvedAt, for: viewer, style: .date),
                           approvedTitle: deps.format(e.approvedAt, for: viewer),
                           paymentMonth: Wording.monthText(e.paymentMonth), paymentStatus: e.paymentStatus.label,
                           paymentTone: Wording.tone(e.paymentStatus))
            }
            let totals = page.totals.map {
                TotalLine(currency: $0.earned.currency.code, earned: $0.earned.description, sent: $0.sent.description, lines: $0.lines)
            }
            return deps.page("earnings", EarningsView(
                shell: Shell(context, deps: deps, title: Section.earnings.title, section: .earnings),
                rows: rows, hasRows: !rows.isEmpty, totals: totals, showOrganization: viewer.vendorRole != nil,
                shown: rows.count, totalCount: page.totalCount, partial: rows.count < page.totalCount))
        }
    }
}
