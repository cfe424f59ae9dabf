import Foundation

/// A tab on the engagements and claims lists, e.g. "Cloud infrastructure".
public struct SolutionArea: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var code: String
    public var name: String

    public init(id: Int64, code: String, name: String) {
        self.id = id; self.code = code; self.name = name
    }
}

/// The incentive program a vendor runs; the unit of enrollment.
public struct Program: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var name: String
    /// Who partners contact to be added to an engagement's eligibility list.
    public var managerName: String
    public var managerEmail: String
    public var calendar: WorkingCalendar

    public init(id: Int64, name: String, managerName: String, managerEmail: String, calendar: WorkingCalendar = .mondayToFriday) {
        self.id = id; self.name = name; self.managerName = managerName; self.managerEmail = managerEmail
        self.calendar = calendar
    }
}

/// What the partner does to earn: deliver activities (build intent), or be the customer's partner of
/// record for usage (use or consume, CPOR).
public enum PartnerRole: String, CaseIterable, Sendable, Codable {
    case buildIntent = "build_intent"
    case useOrConsume = "use_or_consume"

    public var label: String {
        switch self {
        case .buildIntent: "Build intent - Partner activities"
        case .useOrConsume: "Use or consume"
        }
    }

    /// The kind of claim an engagement of this role takes.
    public var claimKind: ClaimKind {
        switch self {
        case .buildIntent: .partnerActivities
        case .useOrConsume: .useOrConsume
        }
    }
}

/// Where an engagement is in its life.
public enum EngagementStatus: String, CaseIterable, Sendable, Codable {
    case upcoming, active, closed

    public var label: String { rawValue.capitalized }
}

/// How a claim is paid: a fixed amount by market, or hours times an hourly rate by market.
public enum PayModel: String, CaseIterable, Sendable, Codable {
    case fixed
    case variable

    public var label: String {
        switch self {
        case .fixed: "Fixed rate"
        case .variable: "Variable (hours x hourly rate)"
        }
    }
}

/// Rates by market; a market with no rate does not pay on the engagement.
public struct MarketRates: Hashable, Sendable, Codable {
    public var currency: Currency
    public var a: Decimal?
    public var b: Decimal?
    public var c: Decimal?

    public init(currency: Currency, a: Decimal?, b: Decimal?, c: Decimal?) {
        self.currency = currency; self.a = a; self.b = b; self.c = c
    }

    public func rate(for market: Market) -> Money? {
        let value: Decimal? = switch market { case .a: a; case .b: b; case .c: c }
        return value.map { Money($0, currency) }
    }
}

/// A document, survey or invoice the partner must provide as proof of execution.
public struct ProofRequirement: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case invoice
        case findingsDocument = "findings_document"
        case customerSurvey = "customer_survey"
        case partnerSurvey = "partner_survey"

        public var label: String {
            switch self {
            case .invoice: "Invoice"
            case .findingsDocument: "Findings / proof-of-execution document"
            case .customerSurvey: "Customer survey"
            case .partnerSurvey: "Partner survey"
            }
        }
    }

    public var kind: Kind
    public var description: String
    /// A downloadable template (name and version), where the program provides one.
    public var templateName: String?
    public var templateVersion: String?
    /// The uploaded template file (`proof_templates`), when the vendor uploaded one; versions stored before have none.
    public var templateID: Int64?
    /// A survey's own questions; nil: the standard ones (`surveyQuestions`), as versions stored before have it.
    public var questions: [SurveyQuestion]?

    public init(kind: Kind, description: String, templateName: String? = nil, templateVersion: String? = nil, templateID: Int64? = nil,
                questions: [SurveyQuestion]? = nil) {
        self.kind = kind; self.description = description
        self.templateName = templateName; self.templateVersion = templateVersion; self.templateID = templateID
        self.questions = questions
    }
}

/// A link to material about the engagement (playbooks, training).
public struct ResourceLink: Hashable, Sendable, Codable {
    public var title: String
    public var url: String

