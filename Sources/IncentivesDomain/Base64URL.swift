import Foundation

/// Base64url without padding (RFC 4648 §5): tokens in cookies, links and list cursors. Byte for byte, not through
/// Foundation's string replacing, which took 3% of the API's claims list for one cursor a page.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        var out = Array(data.base64EncodedData())
        out.removeAll { $0 == UInt8(ascii: "=") }
        for i in out.indices {
            if out[i] == UInt8(ascii: "+") { out[i] = UInt8(ascii: "-") } else if out[i] == UInt8(ascii: "/") { out[i] = UInt8(ascii: "_") }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of base64url text, padded or not; nil for anything else (standard base64's `+` and `/` too).
    public static func decode(_ text: some StringProtocol) -> Data? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 3)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: "/"))
            case UInt8(ascii: "+"), UInt8(ascii: "/"): return nil
            default: bytes.append(byte)
            }
        }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(bytes))
    }
}
