import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/payee-profiles`: bank profiles (organization level) and tax profiles (per location), which profile each location
/// uses; Incentives admins add, replace and assign them (`RoleGuard.incentivesAdmins`); the program manager approves bank
/// profiles. `SectionGuard` checks the viewer once for every route.
struct PayeeProfilesController: Sendable {
    let deps: AppDependencies
    let reads: ProgramReads
    let payees: PayeeRepository

    init(deps: AppDependencies) {
        self.deps = deps
        reads = deps.stores.program
        payees = deps.stores.payees
    }

    func register(on router: Router<AppRequestContext>) {
        let section = router.group().add(middleware: SectionGuard(section: .payeeProfiles))
        section.get(SitePath.payeeProfiles.pattern, use: list)
        section.post(SitePath.bankDecision(.key).pattern, use: decide)
        let admin = section.group().add(middleware: RoleGuard.incentivesAdmins)
        admin.get(SitePath.newBankProfile.pattern, use: newBankProfile)
        admin.post(SitePath.newBankProfile.pattern, use: addBankProfile)
        admin.get(SitePath.bankReplace(.key).pattern, use: editReplacement)
        admin.post(SitePath.bankReplace(.key).pattern, use: replaceBankProfile)
        admin.post(SitePath.locationBank(.key).pattern, use: assignBankProfile)
        admin.get(SitePath.locationNewTax(.key).pattern, use: newTaxProfile)
        admin.post(SitePath.locationNewTax(.key).pattern, use: addTaxProfile)
    }

    // MARK: Handlers

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let input = deps.pageInput(context)
        let viewer = try context.signedIn
        let profiles = try await reads.payeeProfiles(in: viewer.scope)
        let standings = viewer.vendorRole == nil ? try await reads.locations(in: viewer.scope, at: input.now) : []
        return deps.page("payee-profiles", PayeeProfilesView(profiles, standings: standings, input: input))
    }

    @Sendable func newBankProfile(_ request: Request, context: AppRequestContext) async throws -> HTML {
        bankForm(nil, replacing: nil, context: context)
    }

    @Sendable func addBankProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = PayeeForms.bankDetails(context.form)
        switch BankDetails.validate(form) {
        case .failure(let errors):
            return bankForm(form, replacing: nil, errors: errors.byField, context: context).response
        case .success(let details):
            _ = try await payees.addBankProfile(details, by: try context.signedIn, now: deps.clock.now)
            return done("Bank profile added. It is pending validation (up to 48 hours); assign it to the locations it should pay.")
        }
    }

    @Sendable func editReplacement(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let old = try await editableProfile(context)
        return bankForm(PayeeForms.bankDetails(of: old), replacing: old, context: context)
    }

    @Sendable func replaceBankProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let old = try await editableProfile(context)
        let form = PayeeForms.bankDetails(context.form)
        switch BankDetails.validate(form) {
        case .failure(let errors):
            return bankForm(form, replacing: old, errors: errors.byField, context: context).response
        case .success(let details):
            _ = try await payees.replaceBankProfile(old.id, with: details, by: try context.signedIn, now: deps.clock.now)
            return done("Bank profile replaced. The new one is pending validation (up to 48 hours); the locations it pays moved to it.")
        }
    }

    /// The program manager approves a bank profile or asks the partner for an update.
    @Sendable func decide(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        guard viewer.vendorRole == .programManager else { throw HTTPError(.forbidden) }
        guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
        let status = context.form.text("status")
        guard let decision = BankProfileStatus(rawValue: status), decision != .pendingValidation else {
            // The page's buttons send one of two words: anything else did not come from it.
            if !status.isEmpty { throw HTTPError(.badRequest, message: "That decision was not recognised; nothing was changed.") }
            return refused("Choose approved or action required; nothing was changed.")
        }
        let reason = context.form.text("reason")
        // Text the rule refuses is answered with its reason (422); a reason left out goes back to the list.
        if decision == .actionRequired, !reason.isEmpty { _ = try TextRule.bankUpdateReason.check(reason, field: "reason") }
        let version = Int64(context.form.text("version")) ?? -1
        do {
            try await payees.decide(bankProfile: id, decision, reason: reason, expectedVersion: version, by: viewer, now: deps.clock.now)
        } catch {
            guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
            return refused("Nothing was changed: \(message)")
        }
        return done(decision == .approved
            ? "Bank profile approved; the locations it pays earn from now on where they are enrolled and eligible."
            : "The partner was asked to update the bank profile.")
    }

    @Sendable func assignBankProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let location = try await administeredLocation(context).id
        let chosen = context.form.text("bank_profile_id")
        guard !chosen.isEmpty else { return refused("Choose a bank profile.") }
        guard let profile = Int64(chosen), profile > 0 else {
            throw HTTPError(.badRequest, message: "That bank profile was not recognised; nothing was changed.")
        }
        do {
            try await payees.assign(bankProfile: profile, toLocation: location, by: try context.signedIn, now: deps.clock.now)
        } catch {
            guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
            return refused(message)
        }
        return done("Bank profile assigned.")
    }

    @Sendable func newTaxProfile(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let location = try await administeredLocation(context)
        return deps.page("tax-profile-form", TaxProfileFormView(nil, location: location, errors: [:], input: deps.pageInput(context)))
    }

    @Sendable func addTaxProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let location = try await administeredLocation(context)
        let form = PayeeForms.taxProfile(context.form, for: location)
        let input = deps.pageInput(context)
        switch TaxProfileDetails.validate(form, country: location.country, today: DayDate(input.now)) {
        case .failure(let errors):
            let view = TaxProfileFormView(form, location: location, errors: errors.byField, input: input)
            return deps.page("tax-profile-form", view, status: .unprocessableContent).response
        case .success(let details):
            _ = try await payees.addTaxProfile(details, toLocation: location.id, by: try context.signedIn, now: input.now)
            return done("Tax profile for \(location.name) saved; it counts until \(details.expiresOn).")
        }
    }

    // MARK: Shared

    /// The current bank profile the path names, when the viewer may replace it; otherwise 404.
    private func editableProfile(_ context: AppRequestContext) async throws -> BankProfileRecord {
        guard let id = context.parameters.get("id", as: Int64.self),
              let profile = try await payees.bankProfileForEdit(id, by: try context.signedIn) else { throw HTTPError(.notFound) }
        guard profile.replacedBy == nil else { throw HTTPError(.notFound) }
        return profile
    }

    /// The location the path names, when the viewer is its Incentives admin; otherwise 404.
    private func administeredLocation(_ context: AppRequestContext) async throws -> LocationSummary {
        guard let id = context.parameters.get("id", as: Int64.self),
              let location = try await payees.administeredLocation(id, by: try context.signedIn) else { throw HTTPError(.notFound) }
        return location
    }

    /// The bank profile form, as sent back with its errors (422) or fresh.
    private func bankForm(_ form: BankDetailsForm?, replacing: BankProfileRecord?, errors: [String: String] = [:],
                          context: AppRequestContext) -> HTML {
        deps.page("bank-profile-form", BankProfileFormView(form, replacing: replacing, errors: errors, input: deps.pageInput(context)),
                  status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    private func done(_ message: String) -> Response {
        deps.redirect(to: SitePath.payeeProfiles.href(), flash: Flash(kind: .success, message: message))
    }

    private func refused(_ message: String) -> Response {
        deps.redirect(to: SitePath.payeeProfiles.href(), flash: Flash(kind: .error, message: message))
    }
}
