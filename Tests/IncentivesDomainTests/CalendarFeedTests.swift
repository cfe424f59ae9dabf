import Foundation
import IncentivesDomain
import Testing

@Suite("Calendar feed: RFC 5545 text of the open deadlines")
struct CalendarFeedTests {
    static let deadline = CalendarDeadline(
        claimID: 12, claimName: "Contoso - Cloud assessment", kind: .submission, status: .consentReceived,
        dueAt: at("2026-11-16T14:23:07Z"), expires: true, customerName: "Contoso", engagementName: "Cloud assessment",
        locationName: "Seattle", organizationName: "Bluefin Consulting", version: 4, updatedAt: at("2026-10-01T08:00:00Z"))

    static func feed(_ deadlines: [CalendarDeadline] = [deadline], name: String = "Deadlines, Bluefin Consulting") -> CalendarFeed {
        CalendarFeed(name: name, host: "incentives.example", publicURL: "https://incentives.example",
                     stamp: at("2026-11-02T09:00:00Z"), deadlines: deadlines)
    }

    /// The lines of a feed, unfolded as a reader does (a CRLF followed by a space joins two lines).
    static func unfolded(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").dropLast().map { $0 }
    }

    @Test("golden: the calendar, one event with its two alarms, CRLF line ends, folded at 75 octets")
    func golden() {
        let expected = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//partner-incentives//Calendar feed//EN", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", #"X-WR-CALNAME:Deadlines\, Bluefin Consulting"#, "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H",
            "BEGIN:VEVENT", "UID:claim-12-submission@incentives.example", "DTSTAMP:20261102T090000Z",
            "DTSTART:20261116T135307Z", "DTEND:20261116T142307Z", "SUMMARY:Submit proof: Contoso (Cloud assessment)",
            #"DESCRIPTION:Claim: Contoso - Cloud assessment (#12)\nCustomer: Contoso\nEng"#,
            #" agement: Cloud assessment\nLocation: Seattle\, Bluefin Consulting\nStatus:"#,
            #"  Customer consent received\nDue: 16 Nov 2026 at 14:23 UTC. When it passes\"#,
            #" , the claim expires.\nOpen the claim: https://incentives.example/claims/12"#,
            "URL:https://incentives.example/claims/12", "LAST-MODIFIED:20261001T080000Z", "SEQUENCE:4",
            "STATUS:CONFIRMED", "TRANSP:TRANSPARENT",
            "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER;RELATED=END:-P7D",
            "DESCRIPTION:Submit proof: Contoso (Cloud assessment): due in 7 days", "END:VALARM",
            "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER;RELATED=END:-P1D",
            "DESCRIPTION:Submit proof: Contoso (Cloud assessment): due in 1 day", "END:VALARM",
            "END:VEVENT", "END:VCALENDAR",
        ].map { $0 + "\r\n" }.joined()
        #expect(Self.feed().text == expected)
    }

    @Test("an empty feed is still a calendar; every line ends in CRLF and no bare LF or CR is left")
    func emptyAndLineEnds() {
        let text = Self.feed([]).text
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n") && text.hasSuffix("END:VCALENDAR\r\n"))
        let long = Self.feed([Self.deadline, Self.deadline]).text
        let bytes = Array(long.utf8)
        for (i, byte) in bytes.enumerated() {
            if byte == 0x0A { #expect(i > 0 && bytes[i - 1] == 0x0D, "a bare LF at \(i)") }
            if byte == 0x0D { #expect(i + 1 < bytes.count && bytes[i + 1] == 0x0A, "a bare CR at \(i)") }
        }
    }

    @Test("folding counts UTF-8 octets, never splits a scalar, and unfolds back to the line")
    func foldingMultibyte() {
        // 2-, 3- and 4-octet scalars and a combining mark, long enough to fold several times at odd offsets.
        let name = String(repeating: "Zu\u{308}rich 東京 🇨🇭 é ", count: 12)
        let line = "SUMMARY:" + name
        let folded = CalendarFeed.folded(line)
        // Split as bytes, so that a cut scalar would show as a chunk that is not valid UTF-8 by itself.
        var chunks: [[UInt8]] = [[]]
        let bytes = Array(folded.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { chunks.append([]); i += 2; continue }
            chunks[chunks.count - 1].append(bytes[i])
            i += 1
        }
        #expect(chunks.last == [], "the line ends in CRLF")
        let physical = chunks.dropLast()
        #expect(physical.count > 4)
        for (n, part) in physical.enumerated() {
            #expect(part.count <= 75, "line \(n) has \(part.count) octets")
            if n > 0 { #expect(part.first == 0x20, "line \(n) continues with a space") }
            #expect(String(validating: part, as: UTF8.self) != nil, "line \(n) is not valid UTF-8: a scalar was cut")
        }
        // Full lines are packed: each but the last is within 3 octets of the limit (the widest scalar is 4).
        for part in physical.dropLast() { #expect(part.count >= 72) }
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == line + "\r\n", "unfolding gives the line back")
        #expect(CalendarFeed.folded(String(repeating: "a", count: 75)) == String(repeating: "a", count: 75) + "\r\n", "75 octets fit")
        #expect(CalendarFeed.folded(String(repeating: "a", count: 76)) == String(repeating: "a", count: 75) + "\r\n a\r\n")
    }

    @Test("TEXT escaping: backslash, semicolon, comma, every kind of line break; controls left out; by code point")
    func escaping() {
        #expect(CalendarFeed.escaped(#"a\b;c,d"#) == #"a\\b\;c\,d"#)
        #expect(CalendarFeed.escaped("one\ntwo\r\nthree\rfour") == #"one\ntwo\nthree\nfour"#)
        #expect(CalendarFeed.escaped("bell\u{7}nul\u{0}del\u{7F}tab\t") == "bellnuldeltab\t")
        // A comma followed by a combining mark is one Character but two code points: the comma is still escaped.
        #expect(CalendarFeed.escaped(",\u{301}") == "\\,\u{301}")
        // A hostile name can't end a property or start a new one.
        let hostile = CalendarDeadline(claimID: 1, claimName: "x", kind: .consent, status: .awaitingConsent, dueAt: at("2026-12-01T00:00:00Z"),
                                       expires: true, customerName: "Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT;x", engagementName: "E,1",
                                       locationName: "L", organizationName: "O", version: 1, updatedAt: at("2026-11-01T00:00:00Z"))
        let lines = Self.unfolded(Self.feed([hostile]).text)
        #expect(lines.filter { $0 == "END:VEVENT" }.count == 1)
        #expect(lines.contains(#"SUMMARY:Customer consent due: Evil\nEND:VEVENT\nBEGIN:VEVENT\;x (E\,1)"#))
    }

    @Test("the UID names the claim and the deadline's kind, not its date: a moved deadline keeps it and raises SEQUENCE")
    func uidStableAcrossMoves() {
        var moved = Self.deadline
        moved.dueAt = at("2026-12-20T10:00:00Z")
        moved.version = 5
        moved.updatedAt = at("2026-11-10T12:00:00Z")
        let before = Self.unfolded(Self.feed().text), after = Self.unfolded(Self.feed([moved]).text)
        let uid = { (lines: [String]) in lines.first { $0.hasPrefix("UID:") } }
        #expect(uid(before) == uid(after))
        #expect(after.contains("DTEND:20261220T100000Z") && after.contains("SEQUENCE:5") && after.contains("LAST-MODIFIED:20261110T120000Z"))
        // Another kind of deadline on the same claim, or another claim, is another event.
        var review = Self.deadline
        review.kind = .review
        review.status = .partnerActionRequired
        #expect(Self.feed().uid(review) == "claim-12-review@incentives.example")
        var other = Self.deadline
        other.claimID = 13
        #expect(Self.feed().uid(other) != Self.feed().uid(Self.deadline))
    }

    @Test("each status says what is due; the vendor's review deadline says it never expires the claim")
    func wording() {
        let cases: [(DeadlineKind, ClaimStatus, String)] = [
            (.consent, .customerClaimed, "Get customer consent"), (.consent, .awaitingConsent, "Customer consent due"),
            (.submission, .consentReceived, "Submit proof"), (.review, .partnerActionRequired, "Answer the reviewer"),
            (.review, .underReview, "Complete the review"), (.dispute, .rejected, "Dispute window closes"),
            (.dispute, .disputed, "Submit the dispute"),
        ]
        for (kind, status, task) in cases {
            var d = Self.deadline
            d.kind = kind
            d.status = status
            #expect(d.task == task)
        }
        var review = Self.deadline
        review.kind = .review
        review.status = .submitted
        review.expires = false
        let text = Self.unfolded(Self.feed([review]).text).joined()
        #expect(text.contains("it never expires the claim"))
    }

    @Test("the feed keeps deadlines passed up to 30 days ago")
    func window() {
        #expect(CalendarFeed.earliest(at: at("2026-11-30T12:00:00Z")) == at("2026-10-31T12:00:00Z"))
    }
}
