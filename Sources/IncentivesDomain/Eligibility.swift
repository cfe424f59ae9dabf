import Foundation

/// Where a location stands on one partner criterion of an engagement (DOMAIN.md 2), as the program manager sets it.
public enum CriterionStatus: String, CaseIterable, Sendable, Codable {
    case met
    case notMet = "not_met"
    /// Met through its `expiresOn` day (UTC), not met after it: the deadline sweep then moves it to `notMet`.
    case expiring

    public var label: String {
        switch self {
        case .met: "Met"
        case .notMet: "Not met"
        case .expiring: "Met, expiring"
        }
    }

    /// Whether a criterion of this status counts as met at an instant (an expiring one until its day has ended).
    public func isMet(expiresOn: DayDate?, at instant: Date) -> Bool {
        switch self {
        case .met: true
        case .notMet: false
        case .expiring: expiresOn.map { instant < $0.endUTC } ?? false
        }
    }
}

/// A criterion's status as a program manager sets it, checked: the status, its last day (expiring only), the evidence.
public struct CriterionSetting: Hashable, Sendable {
    public var status: CriterionStatus
    public var expiresOn: DayDate?
    public var evidence: String

    /// What backs a status: a note of up to 2,000 code points.
    public static let evidenceRule = TextRule(label: "The evidence", maxLength: 2_000, multiline: true)

    public init(status: CriterionStatus, expiresOn: DayDate?, evidence: String) {
        self.status = status; self.expiresOn = expiresOn; self.evidence = evidence
    }

    /// Checks what was typed: `status` met | not_met | expiring; `expires_on` a YYYY-MM-DD after `today`, given for an
    /// expiring status only; `evidence` within its rule. The refusal names the field (`status`, `expires_on`, `evidence`).
    public init(status raw: String, expiresOn day: String, evidence: String, today: DayDate) throws(InputRefusal) {
        guard let status = CriterionStatus(rawValue: raw.trimmingCharacters(in: .whitespaces)) else {
            throw InputRefusal(field: "status", .invalid, "The status is \"\(raw)\"; use met, not_met or expiring.")
        }
        let dayText = day.trimmingCharacters(in: .whitespaces)
        var expires: DayDate?
        if status == .expiring {
            guard !dayText.isEmpty else {
                throw InputRefusal(field: "expires_on", .invalid, "An expiring criterion needs the day it expires on (YYYY-MM-DD).")
            }
            guard let parsed = DayDate(dayText) else {
                throw InputRefusal(field: "expires_on", .invalid, "The expiry date \"\(dayText)\" is not a date like 2027-03-31.")
            }
            guard parsed > today else {
                throw InputRefusal(field: "expires_on", .invalid, "The expiry date must be after today (\(today)).")
            }
            expires = parsed
        } else if !dayText.isEmpty {
            throw InputRefusal(field: "expires_on", .invalid, "Only an expiring criterion takes an expiry date; leave it empty.")
        }
        self.init(status: status, expiresOn: expires, evidence: try Self.evidenceRule.check(evidence, field: "evidence"))
    }

    /// The status in words, with the day when it expires ("Met until 2027-03-31").
    public var summary: String { Self.summary(status, expiresOn: expiresOn) }

    public static func summary(_ status: CriterionStatus, expiresOn: DayDate?) -> String {
        if status == .expiring, let day = expiresOn { return "Met until \(day)" }
        return status.label
    }
}

/// A rule of the eligibility lists that says no: a location already listed, a request already pending, a criterion the
/// engagement does not have. `field` names the input it is about.
public struct EligibilityRefusal: Error, Hashable, Sendable, DomainRefusal {
    public var message: String
    public var field: String?

    public init(_ message: String, field: String? = nil) { self.message = message; self.field = field }

    public var description: String { message }
    public var refusedInput: String? { field }
}

/// What the program manager does to a list entry from an import.
public enum ListAction: String, CaseIterable, Sendable {
    case add, remove
}

/// Where an inclusion request stands.
public enum InclusionRequestStatus: String, CaseIterable, Sendable, Codable {
    case pending, approved, declined

    public var label: String {
        switch self {
        case .pending: "Pending"
        case .approved: "Approved"
        case .declined: "Declined"
        }
    }
}

/// A partner's request that a location of theirs be added to an engagement's eligibility list, and its answer.
public struct InclusionRequest: Hashable, Sendable {
    public var id: Int64
    public var engagementID: Int64
    public var engagementName: String
    public var organizationID: Int64
    public var organizationName: String
    public var locationID: Int64
    public var locationName: String
    public var note: String
    public var status: InclusionRequestStatus
    public var requestedByName: String
    public var requestedAt: Date
    public var decidedByName: String?
    public var decidedAt: Date?
    /// Why it was declined (nil when approved or pending).
    public var reason: String?

    public init(id: Int64, engagementID: Int64, engagementName: String, organizationID: Int64, organizationName: String,
                locationID: Int64, locationName: String, note: String, status: InclusionRequestStatus, requestedByName: String,
                requestedAt: Date, decidedByName: String? = nil, decidedAt: Date? = nil, reason: String? = nil) {
        self.id = id; self.engagementID = engagementID; self.engagementName = engagementName
        self.organizationID = organizationID; self.organizationName = organizationName
        self.locationID = locationID; self.locationName = locationName; self.note = note; self.status = status
        self.requestedByName = requestedByName; self.requestedAt = requestedAt
        self.decidedByName = decidedByName; self.decidedAt = decidedAt; self.reason = reason
    }

    /// Why the location should be on the list, as the partner writes it.
    public static let noteRule = TextRule(label: "Why the location should be included", maxLength: 2_000, required: true, multiline: true,
                                          missing: "Say why the location should be on the list.")
    /// Why the program manager declines, which the partner reads.
    public static let reasonRule = TextRule(label: "The reason", maxLength: 2_000, required: true, multiline: true,
                                            missing: "Say why the request is declined; the partner reads it.")
}
