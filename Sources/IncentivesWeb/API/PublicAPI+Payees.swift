import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore

/// The contract's Payees operations: bank and tax profiles and enrollment, through the same `PayeeRepository` and domain
/// checks as the Payee profiles and Enrollment pages. The repository scopes partner writes to the caller's organization
/// and the locations they administer (anything else is 404); decisions are the program manager's.
extension PublicAPI {
    var payees: PayeeRepository { deps.stores.payees }

    /// The caller, for a partner's change to its payee profiles or enrollment: an Incentives admin of some location.
    func payeeAdmin() throws -> Viewer {
        let viewer = try viewer(for: .payeeProfiles)
        guard viewer.isIncentivesAdmin else {
            throw APIProblem(.roleNotAllowed, "Only a location's Incentives admin changes its bank and tax profiles.")
        }
        return viewer
    }

    /// A form's problems by field, as one problem naming each field.
    func invalid(_ errors: [String: String]) -> APIProblem {
        APIProblem(.invalidInput, errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: " "))
    }

    /// A bank profile as the caller now sees it.
    func bankProfile(_ id: Int64, _ viewer: Viewer) async throws -> Components.Schemas.BankProfile {
        guard let profile = try await deps.stores.program.payeeProfiles(in: viewer.scope).bankProfiles.first(where: { $0.id == id }) else {
            throw APIProblem.notFound()
        }
        return .init(profile)
    }

    func addBankProfile(_ input: Operations.AddBankProfile.Input) async throws -> Operations.AddBankProfile.Output {
        let viewer = try payeeAdmin()
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the bank details as JSON.") }
        let form = BankDetailsForm(holderName: body.holderName, bankName: body.bankName, country: body.country, accountNumber: body.accountNumber,
                                   routingCode: body.routingCode ?? "", swiftBIC: body.swiftBic)
        switch BankDetails.validate(form) {
        case .failure(let errors): throw invalid(errors.byField)
        case .success(let details):
            let id = try await payees.addBankProfile(details, by: viewer, now: now)
            return .created(.init(body: .json(try await bankProfile(id, viewer))))
        }
    }

    func decideBankProfile(_ input: Operations.DecideBankProfile.Input) async throws -> Operations.DecideBankProfile.Output {
        let viewer = try viewer(for: .payeeProfiles)
        guard viewer.vendorRole == .programManager else {
            throw APIProblem(.roleNotAllowed, "Only the program manager validates bank profiles.")
        }
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the decision as JSON.") }
        let decision: BankProfileStatus = body.status == .approved ? .approved : .actionRequired
        // The page's rule for the words: refused text says why (422); none, for action required, the repository refuses.
        if let reason = body.reason, decision == .actionRequired, !reason.isEmpty { _ = try TextRule.bankUpdateReason.check(reason, field: "reason") }
        try await payees.decide(bankProfile: input.path.id, decision, reason: body.reason, expectedVersion: body.version, by: viewer, now: now)
        return .ok(.init(body: .json(try await bankProfile(input.path.id, viewer))))
    }

    func assignBankProfile(_ input: Operations.AssignBankProfile.Input) async throws -> Operations.AssignBankProfile.Output {
        let viewer = try payeeAdmin()
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the bank profile's id as JSON.") }
        try await payees.assign(bankProfile: body.bankProfileId, toLocation: input.path.id, by: viewer, now: now)
        return .ok(.init(body: .json(.init(try await deps.stores.program.payeeProfiles(in: viewer.scope), at: now))))
    }

    func addTaxProfile(_ input: Operations.AddTaxProfile.Input) async throws -> Operations.AddTaxProfile.Output {
        let viewer = try payeeAdmin()
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the tax profile as JSON.") }
        guard let location = try await payees.administeredLocation(input.path.id, by: viewer) else { throw APIProblem.notFound() }
        let form = TaxProfileForm(form: TaxForm.expected(forCountry: location.country).rawValue, taxID: body.taxId, expiresOn: body.expiresOn)
        switch TaxProfileDetails.validate(form, country: location.country, today: DayDate(now)) {
        case .failure(let errors): throw invalid(errors.byField)
        case .success(let details):
            let id = try await payees.addTaxProfile(details, toLocation: location.id, by: viewer, now: now)
            guard let profile = try await deps.stores.program.payeeProfiles(in: viewer.scope).taxProfiles.first(where: { $0.id == id }) else {
                throw APIProblem.notFound()
            }
            return .created(.init(body: .json(.init(profile, at: now))))
        }
    }

    func listEnrollments(_ input: Operations.ListEnrollments.Input) async throws -> Operations.ListEnrollments.Output {
        let viewer = try viewer(for: .enrollment)
        let lines = try await payees.enrollments(in: viewer.scope, now: now)
        return .ok(.init(body: .json(.init(enrollments: lines.map { .init($0) }))))
    }

    func changeEnrollment(_ input: Operations.ChangeEnrollment.Input) async throws -> Operations.ChangeEnrollment.Output {
        let viewer = try viewer(for: .enrollment)
        guard viewer.vendorRole == .programManager || viewer.isIncentivesAdmin else {
            throw APIProblem(.roleNotAllowed, "Only a location's Incentives admin and the program manager take enrollment steps.")
        }
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the step as JSON.") }
        guard let action = EnrollmentAction(rawValue: body.action.rawValue) else { throw APIProblem(.badRequest, "Unknown step.") }
        let locationID = input.path.locationId
        // The one program of the instance; a location it never invited has no enrollment (404).
        guard let programID = try await deps.stores.program.program()?.id else { throw APIProblem.notFound() }
        try await payees.changeEnrollment(program: programID, location: locationID, action, expectedVersion: body.version, by: viewer, now: now)
        guard let line = try await payees.enrollments(in: viewer.scope, now: now)
            .first(where: { $0.programID == programID && $0.locationID == locationID }) else { throw APIProblem.notFound() }
        return .ok(.init(body: .json(.init(line))))
    }
}

extension Components.Schemas.BankProfile {
    init(_ b: BankProfileSummary) {
        self.init(id: b.id, organizationName: b.organizationName, holderName: b.holderName, bankName: b.bankName, country: b.country,
                  maskedAccountNumber: b.maskedAccountNumber, status: b.status.rawValue, statusReason: b.statusReason, usedBy: b.usedBy,
                  version: b.version)
    }
}

extension Components.Schemas.TaxProfile {
    init(_ t: TaxProfileSummary, at now: Date) {
        self.init(id: t.id, locationId: t.locationID, locationName: t.locationName, country: t.country, form: t.form,
                  expiresOn: t.expiresOn.description, current: t.isCurrent, valid: t.isValid(at: now))
    }
}

extension Components.Schemas.Enrollment {
    init(_ e: EnrollmentLine) {
        self.init(programId: e.programID, programName: e.programName, locationId: e.locationID, locationName: e.locationName,
                  organizationName: e.organizationName, status: .init(rawValue: e.status.rawValue) ?? .invited, version: e.version,
                  updatedAt: e.updatedAt, payeeReady: e.payeeReady)
    }
}
