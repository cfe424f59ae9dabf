import Foundation
import IncentivesDomain
import IncentivesStore

/// One text input of a payee form, with its hint and its error next to it.
struct PayeeFieldView: Sendable {
    let name: String
    let id: String
    let label: String
    let value: String
    let hint: String?
    let error: String?
    let autocomplete: String
}

/// `/payee-profiles/bank/new` and `/payee-profiles/bank/{id}/replace`: a bank profile's details, with a hint per field
/// that follows the chosen country's scheme, and the errors of a refused form. Built from plain values only.
struct BankProfileFormView: PageView {
    struct CountryOption: Sendable {
        let code: String
        let name: String
        let selected: Bool
        let scheme: String
    }

    let shell: Shell
    let heading: String
    let action: String
    let replacing: Bool
    let oldStatus: String
    let countries: [CountryOption]
    let countryError: String?
    let fields: [PayeeFieldView]
    let formError: Bool
    let cancelHref: String

    /// - Parameters:
    ///   - form: what was sent (or the profile being replaced); nil for an empty form.
    ///   - replacing: the profile a replacement replaces.
    ///   - errors: the refused fields' messages, by field name.
    init(_ form: BankDetailsForm?, replacing: BankProfileRecord?, errors: [String: String], input: PageInput) {
        let country = form?.country.uppercased() ?? ""
        let title = replacing == nil ? "Add a bank profile" : "Replace a bank profile"
        shell = Shell(input, title: title, section: .payeeProfiles, trail: [(title, nil)])
        heading = title
        action = replacing.map { SitePath.bankReplace(.id($0.id)).href() } ?? SitePath.newBankProfile.href()
        self.replacing = replacing != nil
        oldStatus = replacing?.status.label ?? ""
        countries = BankCountry.all.map {
            CountryOption(code: $0.code, name: $0.name, selected: $0.code == country, scheme: $0.usesIBAN ? "IBAN" : ($0.routingLabel ?? ""))
        }
        countryError = errors["country"]
        fields = Self.fields(form, country: BankCountry.named(country), holder: input.viewer?.organizationName ?? "", errors: errors)
        formError = !errors.isEmpty
        cancelHref = SitePath.payeeProfiles.href()
    }

    /// - Parameter holder: the account holder an empty form suggests: the viewer's organization.
    static func fields(_ form: BankDetailsForm?, country selected: BankCountry?, holder: String,
                       errors: [String: String]) -> [PayeeFieldView] {
        func field(_ name: String, _ label: String, _ value: String, hint: String? = nil, autocomplete: String = "off") -> PayeeFieldView {
            PayeeFieldView(name: name, id: "bank-\(name.replacingOccurrences(of: "_", with: "-"))", label: label, value: value, hint: hint,
                           error: errors[name], autocomplete: autocomplete)
        }
        let accountHint = selected.map {
            $0.usesIBAN ? "The IBAN: \(IBAN.lengths[$0.code] ?? 0) characters starting with \($0.code); spaces are fine." : "The account number, digits only."
        } ?? "The IBAN in IBAN countries (spaces are fine), otherwise the account number."
        let routingHint = selected.map { c in c.routingLabel.map { "\($0): \(c.routingHint ?? "")." } ?? "Not needed for IBAN countries." }
            ?? "Only outside IBAN countries: the US routing number, India's IFSC, Singapore's bank and branch code, ..."
        return [
            field("holder_name", "Account holder", form?.holderName ?? holder, autocomplete: "organization"),
            field("bank_name", "Bank", form?.bankName ?? ""),
            field("account_number", "IBAN or account number", form?.accountNumber ?? "", hint: accountHint),
            field("routing_code", "Bank code (routing number, IFSC, ...)", form?.routingCode ?? "", hint: routingHint),
            field("swift_bic", "SWIFT/BIC", form?.swiftBIC ?? "", hint: "8 or 11 characters, like HCBKGB2L."),
        ]
    }
}

/// `/payee-profiles/locations/{id}/tax/new`: a location's new tax profile, on the form its country files. Built from
/// plain values only.
struct TaxProfileFormView: PageView {
    let shell: Shell
    let location: String
    let action: String
    let formName: String
    let fields: [PayeeFieldView]
    let formError: Bool
    let cancelHref: String

    init(_ form: TaxProfileForm?, location: LocationSummary, errors: [String: String], input: PageInput) {
        let expected = TaxForm.expected(forCountry: location.country)
        let title = "Tax profile for \(location.name)"
        shell = Shell(input, title: title, section: .payeeProfiles, trail: [(title, nil)])
        self.location = location.name
        action = SitePath.locationNewTax(.id(location.id)).href()
        formName = expected.rawValue
        fields = [
            PayeeFieldView(name: "tax_id", id: "tax-id", label: "Tax identification number", value: form?.taxID ?? "",
                           hint: "As written on the \(expected.rawValue).", error: errors["tax_id"], autocomplete: "off"),
            PayeeFieldView(name: "expires_on", id: "tax-expires-on", label: "Expires on", value: form?.expiresOn ?? "",
                           hint: "YYYY-MM-DD; the location is paid through this day.", error: errors["expires_on"], autocomplete: "off"),
        ]
        formError = !errors.isEmpty
        cancelHref = SitePath.payeeProfiles.href()
    }
}
