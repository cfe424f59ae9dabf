import Foundation

/// International Bank Account Numbers (ISO 13616): country lengths and the mod-97 check digits.
public enum IBAN {
    /// Lengths of the IBAN countries the program pays into (SWIFT IBAN registry).
    public static let lengths: [String: Int] = [
        "AD": 24, "AE": 23, "AT": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "CH": 21, "CY": 28, "CZ": 24,
        "DE": 22, "DK": 18, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21,
        "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "LT": 20, "LU": 20, "LV": 21,
        "MT": 31, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PT": 25, "QA": 29, "RO": 24, "SA": 24, "SE": 24,
        "SI": 19, "SK": 24, "TR": 26,
    ]

    /// Upper case without spaces (IBANs are printed in groups of four and typed any way).
    public static func normalize(_ raw: String) -> String {
        raw.filter { !$0.isWhitespace && $0 != "-" }.uppercased()
    }

    /// Why `raw` is not a valid IBAN for an account in `country`, in words; nil when it is.
    public static func problem(_ raw: String, country: String) -> String? {
        let iban = normalize(raw)
        if iban.isEmpty { return "Enter the IBAN." }
        guard iban.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return "An IBAN has only letters and digits."
        }
        let prefix = String(iban.prefix(2))
        guard prefix == country.uppercased() else { return "An IBAN for \(country.uppercased()) starts with \(country.uppercased())." }
        guard let length = lengths[prefix] else { return "\(prefix) does not use IBANs." }
        guard iban.count == length else { return "An IBAN for \(prefix) has \(length) characters; this one has \(iban.count)." }
        guard iban.dropFirst(2).prefix(2).allSatisfy(\.isNumber) else { return "Characters 3 and 4 of an IBAN are digits." }
        guard checksum(iban) == 1 else { return "The check digits do not match; look for a mistyped character." }
        return nil
    }

    public static func isValid(_ raw: String, country: String) -> Bool { problem(raw, country: country) == nil }

    /// The ISO 7064 mod-97 remainder of the rearranged IBAN (1 for a valid one), digit by digit so it never overflows.
    static func checksum(_ iban: String) -> Int {
        let rearranged = iban.dropFirst(4) + iban.prefix(4)
        var remainder = 0
        for character in rearranged {
            guard let value = character.hexDigitValue ?? letterValue(character) else { return -1 }
            if value >= 10 { remainder = (remainder * 100 + value) % 97 } else { remainder = (remainder * 10 + value) % 97 }
        }
        return remainder
    }

    private static func letterValue(_ c: Character) -> Int? {
        guard let ascii = c.asciiValue, ascii >= 65, ascii <= 90 else { return nil }
        return Int(ascii) - 55
    }
}

/// SWIFT/BIC codes (ISO 9362): 4 letters of bank, 2 of country, 2 of place, optionally 3 of branch.
public enum SwiftBIC {
    public static func normalize(_ raw: String) -> String { raw.filter { !$0.isWhitespace }.uppercased() }

    /// Why `raw` is not a BIC of a bank in `country`; nil when it is.
    public static func problem(_ raw: String, country: String) -> String? {
        let bic = normalize(raw)
        if bic.isEmpty { return "Enter the SWIFT/BIC code." }
        let chars = Array(bic)
        guard chars.count == 8 || chars.count == 11, chars.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
              chars[0..<6].allSatisfy(\.isLetter) else {
            return "A SWIFT/BIC code has 8 or 11 characters: 4 letters for the bank, 2 for the country, then 2 (and optionally 3) letters or digits."
        }
        guard String(chars[4..<6]) == country.uppercased() else {
            return "Letters 5 and 6 of the code are the bank's country; expected \(country.uppercased())."
        }
        return nil
    }
}

/// How a country's bank accounts are written: an IBAN, or an account number with a national bank code.
public struct BankCountry: Sendable, Hashable {
    public var code: String
    public var name: String
    /// The national bank or branch code's name (routing number, IFSC, ...); nil in IBAN countries.
    public var routingLabel: String?
    /// The routing code's shape, in words, for the hint and the error.
    public var routingHint: String?
    var routingCheck: (@Sendable (String) -> Bool)?
    /// Allowed account number lengths (digits only) outside IBAN countries.
    var accountDigits: ClosedRange<Int>

    public var usesIBAN: Bool { IBAN.lengths[code] != nil }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    init(_ code: String, _ name: String, routing: String? = nil, hint: String? = nil, check: (@Sendable (String) -> Bool)? = nil,
         account: ClosedRange<Int> = 1...34) {
        self.code = code; self.name = name; routingLabel = routing; routingHint = hint; routingCheck = check; accountDigits = account
    }

