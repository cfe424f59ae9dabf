import Foundation
import IncentivesDomain
import IncentivesStore

/// The form that drafts an engagement, or changes its draft version: every term a version holds, as typed, each
/// refusal next to its field. Once the engagement is published, its name, area, role and dates are shown, not edited.
struct EngagementFormView: PageView {
    struct ProofChoice: Sendable {
        let value: String; let label: String; let checked: Bool; let field: FormFieldView
        /// A survey's questions, one per line, prefilled with the standard ones.
        let questions: FormFieldView?
    }
    /// A program check of the customer criteria: a checkbox, its own words kept, and the months for the one that has them.
    struct CheckChoice: Sendable { let value: String; let label: String; let checked: Bool; let text: String; let months: FormFieldView? }

    let shell: Shell
    let heading: String
    let lede: String
    let action: String
    let back: String
    let editsHead: Bool
    let headFields: [FormFieldView]
    let headFacts: String
    let payFields: [FormFieldView]
    let deadlineFields: [FormFieldView]
    let textFields: [FormFieldView]
    let limitFields: [FormFieldView]
    let proof: [ProofChoice]
    let checks: [CheckChoice]
    let proofError: String?
    let formError: String?
    let submit: String
    /// The saved draft's proof requirements with their template files (none on a new engagement's form).
    let templates: [TemplateSlot]
    let hasTemplates: Bool
    let templateLimit: String

