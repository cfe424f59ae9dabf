import Foundation
import IncentivesDomain
import IncentivesStore

/// `/payee-profiles`: bank profiles (organization level), which profile each location uses, and tax profiles (per
/// location), with the forms the viewer may use on them. Built from the store's profiles, the locations' standings and
/// the page input only.
struct PayeeProfilesView: PageView {
    struct BankLine: Sendable {
        let id: Int64
        let version: Int64
        let organization: String
        let holder: String
        let bank: String
        let country: String
        let account: String
        let status: String
        let statusTone: String
        let reason: String
        let replaced: Bool
        let usedBy: String
        /// Offered to an Incentives admin who may replace it.
        let replaceable: Bool
        let replaceHref: String
        /// Offered to the program manager on a current profile.
        let decidable: Bool
        let approvable: Bool
        let decisionAction: String
        let pending: Bool
    }
    struct TaxLine: Sendable {
        let organization: String
        let location: String
        let country: String
        let form: String
        let expiresOn: String
        let valid: Bool
        let current: Bool
    }
    struct ProfileOption: Sendable {
        let id: Int64
        let label: String
        let selected: Bool
    }
    struct LocationLine: Sendable {
        let id: Int64
        let name: String
        let country: String
        let bank: String
        let bankTone: String
        let tax: String
        let taxTone: String
        let earningReady: Bool
        let editable: Bool
        let options: [ProfileOption]
        let assignAction: String
        let newTaxHref: String
    }

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
    let newBankHref: String

    /// Where a location's bank and tax profiles are shown (and, for admins, changed): its row on the list.
    static func locationHref(_ locationID: Int64) -> String { SitePath.payeeProfiles.href() + "#location-\(locationID)" }

    /// - Parameter standings: the viewer's locations (none for the vendor, who sees profiles only).
    init(_ profiles: PayeeProfiles, standings: [LocationStanding], input: PageInput) {
        let viewer = input.viewer
        let isManager = viewer?.vendorRole == .programManager
        let adminLocations = viewer.map(PayeeRepository.adminLocations(of:)) ?? []
        // Replacing moves every location a profile pays, so only an admin of all of them may do it.
        let editable = Set(profiles.bankProfiles.filter { b in
            b.replacedBy == nil && !adminLocations.isEmpty
                && standings.filter { $0.bankProfileID == b.id }.allSatisfy { adminLocations.contains($0.location.id) }
        }.map(\.id))
        let banks = profiles.bankProfiles.map { Self.bankLine($0, replaceable: editable.contains($0.id), isManager: isManager) }
        let current = profiles.bankProfiles.filter { $0.replacedBy == nil }
        shell = Shell(input, title: Section.payeeProfiles.title, section: .payeeProfiles)
        self.banks = banks
        hasBanks = !banks.isEmpty
        taxes = profiles.taxProfiles.map { t in
            TaxLine(organization: t.organizationName, location: t.locationName, country: t.country, form: t.form,
                    expiresOn: t.expiresOn.text, valid: t.isValid(at: input.now), current: t.isCurrent)
        }
        hasTaxes = !taxes.isEmpty
        locations = standings.map { s in
            Self.locationLine(s, bank: profiles.bankProfiles.first { $0.id == s.bankProfileID }, choices: current,
                              editable: adminLocations.contains(s.location.id), now: input.now)
        }
        hasLocations = !locations.isEmpty
        showOrganization = viewer?.vendorRole != nil
        canEdit = !adminLocations.isEmpty
        self.isManager = isManager
        pendingCount = banks.filter(\.pending).count
        newBankHref = SitePath.newBankProfile.href()
    }

    static func bankLine(_ b: BankProfileSummary, replaceable: Bool, isManager: Bool) -> BankLine {
        BankLine(id: b.id, version: b.version, organization: b.organizationName, holder: b.holderName, bank: b.bankName, country: b.country,
                 account: b.maskedAccountNumber, status: b.status.label, statusTone: b.status.tone,
                 reason: b.status == .actionRequired ? (b.statusReason ?? "The vendor asked for an update; check the details.") : "",
                 replaced: b.replacedBy != nil,
                 usedBy: b.usedBy.isEmpty ? "No location" : b.usedBy.joined(separator: ", "),
                 replaceable: replaceable, replaceHref: SitePath.bankReplace(.id(b.id)).href(),
                 decidable: isManager && b.replacedBy == nil, approvable: b.status != .approved,
                 decisionAction: SitePath.bankDecision(.id(b.id)).href(),
                 pending: b.status == .pendingValidation && b.replacedBy == nil)
    }

    /// - Parameters:
    ///   - bank: the profile the location uses, if any.
    ///   - choices: the current profiles an admin may assign to it.
    static func locationLine(_ s: LocationStanding, bank: BankProfileSummary?, choices: [BankProfileSummary], editable: Bool,
                             now: Date) -> LocationLine {
        let taxValid = s.taxProfileIsValid(at: now)
        let label = { (b: BankProfileSummary) in "\(b.bankName) \(b.maskedAccountNumber) (\(b.status.label))" }
        return LocationLine(
            id: s.location.id, name: s.location.name, country: s.location.country,
            bank: bank.map(label) ?? "None assigned",
            bankTone: bank.map(\.status.tone) ?? "danger",
            tax: s.payee.taxExpiresOn.map { "\(taxValid == true ? "Valid until" : "Expired on") \($0.text)" } ?? "None on file",
            taxTone: taxValid == true ? "success" : "danger", earningReady: s.payee.isComplete(at: now),
            editable: editable,
            options: choices.map { ProfileOption(id: $0.id, label: label($0), selected: $0.id == s.bankProfileID) },
            assignAction: SitePath.locationBank(.id(s.location.id)).href(),
            newTaxHref: SitePath.locationNewTax(.id(s.location.id)).href())
    }
}