    /// The countries a bank profile may be in, by name.
    public static let all: [BankCountry] = ([
        BankCountry("AE", "United Arab Emirates"), BankCountry("AT", "Austria"), BankCountry("BE", "Belgium"),
        BankCountry("BR", "Brazil"), BankCountry("CH", "Switzerland"), BankCountry("DE", "Germany"), BankCountry("DK", "Denmark"),
        BankCountry("ES", "Spain"), BankCountry("FI", "Finland"), BankCountry("FR", "France"), BankCountry("GB", "United Kingdom"),
        BankCountry("IE", "Ireland"), BankCountry("IL", "Israel"), BankCountry("IT", "Italy"), BankCountry("NL", "Netherlands"),
        BankCountry("NO", "Norway"), BankCountry("PL", "Poland"), BankCountry("PT", "Portugal"), BankCountry("SA", "Saudi Arabia"),
        BankCountry("SE", "Sweden"),
        BankCountry("US", "United States", routing: "ABA routing number", hint: "9 digits", check: abaRoutingIsValid, account: 4...17),
        BankCountry("SG", "Singapore", routing: "Bank and branch code", hint: "7 digits: 4 for the bank, 3 for the branch",
                    check: { digits($0, 7...7) }, account: 6...17),
        BankCountry("IN", "India", routing: "IFSC", hint: "11 characters, like HDFC0001234", check: ifscIsValid, account: 9...18),
        BankCountry("ZA", "South Africa", routing: "Branch code", hint: "6 digits", check: { digits($0, 6...6) }, account: 7...11),
        BankCountry("AU", "Australia", routing: "BSB", hint: "6 digits", check: { digits($0, 6...6) }, account: 5...9),
        BankCountry("CA", "Canada", routing: "Transit and institution number", hint: "8 digits: 5 transit, 3 institution",
                    check: { digits($0, 8...8) }, account: 7...12),
        BankCountry("JP", "Japan", routing: "Bank and branch code", hint: "7 digits: 4 for the bank, 3 for the branch",
                    check: { digits($0, 7...7) }, account: 7...7),
    ] as [BankCountry]).sorted { $0.name < $1.name }

    public static func named(_ code: String) -> BankCountry? {
        let code = code.uppercased()
        return all.first { $0.code == code }
    }