    init(_ form: EngagementForm, areas: [SolutionArea], file: ConsoleEngagementFile?, templateFiles: [Int64: ProofTemplateFile] = [:],
         templateRefusal: TemplateRefusal? = nil, templateLimit: String = TemplateFileRules().limitText, input: PageInput) {
        let errors = form.errors
        let t = form.terms
        let title = file.map { "\($0.name): version \($0.draft?.number ?? 1)" } ?? "New engagement"
        shell = Shell(input, title: title, section: .catalogue,
                      trail: file.map { [($0.name, SitePath.catalogueEngagement(.id($0.id)).href()), ("Draft", nil)] } ?? [("New engagement", nil)])
        heading = title
        lede = file == nil || file?.lifecycle == .draft
            ? "A draft: partners see nothing of it until it is published. Figures left empty take the standard deadlines of the type."
            : "The next version's terms, from the version in force. Claims keep the version in force at their consent; this one applies from the day you publish it for."
        action = file.map { SitePath.catalogueDraft(.id($0.id)).href() } ?? SitePath.catalogueEngagements.href()
        back = file.map { SitePath.catalogueEngagement(.id($0.id)).href() } ?? SitePath.catalogue.href()
        editsHead = file == nil || file?.lifecycle == .draft
        headFields = [
            FormFieldView("name", "Name", value: form.name, errors: errors, required: true),
            FormFieldView("solution_area", "Solution area", value: form.area,
                          kind: .select([("", "Choose…")] + areas.map { (String($0.id), $0.name) }), errors: errors, required: true),
            FormFieldView("role", "Who earns", value: form.role, kind: .select(PartnerRole.allCases.map { ($0.rawValue, $0.label) }),
                          hint: "Fixed once published: the two kinds of claim follow different paths.", errors: errors),
            FormFieldView("opens_on", "First day", value: form.opensOn, kind: .date, hint: "Upcoming before this day, active from it.", errors: errors, required: true),
            FormFieldView("closes_after", "Last day", value: form.closesAfter, kind: .date, hint: "Closed after it; empty: open until you close it.", errors: errors),
        ]
        headFacts = file.map { "\($0.name) · \($0.solutionArea.name) · \($0.role.label)" } ?? ""
        payFields = [
            FormFieldView("type", "Type", value: t.type, kind: .select(EngagementType.allCases.map { ($0.rawValue, $0.label) }),
                          hint: "Sets the standard deadlines.", errors: errors),
            FormFieldView("pay_model", "Pay model", value: t.payModel, kind: .select(PayModel.allCases.map { ($0.rawValue, $0.label) }), errors: errors),
            FormFieldView("currency", "Currency", value: t.currency, hint: "ISO 4217, such as USD; a later version keeps it.", errors: errors),
            FormFieldView("rate_a", "Rate, market A", value: t.rateA, hint: "Per claim, or per hour for variable pay; empty: not paid there.", errors: errors),
            FormFieldView("rate_b", "Rate, market B", value: t.rateB, errors: errors),
            FormFieldView("rate_c", "Rate, market C", value: t.rateC, errors: errors),
            FormFieldView("max_hours", "Maximum hours per claim", value: t.maxHours, hint: "Variable pay only.", errors: errors),
        ]
        deadlineFields = [
            FormFieldView("consent_days", "Consent, days from the claim", value: t.consentDays, errors: errors),
            FormFieldView("submission_days", "First submission, days from consent", value: t.submissionDays, errors: errors),
            FormFieldView("review_days", "Review complete, days from consent", value: t.reviewDays, errors: errors),
            FormFieldView("dispute_days", "Dispute, days from a rejection", value: t.disputeDays, errors: errors),
            FormFieldView("response_days", "Use-or-consume answer, business days", value: t.responseBusinessDays, errors: errors),
        ]
        textFields = [
            FormFieldView("description", "Description", value: t.description, kind: .textArea, errors: errors, required: true),
            FormFieldView("partner_criteria", "Partner criteria", value: t.partnerCriteria, kind: .textArea,
                          hint: "One per line: what a location must meet to be eligible.", errors: errors),
            FormFieldView("customer_criteria", "Criteria the reviewer confirms, one per line", value: t.customerCriteria, kind: .textArea,
                          hint: "A checklist in review: approval needs every item confirmed.", errors: errors),
            FormFieldView("resource_links", "Resource links", value: t.resourceLinks, kind: .textArea,
                          hint: "One per line: Title | https://…", errors: errors),
        ]
        limitFields = [
            FormFieldView("earnings_cap", "Cap per location", value: t.earningsCap, hint: "In the currency; empty: no cap.", errors: errors),
            FormFieldView("active_claims_per_customer", "Active claims per customer", value: t.activeClaimsPerCustomer,
                          hint: "Across partners; 1 unless more than one partner may work with a customer at once.", errors: errors),
            FormFieldView("last_claim_day", "Last day to claim customers", value: t.lastClaimDay, kind: .date, errors: errors),
        ]
        proof = ProofRequirement.Kind.allCases.map { kind in
            ProofChoice(value: kind.rawValue, label: kind.label, checked: form.proofKinds.contains(kind.rawValue),
                        field: FormFieldView("proof_\(kind.rawValue)", "What it must show", value: t.proof[kind] ?? "", kind: .textArea,
                                             hint: "Empty: \(kind.usualDescription)", errors: errors),
                        questions: Survey(kind).map { survey in
                            FormFieldView(survey.field, "Questions, one per line: prompt | answer | optional",
                                          value: t.surveys[kind] ?? Survey.lines(survey.questions), kind: .textArea,
                                          hint: "Answer: text, long text, date, yes/no or rating 1-5; without “| optional” a question is required. "
                                              + "1 to 12 questions, at least one required.", errors: errors)
                        })
        }
        checks = ProgramCheck.offered.map { check in
            let months = check.months.map { standard in
                FormFieldView("approved_within_months", "Months", value: t.approvedWithinMonths.isEmpty ? "\(standard)" : t.approvedWithinMonths,
                              hint: "From 1 to 60.", errors: errors)
            }
            let label = check.months == nil ? check.standardText : "No approved claim on this engagement for this customer in the last … months"
            return CheckChoice(value: check.code, label: label, checked: t.customerChecks[check.code] != nil,
                               text: t.customerChecks[check.code] ?? "", months: months)
        }
        proofError = errors.first { $0.key.hasPrefix("proof") }?.value
        // A refusal names its field; the top of the form says one is marked, or gives one that names no field.
        formError = errors["form"] ?? (errors.isEmpty ? nil : "The engagement was not saved: the field marked below says why.")
        submit = file == nil ? "Save draft" : "Save draft version"
        templates = file.map { TemplateSlot.slots($0, files: templateFiles, error: templateRefusal, times: input.times) } ?? []
        hasTemplates = !templates.isEmpty
        self.templateLimit = templateLimit
    }
}
