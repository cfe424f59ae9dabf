import Foundation
import IncentivesDomain
import IncentivesStore

/// One engagement in the console: the terms in force (criteria included, for reviewers), its versions, the draft with a
/// preview against the version in force, the steps the program manager may take now, and its history.
struct ConsoleEngagementView: PageView {
    struct Terms: Sendable {
        let heading: String
        let type: String
        let payModel: String
        let rates: [String]
        let maxHours: String?
        let deadlines: String
        let description: String
        let partnerCriteria: [String]
        let customerCriteria: [String]
        let proof: [ProofLine]
        let links: [String]
        let cap: String
        let perCustomer: String
        let lastClaimDay: String

        init(_ version: ConsoleVersion, heading: String, engagementID: Int64, files: [Int64: ProofTemplateFile], times: PageTimes) {
            let terms = version.terms
            self.heading = heading
            type = terms.type.label
            payModel = terms.payModel.label
            rates = Market.allCases.map { market in
                "\(market.label): " + (terms.rates.rate(for: market).map { $0.description + (terms.payModel == .variable ? " per hour" : "") } ?? "not paid")
            }
            maxHours = terms.maxHours.map { "\($0) hours at most" }
            deadlines = terms.deadlines.summary
            description = terms.description
            partnerCriteria = terms.partnerCriteria
            customerCriteria = terms.customerCriteria.map(\.summary)
            proof = terms.proofRequirements.map { ProofLine($0, engagementID: engagementID, files: files) }
            links = terms.resourceLinks.map { "\($0.title) (\($0.url))" }
            cap = terms.earningsCap.map { Money($0, terms.rates.currency).description } ?? "No cap"
            perCustomer = "\(terms.activeClaimsPerCustomer)"
            lastClaimDay = terms.lastClaimDay.map { times.date($0.startUTC) } ?? "No end date"
        }
    }

    struct VersionLine: Sendable { let number: Int; let effective: String; let published: String; let inForce: Bool }
    struct Change: Sendable { let label: String; let before: String; let after: String }
    struct Event: Sendable { let at: String; let who: String; let what: String }

    let shell: Shell
    let name: String
    let facts: String
    let lifecycle: String
    let status: String
    let statusTone: String
    let dates: String
    let inForce: Terms?
    let versions: [VersionLine]
    let draft: Terms?
    let draftNumber: Int
    let changes: [Change]
    let hasChanges: Bool
    let isManager: Bool
    let canStartVersion: Bool
    let canClose: Bool
    let asksEffectiveDate: Bool
    let effective: String
    let publishError: String?
    let history: [Event]
    let forms: Forms

    struct Forms: Sendable { let draft: String; let versions: String; let publish: String; let close: String; let eligibility: String }

    init(_ file: ConsoleEngagementFile, templateFiles: [Int64: ProofTemplateFile] = [:], publishError: String?, effective: String, input: PageInput) {
        let times = PageTimes(zone: PageTime.utc)
        shell = Shell(input, title: file.name, section: .catalogue, trail: [(file.name, nil)])
        name = file.name
        facts = "\(file.solutionArea.name) · \(file.role.label)"
        lifecycle = file.lifecycle.label
        status = file.lifecycle == .draft ? "Draft" : file.status.label
        statusTone = file.lifecycle == .draft ? "muted" : file.status.tone
        dates = [file.opensOn.map { "from \(times.date($0.startUTC))" }, file.closesAfter.map { "to \(times.date($0.startUTC))" }]
            .compactMap { $0 }.joined(separator: " ")
        let current = file.inForce(at: input.now)
        inForce = current.map { Terms($0, heading: "Version \($0.number), in force", engagementID: file.id, files: templateFiles, times: times) }
        versions = file.published.reversed().map { v in
            VersionLine(number: v.number, effective: times.date(v.effectiveFrom),
                        published: [v.publishedBy, v.publishedAt.map { input.times.dateTime($0) }].compactMap { $0 }.joined(separator: ", "),
                        inForce: v.number == current?.number)
        }
        draft = file.draft.map { Terms($0, heading: "Version \($0.number), draft", engagementID: file.id, files: templateFiles, times: times) }
        draftNumber = file.draft?.number ?? 0
        // The preview compares the draft with the newest published version, which it replaces.
        changes = file.draft.flatMap { d in file.published.last.map { d.terms.changes(from: $0.terms) } }?
            .map { Change(label: $0.label, before: $0.before, after: $0.after) } ?? []
        hasChanges = !changes.isEmpty
        isManager = input.viewer?.vendorRole == .programManager
        canStartVersion = file.lifecycle == .published && file.draft == nil
        canClose = file.lifecycle == .published
        asksEffectiveDate = file.lifecycle == .published
        self.effective = effective
        self.publishError = publishError
        history = file.history.reversed().map { Event(at: input.times.dateTime($0.at), who: $0.actorName, what: Self.words($0)) }
        forms = Forms(draft: SitePath.catalogueDraft(.id(file.id)).href(), versions: SitePath.catalogueVersions(.id(file.id)).href(),
                      publish: SitePath.cataloguePublish(.id(file.id)).href(), close: SitePath.catalogueClose(.id(file.id)).href(),
                      eligibility: SitePath.catalogueEligibility(.id(file.id)).href())
    }

    static func words(_ change: ProgramChange) -> String {
        let what = change.action.replacingOccurrences(of: "_", with: " ")
        return [what.prefix(1).uppercased() + what.dropFirst(), change.detail].compactMap { $0 }.joined(separator: ": ")
    }
}
