/// Percent-encoding of a URL's query values and file names (RFC 3986): every byte of the UTF-8 but the unreserved
/// ASCII characters (letters, digits, `-`, `.`, `_`, `~`) as `%XX`. Byte for byte: every link of every list row goes
/// through it, where Foundation built a character set and bridged each string.
public enum PercentEncoding {
    public static func unreserved(_ text: String) -> String {
        let utf8 = text.utf8
        // Most values (ids, sort names, cursors) need nothing encoded.
        if utf8.allSatisfy(isUnreserved) { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }
}