    public init(title: String, url: String) { self.title = title; self.url = url }
}

/// The rules of an engagement from a date on. A claim is held to the version in force on its
/// customer consent date (before consent: on its creation date).
public struct EngagementVersion: Hashable, Sendable, Codable {
    public var number: Int
    public var effectiveFrom: Date
    public var payModel: PayModel
    /// Fixed amount per claim, or the hourly rate when the pay model is variable.
    public var rates: MarketRates
    /// For variable pay: the most hours a claim may enter.
    public var maxHours: Decimal?
    public var deadlines: DeadlinePolicy
    public var description: String
    public var partnerCriteria: [String]
    public var customerCriteria: [CustomerCriterion]
    public var proofRequirements: [ProofRequirement]
    public var resourceLinks: [ResourceLink]

    public init(number: Int, effectiveFrom: Date, payModel: PayModel, rates: MarketRates, maxHours: Decimal? = nil,
                deadlines: DeadlinePolicy, description: String, partnerCriteria: [String], customerCriteria: [CustomerCriterion],
                proofRequirements: [ProofRequirement], resourceLinks: [ResourceLink]) {
        self.number = number; self.effectiveFrom = effectiveFrom; self.payModel = payModel; self.rates = rates
        self.maxHours = maxHours; self.deadlines = deadlines; self.description = description
        self.partnerCriteria = partnerCriteria; self.customerCriteria = customerCriteria
        self.proofRequirements = proofRequirements; self.resourceLinks = resourceLinks
    }
}

/// An earning opportunity with its versions.
public struct Engagement: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var programID: Int64
    public var solutionAreaID: Int64
    public var name: String
    public var role: PartnerRole
    public var type: EngagementType
    public var status: EngagementStatus
    /// The last UTC day on which customers may be claimed.
    public var lastClaimDay: DayDate?
    /// How many active claims one customer may have on this engagement (across partners).
    public var activeClaimsPerCustomer: Int
    /// The most one location may earn on this engagement, if capped.
    public var earningsCap: Money?
    /// Versions, oldest first; never empty.
    public var versions: [EngagementVersion]

    public init(id: Int64, programID: Int64, solutionAreaID: Int64, name: String, role: PartnerRole, type: EngagementType,
                status: EngagementStatus, lastClaimDay: DayDate?, activeClaimsPerCustomer: Int, earningsCap: Money?,
                versions: [EngagementVersion]) {
        precondition(!versions.isEmpty, "an engagement has at least one version")
        self.id = id; self.programID = programID; self.solutionAreaID = solutionAreaID; self.name = name
        self.role = role; self.type = type; self.status = status; self.lastClaimDay = lastClaimDay
        self.activeClaimsPerCustomer = activeClaimsPerCustomer; self.earningsCap = earningsCap
        self.versions = versions.sorted { $0.number < $1.number }
    }

    /// The version whose rules apply at an instant: the newest one already effective (or the first).
    public func version(inForceAt instant: Date) -> EngagementVersion {
        versions.last { $0.effectiveFrom <= instant } ?? versions[0]
    }

    public func version(number: Int) -> EngagementVersion? {
        versions.first { $0.number == number }
    }

    public var currentVersion: EngagementVersion { versions[versions.count - 1] }

    /// Whether a new customer may be claimed at an instant, and if not, why.
    public func refusalToClaim(at instant: Date) -> String? {
        switch status {
        case .upcoming: return "\(name) has not opened for claims yet."
        case .closed: return "\(name) is closed; it no longer takes new claims."
        case .active: break
        }
        if let last = lastClaimDay, instant >= last.endUTC {
            return "The last day to claim customers on \(name) was \(last.text)."
        }
        return nil
    }
}

/// Bad catalogue data entered by a program manager (a field and a message a person understands).
public enum CatalogueError: Error, Equatable, CustomStringConvertible {
    case invalid(field: String, String)

    public var description: String {
        switch self { case .invalid(_, let message): message }
    }
}
