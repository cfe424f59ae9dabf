import Foundation

/// One field of a form as the `form-field` partial renders it: its label, the value as typed, a hint, and the refusal
/// next to it (with `aria-invalid` and `aria-describedby`), so forms that take many fields say the same thing the same way.
struct FormFieldView: Sendable {
    struct Option: Sendable { let value: String; let label: String; let selected: Bool }

    let name: String
    let id: String
    let label: String
    let value: String
    let hint: String?
    let error: String?
    let isText: Bool, isTextArea: Bool, isSelect: Bool, isDate: Bool
    let options: [Option]
    let required: Bool

    enum Kind { case text, textArea, select([(value: String, label: String)]), date }

    /// A one-line text field with its own id (the field's error is `<id>-error`).
    init(_ name: String, _ label: String, value: String, id: String, error: String?) {
        self.name = name; self.label = label; self.value = value; self.id = id; self.error = error
        hint = nil; required = false
        (isText, isTextArea, isSelect, isDate, options) = (true, false, false, false, [])
    }

    init(_ name: String, _ label: String, value: String, kind: Kind = .text, hint: String? = nil, errors: [String: String] = [:],
         required: Bool = false, prefix: String = "field") {
        self.name = name; self.label = label; self.value = value; self.hint = hint; self.required = required
        id = "\(prefix)-\(name.replacingOccurrences(of: "_", with: "-"))"
        error = errors[name]
        switch kind {
        case .text: (isText, isTextArea, isSelect, isDate, options) = (true, false, false, false, [])
        case .textArea: (isText, isTextArea, isSelect, isDate, options) = (false, true, false, false, [])
        case .date: (isText, isTextArea, isSelect, isDate, options) = (false, false, false, true, [])
        case .select(let choices):
            (isText, isTextArea, isSelect, isDate) = (false, false, true, false)
            options = choices.map { Option(value: $0.value, label: $0.label, selected: $0.value == value) }
        }
    }
}

/// A form whose refusals are shown next to their fields: `errors` by field name, `form` for one that names none.
protocol RefusableForm: Sendable {
    var errors: [String: String] { get set }
}

extension RefusableForm {
    /// Puts a refusal next to its field (the whole form's when it names none); rethrows anything else.
    mutating func note(_ error: any Error) throws {
        guard let answer = ErrorAnswer.formRefusal(error) else { throw error }
        errors[answer.field ?? "form"] = answer.detail
    }
}
