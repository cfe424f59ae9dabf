import Foundation

/// An ISO 4217 currency code, with the number of minor-unit digits it uses.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    public let code: String

    public init(_ code: String) { self.code = code.uppercased() }

    public static let usd = Currency("USD")
    public static let eur = Currency("EUR")

    /// Minor-unit digits (ISO 4217); the few zero-decimal currencies are listed, the rest use cents.
    public var minorUnitDigits: Int {
        switch code {
        case "JPY", "KRW", "CLP", "VND", "ISK", "HUF", "TWD": return 0
        case "KWD", "BHD", "OMR", "JOD", "TND": return 3
        default: return 2
        }
    }

    public var description: String { code }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(code)
    }
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }
}

/// An exact amount of money: a `Decimal` with its currency. Never a `Double`.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    public var amount: Decimal {
        get { value }
        set { value = newValue; knownMinorUnits = nil }
    }
    public var currency: Currency {
        didSet { knownMinorUnits = nil }
    }
    private var value: Decimal
    /// The amount in minor units when it was made from them (as rows hold it) or from sums of such amounts. Formatting
    /// then reads them, where otherwise it scales, rounds and converts the `Decimal` back (some 2 µs an amount; a
    /// list page formats hundreds). Not part of the value: equality, hashing and coding see the amount alone.
    private var knownMinorUnits: Int64?

    public init(_ amount: Decimal, _ currency: Currency) {
        self.value = amount
        self.currency = currency
    }

    /// Builds money from integer minor units (cents for USD), the form it is stored in. The `Decimal` is made with
    /// the currency's exponent, not by dividing (a `Decimal` division costs microseconds); it is the same number,
    /// equal, hashing and printing alike.
    public init(minorUnits: Int64, currency: Currency) {
        self.value = Decimal(sign: minorUnits < 0 ? .minus : .plus, exponent: -currency.minorUnitDigits,
                             significand: Decimal(minorUnits.magnitude))
        self.currency = currency
        self.knownMinorUnits = minorUnits
    }

    public static func == (lhs: Money, rhs: Money) -> Bool { lhs.value == rhs.value && lhs.currency == rhs.currency }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        hasher.combine(currency)
    }

    private enum CodingKeys: String, CodingKey { case amount, currency }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c.decode(Decimal.self, forKey: .amount), try c.decode(Currency.self, forKey: .currency))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(value, forKey: .amount)
        try c.encode(currency, forKey: .currency)
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Integer minor units, rounded half away from zero (the usual commercial rounding).
    public var minorUnits: Int64 {
        if let knownMinorUnits { return knownMinorUnits }
        var scaled = amount * Money.scale(currency)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// The amount rounded to the currency's minor unit.
    public var rounded: Money { Money(minorUnits: minorUnits, currency: currency) }

    private static func scale(_ currency: Currency) -> Decimal {
        var s = Decimal(1)
        for _ in 0..<currency.minorUnitDigits { s *= 10 }
        return s
    }

    /// Plain decimal text with exactly the currency's minor digits, e.g. `5000.00` (CSV, APIs).
    public var plainText: String { Self.plainText(minorUnits: minorUnits, currency: currency) }

    /// `plainText` of an amount in integer minor units, without Decimal arithmetic (lists write many of them).
    public static func plainText(minorUnits units: Int64, currency: Currency) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendPlainAmount(minorUnits: units, minorDigits: currency.minorUnitDigits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Human text with grouping, e.g. `USD 5,000.00`. Built in bytes: every row of every list with money shows one.
    public var description: String {
        var plain: [UInt8] = []
        plain.reserveCapacity(24)
        appendPlainAmount(minorUnits: minorUnits, minorDigits: currency.minorUnitDigits, to: &plain)
        var out = Array(currency.code.utf8)
        out.reserveCapacity(out.count + plain.count + 8)
        out.append(UInt8(ascii: " "))
        var digits = plain[...]
        if digits.first == UInt8(ascii: "-") {
            out.append(UInt8(ascii: "-"))
            digits = digits.dropFirst()
        }
        let integerCount = digits.firstIndex(of: UInt8(ascii: ".")).map { $0 - digits.startIndex } ?? digits.count
        for (i, digit) in digits.enumerated() {
            if i > 0, i < integerCount, (integerCount - i) % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "adding \(lhs.currency) to \(rhs.currency)")
        var sum = Money(lhs.amount + rhs.amount, lhs.currency)
        sum.knownMinorUnits = knownSum(lhs.knownMinorUnits, rhs.knownMinorUnits, negating: false)
        return sum
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "subtracting \(rhs.currency) from \(lhs.currency)")
        var difference = Money(lhs.amount - rhs.amount, lhs.currency)
        difference.knownMinorUnits = knownSum(lhs.knownMinorUnits, rhs.knownMinorUnits, negating: true)
        return difference
    }

    /// Minor units of a sum or difference when both sides' are known and it fits; nil otherwise (then they are read
    /// from the `Decimal`, which holds any size).
    private static func knownSum(_ a: Int64?, _ b: Int64?, negating: Bool) -> Int64? {
        guard let a, let b else { return nil }
        let (result, overflow) = negating ? a.subtractingReportingOverflow(b) : a.addingReportingOverflow(b)
        return overflow ? nil : result
    }

    public static func * (lhs: Money, rhs: Decimal) -> Money { Money(lhs.amount * rhs, lhs.currency) }

    public static func min(_ a: Money, _ b: Money) -> Money { a.amount <= b.amount ? a : b }
}
