import Foundation

// Reversals (issue 18): a reviewer takes back an approval found invalid after the review, within the program's window.

/// How long after its approval a reviewer may reverse a claim: the program's reversal window, counted from the approval.
public struct ReversalWindow: Hashable, Sendable {
    /// The program's window when it names none.
    public static let defaultDays = 180

    /// When the claim was approved (its earning's approval).
    public var approvedAt: Date
    public var days: Int

    public init(approvedAt: Date, days: Int) { self.approvedAt = approvedAt; self.days = days }

    /// The last UTC day on which the approval may still be reversed.
    public var lastDay: DayDate { DayDate(approvedAt.adding(calendarDays: days)) }

    /// Whether a reversal at `now` falls inside the window (the whole last day counts).
    public func isOpen(at now: Date) -> Bool { DayDate(now) <= lastDay }
}

extension ClaimLifecycle {
    /// A reversal needs its coded reason and a window still open; the lifecycle's table already said who and from where.
    static func checkReversal(_ command: ClaimCommand, context: ClaimContext, at now: Date) throws(ClaimRefusal) {
        guard command.reversalReason != nil else { throw .cannotClaim("Choose a reason for the reversal from the list.") }
        guard let window = context.reversal else {
            throw .cannotClaim("The approval of this claim has no date on record, so its reversal window can't be checked.")
        }
        if !window.isOpen(at: now) { throw .reversalWindowClosed(lastDay: window.lastDay, days: window.days) }
    }
}

extension ClaimActionRequest {
    /// A reversal's inputs: a reason from `ReversalReason` and the note the partner reads (`TextRule.reversalNote`). The
    /// history note is the reason's label and the words, as a review's coded reasons are written.
    func reversalCommand(by actor: Actor) throws -> ClaimCommand {
        let words = try TextRule.reversalNote.check(note, field: "note")
        guard let code = reasonCode.flatMap(ReversalReason.init(rawValue:)) else {
            throw InputRefusal(field: "reason_code", .invalid, "Choose a reason for the reversal from the list.")
        }
        return ClaimCommand(.reverse, by: actor, reason: "\(code.label): \(words)", reversalReason: code)
    }
}

/// What a reversal did to the money, as the partner is told it.
public enum ReversalEffect: Hashable, Sendable {
    /// The earning was still owed and in no run: it will not be paid.
    case earningCanceled(Money)
    /// The earning was already in a payment run or paid: this negative amount is netted against the next payment.
    case netted(Money)
    /// No earning was left to take back (none written, or a zero amount).
    case none

    var sentence: String {
        switch self {
        case .earningCanceled(let amount): "Its earning of \(amount) will not be paid."
        case .netted(let amount):
            "Its earning was already in a payment run or paid, so \(Money(minorUnits: abs(amount.minorUnits), currency: amount.currency)) "
                + "is taken back from your next payment in that currency (a run never pays a negative total: what remains is carried forward)."
        case .none: "No earning was due for it."
        }
    }
}

extension MailMessage {
    /// A reviewer reversed an approval: the partner hears why (the coded reason and the note) and what happens to the money.
    public static func approvalReversed(to email: String, claimID: Int64, claimName: String, reason: ReversalReason, note: String?,
                                        effect: ReversalEffect, link: String) -> MailMessage {
        MailMessage(kind: .decision, to: email, subject: "\(claimName): approval reversed", body: """
            A reviewer reversed the approval of the claim "\(claimName)" (#\(claimID)). It is now \(ClaimStatus.rejectedFinal.label).

            Reason: \(reason.label)
            \(note.map { "\"\($0)\"\n" } ?? "")
            \(effect.sentence)

            Open the claim: \(link)
            """, claimID: claimID)
    }
}
