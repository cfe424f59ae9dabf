import Foundation

/// Why something a person typed or sent is refused: the field and a sentence saying what to change.
public struct InputRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// Outside a limit the API's contract states (`maxLength`, `minLength`, `maxItems`): the contract itself refuses it.
        case outsideLimits
        /// Within the contract's limits, but not acceptable (blank, control characters, not an address).
        case invalid
    }

    public var field: String
    public var kind: Kind
    public var message: String

    public init(field: String, _ kind: Kind, _ message: String) {
        self.field = field; self.kind = kind; self.message = message
    }

    public var description: String { message }
}

/// One kind of text a person writes on a claim, with the limit the API's contract states for it. Every surface
/// (the pages, the API, the store as the last guard) checks text through these rules, so all refuse alike.
public struct TextRule: Hashable, Sendable {
    /// What the text is, to start a sentence: "The claim's name".
    public var label: String
    /// The most code points (Unicode scalars) it may hold: what the contract's `maxLength` counts, never less than a
    /// browser's `maxlength` (UTF-16 units) lets through.
    public var maxLength: Int
    /// The contract's `minLength: 1`: empty is outside its limits, blank (spaces only) is refused as missing.
    public var required: Bool
    /// Notes and comments keep line breaks and tabs; names, titles and ids are one line.
    public var multiline: Bool
    /// What to say when a required text is empty; "<label> is missing." otherwise.
    public var missing: String?

    public init(label: String, maxLength: Int, required: Bool = false, multiline: Bool = false, missing: String? = nil) {
        self.label = label; self.maxLength = maxLength; self.required = required; self.multiline = multiline; self.missing = missing
    }

    public static let claimName = TextRule(label: "The claim's name", maxLength: 200, required: true,
                                           missing: "Give the claim a name you will recognise it by.")
    /// Needed only for a customer new to the program, which the store decides.
    public static let customerName = TextRule(label: "The customer's name", maxLength: 200)
    public static let customerDomain = TextRule(label: "The customer's domain", maxLength: 253)
    /// A tenant or subscription id: a GUID of 36 characters.
    public static let directoryID = TextRule(label: "The id", maxLength: 36)
    public static let contactName = TextRule(label: "The contact's name", maxLength: 200, required: true)
    public static let contactTitle = TextRule(label: "The contact's title", maxLength: 200)
    /// Not `required`: the contract states no `minLength`; an empty one is refused as no address (`ContactInput`).
    public static let contactEmail = TextRule(label: "The contact's email", maxLength: 254)
    public static let mismatchReason = TextRule(label: "Why these contacts speak for the customer", maxLength: 2_000, multiline: true)
    public static let note = TextRule(label: "The note", maxLength: ClaimNote.maxLength, multiline: true)
    public static let comment = TextRule(label: "The comment", maxLength: ClaimNote.maxLength, required: true, multiline: true,
                                         missing: "Write the comment first.")
    public static let surveyAnswer = TextRule(label: "The answer", maxLength: 2_000, multiline: true)
    public static let fileName = TextRule(label: "The file's name", maxLength: 255, required: true)

    // Text outside claims: one rule per kind of field, shared by the pages, the store and the CLI.
    /// A person's name on their account (invited, accepting an invitation, added by an operator).
    public static let personName = TextRule(label: "The name", maxLength: 120, required: true, missing: "Enter the name.")
    /// An account's email address, its sign-in name: at most what the outbox sends to.
    public static let accountEmail = TextRule(label: "The email address", maxLength: 254, required: true,
                                              missing: "Enter an email address like name@example.com.")
    public static let tokenName = TextRule(label: "The token's name", maxLength: 100, required: true,
                                           missing: "Give the token a name of up to 100 characters, like \"CRM sync\".")
    public static let accountHolder = TextRule(label: "The account holder's name", maxLength: 140, required: true,
                                               missing: "Enter the account holder's name as the bank knows it.")
    public static let bankName = TextRule(label: "The bank's name", maxLength: 140, required: true, missing: "Enter the bank's name.")
    /// What the program manager asks a partner to change on a bank profile, shown on the partner's list.
    public static let bankUpdateReason = TextRule(label: "What the partner must change", maxLength: 500, required: true,
                                                  missing: "Say what the partner must change.")
    public static let webhookURL = TextRule(label: "The address", maxLength: WebhookEndpointRules.maxURLLength, required: true,
                                            missing: "Enter the address that receives the events.")
    public static let webhookDescription = TextRule(label: "The description", maxLength: WebhookEndpointRules.maxDescriptionLength)

    /// Why `raw` is refused, in words; nil when it is fine (for forms that gather every field's problem).
    public func problem(with raw: String) -> String? {
        do throws(InputRefusal) { _ = try check(raw, field: ""); return nil } catch { return error.message }
    }

    /// This rule under another label ("Contact 2's name"), saying so when it is missing.
    public func labelled(_ label: String) -> TextRule {
        var rule = self
        rule.label = label
        rule.missing = nil
        return rule
    }

