import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/claims/new`: Add customer, a few short steps with everything chosen so far carried in the form (so
/// the back button and a reload never lose or duplicate anything): the kind of claim, the claim's name,
/// location and customer, the engagement (each shown eligible or not, with why, the cap and limits), the
/// contacts, a review, and only then the claim. Every step checks again all the steps before it.
struct AddCustomerPage: Sendable {
    let deps: AppDependencies
    let intake: ClaimIntake
    let reads: ProgramReads

    init(deps: AppDependencies) {
        self.deps = deps
        intake = ClaimIntake(db: deps.db)
        reads = ProgramReads(db: deps.db)
    }

    enum Step: String, CaseIterable { case kind, details, engagements, contacts, review, create }

    struct Hidden: Sendable { let name: String; let value: String }
    struct KindChoice: Sendable { let label: String; let description: String; let href: String }
    struct EngagementChoice: Sendable {
        let id: Int64; let name: String; let area: String; let open: Bool; let refusal: String; let notes: [String]
        let competing: Bool; let checked: Bool
    }
    struct ContactRow: Sendable { let position: Int; let name: String; let title: String; let email: String }
    struct Fact: Sendable { let label: String; let value: String }

    struct View: PageView {
        let shell: Shell
        let step: String
        let isKind: Bool, isDetails: Bool, isEngagements: Bool, isContacts: Bool, isReview: Bool
        let kindLabel: String
        let kinds: [KindChoice]
        let carry: [Hidden]
        let errors: [String: String]
        let formError: String?
        // Details
        let name: String
        let locations: [ListOption]
        let idTypes: [ListOption]
        let idValue: String
        let customers: [ListOption]
        let hasCustomers: Bool
        let customerName: String
        let isUseOrConsume: Bool
        // Engagements
        let engagements: [EngagementChoice]
        let hasOpen: Bool
        // Contacts
        let contacts: [ContactRow]
        let askReason: Bool
        let mismatchReason: String
        let customerDomain: String
        // Review
        let facts: [Fact]
        let nameError: String?, locationError: String?, idError: String?, customerError: String?, customerNameError: String?
        let engagementError: String?, contactsError: String?, reasonError: String?
    }

    /// The form's values as typed, before any are checked.
    struct Values {
        var kind: ClaimKind?
        var area = ""
        var name = "", location = "", idType = "", idValue = "", existing = "", customerName = "", engagement = ""
        var contacts: [(String, String, String)] = Array(repeating: ("", "", ""), count: ContactForm.rows)
        var mismatchReason = ""

        init(_ f: FormFields) {
            kind = ClaimKind(rawValue: f.text("kind"))
            area = f.text("area"); name = f.text("name"); location = f.text("location"); idType = f.text("id_type")
            idValue = f.text("id_value"); existing = f.text("existing"); customerName = f.text("customer_name")
            engagement = f.text("engagement"); mismatchReason = f.text("mismatch_reason")
            for i in 1...ContactForm.rows {
                contacts[i - 1] = (f.text("contact_name_\(i)"), f.text("contact_title_\(i)"), f.text("contact_email_\(i)"))
            }
        }

        /// Hidden fields for everything not on `step`'s own form.
        func carried(except step: Step) -> [Hidden] {
            var fields: [(String, String)] = [("kind", kind?.rawValue ?? ""), ("area", area)]
            if step != .details {
                fields += [("name", name), ("location", location), ("id_type", idType), ("id_value", idValue), ("existing", existing),
                           ("customer_name", customerName)]
            }
            if step != .engagements { fields.append(("engagement", engagement)) }
            if step != .contacts {
                for (i, c) in contacts.enumerated() {
                    fields += [("contact_name_\(i + 1)", c.0), ("contact_title_\(i + 1)", c.1), ("contact_email_\(i + 1)", c.2)]
                }
                fields.append(("mismatch_reason", mismatchReason))
            }
            return fields.filter { !$0.1.isEmpty }.map { Hidden(name: $0.0, value: $0.1) }
        }
    }

    /// What the checks made of the values so far.
    struct Checked {
        var locationID: Int64?
        var customer: IntakeCustomer?
        var resolved: Customer?
        var options: [IntakeEngagement] = []
        var contacts: [Contact] = []
        var errors: [String: String] = [:]
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/claims/new") { request, context -> Response in
            let viewer = try context.viewer(for: .claims, request)
            guard viewer.vendorRole == nil else { throw HTTPError(.forbidden) }
            let query = FormFields(urlEncoded: request.uri.query ?? "")
            var values = Values(query)
            // From an engagement's Customers tab: that engagement, and the kind it takes.
            if let id = Int64(query.text("engagement")), let engagement = try await CatalogueRepository(db: deps.db).engagement(id) {
                values.kind = engagement.role.claimKind
                values.engagement = String(id)
            }
            let step: Step = values.kind == nil ? .kind : .details
            return try await render(step, values, Checked(), viewer: viewer, context: context).response
        }

        router.post("/claims/new") { request, context -> Response in
            let viewer = try context.viewer(for: .claims, request)
            guard viewer.vendorRole == nil else { throw HTTPError(.forbidden) }
            let values = Values(context.form)
            guard let kind = values.kind, let submitted = Step(rawValue: context.form.text("step")), submitted != .kind else {
                return try await render(.kind, values, Checked(), viewer: viewer, context: context).response
            }
            let now = deps.clock.now
            var checked = Checked()
            // Details: checked on every later step too.
            let locations = Self.locations(of: viewer, kind: kind)
            do throws(InputRefusal) { _ = try TextRule.claimName.check(values.name, field: "name") } catch { checked.errors["name"] = error.message }
            do throws(InputRefusal) { _ = try TextRule.customerName.check(values.customerName, field: "customer_name") }
            catch { checked.errors["customer_name"] = error.message }
            if let id = Int64(values.location), locations.contains(id) { checked.locationID = id }
            else { checked.errors["location"] = "Choose one of your locations." }
            switch CustomerIDType(rawValue: values.idType).flatMap({ CustomerIDType.offered(for: kind).contains($0) ? $0 : nil }) {
            case .domain?:
                if let domain = CustomerIntake.domain(values.idValue) { checked.customer = .named(name: values.customerName, domain: domain, tenantID: nil, subscriptionID: nil) }
                else { checked.errors["id_value"] = "Give the customer's domain, like contoso.com." }
            case .tenant?:
                if let tenant = CustomerIntake.guid(values.idValue) { checked.customer = .named(name: values.customerName, domain: nil, tenantID: tenant, subscriptionID: nil) }
                else { checked.errors["id_value"] = "A tenant ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47." }
            case .subscription?:
                if let subscription = CustomerIntake.guid(values.idValue) { checked.customer = .named(name: values.customerName, domain: nil, tenantID: nil, subscriptionID: subscription) }
                else { checked.errors["id_value"] = "A subscription ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47." }
            case .existing?:
                if let id = Int64(values.existing) { checked.customer = .existing(id) }
                else { checked.errors["existing"] = "Choose the customer." }
            case nil:
                checked.errors["id_type"] = "Choose how you identify the customer."
            }
            if let customer = checked.customer {
                checked.resolved = try await intake.resolve(customer, in: viewer.scope)
                if checked.resolved == nil {
                    if case .existing = customer { checked.errors["existing"] = "Choose the customer." }
                    else if values.customerName.isEmpty { checked.errors["customer_name"] = "This customer is new to the program: give its name." }
                }
            }
            if !checked.errors.isEmpty || submitted == .details {
                return try await render(checked.errors.isEmpty ? .engagements : .details, values, checked, viewer: viewer, context: context)
                    .response
            }
            // The engagement.
            checked.options = Self.inArea(values.area, try await intake.options(kind: kind, locationID: checked.locationID!,
                                                                                customer: checked.resolved, in: viewer.scope, at: now))
            guard let chosen = checked.options.first(where: { String($0.id) == values.engagement }), chosen.option.isOpen else {
                checked.errors["engagement"] = "Choose one of the engagements this customer can be claimed on."
                return try await render(.engagements, values, checked, viewer: viewer, context: context, status: .unprocessableContent).response
            }
            if submitted == .engagements { return try await render(.contacts, values, checked, viewer: viewer, context: context).response }
            // The contacts.
            do throws(InputRefusal) { checked.contacts = try ContactForm.contacts(from: context.form) }
            catch { checked.errors["contacts"] = error.message }
            do throws(InputRefusal) { _ = try TextRule.mismatchReason.check(values.mismatchReason, field: "mismatch_reason") }
            catch { checked.errors["mismatch_reason"] = error.message }
            let domain = Self.domain(of: checked)
            if checked.errors.isEmpty, !CustomerIntake.foreignContacts(checked.contacts, customerDomain: domain).isEmpty, values.mismatchReason.isEmpty {
                checked.errors["mismatch_reason"] = "Some contacts are not at \(domain ?? "the customer's domain"). Say why they speak for the customer."
            }
            if !checked.errors.isEmpty {
                return try await render(.contacts, values, checked, viewer: viewer, context: context, status: .unprocessableContent).response
            }
            if submitted == .contacts { return try await render(.review, values, checked, viewer: viewer, context: context).response }
            // Create: the store decides everything once more, in the claim's transaction.
            do {
                let claim = try await intake.create(
                    IntakeRequest(kind: kind, name: values.name, organizationID: viewer.organizationID ?? 0, locationID: checked.locationID!,
                                  customer: checked.customer!, engagementID: chosen.id, contacts: checked.contacts,
                                  mismatchReason: values.mismatchReason),
                    by: Actor(role: viewer.actorRole(atLocation: checked.locationID!) ?? .incentivesUser, userID: viewer.userID, name: viewer.name),
                    in: viewer.scope, at: now)
                let next = kind == .partnerActivities ? "Next: send the customer the consent request." : "Next: submit it when it is ready."
                return deps.redirect(to: "/claims/\(claim.id)", flash: Flash(kind: .success, message: "Claim created. \(next)"))
            } catch {
                guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
                return try await render(.review, values, checked, viewer: viewer, context: context, formError: message,
                                        status: .unprocessableContent).response
            }
        }
    }

    /// The locations the viewer may add a customer from: any Incentives role, or for use or consume
    /// (an Incentives admin's claims) the ones they administer.
    static func locations(of viewer: Viewer, kind: ClaimKind) -> Set<Int64> {
        kind == .useOrConsume ? PayeeRepository.adminLocations(of: viewer) : viewer.incentiveLocations
    }

    /// "Create claim" inside a solution area's tab offers that area's engagements only.
    static func inArea(_ code: String, _ options: [IntakeEngagement]) -> [IntakeEngagement] {
        code.isEmpty ? options : options.filter { $0.solutionArea.code == code }
    }

    static func domain(of checked: Checked) -> String? {
        if let known = checked.resolved?.domain { return known }
        if case .named(_, let domain?, _, _)? = checked.customer { return domain }
        return nil
    }

    private func render(_ step: Step, _ values: Values, _ checked: Checked, viewer: Viewer, context: AppRequestContext,
                        formError: String? = nil, status: HTTPResponse.Status? = nil) async throws -> HTML {
        let now = deps.clock.now
        let kind = values.kind ?? .partnerActivities
        let allowed = Self.locations(of: viewer, kind: kind)
        let standings = try await reads.locations(in: viewer.scope, at: now).filter { allowed.contains($0.location.id) }
        let known = step == .details ? try await intake.knownCustomers(in: viewer.scope) : []
        var options = checked.options
        if step == .engagements && options.isEmpty, let location = checked.locationID {
            options = Self.inArea(values.area, try await intake.options(kind: kind, locationID: location, customer: checked.resolved,
                                                                        in: viewer.scope, at: now))
        }
        let errors = checked.errors
        let query = { (k: ClaimKind) in queryPath("/claims/new", [("kind", k.rawValue)] + (values.area.isEmpty ? [] : [("area", values.area)])) }
        let chosen = options.first { String($0.id) == values.engagement }
        let filledContacts = values.contacts.enumerated().map { ContactRow(position: $0 + 1, name: $1.0, title: $1.1, email: $1.2) }
        let domain = Self.domain(of: checked)
        let customerLabel = checked.resolved.map { c in
            [c.name, c.domain, c.tenantID.map { "tenant \($0)" }, c.subscriptionID.map { "subscription \($0)" }].compactMap { $0 }.joined(separator: " · ")
        } ?? "\(values.customerName) (new to the program) · \(values.idValue)"
        let view = View(
            shell: Shell(context, deps: deps, title: "Add a customer", section: .claims, trail: [("Add a customer", nil)]),
            step: step == .create ? Step.review.rawValue : step.rawValue,
            isKind: step == .kind, isDetails: step == .details, isEngagements: step == .engagements, isContacts: step == .contacts,
            isReview: step == .review || step == .create, kindLabel: kind.label,
            kinds: [
                KindChoice(label: PartnerRole.buildIntent.label,
                           description: "You deliver an activity (a workshop, an assessment, a deployment). The customer confirms by email, you upload the proof, a reviewer approves.",
                           href: query(.partnerActivities)),
                KindChoice(label: PartnerRole.useOrConsume.label,
                           description: "You are the customer's partner of record for a workload (CPOR). One partner per subscription; the customer is told by email.",
                           href: query(.useOrConsume)),
            ],
            carry: values.carried(except: step), errors: errors, formError: formError,
            name: values.name,
            locations: standings.map { ListOption(value: String($0.location.id), label: "\($0.location.name) (\($0.location.country))",
                                                  selected: String($0.location.id) == values.location || standings.count == 1) },
            idTypes: CustomerIDType.offered(for: kind).map { ListOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == values.idType) },
            idValue: values.idValue,
            customers: known.map { c in ListOption(value: String(c.id), label: [c.name, c.domain ?? c.subscriptionID].compactMap { $0 }.joined(separator: " · "),
                                                   selected: String(c.id) == values.existing) },
            hasCustomers: !known.isEmpty, customerName: values.customerName, isUseOrConsume: kind == .useOrConsume,
            engagements: options.map { o in
                EngagementChoice(id: o.id, name: o.name, area: o.solutionArea.name, open: o.option.isOpen, refusal: o.option.refusal ?? "",
                                 notes: o.option.notes, competing: o.option.competing,
                                 checked: String(o.id) == values.engagement && o.option.isOpen)
            },
            hasOpen: options.contains { $0.option.isOpen },
            contacts: filledContacts, askReason: !values.mismatchReason.isEmpty || errors["mismatch_reason"] != nil,
            mismatchReason: values.mismatchReason, customerDomain: domain ?? "",
            facts: [
                Fact(label: "Kind", value: kind.label), Fact(label: "Claim name", value: values.name),
                Fact(label: "Location", value: standings.first { String($0.location.id) == values.location }?.location.name ?? ""),
                Fact(label: "Customer", value: customerLabel),
                Fact(label: "Engagement", value: chosen.map { "\($0.name) (\($0.option.notes.joined(separator: "; ")))" } ?? ""),
                Fact(label: "Contacts", value: checked.contacts.map { "\($0.name) <\($0.email)>" }.joined(separator: ", ")),
            ] + (values.mismatchReason.isEmpty ? [] : [Fact(label: "Why contacts outside \(domain ?? "the domain")", value: values.mismatchReason)])
              + (chosen?.option.competing == true ? [Fact(label: "Arbitration", value: "Another partner claims this subscription; a reviewer will decide.")] : []),
            nameError: errors["name"], locationError: errors["location"], idError: errors["id_value"] ?? errors["id_type"],
            customerError: errors["existing"], customerNameError: errors["customer_name"], engagementError: errors["engagement"],
            contactsError: errors["contacts"], reasonError: errors["mismatch_reason"])
        let failing = status ?? (errors.isEmpty ? .ok : .unprocessableContent)
        return deps.page("add-customer", view, status: failing)
    }
}
