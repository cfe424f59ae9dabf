import Foundation
import IncentivesDomain

/// The whole catalogue as one value, as `incentives catalogue export` writes it and `import` reads it: the program, its
/// solution areas, and every engagement with all its versions. Records refer to each other by what a person reads (an
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
        public var terms: EngagementTerms
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
    }

    public var program: ProgramEntry?
    public var areas: [AreaEntry]
    public var engagements: [EngagementEntry]

    /// The first line of every file: what it is, and the version of its format.
    public static let format = "partner-incentives catalogue 1"
}
