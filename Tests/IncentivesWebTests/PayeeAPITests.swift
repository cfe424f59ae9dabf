import Foundation
import HTTPTypes
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
import NIOCore
@testable import IncentivesWeb
import Testing

@Suite("Payees API: bank and tax profiles and enrollment through the generated client; bad input refused, nothing stored")
struct PayeeAPITests {
    @Test("a partner admin adds a bank and a tax profile and enrolls; the program manager validates both, over the version read",
          arguments: TestDatabases.flavors)
    func walk(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let kestrel = app.apiClient(try await app.token("admin@kestrel.example"))
            let manager = app.apiClient(try await app.token("manager@vendor.example"))
            // Johannesburg (location 9) is invited: the admin accepts.
            let invited = try #require(try await kestrel.listEnrollments().ok.body.json.enrollments.first { $0.locationId == 9 })
            #expect(invited.status == .invited && invited.organizationName == "Kestrel IT")
            let accepted = try await kestrel.changeEnrollment(path: .init(locationId: 9), body: .json(.init(action: .accept, version: invited.version)))
                .ok.body.json
            #expect(accepted.status == .enrolling && accepted.version == invited.version + 1)

            // A new bank profile, assigned to Johannesburg, and a renewed tax profile.
            let bank = try await kestrel.addBankProfile(body: .json(.init(
                holderName: "Kestrel IT", bankName: "Banco Atlantico", country: "pt", accountNumber: "pt50 0002 0123 1234 5678 9015 4",
                swiftBic: "bcomptpl"))).created.body.json
            #expect(bank.status == "pending_validation" && bank.maskedAccountNumber.hasSuffix("0154") && bank.country == "PT")
            let profiles = try await kestrel.assignBankProfile(path: .init(id: 9), body: .json(.init(bankProfileId: bank.id))).ok.body.json
            #expect(profiles.bankProfiles.first { $0.id == bank.id }?.usedBy == ["Kestrel IT - Johannesburg"])
            let tax = try await kestrel.addTaxProfile(path: .init(id: 9), body: .json(.init(taxId: "za-9001", expiresOn: "2028-06-30"))).created.body.json
            #expect(tax.form == "W-8BEN-E" && tax.locationId == 9 && tax.current && tax.valid && tax.expiresOn == "2028-06-30")
            let submitted = try await kestrel.changeEnrollment(path: .init(locationId: 9), body: .json(.init(action: .submit, version: accepted.version)))
                .ok.body.json
            #expect(submitted.status == .validating && submitted.payeeReady)

            // The manager decides over the version read: a stale one is a conflict and changes nothing.
            let stale = try await manager.decideBankProfile(path: .init(id: bank.id), body: .json(.init(status: .approved, version: bank.version + 1)))
            #expect(try stale.conflict.body.applicationProblemJson.detail.contains("changed meanwhile"))
            let approved = try await manager.decideBankProfile(path: .init(id: bank.id), body: .json(.init(status: .approved, version: bank.version)))
                .ok.body.json
            #expect(approved.status == "approved" && approved.version == bank.version + 1)
            let enrolled = try await manager.changeEnrollment(path: .init(locationId: 9), body: .json(.init(action: .approve, version: submitted.version)))
                .ok.body.json
            #expect(enrolled.status == .enrolled)
        }
    }

    @Test("bad input and foreign ids: 4xx with the field named, and nothing stored", arguments: TestDatabases.flavors)
    func hostileInput(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let bluefin = try await app.token("admin@bluefin.example"), manager = try await app.token("manager@vendor.example")
            let user = try await app.token("user@bluefin.example")
            let bank = #"{"holder_name": "Bluefin", "bank_name": "B", "country": "GB", "account_number": "GB29 NWBK 6016 1331 9268 19", "swift_bic": "NWBKGB2L"}"#
            let cases: [(String, String, String, String, HTTPResponse.Status, String?)] = [
                ("an IBAN with a wrong check digit", bluefin, "/payee-profiles/bank-profiles",
                 bank.replacingOccurrences(of: "9268 19", with: "9268 18"), .unprocessableContent, "account_number"),
                ("a BIC of another country", bluefin, "/payee-profiles/bank-profiles",
                 bank.replacingOccurrences(of: "NWBKGB2L", with: "BCOMPTPL"), .unprocessableContent, "swift_bic"),
                ("a holder name with a right-to-left override", bluefin, "/payee-profiles/bank-profiles",
                 bank.replacingOccurrences(of: "\"Bluefin\"", with: "\"Blue\(HostileFormsTests.rlo)fin\""), .unprocessableContent, "holder_name"),
                ("an unknown field", bluefin, "/payee-profiles/bank-profiles", bank.replacingOccurrences(of: "}", with: #", "status": "approved"}"#),
                 .badRequest, nil),
                ("an Incentives user's bank profile", user, "/payee-profiles/bank-profiles", bank, .forbidden, nil),
                ("the manager's bank profile", manager, "/payee-profiles/bank-profiles", bank, .forbidden, nil),
                ("a tax profile that expired", bluefin, "/locations/1/tax-profiles", #"{"tax_id": "12-3456789", "expires_on": "2020-01-01"}"#,
                 .unprocessableContent, "expires_on"),
                ("a tax id of markup", bluefin, "/locations/1/tax-profiles", #"{"tax_id": "<b>1</b>", "expires_on": "2028-01-01"}"#,
                 .unprocessableContent, "tax_id"),
                ("another organization's location's tax profile", bluefin, "/locations/5/tax-profiles",
                 #"{"tax_id": "12-3456789", "expires_on": "2028-01-01"}"#, .notFound, nil),
                ("a decision of a partner", bluefin, "/payee-profiles/bank-profiles/1/decision", #"{"status": "approved", "version": 1}"#,
                 .forbidden, nil),
                ("action required without words", manager, "/payee-profiles/bank-profiles/1/decision",
                 #"{"status": "action_required", "version": 1}"#, .unprocessableContent, nil),
                ("a decision that is not one", manager, "/payee-profiles/bank-profiles/1/decision", #"{"status": "paid", "version": 1}"#,
                 .badRequest, nil),
                ("an unknown bank profile", manager, "/payee-profiles/bank-profiles/987654/decision", #"{"status": "approved", "version": 1}"#,
                 .notFound, nil),
                ("an enrollment step that does not exist", bluefin, "/enrollments/1", #"{"action": "pay", "version": 1}"#, .badRequest, nil),
                ("another organization's enrollment", bluefin, "/enrollments/5", #"{"action": "submit", "version": 1}"#, .notFound, nil),
                ("a partner approving its own enrollment", bluefin, "/enrollments/1", #"{"action": "approve", "version": 1}"#,
                 .unprocessableContent, nil),
            ]
            for (label, token, path, json, status, field) in cases {
                try await HostileFormsTests.refused(app, label, expect: status) {
                    let response = try await app.api("/api/v1" + path, method: .post, token: token, json: json)
                    if let field { #expect(String(buffer: response.body).contains(field), "\(label): \(String(buffer: response.body))") }
                    return response.status
                }
            }
            try await HostileFormsTests.refused(app, "a bank profile of another organization assigned", expect: .notFound) {
                try await app.api("/api/v1/locations/1/bank-profile", method: .put, token: bluefin, json: #"{"bank_profile_id": 3}"#).status
            }
        }
    }
}
