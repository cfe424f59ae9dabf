import IncentivesDomain
@testable import IncentivesStore
import Testing

/// Swift compares `Character`s, which are grapheme clusters: `"` followed by U+0301 (a combining acute) or U+1F3FB (an
/// emoji skin-tone modifier) is one `Character`, not equal to `"`. Every escape of text for another language (CSV, LIKE,
/// FTS5, HTML) has to look at code points, as the reader of that language does.
@Suite("Escapes look at code points, not at Swift's characters")
struct CodePointEscapingTests {
    static let marks: [String] = ["\u{301}", "\u{1F3FB}", "\u{20E3}", "\u{FE0F}"]

    @Test("CSV: a comma, quote or line break followed by a mark is still quoted and doubled; the formula guard sees the first code point")
    func csv() {
        for mark in Self.marks {
            #expect(CSV.field("a,\(mark)b") == "\"a,\(mark)b\"")
            #expect(CSV.field("say \"\(mark)hi\"\(mark)") == "\"say \"\"\(mark)hi\"\"\(mark)\"")
            #expect(CSV.field("x\n\(mark)y") == "\"x\n\(mark)y\"")
            #expect(CSV.field("x\r\(mark)y") == "\"x\r\(mark)y\"")
            for lead in ["=", "+", "-", "@", "\t", "\r"] {
                #expect(CSV.text("\(lead)\(mark)1+1") == "'\(lead)\(mark)1+1", "\(lead.unicodeScalars.first!.value) then \(mark.unicodeScalars.first!.value)")
            }
        }
        #expect(CSV.field("plain é") == "plain é" && CSV.text("a=1") == "a=1")
    }

    @Test("LIKE patterns and FTS5 phrases: every %, _, \\ and quote is literal, whatever follows it")
    func search() {
        for mark in Self.marks {
            #expect(ClaimSearchIndex.likePattern("a%\(mark)_\(mark)\\\(mark)") == "%a\\%\(mark)\\_\(mark)\\\\\(mark)%")
            #expect(ClaimSearchIndex.phrase("0\"\(mark)\"") == "\"0\"\"\(mark)\"\"\"")
        }
        #expect(ClaimSearchIndex.phrase("plain") == "\"plain\"")
    }

    @Test("the shared escape replaces code points and keeps every other one, marks included")
    func escapingScalars() {
        let text = "<\u{338}a&\u{301}\"\u{1F3FB}'\u{FE0F}>"
        let escaped = text.escapingScalars { $0 == "<" ? "&lt;" : $0 == "&" ? "&amp;" : $0 == "\"" ? "&quot;" : $0 == "'" ? "&#39;" : $0 == ">" ? "&gt;" : nil }
        #expect(escaped == "&lt;\u{338}a&amp;\u{301}&quot;\u{1F3FB}&#39;\u{FE0F}&gt;")
        #expect(text.containsScalar { $0 == "\"" } && !"a\u{301}".containsScalar { $0 == "\"" })
    }
}
