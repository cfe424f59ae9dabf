import Foundation
import HTTPTypes
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import OpenAPIRuntime
import Testing

/// The README's "From nothing to a first approved claim" through the API's generated client, on an empty database: what
/// only a person does (setting a password from the invitation, the customer's consent from the emailed link) goes
/// through the stores those pages call; everything else is an operation of the contract.
@Suite("A program from an empty database to an approved claim, through the generated client")
struct FirstProgramAPITests {
    @Test("the program manager builds the program, the partner joins and claims, the reviewer approves", arguments: TestDatabases.flavors)
    func walk(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, demo: false, seeded: false) { app in
            let users = UserRepository(db: app.db)
            for (email, role) in [("robin@vendor.example", VendorRole.programManager), ("sam@vendor.example", .reviewer)] {
                _ = try await users.add(email: email, name: role.label, organizationID: nil, vendorRole: role,
                                        passwordHash: PasswordHasher.hash("correct horse battery", cost: 4), now: app.clock.now)
            }
            let manager = app.apiClient(try await app.token("robin@vendor.example"))
            let reviewer = app.apiClient(try await app.token("sam@vendor.example"))
            let today = DayDate(app.clock.now).description

            // The catalogue: the program, an area, an engagement with rates and a partner criterion, published.
            _ = try await manager.setProgram(body: .json(.init(name: "Harbor Partner Program", managerName: "Robin Park",
                                                               managerEmail: "robin@vendor.example"))).created.body.json
            let area = try await manager.createSolutionArea(body: .json(.init(code: "data-platform", name: "Data platform"))).created.body.json
            let criterion = "One certified data engineer"
            let draft = try await manager.createEngagement(body: .json(.init(
                name: "Data platform assessment", solutionAreaId: area.id, role: .buildIntent, opensOn: today,
                terms: .init(_type: .assessment, payModel: .fixed, currency: "USD", rateA: "4000", rateB: "2500", rateC: "1000",
                             description: "A two-day assessment of the customer's data platform.", partnerCriteria: [criterion],
                             customerCriteria: ["The customer runs a data platform in production"],
                             customerChecks: [.init(check: .customerIdRecorded)],
                             proofRequirements: [.init(kind: .findingsDocument)])))).created.body.json
            #expect(draft.lifecycle == .draft)
            _ = try await manager.publishEngagement(path: .init(id: draft.id), body: .json(.init())).ok
            let published = try await manager.getConsoleEngagement(path: .init(id: draft.id)).ok.body.json
            #expect(published.lifecycle == .published && published.status == "active" && published.versionInForce == 1)

            // The partner: an organization, its location, the first admin and the enrollment invitation.
            let harbor = try await manager.createPartner(body: .json(.init(name: "Harbor Analytics"))).created.body.json
            let lisbon = try await manager.createPartnerLocation(path: .init(id: harbor.id), body: .json(.init(name: "Harbor Analytics - Lisbon",
                                                                                                               country: "PT"))).created.body.json
            let invitation = try await manager.invitePartnerAdmin(path: .init(id: harbor.id), body: .json(.init(name: "Ines Costa",
                                                                                                            email: "ines@harbor.example")))
                .created.body.json
            _ = try await manager.invitePartnerLocationsToEnroll(path: .init(id: harbor.id), body: .json(.init(locationIds: [lisbon.id]))).ok
            let secret = try #require(invitation.invitationUrl.split(separator: "/").last.map(String.init))
            _ = try await users.accept(secret: secret, name: "Ines Costa", passwordHash: PasswordHasher.hash("correct horse battery", cost: 4),
                                       now: app.clock.now)
            let admin = app.apiClient(try await app.token("ines@harbor.example"))

            // The admin enrolls with bank and tax profiles; the manager validates both.
            var enrollment = try #require(try await admin.listEnrollments().ok.body.json.enrollments.first)
            enrollment = try await admin.changeEnrollment(path: .init(locationId: lisbon.id), body: .json(.init(action: .accept, version: enrollment.version)))
                .ok.body.json
            let bank = try await admin.addBankProfile(body: .json(.init(holderName: "Harbor Analytics", bankName: "Banco Atlantico", country: "PT",
                                                                        accountNumber: "PT50 0002 0123 1234 5678 9015 4", swiftBic: "BCOMPTPL")))
                .created.body.json
            _ = try await admin.assignBankProfile(path: .init(id: lisbon.id), body: .json(.init(bankProfileId: bank.id))).ok
            _ = try await admin.addTaxProfile(path: .init(id: lisbon.id), body: .json(.init(taxId: "PT509123456", expiresOn: "2028-06-30"))).created
            enrollment = try await admin.changeEnrollment(path: .init(locationId: lisbon.id), body: .json(.init(action: .submit, version: enrollment.version)))
                .ok.body.json
            _ = try await manager.decideBankProfile(path: .init(id: bank.id), body: .json(.init(status: .approved, version: bank.version))).ok
            enrollment = try await manager.changeEnrollment(path: .init(locationId: lisbon.id),
                                                            body: .json(.init(action: .approve, version: enrollment.version))).ok.body.json
            #expect(enrollment.status == .enrolled)

            // The list and the criterion: the partner sees 1 of 1 at once.
            _ = try await manager.addEligibilityLocation(path: .init(id: draft.id), body: .json(.init(locationId: lisbon.id))).ok
            _ = try await manager.setLocationCriterion(path: .init(id: draft.id), body: .json(.init(
                locationId: lisbon.id, criterion: criterion, status: .met, evidence: "Certificate DP-203"))).ok
            let seen = try #require(try await admin.listEngagements().ok.body.json.engagements.first { $0.id == draft.id })
            #expect(seen.name == "Data platform assessment" && seen.earningLocations == 1 && seen.enrolledLocations == 1, "1 of 1")

            // A customer claimed, consented, proven, submitted; the reviewer approves: an earning at market B's rate.
            let claim = try await admin.createClaim(body: .json(.init(
                kind: .partnerActivities, name: "Tidewater data platform assessment", locationId: lisbon.id, engagementId: draft.id,
                customer: .init(name: "Tidewater Shipping", domain: "tidewater-api.example"),
                contacts: [.init(name: "Maya Lind", title: "CTO", email: "maya@tidewater-api.example")]))).created.body.json
            _ = try await admin.sendConsent(path: .init(id: claim.id)).ok
            let consent = try await ClaimPageTests.mailToken(app, kind: .consentRequest, to: "maya@tidewater-api.example", path: "consent")
            let work = ClaimWork(db: app.db, links: ClaimLinks(publicURL: app.deps.config.publicURL))
            try await work.answerConsent(token: consent, .acceptConsent, address: "203.0.113.9", at: app.clock.now)
            _ = try await admin.uploadClaimDocument(path: .init(id: claim.id), query: .init(kind: .findingsDocument, fileName: "findings.pdf"),
                                                    body: .binary(HTTPBody(APITests.pdf))).created
            #expect(try await admin.submitClaim(path: .init(id: claim.id)).ok.body.json.status == .submitted)
            _ = try await reviewer.startReview(path: .init(id: claim.id)).ok
            // The reviewer's item is the version's second customer criterion (after the program's check): unconfirmed, refused.
            let unconfirmed = try await reviewer.approveClaim(path: .init(id: claim.id), body: .json(.init()))
            #expect(try unconfirmed.unprocessableContent.body.applicationProblemJson.detail.contains("Not confirmed"))
            let approved = try await reviewer.approveClaim(path: .init(id: claim.id), body: .json(.init(confirmedCriteria: [
                .case2("The customer runs a data platform in production")]))).ok.body.json
            #expect(approved.status == .approved && approved.amount?.amount == "2500.00")
            let earning = try #require(try await admin.listEarnings().ok.body.json.earnings.first)
            #expect(earning.claimId == claim.id && earning.market == "b" && earning.amount.amount == "2500.00")
        }
    }
}
