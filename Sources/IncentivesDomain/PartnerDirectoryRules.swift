import Foundation

/// Why the vendor's change to a partner organization, location or enrollment invitation is refused: the field it is
/// about and a sentence saying what to do.
public struct PartnerRefusal: Error, Hashable, Sendable, DomainRefusal {
    public var refusalKind: RefusalKind
    public var refusedInput: String?
    public var message: String

    public init(_ kind: RefusalKind, field: String? = nil, _ message: String) {
        refusalKind = kind; refusedInput = field; self.message = message
    }

    /// A refusal by the program's rules, about no field.
    public init(_ message: String) { self.init(.notAllowed, message) }

    public var description: String { message }

    static func invalid(_ field: String, _ message: String) -> PartnerRefusal { PartnerRefusal(.invalidInput, field: field, message) }
}

/// When and why the vendor deactivated an organization or a location; nil on an active one.
public struct Deactivation: Hashable, Sendable {
    public var at: Date
    public var reason: String

    public init(at: Date, reason: String) { self.at = at; self.reason = reason }
}

/// A location's country as the vendor enters it: an ISO 3166-1 alpha-2 code, with the rate market it gives.
public struct CountryCode: Hashable, Sendable {
    public let code: String

    /// The code upper-cased, or a refusal naming the field `country`.
    public init(_ raw: String) throws(PartnerRefusal) {
        let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.unicodeScalars.count == 2, Self.iso3166.contains(code) else {
            let shown = raw.trimmingCharacters(in: .whitespaces)
            // Empty or longer than two breaks the contract's `minLength: 1` / `maxLength: 2`.
            let kind: RefusalKind = raw.isEmpty || raw.unicodeScalars.count > 2 ? .outsideContractLimits : .invalidInput
            throw PartnerRefusal(kind, field: "country", shown.isEmpty ? "Enter the location's country as a two-letter code, like DE or US."
                : "'\(shown)' is not a country code; use the two-letter ISO code, like DE or US.")
        }
        self.code = code
    }

    public var market: Market { Market(country: code) }