    /// The text trimmed ("" when empty and optional), or why it is refused. The length counts the text as sent,
    /// as the contract does; the characters are those kept.
    public func check(_ raw: String, field: String) throws(InputRefusal) -> String {
        let length = raw.unicodeScalars.count
        if length > maxLength {
            throw InputRefusal(field: field, .outsideLimits, "\(label) is \(length) characters long; keep it to \(maxLength).")
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // Line breaks around a name are dropped like spaces; inside it they are refused.
        if let bad = text.unicodeScalars.first(where: { Self.refuses($0, multiline: multiline) }) {
            let code = "U+" + String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)
            let what = Self.bidiControls.contains(bad.value) || Self.bidiMarks.contains(bad.value)
                ? "an invisible direction control (\(code)), which can make text read differently from what it says"
                : "a control character (\(code))"
            throw InputRefusal(field: field, .invalid, "\(label) holds \(what); type it again without it.")
        }
        // Empty breaks the contract's `minLength: 1`; blank is only empty once trimmed.
        if required && text.isEmpty { throw InputRefusal(field: field, raw.isEmpty ? .outsideLimits : .invalid, missing ?? "\(label) is missing.") }
        return text
    }

    /// Embeddings, overrides and isolates (U+202A-202E, U+2066-2069) reorder what follows them; the marks
    /// (U+200E, U+200F, U+061C) only matter in a line of mixed scripts, so only names and titles refuse them.
    static let bidiControls: Set<UInt32> = Set(0x202A...0x202E).union(0x2066...0x2069)
    static let bidiMarks: Set<UInt32> = [0x200E, 0x200F, 0x061C]

    static func refuses(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        let value = scalar.value
        if bidiControls.contains(value) { return true }
        if multiline && (value == 0x09 || value == 0x0A || value == 0x0D) { return false }
        if !multiline && (bidiMarks.contains(value) || value == 0x2028 || value == 0x2029) { return true }
        return scalar.properties.generalCategory == .control
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// A customer contact as a form or the API sends it, before it is checked.
public struct ContactInput: Hashable, Sendable {
    /// Consent and surveys go to the first contact; the contract allows three (`maxItems`).
    public static let maxCount = 3

    public var name: String
    public var title: String
    public var email: String

    public init(name: String, title: String, email: String) {
        self.name = name; self.title = title; self.email = email
    }

    public init(_ contact: Contact) { self.init(name: contact.name, title: contact.title, email: contact.email) }

    /// The contact checked and tidied (trimmed, the address lower-cased); `position` counts from 0.
    public func checked(position: Int) throws(InputRefusal) -> Contact {
        let who = "Contact \(position + 1)'s"
        let field = "contacts[\(position)]"
        let name = try TextRule.contactName.labelled("\(who) name").check(name, field: "\(field).name")
        let title = try TextRule.contactTitle.labelled("\(who) title").check(title, field: "\(field).title")
        let email = try TextRule.contactEmail.labelled("\(who) email").check(email, field: "\(field).email")
        guard MailMessage.isAddress(email) else {
            throw InputRefusal(field: "\(field).email", .invalid, "Contact \(position + 1): '\(email)' is not an email address.")
        }
        return Contact(name: name, title: title, email: email.lowercased())
    }

    /// Every contact checked, refused past `maxCount` before any is looked at.
    public static func checked(_ contacts: [ContactInput]) throws(InputRefusal) -> [Contact] {
        guard contacts.count <= maxCount else {
            throw InputRefusal(field: "contacts", .outsideLimits,
                               "Give at most \(maxCount) contacts (\(contacts.count) were sent); consent and surveys go to the first.")
        }
        var checked: [Contact] = []
        for (position, contact) in contacts.enumerated() { checked.append(try contact.checked(position: position)) }
        return checked
    }
}

/// What a partner sends to add a customer, as typed: the claim's name, a new customer's name, the contacts, and why
/// contacts outside the customer's domain speak for it. Checked before anything is read or written.
public struct NewClaimInput: Hashable, Sendable {
    public var name: String
    /// "" for a customer the program knows (the store asks for it when the customer is new).
    public var customerName: String
    public var contacts: [ContactInput]
    public var mismatchReason: String

    public init(name: String, customerName: String = "", contacts: [ContactInput], mismatchReason: String = "") {
        self.name = name; self.customerName = customerName; self.contacts = contacts; self.mismatchReason = mismatchReason
    }

    /// The values as they will be stored.
    public struct Checked: Hashable, Sendable {
        public var name: String
        public var customerName: String
        public var contacts: [Contact]
        public var mismatchReason: String
    }

    /// Every value against the contract's limits, contacts counted first (the cheapest refusal of a flood).
    public func checked() throws(InputRefusal) -> Checked {
        let contacts = try ContactInput.checked(contacts)
        return Checked(name: try TextRule.claimName.check(name, field: "name"),
                       customerName: try TextRule.customerName.check(customerName, field: "customer.name"),
                       contacts: contacts,
                       mismatchReason: try TextRule.mismatchReason.check(mismatchReason, field: "mismatch_reason"))
    }
}
