import Foundation
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore
import NIOCore

/// `/earnings`: earnings from approved claims by keyset pages, totals per currency, a bar chart of the months per
/// currency, and `/earnings.csv`, the same earnings streamed as a download. Every read is scoped in `EarningsReads`.
struct EarningsController: Sendable {
    let deps: AppDependencies
    let reads: EarningsReads

    init(deps: AppDependencies) {
        self.deps = deps
        reads = deps.stores.earnings
    }

    func register(on router: Router<AppRequestContext>) {
        let section = router.group().add(middleware: SectionGuard(section: .earnings))
        section.get(SitePath.earnings.pattern, use: list)
        section.get(SitePath.earningsCSV.pattern, use: export)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let query = try EarningsQuery(request.uri.queryParameters)
        let scope = try context.signedIn.scope
        let slice = try await reads.page(in: scope, filter: query.filter, from: query.cursor, limit: query.per)
        // One aggregate without the month filter serves the month choices; the month filter is a group key.
        var unmonthly = query.filter
        unmonthly.paymentMonth = nil
        let months = try await reads.monthly(in: scope, filter: unmonthly)
        let locations = try await reads.locations(in: scope)
        let remittances = try await deps.stores.paymentRuns.remittances(in: scope, limit: 12)
        return deps.page("earnings", EarningsView(slice, months: months, locations: locations, query: query, remittances: remittances,
                                                  input: deps.pageInput(context)))
    }

    /// The filtered earnings as CSV, streamed in batches: never the whole file in memory.
    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let filter = try EarningsQuery(request.uri.queryParameters).filter
        let reads = self.reads
        let scope = try context.signedIn.scope
        let body = ResponseBody { writer in
            try await reads.writeCSV(filter, in: scope) { text in try await writer.write(ByteBuffer(string: text)) }
            try await writer.finish(nil)
        }
        let day = DayDate(deps.clock.now)
        let name = String(format: "earnings-%04d-%02d-%02d.csv", day.year, day.month, day.day)
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"\(name)\"",
                                               .cacheControl: "no-store"], body: body)
    }
}