    /// Every ISO 3166-1 alpha-2 code in use: `Market` places each in A, B or C.
    public static let iso3166: Set<String> = Set("""
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO \
        JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR \
        MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO \
        RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV \
        TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(separator: " ").map(String.init))
}

/// The rules of the vendor's partner directory: names, countries, deactivation, the first admin and enrollment
/// invitations. The store reads what they decide on and calls them inside the change's transaction.
public enum PartnerRules {
    public static let organizationName = TextRule(label: "The organization's name", maxLength: 120, required: true,
                                                  missing: "Enter the partner organization's name.")
    public static let locationName = TextRule(label: "The location's name", maxLength: 120, required: true,
                                              missing: "Enter the location's name, like \"Berlin\".")
    public static let deactivationReason = TextRule(label: "The reason", maxLength: 500, required: true,
                                                    missing: "Say why it is deactivated; the history keeps it.")

    /// How two names are compared: case-insensitively, by code point case folding.
    public static func nameKey(_ name: String) -> String { name.lowercased() }

    /// The organization's name checked, unique among `taken` (the other organizations' names) case-insensitively.
    public static func organization(name raw: String, taken: [String]) throws(PartnerRefusal) -> String {
        let name = try text(raw, organizationName, field: "name")
        if let clash = taken.first(where: { nameKey($0) == nameKey(name) }) {
            throw .invalid("name", "A partner organization named \"\(clash)\" already exists.")
        }
        return name
    }

    /// The location's name and country checked; the name is unique among `taken` (its organization's other locations).
    public static func location(name raw: String, country: String, taken: [String]) throws(PartnerRefusal) -> (name: String, country: CountryCode) {
        let name = try text(raw, locationName, field: "name")
        if let clash = taken.first(where: { nameKey($0) == nameKey(name) }) {
            throw .invalid("name", "This organization already has a location named \"\(clash)\".")
        }
        return (name, try CountryCode(country))
    }

    /// A deactivation of a record that is active now, with its reason.
    public static func deactivating(_ current: Deactivation?, reason: String, at instant: Date, what: String) throws(PartnerRefusal) -> Deactivation {
        if let current { throw PartnerRefusal("The \(what) is already deactivated (\(current.reason)).") }
        return Deactivation(at: instant, reason: try text(reason, deactivationReason, field: "reason"))
    }

    /// Reactivating needs a deactivated record, and a location an active organization.
    public static func reactivating(_ current: Deactivation?, what: String, organization: Deactivation? = nil) throws(PartnerRefusal) {
        guard current != nil else { throw PartnerRefusal("The \(what) is active already.") }
        if organization != nil { throw PartnerRefusal("Reactivate the organization first; its locations follow it.") }
    }

    /// The locations that come back with their organization: those deactivated with it (same instant and reason),
    /// not those the vendor had deactivated on their own before.
    public static func returning(with organization: Deactivation, _ locations: [(id: Int64, deactivation: Deactivation?)]) -> [Int64] {
        locations.filter { $0.deactivation == organization }.map(\.id)
    }

    /// The first account admin is invited while no account admin of the organization has accepted; the organization
    /// is active and has an active location to hold the roles on.
    public static func checkFirstAdmin(organization: Deactivation?, activeLocations: Int, acceptedAdmins: [String]) throws(PartnerRefusal) {
        if organization != nil { throw PartnerRefusal("The organization is deactivated; reactivate it first.") }
        if let admin = acceptedAdmins.first {
            throw PartnerRefusal("The organization already has an account admin (\(admin)); they invite their colleagues.")
        }
        if activeLocations == 0 { throw PartnerRefusal("Add a location first: the admin's roles are held on locations.") }
    }

    /// What inviting a location to enroll does.
    public enum EnrollmentInvitation: Hashable, Sendable {
        /// A new enrollment, invited.
        case invite
        /// Still invited: the email goes again, the enrollment stays as it is.
        case remind
    }

    /// The most locations one request invites to enroll: the contract's `maxItems`.
    public static let maxInvitedLocations = 500

    /// The locations of one enrollment invitation: at least one, at most `maxInvitedLocations` (the contract's limits).
    public static func checkInvited(_ count: Int) throws(PartnerRefusal) {
        if count == 0 { throw PartnerRefusal(.outsideContractLimits, field: "location", "Choose at least one location.") }
        if count > maxInvitedLocations {
            throw PartnerRefusal(.outsideContractLimits, field: "location",
                                 "Invite at most \(maxInvitedLocations) locations at once (\(count) were sent).")
        }
    }

    /// Whether a location may be invited to enroll. Only a location with no enrollment yet is invited; an invited one
    /// is reminded. An inactive one was enrolled and is paused: it is reactivated on its enrollment, never sent back
    /// through enrolling; a discontinued one is final.
    public static func enrollmentInvitation(current: EnrollmentStatus?, location: Deactivation?, organization: Deactivation?,
                                            incentivesAdmins: Int) throws(PartnerRefusal) -> EnrollmentInvitation {
        if organization != nil || location != nil { throw PartnerRefusal("It is deactivated.") }
        let result: EnrollmentInvitation
        switch current {
        case nil: result = .invite
        case .invited: result = .remind
        case .inactive: throw PartnerRefusal("Its enrollment is inactive; reactivate it on Enrollment instead.")
        case .discontinued: throw PartnerRefusal("Its enrollment was discontinued, which is final.")
        case let status?: throw PartnerRefusal("It is \(status.label.lowercased()) already.")
        }
        if incentivesAdmins == 0 {
            throw PartnerRefusal("Nobody holds Incentives admin on it yet; invite the organization's first admin first.")
        }
        return result
    }

    static func text(_ raw: String, _ rule: TextRule, field: String) throws(PartnerRefusal) -> String {
        do throws(InputRefusal) { return try rule.check(raw, field: field) } catch {
            throw PartnerRefusal(error.kind == .outsideLimits ? .outsideContractLimits : .invalidInput, field: field, error.message)
        }
    }
}

extension MailMessage {
    /// The email that invites a location's Incentives admin to enroll it in the program.
    public static func enrollmentInvitation(to email: String, name: String, organization: String, location: String,
                                            program: String, link: String) -> MailMessage {
        MailMessage(kind: .invitation, to: email, subject: "\(location) is invited to enroll in \(program)",
                    body: """
                    Hello \(name),

                    \(organization)'s location \(location) is invited to enroll in \(program).

                    Open Enrollment to accept the invitation, check the location's bank and tax profiles and submit:
                    \(link)
                    """)
    }
}
