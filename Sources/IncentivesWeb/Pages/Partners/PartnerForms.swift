import Foundation
import IncentivesDomain

/// A form of the partner pages as typed, with the refusal next to its field (or above the form when it is about no
/// field): sent back with 422 and what the person typed.
struct PartnerForm: Sendable {
    /// Which form of the page it is, so the page shows its errors next to that form only.
    enum Kind: String, Sendable {
        case organization, location, admin, deactivate, enrollment
    }

    var kind: Kind
    var values: [String: String] = [:]
    var errors: [String: String] = [:]
    /// A refusal about the whole form ("The organization already has an account admin").
    var message: String?

    init(_ kind: Kind, _ form: FormFields, fields: [String]) {
        self.kind = kind
        for field in fields { values[field] = form[field] ?? "" }
    }

    /// An empty form of a kind, filled with `values` (an edit form shows what is stored).
    init(_ kind: Kind, values: [String: String] = [:]) {
        self.kind = kind; self.values = values
    }

    var hasErrors: Bool { !errors.isEmpty || message != nil }

    /// Puts a refusal next to its field (or above the form); false for an error that is not a refusal.
    mutating func refuse(_ error: any Error) -> Bool {
        guard let answer = ErrorAnswer.formRefusal(error) else { return false }
        if let field = answer.field, values[field] != nil { errors[field] = answer.detail } else { message = answer.detail }
        return true
    }

    func field(_ name: String, _ label: String) -> FormFieldView {
        let id = "\(kind.rawValue)-\(name)"
        return FormFieldView(name, label, value: values[name] ?? "", id: id, error: errors[name])
    }
}
