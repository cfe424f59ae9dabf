import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/claims/new`: Add customer, a few short steps with everything chosen so far carried in the form (so the back button
/// and a reload never lose or duplicate anything): the kind of claim, the claim's name, location and customer, the
/// engagement (each shown eligible or not, with why, the cap and limits), the contacts, a review, and only then the
/// claim. Every step checks again all the steps before it.
struct AddCustomerController: Sendable {
    let deps: AppDependencies
    let intake: ClaimIntake
    let reads: ProgramReads
    let catalogue: CatalogueRepository

    init(deps: AppDependencies) {
        self.deps = deps
        intake = deps.stores.claimIntake
        reads = deps.stores.program
        catalogue = deps.stores.catalogue
    }

    func register(on router: Router<AppRequestContext>) {
        let intake = router.group().add(middleware: SectionGuard(section: .claims)).add(middleware: RoleGuard.partners)
        intake.get(SitePath.newClaim.pattern, use: start)
        intake.post(SitePath.newClaim.pattern, use: advance)
    }

    // MARK: Handlers

    /// The first step: the kind of claim, or the details when the address names the kind.
    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let query = FormFields(urlEncoded: request.uri.query ?? "")
        var values = AddCustomerValues(query)
        // From an engagement's Customers tab: that engagement, and the kind it takes.
        if let id = Int64(query.text("engagement")), let engagement = try await catalogue.engagement(id) {
            values.kind = engagement.role.claimKind
            values.engagement = String(id)
        }
        return try await render(values.kind == nil ? .kind : .details, values, AddCustomerChecks(), context: context)
    }

    /// A step's form: every step so far checked again, then the next step, or this one again with what to correct
    /// (422); after the review, the claim.
    @Sendable func advance(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        let form = context.form
        let values = AddCustomerValues(form)
        guard let kind = values.kind, let submitted = AddCustomerStep(rawValue: form.text("step")), submitted != .kind else {
            return try await render(.kind, values, AddCustomerChecks(), context: context).response
        }
        var checks = try await detailsChecked(values, kind: kind, viewer: viewer)
        if !checks.errors.isEmpty || submitted == .details {
            return try await render(checks.errors.isEmpty ? .engagements : .details, values, checks, context: context).response
        }
        // The engagement.
        let options = try await intake.options(kind: kind, locationID: checks.locationID!, customer: checks.resolved, in: viewer.scope,
                                               at: deps.clock.now)
        checks.options = AddCustomerChecks.inArea(values.area, options)
        guard let chosen = checks.options.first(where: { String($0.id) == values.engagement }), chosen.option.isOpen else {
            // A refused engagement says why (a used-up budget, a limit); anything else asks for a choice.
            let refusal = checks.options.first { String($0.id) == values.engagement }?.option.refusal
            checks.errors["engagement"] = refusal ?? "Choose one of the engagements this customer can be claimed on."
            return try await render(.engagements, values, checks, context: context, status: .unprocessableContent).response
        }
        if submitted == .engagements { return try await render(.contacts, values, checks, context: context).response }
        checks.checkContacts(form, values: values)
        if !checks.errors.isEmpty {
            return try await render(.contacts, values, checks, context: context, status: .unprocessableContent).response
        }
        if submitted == .contacts { return try await render(.review, values, checks, context: context).response }
        return try await create(kind, values, checks, engagement: chosen, context: context)
    }

    // MARK: Shared

    /// The details, checked on every step after theirs too.
    private func detailsChecked(_ values: AddCustomerValues, kind: ClaimKind, viewer: Viewer) async throws -> AddCustomerChecks {
        var checks = AddCustomerChecks()
        checks.checkDetails(values, kind: kind, locations: AddCustomerChecks.locations(of: viewer, kind: kind))
        if let customer = checks.customer {
            checks.customerFound(try await intake.resolve(customer, in: viewer.scope), values: values)
        }
        return checks
    }

    /// The claim: the store decides everything once more, in the claim's transaction.
    private func create(_ kind: ClaimKind, _ values: AddCustomerValues, _ checks: AddCustomerChecks, engagement: IntakeEngagement,
                        context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        let location = checks.locationID!
        do {
            let request = IntakeRequest(kind: kind, name: values.name, organizationID: viewer.organizationID ?? 0, locationID: location,
                                        customer: checks.customer!, engagementID: engagement.id, contacts: checks.contacts,
                                        mismatchReason: values.mismatchReason)
            let actor = Actor(role: viewer.actorRole(atLocation: location) ?? .incentivesUser, userID: viewer.userID, name: viewer.name)
            let claim = try await intake.create(request, by: actor, in: viewer.scope, at: deps.clock.now)
            let next = kind == .partnerActivities ? "Next: send the customer the consent request." : "Next: submit it when it is ready."
            return deps.redirect(to: SitePath.claim(.id(claim.id)).href(), flash: Flash(kind: .success, message: "Claim created. \(next)"))
        } catch ClaimRefusal.cannotClaim(let why) {
            // Decided again in the claim's transaction (a budget used up meanwhile): said next to the engagements, read anew.
            var checks = checks
            checks.options = []
            checks.errors["engagement"] = why
            return try await render(.engagements, values, checks, context: context, status: .unprocessableContent).response
        } catch {
            guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
            return try await render(.review, values, checks, context: context, formError: message, status: .unprocessableContent).response
        }
    }

    /// The step's page, with what it shows read for it; a 422 when the checks refused something, unless `status` says.
    private func render(_ step: AddCustomerStep, _ values: AddCustomerValues, _ checks: AddCustomerChecks, context: AppRequestContext,
                        formError: String? = nil, status: HTTPResponse.Status? = nil) async throws -> HTML {
        let viewer = try context.signedIn
        let input = deps.pageInput(context)
        let kind = values.kind ?? .partnerActivities
        let allowed = AddCustomerChecks.locations(of: viewer, kind: kind)
        let standings = try await reads.locations(in: viewer.scope, at: input.now).filter { allowed.contains($0.location.id) && !$0.deactivated }
        let known = step == .details ? try await intake.knownCustomers(in: viewer.scope) : []
        var options = checks.options
        if step == .engagements && options.isEmpty, let location = checks.locationID {
            options = AddCustomerChecks.inArea(values.area, try await intake.options(kind: kind, locationID: location, customer: checks.resolved,
                                                                                     in: viewer.scope, at: input.now))
        }
        let view = AddCustomerView(step, values: values, checks: checks, standings: standings, known: known, options: options,
                                   formError: formError, input: input)
        return deps.page("add-customer", view, status: status ?? (checks.errors.isEmpty ? .ok : .unprocessableContent))
    }
}
