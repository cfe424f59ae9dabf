import Foundation

/// What a person writes on a claim: the note of an action (a justification, a reason's words) or a comment.
public enum ClaimNote {
    /// The longest note, in Unicode code points: what the API's contract (`maxLength`) counts, and never less
    /// than a browser's `maxlength` (UTF-16 units) lets through.
    public static let maxLength = 4_000

    /// Whether `text` is too long, counted as `maxLength` is.
    public static func isTooLong(_ text: String) -> Bool { text.unicodeScalars.count > maxLength }

    /// The note's words, trimmed; nil when there are none; refused when longer than `maxLength`.
    public static func words(_ text: String) throws(ClaimRefusal) -> String? {
        let words = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if isTooLong(words) { throw .cannotClaim("Keep the note under \(maxLength) characters; nothing was changed.") }
        do throws(InputRefusal) { _ = try TextRule.note.check(words, field: "note") } catch { throw .cannotClaim(error.message) }
        return words.isEmpty ? nil : words
    }
}
