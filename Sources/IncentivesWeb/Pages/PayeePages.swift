import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/payee-profiles`: bank profiles (organization level) and tax profiles (per location), which profile each
/// location uses; Incentives admins add, replace and assign them; the program manager approves bank profiles.
struct PayeePages: Sendable {
    let deps: AppDependencies
    let reads: ProgramReads
    let payees: PayeeRepository

    init(deps: AppDependencies) {
        self.deps = deps
        self.reads = ProgramReads(db: deps.db)
        self.payees = PayeeRepository(db: deps.db)
    }

    /// Where a location's bank and tax profiles are shown (and, for admins, changed): its row on the list.
    static func locationPath(_ locationID: Int64) -> String { "/payee-profiles#location-\(locationID)" }

    struct BankLine: Sendable {
        let id: Int64; let version: Int64
        let organization: String; let holder: String; let bank: String; let country: String; let account: String
        let status: String; let statusTone: String; let reason: String; let replaced: Bool; let usedBy: String
        /// Offered to an Incentives admin who may replace it.
        let replaceable: Bool
        /// Offered to the program manager on a current profile.
        let decidable: Bool
        let approvable: Bool
        let pending: Bool
    }
    struct TaxLine: Sendable {
        let organization: String; let location: String; let country: String; let form: String; let expiresOn: String
        let valid: Bool; let current: Bool
    }
    struct ProfileOption: Sendable { let id: Int64; let label: String; let selected: Bool }
    struct LocationLine: Sendable {
        let id: Int64; let name: String; let country: String
        let bank: String; let bankTone: String; let tax: String; let taxTone: String
        let earningReady: Bool
        let editable: Bool
        let options: [ProfileOption]
    }
    struct PayeeView: PageView {
        let shell: Shell
        let banks: [BankLine]
        let hasBanks: Bool
        let taxes: [TaxLine]
        let hasTaxes: Bool
        let locations: [LocationLine]
        let hasLocations: Bool
        let showOrganization: Bool
        let canEdit: Bool
        let isManager: Bool
        let pendingCount: Int
    }

    /// One text input of a form, with its error next to it.
    struct FieldView: Sendable {
        let name: String; let id: String; let label: String; let value: String; let hint: String?; let error: String?
        let autocomplete: String
    }
    struct CountryOption: Sendable { let code: String; let name: String; let selected: Bool; let scheme: String }
    struct BankFormView: PageView {
        let shell: Shell
        let heading: String
        let action: String
        let replacing: Bool
        let oldStatus: String
        let countries: [CountryOption]
        let countryError: String?
        let fields: [FieldView]
        let formError: Bool
    }
    struct TaxFormView: PageView {
        let shell: Shell
        let location: String
        let action: String
        let formName: String
        let fields: [FieldView]
        let formError: Bool
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/payee-profiles") { request, context in
            let viewer = try context.viewer(for: .payeeProfiles, request)
            return try await overview(viewer, context)
        }
        router.get("/payee-profiles/bank/new") { request, context in
            let viewer = try admin(context, request)
            return bankForm(context, viewer: viewer, form: nil, replacing: nil, errors: [:])
        }
        router.post("/payee-profiles/bank/new") { request, context -> Response in
            let viewer = try admin(context, request)
            let form = bankDetailsForm(context)
            switch BankDetails.validate(form) {
            case .failure(let errors):
                return try bankForm(context, viewer: viewer, form: form, replacing: nil, errors: errors.byField).response(from: request, context: context)
            case .success(let details):
                _ = try await payees.addBankProfile(details, by: viewer, now: deps.clock.now)
                return deps.redirect(to: "/payee-profiles", flash: Flash(kind: .success,
                    message: "Bank profile added. It is pending validation (up to 48 hours); assign it to the locations it should pay."))
            }
        }
        router.get("/payee-profiles/bank/{id}/replace") { request, context in
            let viewer = try admin(context, request)
            let old = try await editableProfile(context, viewer)
            let form = BankDetailsForm(holderName: old.holderName, bankName: old.bankName, country: old.country,
                                       accountNumber: old.accountNumber, routingCode: old.routingCode ?? "", swiftBIC: old.swiftBIC)
            return bankForm(context, viewer: viewer, form: form, replacing: old, errors: [:])
        }
        router.post("/payee-profiles/bank/{id}/replace") { request, context -> Response in
            let viewer = try admin(context, request)
            let old = try await editableProfile(context, viewer)
            let form = bankDetailsForm(context)
            switch BankDetails.validate(form) {
            case .failure(let errors):
                return try bankForm(context, viewer: viewer, form: form, replacing: old, errors: errors.byField).response(from: request, context: context)
            case .success(let details):
                _ = try await payees.replaceBankProfile(old.id, with: details, by: viewer, now: deps.clock.now)
                return deps.redirect(to: "/payee-profiles", flash: Flash(kind: .success,
                    message: "Bank profile replaced. The new one is pending validation (up to 48 hours); the locations it pays moved to it."))
            }
        }
        router.post("/payee-profiles/bank/{id}/decision") { request, context -> Response in
            let viewer = try context.viewer(for: .payeeProfiles, request)
            guard viewer.vendorRole == .programManager else { throw HTTPError(.forbidden) }
            guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
            let status = context.form.text("status")
            guard let decision = BankProfileStatus(rawValue: status), decision != .pendingValidation else {
                // The page's buttons send one of two words: anything else did not come from it.
                if !status.isEmpty { throw HTTPError(.badRequest, message: "That decision was not recognised; nothing was changed.") }
                return deps.redirect(to: "/payee-profiles", flash: Flash(kind: .error, message: "Choose approved or action required; nothing was changed."))
            }
            let reason = context.form.text("reason")
            // Text the rule refuses is answered with its reason (422); a reason left out goes back to the list.
            if decision == .actionRequired, !reason.isEmpty { _ = try TextRule.bankUpdateReason.check(reason, field: "reason") }
            let version = Int64(context.form.text("version")) ?? -1
            do {
                try await payees.decide(bankProfile: id, decision, reason: reason, expectedVersion: version,
                                        by: viewer, now: deps.clock.now)
            } catch {
                guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
                return deps.redirect(to: "/payee-profiles", flash: Flash(kind: .error, message: "Nothing was changed: \(message)"))
            }
            let message = decision == .approved
                ? "Bank profile approved; the locations it pays earn from now on where they are enrolled and eligible."
                : "The partner was asked to update the bank profile."
            return deps.redirect(to: "/payee-profiles", flash: Flash(kind: .success, message: message))
        }
        router.post("/payee-profiles/locations/{id}/bank") { request, context -> Response in
            let viewer = try admin(context, request)
            let location = try await administeredLocation(context, viewer).id
            let chosen = context.form.text("bank_profile_id")
            guard !chosen.isEmpty else { return deps.redirect(to: "/payee-profiles", flash: Flash(kind: .error, message: "Choose a bank profile.")) }
            guard let profile = Int64(chosen), profile > 0 else {
                throw HTTPError(.badRequest, message: "That bank profile was not recognised; nothing was changed.")
            }
            do {
                try await payees.assign(bankProfile: profile, toLocation: location, by: viewer, now: deps.clock.now)
            } catch {
                guard let message = ErrorAnswer.formRefusal(error)?.detail else { throw error }
                return deps.redirect(to: "/payee-profiles", flash: Flash(kind: .error, message: message))
            }
            return deps.redirect(to: "/payee-profiles", flash: Flash(kind: .success, message: "Bank profile assigned."))
        }
        router.get("/payee-profiles/locations/{id}/tax/new") { request, context in
            let viewer = try admin(context, request)
            let location = try await administeredLocation(context, viewer)
            return taxForm(context, location: location, form: nil, errors: [:])
        }
        router.post("/payee-profiles/locations/{id}/tax/new") { request, context -> Response in
            let viewer = try admin(context, request)
            let location = try await administeredLocation(context, viewer)
            let form = TaxProfileForm(form: TaxForm.expected(forCountry: location.country).rawValue, taxID: context.form.text("tax_id"),
                                      expiresOn: context.form.text("expires_on"))
            switch TaxProfileDetails.validate(form, country: location.country, today: DayDate(deps.clock.now)) {
            case .failure(let errors):
                return try taxForm(context, location: location, form: form, errors: errors.byField).response(from: request, context: context)
            case .success(let details):
                _ = try await payees.addTaxProfile(details, toLocation: location.id, by: viewer, now: deps.clock.now)
                return deps.redirect(to: "/payee-profiles", flash: Flash(kind: .success,
                    message: "Tax profile for \(location.name) saved; it counts until \(details.expiresOn)."))
            }
        }
    }

    // MARK: The overview

    func overview(_ viewer: Viewer, _ context: AppRequestContext) async throws -> HTML {
        let now = deps.clock.now
        let profiles = try await reads.payeeProfiles(in: viewer.scope)
        let isManager = viewer.vendorRole == .programManager
        let adminLocations = PayeeRepository.adminLocations(of: viewer)
        let standings = viewer.vendorRole == nil ? try await reads.locations(in: viewer.scope, at: deps.clock.now) : []
        // Replacing moves every location a profile pays, so only an admin of all of them may do it.
        let editable = Set(profiles.bankProfiles.filter { b in
            b.replacedBy == nil && !adminLocations.isEmpty
                && standings.filter { $0.bankProfileID == b.id }.allSatisfy { adminLocations.contains($0.location.id) }
        }.map(\.id))
        let banks = profiles.bankProfiles.map { b in
            BankLine(id: b.id, version: b.version, organization: b.organizationName, holder: b.holderName, bank: b.bankName, country: b.country,
                     account: b.maskedAccountNumber, status: b.status.label, statusTone: b.status.tone,
                     reason: b.status == .actionRequired ? (b.statusReason ?? "The vendor asked for an update; check the details.") : "",
                     replaced: b.replacedBy != nil,
                     usedBy: b.usedBy.isEmpty ? "No location" : b.usedBy.joined(separator: ", "),
                     replaceable: editable.contains(b.id), decidable: isManager && b.replacedBy == nil,
                     approvable: b.status != .approved, pending: b.status == .pendingValidation && b.replacedBy == nil)
        }
        let taxes = profiles.taxProfiles.map { t in
            TaxLine(organization: t.organizationName, location: t.locationName, country: t.country, form: t.form,
                    expiresOn: deps.day(t.expiresOn), valid: t.isValid(at: now), current: t.isCurrent)
        }
        let current = profiles.bankProfiles.filter { $0.replacedBy == nil }
        let locations = standings.map { s in
            let bank = profiles.bankProfiles.first { $0.id == s.bankProfileID }
            let taxValid = s.taxProfileIsValid(at: now)
            return LocationLine(
                id: s.location.id, name: s.location.name, country: s.location.country,
                bank: bank.map { "\($0.bankName) \($0.maskedAccountNumber) (\($0.status.label))" } ?? "None assigned",
                bankTone: bank.map(\.status.tone) ?? "danger",
                tax: s.payee.taxExpiresOn.map { "\(taxValid == true ? "Valid until" : "Expired on") \(deps.day($0))" } ?? "None on file",
                taxTone: taxValid == true ? "success" : "danger", earningReady: s.payee.isComplete(at: now),
                editable: adminLocations.contains(s.location.id),
                options: current.map { ProfileOption(id: $0.id, label: "\($0.bankName) \($0.maskedAccountNumber) (\($0.status.label))",
                                                     selected: $0.id == s.bankProfileID) })
        }
        return deps.page("payee-profiles", PayeeView(
            shell: Shell(context, deps: deps, title: Section.payeeProfiles.title, section: .payeeProfiles),
            banks: banks, hasBanks: !banks.isEmpty, taxes: taxes, hasTaxes: !taxes.isEmpty,
            locations: locations, hasLocations: !locations.isEmpty,
            showOrganization: viewer.vendorRole != nil, canEdit: !adminLocations.isEmpty, isManager: isManager,
            pendingCount: banks.filter(\.pending).count))
    }

    // MARK: Forms

    /// The viewer, when they hold Incentives admin on a location; Incentives users only view (403).
    func admin(_ context: AppRequestContext, _ request: Request) throws -> Viewer {
        let viewer = try context.viewer(for: .payeeProfiles, request)
        guard viewer.vendorRole == nil, viewer.isIncentivesAdmin else { throw HTTPError(.forbidden) }
        return viewer
    }

    func editableProfile(_ context: AppRequestContext, _ viewer: Viewer) async throws -> BankProfileRecord {
        guard let id = context.parameters.get("id", as: Int64.self),
              let profile = try await payees.bankProfileForEdit(id, by: viewer) else { throw HTTPError(.notFound) }
        guard profile.replacedBy == nil else { throw HTTPError(.notFound) }
        return profile
    }

    func administeredLocation(_ context: AppRequestContext, _ viewer: Viewer) async throws -> LocationSummary {
        guard let id = context.parameters.get("id", as: Int64.self),
              let location = try await payees.administeredLocation(id, by: viewer) else { throw HTTPError(.notFound) }
        return location
    }

    func bankDetailsForm(_ context: AppRequestContext) -> BankDetailsForm {
        BankDetailsForm(holderName: context.form.text("holder_name"), bankName: context.form.text("bank_name"),
                        country: context.form.text("country"), accountNumber: context.form.text("account_number"),
                        routingCode: context.form.text("routing_code"), swiftBIC: context.form.text("swift_bic"))
    }

    func bankForm(_ context: AppRequestContext, viewer: Viewer, form: BankDetailsForm?, replacing: BankProfileRecord?,
                  errors: [String: String]) -> HTML {
        let country = form?.country.uppercased() ?? ""
        let selected = BankCountry.named(country)
        func field(_ name: String, _ label: String, _ value: String, hint: String? = nil, autocomplete: String = "off") -> FieldView {
            FieldView(name: name, id: "bank-\(name.replacingOccurrences(of: "_", with: "-"))", label: label, value: value, hint: hint,
                      error: errors[name], autocomplete: autocomplete)
        }
        let accountHint = selected.map { $0.usesIBAN ? "The IBAN: \(IBAN.lengths[$0.code] ?? 0) characters starting with \($0.code); spaces are fine."
                                                      : "The account number, digits only." }
            ?? "The IBAN in IBAN countries (spaces are fine), otherwise the account number."
        let routingHint = selected.map { c in c.routingLabel.map { "\($0): \(c.routingHint ?? "")." } ?? "Not needed for IBAN countries." }
            ?? "Only outside IBAN countries: the US routing number, India's IFSC, Singapore's bank and branch code, ..."
        let fields = [
            field("holder_name", "Account holder", form?.holderName ?? viewer.organizationName, autocomplete: "organization"),
            field("bank_name", "Bank", form?.bankName ?? ""),
            field("account_number", "IBAN or account number", form?.accountNumber ?? "", hint: accountHint),
            field("routing_code", "Bank code (routing number, IFSC, ...)", form?.routingCode ?? "", hint: routingHint),
            field("swift_bic", "SWIFT/BIC", form?.swiftBIC ?? "", hint: "8 or 11 characters, like HCBKGB2L."),
        ]
        let title = replacing == nil ? "Add a bank profile" : "Replace a bank profile"
        return deps.page("bank-profile-form", BankFormView(
            shell: Shell(context, deps: deps, title: title, section: .payeeProfiles, trail: [(title, nil)]),
            heading: title,
            action: replacing.map { "/payee-profiles/bank/\($0.id)/replace" } ?? "/payee-profiles/bank/new",
            replacing: replacing != nil, oldStatus: replacing?.status.label ?? "",
            countries: BankCountry.all.map { CountryOption(code: $0.code, name: $0.name, selected: $0.code == country,
                                                           scheme: $0.usesIBAN ? "IBAN" : ($0.routingLabel ?? "")) },
            countryError: errors["country"], fields: fields, formError: !errors.isEmpty),
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func taxForm(_ context: AppRequestContext, location: LocationSummary, form: TaxProfileForm?, errors: [String: String]) -> HTML {
        let expected = TaxForm.expected(forCountry: location.country)
        let fields = [
            FieldView(name: "tax_id", id: "tax-id", label: "Tax identification number", value: form?.taxID ?? "",
                      hint: "As written on the \(expected.rawValue).", error: errors["tax_id"], autocomplete: "off"),
            FieldView(name: "expires_on", id: "tax-expires-on", label: "Expires on", value: form?.expiresOn ?? "",
                      hint: "YYYY-MM-DD; the location is paid through this day.", error: errors["expires_on"], autocomplete: "off"),
        ]
        let title = "Tax profile for \(location.name)"
        return deps.page("tax-profile-form", TaxFormView(
            shell: Shell(context, deps: deps, title: title, section: .payeeProfiles, trail: [(title, nil)]),
            location: location.name, action: "/payee-profiles/locations/\(location.id)/tax/new", formName: expected.rawValue,
            fields: fields, formError: !errors.isEmpty),
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
