import Foundation
import Testing
import IncentivesDomain

@Suite("Money")
struct MoneyTests {
    static let jpy = Currency("JPY")
    static let kwd = Currency("KWD")

    @Test("Minor units round half away from zero", arguments: [
        ("1.005", "USD", Int64(101)), ("1.004", "USD", 100), ("1.0049999", "USD", 100), ("-1.005", "USD", -101),
        ("-1.004", "USD", -100), ("2.675", "USD", 268), ("-2.675", "USD", -268), ("-0.005", "USD", -1), ("0.005", "USD", 1),
        ("0.0049", "USD", 0), ("5000", "USD", 500_000), ("1234567.89", "USD", 123_456_789),
        ("98765432.105", "USD", 9_876_543_211), ("12.5", "JPY", 13), ("-12.5", "JPY", -13), ("12.49", "JPY", 12),
        ("1.0005", "KWD", 1001), ("-1.0005", "KWD", -1001), ("0", "USD", 0),
    ])
    func minorUnits(amount: String, currency: String, expected: Int64) {
        #expect(Money(dec(amount), Currency(currency)).minorUnits == expected)
    }

    @Test("Rounded money and money from minor units")
    func roundedAndFromMinorUnits() {
        #expect(Money(dec("10.125"), .usd).rounded == usd("10.13"))
        #expect(Money(dec("-10.125"), .usd).rounded == usd("-10.13"))
        #expect(Money(minorUnits: 1250, currency: .usd) == usd("12.50"))
        #expect(Money(minorUnits: -5, currency: .usd) == usd("-0.05"))
        #expect(Money(minorUnits: 5000, currency: Self.jpy) == Money(5000, Self.jpy))
        #expect(Money(minorUnits: 1500, currency: Self.kwd) == Money(dec("1.5"), Self.kwd))
        #expect(Money(minorUnits: 123_456_789, currency: .usd).minorUnits == 123_456_789)
    }

