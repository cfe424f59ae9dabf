import Foundation
import Testing
import IncentivesDomain

/// The limits of the API's contract (Sources/IncentivesAPI/openapi.yaml) as domain rules (issue 15): every surface
/// checks input through them, so the page, the API and the store refuse alike.
@Suite("Input rules: the contract's limits, characters a name may hold, contacts, hours, dates, arbitration")
struct InputRulesTests {
    /// Every `maxLength` of a request body (and of the upload's `file_name`) in openapi.yaml, with the rule that holds it.
    static let contract: [(String, TextRule, Int)] = [
        ("NewClaim.name", .claimName, 200), ("NewClaim.customer.name", .customerName, 200),
        ("NewClaim.customer.domain", .customerDomain, 253), ("NewClaim.customer.tenant_id", .directoryID, 36),
        ("NewClaim.customer.subscription_id", .directoryID, 36), ("NewClaim.contacts[].name", .contactName, 200),
        ("NewClaim.contacts[].title", .contactTitle, 200), ("NewClaim.contacts[].email", .contactEmail, 254),
        ("NewClaim.mismatch_reason", .mismatchReason, 2_000), ("addClaimComment.body", .comment, 4_000),
        ("OptionalNote.note", .note, 4_000), ("ReviewDecision.note", .note, 4_000),
        ("uploadClaimDocument.file_name", .fileName, 255),
        ("PartnerName.name", PartnerRules.organizationName, 120), ("PartnerLocationInput.name", PartnerRules.locationName, 120),
        ("Deactivation.reason", PartnerRules.deactivationReason, 500), ("FirstAdmin.name", .personName, 120),
        ("FirstAdmin.email", .accountEmail, 254),
    ]

    static func refusal(_ rule: TextRule, _ text: String) -> InputRefusal? {
        do { _ = try rule.check(text, field: "f"); return nil } catch { return error }
    }

    @Test("each length the contract states: accepted at the limit, refused one code point past it as outside the limits")
    func lengths() {
        for (name, rule, max) in Self.contract {
            #expect(rule.maxLength == max, "\(name)")
            let full = String(repeating: "é", count: max)
            #expect(Self.refusal(rule, full) == nil, "\(name)")
            let over = Self.refusal(rule, full + "x")
            #expect(over?.kind == .outsideLimits, "\(name)")
            #expect(over?.message.contains("keep it to \(max)") == true, "\(name): \(over?.message ?? "")")
            // Code points, as the contract counts: a combining accent is one more, though the eye sees one letter.
            #expect(Self.refusal(rule, String(repeating: "é", count: max - 1) + "e\u{301}")?.kind == .outsideLimits, "\(name)")
        }
        #expect(TextRule.note.maxLength == ClaimNote.maxLength)
    }

    @Test("text outside claims: each kind of field by its rule, counted in code points, one line without hidden characters")
    func otherFields() {
        for (name, rule, max) in [("person name", TextRule.personName, 120), ("account email", .accountEmail, 254), ("token name", .tokenName, 100),
                                  ("account holder", .accountHolder, 140), ("bank name", .bankName, 140), ("bank update reason", .bankUpdateReason, 500),
                                  ("webhook address", .webhookURL, 2_000), ("webhook description", .webhookDescription, 200)] {
            #expect(rule.maxLength == max && !rule.multiline, "\(name)")
            #expect(rule.problem(with: String(repeating: "é", count: max)) == nil, "\(name)")
            #expect(rule.problem(with: String(repeating: "e\u{301}", count: max / 2 + 1)) != nil, "\(name): letters with accents counted as code points")
            #expect(rule.problem(with: "a\u{202E}b") != nil && rule.problem(with: "a\nb") != nil, "\(name)")
        }
        #expect(Credentials.normalizedEmail("Dana@Bluefin.example") == "dana@bluefin.example")
        for hidden in ["dana\u{202E}@bluefin.example", "dana@bluefin.example\u{200F}", "dana\u{7}@bluefin.example", String(repeating: "d", count: 250) + "@b.example"] {
            #expect(Credentials.normalizedEmail(hidden) == nil, "\(hidden)")
        }
        let bank = BankDetailsForm(holderName: String(repeating: "e\u{301}", count: 71), bankName: "Thames\u{2066}Bank", country: "GB",
                                   accountNumber: "GB82WEST12345698765432", swiftBIC: "THBKGB2L")
        guard case .failure(let errors) = BankDetails.validate(bank) else { Issue.record("accepted"); return }
        #expect(Set(errors.byField.keys) == ["holder_name", "bank_name"])
        #expect(BankProfileStatus.pendingValidation.deciding(.actionRequired, reason: "Fix the \u{202E}IBAN", replaced: false).isFailure)
        #expect(BankProfileStatus.pendingValidation.deciding(.actionRequired, reason: String(repeating: "r", count: 501), replaced: false).isFailure)
        #expect(WebhookEndpointRules.problem(withDescription: "CRM \u{202E}sync") != nil)
        #expect(WebhookEndpointRules.problem(withURL: "https://crm\u{202E}.example.com/", policy: .publicOnly) != nil)
        for port in ["99999999999999999999", "0", "65536", "-1", "44３"] {
            #expect(WebhookEndpointRules.problem(withURL: "https://crm.example.com:\(port)/hooks", policy: .publicOnly) != nil, "port \(port)")
        }
        #expect(WebhookEndpointRules.problem(withURL: "https://crm.example.com:8443/hooks", policy: .publicOnly) == nil)
        #expect(WebhookEndpointRules.problem(withURL: "https://[2606:4700::1111]:8443/hooks", policy: .publicOnly) == nil)
    }

