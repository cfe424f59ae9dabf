import Foundation

/// A role a partner user holds on one location (DOMAIN.md section 1; roles are granted per location).
public enum LocationRole: String, CaseIterable, Sendable, Codable, Comparable {
    /// Manages the organization's users and their roles.
    case accountAdmin = "account_admin"
    case incentivesAdmin = "incentives_admin"
    case incentivesUser = "incentives_user"

    public var label: String {
        switch self {
        case .accountAdmin: "Account admin"
        case .incentivesAdmin: "Incentives admin"
        case .incentivesUser: "Incentives user"
        }
    }

    /// The role this grants in the claim lifecycle; an account admin alone acts on no claim.
    public var actorRole: ActorRole? {
        switch self {
        case .accountAdmin: nil
        case .incentivesAdmin: .incentivesAdmin
        case .incentivesUser: .incentivesUser
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A role on the vendor's side of the program.
public enum VendorRole: String, CaseIterable, Sendable, Codable {
    case programManager = "program_manager"
    case reviewer

    public var label: String { actorRole.label }

    public var actorRole: ActorRole {
        switch self {
        case .programManager: .programManager
        case .reviewer: .reviewer
        }
    }
}

/// Where a user belongs: a partner organization (with roles per location) or the vendor.
public enum Membership: Hashable, Sendable {
    case partner(organizationID: Int64, roles: [Int64: Set<LocationRole>])
    case vendor(VendorRole)
}

/// A part of the product a signed-in user may open; the navigation shows exactly these.
public enum Section: String, CaseIterable, Sendable {
    case home, engagements, claims, eligibility, payeeProfiles, enrollment, earnings, payments, review, catalogue, partners, users, webhooks

    public var title: String {
        switch self {
        case .home: "Home"
        case .engagements: "Engagements"
        case .claims: "Customer claims"
        case .eligibility: "Eligibility"
        case .payeeProfiles: "Payee profiles"
        case .enrollment: "Enrollment"
        case .earnings: "Earnings"
        case .payments: "Payments"
        case .review: "Review"
        case .catalogue: "Catalogue"
        case .partners: "Partners"
        case .users: "Users"
        case .webhooks: "Webhooks"
        }
    }
}

/// The signed-in person a request acts for: who they are and what they may see and do.
public struct Viewer: Hashable, Sendable {
    public var userID: Int64
    public var email: String
    public var name: String
    public var membership: Membership
    /// The partner organization's name, or "Vendor", for the header.
    public var organizationName: String
    /// The zone pages show times in; storage is UTC.
    public var timeZone: TimeZone

    public init(userID: Int64, email: String, name: String, membership: Membership, organizationName: String = "",
                timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.userID = userID; self.email = email; self.name = name; self.membership = membership; self.timeZone = timeZone
        if case .vendor = membership, organizationName.isEmpty { self.organizationName = "Vendor" } else { self.organizationName = organizationName }
    }

    public var organizationID: Int64? {
        if case .partner(let id, _) = membership { id } else { nil }
    }

    public var vendorRole: VendorRole? {
        if case .vendor(let role) = membership { role } else { nil }
    }

    /// Roles held per location (empty for the vendor).
    public var locationRoles: [Int64: Set<LocationRole>] {
        if case .partner(_, let roles) = membership { roles } else { [:] }
    }

    /// Locations on which the user may act in the program: those where they hold an Incentives role.
    public var incentiveLocations: Set<Int64> {
        Set(locationRoles.filter { $0.value.contains(.incentivesAdmin) || $0.value.contains(.incentivesUser) }.keys)
    }

    /// Locations whose users and roles the user manages.
    public var administeredLocations: Set<Int64> {
        Set(locationRoles.filter { $0.value.contains(.accountAdmin) }.keys)
    }

    /// What partner data the repositories let this viewer read.
    public var scope: AccessScope {
        switch membership {
        case .partner(let organizationID, _): .partner(organizationID: organizationID, locationIDs: incentiveLocations)
        case .vendor: .vendor
        }
    }

    /// The role this viewer acts in on a claim of a location; Incentives admin wins over Incentives user.
    public func actorRole(atLocation locationID: Int64) -> ActorRole? {
        switch membership {
        case .vendor(let role): return role.actorRole
        case .partner(_, let roles):
            let held = roles[locationID] ?? []
            if held.contains(.incentivesAdmin) { return .incentivesAdmin }
            if held.contains(.incentivesUser) { return .incentivesUser }
            return nil
        }
    }

    /// Whether the viewer holds Incentives admin on at least one location (edits payee profiles, enrollment).
    public var isIncentivesAdmin: Bool { locationRoles.values.contains { $0.contains(.incentivesAdmin) } }

    /// The one place that decides which sections a role may open (DOMAIN.md section 1).
    public func may(open section: Section) -> Bool {
        switch membership {
        case .vendor(let role):
            switch section {
            case .home, .claims, .review, .catalogue: return true
            // The vendor's directory of partners: the program manager changes it, the reviewer reads it.
            case .partners: return true
            // The program manager validates payee profiles and enrollments, and sees what is paid.
            case .payeeProfiles, .enrollment, .earnings: return role == .programManager
            // Payment runs move money: the program manager's, approved by a second one.
            case .payments: return role == .programManager
            // The vendor's own endpoints (events of every organization) are the program manager's.
            case .webhooks: return role == .programManager
            case .engagements, .eligibility, .users: return false
            }
        case .partner:
            let inProgram = !incentiveLocations.isEmpty
            switch section {
            case .home: return true
            case .engagements, .claims, .eligibility, .payeeProfiles, .enrollment, .earnings: return inProgram
            case .users: return !administeredLocations.isEmpty
            // Endpoints receive the whole organization's claims and earnings: an Incentives admin's to set up.
            case .webhooks: return isIncentivesAdmin
            // A partner reads its payments on Earnings and its remittance advice, never the vendor's runs.
            case .review, .catalogue, .partners, .payments: return false
            }
        }
    }

    public var sections: [Section] { Section.allCases.filter { may(open: $0) } }

    /// "Incentives admin on 4 locations", "Reviewer": a short line for the header.
    public var roleSummary: String {
        switch membership {
        case .vendor(let role): return role.label
        case .partner(_, let roles):
            let held = Set(roles.values.flatMap { $0 })
            let main = [LocationRole.incentivesAdmin, .incentivesUser, .accountAdmin].first { held.contains($0) }
            guard let main else { return "No role yet" }
            let count = roles.values.filter { $0.contains(main) }.count
            return "\(main.label), \(count) location\(count == 1 ? "" : "s")"
        }
    }
}

/// How long a session lives: it ends after `idle` without a request, and after `absolute` whatever happens.
public struct SessionPolicy: Sendable, Hashable {
    public var idle: TimeInterval
    public var absolute: TimeInterval
    /// A session's last-seen time is written at most this often, so reads stay reads.
    public var touchEvery: TimeInterval

    public init(idle: TimeInterval = 30 * 60, absolute: TimeInterval = 12 * 3600, touchEvery: TimeInterval = 60) {
        self.idle = idle; self.absolute = absolute; self.touchEvery = touchEvery
    }

    public static let standard = SessionPolicy()

    /// Whether a session created at `createdAt` and last seen at `lastSeenAt` is still alive at `now`.
    public func isAlive(createdAt: Date, lastSeenAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) < idle && now.timeIntervalSince(createdAt) < absolute
    }
}

/// Checks on new users and passwords, the same for the web and the command line.
public enum Credentials {
    public static let minimumPasswordLength = 12
    /// bcrypt reads no further: a longer password is refused when set, so no account's is longer.
    public static let maximumPasswordBytes = 72

    /// Why a password is not acceptable, or nil.
    public static func problem(withPassword password: String) -> String? {
        if password.count < minimumPasswordLength { return "Use at least \(minimumPasswordLength) characters." }
        if password.utf8.count > maximumPasswordBytes { return "Use at most \(maximumPasswordBytes) bytes; longer passwords are cut by bcrypt." }
        return nil
    }

    /// The address in lower case, or nil when it is not a plausible email address.
    public static func normalizedEmail(_ raw: String) -> String? {
        // One line without hidden characters, within the outbox's limit, then the outbox's own rule, so that no
        // account holds an address its mail could never be sent to.
        guard let email = try? TextRule.accountEmail.check(raw, field: "email").lowercased(), MailMessage.isAddress(email) else { return nil }
        return email
    }
}
