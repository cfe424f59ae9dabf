import Foundation
import IncentivesDomain
import IncentivesStore

/// An engagement's eligibility list as the vendor sees it: each listed location with its criteria (status, evidence, who
/// set them), and, for the program manager, the forms that change it. Built from the store's list and the page input only.
struct EligibilityListView: PageView {
    /// A refusal to show next to the form it concerns (`add`, or one criterion's form), with 422.
    struct Problem: Sendable, Equatable {
        let form: String
        let message: String

        static func criterionForm(location: Int64, criterion: String) -> String { "criterion:\(location):\(criterion)" }
    }
    struct StatusOption: Sendable { let value: String; let label: String; let selected: Bool }
    struct CriterionLine: Sendable {
        let criterion: String
        let status: String
        let met: Bool
        let evidence: String?
        let setLine: String
        let action: String
        let options: [StatusOption]
        let expiresOn: String
        let error: String?
        let inputID: String
    }
    struct EntryLine: Sendable {
        let name: String
        let enrollment: String
        let enrolled: Bool
        let listedLine: String
        let removeHref: String
        let criteria: [CriterionLine]
        let hasCriteria: Bool
    }
    struct LocationOption: Sendable { let value: String; let label: String }
    struct HistoryLine: Sendable { let when: String; let who: String; let detail: String }

    let shell: Shell
    let name: String
    let canChange: Bool
    let criteria: [String]
    let hasCriteria: Bool
    let entries: [EntryLine]
    let hasEntries: Bool
    let summary: String
    let addAction: String
    let others: [LocationOption]
    let hasOthers: Bool
    let addError: String?
    let importAction: String
    /// Partners' inclusion requests for this engagement, in the vendor's queue.
    let requestsHref: String
    let history: [HistoryLine]
    let hasHistory: Bool

    init(_ list: EligibilityList, problem: Problem? = nil, input: PageInput) {
        let e = list.engagement, times = input.times
        shell = Shell(input, title: "\(e.name): eligibility list", section: .catalogue, trail: [("\(e.name): eligibility list", nil)])
        name = e.name
        canChange = input.viewer?.vendorRole == .programManager
        criteria = list.criteria
        hasCriteria = !list.criteria.isEmpty
        entries = list.entries.map { entry in
            let id = entry.place.location.id
            return EntryLine(
                name: entry.place.fullName, enrollment: entry.place.enrollment?.label ?? "Not enrolled",
                enrolled: entry.place.enrollment == .enrolled,
                listedLine: "Added \(times.dateTime(entry.listedAt)) by \(entry.listedByName)",
                removeHref: SitePath.catalogueEligibilityRemove(.id(e.id), location: .id(id)).href(),
                criteria: entry.criteria.enumerated().map { index, record in
                    let form = Problem.criterionForm(location: id, criterion: record.criterion)
                    return CriterionLine(
                        criterion: record.criterion, status: CriterionSetting.summary(record.status, expiresOn: record.expiresOn), met: record.met,
                        evidence: record.evidence,
                        setLine: record.setAt.map { "Set \(times.dateTime($0)) by \(record.setByName ?? "")" } ?? "Never set",
                        action: SitePath.catalogueCriterion(.id(e.id), location: .id(id)).href(),
                        options: CriterionStatus.allCases.map { StatusOption(value: $0.rawValue, label: $0.label, selected: $0 == record.status) },
                        expiresOn: record.expiresOn?.description ?? "", error: problem?.form == form ? problem?.message : nil,
                        inputID: "c-\(id)-\(index)")
                },
                hasCriteria: !entry.criteria.isEmpty)
        }
        hasEntries = !list.entries.isEmpty
        let enrolled = list.entries.filter { $0.place.enrollment == .enrolled }.count
        let eligible = list.entries.filter { $0.criteria.allSatisfy(\.met) }.count
        summary = "\(list.entries.count) location\(list.entries.count == 1 ? "" : "s") on the list (\(enrolled) enrolled); "
            + "\(eligible) meet\(eligible == 1 ? "s" : "") every partner criterion of the version in force."
        addAction = SitePath.catalogueEligibility(.id(e.id)).href()
        others = list.others.map {
            LocationOption(value: String($0.location.id), label: $0.fullName + ($0.enrollment == .enrolled ? "" : " (not enrolled)"))
        }
        hasOthers = !list.others.isEmpty
        addError = problem?.form == "add" ? problem?.message : nil
        importAction = SitePath.catalogueEligibilityImport(.id(e.id)).href()
        requestsHref = SitePath.inclusionRequests.href([("engagement", String(e.id))])
        history = list.history.reversed().map { HistoryLine(when: times.dateTime($0.at), who: $0.actorName, detail: $0.detail ?? $0.action) }
        hasHistory = !list.history.isEmpty
    }
}

/// The confirmation before a location leaves a list.
struct EligibilityRemoveView: PageView {
    let shell: Shell
    let location: String
    let engagement: String
    let action: String
    let backHref: String

    init(_ list: EligibilityList, _ entry: EligibilityEntry, input: PageInput) {
        let e = list.engagement
        shell = Shell(input, title: "Remove \(entry.place.fullName)?", section: .catalogue,
                      trail: [("\(e.name): eligibility list", SitePath.catalogueEligibility(.id(e.id)).href()), ("Remove a location", nil)])
        location = entry.place.fullName
        engagement = e.name
        action = SitePath.catalogueEligibilityRemove(.id(e.id), location: .id(entry.place.location.id)).href()
        backHref = SitePath.catalogueEligibility(.id(e.id)).href()
    }
}

/// An import's preview: what each row would change, or each bad row's line, column and problem; the file again, and
/// the button that applies it when every row is right.
struct EligibilityImportView: PageView {
    enum Kind: String, Sendable { case list, criteria }
    struct Row: Sendable { let line: Int; let location: String; let change: String }
    struct ProblemLine: Sendable { let line: Int; let column: String; let message: String }

    let shell: Shell
    let name: String
    let kind: String
    let title: String
    let csv: String
    let rows: [Row]
    let hasRows: Bool
    let problems: [ProblemLine]
    let hasProblems: Bool
    let canApply: Bool
    let action: String
    let backHref: String

    init(_ list: EligibilityList, kind: Kind, csv: String, preview: ImportPreview, input: PageInput) {
        let e = list.engagement
        title = kind == .list ? "Import list entries" : "Import criterion results"
        shell = Shell(input, title: "\(e.name): \(title.lowercased())", section: .catalogue,
                      trail: [("\(e.name): eligibility list", SitePath.catalogueEligibility(.id(e.id)).href()), (title, nil)])
        name = e.name
        self.kind = kind.rawValue
        self.csv = csv
        rows = preview.rows.map { Row(line: $0.line, location: $0.location, change: $0.change) }
        hasRows = !rows.isEmpty
        problems = preview.problems.sorted { $0.line < $1.line }
            .map { ProblemLine(line: $0.line, column: $0.column.isEmpty ? "(the row)" : $0.column, message: $0.message) }
        hasProblems = !problems.isEmpty
        canApply = preview.isValid
        action = SitePath.catalogueEligibilityImport(.id(e.id)).href()
        backHref = SitePath.catalogueEligibility(.id(e.id)).href()
    }
}
