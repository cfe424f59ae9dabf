import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// The vendor's sections: `/review` and `/catalogue`.
struct VendorPages: Sendable {
    let deps: AppDependencies
    let listing: ClaimListing
    let reads: ProgramReads

    let desk: ReviewDesk
    let work: ClaimWork

    init(deps: AppDependencies, listing: ClaimListing) {
        self.deps = deps
        self.listing = listing
        self.reads = ProgramReads(db: deps.db)
        let links = ClaimLinks(publicURL: deps.config.publicURL)
        desk = ReviewDesk(db: deps.db, links: links)
        work = ClaimWork(db: deps.db, links: links)
    }

    /// The queue with the URL's filters: oldest first, dispute rounds and competing claims marked; above it, what
    /// became of each claim of a bulk action just taken.
    func reviewPage(viewer: Viewer, context: AppRequestContext, query: FormFields, bulk: BulkOutcome? = nil) async throws -> HTML {
        var filter = ReviewFilter()
        filter.status = ClaimStatus(rawValue: query.text("status")).flatMap { ReviewFilter.statuses.contains($0) ? $0 : nil }
        filter.kind = ClaimKind(rawValue: query.text("kind"))
        filter.engagementID = Int64(query.text("engagement"))
        filter.organizationID = Int64(query.text("partner"))
        filter.disputesOnly = query.text("disputes") == "1"
        filter.competingOnly = query.text("competing") == "1"
        let now = deps.clock.now
        let (items, total) = try await desk.queue(filter)
        let choices = try await listing.choices(in: .vendor)
        let partners = try await reads.partnerOrganizations()
        let rows = items.map { QueueRow(line: ClaimLine($0.summary, input: deps.pageInput(context)), version: $0.version,
                                        dispute: $0.isDisputeRound, competing: $0.arbitrationPending, kind: $0.summary.kind.label) }
        return deps.page("review", ReviewView(
            shell: Shell(context, deps: deps, title: Section.review.title, section: .review),
            rows: rows, hasRows: !rows.isEmpty, total: total,
            summary: "\(total) claim\(total == 1 ? "" : "s") waiting, oldest first" + (rows.count < total ? "; the oldest \(rows.count) are shown." : "."),
            statuses: ReviewFilter.statuses.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0 == filter.status) },
            kinds: ClaimKind.allCases.map { ListOption(value: $0.rawValue, label: $0.label, selected: $0 == filter.kind) },
            engagements: choices.engagements.map { ListOption(value: String($0.id), label: $0.name, selected: $0.id == filter.engagementID) },
            partners: partners.map { ListOption(value: String($0.id), label: $0.name, selected: $0.id == filter.organizationID) },
            disputesOnly: filter.disputesOnly, competingOnly: filter.competingOnly, isFiltered: filter != ReviewFilter(),
            canDecide: viewer.vendorRole == .reviewer,
            codes: ReviewReason.offered(for: .requestInformation).map { ListOption(value: $0.rawValue, label: $0.label, selected: false) },
            outcomeSummary: bulk?.summary, outcomeTone: bulk?.refused.isEmpty == false ? "error" : "success",
            outcomes: bulk?.refused ?? [], hasOutcomes: bulk?.refused.isEmpty == false))
    }

    /// What a bulk action did: how many claims it took, and each it left with the reason. Shown on the page the POST
    /// answers with, not in the flash cookie: a hundred refusals do not fit in a cookie.
    struct BulkOutcome: Sendable {
        let summary: String
        let refused: [String]
    }

    struct QueueRow: Sendable {
        let line: ClaimLine
        let version: Int
        let dispute: Bool
        let competing: Bool
        let kind: String
    }
    struct ReviewView: PageView {
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
    }
    struct Side: Sendable {
        let id: Int64; let version: Int; let partner: String; let location: String; let status: String; let tone: String
        let created: String; let submitted: String; let contacts: String; let proof: String; let history: Int
    }
    struct ArbitrationView: PageView {
        let shell: Shell
        let customer: String
        let engagement: String
        let subscription: String
        let sides: [Side]
        let canDecide: Bool
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
            return try await reviewPage(viewer: viewer, context: context, query: FormFields(urlEncoded: request.uri.query ?? ""))
        }

        // One action on the ticked claims; each is decided on its own and the page says what became of each.
        router.post("/review/bulk") { request, context -> Response in
            let viewer = try context.viewer(for: .review, request)
            guard viewer.vendorRole == .reviewer else { throw HTTPError(.forbidden) }
            let form = context.form
            // The page writes each ticked claim's id and version: anything else did not come from it.
            let picked = try form.all("claim").map { value -> (Int64, Int) in
                guard let id = Int64(value), id > 0, let version = Int(form.text("version_\(value)")), version >= 0 else {
                    throw HTTPError(.badRequest, message: "A ticked claim was not recognised; nothing was changed. Reload the page and try again.")
                }
                return (id, version)
            }
            guard !picked.isEmpty else {
                return deps.redirect(to: "/review", flash: Flash(kind: .error, message: "Tick the claims to act on first; nothing was changed."))
            }
            guard picked.count <= 100 else { throw HTTPError(.badRequest, message: "Act on at most 100 claims at once.") }
            let action: ClaimAction
            switch form.text("bulk") {
            case ClaimAction.approve.rawValue: action = .approve
            case ClaimAction.requestInformation.rawValue: action = .requestInformation
            default: throw HTTPError(.badRequest, message: "That action was not recognised; nothing was changed.")
            }
            let code = form.text("reason_code")
            if !code.isEmpty && ReviewReason(rawValue: code) == nil {
                throw HTTPError(.badRequest, message: "That reason was not recognised; nothing was changed.")
            }
            let request = ClaimActionRequest(action, note: form.text("reason"), reasonCode: code)
            // The inputs are the same for every ticked claim: checked once, before any claim is touched. Text the rule
            // refuses is answered with its reason (422), as on a claim's page; a reason left out is said at the top.
            do {
                _ = try request.command(by: Actor(role: .reviewer, userID: viewer.userID, name: viewer.name))
            } catch let refusal as ClaimRefusal {
                return deps.redirect(to: "/review", flash: Flash(kind: .error, message: "Nothing was changed: \(refusal.description)"))
            }
            let outcomes = try await desk.bulk(request, on: picked, by: viewer, at: deps.clock.now)
            let done = outcomes.filter { $0.refusal == nil }.count
            let refused = outcomes.filter { $0.refusal != nil }
            let verb = action == .approve ? "Approved" : "Asked for more information on"
            let outcome = BulkOutcome(
                summary: "\(verb) \(done) claim\(done == 1 ? "" : "s")." + (refused.isEmpty ? "" : " Not done:"),
                refused: refused.map { "#\($0.claimID) \($0.claimName) (\($0.refusal!))" })
            return try await reviewPage(viewer: viewer, context: context, query: FormFields(urlEncoded: ""), bulk: outcome).response
        }

        router.get("/review/arbitration/{id}") { request, context in
            let viewer = try context.viewer(for: .review, request)
            guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
            let group = try await desk.competing(with: id)
            guard group.count >= 2 else { throw HTTPError(.notFound) }
            var files: [ClaimFile] = []
            for claimID in group { if let file = try await work.file(claimID, in: .vendor) { files.append(file) } }
            guard let first = files.first else { throw HTTPError(.notFound) }
            let sides = files.map { f in
                Side(id: f.claim.id, version: f.claim.version, partner: f.organizationName, location: f.location.name,
                     status: f.claim.status.label, tone: f.claim.status.tone, created: deps.format(f.claim.createdAt, for: viewer),
                     submitted: f.claim.firstSubmittedAt.map { deps.format($0, for: viewer) } ?? "Not yet",
                     contacts: f.contacts.map { "\($0.name) <\($0.email)>" }.joined(separator: ", "),
                     proof: f.proof.isEmpty ? "None" : f.proof.map { $0.fileName ?? $0.kind.label }.joined(separator: ", "),
                     history: f.history.count)
            }
            return deps.page("arbitration", ArbitrationView(
                shell: Shell(context, deps: deps, title: "Arbitration", section: .review, trail: [("Arbitration", nil)]),
                customer: first.customer.name, engagement: first.engagement.name, subscription: first.customer.subscriptionID ?? "",
                sides: sides, canDecide: viewer.vendorRole == .reviewer))
        }

        router.post("/review/arbitration/{id}") { request, context -> Response in
            let viewer = try context.viewer(for: .review, request)
            guard viewer.vendorRole == .reviewer else { throw HTTPError(.forbidden) }
            guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
            let group = try await desk.competing(with: id)
            guard group.count >= 2 else { throw HTTPError(.notFound) }
            guard let winner = Int64(context.form.text("winner")), group.contains(winner) else {
                throw HTTPError(.badRequest, message: "Choose one of the competing claims; nothing was changed.")
            }
            let losers = try await desk.arbitrate(winner: winner, by: Actor(role: .reviewer, userID: viewer.userID, name: viewer.name),
                                                  at: deps.clock.now)
            return deps.redirect(to: "/claims/\(winner)", flash: Flash(kind: .success,
                message: "Decided: this claim stays; \(losers.count) competing claim\(losers.count == 1 ? " is" : "s are") now rejected final."))
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
