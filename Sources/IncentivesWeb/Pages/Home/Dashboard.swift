import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// Reads what the home page's charts show and builds them, the same for the page and for each chart's CSV: every read is
/// scoped to the viewer in the store, a fixed few statements a chart, and periods are cut in the viewer's time zone.
struct Dashboard: Sendable {
    let reads: DashboardReads
    let earnings: EarningsReads
    let listing: ClaimListing

    init(stores: AppStores) {
        reads = stores.dashboard
        earnings = stores.earnings
        listing = stores.listing
    }

    /// The vendor's charts on the home page, in order.
    static let vendorCharts: [DashboardChart] = [.funnel, .reviewWait, .decisions, .reasons, .spend, .topPartners]
    /// The partner's charts below their deadlines.
    static let partnerCharts: [DashboardChart] = [.earnings, .attention]

    /// The period a URL asks for (`period`), the standard one when it names none; anything else answers 400.
    static func period(_ parameters: Parameters) throws -> DashboardPeriod {
        guard let text = parameters["period"].map(String.init), !text.isEmpty else { return .standard }
        guard let period = DashboardPeriod(parameter: text) else {
            throw HTTPError(.badRequest, message: "The period is 30d, 90d, 365d or a month such as 2026-11.")
        }
        return period
    }

    /// The figures of the charts the viewer may see, in the order asked.
    /// - Parameter counts: the viewer's claims by status when the page has read them already.
    func figures(_ charts: [DashboardChart], for viewer: Viewer, period: DashboardPeriod, now: Date,
                 counts: [ClaimStatus: Int]? = nil) async throws -> [DashboardFigure] {
        let scope = viewer.scope, zone = viewer.timeZone
        let span = period.span(now: now, zone: zone)
        let weeks = span.weeks(in: zone)
        var decisions: [DecisionCount]?
        func decided() async throws -> [DecisionCount] {
            if let decisions { return decisions }
            let read = try await reads.decisions(weeks, in: scope)
            decisions = read
            return read
        }
        var figures: [DashboardFigure] = []
        for chart in charts where viewer.may(see: chart) {
            switch chart {
            case .funnel:
                figures.append(DashboardFigures.funnel(try await reads.funnel(span, in: scope), period: period))
            case .reviewWait:
                figures.append(DashboardFigures.reviewWait(try await reads.reviewWaits(at: now, in: scope), period: period))
            case .decisions:
                figures.append(DashboardFigures.decisions(try await decided(), slices: weeks,
                                                          reviewDays: try await reads.reviewDays(span, in: scope), period: period))
            case .reasons:
                figures.append(DashboardFigures.reasons(try await decided(), period: period))
            case .spend:
                let months = span.months(in: zone)
                let spend = try await reads.spend(months, in: scope)
                figures.append(DashboardFigures.spend(spend.months, engagements: spend.engagements, slices: months, period: period))
            case .topPartners:
                figures.append(DashboardFigures.topPartners(try await reads.topPartners(span, in: scope), period: period))
            case .deadlines:
                let days = PartnerFigures.deadlineSlices(now: now, zone: zone)
                figures.append(PartnerFigures.deadlines(try await reads.expiring(days, in: scope), slices: days))
            case .earnings:
                figures.append(PartnerFigures.earnings(try await earnings.monthly(in: scope)))
            case .attention:
                let byStatus: [ClaimStatus: Int]
                if let counts { byStatus = counts } else { byStatus = try await listing.countsByStatus(in: scope) }
                figures.append(PartnerFigures.attention(byStatus))
            }
        }
        return figures
    }
}
