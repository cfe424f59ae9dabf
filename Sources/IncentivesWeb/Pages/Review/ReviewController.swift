import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/review`: the vendor's queue of claims to decide, bulk decisions on it, and arbitration between partners competing
/// for one subscription. The program manager sees the queue and the arbitrations; decisions are the reviewer's.
struct ReviewController: Sendable {
    let deps: AppDependencies
    let desk: ReviewDesk
    let work: ClaimWork
    let listing: ClaimListing
    let reads: ProgramReads

    init(deps: AppDependencies) {
        self.deps = deps
        desk = deps.stores.reviewDesk
        work = deps.stores.claimWork
        listing = deps.stores.listing
        reads = deps.stores.program
    }

    func register(on router: Router<AppRequestContext>) {
        let review = router.group().add(middleware: SectionGuard(section: .review))
        review.get(SitePath.review.pattern, use: queue)
        review.get(SitePath.arbitration(.key).pattern, use: showArbitration)
        let decisions = review.group().add(middleware: RoleGuard.reviewers)
        decisions.post(SitePath.reviewBulk.pattern, use: bulk)
        decisions.post(SitePath.arbitration(.key).pattern, use: arbitrate)
    }

    // MARK: Handlers

    /// The queue with the address's filters.
    @Sendable func queue(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await queuePage(ReviewForms.filter(FormFields(urlEncoded: request.uri.query ?? "")), context: context)
    }

    /// One action on the ticked claims; each is decided on its own and the page says what became of each.
    @Sendable func bulk(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        let form = context.form
        let picked = try ReviewForms.picked(form)
        guard !picked.isEmpty else {
            let message = "Tick the claims to act on first; nothing was changed."
            return deps.redirect(to: SitePath.review.href(), flash: Flash(kind: .error, message: message))
        }
        let request = try ReviewForms.bulkRequest(form)
        // The inputs are the same for every ticked claim: checked once, before any claim is touched. Text the rule
        // refuses is answered with its reason (422), as on a claim's page; a reason left out is said at the top.
        do {
            _ = try request.command(by: Actor(role: .reviewer, userID: viewer.userID, name: viewer.name))
        } catch let refusal as ClaimRefusal {
            return deps.redirect(to: SitePath.review.href(), flash: Flash(kind: .error, message: "Nothing was changed: \(refusal.description)"))
        }
        let outcomes = try await desk.bulk(request, on: picked, by: viewer, at: deps.clock.now)
        return try await queuePage(ReviewFilter(), bulk: ReviewView.BulkReport(request.action, outcomes: outcomes), context: context).response
    }

    @Sendable func showArbitration(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let group = try await competingGroup(context)
        var files: [ClaimFile] = []
        for claimID in group {
            if let file = try await work.file(claimID, in: .vendor) { files.append(file) }
        }
        guard !files.isEmpty else { throw HTTPError(.notFound) }
        return deps.page("arbitration", ArbitrationView(files, input: deps.pageInput(context)))
    }

    /// The chosen claim stands; the others become rejected final.
    @Sendable func arbitrate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        let group = try await competingGroup(context)
        let winner = try ReviewForms.winner(context.form, among: group)
        let losers = try await desk.arbitrate(winner: winner, by: Actor(role: .reviewer, userID: viewer.userID, name: viewer.name),
                                              at: deps.clock.now)
        let rejected = "\(losers.count) competing claim\(losers.count == 1 ? " is" : "s are") now rejected final."
        return deps.redirect(to: SitePath.claim(.id(winner)).href(), flash: Flash(kind: .success, message: "Decided: this claim stays; \(rejected)"))
    }

    // MARK: Shared

    /// The queue page, with what became of each claim of a bulk action just taken above it.
    private func queuePage(_ filter: ReviewFilter, bulk: ReviewView.BulkReport? = nil, context: AppRequestContext) async throws -> HTML {
        let (items, total) = try await desk.queue(filter)
        let choices = try await listing.choices(in: .vendor)
        let partners = try await reads.partnerOrganizations()
        return deps.page("review", ReviewView(items, total: total, filter: filter, engagements: choices.engagements, partners: partners,
                                              bulk: bulk, input: deps.pageInput(context)))
    }

    /// The competing claims of the route's claim: a malformed id, or a claim nobody competes with, is a 404.
    private func competingGroup(_ context: AppRequestContext) async throws -> [Int64] {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
        let group = try await desk.competing(with: id)
        guard group.count >= 2 else { throw HTTPError(.notFound) }
        return group
    }
}
