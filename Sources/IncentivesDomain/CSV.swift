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
}
