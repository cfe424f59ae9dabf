import Foundation

/// Who moves an enrollment or a bank profile along.
public enum PayeeActor: Sendable, Hashable {
    case incentivesAdmin, programManager
}

/// A step of a location's enrollment in a program.
public enum EnrollmentAction: String, CaseIterable, Sendable {
    /// The partner accepts the vendor's invitation and starts filling in the enrollment.
    case accept
    /// The partner sends the completed enrollment (or the requested update) for validation (up to 48 hours).
    case submit
    /// The vendor validates it.
    case approve
    /// The vendor asks the partner for an update.
    case requestAction = "request_action"
    /// The vendor pauses an enrolled location, or reactivates an inactive one.
    case deactivate, reactivate
    /// The vendor ends the location's part in the program; final.
    case discontinue
}

/// Why an enrollment step or a bank profile decision is refused, in words.
public struct EnrollmentRefusal: Error, Sendable, Hashable {
    public var message: String
}

extension EnrollmentStatus {
    /// The enrollment state machine (DOMAIN.md 2): invited → enrolling → validating → enrolled, with
    /// action required looping back through validating; inactive and discontinued are the vendor's.
    /// Accepting an invitation only starts enrolling **(ours)**: the partner then checks its payee
    /// details and submits, because validation needs a bank and a tax profile to look at.
    public func applying(_ action: EnrollmentAction, by actor: PayeeActor, payeeReady: Bool = true) -> Result<EnrollmentStatus, EnrollmentRefusal> {
        let next: EnrollmentStatus?
        switch (self, action, actor) {
        case (.invited, .accept, .incentivesAdmin): next = .enrolling
        case (.enrolling, .submit, .incentivesAdmin), (.actionRequired, .submit, .incentivesAdmin):
            guard payeeReady else {
                return .failure(EnrollmentRefusal(message: "Assign a bank profile and add a valid tax profile to the location first."))
            }
            next = .validating
        case (.validating, .approve, .programManager): next = .enrolled
        case (.validating, .requestAction, .programManager), (.enrolling, .requestAction, .programManager): next = .actionRequired
        case (.enrolled, .deactivate, .programManager): next = .inactive
        case (.inactive, .reactivate, .programManager): next = .enrolled
        case (let from, .discontinue, .programManager) where from != .discontinued: next = .discontinued
        default: next = nil
        }
        guard let next else {
            return .failure(EnrollmentRefusal(message: "An enrollment that is \(label.lowercased()) cannot be changed that way."))
        }
        return .success(next)
    }

    /// The steps an actor may try from here (the buttons a page offers); submitting may still need payee details.
    public func actions(for actor: PayeeActor) -> [EnrollmentAction] {
        EnrollmentAction.allCases.filter { if case .success = applying($0, by: actor) { true } else { false } }
    }
}

extension BankProfileStatus {
    /// The program manager's decision on a bank profile: approved, or action required with a reason the
    /// partner sees. A replaced profile is no longer decided on.
    public func deciding(_ decision: BankProfileStatus, reason: String?, replaced: Bool) -> Result<(BankProfileStatus, String?), EnrollmentRefusal> {
        if replaced { return .failure(EnrollmentRefusal(message: "This profile was replaced; decide on the newer one.")) }
        switch decision {
        case .pendingValidation:
            return .failure(EnrollmentRefusal(message: "Choose approved or action required."))
        case .approved:
            guard self != .approved else { return .failure(EnrollmentRefusal(message: "The profile is already approved.")) }
            return .success((.approved, nil))
        case .actionRequired:
            do throws(InputRefusal) {
                return .success((.actionRequired, try TextRule.bankUpdateReason.check(reason ?? "", field: "reason")))
            } catch {
                return .failure(EnrollmentRefusal(message: error.message))
            }
        }
    }
}
