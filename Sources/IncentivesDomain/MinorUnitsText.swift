/// An amount's plain decimal text (`5000.00`, `-0.05`, `1200`, `12.345`) written from its integer minor units, with exactly
/// `minorDigits` digits after the point (none and no point when there are none): the text of `Money.plainText`, made by
/// integer arithmetic straight into bytes, without a `Decimal` or a `String` per amount. Exports write a million of them.
public func appendPlainAmount(minorUnits units: Int64, minorDigits: Int, to out: inout [UInt8]) {
    precondition((0...18).contains(minorDigits), "an ISO 4217 currency has at most a few minor digits")
    if units < 0 { out.append(UInt8(ascii: "-")) }
    // At least one digit before the point: 5 cents are 0.05.
    var magnitude = units.magnitude
    var count = 1
    var rest = magnitude / 10
    while rest > 0 { count += 1; rest /= 10 }
    count = max(count, minorDigits + 1)
    let point = minorDigits > 0 ? 1 : 0
    // Filled from the end, the least significant digit first, skipping over the point.
    let start = out.count
    out.append(contentsOf: repeatElement(UInt8(ascii: "."), count: count + point))
    var index = out.count - 1
    for written in 0..<count {
        if written == minorDigits && point == 1 { index -= 1 }
        out[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
        index -= 1
    }
    assert(index == start - 1)
}