    /// Money from minor units is made without a division and remembers its minor units; it must stay the same value
    /// as money divided out of them in every way anyone can see: equality, hashing, text, coding, arithmetic.
    @Test("Money from minor units is the divided amount, seen any way", arguments: ["USD", "JPY", "KWD"])
    func fromMinorUnitsIsTheDividedAmount(code: String) throws {
        let currency = Currency(code)
        var scale = Decimal(1)
        for _ in 0..<currency.minorUnitDigits { scale *= 10 }
        let samples: [Int64] = [0, 1, -1, 5, -5, 10, 99, 100, -100, 1250, 500_000, -123_456_789, 9_876_543_211,
                                Int64.max / 3, -(Int64.max / 3)] + (0..<200).map { _ in Int64.random(in: -10_000_000...10_000_000) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for units in samples {
            let made = Money(minorUnits: units, currency: currency)
            let divided = Money(Decimal(units) / scale, currency)
            #expect(made == divided && made.hashValue == divided.hashValue, "\(units) \(code)")
            #expect(made.description == divided.description && made.plainText == divided.plainText, "\(units) \(code)")
            #expect(made.amount.description == divided.amount.description, "\(units) \(code)")
            #expect(try encoder.encode(made) == encoder.encode(divided), "\(units) \(code)")
            #expect(made.minorUnits == units && divided.minorUnits == units)
            #expect(try JSONDecoder().decode(Money.self, from: encoder.encode(made)) == made)
            let other = Money(minorUnits: 12_345, currency: currency)
            #expect((made + other).minorUnits == units + 12_345 && (made - other).minorUnits == units - 12_345)
            #expect((made + other) == (divided + Money(Decimal(12_345) / scale, currency)))
        }
    }

    @Test("Changing money's amount or currency forgets the minor units it was made from")
    func changedMoneyIsReadAgain() {
        var money = Money(minorUnits: 1250, currency: .usd)
        money.amount = dec("7.255")
        #expect(money.minorUnits == 726 && money.plainText == "7.26")
        var yen = Money(minorUnits: 1250, currency: .usd)
        yen.currency = Self.jpy
        #expect(yen.minorUnits == 13 && yen.plainText == "13")
        let huge = Money(minorUnits: Int64.max, currency: .usd) + Money(minorUnits: 1, currency: .usd)
        #expect(huge.amount == Decimal(Int64.max) / 100 + dec("0.01"), "an overflowing sum falls back to the Decimal")
    }

    @Test("Plain text has exactly the currency's minor digits", arguments: [
        ("5000", "USD", "5000.00"), ("-12.5", "USD", "-12.50"), ("5000", "JPY", "5000"), ("0.07", "USD", "0.07"),
        ("-0.05", "USD", "-0.05"), ("0", "USD", "0.00"), ("1.005", "USD", "1.01"), ("1.5", "KWD", "1.500"),
        ("-1234.5", "JPY", "-1235"), ("1234567.891", "EUR", "1234567.89"), ("0.10", "usd", "0.10"),
    ])
    func plainText(amount: String, currency: String, expected: String) {
        #expect(Money(dec(amount), Currency(currency)).plainText == expected)
    }

    @Test("Description groups thousands", arguments: [
        ("5000", "USD", "USD 5,000.00"), ("1234567.89", "USD", "USD 1,234,567.89"), ("-1234.5", "USD", "USD -1,234.50"),
        ("5000", "JPY", "JPY 5,000"), ("0", "USD", "USD 0.00"), ("999.99", "USD", "USD 999.99"), ("100", "USD", "USD 100.00"),
        ("1000", "USD", "USD 1,000.00"), ("100000", "USD", "USD 100,000.00"), ("12", "eur", "EUR 12.00"),
        ("-999", "USD", "USD -999.00"), ("-1000000", "JPY", "JPY -1,000,000"), ("123456789012.34", "USD", "USD 123,456,789,012.34"),
        ("1234567", "JPY", "JPY 1,234,567"), ("-0.5", "USD", "USD -0.50"),
    ])
    func description(amount: String, currency: String, expected: String) {
        #expect(Money(dec(amount), Currency(currency)).description == expected)
    }

    @Test("Money is exact decimal arithmetic: no binary floating point anywhere")
    func noDouble() {
        // 0.1 + 0.2 is not 0.3 in binary floating point.
        #expect(usd("0.1") + usd("0.2") == usd("0.3"))
        #expect((usd("0.1") * 3).minorUnits == 30)
        #expect(usd("5000") - usd("1234.56") == usd("3765.44"))
        #expect(Money.min(usd("3"), usd("2.99")) == usd("2.99"))
        #expect(Money.zero(.usd).minorUnits == 0)

        // No stored property of a money-bearing type is a Double or Float.
        let earning = Earning(claimID: 1, locationID: 2, engagementID: 3, engagementVersion: 1, market: .a, rate: usd("5000"),
                              hours: dec("7.5"), amount: usd("5000"), approvedAt: at("2026-03-01T00:00:00Z"),
                              estimatedPaymentMonth: "2026-04", paymentStatus: .unprocessed)
        let values: [Any] = [usd("1"), Fixture.workshopRates, earning, Fixture.version(), Fixture.claim(kind: .useOrConsume, status: .approved)]
        for value in values {
            for child in Mirror(reflecting: value).children {
                let type = "\(Swift.type(of: child.value))"
                #expect(!type.contains("Double") && !type.contains("Float"), "\(Swift.type(of: value)).\(child.label ?? "?") is \(type)")
            }
        }
        #expect(Swift.type(of: usd("1").amount) == Decimal.self)
    }

    @Test("Currencies are upper-case codes with their minor digits")
    func currencies() {
        #expect(Currency("usd") == .usd)
        #expect(Currency("usd").code == "USD")
        #expect(Currency.usd.minorUnitDigits == 2)
        #expect(Self.jpy.minorUnitDigits == 0)
        #expect(Self.kwd.minorUnitDigits == 3)
    }
}

@Suite("Markets")
struct MarketTests {
    @Test("Countries map to markets A, B and C", arguments: [
        ("US", Market.a), ("GB", .a), ("JP", .a), ("DE", .a), ("FR", .a), ("AU", .a), ("CA", .a),
        ("SG", .b), ("HK", .b), ("IL", .b), ("AE", .b), ("CL", .b),
        ("IN", .c), ("BR", .c), ("ZA", .c),
        ("us", .a), ("gb", .a), ("jp", .a), ("sg", .b), ("hk", .b), ("il", .b), ("ae", .b), ("cl", .b), ("in", .c), ("br", .c),
        ("za", .c), ("Jp", .a),
    ])
    func market(country: String, expected: Market) {
        #expect(Market(country: country) == expected)
        #expect(Location(id: 1, organizationID: 1, name: "Office", country: country).market == expected)
    }

