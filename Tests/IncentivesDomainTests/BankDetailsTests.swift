import Foundation
import Testing
import IncentivesDomain

@Suite("Bank details: IBAN, SWIFT/BIC, country rules, tax profiles")
struct BankDetailsTests {
    /// Published example IBANs (and the demo's), one per IBAN country the demo uses.
    static let valid = [
        ("GB82WEST12345698765432", "GB"), ("GB64HCBK40012712345678", "GB"), ("DE89370400440532013000", "DE"),
        ("AE070331234567890123456", "AE"), ("FR1420041010050500013M02606", "FR"), ("BR1800360305000010009795493C1", "BR"),
        ("FR7630006000011234567890189", "FR"), ("DE40500105175401234567", "DE"),
    ]

    @Test("valid IBANs pass", arguments: valid)
    func validIBANs(iban: String, country: String) {
        #expect(IBAN.problem(iban, country: country) == nil)
    }

    @Test("spaces and lower case are accepted and normalized")
    func normalization() throws {
        #expect(IBAN.isValid("gb82 west 1234 5698 7654 32", country: "GB"))
        #expect(IBAN.normalize("gb82 west 1234 5698 7654 32") == "GB82WEST12345698765432")
        let form = BankDetailsForm(holderName: "Bluefin", bankName: "Harbor", country: "gb",
                                   accountNumber: " gb82 West 1234 5698 7654 32 ", swiftBIC: "hcbk gb2l")
        let details = try BankDetails.validate(form).get()
        #expect(details.accountNumber == "GB82WEST12345698765432")
        #expect(details.swiftBIC == "HCBKGB2L")
        #expect(details.country == "GB")
        #expect(details.routingCode == nil)
    }

    @Test("a changed character breaks the check digits", arguments: [
        "GB83WEST12345698765432", "GB82WEST12345698765433", "DE89370400440532013001", "AE070331234567890123457",
    ])
    func wrongCheckDigits(iban: String) {
        #expect(IBAN.problem(iban, country: String(iban.prefix(2)))?.contains("check digits") == true)
    }

    @Test("every single-character substitution of a valid IBAN is caught")
    func everySubstitution() {
        let iban = Array("DE89370400440532013000")
        for i in 4..<iban.count {
            for digit in "0123456789" where digit != iban[i] {
                var changed = iban; changed[i] = digit
                #expect(!IBAN.isValid(String(changed), country: "DE"), "\(String(changed))")
            }
        }
    }

    @Test("wrong length, wrong country, bad characters")
    func shapes() {
        #expect(IBAN.problem("GB82WEST1234569876543", country: "GB")?.contains("22 characters") == true)
        #expect(IBAN.problem("GB82WEST123456987654321", country: "GB")?.contains("22 characters") == true)
        #expect(IBAN.problem("DE89370400440532013000", country: "FR")?.contains("starts with FR") == true)
        #expect(IBAN.problem("GB82WEST1234569876543!", country: "GB") != nil)
        #expect(IBAN.problem("", country: "GB") == "Enter the IBAN.")
        #expect(IBAN.problem("US12345678901234", country: "US")?.contains("does not use IBANs") == true)
    }

    @Test("SWIFT/BIC: 8 or 11 characters, the bank's country in letters 5-6")
    func bic() {
        #expect(SwiftBIC.problem("HCBKGB2L", country: "GB") == nil)
        #expect(SwiftBIC.problem("HCBKGB2LXXX", country: "GB") == nil)
        #expect(SwiftBIC.problem("HCBKGB2", country: "GB") != nil)
        #expect(SwiftBIC.problem("HCBKGB2LXX", country: "GB") != nil)
        #expect(SwiftBIC.problem("HC1KGB2L", country: "GB") != nil)
        #expect(SwiftBIC.problem("HCBKDE2L", country: "GB")?.contains("expected GB") == true)
        #expect(SwiftBIC.problem("", country: "GB") != nil)
    }

