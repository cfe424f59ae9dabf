import Foundation

/// When the partner hears of a deadline it must meet: 7 days and 1 day before it (DOMAIN.md 4's clocks
/// expire claims by themselves, so a reminder is the partner's only warning).
public enum DeadlineReminder: Int, CaseIterable, Sendable, Comparable {
    case weekBefore = 7
    case dayBefore = 1

    public var days: Int { rawValue }

    public static func < (l: DeadlineReminder, r: DeadlineReminder) -> Bool { l.rawValue > r.rawValue }

    /// The reminder to send at `now` for a deadline at `due`, given those already sent for it: the
    /// latest whose moment has come, once. When both are due at once (a short clock), only the day-before
    /// one goes, and the week-before one counts as sent with it.
    public static func due(at now: Date, deadline due: Date, alreadySent: Set<DeadlineReminder>) -> (send: DeadlineReminder, covers: [DeadlineReminder])? {
        guard now < due else { return nil }
        let reached = allCases.filter { now >= due.addingTimeInterval(-Double($0.days) * 86_400) }
        guard let latest = reached.max(), !alreadySent.contains(latest) else { return nil }
        return (latest, reached.filter { !alreadySent.contains($0) })
    }
}

extension MailMessage {
    /// "Submission due in 7 days" to a partner user, with a link to the claim.
    public static func deadlineReminder(to email: String, claimID: Int64, claimName: String, kind: DeadlineKind,
                                        reminder: DeadlineReminder, due: String, link: String) -> MailMessage {
        let when = reminder == .dayBefore ? "tomorrow" : "in 7 days"
        let task: String = switch kind {
        case .consent: "get the customer's consent"
        case .submission: "submit the claim with its proof of execution"
        case .review: "answer the reviewer's request for more information"
        case .dispute: "dispute the rejection, if you want to"
        }
        return MailMessage(kind: .reminder, to: email, subject: "\(claimName): \(kind.label) deadline \(when)", body: """
            The \(kind.label) deadline of the claim "\(claimName)" (#\(claimID)) is \(when), \(due).

            Before then, \(task). After it, the claim expires by itself and cannot be earned on.

            Open the claim: \(link)
            """, claimID: claimID)
    }

    /// The claim's clock ran out; the partner hears the claim's new status.
    public static func claimExpired(to email: String, claimID: Int64, claimName: String, status: ClaimStatus, link: String) -> MailMessage {
        MailMessage(kind: .decision, to: email, subject: "\(claimName): deadline passed, now \(status.label.lowercased())", body: """
            The claim "\(claimName)" (#\(claimID)) passed its deadline and is now: \(status.label).
            \(status.definition)

            Open the claim: \(link)
            """, claimID: claimID)
    }
}

/// What a customer contact's email is about: the facts of the claim as the customer should see them.
public struct CustomerMailFacts: Sendable {
    public var contactName: String
    public var partnerName: String
    public var engagementName: String
    public var claimID: Int64
    public var link: String
    /// "28 Dec 2026, 09:46 UTC": when the link stops working.
    public var expires: String

    public init(contactName: String, partnerName: String, engagementName: String, claimID: Int64, link: String, expires: String) {
        self.contactName = contactName; self.partnerName = partnerName; self.engagementName = engagementName
        self.claimID = claimID; self.link = link; self.expires = expires
    }
}

extension MailMessage {
    /// Asks the customer contact to confirm the partner's engagement (DOMAIN.md 3: consent comes first).
    public static func consentRequest(to email: String, _ f: CustomerMailFacts) -> MailMessage {
        MailMessage(kind: .consentRequest, to: email, subject: "\(f.partnerName) asks you to confirm their work with you", body: """
            Hello \(f.contactName),

            \(f.partnerName) says they are working with your organization on "\(f.engagementName)", an engagement of the \
            vendor's partner incentive program, and asks you to confirm it.

            Confirming lets the partner claim an incentive from the vendor for this work; it costs you nothing and \
            you may withdraw it later from the same page. If you don't know this partner or this work, decline.

            Answer here (no account needed): \(f.link)
            The link works until \(f.expires).
            """, claimID: f.claimID)
    }

    /// Asks the customer contact for the short customer survey that proves the activity took place.
    public static func surveyRequest(to email: String, _ f: CustomerMailFacts) -> MailMessage {
        MailMessage(kind: .survey, to: email, subject: "Three questions about \(f.partnerName)'s work for you", body: """
            Hello \(f.contactName),

            \(f.partnerName) delivered "\(f.engagementName)" for your organization. The vendor asks you three short \
            questions about it; your answers go to the vendor's reviewers.

            Answer here (no account needed): \(f.link)
            The link works until \(f.expires).
            """, claimID: f.claimID)
    }

    /// A use-or-consume claim: the customer is told a partner named itself partner of record, and may object.
    public static func partnerOfRecordNotice(to email: String, _ f: CustomerMailFacts) -> MailMessage {
        MailMessage(kind: .consentRequest, to: email, subject: "\(f.partnerName) is now your partner of record", body: """
            Hello \(f.contactName),

            \(f.partnerName) told the vendor they are your partner of record for "\(f.engagementName)" (the partner \
            helping you use the vendor's services). Nothing needs doing if that is right.

            If it is not, withdraw your consent here: \(f.link)
            """, claimID: f.claimID)
    }

    /// The partner hears a status change it did not make itself (the customer's answer, a reviewer's decision).
    public static func claimChanged(to email: String, claimID: Int64, claimName: String, status: ClaimStatus,
                                    by who: String, note: String?, link: String) -> MailMessage {
        let kind: MailKind = status == .partnerActionRequired ? .actionRequired : .decision
        let subject = status == .partnerActionRequired
            ? "\(claimName): the reviewer asks for more information"
            : "\(claimName): now \(status.label.lowercased())"
        return MailMessage(kind: kind, to: email, subject: subject, body: """
            The claim "\(claimName)" (#\(claimID)) is now: \(status.label) (\(who)).
            \(note.map { "\n\"\($0)\"\n" } ?? "")
            \(status.definition)

            Open the claim: \(link)
            """, claimID: claimID)
    }
}