    @Test("Market labels")
    func labels() {
        #expect(Market.a.label == "Market A")
        #expect(Market.c.label == "Market C")
        #expect(Market.a < Market.b && Market.b < Market.c)
    }
}

@Suite("Pricing")
struct PricingTests {
    static let variable = Fixture.version(payModel: .variable, rates: MarketRates(currency: .usd, a: dec("123.45"), b: dec("33.333"), c: nil),
                                          maxHours: 40)

    @Test("A fixed engagement pays its market's rate", arguments: [(Market.a, "5000"), (.b, "3000"), (.c, "1000")])
    func fixed(market: Market, expected: String) {
        #expect(Pricing.expectedAmount(version: Fixture.version(), market: market, hours: nil) == usd(expected))
    }

    @Test("A variable engagement pays hours x hourly rate, rounded to cents")
    func variablePay() {
        #expect(Pricing.expectedAmount(version: Self.variable, market: .a, hours: dec("7.5")) == usd("925.88"))
        #expect(Pricing.expectedAmount(version: Self.variable, market: .a, hours: 40) == usd("4938"))
        #expect(Pricing.expectedAmount(version: Self.variable, market: .b, hours: 3) == usd("100.00"))
        #expect(Pricing.expectedAmount(version: Self.variable, market: .b, hours: dec("0.5")) == usd("16.67"))
        // No hours yet, or no rate in the market: nothing expected.
        #expect(Pricing.expectedAmount(version: Self.variable, market: .a, hours: nil) == nil)
        #expect(Pricing.expectedAmount(version: Self.variable, market: .c, hours: 10) == nil)
        let noC = Fixture.version(rates: MarketRates(currency: .usd, a: 5000, b: 3000, c: nil))
        #expect(Pricing.expectedAmount(version: noC, market: .c, hours: nil) == nil)
    }

    @Test("Hours are entered once, positive, at most the maximum, and only for variable pay")
    func validateHours() {
        #expect(Pricing.validateHours(dec("7.5"), existing: nil, version: Self.variable) == nil)
        #expect(Pricing.validateHours(40, existing: nil, version: Self.variable) == nil)
        #expect(Pricing.validateHours(dec("0.25"), existing: nil, version: Self.variable) == nil)
        let refusals: [String?] = [
            Pricing.validateHours(8, existing: 7, version: Self.variable),
            Pricing.validateHours(7, existing: 7, version: Self.variable),
            Pricing.validateHours(0, existing: nil, version: Self.variable),
            Pricing.validateHours(-3, existing: nil, version: Self.variable),
            Pricing.validateHours(dec("40.01"), existing: nil, version: Self.variable),
            Pricing.validateHours(8, existing: nil, version: Fixture.version()),
        ]
        for (index, refusal) in refusals.enumerated() {
            let text = refusal ?? ""
            #expect(!text.isEmpty, "refusal \(index) missing")
            #expect(sentenceProblems(text).isEmpty, "refusal \(index): \(text)")
        }
        #expect(refusals[4]?.contains("40") == true)
        // Without a maximum any positive number of hours is accepted.
        var unbounded = Self.variable
        unbounded.maxHours = nil
        #expect(Pricing.validateHours(1000, existing: nil, version: unbounded) == nil)
    }

