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
