import Foundation
import IncentivesDomain
import Testing

@Suite("Percent-encoding of query values and file names")
struct PercentEncodingTests {
    @Test("the same text as Foundation's percent-encoding with RFC 3986's unreserved characters allowed")
    func agreesWithFoundation() {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        var samples = ["", "plain", "a b&c=d?e/f#g%h+i", "Zoë Ångström", "東京", "🚀 launch", "tab\there\nline", "~-._", "\u{0}",
                       "100%", "é" + "\u{301}"]
        // Every ASCII character alone, and a stretch of the Basic Multilingual Plane.
        samples += (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        samples += stride(from: 0xA0, to: 0x3000, by: 37).compactMap { UnicodeScalar($0).map { "x\($0)y" } }
        for text in samples {
            #expect(PercentEncoding.unreserved(text) == text.addingPercentEncoding(withAllowedCharacters: unreserved), "\(text.debugDescription)")
        }
    }
}
