import Foundation
import IncentivesDomain
import IncentivesStore

/// The console's front page: the program (or the form that starts it), its solution areas, and every engagement by
/// area with its lifecycle, status and version. Built from the console's overview and the page input (no database).
struct CatalogueView: PageView {
    struct Line: Sendable {
        let name: String
        let href: String
        let type: String
        let role: String
        let payModel: String
        let lifecycle: String
        let isDraft: Bool
        let status: String
        let statusTone: String
        let version: String
        let draftNote: String?
        let rateA: String, rateB: String, rateC: String
        let perHour: Bool
        let lastClaimDay: String

        init(_ line: ConsoleEngagementLine) {
            name = line.name
            href = SitePath.catalogueEngagement(.id(line.id)).href()
            type = line.type.label
            role = line.role.label
            payModel = line.terms?.payModel.label ?? ""
            lifecycle = line.lifecycle.label
            isDraft = line.lifecycle == .draft
            status = line.status.label
            statusTone = line.status.tone
            version = line.versionInForce.map { "Version \($0)" } ?? "Not published"
            draftNote = line.lifecycle == .draft ? nil : line.draftVersion.map { "Version \($0) in draft" }
            let rate = { (market: Market) in line.terms?.rates.rate(for: market)?.description ?? "None" }
            rateA = rate(.a); rateB = rate(.b); rateC = rate(.c)
            perHour = line.terms?.payModel == .variable
            lastClaimDay = line.terms?.lastClaimDay.map { PageTimes(zone: PageTime.utc).date($0.startUTC) } ?? "No end date"
        }
    }

    struct AreaGroup: Sendable {
        let name: String
        let code: String
        let href: String
        let newHref: String
        let lines: [Line]
        let isEmpty: Bool
    }

    let shell: Shell
    let isManager: Bool
    let hasProgram: Bool
    let programName: String
    let managerName: String
    let managerEmail: String
    let programFields: [FormFieldView]
    let programError: String?
    let areas: [AreaGroup]
    let hasAreas: Bool
    let areaFields: [FormFieldView]
    let areaError: String?
    let count: Int
    let forms: Forms

    struct Forms: Sendable {
        let program = SitePath.catalogueProgram.href()
        let areas = SitePath.catalogueAreas.href()
        let newEngagement = SitePath.catalogueNewEngagement.href()
        let inclusionRequests = SitePath.inclusionRequests.href()
        let budgets = SitePath.budgets.href()
    }

    init(_ overview: ConsoleOverview, programForm: ProgramForm, areaForm: AreaForm, input: PageInput) {
        shell = Shell(input, title: Section.catalogue.title, section: .catalogue)
        isManager = input.viewer?.vendorRole == .programManager
        hasProgram = overview.program != nil
        programName = overview.program?.name ?? ""
        managerName = overview.program?.managerName ?? ""
        managerEmail = overview.program?.managerEmail ?? ""
        programFields = [
            FormFieldView("name", "Program name", value: programForm.name, errors: programForm.errors, required: true, prefix: "program"),
            FormFieldView("manager_name", "Who partners contact", value: programForm.managerName,
                          hint: "Shown to partners who ask to be added to an engagement.", errors: programForm.errors, required: true, prefix: "program"),
            FormFieldView("manager_email", "Their email", value: programForm.managerEmail, errors: programForm.errors, required: true, prefix: "program"),
        ]
        programError = programForm.errors["form"]
        let byArea = Dictionary(grouping: overview.engagements, by: \.solutionAreaID)
        areas = overview.areas.map { area in
            let lines = (byArea[area.id] ?? []).map(Line.init)
            return AreaGroup(name: area.name, code: area.code, href: SitePath.catalogueArea(.id(area.id)).href(),
                             newHref: SitePath.catalogueNewEngagement.href([("area", String(area.id))]), lines: lines, isEmpty: lines.isEmpty)
        }
        hasAreas = !areas.isEmpty
        areaFields = [
            FormFieldView("name", "Name", value: areaForm.name, hint: "A tab on the engagements and claims lists, such as Cloud infrastructure.",
                          errors: areaForm.errors, required: true, prefix: "area"),
            FormFieldView("code", "Code", value: areaForm.code, hint: "Lower-case letters, digits and hyphens: cloud-infrastructure.",
                          errors: areaForm.errors, required: true, prefix: "area"),
        ]
        areaError = areaForm.errors["form"]
        count = overview.engagements.count
        forms = Forms()
    }
}

/// One solution area's page: its name, code and place in the tabs.
struct AreaView: PageView {
    let shell: Shell
    let name: String
    let fields: [FormFieldView]
    let formError: String?
    let action: String
    let back: String

    init(_ area: SolutionArea, form: AreaForm, input: PageInput) {
        shell = Shell(input, title: area.name, section: .catalogue, trail: [(area.name, nil)])
        name = area.name
        fields = [
            FormFieldView("name", "Name", value: form.name, errors: form.errors, required: true, prefix: "area"),
            FormFieldView("code", "Code", value: form.code, hint: "Part of addresses: changing it breaks links already shared.",
                          errors: form.errors, required: true, prefix: "area"),
            FormFieldView("position", "Place in the tabs", value: form.position, hint: "1 comes first.", errors: form.errors, prefix: "area"),
        ]
        formError = form.errors["form"]
        action = SitePath.catalogueArea(.id(area.id)).href()
        back = SitePath.catalogue.href()
    }
}
