import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/payee-profiles`: bank profiles (organization level) and tax profiles (per location).
struct PayeePages: Sendable {
    let deps: AppDependencies
    let reads: ProgramReads

    init(deps: AppDependencies) {
        self.deps = deps
        self.reads = ProgramReads(db: deps.db)
    }

    struct BankLine: Sendable {
        let organization: String; let holder: String; let bank: String; let country: String; let account: String
        let status: String; let statusTone: String; let reason: String; let replaced: Bool; let usedBy: String
    }
    struct TaxLine: Sendable {
        let organization: String; let location: String; let country: String; let form: String; let expiresOn: String
        let valid: Bool; let current: Bool
    }
    struct PayeeView: PageView {
        let shell: Shell
        let banks: [BankLine]
        let hasBanks: Bool
        let taxes: [TaxLine]
        let hasTaxes: Bool
        let showOrganization: Bool
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/payee-profiles") { request, context in
            let viewer = try context.viewer(for: .payeeProfiles, request)
            let now = deps.clock.now
            let profiles = try await reads.payeeProfiles(in: viewer.scope)
            let banks = profiles.bankProfiles.map { b in
                BankLine(organization: b.organizationName, holder: b.holderName, bank: b.bankName, country: b.country,
                         account: b.maskedAccountNumber, status: b.status.label, statusTone: Wording.tone(b.status),
                         reason: b.status == .actionRequired ? (b.statusReason ?? "The vendor asked for an update; check the details.") : "",
                         replaced: b.replacedBy != nil,
                         usedBy: b.usedBy.isEmpty ? "No location" : b.usedBy.joined(separator: ", "))
            }
            let taxes = profiles.taxProfiles.map { t in
                TaxLine(organization: t.organizationName, location: t.locationName, country: t.country, form: t.form,
                        expiresOn: deps.day(t.expiresOn), valid: t.isValid(at: now), current: t.isCurrent)
            }
            return deps.page("payee-profiles", PayeeView(
                shell: Shell(context, deps: deps, title: Section.payeeProfiles.title, section: .payeeProfiles),
                banks: banks, hasBanks: !banks.isEmpty, taxes: taxes, hasTaxes: !taxes.isEmpty,
                showOrganization: viewer.vendorRole != nil))
        }

    }
}
