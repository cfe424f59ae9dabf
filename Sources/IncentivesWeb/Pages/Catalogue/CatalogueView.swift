import Foundation
import IncentivesDomain
import IncentivesStore

/// The catalogue's view model: each engagement with the version in force on the page's day, built from the catalogue's
/// entries and the page input (no database).
struct CatalogueView: PageView {
    struct Line: Sendable {
        let name: String
        let area: String
        let type: String
        let role: String
        let payModel: String
        let status: String
        let statusTone: String
        let versions: Int
        let versionInForce: Int
        let rateA: String
        let rateB: String
        let rateC: String
        let perHour: Bool
        let lastClaimDay: String

        init(_ entry: CatalogueEntry, now: Date) {
            let engagement = entry.engagement
            let version = engagement.version(inForceAt: now)
            let rate = { (market: Market) in version.rates.rate(for: market)?.description ?? "None" }
            name = engagement.name
            area = entry.solutionArea.name
            type = engagement.type.label
            role = engagement.role.label
            payModel = version.payModel.label
            status = engagement.status.label
            statusTone = engagement.status.tone
            versions = engagement.versions.count
            versionInForce = version.number
            rateA = rate(.a)
            rateB = rate(.b)
            rateC = rate(.c)
            perHour = version.payModel == .variable
            // The last day is a day of the program, the same everywhere: shown as the UTC date.
            lastClaimDay = engagement.lastClaimDay.map { PageTimes(zone: PageTime.utc).date($0.startUTC) } ?? "No end date"
        }
    }

    let shell: Shell
    let rows: [Line]
    let hasRows: Bool
    let count: Int

    init(_ entries: [CatalogueEntry], input: PageInput) {
        shell = Shell(input, title: Section.catalogue.title, section: .catalogue)
        rows = entries.map { Line($0, now: input.now) }
        hasRows = !rows.isEmpty
        count = rows.count
    }
}