    @Test("minLength 1: empty breaks the contract, blank is only missing; optional text may be empty")
    func required() throws {
        #expect(Self.refusal(.claimName, "")?.kind == .outsideLimits)
        #expect(Self.refusal(.claimName, "   ")?.kind == .invalid)
        #expect(Self.refusal(.claimName, " ")?.message == "Give the claim a name you will recognise it by.")
        #expect(Self.refusal(.comment, "")?.message == "Write the comment first.")
        #expect(Self.refusal(.contactTitle, "") == nil)
        // No minLength on an email in the contract: an empty one is no address, refused by the rule of addresses.
        do { _ = try ContactInput.checked([ContactInput(name: "Ada", title: "", email: "")]) } catch {
            #expect(error.kind == .invalid && error.message == "Contact 1: '' is not an email address.")
        }
        #expect(try TextRule.contactName.check("  Ada Lovelace \n", field: "f") == "Ada Lovelace")
    }

    @Test("names and titles hold no control characters nor direction controls; notes keep their lines but no overrides")
    func characters() {
        for bad in ["\u{0}", "\u{7}", "\u{1B}", "\u{7F}", "\u{85}", "\t", "a\nb", "\u{202E}", "\u{202A}", "\u{2066}", "\u{2069}",
                    "\u{200F}", "\u{200E}", "\u{61C}", "\u{2028}"] {
            let refused = Self.refusal(.contactName, "Ada\(bad)Lovelace")
            #expect(refused?.kind == .invalid, "\(bad.unicodeScalars.map(\.value))")
        }
        #expect(Self.refusal(.contactTitle, "CIO\u{202E}")?.message.contains("direction control (U+202E)") == true)
        #expect(Self.refusal(.contactTitle, "CIO\u{7}")?.message.contains("control character (U+0007)") == true)
        #expect(Self.refusal(.note, "line one\nline two\r\n\tindented") == nil)
        #expect(Self.refusal(.note, "Hebrew \u{200F}mark") == nil, "a mark is harmless in free text")
        for bad in ["\u{0}", "\u{1B}[31m", "\u{202E}", "\u{2067}"] { #expect(Self.refusal(.comment, "look \(bad)here")?.kind == .invalid) }
        // What a person may legitimately write stays as written: other scripts, HTML, formulas.
        for fine in ["Zoë Ørsted-Śliwa", "علي بن أحمد", "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "株式会社"] {
            #expect(Self.refusal(.contactName, fine) == nil, "\(fine)")
        }
        #expect(throws: ClaimRefusal.self) { try ClaimNote.words("fine \u{202E}enif") }
    }

    @Test("contacts: at most 3 (maxItems), each checked and tidied, refusals naming the contact")
    func contacts() throws {
        let ada = ContactInput(name: " Ada ", title: "CTO", email: "Ada@Contoso.COM ")
        #expect(try ContactInput.checked([ada]) == [Contact(name: "Ada", title: "CTO", email: "ada@contoso.com")])
        let four = Array(repeating: ada, count: 4)
        do { _ = try ContactInput.checked(four); Issue.record("four contacts accepted") } catch {
            #expect(error.kind == .outsideLimits && error.field == "contacts" && error.message.contains("at most 3 contacts"))
        }
        do { _ = try ContactInput.checked([ada, ContactInput(name: "Bo", title: "", email: "not-an-address")]) } catch {
            #expect(error.field == "contacts[1].email" && error.message == "Contact 2: 'not-an-address' is not an email address.")
        }
        do { _ = try ContactInput.checked([ContactInput(name: "Bo", title: String(repeating: "t", count: 201), email: "bo@x.com")]) } catch {
            #expect(error.field == "contacts[0].title" && error.kind == .outsideLimits && error.message.hasPrefix("Contact 1's title"))
        }
        #expect(ContactInput.maxCount == 3)
    }

    @Test("a new claim's input: contacts counted before anything else, every field by its rule")
    func newClaim() throws {
        let ok = try NewClaimInput(name: " Workshop ", customerName: "Contoso", contacts: [ContactInput(name: "Ada", title: "", email: "ada@contoso.com")],
                                   mismatchReason: "").checked()
        #expect(ok.name == "Workshop" && ok.contacts.count == 1 && ok.mismatchReason.isEmpty)
        let flood = NewClaimInput(name: String(repeating: "n", count: 500), contacts: Array(repeating: ContactInput(name: "", title: "", email: ""), count: 3_000))
        do { _ = try flood.checked() } catch { #expect(error.field == "contacts") }
        do { _ = try NewClaimInput(name: "W", contacts: [], mismatchReason: String(repeating: "r", count: 2_001)).checked() } catch {
            #expect(error.field == "mismatch_reason" && error.kind == .outsideLimits)
        }
    }

    @Test("hours: ASCII digits and one point, positive, at most the ceiling even without an engagement maximum")
    func hours() throws {
        let unbounded = Fixture.engagement(kind: .partnerActivities, versions: [Fixture.version(payModel: .variable,
            rates: MarketRates(currency: .usd, a: 150, b: 100, c: 50), maxHours: nil)])
        let context = Fixture.context(kind: .partnerActivities, engagement: unbounded, market: .b)
        let claim = Fixture.claim(kind: .partnerActivities, status: .consentReceived, amount: nil)
        #expect(try ClaimLifecycle.enterHours("10000", on: claim, context: context).hours == 10_000)
        #expect(try ClaimLifecycle.enterHours(" 7.25 ", on: claim, context: context).hours == dec("7.25"))
        for bad in ["10000.5", "99999999999999999999999999", "12.5.1", "１２", "٣", "-1", "+3", ".", "NaN", "1_000", "12\u{0}"] {
            #expect(throws: ClaimRefusal.self, "\(bad)") { try ClaimLifecycle.enterHours(bad, on: claim, context: context) }
        }
    }

    @Test("survey dates: real, not in the future, not before 2000; answers by the text rule")
    func surveyDates() {
        let today = DayDate(year: 2026, month: 12, day: 1)
        func errors(_ day: String, _ products: String = "Power Apps") -> [String: String] {
            Survey.partner.validate(["delivered": "A workshop", "delivered_on": day, "products": products], today: today).errors
        }
        #expect(errors("2026-11-20").isEmpty)
        #expect(errors("2000-01-01").isEmpty)
        for bad in ["1999-12-31", "0001-01-01", "0000-00-00", "2026-12-02", "9999-12-31", "2026-02-30", "+2026-11-20"] {
            #expect(errors(bad)["delivered_on"] != nil, "\(bad)")
        }
        #expect(errors("2026-11-20", "Power\u{202E}Apps")["products"] != nil)
        #expect(errors("2026-11-20", String(repeating: "p", count: 2_001))["products"] != nil)
    }

    @Test("lose arbitration: never offered on a claim, refused without an arbitration, allowed in one; who can still lose one")
    func arbitration() {
        let claim = Fixture.claim(kind: .useOrConsume, status: .submitted, firstSubmittedAt: Fixture.created)
        var context = Fixture.context(kind: .useOrConsume)
        let reviewer = actor(.reviewer)
        for role in ActorRole.allCases {
            #expect(!ClaimLifecycle.availableActions(for: claim, role: role, context: context, at: Fixture.created).contains(.loseArbitration))
        }
        let refused = tryPerform(ClaimCommand(.loseArbitration, by: reviewer, reason: ClaimLifecycle.arbitrationLostNote), on: claim,
                                 context: context, at: Fixture.created)
        #expect(refused.failure != nil)
        context.inArbitration = true
        let lost = tryPerform(ClaimCommand(.loseArbitration, by: reviewer, reason: ClaimLifecycle.arbitrationLostNote), on: claim,
                              context: context, at: Fixture.created)
        #expect(lost.success?.claim.status == .rejectedFinal)
        #expect(lost.success?.entry.note == "Another partner was chosen for this subscription.")
        #expect(!ClaimAction.loseArbitration.isDirect && !ClaimAction.expire.isDirect && ClaimAction.approve.isDirect)

        let arbitrable: Set<ClaimStatus> = [.customerClaimed, .submitted, .underReview, .partnerActionRequired, .rejected, .disputed]
        for status in ClaimStatus.allCases {
            #expect(ClaimLifecycle.isArbitrable(Fixture.claim(kind: .useOrConsume, status: status)) == arbitrable.contains(status), "\(status)")
            #expect(!ClaimLifecycle.isArbitrable(Fixture.claim(kind: .partnerActivities, status: status)), "\(status)")
        }
    }
}

private extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
}