    @Test("the demo's countries each have a rule: IBAN in GB, DE, AE, BR, FR; a national bank code in US, SG, IN, ZA")
    func demoCountries() throws {
        for code in ["GB", "DE", "AE", "BR", "FR"] { #expect(try #require(BankCountry.named(code)).usesIBAN, "\(code)") }
        for code in ["US", "SG", "IN", "ZA"] {
            let country = try #require(BankCountry.named(code))
            #expect(!country.usesIBAN && country.routingLabel != nil, "\(code)")
        }
    }

    func form(_ country: String, account: String, routing: String = "", bic: String) -> BankDetailsForm {
        BankDetailsForm(holderName: "Bluefin Consulting", bankName: "Some Bank", country: country, accountNumber: account,
                        routingCode: routing, swiftBIC: bic)
    }

    func errors(_ f: BankDetailsForm) -> [String: String] {
        if case .failure(let e) = BankDetails.validate(f) { return e.byField }
        return [:]
    }

    @Test("US accounts need a routing number with a valid ABA checksum")
    func unitedStates() throws {
        let ok = try BankDetails.validate(form("US", account: "000123456789", routing: "021000021", bic: "CHASUS33")).get()
        #expect(ok.routingCode == "021000021" && ok.accountNumber == "000123456789")
        #expect(errors(form("US", account: "000123456789", routing: "", bic: "CHASUS33"))["routing_code"] != nil)
        #expect(errors(form("US", account: "000123456789", routing: "021000022", bic: "CHASUS33"))["routing_code"] != nil)
        #expect(errors(form("US", account: "12", routing: "021000021", bic: "CHASUS33"))["account_number"] != nil)
        // An IBAN typed into a US form is not an account number.
        #expect(errors(form("US", account: "GB82WEST12345698765432", routing: "021000021", bic: "CHASUS33"))["account_number"] != nil)
    }

    @Test("India needs an IFSC, Singapore a bank and branch code, South Africa a branch code")
    func otherLocalCountries() {
        #expect(errors(form("IN", account: "50100123456789", routing: "hdfc0001234", bic: "HDFCINBB")).isEmpty)
        #expect(errors(form("IN", account: "50100123456789", routing: "HDFC1001234", bic: "HDFCINBB"))["routing_code"] != nil)
        #expect(errors(form("SG", account: "1234567890", routing: "7171001", bic: "DBSSSGSG")).isEmpty)
        #expect(errors(form("SG", account: "1234567890", routing: "71710", bic: "DBSSSGSG"))["routing_code"] != nil)
        #expect(errors(form("ZA", account: "62123456789", routing: "250655", bic: "FIRNZAJJ")).isEmpty)
        #expect(errors(form("ZA", account: "62123456789", routing: "", bic: "FIRNZAJJ"))["routing_code"] != nil)
    }

    @Test("every missing field is reported at once, by field; an unsupported country is refused")
    func requiredFields() {
        let e = errors(BankDetailsForm(holderName: " ", bankName: "", country: "GB", accountNumber: "", swiftBIC: ""))
        #expect(Set(e.keys) == ["holder_name", "bank_name", "account_number", "swift_bic"])
        #expect(errors(form("", account: "1", bic: "X"))["country"] != nil)
        #expect(errors(form("KP", account: "1", bic: "X"))["country"]?.contains("not supported") == true)
    }

    @Test("tax profiles: the country's form, a tax id, an expiry after today and within four years")
    func taxProfiles() throws {
        let today = DayDate(year: 2026, month: 11, day: 25)
        let ok = try TaxProfileDetails.validate(TaxProfileForm(form: "W-9", taxID: "12-3456789", expiresOn: "2027-11-25"),
                                                country: "US", today: today).get()
        #expect(ok.form == .w9 && ok.expiresOn == DayDate(year: 2027, month: 11, day: 25))
        func errs(_ f: TaxProfileForm, _ country: String) -> Set<String> {
            if case .failure(let e) = TaxProfileDetails.validate(f, country: country, today: today) { return Set(e.byField.keys) }
            return []
        }
        #expect(errs(TaxProfileForm(form: "W-9", taxID: "X1", expiresOn: "2027-01-01"), "DE") == ["form"])
        #expect(errs(TaxProfileForm(form: "W-8BEN-E", taxID: "", expiresOn: "2026-11-25"), "DE") == ["tax_id", "expires_on"])
        #expect(errs(TaxProfileForm(form: "W-8BEN-E", taxID: "DE123", expiresOn: "2035-01-01"), "DE") == ["expires_on"])
        #expect(errs(TaxProfileForm(form: "W-8BEN-E", taxID: "DE123", expiresOn: "next year"), "DE") == ["expires_on"])
    }
}

@Suite("Enrollment state machine and bank profile decisions")
struct EnrollmentRulesTests {
    @Test("the partner's path: invited → enrolling → validating; the vendor's: → enrolled or action required")
    func happyPath() throws {
        #expect(try EnrollmentStatus.invited.applying(.accept, by: .incentivesAdmin).get() == .enrolling)
        #expect(try EnrollmentStatus.enrolling.applying(.submit, by: .incentivesAdmin).get() == .validating)
        #expect(try EnrollmentStatus.validating.applying(.approve, by: .programManager).get() == .enrolled)
        #expect(try EnrollmentStatus.validating.applying(.requestAction, by: .programManager).get() == .actionRequired)
        #expect(try EnrollmentStatus.actionRequired.applying(.submit, by: .incentivesAdmin).get() == .validating)
        #expect(try EnrollmentStatus.enrolled.applying(.deactivate, by: .programManager).get() == .inactive)
        #expect(try EnrollmentStatus.inactive.applying(.reactivate, by: .programManager).get() == .enrolled)
    }