    @Test("Estimated payment month is approval + 45 days (UTC), across a year end", arguments: [
        ("2026-11-16T23:59:59Z", "2026-12"), ("2026-11-17T00:00:00Z", "2027-01"), ("2026-12-31T12:00:00Z", "2027-02"),
        ("2026-01-14T00:00:00Z", "2026-02"), ("2026-01-15T00:00:00Z", "2026-03"), ("2027-12-30T00:00:00Z", "2028-02"),
        ("2028-01-15T00:00:00Z", "2028-02"), ("2028-01-16T00:00:00Z", "2028-03"),
    ])
    func paymentMonth(approved: String, month: String) {
        #expect(Pricing.estimatedPaymentMonth(approvedAt: at(approved)) == month)
    }
}

@Suite("Location eligibility and earning")
struct EarningLocationsTests {
    static let now = at("2026-06-15T12:00:00Z")
    static let today = DayDate(year: 2026, month: 6, day: 15)

    static func location(_ id: Int64, enrollment: EnrollmentStatus? = .enrolled, criteria: [Bool] = [true, true],
                         bank: BankProfileStatus? = .approved, taxExpires: DayDate? = DayDate(year: 2027, month: 1, day: 1)) -> LocationEligibility {
        LocationEligibility(locationID: id, enrollment: enrollment,
                            criteria: criteria.enumerated().map { CriterionResult(criterion: "Criterion \($0.offset)", met: $0.element) },
                            payee: PayeeStanding(bankStatus: bank, taxExpiresOn: taxExpires))
    }

    @Test("Enrolled, eligible, approved bank and valid tax: earning")
    func earning() {
        let l = Self.location(1)
        #expect(l.isEnrolled && l.isEligible && l.isEarning(at: Self.now))
        let figure = EarningLocations([l], at: Self.now)
        #expect(figure.label == "1 of 1")
        #expect(figure.showsGreenIcon)
    }

    @Test("A bank profile that is not approved stops the earning", arguments: [BankProfileStatus.pendingValidation, .actionRequired, nil])
    func bankNotApproved(bank: BankProfileStatus?) {
        let figure = EarningLocations([Self.location(1, bank: bank)], at: Self.now)
        #expect(figure.label == "0 of 1")
        #expect(!figure.showsGreenIcon)
    }

    @Test("A tax profile that expired yesterday stops the earning; one expiring today still earns")
    func taxExpiry() {
        #expect(!Self.location(1, taxExpires: Self.today.adding(days: -1)).isEarning(at: Self.now))
        #expect(Self.location(1, taxExpires: Self.today).isEarning(at: Self.now))
        #expect(Self.location(1, taxExpires: Self.today).isEarning(at: at("2026-06-15T23:59:59Z")))
        #expect(!Self.location(1, taxExpires: Self.today).isEarning(at: at("2026-06-16T00:00:00Z")))
        #expect(!Self.location(1, taxExpires: nil).isEarning(at: Self.now))
        #expect(EarningLocations([Self.location(1, taxExpires: Self.today.adding(days: -1))], at: Self.now).label == "0 of 1")
    }

    @Test("Locations that are not enrolled don't count in M", arguments: [EnrollmentStatus.invited, .enrolling, .actionRequired,
                                                                          .validating, .inactive, .discontinued, nil])
    func notEnrolled(enrollment: EnrollmentStatus?) {
        let figure = EarningLocations([Self.location(1), Self.location(2, enrollment: enrollment)], at: Self.now)
        #expect(figure.label == "1 of 1")
        #expect(figure.enrolled == 1 && figure.earning == 1)
        #expect(!Self.location(2, enrollment: enrollment).isEarning(at: Self.now))
    }

