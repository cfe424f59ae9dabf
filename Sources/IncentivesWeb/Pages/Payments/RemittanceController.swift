import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore
import NIOCore

/// `/earnings/remittances/{id}/{location}`: what a run pays one location, claim by claim, with totals per currency; as
/// a page that prints cleanly and as CSV. A partner reads its own locations' advice of runs sent to the bank; any other
/// run or location is 404, as a foreign id is. The program manager reads every one.
struct RemittanceController: Sendable {
    let deps: AppDependencies
    let runs: PaymentRuns

    init(deps: AppDependencies) {
        self.deps = deps
        runs = deps.stores.paymentRuns
    }

    func register(on router: Router<AppRequestContext>) {
        let section = router.group().add(middleware: SectionGuard(section: .earnings))
        section.get(SitePath.remittance(.key, location: .key).pattern, use: show)
        section.get(SitePath.remittanceCSV(.key, location: .key).pattern, use: csv)
    }

    private func remittance(_ context: AppRequestContext) async throws -> Remittance {
        guard let run = context.parameters.get("id", as: Int64.self), let location = context.parameters.get("location", as: Int64.self),
              let found = try await runs.remittance(run: run, location: location, in: try context.signedIn.scope) else {
            throw HTTPError(.notFound)
        }
        return found
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        deps.page("remittance", RemittanceView(try await remittance(context), input: deps.pageInput(context)))
    }

    @Sendable func csv(_ request: Request, context: AppRequestContext) async throws -> Response {
        let advice = try await remittance(context)
        let name = "remittance-\(advice.reference)-\(advice.locationID).csv"
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"",
                                               .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: advice.csv)))
    }
}

/// A remittance advice: the run, the payee, each claim with its rate, market and engagement version, and the totals.
struct RemittanceView: PageView {
    struct Item: Sendable {
        let claimHref: String
        let claim: String
        let engagement: String
        let version: Int
        let market: String
        let rate: String
        let hours: String
        let amount: String
        let reversal: Bool
    }

    struct Total: Sendable {
        let currency: String
        let amount: String
        let endToEndID: String
        let status: String
        let tone: String
        let failureReason: String?
    }

    let shell: Shell
    let title: String
    let payee: String
    let reference: String
    let sent: String?
    let status: String
    let items: [Item]
    let totals: [Total]
    let csvHref: String
    let earningsHref: String

    init(_ advice: Remittance, input: PageInput) {
        title = "Remittance advice \(advice.reference)"
        shell = Shell(input, title: title, section: .earnings, trail: [("Earnings", SitePath.earnings.href()), (advice.reference, nil)])
        payee = "\(advice.organizationName) / \(advice.locationName)"
        reference = advice.reference
        sent = advice.sentAt.map { input.times.dateTime($0) }
        status = advice.runStatus.label
        items = advice.items.map { item in
            Item(claimHref: SitePath.claim(.id(item.claimID)).href(), claim: item.claimName, engagement: item.engagementName,
                 version: item.engagementVersion, market: item.market.label, rate: item.rate.description,
                 hours: item.hours.map { "\($0)" } ?? "", amount: item.amount.description, reversal: item.kind == .reversal)
        }
        totals = advice.lines.map { line in
            Total(currency: line.amount.currency.code, amount: line.amount.description, endToEndID: line.endToEndID, status: line.status.label,
                  tone: line.status.tone, failureReason: line.failureReason)
        }
        csvHref = SitePath.remittanceCSV(.id(advice.runID), location: .id(advice.locationID)).href()
        earningsHref = SitePath.earnings.href()
    }
}
