import Foundation

extension InclusionRequest {
    /// The partner's note, checked by `noteRule` (field `note`).
    public static func checkedNote(_ raw: String) throws(InputRefusal) -> String { try noteRule.check(raw, field: "note") }

    /// A request is answered once: only a pending one may be approved or declined.
    public func checkPending() throws(EligibilityRefusal) {
        guard status == .pending else {
            let who = decidedByName.map { " by \($0)" } ?? ""
            throw EligibilityRefusal("This request was already \(status.label.lowercased())\(who).", field: "decision")
        }
    }

    /// "Bluefin Consulting / Seattle".
    public var placeName: String { "\(organizationName) / \(locationName)" }
}

/// The program manager's answer to an inclusion request, checked: approved, or declined with a reason the partner reads.
public enum InclusionDecision: Hashable, Sendable {
    case approve
    case decline(reason: String)

    /// Reads a form or a request: `decision` approve | decline; a decline needs its `reason`.
    public init(decision: String, reason: String) throws(InputRefusal) {
        switch decision.trimmingCharacters(in: .whitespaces) {
        case "approve": self = .approve
        case "decline": self = .decline(reason: try InclusionRequest.reasonRule.check(reason, field: "reason"))
        default: throw InputRefusal(field: "decision", .invalid, "Choose to approve or to decline the request.")
        }
    }

    /// The status the request takes.
    public var status: InclusionRequestStatus {
        switch self {
        case .approve: .approved
        case .decline: .declined
        }
    }

    public var reason: String? {
        if case .decline(let reason) = self { reason } else { nil }
    }
}

extension MailMessage {
    /// The answer to an inclusion request, to an Incentives admin of the location, with a link to the engagement's page.
    public static func inclusionRequestDecided(to email: String, request: InclusionRequest, link: String) -> MailMessage {
        let approved = request.status == .approved
        let answer = approved
            ? "It was approved: \(request.locationName) is now on the eligibility list of \(request.engagementName). "
                + "Its partner criteria are set by the program manager; the engagement's Eligibility page shows them."
            : "It was declined. The reason given:\n\n\(request.reason ?? "")"
        return MailMessage(kind: .decision, to: email,
                           subject: "Inclusion request \(approved ? "approved" : "declined"): \(request.locationName), \(request.engagementName)",
                           body: """
            You asked that \(request.placeName) be included in the eligibility list of \(request.engagementName).

            \(answer)

            Open the engagement's eligibility: \(link)
            """)
    }
}
