import Foundation

/// Where a browser may be sent after signing in, from a `next` that came with the request.
public enum RedirectTarget {
    /// Longer targets fall back to the default page.
    public static let maximumLength = 2_000

    /// `raw` when it is a path on this site (`/claims?tab=all`), else nil (use the default page). Refused: another
    /// host or scheme in any spelling (`//h`, `/\h`, `/%2F%2Fh`, `/%5Ch`, `https:`, `javascript:`), and any
    /// whitespace, control or non-ASCII character, which browsers drop or fold before they read the address
    /// (`/<TAB>/h` is `//h` to them). A target is taken as it is or not at all, never repaired.
    public static func sameOriginPath(_ raw: String?) -> String? {
        guard let raw, raw.utf8.count <= maximumLength, raw.utf8.first == slash, raw.utf8.allSatisfy(isURLCharacter) else {
            return nil
        }
        // Whatever decodes the target later, however often, must still read a path: no host, no control character.
        var form = raw
        while true {
            let bytes = Array(form.utf8)
            if bytes.count >= 2, bytes[1] == slash || bytes[1] == backslash { return nil }
            if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == backslash }) { return nil }
            guard bytes.contains(percent) else { return raw }
            guard let decoded = form.removingPercentEncoding, decoded != form else { return nil }
            form = decoded
        }
    }

    private static let slash = UInt8(ascii: "/"), backslash = UInt8(ascii: "\\"), percent = UInt8(ascii: "%")

    /// The characters a URL's path, query and fragment may hold as they are (RFC 3986), with `%` for escapes.
    private static func isURLCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "-._~!$&'()*+,;=:@/?#%".utf8.contains(byte)
        }
    }
}
