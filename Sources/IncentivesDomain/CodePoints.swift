import Foundation

/// Text read one Unicode scalar (code point) at a time, as the languages it is written into read it.
///
/// Swift's `Character` is a grapheme cluster: a quote followed by a combining mark (U+0301) or an emoji modifier
/// (U+1F3FB) is one `Character` that is not equal to the quote. So `replacingOccurrences(of: "\"", ...)`, `contains`
/// and `first` on a `String` miss it, while CSV, SQL's LIKE, FTS5 and HTML all see the quote. Every escape of typed text
/// for another language goes through these.
extension String {
    /// This text with each code point that `replacement` maps replaced by its answer; every other one is kept.
    public func escapingScalars(_ replacement: (Unicode.Scalar) -> String?) -> String {
        // Nothing is copied until the first code point that changes: most texts have none.
        var escaped: String?
        let scalars = unicodeScalars
        for index in scalars.indices {
            let scalar = scalars[index]
            if let text = replacement(scalar) {
                if escaped == nil { escaped = String(scalars[..<index]) }
                escaped?.unicodeScalars.append(contentsOf: text.unicodeScalars)
            } else {
                escaped?.unicodeScalars.append(scalar)
            }
        }
        return escaped ?? self
    }

    /// Whether any code point of this text satisfies `predicate`.
    public func containsScalar(where predicate: (Unicode.Scalar) -> Bool) -> Bool {
        unicodeScalars.contains(where: predicate)
    }
}
