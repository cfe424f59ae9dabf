import Foundation

/// One entry of the program's append-only history: a change to the catalogue, a partner, an eligibility list, a
/// criterion or an inclusion request, with who made it and when. Claims keep their own (`ClaimHistoryEntry`).
public struct ProgramChange: Hashable, Sendable {
    /// What changed: the kind of record.
    public enum Subject: String, CaseIterable, Sendable, Codable {
        case program
        case solutionArea = "solution_area"
        case engagement
        case engagementVersion = "engagement_version"
        case templateFile = "template_file"
        case organization
        case location
        case enrollment
        case eligibility
        case criterion
        case inclusionRequest = "inclusion_request"
    }

    public var at: Date
    /// The user who made it; nil for the clock and the importer's system runs.
    public var actorUserID: Int64?
    public var actorName: String
    public var subject: Subject
    public var subjectID: Int64
    /// What was done, in a word of the domain: "created", "renamed", "published", "listed", "set_met", …
    public var action: String
    /// Where it belongs, so a partner's view and an engagement's page can be scoped to it.
    public var organizationID: Int64?
    public var locationID: Int64?
    public var engagementID: Int64?
    /// The change in a sentence a person reads ("Name: Cedar Systems → Cedar Systems GmbH").
    public var detail: String?

    public init(at: Date, actorUserID: Int64?, actorName: String, subject: Subject, subjectID: Int64, action: String,
                organizationID: Int64? = nil, locationID: Int64? = nil, engagementID: Int64? = nil, detail: String? = nil) {
        self.at = at; self.actorUserID = actorUserID; self.actorName = actorName; self.subject = subject
        self.subjectID = subjectID; self.action = action; self.organizationID = organizationID
        self.locationID = locationID; self.engagementID = engagementID; self.detail = detail
    }

    /// A change made by a signed-in person.
    public init(by viewer: Viewer, at: Date, subject: Subject, subjectID: Int64, action: String,
                organizationID: Int64? = nil, locationID: Int64? = nil, engagementID: Int64? = nil, detail: String? = nil) {
        self.init(at: at, actorUserID: viewer.userID, actorName: viewer.name, subject: subject, subjectID: subjectID, action: action,
                  organizationID: organizationID, locationID: locationID, engagementID: engagementID, detail: detail)
    }
}
