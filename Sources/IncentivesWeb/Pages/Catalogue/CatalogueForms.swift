import Foundation
import IncentivesDomain
import IncentivesStore

/// The engagement form (a new engagement, or an engagement's draft version): the fields as typed, read into an
/// `EngagementDraft` by the domain's rules, and the refusal next to its field.
struct EngagementForm: RefusableForm {
    var name = ""
    var area = ""
    var role = PartnerRole.buildIntent.rawValue
    var opensOn = ""
    var closesAfter = ""
    var terms = EngagementTermsInput()
    /// The proof kinds ticked.
    var proofKinds: Set<String> = []
    var errors: [String: String] = [:]

    init() {}

    /// What an edit starts from: the engagement's head and its draft's terms.
    init(_ file: ConsoleEngagementFile, draft: ConsoleVersion) {
        name = file.name; area = String(file.solutionArea.id); role = file.role.rawValue
        opensOn = file.opensOn?.description ?? ""; closesAfter = file.closesAfter?.description ?? ""
        terms = EngagementTermsInput(draft.terms)
        proofKinds = Set(draft.terms.proofRequirements.map(\.kind.rawValue))
    }

    init(_ form: FormFields) {
        name = form.text("name"); area = form.text("solution_area"); role = form.text("role")
        opensOn = form.text("opens_on"); closesAfter = form.text("closes_after")
        terms.type = form.text("type"); terms.payModel = form.text("pay_model"); terms.currency = form.text("currency")
        terms.rateA = form.text("rate_a"); terms.rateB = form.text("rate_b"); terms.rateC = form.text("rate_c")
        terms.maxHours = form.text("max_hours")
        terms.consentDays = form.text("consent_days"); terms.submissionDays = form.text("submission_days")
        terms.reviewDays = form.text("review_days"); terms.disputeDays = form.text("dispute_days")
        terms.responseBusinessDays = form.text("response_days")
        terms.description = form["description"] ?? ""
        terms.partnerCriteria = form["partner_criteria"] ?? ""; terms.customerCriteria = form["customer_criteria"] ?? ""
        // A check's own words (from an import) ride along in a hidden field, so an edit keeps them.
        for code in form.all("customer_check") { terms.customerChecks[code] = form["customer_check_text_\(code)"] ?? "" }
        terms.approvedWithinMonths = form.text("approved_within_months")
        terms.resourceLinks = form["resource_links"] ?? ""
        terms.earningsCap = form.text("earnings_cap"); terms.activeClaimsPerCustomer = form.text("active_claims_per_customer")
        terms.lastClaimDay = form.text("last_claim_day")
        proofKinds = Set(form.all("proof"))
        for kind in ProofRequirement.Kind.allCases where proofKinds.contains(kind.rawValue) {
            terms.proof[kind] = form["proof_\(kind.rawValue)"] ?? ""
            if let survey = Survey(kind), let lines = form[survey.field] { terms.surveys[kind] = lines }
        }
    }

    /// The draft, or nil with the refusal in `errors` under its field.
    mutating func draft(areas: [SolutionArea]) throws -> EngagementDraft? {
        do {
            guard let areaID = Int64(area), areas.contains(where: { $0.id == areaID }) else {
                throw CatalogueError.invalid(field: "solution_area", "Choose one of the program's solution areas.")
            }
            guard let role = PartnerRole(rawValue: role) else { throw CatalogueError.invalid(field: "role", "Choose who earns on it.") }
            guard let opens = DayDate(opensOn) else {
                throw CatalogueError.invalid(field: "opens_on", "Give the first day partners may claim on it, as YYYY-MM-DD.")
            }
            let closes: DayDate?
            if closesAfter.isEmpty { closes = nil } else {
                guard let day = DayDate(closesAfter) else { throw CatalogueError.invalid(field: "closes_after", "Write the last day as YYYY-MM-DD, or leave it empty.") }
                closes = day
            }
            return EngagementDraft(name: name, solutionAreaID: areaID, role: role, opensOn: opens, closesAfter: closes, terms: try terms.terms())
        } catch {
            try note(error)
            return nil
        }
    }
}
