import IncentivesDomain
import Logging

/// What a log line may never carry: secrets, tokens, passwords and bank numbers. A metadata value under a key that
/// names one is dropped whole; any other text (the message included) has what looks like one masked: an IBAN (also
/// in groups of four), the token after `Bearer`/`Basic`, an API token (`pi_…`), a webhook secret (`whsec_…`), and any
/// long random-looking word (32+ characters mixing upper case, lower case and digits, like session and link tokens).
enum LogRedaction {
    static let mask = "[REDACTED]"

    /// Parts of a metadata key that make its value secret (compared in lower case).
    static let secretKeyParts = ["password", "passwd", "secret", "token", "authorization", "cookie", "iban", "account", "bank",
                                 "bind", "signature", "credential", "apikey", "api_key", "routing_number", "swift_bic"]

    /// Keys whose values the app itself makes from bounded sets (ids, patterns, numbers): written as they are, so a
    /// request id in hex is never mistaken for an IBAN.
    static let plainKeys: Set<String> = ["request_id", "route", "method", "status", "duration_ms", "user_id"]

    static func isSecret(key: String) -> Bool {
        let lowered = key.lowercased()
        return secretKeyParts.contains { lowered.contains($0) }
    }

    /// The metadata with secret keys masked and every value scrubbed.
    static func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.reduce(into: [:]) { out, entry in out[entry.key] = redact(entry.value, key: entry.key) }
    }

    static func redact(_ value: Logger.MetadataValue, key: String) -> Logger.MetadataValue {
        if isSecret(key: key) { return .string(mask) }
        if plainKeys.contains(key) { return value }
        switch value {
        case .string(let text): return .string(scrub(text))
        case .stringConvertible(let text): return .string(scrub(text.description))
        case .array(let values): return .array(values.map { redact($0, key: "") })
        case .dictionary(let entries): return .dictionary(redact(entries))
        }
    }

    /// `text` with every IBAN-like or token-like part replaced by `mask`.
    static func scrub(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var spans: [Range<Int>] = []
        for span in (ibanSpans(scalars) + tokenSpans(scalars)).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = spans.last, span.lowerBound <= last.upperBound {
                spans[spans.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                spans.append(span)
            }
        }
        guard !spans.isEmpty else { return text }
        var out = String.UnicodeScalarView(), at = 0
        for span in spans {
            out.append(contentsOf: scalars[at..<span.lowerBound])
            out.append(contentsOf: mask.unicodeScalars)
            at = span.upperBound
        }
        out.append(contentsOf: scalars[at...])
        return String(out)
    }

    private static func isAlnum(_ c: Unicode.Scalar) -> Bool { c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c)) }
    private static func isLetter(_ c: Unicode.Scalar) -> Bool { c.isASCII && c.properties.isAlphabetic }
    private static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    /// Two letters, two check digits, then letters and digits, written whole or in groups of four: as long as that
    /// country's IBANs (`IBAN.lengths`), or, after a country code in capitals, 15 to 34 in all.
    private static func ibanSpans(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        var spans: [Range<Int>] = [], i = 0
        while i + 4 <= s.count {
            guard (i == 0 || !isAlnum(s[i - 1])), isLetter(s[i]), isLetter(s[i + 1]), isDigit(s[i + 2]), isDigit(s[i + 3]) else {
                i += 1
                continue
            }
            var end = i, count = 0, group = 0
            while end < s.count {
                if isAlnum(s[end]) {
                    count += 1; group += 1; end += 1
                } else if s[end] == " ", group == 4, end + 1 < s.count, isAlnum(s[end + 1]) {
                    group = 0; end += 1
                } else {
                    break
                }
            }
            let country = String(String.UnicodeScalarView([s[i], s[i + 1]]))
            let capitals = country == country.uppercased()
            if IBAN.lengths[country.uppercased()] == count || (capitals && (15...34).contains(count)) { spans.append(i..<end) }
            i = max(end, i + 1)
        }
        return spans
    }

    /// Not `/`: a path's segments are judged one by one (a folder's long name is no secret, a link's token is).
    private static func isTokenCharacter(_ c: Unicode.Scalar) -> Bool { isAlnum(c) || "_-.+=".unicodeScalars.contains(c) }

    /// Runs of token characters that are secrets by their form or by the word before them.
    private static func tokenSpans(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        var spans: [Range<Int>] = [], i = 0, previousWord = ""
        while i < s.count {
            guard isTokenCharacter(s[i]) else { i += 1; continue }
            var end = i
            while end < s.count, isTokenCharacter(s[end]) { end += 1 }
            let word = String(String.UnicodeScalarView(s[i..<end]))
            let afterScheme = ["bearer", "basic"].contains(previousWord.lowercased()) && i > 0 && s[i - 1] == " "
            // The credential after a scheme is masked up to the next space, whatever it holds.
            if afterScheme { while end < s.count, !s[end].properties.isWhitespace { end += 1 } }
            if afterScheme || looksLikeSecret(word) { spans.append(i..<end) }
            previousWord = word
            i = end
        }
        return spans
    }

    private static func looksLikeSecret(_ word: String) -> Bool {
        if (word.hasPrefix("pi_") || word.hasPrefix("whsec_")) && word.utf8.count >= 20 { return true }
        guard word.utf8.count >= 32 else { return false }
        var upper = false, lower = false, digit = false
        for c in word.unicodeScalars {
            if ("A"..."Z").contains(c) { upper = true } else if ("a"..."z").contains(c) { lower = true } else if isDigit(c) { digit = true }
        }
        return upper && lower && digit
    }
}
