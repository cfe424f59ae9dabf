import Foundation
import IncentivesDomain
import Testing

/// `appendPlainAmount`: an amount's plain text from integer minor units, the text exports write a million times.
@Suite("Plain amount text from minor units")
struct PlainAmountTests {
    static func text(_ units: Int64, _ digits: Int) -> String {
        var out: [UInt8] = Array("x,".utf8)
        appendPlainAmount(minorUnits: units, minorDigits: digits, to: &out)
        // Appended after what the buffer already held, which stays as it was.
        #expect(out.starts(with: Array("x,".utf8)))
        return String(decoding: out.dropFirst(2), as: UTF8.self)
    }

    @Test("zero, negative, and 0, 2 and 3 minor digits", arguments: [
        (Int64(0), 2, "0.00"), (0, 0, "0"), (0, 3, "0.000"), (5, 2, "0.05"), (-5, 2, "-0.05"), (-1, 3, "-0.001"),
        (1_250, 2, "12.50"), (-1_250, 2, "-12.50"), (500_000, 2, "5000.00"), (100, 2, "1.00"), (99, 2, "0.99"),
        (-100, 2, "-1.00"), (5_000, 0, "5000"), (-7, 0, "-7"), (1_500, 3, "1.500"), (-12_345, 3, "-12.345"), (1_000, 3, "1.000"),
        (Int64.max, 2, "92233720368547758.07"), (Int64.min, 2, "-92233720368547758.08"), (Int64.min, 0, "-9223372036854775808"),
    ])
    func literals(units: Int64, digits: Int, expected: String) {
        #expect(Self.text(units, digits) == expected)
    }

    /// The text by another road: integer division and a zero-padded remainder as strings (how `Money.plainText` made it
    /// before it wrote through `appendPlainAmount`, which it now does; comparing with it would compare a function with
    /// itself).
    static func reference(_ units: Int64, _ digits: Int) -> String {
        guard digits > 0 else { return String(units) }
        var divisor: UInt64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let fraction = String(units.magnitude % divisor)
        return "\(units < 0 ? "-" : "")\(units.magnitude / divisor).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
    }

    @Test("the same text as integer division writes it, and as Money from a Decimal, for 0, 2 and 3 minor digits")
    func likeMoney() {
        var random = SplitMix64(seed: 31)
        for code in ["JPY", "USD", "EUR", "KWD"] {
            let currency = Currency(code)
            var samples: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 101, 999, 1_000, -1_001, 123_456_789, -987_654_321_012]
            for _ in 0..<2_000 { samples.append(Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &random)) }
            for _ in 0..<500 { samples.append(Int64.random(in: -2_000...2_000, using: &random)) }
            for units in samples {
                let text = Self.text(units, currency.minorUnitDigits)
                #expect(text == Self.reference(units, currency.minorUnitDigits), "\(units) \(code)")
                var scale = Decimal(1)
                for _ in 0..<currency.minorUnitDigits { scale *= 10 }
                #expect(text == Money(Decimal(units) / scale, currency).plainText, "\(units) \(code)")
            }
        }
    }
}
