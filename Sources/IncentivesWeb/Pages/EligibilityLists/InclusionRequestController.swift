import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// Inclusion requests: a partner's Incentives admin sends one from an engagement's Eligibility page
/// (`POST /engagements/{id}/inclusion-requests`, for a location of theirs not on the list); the vendor reads the queue
/// (`/catalogue/inclusion-requests`, pending first, filtered by status and engagement) and one request; the program
/// manager approves or declines it (`RoleGuard`). A foreign engagement or location, or an unknown request, is 404.
struct InclusionRequestController: Sendable {
    let deps: AppDependencies
    let requests: InclusionRequests

    init(deps: AppDependencies) {
        self.deps = deps
        requests = deps.stores.inclusionRequests
    }

    func register(on router: Router<AppRequestContext>) {
        let partner = router.group().add(middleware: SectionGuard(section: .engagements)).add(middleware: RoleGuard.incentivesAdmins)
            .add(middleware: RecordResolver(load: { [reads = deps.stores.engagements, clock = deps.clock] id, viewer in
                try await reads.detail(id, in: viewer.scope, at: clock.now)
            }, keep: { $0.engagement = $1 }))
        partner.post(SitePath.engagementInclusionRequests(.key).pattern, use: send)
        let vendor = router.group().add(middleware: SectionGuard(section: .catalogue))
        vendor.get(SitePath.inclusionRequests.pattern, use: queue)
        let exists = RecordResolver<InclusionRequest>(load: { [requests] id, _ in try await requests.request(id) }, keep: { _, _ in })
        vendor.group().add(middleware: exists).get(SitePath.inclusionRequest(.key).pattern, use: show)
        // The role first: a reviewer is refused (403) whatever the id.
        vendor.group().add(middleware: EligibilityListController.programManager).add(middleware: exists)
            .post(SitePath.inclusionRequestDecision(.key).pattern, use: decide)
    }

    // MARK: The partner

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let detail = try context.resolvedEngagement, viewer = try context.signedIn
        let form = context.form
        guard let location = Int64(form.text("location")) else { throw HTTPError(.notFound) }
        do {
            try await requests.send(location, to: detail.engagement.id, note: form.text("note"), by: viewer, at: deps.clock.now)
        } catch let refusal as InputRefusal {
            return try await eligibilityPage(detail, context, problem: .init(location: location, message: refusal.message, note: form.text("note")))
        } catch let refusal as EligibilityRefusal {
            return try await eligibilityPage(detail, context, problem: .init(location: location, message: refusal.message, note: form.text("note")))
        } catch StoreError.notFound {
            throw HTTPError(.notFound)
        }
        return deps.redirect(to: SitePath.engagementEligibility(.id(detail.engagement.id)).href(),
                             flash: Flash(kind: .success, message: "Inclusion request sent; you are emailed the answer."))
    }

    /// The engagement's Eligibility page again, 422, with the refusal next to the location's request form.
    private func eligibilityPage(_ detail: EngagementDetail, _ context: AppRequestContext,
                                 problem: EngagementEligibilityView.RequestProblem) async throws -> Response {
        let viewer = try context.signedIn
        let sent = try await requests.ofEngagement(detail.engagement.id, in: viewer.scope)
        let view = EngagementEligibilityView(detail, requests: sent, problem: problem, input: deps.pageInput(context))
        return try deps.page("engagement-eligibility", view, status: .unprocessableContent).response
    }

    // MARK: The vendor

    @Sendable func queue(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let parameters = request.uri.queryParameters
        let query = InclusionQueueView.Query(parameters.get("status"), parameters.get("engagement"), parameters.get("after"))
        // One more than a page: whether a next one exists.
        let list = try await requests.queue(status: query.status, engagementID: query.engagementID, after: query.after,
                                            limit: InclusionQueueView.perPage + 1)
        let engagements = try await deps.stores.catalogue.engagements().map { ($0.id, $0.name) }
        return deps.page("inclusion-requests", InclusionQueueView(list, query: query, engagements: engagements, input: deps.pageInput(context)))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await requestPage(context)
    }

    @Sendable func decide(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try requestID(context), form = context.form
        do {
            let decision = try InclusionDecision(decision: form.text("decision"), reason: form.text("reason"))
            try await requests.decide(id, decision, by: try context.signedIn, at: deps.clock.now)
            let done = decision == .approve ? "approved: the location is on the list" : "declined"
            return deps.redirect(to: SitePath.inclusionRequest(.id(id)).href(),
                                 flash: Flash(kind: .success, message: "Request \(done); the partner is emailed."))
        } catch let refusal as InputRefusal {
            return try await requestPage(context, problem: refusal.message, reason: form.text("reason")).response
        } catch let refusal as EligibilityRefusal {
            return try await requestPage(context, problem: refusal.message, reason: form.text("reason")).response
        }
    }

    private func requestID(_ context: AppRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
        return id
    }

    private func requestPage(_ context: AppRequestContext, problem: String? = nil, reason: String = "") async throws -> HTML {
        let id = try requestID(context)
        guard let found = try await requests.request(id) else { throw HTTPError(.notFound) }
        let history = try await requests.history(of: id)
        let view = InclusionRequestView(found, history: history, problem: problem, reason: reason, input: deps.pageInput(context))
        return deps.page("inclusion-request", view, status: problem == nil ? .ok : .unprocessableContent)
    }
}
