import Foundation
import Testing
import IncentivesDomain

@Suite("Partner directory rules: names, countries and markets, deactivation, the first admin, enrollment invitations")
struct PartnerRulesTests {
    let now = Date(timeIntervalSince1970: 1_795_600_000)

    /// The refusal `body` throws; nil when it throws none (each rule throws only `PartnerRefusal`s).
    static func refusal(_ body: () throws -> Void) -> PartnerRefusal? {
        do { try body(); return nil } catch { return error as? PartnerRefusal }
    }

    @Test("an organization's name: trimmed, 1-120 code points, one line, unique case-insensitively")
    func organizationNames() throws {
        #expect(try PartnerRules.organization(name: "  Cedar Systems ", taken: ["Bluefin"]) == "Cedar Systems")
        #expect(try PartnerRules.organization(name: String(repeating: "é", count: 120), taken: []).unicodeScalars.count == 120)
        let long = Self.refusal { _ = try PartnerRules.organization(name: String(repeating: "é", count: 121), taken: []) }
        #expect(long?.refusalKind == .outsideContractLimits && long?.refusedInput == "name")
        #expect(Self.refusal { _ = try PartnerRules.organization(name: "  ", taken: []) }?.message == "Enter the partner organization's name.")
        #expect(Self.refusal { _ = try PartnerRules.organization(name: "Two\nlines", taken: []) }?.refusalKind == .invalidInput)
        let clash = Self.refusal { _ = try PartnerRules.organization(name: "CEDAR systems", taken: ["Cedar Systems"]) }
        #expect(clash?.message == "A partner organization named \"Cedar Systems\" already exists." && clash?.refusedInput == "name")
        #expect(Self.refusal { _ = try PartnerRules.organization(name: "ÉCLAIR", taken: ["éclair"]) } != nil)
    }

    @Test("a location: named uniquely within its organization, in an ISO 3166-1 country placed in market A, B or C")
    func locations() throws {
        let berlin = try PartnerRules.location(name: "Berlin", country: " de ", taken: ["Munich"])
        #expect(berlin.name == "Berlin" && berlin.country.code == "DE" && berlin.country.market == .a)
        #expect(try CountryCode("pl").market == .b && CountryCode("BR").market == .c)
        #expect(CountryCode.iso3166.count == 249)
        for bad in ["", "D", "DEU", "XX", "EU", "1A", "Dé"] {
            let refusal = Self.refusal { _ = try CountryCode(bad) }
            #expect(refusal?.refusedInput == "country", "\(bad)")
            // Empty or over two code points is outside the contract's limits (400); the rest is not a country (422).
            #expect(refusal?.refusalKind == (bad.isEmpty || bad.unicodeScalars.count > 2 ? .outsideContractLimits : .invalidInput), "\(bad)")
        }
        #expect(Self.refusal { try PartnerRules.checkInvited(0) }?.refusalKind == .outsideContractLimits)
        #expect(Self.refusal { try PartnerRules.checkInvited(501) }?.refusalKind == .outsideContractLimits)
        #expect(Self.refusal { try PartnerRules.checkInvited(500) } == nil)
        #expect(Self.refusal { _ = try PartnerRules.location(name: "munich", country: "DE", taken: ["Munich"]) }?.refusedInput == "name")
    }

    @Test("deactivation needs a reason and an active record; reactivation a deactivated one under an active organization")
    func deactivation() throws {
        let off = try PartnerRules.deactivating(nil, reason: " Contract ended ", at: now, what: "location")
        #expect(off == Deactivation(at: now, reason: "Contract ended"))
        #expect(Self.refusal { _ = try PartnerRules.deactivating(nil, reason: "", at: now, what: "location") }?.refusedInput == "reason")
        #expect(Self.refusal { _ = try PartnerRules.deactivating(off, reason: "again", at: now, what: "location") }?.refusalKind == .notAllowed)
        #expect(Self.refusal { try PartnerRules.reactivating(nil, what: "location") } != nil)
        #expect(Self.refusal { try PartnerRules.reactivating(off, what: "location", organization: off) }?.message
            == "Reactivate the organization first; its locations follow it.")
        #expect(Self.refusal { try PartnerRules.reactivating(off, what: "location") } == nil)
        let earlier = Deactivation(at: now.addingTimeInterval(-86_400), reason: "Closed")
        #expect(PartnerRules.returning(with: off, [(1, off), (2, earlier), (3, nil)]) == [1])
    }

    @Test("the first admin: refused once an account admin accepted, for a deactivated organization, or without a location")
    func firstAdmin() {
        #expect(Self.refusal { try PartnerRules.checkFirstAdmin(organization: nil, activeLocations: 1, acceptedAdmins: []) } == nil)
        #expect(Self.refusal { try PartnerRules.checkFirstAdmin(organization: nil, activeLocations: 1, acceptedAdmins: ["Ana"]) }?.message
            == "The organization already has an account admin (Ana); they invite their colleagues.")
        #expect(Self.refusal { try PartnerRules.checkFirstAdmin(organization: nil, activeLocations: 0, acceptedAdmins: []) } != nil)
        let off = Deactivation(at: now, reason: "x")
        #expect(Self.refusal { try PartnerRules.checkFirstAdmin(organization: off, activeLocations: 1, acceptedAdmins: []) } != nil)
    }

    @Test("enrollment invitations: new when none, a reminder while invited, never for inactive, discontinued, enrolling or deactivated")
    func enrollmentInvitations() throws {
        func decide(_ status: EnrollmentStatus?, location: Deactivation? = nil,
                    admins: Int = 1) -> Result<PartnerRules.EnrollmentInvitation, PartnerRefusal> {
            do throws(PartnerRefusal) {
                return .success(try PartnerRules.enrollmentInvitation(current: status, location: location, organization: nil,
                                                                      incentivesAdmins: admins))
            } catch { return .failure(error) }
        }
        #expect(try decide(nil).get() == .invite)
        #expect(try decide(.invited).get() == .remind)
        for status in [EnrollmentStatus.enrolling, .actionRequired, .validating, .enrolled, .inactive, .discontinued] {
            #expect(throws: PartnerRefusal.self, "\(status)") { try decide(status).get() }
        }
        #expect(throws: PartnerRefusal.self) { try decide(nil, location: Deactivation(at: now, reason: "x")).get() }
        #expect(throws: PartnerRefusal.self) { try decide(nil, admins: 0).get() }
    }
}
