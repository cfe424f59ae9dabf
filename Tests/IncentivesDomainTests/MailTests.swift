import Foundation
@testable import IncentivesDomain
import Testing

@Suite("Mail: the message as sent, addresses, retry delays")
struct MailTests {
    let sent = Date(timeIntervalSince1970: 1_795_600_000) // Wed, 25 Nov 2026 09:46:40 UTC

    /// Headers and the decoded body of a rendered message.
    func parse(_ document: String) -> (headers: [String: String], body: String) {
        let parts = document.components(separatedBy: "\r\n\r\n")
        var headers: [String: String] = [:]
        for line in parts[0].components(separatedBy: "\r\n") {
            let (name, value) = (line.prefix { $0 != ":" }, line.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces))
            headers[String(name)] = value
        }
        let base64 = parts[1].replacingOccurrences(of: "\r\n", with: "")
        return (headers, String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self))
    }

    @Test("a message renders as RFC 5322 with CRLF lines, a stable Message-ID and the body intact")
    func renders() {
        let message = MailMessage(kind: .consentRequest, to: "ana@customer.example", subject: "Consent for Cloud migration",
                                  body: "Hello Ana,\n\nPlease confirm.\n.\nThanks — Bluefin", claimID: 42)
        let document = message.rfc822(from: "Partner Incentives <no-reply@incentives.example>", messageID: "outbox-7@incentives.example", date: sent)
        #expect(!document.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        let (headers, body) = parse(document)
        #expect(headers["To"] == "ana@customer.example")
        #expect(headers["Subject"] == "Consent for Cloud migration")
        #expect(headers["Message-ID"] == "<outbox-7@incentives.example>")
        #expect(headers["Date"] == "Wed, 25 Nov 2026 09:46:40 +0000")
        #expect(headers["X-Incentives-Claim"] == "42" && headers["X-Incentives-Kind"] == "consent_request")
        #expect(body == "Hello Ana,\r\n\r\nPlease confirm.\r\n.\r\nThanks — Bluefin")
        #expect(document.components(separatedBy: "\r\n").allSatisfy { $0.count <= 998 })
    }

    @Test("line breaks in header values cannot add headers; a non-ASCII subject is encoded")
    func headerSafety() {
        let message = MailMessage(kind: .decision, to: "x@example.com\r\nBcc: victim@example.com", subject: "Décision\nBcc: other@example.com", body: "b")
        let document = message.rfc822(from: "a@b.example", messageID: "m@b.example", date: sent)
        let headerBlock = document.components(separatedBy: "\r\n\r\n")[0]
        #expect(!headerBlock.components(separatedBy: "\r\n").contains { $0.hasPrefix("Bcc:") })
        let subject = parse(document).headers["Subject"]!
        #expect(subject.hasPrefix("=?utf-8?B?") && subject.hasSuffix("?="))
        let encoded = subject.dropFirst("=?utf-8?B?".count).dropLast(2)
        #expect(String(decoding: Data(base64Encoded: String(encoded))!, as: UTF8.self) == "Décision Bcc: other@example.com")
    }

    @Test("addresses", arguments: [
        ("ana@customer.example", true), ("a.b+c@sub.domain.example", true), ("ana@localhost", false), ("@customer.example", false),
        ("ana@", false), ("ana customer@x.example", false), ("a@b@c.example", false), ("<ana@x.example>", false), ("ana@.example", false),
    ])
    func addresses(text: String, ok: Bool) {
        #expect(MailMessage.isAddress(text) == ok)
    }

    @Test("retries back off 30 s, doubling, capped at an hour, and stop after the last attempt")
    func backoff() {
        let policy = DeliveryPolicy.standard
        #expect(policy.retryDelay(afterAttempt: 1) == 30)
        #expect(policy.retryDelay(afterAttempt: 2) == 60)
        #expect(policy.retryDelay(afterAttempt: 5) == 480)
        #expect(policy.retryDelay(afterAttempt: 8) == 3_600)
        #expect(policy.retryDelay(afterAttempt: 11) == 3_600)
        #expect(policy.retryDelay(afterAttempt: 12) == nil)
        let delays = (1..<policy.maxAttempts).compactMap { policy.retryDelay(afterAttempt: $0) }
        #expect(delays == delays.sorted())
    }

    @Test("the invitation email carries the link and says how long it works")
    func invitation() {
        let mail = MailMessage.invitation(to: "new@bluefin.example", name: "Noor", organization: "Bluefin Consulting",
                                          inviter: "Alex Morgan", link: "https://incentives.example/invitations/abc", expires: "2 Dec 2026")
        #expect(mail.kind == .invitation && mail.to == "new@bluefin.example")
        #expect(mail.subject.contains("Alex Morgan") && mail.subject.contains("Bluefin Consulting"))
        #expect(mail.body.contains("https://incentives.example/invitations/abc") && mail.body.contains("2 Dec 2026") && mail.body.contains("Hello Noor"))
    }
}
