import Foundation

/// Why a payment file cannot be written: the transfer it is about (its EndToEndId; nil for the batch), the element of
/// the file, and a sentence saying what to fix. Nothing is shortened or transliterated to make a file pass.
public struct PaymentFileRefusal: Error, Hashable, Sendable, DomainRefusal {
    public var endToEndID: String?
    /// The element's path in the message, e.g. `Cdtr/Nm`.
    public var element: String
    public var message: String

    public init(endToEndID: String?, element: String, message: String) {
        self.endToEndID = endToEndID; self.element = element; self.message = message
    }

    public var description: String { message }
    public var refusalKind: RefusalKind { .notAllowed }
}

/// The checks of the texts a bank file carries, against the limits of the ISO 20022 schema and what banks accept.
enum BankText {
    /// One text of the file: its element, what it is in words, and the transfer it belongs to.
    struct Field {
        var element: String
        var label: String
        var endToEndID: String?

        func refusal(_ message: String) -> PaymentFileRefusal {
            PaymentFileRefusal(endToEndID: endToEndID, element: element, message: message)
        }
    }

    /// `text` when it is not blank, holds at most `maxLength` code points and only characters a bank accepts.
    static func check(_ text: String, max maxLength: Int, _ field: Field) throws(PaymentFileRefusal) -> String {
        let whose = field.endToEndID.map { " of \($0)" } ?? ""
        if text.trimmingCharacters(in: .whitespaces).isEmpty { throw field.refusal("\(field.label)\(whose) is missing.") }
        let length = text.unicodeScalars.count
        if length > maxLength {
            throw field.refusal("\(field.label)\(whose) is \(length) characters long; a bank file holds at most \(maxLength).")
        }
        if let bad = text.unicodeScalars.first(where: refuses) {
            let code = String(format: "U+%04X", bad.value)
            throw field.refusal("\(field.label)\(whose) holds a character banks do not accept (\(code)); correct it where it was entered.")
        }
        return text
    }

    /// An identifier (MsgId, EndToEndId): also within the SEPA identifier characters, never starting or ending with
    /// `/` nor holding `//`, as the EPC rules require of every reference.
    static func identifier(_ text: String, _ field: Field) throws(PaymentFileRefusal) -> String {
        let id = try check(text, max: 35, field)
        let allowed = id.unicodeScalars.allSatisfy { $0.isASCII && identifierCharacters.contains($0) }
        if !allowed || id.hasPrefix("/") || id.hasSuffix("/") || id.contains("//") {
            throw field.refusal("\(field.label) \"\(id)\" may hold only letters, digits, spaces and / - ? : ( ) . , ' + "
                                + "(not starting or ending with /, nor //).")
        }
        return id
    }

    /// Whether the text matches `pattern` exactly (the schema's patterns are anchored).
    static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: "^(?:\(pattern))$", options: .regularExpression) != nil
    }

    static let identifierCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")

    /// Controls (tabs and line breaks too: every text is one line), invisible formatting such as direction controls and
    /// zero-width spaces, line and paragraph separators, private-use, surrogate and unassigned code points.
    static func refuses(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: true
        default: false
        }
    }
}

extension String {
    /// This text escaped for XML character data and attribute values.
    var xmlEscaped: String {
        escapingScalars {
            switch $0 {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            case "'": "&apos;"
            default: nil
            }
        }
    }
}