    @Test("submitting needs a bank and a tax profile")
    func submitNeedsPayee() {
        guard case .failure(let refusal) = EnrollmentStatus.enrolling.applying(.submit, by: .incentivesAdmin, payeeReady: false) else {
            Issue.record("submitted without payee details"); return
        }
        #expect(refusal.message.contains("bank profile"))
    }

    @Test("each actor only takes its own steps; discontinued is final", arguments: EnrollmentStatus.allCases)
    func actorsAndFinality(status: EnrollmentStatus) {
        for action in EnrollmentAction.allCases {
            if case .success = status.applying(action, by: .incentivesAdmin) { #expect([.accept, .submit].contains(action)) }
            if case .success = status.applying(action, by: .programManager) { #expect(![.accept, .submit].contains(action)) }
        }
        if status == .discontinued {
            #expect(status.actions(for: .incentivesAdmin).isEmpty && status.actions(for: .programManager).isEmpty)
        } else {
            #expect(status.actions(for: .programManager).contains(.discontinue))
        }
        #expect(status.actions(for: .incentivesAdmin) == (status == .invited ? [.accept] : [.enrolling, .actionRequired].contains(status) ? [.submit] : []))
    }

    @Test("a bank profile decision: approve, or action required with a reason; a replaced profile is not decided")
    func bankDecisions() throws {
        #expect(try BankProfileStatus.pendingValidation.deciding(.approved, reason: nil, replaced: false).get().0 == .approved)
        let asked = try BankProfileStatus.pendingValidation.deciding(.actionRequired, reason: "  Wrong holder name ", replaced: false).get()
        #expect(asked.0 == .actionRequired && asked.1 == "Wrong holder name")
        #expect(throws: EnrollmentRefusal.self) { try BankProfileStatus.pendingValidation.deciding(.actionRequired, reason: " ", replaced: false).get() }
        #expect(throws: EnrollmentRefusal.self) { try BankProfileStatus.pendingValidation.deciding(.approved, reason: nil, replaced: true).get() }
        #expect(throws: EnrollmentRefusal.self) { try BankProfileStatus.approved.deciding(.approved, reason: nil, replaced: false).get() }
        #expect(throws: EnrollmentRefusal.self) { try BankProfileStatus.approved.deciding(.pendingValidation, reason: nil, replaced: false).get() }
    }
}
