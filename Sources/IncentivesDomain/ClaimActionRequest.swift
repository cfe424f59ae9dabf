import Foundation

/// One lifecycle action a person asks for on a claim, with its inputs as they were typed: the same value whether it
/// comes from the claim page, the API, bulk review or the CLI. `command(by:about:)` is the one rule that checks those
/// inputs and turns them into the `ClaimCommand` the lifecycle decides on, so every surface refuses alike.
public struct ClaimActionRequest: Hashable, Sendable {
    public var action: ClaimAction
    /// The person's words: a justification, what is needed, why (optional for most actions).
    public var note: String
    /// A reviewer's coded reason, as sent; checked against the codes the action offers.
    public var reasonCode: String?
    /// The proof a reviewer's request for information is about (its id on the claim), named in the note.
    public var aboutProof: Int64?
    /// An approval's checklist: the reviewer-confirmed customer criteria confirmed, each by its position (from 1) or
    /// its words (`confirmedPositions(of:)`).
    public var confirmedCriteria: [String]
    /// Every item of the checklist confirmed at once (the CLI's `--confirm-all`).
    public var confirmsAllCriteria: Bool

    public init(_ action: ClaimAction, note: String = "", reasonCode: String? = nil, aboutProof: Int64? = nil,
                confirmedCriteria: [String] = [], confirmsAllCriteria: Bool = false) {
        self.action = action
        self.note = note
        self.reasonCode = reasonCode
        self.aboutProof = aboutProof
        self.confirmedCriteria = confirmedCriteria
        self.confirmsAllCriteria = confirmsAllCriteria
    }

    /// The action a surface names (a form's value, a CLI argument), if it is one a person takes on a claim: proof,
    /// hours and contacts have their own forms, and adding a customer, expiry and lost arbitrations are the program's.
    public static func action(named name: String) throws(InputRefusal) -> ClaimAction {
        guard let action = ClaimAction(rawValue: name), action.isTransition, action != .create, action != .expire else {
            throw InputRefusal(field: "action", .outsideLimits, "That action was not recognised; nothing was changed.")
        }
        return action
    }

    /// The command the lifecycle decides on, once the inputs pass: an action the program takes itself is refused, the
    /// note is within the contract's length and holds no control characters, and a coded reason is one the action
    /// offers ("Other" with words). `about` names the proof the request is about: its label and file name.
    public func command(by actor: Actor, about proof: (label: String, fileName: String?)? = nil) throws -> ClaimCommand {
        guard action.isDirect else {
            throw ClaimRefusal.cannotClaim(
                "\(action.label) is not taken on a claim: only the arbitration of competing claims decides it. Nothing was changed.")
        }
        // The contract counts the note as sent; what it refuses is refused before anything else is read.
        if ClaimNote.isTooLong(note) {
            throw InputRefusal(field: "note", .outsideLimits, "at most \(ClaimNote.maxLength) characters.")
        }
        _ = try TextRule.note.check(note, field: "note")
        if action == .reverse { return try reversalCommand(by: actor) }
        var words = try ClaimNote.words(note)
        var code: ReviewReason?
        if !ReviewReason.offered(for: action).isEmpty {
            code = reasonCode.flatMap(ReviewReason.init(rawValue:))
            words = try ReviewReason.note(code, text: words ?? "", for: action)
            if let proof {
                words = (words ?? "") + " (about \(proof.label)\(proof.fileName.map { ": \($0)" } ?? ""))"
            }
        }
        return ClaimCommand(action, by: actor, reason: words, reasonCode: code)
    }
}
