import Foundation

/// The coded reasons a reviewer gives when asking for more information or rejecting (issue 5): codes
/// so the program can count why claims come back; "Other" needs words.
public enum ReviewReason: String, CaseIterable, Sendable, Codable {
    // Asking for more information.
    case missingProof = "missing_poe"
    case missingCustomerSignature = "missing_customer_signature"
    case missingOrOldDates = "missing_or_old_dates"
    case missingProducts = "missing_products"
    // Rejecting.
    case notEligible = "not_eligible"
    case proofDoesNotShowActivity = "proof_does_not_show_activity"
    case duplicateClaim = "duplicate_claim"
    case outsideEngagementDates = "outside_engagement_dates"
    case other

    public var label: String {
        switch self {
        case .missingProof: "Missing proof of execution"
        case .missingCustomerSignature: "Missing customer signature"
        case .missingOrOldDates: "Missing or outdated dates"
        case .missingProducts: "Missing products or workloads"
        case .notEligible: "Customer or location not eligible"
        case .proofDoesNotShowActivity: "Proof does not show the activity"
        case .duplicateClaim: "Duplicate of another claim"
        case .outsideEngagementDates: "Activity outside the engagement's dates"
        case .other: "Other"
        }
    }

    /// The codes offered for an action (a request for information, or a rejection).
    public static func offered(for action: ClaimAction) -> [ReviewReason] {
        switch action {
        case .requestInformation: [.missingProof, .missingCustomerSignature, .missingOrOldDates, .missingProducts, .other]
        case .reject: [.notEligible, .proofDoesNotShowActivity, .duplicateClaim, .outsideEngagementDates, .other]
        default: []
        }
    }

    /// The history note for a coded reason: "Missing customer signature: the form on page 2 is unsigned".
    /// "Other" is only its words, which it must have.
    public static func note(_ code: ReviewReason?, text: String, for action: ClaimAction) throws(ClaimRefusal) -> String {
        let words = try ClaimNote.words(text) ?? ""
        guard let code, offered(for: action).contains(code) else {
            throw .cannotClaim("Choose a reason from the list.")
        }
        if code == .other {
            guard !words.isEmpty else { throw .cannotClaim("Say what is wrong: \"Other\" needs a few words.") }
            return words
        }
        return words.isEmpty ? code.label : "\(code.label): \(words)"
    }
}

