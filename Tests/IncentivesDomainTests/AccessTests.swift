import Foundation
import Testing
import IncentivesDomain

/// The kinds of signed-in people the access rules tell apart.
enum Persona: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case incentivesUser, incentivesAdmin, accountAdminOnly, partnerWithoutRole, reviewer, programManager

    var testDescription: String { rawValue }

    var viewer: Viewer {
        let membership: Membership = switch self {
        case .incentivesUser: .partner(organizationID: 1, roles: [10: [.incentivesUser]])
        case .incentivesAdmin: .partner(organizationID: 1, roles: [10: [.incentivesAdmin]])
        case .accountAdminOnly: .partner(organizationID: 1, roles: [10: [.accountAdmin]])
        case .partnerWithoutRole: .partner(organizationID: 1, roles: [:])
        case .reviewer: .vendor(.reviewer)
        case .programManager: .vendor(.programManager)
        }
        return Viewer(userID: 7, email: "someone@example.com", name: "Some One", membership: membership)
    }
}

@Suite("Access: sections, scope, roles, sessions, throttling, credentials")
struct AccessTests {
    /// Who may open what, written out as the table the navigation follows. Columns in `Persona.allCases` order:
    /// incentives user, incentives admin, account admin only, partner without a role, reviewer, program manager.
    static let mayOpen: [Section: [Bool]] = [
        .home:          [true,  true,  true,  true,  true,  true],
        .engagements:   [true,  true,  false, false, false, false],
        .claims:        [true,  true,  false, false, true,  true],
        .eligibility:   [true,  true,  false, false, false, false],
        .payeeProfiles: [true,  true,  false, false, false, true],
        .enrollment:    [true,  true,  false, false, false, true],
        .earnings:      [true,  true,  false, false, false, true],
        .payments:      [false, false, false, false, false, true],
        .review:        [false, false, false, false, true,  true],
        .catalogue:     [false, false, false, false, true,  true],
        .partners:      [false, false, false, false, true,  true],
        .users:         [false, false, true,  false, false, false],
        .webhooks:      [false, true,  false, false, false, true],
    ]

    @Test("the table covers every section")
    func tableIsComplete() {
        #expect(Set(Self.mayOpen.keys) == Set(Section.allCases))
        #expect(Self.mayOpen.values.allSatisfy { $0.count == Persona.allCases.count })
    }

    @Test("may(open:) follows the table", arguments: Section.allCases, Persona.allCases)
    func mayOpen(section: Section, persona: Persona) throws {
        let column = try #require(Persona.allCases.firstIndex(of: persona))
        let expected = try #require(Self.mayOpen[section])[column]
        #expect(persona.viewer.may(open: section) == expected)
        #expect(persona.viewer.sections.contains(section) == expected)
    }

    @Test("a partner reads only locations where they hold an Incentives role; the vendor reads everything")
    func scopeIsIncentiveLocations() {
        let viewer = Viewer(userID: 1, email: "a@example.com", name: "A", membership: .partner(organizationID: 4, roles: [
            1: [.incentivesUser], 2: [.incentivesAdmin, .accountAdmin], 3: [.accountAdmin],
        ]))
        #expect(viewer.scope == .partner(organizationID: 4, locationIDs: [1, 2]))
        #expect(viewer.incentiveLocations == [1, 2])
        #expect(viewer.administeredLocations == [2, 3])
        #expect(Persona.partnerWithoutRole.viewer.scope == .partner(organizationID: 1, locationIDs: []))
        #expect(Persona.reviewer.viewer.scope == .vendor)
        #expect(Persona.programManager.viewer.scope == .vendor)
    }

    @Test("the role acted in on a location: Incentives admin wins; an account admin alone acts in none")
    func actorRolePerLocation() {
        let viewer = Viewer(userID: 1, email: "a@example.com", name: "A", membership: .partner(organizationID: 4, roles: [
            1: [.incentivesUser, .incentivesAdmin], 2: [.incentivesUser], 3: [.accountAdmin], 4: [.accountAdmin, .incentivesUser],
        ]))
        #expect(viewer.actorRole(atLocation: 1) == .incentivesAdmin)
        #expect(viewer.actorRole(atLocation: 2) == .incentivesUser)
        #expect(viewer.actorRole(atLocation: 3) == nil)
        #expect(viewer.actorRole(atLocation: 4) == .incentivesUser)
        #expect(viewer.actorRole(atLocation: 99) == nil)
        #expect(Persona.reviewer.viewer.actorRole(atLocation: 1) == .reviewer)
        #expect(Persona.programManager.viewer.actorRole(atLocation: 1) == .programManager)
        #expect(viewer.isIncentivesAdmin && !Persona.incentivesUser.viewer.isIncentivesAdmin)
    }

