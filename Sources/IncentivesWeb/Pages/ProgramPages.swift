import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// The partner's program sections: `/engagements`, `/eligibility`, `/payee-profiles`, `/earnings`.
/// Every read is scoped in `ProgramReads` by the viewer's organization and Incentives locations.
struct ProgramPages: Sendable {
    let deps: AppDependencies
    let reads: ProgramReads

    init(deps: AppDependencies) {
        self.deps = deps
        self.reads = ProgramReads(db: deps.db)
    }

    // MARK: View models

    struct EngagementLine: Sendable {
        let name: String; let role: String; let status: String; let statusTone: String; let lastClaimDay: String
        let earning: String; let earningTitle: String; let showsGreenIcon: Bool
    }
    struct AreaGroup: Sendable { let id: String; let name: String; let rows: [EngagementLine] }
    struct EngagementsView: PageView {
        let shell: Shell
        let areas: [AreaGroup]
        let hasRows: Bool
    }

    struct LocationLine: Sendable {
        let name: String; let organization: String; let country: String; let market: String
        let enrollment: String; let enrollmentTone: String; let bank: String; let bankTone: String
        let tax: String; let taxTone: String; let earning: Bool; let reason: String
    }
    struct EligibilityView: PageView {
        let shell: Shell
        let rows: [LocationLine]
        let hasRows: Bool
        let earningCount: Int
        let locationCount: Int
        let locationPlural: String
        let programName: String
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

    struct EarningRow: Sendable {
        let claimID: Int64; let claim: String; let engagement: String; let organization: String; let location: String
        let market: String; let version: Int; let amount: String; let approvedOn: String; let approvedTitle: String
        let paymentMonth: String; let paymentStatus: String; let paymentTone: String
    }
    struct TotalLine: Sendable { let currency: String; let earned: String; let sent: String; let lines: Int }
    struct EarningsView: PageView {
        let shell: Shell
        let rows: [EarningRow]
        let hasRows: Bool
        let totals: [TotalLine]
        let showOrganization: Bool
        let shown: Int
        let totalCount: Int
        let partial: Bool
    }

    // MARK: Routes

