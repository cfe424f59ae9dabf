import Foundation
import IncentivesDomain
import IncentivesStore

/// The steps of Add customer, in order; `create` is the review's form, which makes the claim.
enum AddCustomerStep: String, CaseIterable, Sendable {
    case kind, details, engagements, contacts, review, create
}

/// Add customer's form values as typed, before any are checked. Every step's form carries the values of the others.
struct AddCustomerValues: Sendable {
    /// A value a step's form carries for the other steps.
    struct Hidden: Sendable {
        let name: String
        let value: String
    }

    var kind: ClaimKind?
    /// The solution area whose tab "Create claim" was chosen in: only its engagements are offered.
    var area = ""
    var name = ""
    var location = ""
    var idType = ""
    var idValue = ""
    var existing = ""
    var customerName = ""
    var engagement = ""
    var contacts: [(name: String, title: String, email: String)] = Array(repeating: ("", "", ""), count: ContactForm.rows)
    var mismatchReason = ""

    init(_ fields: FormFields) {
        kind = ClaimKind(rawValue: fields.text("kind"))
        area = fields.text("area")
        name = fields.text("name")
        location = fields.text("location")
        idType = fields.text("id_type")
        idValue = fields.text("id_value")
        existing = fields.text("existing")
        customerName = fields.text("customer_name")
        engagement = fields.text("engagement")
        mismatchReason = fields.text("mismatch_reason")
        for i in 1...ContactForm.rows {
            contacts[i - 1] = (fields.text("contact_name_\(i)"), fields.text("contact_title_\(i)"), fields.text("contact_email_\(i)"))
        }
    }

    /// Hidden fields for everything not on `step`'s own form.
    func carried(except step: AddCustomerStep) -> [Hidden] {
        var fields: [(String, String)] = [("kind", kind?.rawValue ?? ""), ("area", area)]
        if step != .details {
            fields += [("name", name), ("location", location), ("id_type", idType), ("id_value", idValue), ("existing", existing),
                       ("customer_name", customerName)]
        }
        if step != .engagements { fields.append(("engagement", engagement)) }
        if step != .contacts {
            for (i, c) in contacts.enumerated() {
                fields += [("contact_name_\(i + 1)", c.name), ("contact_title_\(i + 1)", c.title), ("contact_email_\(i + 1)", c.email)]
            }
            fields.append(("mismatch_reason", mismatchReason))
        }
        return fields.filter { !$0.1.isEmpty }.map { Hidden(name: $0.0, value: $0.1) }
    }
}

/// What the checks made of the values so far, and what they refused, by field.
struct AddCustomerChecks: Sendable {
    var locationID: Int64?
    var customer: IntakeCustomer?
    /// The customer as the program knows it (nil: new to the program, or not found).
    var resolved: Customer?
    var options: [IntakeEngagement] = []
    var contacts: [Contact] = []
    var errors: [String: String] = [:]

    /// The locations the viewer may add a customer from: any Incentives role, or for use or consume (an Incentives
    /// admin's claims) the ones they administer.
    static func locations(of viewer: Viewer, kind: ClaimKind) -> Set<Int64> {
        kind == .useOrConsume ? PayeeRepository.adminLocations(of: viewer) : viewer.incentiveLocations
    }

    /// "Create claim" inside a solution area's tab offers that area's engagements only.
    static func inArea(_ code: String, _ options: [IntakeEngagement]) -> [IntakeEngagement] {
        code.isEmpty ? options : options.filter { $0.solutionArea.code == code }
    }

    /// The details step's checks that need no database: the names, the location, and how the customer is identified.
    mutating func checkDetails(_ values: AddCustomerValues, kind: ClaimKind, locations: Set<Int64>) {
        do throws(InputRefusal) { _ = try TextRule.claimName.check(values.name, field: "name") } catch { errors["name"] = error.message }
        do throws(InputRefusal) { _ = try TextRule.customerName.check(values.customerName, field: "customer_name") }
        catch { errors["customer_name"] = error.message }
        if let id = Int64(values.location), locations.contains(id) { locationID = id }
        else { errors["location"] = "Choose one of your locations." }
        let name = values.customerName
        switch CustomerIDType(rawValue: values.idType).flatMap({ CustomerIDType.offered(for: kind).contains($0) ? $0 : nil }) {
        case .domain?:
            if let domain = CustomerIntake.domain(values.idValue) {
                customer = .named(name: name, domain: domain, tenantID: nil, subscriptionID: nil)
            } else { errors["id_value"] = "Give the customer's domain, like contoso.com." }
        case .tenant?:
            if let tenant = CustomerIntake.guid(values.idValue) {
                customer = .named(name: name, domain: nil, tenantID: tenant, subscriptionID: nil)
            } else { errors["id_value"] = "A tenant ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47." }
        case .subscription?:
            if let subscription = CustomerIntake.guid(values.idValue) {
                customer = .named(name: name, domain: nil, tenantID: nil, subscriptionID: subscription)
            } else { errors["id_value"] = "A subscription ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47." }
        case .existing?:
            if let id = Int64(values.existing) { customer = .existing(id) }
            else { errors["existing"] = "Choose the customer." }
        case nil:
            errors["id_type"] = "Choose how you identify the customer."
        }
    }

    /// What the directory made of the customer: an existing one not found is not there to choose; a new one needs a name.
    mutating func customerFound(_ found: Customer?, values: AddCustomerValues) {
        resolved = found
        guard found == nil, let customer else { return }
        if case .existing = customer { errors["existing"] = "Choose the customer." }
        else if values.customerName.isEmpty { errors["customer_name"] = "This customer is new to the program: give its name." }
    }

    /// The contacts step's checks: the contacts, and why any of them is not at the customer's domain.
    mutating func checkContacts(_ form: FormFields, values: AddCustomerValues) {
        do throws(InputRefusal) { contacts = try ContactForm.contacts(from: form) }
        catch { errors["contacts"] = error.message }
        do throws(InputRefusal) { _ = try TextRule.mismatchReason.check(values.mismatchReason, field: "mismatch_reason") }
        catch { errors["mismatch_reason"] = error.message }
        let domain = customerDomain
        if errors.isEmpty, !CustomerIntake.foreignContacts(contacts, customerDomain: domain).isEmpty, values.mismatchReason.isEmpty {
            errors["mismatch_reason"] = "Some contacts are not at \(domain ?? "the customer's domain"). Say why they speak for the customer."
        }
    }

    /// The customer's domain: as the program knows it, or as typed for a new customer.
    var customerDomain: String? {
        if let known = resolved?.domain { return known }
        if case .named(_, let domain?, _, _)? = customer { return domain }
        return nil
    }
}
