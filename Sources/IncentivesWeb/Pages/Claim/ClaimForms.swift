import Foundation
import IncentivesDomain

/// What the claim page's forms send, read the one way.
enum ClaimForms {
    /// The claim version a form was made from; a form without one is stale by definition.
    static func version(_ form: FormFields) -> Int { Int(form.text("version")) ?? -1 }
}

/// Customer contacts as forms send them: `contact_name_1`, `contact_title_1`, `contact_email_1`, … up to the
/// domain's `ContactInput.maxCount`; rows left wholly empty are skipped, the others checked by the domain's rule
/// (a refusal names the row).
enum ContactForm {
    static let rows = ContactInput.maxCount

    static func contacts(from form: FormFields) throws(InputRefusal) -> [Contact] {
        var contacts: [Contact] = []
        for i in 1...rows {
            let input = ContactInput(name: form.text("contact_name_\(i)"), title: form.text("contact_title_\(i)"),
                                     email: form.text("contact_email_\(i)"))
            if input.name.isEmpty && input.title.isEmpty && input.email.isEmpty { continue }
            contacts.append(try input.checked(position: i - 1))
        }
        guard !contacts.isEmpty else {
            throw InputRefusal(field: "contacts", .invalid, "Give at least one customer contact: consent and surveys go to them.")
        }
        return contacts
    }
}
