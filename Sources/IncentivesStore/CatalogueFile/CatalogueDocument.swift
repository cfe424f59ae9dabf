import Foundation
import IncentivesDomain

/// The whole catalogue as one value, as `incentives catalogue export` writes it and `import` reads it: the program, its
/// solution areas, every engagement with all its versions and its eligibility list, and the partner organizations with
/// their locations. Payee profiles, people and claims are not in it: they are the partners' own. Records refer to each other by what a person reads (an
/// area's code, an engagement's name), never by database ids, so a file moves between databases.
public struct CatalogueDocument: Sendable, Equatable {
    public struct ProgramEntry: Sendable, Equatable {
        public var name: String
        public var managerName: String
        public var managerEmail: String
        public var calendar: WorkingCalendar
    }

    public struct AreaEntry: Sendable, Equatable {
        public var code: String
        public var name: String
        public var position: Int
    }

    public struct VersionEntry: Sendable, Equatable {
        public var number: Int
        public var isDraft: Bool
        public var effectiveFrom: Date
        public var publishedAt: Date?
        public var publishedBy: String?
        /// The terms; a proof requirement's file is named by `templateRefs`, never by a database id.
        public var terms: EngagementTerms
        /// The template file of each proof kind that has one: a `TemplateFile.ref` of the engagement.
        public var templateRefs: [ProofRequirement.Kind: String] = [:]
    }

    /// A proof template file the vendor uploaded for the engagement, its bytes in the file (base64), named `t1`, `t2`… in
    /// the order they were uploaded, which also gives their version labels back.
    public struct TemplateFile: Sendable, Equatable {
        public var ref: String
        public var kind: ProofRequirement.Kind
        public var fileName: String
        public var uploadedBy: String
        public var uploadedAt: Date
        public var bytes: [UInt8]
    }

    public struct EngagementEntry: Sendable, Equatable {
        public var name: String
        public var area: String
        public var role: PartnerRole
        public var lifecycle: EngagementLifecycle
        /// The status as it stands: engagements from before the console have no dates to derive it from.
        public var status: EngagementStatus
        public var opensOn: DayDate?
        public var closesAfter: DayDate?
        public var versions: [VersionEntry]
        public var templateFiles: [TemplateFile] = []
        /// The engagement's eligibility list and the criteria results of its locations, by partner and location name.
        public var eligibility: [ListedLocation] = []
    }

    /// A location's place on an engagement's list (`listedAt` nil: results kept for a location taken off the list).
    public struct ListedLocation: Sendable, Equatable {
        public var partner: String
        public var location: String
        public var listedAt: Date?
        public var listedBy: String?
        public var criteria: [CriterionResult]
    }

    /// One partner criterion's result for a location, keyed by the criterion's words.
    public struct CriterionResult: Sendable, Equatable {
        public var criterion: String
        public var status: CriterionStatus
        public var expiresOn: DayDate?
        public var evidence: String?
        public var setBy: String?
        public var setAt: Date?
    }

    public struct PartnerEntry: Sendable, Equatable {
        public var name: String
        public var since: Date?
        public var deactivated: Deactivation?
        public var locations: [LocationEntry]
    }

    public struct LocationEntry: Sendable, Equatable {
        public var name: String
        public var country: String
        public var deactivated: Deactivation?
        /// The location's enrollment in the program, if it was invited.
        public var enrollment: EnrollmentStatus?
    }

    public var program: ProgramEntry?
    public var areas: [AreaEntry]
    public var engagements: [EngagementEntry]
    public var partners: [PartnerEntry] = []

    /// The first line of every file: what it is, and the version of its format.
    public static let format = "partner-incentives catalogue 1"
}
