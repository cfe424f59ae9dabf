import Foundation
import IncentivesDomain
import IncentivesStore

/// The payee forms' fields as the domain's form values, which `BankDetails` and `TaxProfileDetails` validate.
enum PayeeForms {
    static func bankDetails(_ form: FormFields) -> BankDetailsForm {
        BankDetailsForm(holderName: form.text("holder_name"), bankName: form.text("bank_name"), country: form.text("country"),
                        accountNumber: form.text("account_number"), routingCode: form.text("routing_code"), swiftBIC: form.text("swift_bic"))
    }

    /// The form the location's country files, with what was sent.
    static func taxProfile(_ form: FormFields, for location: LocationSummary) -> TaxProfileForm {
        TaxProfileForm(form: TaxForm.expected(forCountry: location.country).rawValue, taxID: form.text("tax_id"),
                       expiresOn: form.text("expires_on"))
    }

    /// The replaced profile's details, to start its replacement from.
    static func bankDetails(of old: BankProfileRecord) -> BankDetailsForm {
        BankDetailsForm(holderName: old.holderName, bankName: old.bankName, country: old.country,
                        accountNumber: old.accountNumber, routingCode: old.routingCode ?? "", swiftBIC: old.swiftBIC)
    }
}
