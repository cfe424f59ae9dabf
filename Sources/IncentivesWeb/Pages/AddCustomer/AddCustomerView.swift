import Foundation
import IncentivesDomain
import IncentivesStore

/// Add customer's view model, one step at a time: built from the values typed so far, what the checks made of them, the
/// viewer's locations, customers and engagement options, and the page input (no database).
struct AddCustomerView: PageView {
    struct KindChoice: Sendable {
        let label: String
        let description: String
        let href: String
    }

    struct EngagementChoice: Sendable {
        let id: Int64
        let name: String
        let area: String
        let open: Bool
        let refusal: String
        let notes: [String]
        let competing: Bool
        let checked: Bool
    }

    struct ContactRow: Sendable {
        let position: Int
        let name: String
        let title: String
        let email: String
    }

    struct Fact: Sendable {
        let label: String
        let value: String
    }

    let shell: Shell
    let step: String
    let isKind: Bool, isDetails: Bool, isEngagements: Bool, isContacts: Bool, isReview: Bool
    let kindLabel: String
    let kinds: [KindChoice]
    let carry: [AddCustomerValues.Hidden]
    let errors: [String: String]
    let formError: String?
    /// Where every step's form is sent.
    let action: String
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

    /// - Parameters:
    ///   - standings: the locations the viewer may add this kind of claim from.
    ///   - known: the customers the viewer claimed before (read for the details step).
    ///   - options: the engagements this customer could be claimed on from the chosen location.
    ///   - formError: a refusal of the claim as a whole, said at the top of the form.
    init(_ step: AddCustomerStep, values: AddCustomerValues, checks: AddCustomerChecks, standings: [LocationStanding], known: [Customer],
         options: [IntakeEngagement], formError: String? = nil, input: PageInput) {
        let kind = values.kind ?? .partnerActivities
        let errors = checks.errors
        shell = Shell(input, title: "Add a customer", section: .claims, trail: [("Add a customer", nil)])
        self.step = step == .create ? AddCustomerStep.review.rawValue : step.rawValue
        isKind = step == .kind
        isDetails = step == .details
        isEngagements = step == .engagements
        isContacts = step == .contacts
        isReview = step == .review || step == .create
        kindLabel = kind.label
        kinds = Self.kinds(area: values.area)
        carry = values.carried(except: step)
        self.errors = errors
        self.formError = formError
        action = SitePath.newClaim.href()
        name = values.name
        locations = standings.map { standing in
            ListOption(value: String(standing.location.id), label: "\(standing.location.name) (\(standing.location.country))",
                       selected: String(standing.location.id) == values.location || standings.count == 1)
        }
        idTypes = CustomerIDType.offered(for: kind).map { ListOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == values.idType) }
        idValue = values.idValue
        customers = known.map { customer in
            ListOption(value: String(customer.id), label: [customer.name, customer.domain ?? customer.subscriptionID].compactMap { $0 }
                .joined(separator: " · "), selected: String(customer.id) == values.existing)
        }
        hasCustomers = !known.isEmpty
        customerName = values.customerName
        isUseOrConsume = kind == .useOrConsume
        engagements = options.map { option in
            EngagementChoice(id: option.id, name: option.name, area: option.solutionArea.name, open: option.option.isOpen,
                             refusal: option.option.refusal ?? "", notes: option.option.notes, competing: option.option.competing,
                             checked: String(option.id) == values.engagement && option.option.isOpen)
        }
        hasOpen = options.contains { $0.option.isOpen }
        contacts = values.contacts.enumerated().map { ContactRow(position: $0 + 1, name: $1.name, title: $1.title, email: $1.email) }
        askReason = !values.mismatchReason.isEmpty || errors["mismatch_reason"] != nil
        mismatchReason = values.mismatchReason
        customerDomain = checks.customerDomain ?? ""
        facts = Self.facts(kind: kind, values: values, checks: checks, standings: standings,
                           chosen: options.first { String($0.id) == values.engagement })
        nameError = errors["name"]
        locationError = errors["location"]
        idError = errors["id_value"] ?? errors["id_type"]
        customerError = errors["existing"]
        customerNameError = errors["customer_name"]
        engagementError = errors["engagement"]
        contactsError = errors["contacts"]
        reasonError = errors["mismatch_reason"]
    }

    /// The two kinds of claim, each a link to the details step (inside the solution area it was started from).
    static func kinds(area: String) -> [KindChoice] {
        let href = { (kind: ClaimKind) in SitePath.newClaim.href([("kind", kind.rawValue)] + (area.isEmpty ? [] : [("area", area)])) }
        return [
            KindChoice(label: PartnerRole.buildIntent.label,
                       description: "You deliver an activity (a workshop, an assessment, a deployment). "
                           + "The customer confirms by email, you upload the proof, a reviewer approves.",
                       href: href(.partnerActivities)),
            KindChoice(label: PartnerRole.useOrConsume.label,
                       description: "You are the customer's partner of record for a workload (CPOR). "
                           + "One partner per subscription; the customer is told by email.",
                       href: href(.useOrConsume)),
        ]
    }

    /// The review step: everything the claim will be made of.
    static func facts(kind: ClaimKind, values: AddCustomerValues, checks: AddCustomerChecks, standings: [LocationStanding],
                      chosen: IntakeEngagement?) -> [Fact] {
        let domain = checks.customerDomain
        let customer = checks.resolved.map { c in
            [c.name, c.domain, c.tenantID.map { "tenant \($0)" }, c.subscriptionID.map { "subscription \($0)" }].compactMap { $0 }
                .joined(separator: " · ")
        } ?? "\(values.customerName) (new to the program) · \(values.idValue)"
        var facts = [
            Fact(label: "Kind", value: kind.label),
            Fact(label: "Claim name", value: values.name),
            Fact(label: "Location", value: standings.first { String($0.location.id) == values.location }?.location.name ?? ""),
            Fact(label: "Customer", value: customer),
            Fact(label: "Engagement", value: chosen.map { "\($0.name) (\($0.option.notes.joined(separator: "; ")))" } ?? ""),
            Fact(label: "Contacts", value: checks.contacts.map { "\($0.name) <\($0.email)>" }.joined(separator: ", ")),
        ]
        if !values.mismatchReason.isEmpty {
            facts.append(Fact(label: "Why contacts outside \(domain ?? "the domain")", value: values.mismatchReason))
        }
        if let warning = chosen?.budgetWarning { facts.append(Fact(label: "Budget", value: warning)) }
        if chosen?.option.competing == true {
            facts.append(Fact(label: "Arbitration", value: "Another partner claims this subscription; a reviewer will decide."))
        }
        return facts
    }
}
