/// The two kinds of engagement claim (DOMAIN.md 3 and 4).
public enum ClaimKind: String, CaseIterable, Sendable, Codable {
    case partnerActivities = "partner_activities"
    /// Use or consume: Claiming Partner of Record (CPOR).
    case useOrConsume = "use_or_consume"

    public var label: String {
        switch self {
        case .partnerActivities: "Partner activities"
        case .useOrConsume: "Use or consume (CPOR)"
        }
    }
}

/// The 17 statuses of a claim, stored by their stable snake_case codes.
public enum ClaimStatus: String, CaseIterable, Sendable, Codable {
    case customerClaimed = "customer_claimed"
    case awaitingConsent = "awaiting_consent"
    case consentReceived = "consent_received"
    case consentDeclined = "consent_declined"
    case consentRejected = "consent_rejected"
    case consentExpired = "consent_expired"
    case canceled
    case submitted
    case notSubmittedExpired = "not_submitted_expired"
    case underReview = "under_review"
    case partnerActionRequired = "partner_action_required"
    case postSubmissionExpired = "post_submission_expired"
    case approved
    case rejected
    case disputed
    case disputedExpired = "disputed_expired"
    case rejectedFinal = "rejected_final"

    /// The label partners know from the seed's status definitions.
    public var label: String {
        switch self {
        case .customerClaimed: "Customer claimed"
        case .awaitingConsent: "Awaiting customer consent response"
        case .consentReceived: "Customer consent received"
        case .consentDeclined: "Customer consent declined"
        case .consentRejected: "Consent rejected"
        case .consentExpired: "Customer consent expired"
        case .canceled: "Canceled"
        case .submitted: "Submitted"
        case .notSubmittedExpired: "Not submitted expired"
        case .underReview: "Under review"
        case .partnerActionRequired: "Partner action required"
        case .postSubmissionExpired: "Post submission expired"
        case .approved: "Approved"
        case .rejected: "Rejected"
        case .disputed: "Disputed"
        case .disputedExpired: "Disputed expired"
        case .rejectedFinal: "Rejected final"
        }
    }

    /// What the status means, in the seed's words.
    public var definition: String {
        switch self {
        case .customerClaimed: "Partner claimed the customer; the consent request is not sent yet."
        case .awaitingConsent: "The consent request was sent; waiting for the customer's answer."
        case .consentReceived: "The customer gave consent."
        case .consentDeclined: "The customer said no to the consent request."
        case .consentRejected: "The customer withdrew consent that had been given."
        case .consentExpired: "The customer did not answer within the consent deadline."
        case .canceled: "The partner canceled the claim before submitting it."
        case .submitted: "All required proof is in; the claim is ready for review."
        case .notSubmittedExpired: "The claim was not submitted within the deadline after consent."
        case .underReview: "A reviewer is working on the claim."
        case .partnerActionRequired: "The reviewer asked the partner for more information."
        case .postSubmissionExpired: "The partner did not answer the reviewer's requests in time."
        case .approved: "The reviewer found every required element."
        case .rejected: "The claim failed the review criteria; it may be disputed once."
        case .disputed: "The partner reopened the rejected claim to ask for another review."
        case .disputedExpired: "The dispute window closed before a dispute was submitted."
        case .rejectedFinal: "The dispute was rejected; this decision is final."
        }
    }

    /// Terminal statuses accept no action: the partner starts a new claim instead.
    public var isTerminal: Bool {
        switch self {
        case .consentDeclined, .consentRejected, .consentExpired, .canceled, .notSubmittedExpired,
             .postSubmissionExpired, .disputedExpired, .rejectedFinal:
            true
        default:
            false
        }
    }

    /// Counts against a customer's limit of active claims on an engagement.
    public var isActive: Bool { !isTerminal }

    /// Reached by the clock alone.
    public var isExpired: Bool {
        switch self {
        case .consentExpired, .notSubmittedExpired, .postSubmissionExpired, .disputedExpired: true
        default: false
        }
    }
}