    @Test("Criteria partly unmet, or no criteria at all: not eligible")
    func criteria() {
        #expect(!Self.location(1, criteria: [true, false]).isEligible)
        #expect(!Self.location(1, criteria: [false]).isEligible)
        #expect(!Self.location(1, criteria: []).isEligible)
        #expect(!Self.location(1, criteria: []).isEarning(at: Self.now))
        #expect(Self.location(1, criteria: [true]).isEligible)
        let figure = EarningLocations([Self.location(1, criteria: [true, false]), Self.location(2, criteria: [])], at: Self.now)
        #expect(figure.label == "0 of 2")
        #expect(!figure.showsGreenIcon)
    }

    @Test("A mixed organization: N earning of M enrolled")
    func mixed() {
        let figure = EarningLocations([
            Self.location(1),
            Self.location(2, bank: .pendingValidation),
            Self.location(3, enrollment: .invited),
            Self.location(4, criteria: [true, false]),
            Self.location(5, taxExpires: Self.today),
            Self.location(6, enrollment: .validating, bank: .pendingValidation),
        ], at: Self.now)
        #expect(figure.earning == 2)
        #expect(figure.enrolled == 4)
        #expect(figure.label == "2 of 4")
        #expect(figure.showsGreenIcon)
        #expect(EarningLocations([], at: Self.now).label == "0 of 0")
        #expect(!EarningLocations([], at: Self.now).showsGreenIcon)
    }

    @Test("Every payee problem is explained in words")
    func payeeProblems() {
        let yesterday = Self.today.adding(days: -1)
        let problems: [PayeeStanding] = [
            PayeeStanding(bankStatus: nil, taxExpiresOn: Self.today),
            PayeeStanding(bankStatus: .pendingValidation, taxExpiresOn: Self.today),
            PayeeStanding(bankStatus: .actionRequired, taxExpiresOn: Self.today),
            PayeeStanding(bankStatus: .approved, taxExpiresOn: nil),
            PayeeStanding(bankStatus: .approved, taxExpiresOn: yesterday),
        ]
        var messages: Set<String> = []
        for standing in problems {
            let message = standing.problem(at: Self.now)
            #expect(message != nil, "\(standing)")
            #expect(sentenceProblems(message ?? "").isEmpty, "\(message ?? "")")
            #expect(!standing.isComplete(at: Self.now))
            messages.insert(message ?? "")
        }
        #expect(messages.count == problems.count, "each problem has its own message")
        #expect(PayeeStanding(bankStatus: .approved, taxExpiresOn: yesterday).problem(at: Self.now)?.contains(yesterday.text) == true)
        #expect(PayeeStanding(bankStatus: .approved, taxExpiresOn: Self.today).problem(at: Self.now) == nil)
        #expect(PayeeStanding(bankStatus: .approved, taxExpiresOn: Self.today).isComplete(at: Self.now))
    }
}

@Suite("Customer eligibility")
struct CustomerEligibilityTests {
    static func standing(meets: Bool = true, active: Int = 0, consentedElsewhere: Bool = false, approvedHere: Bool = false,
                         approvedElsewhere: Bool = false) -> CustomerStanding {
        CustomerStanding(meetsCriteria: meets, activeClaims: active, consentedWithAnotherPartner: consentedElsewhere,
                         approvedWithThisPartner: approvedHere, approvedWithAnotherPartner: approvedElsewhere)
    }

    @Test("Each reason on its own")
    func eachReason() {
        #expect(Self.standing().eligibility(limit: 2) == .eligible)
        #expect(Self.standing(active: 1).eligibility(limit: 2) == .eligible)
        #expect(Self.standing(meets: false).eligibility(limit: 2) == .ineligible(.criteriaNotMet))
        #expect(Self.standing(active: 2).eligibility(limit: 2) == .ineligible(.activeClaimLimitReached))
        #expect(Self.standing(active: 5).eligibility(limit: 2) == .ineligible(.activeClaimLimitReached))
        #expect(Self.standing(active: 1).eligibility(limit: 1) == .ineligible(.activeClaimLimitReached))
        #expect(Self.standing(consentedElsewhere: true).eligibility(limit: 2) == .ineligible(.consentedToAnotherPartner))
        #expect(Self.standing(approvedElsewhere: true).eligibility(limit: 2) == .ineligible(.completedWithAnotherPartner))
        #expect(Self.standing(approvedHere: true).eligibility(limit: 2) == .complete)
    }

