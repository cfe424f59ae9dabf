import Foundation

/// A customer contact who answers consent and surveys by email (no account).
public struct Contact: Hashable, Sendable, Codable {
    public var name: String
    public var title: String
    public var email: String

    public init(name: String, title: String, email: String) {
        self.name = name; self.title = title; self.email = email
    }
}

/// A customer, known by one or more of its ids.
public struct Customer: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var name: String
    public var domain: String?
    public var tenantID: String?
    public var topParentID: String?
    public var subscriptionID: String?
    public var opportunityID: String?

    public init(id: Int64, name: String, domain: String? = nil, tenantID: String? = nil, topParentID: String? = nil,
                subscriptionID: String? = nil, opportunityID: String? = nil) {
        self.id = id; self.name = name; self.domain = domain; self.tenantID = tenantID
        self.topParentID = topParentID; self.subscriptionID = subscriptionID; self.opportunityID = opportunityID
    }

    /// The identifiers a customer can be recorded with.
    public enum Field: Sendable, CaseIterable { case domain, tenantID, subscriptionID }

    public subscript(field: Field) -> String? {
        switch field {
        case .domain: domain
        case .tenantID: tenantID
        case .subscriptionID: subscriptionID
        }
    }
}

/// An engagement claim: one location claiming one customer on one engagement.
public struct Claim: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var organizationID: Int64
    public var locationID: Int64
    public var engagementID: Int64
    /// The engagement version the claim is held to: in force at creation, re-pinned at consent.
    public var engagementVersion: Int
    public var customerID: Int64
    public var name: String
    public var kind: ClaimKind
    public var status: ClaimStatus
    /// Set when the partner disputes a rejection; the claim's one dispute is then used.
    public var isDisputeRound: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var consentAt: Date?
    public var firstSubmittedAt: Date?
    public var rejectedAt: Date?
    /// When the reviewer last asked for more information.
    public var actionRequestedAt: Date?
    /// Hours delivered, for variable pay; fixed once entered.
    public var hours: Decimal?
    /// What the claim earns (or would earn) at its location's market under its engagement version.
    public var amount: Money?
    /// Optimistic-locking counter, raised by every change.
    public var version: Int

    public init(id: Int64, organizationID: Int64, locationID: Int64, engagementID: Int64, engagementVersion: Int,
                customerID: Int64, name: String, kind: ClaimKind, status: ClaimStatus, isDisputeRound: Bool = false,
                createdAt: Date, updatedAt: Date? = nil, consentAt: Date? = nil, firstSubmittedAt: Date? = nil,
                rejectedAt: Date? = nil, actionRequestedAt: Date? = nil, hours: Decimal? = nil, amount: Money? = nil,
                version: Int = 1) {
        self.id = id; self.organizationID = organizationID; self.locationID = locationID
        self.engagementID = engagementID; self.engagementVersion = engagementVersion; self.customerID = customerID
        self.name = name; self.kind = kind; self.status = status; self.isDisputeRound = isDisputeRound
        self.createdAt = createdAt; self.updatedAt = updatedAt ?? createdAt; self.consentAt = consentAt
        self.firstSubmittedAt = firstSubmittedAt; self.rejectedAt = rejectedAt
        self.actionRequestedAt = actionRequestedAt; self.hours = hours; self.amount = amount; self.version = version
    }
}

/// Which side of the program an actor is on; recorded with every history row.
public enum Side: String, CaseIterable, Sendable, Codable {
    case partner, vendor, customer, clock
}

/// Who may act on a claim.
public enum ActorRole: String, CaseIterable, Sendable, Codable {
    case incentivesAdmin = "incentives_admin"
    case incentivesUser = "incentives_user"
    case reviewer
    case programManager = "program_manager"
    case customer
    case clock

    public var side: Side {
        switch self {
        case .incentivesAdmin, .incentivesUser: .partner
        case .reviewer, .programManager: .vendor
        case .customer: .customer
        case .clock: .clock
        }
    }

    public var label: String {
        switch self {
        case .incentivesAdmin: "Incentives admin"
        case .incentivesUser: "Incentives user"
        case .reviewer: "Reviewer"
        case .programManager: "Program manager"
        case .customer: "Customer contact"
        case .clock: "Deadline clock"
        }
    }

    /// The role in a sentence: "an Incentives admin", "a reviewer", "the customer".
    public var withArticle: String {
        switch self {
        case .incentivesAdmin, .incentivesUser: "an \(label)"
        case .reviewer: "a reviewer"
        case .programManager: "a program manager"
        case .customer: "the customer"
        case .clock: "the deadline clock"
        }
    }
}

/// One acting party: a role and who holds it (a user, a customer's email, or the clock).
public struct Actor: Hashable, Sendable, Codable {
    public var role: ActorRole
    public var userID: Int64?
    public var name: String

    public init(role: ActorRole, userID: Int64? = nil, name: String) {
        self.role = role; self.userID = userID; self.name = name
    }

    public static let clock = Actor(role: .clock, name: "Deadline clock")
}

/// One row of a claim's append-only history.
public struct ClaimHistoryEntry: Hashable, Sendable, Codable {
    public var claimID: Int64
    public var at: Date
    public var action: ClaimAction
    public var actor: Actor
    public var from: ClaimStatus?
    public var to: ClaimStatus
    public var note: String?
    public var reasonCode: ReviewReason?
    /// Where a customer answered from (consent is evidence; the vendor may need to show it).
    public var address: String?
    /// A reversal's coded reason; stored in the same column as `reasonCode`, which the action tells apart.
    public var reversalReason: ReversalReason?

    public init(claimID: Int64, at: Date, action: ClaimAction, actor: Actor, from: ClaimStatus?, to: ClaimStatus, note: String?,
                reasonCode: ReviewReason? = nil, address: String? = nil, reversalReason: ReversalReason? = nil) {
        self.claimID = claimID; self.at = at; self.action = action; self.actor = actor
        self.from = from; self.to = to; self.note = note; self.reasonCode = reasonCode; self.address = address
        self.reversalReason = reversalReason
    }

    /// The coded reason as stored (a review's or a reversal's), or nil.
    public var codedReason: String? { reasonCode?.rawValue ?? reversalReason?.rawValue }

    /// The entry with its stored code read as the action's kind of code: a reversal's codes are not a review's.
    public func withCodedReason(_ code: String?) -> ClaimHistoryEntry {
        var entry = self
        entry.reasonCode = action == .reverse ? nil : code.flatMap(ReviewReason.init(rawValue:))
        entry.reversalReason = action == .reverse ? code.flatMap(ReversalReason.init(rawValue:)) : nil
        return entry
    }

    public var side: Side { actor.role.side }
}

/// What a caller may see: one partner organization's claims on the locations it holds roles on, or
/// everything (vendor staff, the CLI and the clock). Repositories apply it in every query.
public enum AccessScope: Hashable, Sendable {
    case partner(organizationID: Int64, locationIDs: Set<Int64>)
    case vendor
    case system
}