    static func digits(_ s: String, _ lengths: ClosedRange<Int>) -> Bool {
        lengths.contains(s.count) && s.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// ABA routing numbers carry a 3-7-1 weighted checksum.
    static func abaRoutingIsValid(_ s: String) -> Bool {
        guard digits(s, 9...9) else { return false }
        let d = s.compactMap(\.wholeNumberValue)
        let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
        return sum % 10 == 0
    }

    /// IFSC: 4 letters of bank, a zero, 6 letters or digits of branch.
    static func ifscIsValid(_ s: String) -> Bool {
        let c = Array(s)
        return c.count == 11 && c[0..<4].allSatisfy { $0.isASCII && $0.isLetter } && c[4] == "0"
            && c[5...].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}

/// A bank profile as a partner enters it, before it is checked.
public struct BankDetailsForm: Sendable, Hashable {
    public var holderName: String
    public var bankName: String
    public var country: String
    /// The IBAN in IBAN countries, the local account number elsewhere.
    public var accountNumber: String
    public var routingCode: String
    public var swiftBIC: String

    public init(holderName: String, bankName: String, country: String, accountNumber: String, routingCode: String = "", swiftBIC: String) {
        self.holderName = holderName; self.bankName = bankName; self.country = country
        self.accountNumber = accountNumber; self.routingCode = routingCode; self.swiftBIC = swiftBIC
    }
}

/// Bank details that passed every check, normalized for storage (IBANs and BICs upper case without spaces).
public struct BankDetails: Sendable, Hashable {
    public let holderName: String
    public let bankName: String
    public let country: String
    public let accountNumber: String
    /// Nil in IBAN countries.
    public let routingCode: String?
    public let swiftBIC: String

    /// Checks a form: the details, or every problem by field name (`holder_name`, `bank_name`, `country`,
    /// `account_number`, `routing_code`, `swift_bic`).
    public static func validate(_ form: BankDetailsForm) -> Result<BankDetails, BankDetailsErrors> {
        var errors: [String: String] = [:]
        func text(_ field: String, _ raw: String, _ rule: TextRule) -> String {
            do throws(InputRefusal) { return try rule.check(raw, field: field) } catch { errors[field] = error.message; return "" }
        }
        let holder = text("holder_name", form.holderName, .accountHolder)
        let bank = text("bank_name", form.bankName, .bankName)
        let countryCode = form.country.trimmingCharacters(in: .whitespaces).uppercased()
        var account = "", routing: String? = nil
        if let country = BankCountry.named(countryCode) {
            if country.usesIBAN {
                account = IBAN.normalize(form.accountNumber)
                if let problem = IBAN.problem(account, country: country.code) { errors["account_number"] = problem }
            } else {
                account = form.accountNumber.filter { !$0.isWhitespace && $0 != "-" }
                if account.isEmpty { errors["account_number"] = "Enter the account number." }
                else if !BankCountry.digits(account, country.accountDigits) {
                    let range = country.accountDigits
                    errors["account_number"] = "An account number in \(country.name) has " +
                        (range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)") + " digits."
                }
                let code = form.routingCode.filter { !$0.isWhitespace && $0 != "-" }.uppercased()
                routing = code
                if code.isEmpty { errors["routing_code"] = "Enter the \(country.routingLabel ?? "bank code")." }
                else if country.routingCheck?(code) == false {
                    errors["routing_code"] = "This is not a valid \(country.routingLabel ?? "bank code") (\(country.routingHint ?? "check it"))."
                }
            }
            if let problem = SwiftBIC.problem(form.swiftBIC, country: country.code) { errors["swift_bic"] = problem }
        } else {
            errors["country"] = countryCode.isEmpty ? "Choose the bank's country." : "Payments to banks in this country are not supported yet."
        }
        guard errors.isEmpty else { return .failure(BankDetailsErrors(byField: errors)) }
        return .success(BankDetails(holderName: holder, bankName: bank, country: countryCode, accountNumber: account,
                                    routingCode: routing, swiftBIC: SwiftBIC.normalize(form.swiftBIC)))
    }
}

/// Problems of a form by field name, each in words.
public struct BankDetailsErrors: Error, Sendable, Hashable {
    public var byField: [String: String]
    public init(byField: [String: String]) { self.byField = byField }
}

/// The tax forms the program accepts: W-9 from US payees, W-8BEN-E from everyone else.
public enum TaxForm: String, CaseIterable, Sendable {
    case w9 = "W-9"
    case w8bene = "W-8BEN-E"

    public static func expected(forCountry country: String) -> TaxForm { country.uppercased() == "US" ? .w9 : .w8bene }
}

/// A tax profile as entered for a location.
public struct TaxProfileForm: Sendable, Hashable {
    public var form: String
    public var taxID: String
    public var expiresOn: String

    public init(form: String, taxID: String, expiresOn: String) { self.form = form; self.taxID = taxID; self.expiresOn = expiresOn }
}

/// A tax profile that passed the checks.
public struct TaxProfileDetails: Sendable, Hashable {
    public let form: TaxForm
    public let taxID: String
    public let expiresOn: DayDate

    /// How far ahead an expiry may be: W-8 forms last to the end of the third year after signing.
    public static let longestValidityDays = 4 * 366

    /// Checks a tax profile for a location in `country` entered on `today`; problems by field (`form`, `tax_id`, `expires_on`).
    public static func validate(_ input: TaxProfileForm, country: String, today: DayDate) -> Result<TaxProfileDetails, BankDetailsErrors> {
        var errors: [String: String] = [:]
        let expected = TaxForm.expected(forCountry: country)
        let form = TaxForm(rawValue: input.form.trimmingCharacters(in: .whitespaces))
        if form == nil { errors["form"] = "Choose a tax form." }
        else if form != expected { errors["form"] = "A location in \(country.uppercased()) files the \(expected.rawValue)." }
        let taxID = input.taxID.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        if taxID.isEmpty { errors["tax_id"] = "Enter the tax identification number." }
        else if taxID.count > 30 || !taxID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "/" || $0 == ".") }) {
            errors["tax_id"] = "Use up to 30 letters, digits, dashes, dots or slashes."
        }
        let expiry = DayDate(input.expiresOn.trimmingCharacters(in: .whitespaces))
        if let expiry {
            if expiry <= today { errors["expires_on"] = "The expiry date must be after today." }
            else if expiry > today.adding(days: longestValidityDays) { errors["expires_on"] = "A tax form is valid for at most four years; check the date." }
        } else {
            errors["expires_on"] = "Enter the expiry date as YYYY-MM-DD."
        }
        guard errors.isEmpty, let form, let expiry else { return .failure(BankDetailsErrors(byField: errors)) }
        return .success(TaxProfileDetails(form: form, taxID: taxID, expiresOn: expiry))
    }
}