    @Test("the header's role line")
    func roleSummary() {
        #expect(Persona.reviewer.viewer.roleSummary == "Reviewer")
        #expect(Persona.partnerWithoutRole.viewer.roleSummary == "No role yet")
        let admin = Viewer(userID: 1, email: "a@example.com", name: "A", membership: .partner(organizationID: 4, roles: [
            1: [.incentivesAdmin, .accountAdmin], 2: [.incentivesAdmin], 3: [.incentivesUser],
        ]))
        #expect(admin.roleSummary == "Incentives admin, 2 locations")
        #expect(Persona.accountAdminOnly.viewer.roleSummary == "Account admin, 1 location")
    }

    // MARK: Sessions

    @Test("a session dies after the idle time without a request, and after the absolute time whatever happens")
    func sessionPolicyEdges() {
        let policy = SessionPolicy(idle: 30 * 60, absolute: 12 * 3600, touchEvery: 60)
        let created = at("2026-11-25T08:00:00Z")
        // Idle: alive one second before the limit, dead at it.
        #expect(policy.isAlive(createdAt: created, lastSeenAt: created, now: at("2026-11-25T08:29:59Z")))
        #expect(!policy.isAlive(createdAt: created, lastSeenAt: created, now: at("2026-11-25T08:30:00Z")))
        // Absolute: busy all day, still ends 12 hours after it began.
        #expect(policy.isAlive(createdAt: created, lastSeenAt: at("2026-11-25T19:59:00Z"), now: at("2026-11-25T19:59:59Z")))
        #expect(!policy.isAlive(createdAt: created, lastSeenAt: at("2026-11-25T19:59:00Z"), now: at("2026-11-25T20:00:00Z")))
        #expect(SessionPolicy.standard == policy)
    }

    // MARK: Credentials

    @Test("emails are trimmed and lower-cased", arguments: [
        ("  Ana.Ruiz@Example.COM \n", "ana.ruiz@example.com"), ("a@b.co", "a@b.co"), ("first+tag@mail.example.org", "first+tag@mail.example.org"),
    ] as [(String, String)])
    func emailNormalized(raw: String, normalized: String) {
        #expect(Credentials.normalizedEmail(raw) == normalized)
    }

    @Test("implausible emails are refused", arguments: [
        "", "ana", "@example.com", "ana@", "ana@example", "ana@.example.com", "ana@example.com.", "ana@@example.com",
        "a@b@example.com", "ana ruiz@example.com", "<ana@example.com>", "\"ana\"@example.com",
        String(repeating: "a", count: 243) + "@example.com",
        // What mail headers can't carry as one address: refused here as the outbox refuses it (one rule).
        "a;b@example.com", "a,b@example.com", "a:b@example.com", "(a)@example.com", "a@[127.0.0.1]", "a\\b@example.com",
    ])
    func emailRefused(raw: String) {
        #expect(Credentials.normalizedEmail(raw) == nil)
        #expect(!MailMessage.isAddress(raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()) || raw.count > 254)
    }

    @Test("an email of 254 characters is the longest accepted")
    func emailLength() {
        let longest = String(repeating: "a", count: 242) + "@example.com"
        #expect(longest.count == 254 && Credentials.normalizedEmail(longest) == longest)
    }

    @Test("passwords: at least 12 characters, at most 72 bytes")
    func passwordRules() {
        #expect(Credentials.problem(withPassword: "") != nil)
        #expect(Credentials.problem(withPassword: String(repeating: "x", count: 11)) == "Use at least 12 characters.")
        #expect(Credentials.problem(withPassword: String(repeating: "x", count: 12)) == nil)
        #expect(Credentials.problem(withPassword: String(repeating: "x", count: 72)) == nil)
        #expect(Credentials.problem(withPassword: String(repeating: "x", count: 73)) == "Use at most 72 bytes; longer passwords are cut by bcrypt.")
        // Characters count for the minimum, bytes for the maximum.
        #expect(Credentials.problem(withPassword: String(repeating: "é", count: 11)) != nil)
        #expect(Credentials.problem(withPassword: String(repeating: "é", count: 36)) == nil)
        #expect(Credentials.problem(withPassword: String(repeating: "é", count: 37)) != nil)
    }
}
