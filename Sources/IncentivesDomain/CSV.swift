import Foundation

// Writing CSV, shared by the store's table exports and the domain's payment files.

/// RFC 4180 CSV: fields quoted when they hold a comma, quote or line break; quotes doubled; CRLF.
public enum CSV {
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// Looked at by code point, as a CSV reader does: a quote or comma followed by a combining mark is one Swift
    /// `Character` that is neither.
    public static func field(_ value: String) -> String {
        guard value.containsScalar(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.escapingScalars { $0 == "\"" ? "\"\"" : nil } + "\""
    }

    /// Text a person typed (names) is kept from being read as a formula by spreadsheet programs. The first code point
    /// decides: `=` followed by a combining mark is still a formula to a spreadsheet.
    public static func text(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }

    /// `field(text(value))` when `guarded`, else `field(value)`, appended to `out` as UTF-8 without making a String: what
    /// large exports write per cell. Every code point these rules look at is ASCII, and no byte of a longer UTF-8 sequence
    /// is ASCII, so looking at bytes decides exactly as looking at code points does.
    public static func appendField(_ value: String, guarded: Bool, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendField(utf8: $0, guarded: guarded, to: &out) }
    }

    /// `appendField` of text already in UTF-8 (an export reading SQLite's bytes in place).
    public static func appendField(utf8 bytes: UnsafeBufferPointer<UInt8>, guarded: Bool, to out: inout [UInt8]) {
        let formula = guarded && bytes.first.map { $0 == 0x3D || $0 == 0x2B || $0 == 0x2D || $0 == 0x40 || $0 == 0x09 || $0 == 0x0D } == true
        guard bytes.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            if formula { out.append(0x27) }
            out.append(contentsOf: bytes)
            return
        }
        out.append(0x22)
        if formula { out.append(0x27) }
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == 0x22 {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...i]))
            out.append(0x22)
            start = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        out.append(0x22)
    }
}
