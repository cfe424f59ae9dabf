import Foundation

/// Why an email is sent; stored with it, so deliveries can be counted and searched by purpose.
public enum MailKind: String, CaseIterable, Sendable, Codable {
    case invitation
    case consentRequest = "consent_request"
    case survey
    case actionRequired = "action_required"
    case decision
    case reminder
}

/// One email as the product writes it: plain text, one recipient. It is written to the outbox in the
/// same transaction as the change it tells about, and delivered later by the mail service.
public struct MailMessage: Hashable, Sendable {
    public var kind: MailKind
    public var to: String
    public var subject: String
    public var body: String
    /// The claim it is about, if any (history and the claim page list its emails).
    public var claimID: Int64?

    public init(kind: MailKind, to: String, subject: String, body: String, claimID: Int64? = nil) {
        self.kind = kind; self.to = to; self.subject = subject; self.body = body; self.claimID = claimID
    }

    /// The message as an RFC 5322 document (a `.eml` file, or what `sendmail -t` reads). `messageID` is
    /// stable per outbox row, so a receiving server can drop a copy should a delivery ever be repeated.
    /// Header values lose line breaks (no header injection); a non-ASCII subject or name is RFC 2047
    /// encoded; the UTF-8 body is sent base64-encoded in lines of 76, which every transport carries.
    public func rfc822(from: String, messageID: String, date: Date) -> String {
        var lines = [
            "From: \(Self.headerValue(from))",
            "To: \(Self.headerValue(to))",
            "Subject: \(Self.encodedWords(Self.headerValue(subject)))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(Self.headerValue(messageID))>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "X-Incentives-Kind: \(kind.rawValue)",
        ]
        if let claimID { lines.append("X-Incentives-Claim: \(claimID)") }
        let normalized = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(normalized.utf8).base64EncodedString()
        var chunks: [Substring] = []
        var rest = Substring(encoded)
        while !rest.isEmpty { chunks.append(rest.prefix(76)); rest = rest.dropFirst(76) }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + chunks.joined(separator: "\r\n") + "\r\n"
    }

    /// A header value on one line: CR, LF and other control characters become spaces.
    static func headerValue(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
            .trimmingCharacters(in: .whitespaces)
    }

    /// RFC 2047 `=?utf-8?B?...?=` when the text is not plain ASCII; ASCII stays readable.
    static func encodedWords(_ text: String) -> String {
        guard !text.unicodeScalars.allSatisfy({ $0.isASCII }) else { return text }
        return "=?utf-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// Whether an address looks deliverable: one `@`, something on each side, no spaces or brackets.
    public static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !text.contains(where: { $0.isWhitespace || "<>(),;:\"[]\\".contains($0) })
    }
}

/// When the mail service tries again after a failed delivery: 30 s, 1 min, 2 min, ... up to an hour,
/// and after `maxAttempts` it stops and marks the message failed for an operator to look at.
public struct DeliveryPolicy: Hashable, Sendable {
    public var firstDelay: TimeInterval
    public var maxDelay: TimeInterval
    public var maxAttempts: Int

    public init(firstDelay: TimeInterval = 30, maxDelay: TimeInterval = 3_600, maxAttempts: Int = 12) {
        self.firstDelay = firstDelay; self.maxDelay = maxDelay; self.maxAttempts = maxAttempts
    }

    public static let standard = DeliveryPolicy()

    /// The wait after the `attempt`-th failed try (1-based); nil when no try is left.
    public func retryDelay(afterAttempt attempt: Int) -> TimeInterval? {
        guard attempt < maxAttempts else { return nil }
        let exponent = Double(max(0, attempt - 1))
        return min(maxDelay, firstDelay * pow(2, exponent))
    }
}

extension MailMessage {
    /// The email that carries a colleague's invitation link.
    public static func invitation(to email: String, name: String, organization: String, inviter: String,
                                  link: String, expires: String) -> MailMessage {
        MailMessage(kind: .invitation, to: email, subject: "\(inviter) invited you to \(organization)'s partner incentives",
                    body: """
                    Hello \(name),

                    \(inviter) invited you to work on \(organization)'s engagements, claims and earnings in the partner incentives portal.

                    Open this link to choose your password and sign in:
                    \(link)

                    The link works once and until \(expires). If you did not expect this email, you can ignore it.
                    """)
    }
}
