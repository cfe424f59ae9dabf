import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// The vendor's sections: `/review` and `/catalogue`.
struct VendorPages: Sendable {
    let deps: AppDependencies
    let listing: ClaimListing
    let reads: ProgramReads

    init(deps: AppDependencies, listing: ClaimListing) {
        self.deps = deps
        self.listing = listing
        self.reads = ProgramReads(db: deps.db)
    }

    /// Claims in these statuses wait on a reviewer (the queue `ClaimListing.reviewQueue` reads).
    static let queueStatuses: [ClaimStatus] = [.submitted, .underReview, .disputed]

    struct ReviewView: PageView {
        let shell: Shell
        let rows: [ClaimLine]
        let hasRows: Bool
        let showOrganization: Bool
        let count: Int
        let plural: String
        let shown: Int
        let partial: Bool
    }

    struct CatalogueLine: Sendable {
        let name: String; let area: String; let type: String; let role: String; let payModel: String
        let status: String; let statusTone: String; let versions: Int; let versionInForce: Int
        let rateA: String; let rateB: String; let rateC: String; let perHour: Bool; let lastClaimDay: String
    }
    struct CatalogueView: PageView {
        let shell: Shell
        let rows: [CatalogueLine]
        let hasRows: Bool
        let count: Int
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/review") { request, context in
            let viewer = try context.viewer(for: .review, request)
            let now = deps.clock.now
            let rows = try await listing.reviewQueue(limit: 50).map { ClaimLine($0, viewer: viewer, now: now, deps: deps) }
            let counts = try await listing.countsByStatus(in: viewer.scope)
            let count = Self.queueStatuses.reduce(0) { $0 + (counts[$1] ?? 0) }
            return deps.page("review", ReviewView(
                shell: Shell(context, deps: deps, title: Section.review.title, section: .review),
                rows: rows, hasRows: !rows.isEmpty, showOrganization: true, count: count, plural: count == 1 ? "" : "s",
                shown: rows.count, partial: rows.count < count))
        }

        router.get("/catalogue") { request, context in
            _ = try context.viewer(for: .catalogue, request)
            let now = deps.clock.now
            let rows = try await reads.catalogue().map { entry in
                let engagement = entry.engagement
                let version = engagement.version(inForceAt: now)
                let rate = { (market: Market) in version.rates.rate(for: market)?.description ?? "None" }
                return CatalogueLine(
                    name: engagement.name, area: entry.solutionArea.name, type: engagement.type.label, role: engagement.role.label,
                    payModel: version.payModel.label, status: engagement.status.label, statusTone: engagement.status.tone,
                    versions: engagement.versions.count, versionInForce: version.number,
                    rateA: rate(.a), rateB: rate(.b), rateC: rate(.c), perHour: version.payModel == .variable,
                    lastClaimDay: engagement.lastClaimDay.map { deps.format($0.startUTC, for: nil, style: .date) } ?? "No end date")
            }
            return deps.page("catalogue", CatalogueView(
                shell: Shell(context, deps: deps, title: Section.catalogue.title, section: .catalogue),
                rows: rows, hasRows: !rows.isEmpty, count: rows.count))
        }
    }
}