    @Test("Complete comes first, then the reasons in the order a partner checks them")
    func ordering() {
        #expect(Self.standing(meets: false, active: 9, consentedElsewhere: true, approvedHere: true, approvedElsewhere: true)
            .eligibility(limit: 1) == .complete)
        #expect(Self.standing(meets: false, active: 9, consentedElsewhere: true, approvedElsewhere: true)
            .eligibility(limit: 1) == .ineligible(.criteriaNotMet))
        #expect(Self.standing(active: 9, consentedElsewhere: true, approvedElsewhere: true)
            .eligibility(limit: 1) == .ineligible(.completedWithAnotherPartner))
        #expect(Self.standing(active: 9, consentedElsewhere: true).eligibility(limit: 1) == .ineligible(.consentedToAnotherPartner))
    }

    @Test("Labels and reasons read as words")
    func labels() {
        #expect(CustomerEligibility.eligible.label == "Eligible")
        #expect(CustomerEligibility.complete.label == "Complete")
        for reason in IneligibleReason.allCases {
            #expect(!reason.description.isEmpty)
            #expect(CustomerEligibility.ineligible(reason).label.hasPrefix("Ineligible: "))
            #expect(!reason.description.contains("_"), "\(reason.description)")
        }
        #expect(Set(IneligibleReason.allCases.map(\.description)).count == IneligibleReason.allCases.count)
    }
}

@Suite("Engagement versions")
struct EngagementVersionTests {
    static let engagement = Fixture.engagement(kind: .partnerActivities, versions: [
        Fixture.version(number: 3, effectiveFrom: at("2026-06-01T00:00:00Z"), rates: MarketRates(currency: .usd, a: 7000, b: 4000, c: 2000)),
        Fixture.version(number: 1, effectiveFrom: at("2026-01-01T00:00:00Z")),
        Fixture.version(number: 2, effectiveFrom: at("2026-03-01T00:00:00Z"), rates: MarketRates(currency: .usd, a: 6500, b: 4000, c: 1500)),
    ])

    @Test("The newest version already effective is in force; before the first, the first", arguments: [
        ("2025-12-31T23:59:59Z", 1), ("2026-01-01T00:00:00Z", 1), ("2026-02-28T23:59:59Z", 1), ("2026-03-01T00:00:00Z", 2),
        ("2026-05-31T23:59:59Z", 2), ("2026-06-01T00:00:00Z", 3), ("2030-01-01T00:00:00Z", 3), ("2020-01-01T00:00:00Z", 1),
    ])
    func inForce(instant: String, number: Int) {
        #expect(Self.engagement.version(inForceAt: at(instant)).number == number)
    }

    @Test("Versions are kept oldest first and found by number")
    func lookup() {
        #expect(Self.engagement.versions.map(\.number) == [1, 2, 3])
        #expect(Self.engagement.currentVersion.number == 3)
        #expect(Self.engagement.version(number: 2)?.rates.a == 6500)
        #expect(Self.engagement.version(number: 4) == nil)
    }

    @Test("Whether a customer may be claimed, and why not")
    func refusalToClaim() {
        let open = Fixture.engagement(kind: .partnerActivities, lastClaimDay: DayDate(year: 2026, month: 3, day: 31))
        #expect(open.refusalToClaim(at: at("2026-03-31T23:59:59Z")) == nil)
        #expect(open.refusalToClaim(at: at("2026-04-01T00:00:00Z")) != nil)
        for status in [EngagementStatus.upcoming, .closed] {
            let text = Fixture.engagement(kind: .partnerActivities, status: status).refusalToClaim(at: at("2026-03-01T00:00:00Z"))
            #expect(text != nil)
            #expect(sentenceProblems(text ?? "").isEmpty, "\(text ?? "")")
        }
    }
}