    func register(on router: Router<AppRequestContext>) {
        router.get("/engagements") { request, context in
            let viewer = try context.viewer(for: .engagements, request)
            let now = deps.clock.now
            let standings = try await reads.engagements(in: viewer.scope)
            var groups: [AreaGroup] = []
            for standing in standings {
                let earning = standing.earningLocations(at: now)
                let line = EngagementLine(
                    name: standing.name, role: standing.role.label, status: standing.status.label, statusTone: standing.status.tone,
                    lastClaimDay: standing.lastClaimDay.map { dayText($0) } ?? "No end date",
                    earning: earning.label,
                    earningTitle: "\(earning.earning) earning of \(earning.enrolled) enrolled on the list",
                    showsGreenIcon: earning.showsGreenIcon)
                if let last = groups.last, last.id == standing.solutionArea.code {
                    groups[groups.count - 1] = AreaGroup(id: last.id, name: last.name, rows: last.rows + [line])
                } else {
                    groups.append(AreaGroup(id: standing.solutionArea.code, name: standing.solutionArea.name, rows: [line]))
                }
            }
            return deps.page("engagements", EngagementsView(
                shell: Shell(context, deps: deps, title: Section.engagements.title, section: .engagements),
                areas: groups, hasRows: !groups.isEmpty))
        }

        router.get("/eligibility") { request, context in
            let viewer = try context.viewer(for: .eligibility, request)
            let now = deps.clock.now
            let program = try await reads.program()
            let rows = try await reads.locations(in: viewer.scope).map { standing in
                let enrollment = program.flatMap { standing.enrollments[$0.id] }
                let reason = program.map { standing.notEarningReason(in: $0.id, at: now) } ?? "No program is set up yet."
                let tax: (String, String)
                if let expiry = standing.payee.taxExpiresOn, let valid = standing.taxProfileIsValid(at: now) {
                    tax = !valid ? ("Expired \(dayText(expiry))", "danger") : ("Valid until \(dayText(expiry))", "success")
                } else {
                    tax = ("Missing", "danger")
                }
                return LocationLine(
                    name: standing.location.name, organization: standing.organizationName, country: standing.location.country,
                    market: standing.location.market.rawValue.uppercased(),
                    enrollment: enrollment?.label ?? "Not enrolled", enrollmentTone: enrollment == .enrolled ? "success" : "attention",
                    bank: standing.payee.bankStatus?.label ?? "None assigned", bankTone: Self.tone(standing.payee.bankStatus),
                    tax: tax.0, taxTone: tax.1, earning: reason == nil,
                    reason: reason ?? "Earning on \(standing.earningEngagements(at: now)) of \(standing.engagements.count) listed engagements")
            }
            let earning = rows.filter(\.earning).count
            return deps.page("eligibility", EligibilityView(
                shell: Shell(context, deps: deps, title: Section.eligibility.title, section: .eligibility),
                rows: rows, hasRows: !rows.isEmpty, earningCount: earning, locationCount: rows.count,
                locationPlural: rows.count == 1 ? "" : "s", programName: program?.name ?? "the program"))
        }

        router.get("/payee-profiles") { request, context in
            let viewer = try context.viewer(for: .payeeProfiles, request)
            let now = deps.clock.now
            let profiles = try await reads.payeeProfiles(in: viewer.scope)
            let banks = profiles.bankProfiles.map { b in
                BankLine(organization: b.organizationName, holder: b.holderName, bank: b.bankName, country: b.country,
                         account: b.maskedAccountNumber, status: b.status.label, statusTone: Self.tone(b.status),
                         reason: b.status == .actionRequired ? (b.statusReason ?? "The vendor asked for an update; check the details.") : "",
                         replaced: b.replacedBy != nil,
                         usedBy: b.usedBy.isEmpty ? "No location" : b.usedBy.joined(separator: ", "))
            }
            let taxes = profiles.taxProfiles.map { t in
                TaxLine(organization: t.organizationName, location: t.locationName, country: t.country, form: t.form,
                        expiresOn: dayText(t.expiresOn), valid: t.isValid(at: now), current: t.isCurrent)
            }
            return deps.page("payee-profiles", PayeeView(
                shell: Shell(context, deps: deps, title: Section.payeeProfiles.title, section: .payeeProfiles),
                banks: banks, hasBanks: !banks.isEmpty, taxes: taxes, hasTaxes: !taxes.isEmpty,
                showOrganization: viewer.vendorRole != nil))
        }

        router.get("/earnings") { request, context in
            let viewer = try context.viewer(for: .earnings, request)
            let page = try await reads.earnings(in: viewer.scope, limit: 100)
            let rows = page.lines.map { e in
                EarningRow(claimID: e.claimID, claim: e.claimName, engagement: e.engagementName, organization: e.organizationName,
                           location: e.locationName, market: e.market.rawValue.uppercased(), version: e.engagementVersion,
                           amount: e.amount.description, approvedOn: deps.format(e.approvedAt, for: viewer, style: .date),
                           approvedTitle: deps.format(e.approvedAt, for: viewer),
                           paymentMonth: Self.monthText(e.paymentMonth), paymentStatus: e.paymentStatus.label,
                           paymentTone: Self.tone(e.paymentStatus))
            }
            let totals = page.totals.map {
                TotalLine(currency: $0.earned.currency.code, earned: $0.earned.description, sent: $0.sent.description, lines: $0.lines)
            }
            return deps.page("earnings", EarningsView(
                shell: Shell(context, deps: deps, title: Section.earnings.title, section: .earnings),
                rows: rows, hasRows: !rows.isEmpty, totals: totals, showOrganization: viewer.vendorRole != nil,
                shown: rows.count, totalCount: page.totalCount, partial: rows.count < page.totalCount))
        }
    }

    // MARK: Wording

    /// A UTC calendar day as pages write dates, e.g. "25 Nov 2026": the same day in every zone, so no zone shift.
    func dayText(_ day: DayDate) -> String {
        deps.format(day.startUTC, for: nil, style: .date)
    }

    /// `2027-01` as "Jan 2027"; anything unexpected as stored.
    static func monthText(_ month: String) -> String {
        guard let first = DayDate("\(month)-01") else { return month }
        var style = Date.FormatStyle(timeZone: TimeZone(identifier: "UTC")!).month(.abbreviated).year()
        style.locale = Locale(identifier: "en_GB")
        return first.startUTC.formatted(style)
    }

    static func tone(_ status: BankProfileStatus?) -> String {
        switch status {
        case .approved: "success"
        case .pendingValidation: "progress"
        case .actionRequired, nil: "attention"
        }
    }

    static func tone(_ status: PaymentStatus) -> String {
        switch status {
        case .sent: "success"
        case .failed, .reversed, .forfeited: "danger"
        case .inProgress, .upcoming: "progress"
        case .unprocessed: "muted"
        }
    }
}

extension EngagementStatus {
    /// The badge colour of the status on lists.
    var tone: String {
        switch self {
        case .active: "success"
        case .upcoming: "progress"
        case .closed: "muted"
        }
    }
}
