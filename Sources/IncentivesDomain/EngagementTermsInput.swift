import Foundation

/// An engagement version's terms as a person types them (a page's form, an import's fields), read into
/// `EngagementTerms` by one set of rules: each refusal names its field and says what to change.
public struct EngagementTermsInput: Hashable, Sendable {
    public var type = ""
    public var payModel = ""
    public var currency = ""
    public var rateA = "", rateB = "", rateC = ""
    public var maxHours = ""
    /// Empty: the standard table's figure for the type (DOMAIN.md section 4).
    public var consentDays = "", submissionDays = "", reviewDays = "", disputeDays = "", responseBusinessDays = ""
    public var description = ""
    /// One criterion per line (customer criteria: those the reviewer confirms).
    public var partnerCriteria = "", customerCriteria = ""
    /// The program checks chosen (`ProgramCheck.code`), each with its words (empty: the standard words).
    public var customerChecks: [String: String] = [:]
    /// The months of `no_approved_claim_within` when it is chosen.
    public var approvedWithinMonths = ""
    /// The proof kinds asked for, with what each must show (empty: the kind's usual words).
    public var proof: [ProofRequirement.Kind: String] = [:]
    /// A survey's questions, one per line: "prompt | answer | optional" (absent: the standard questions).
    public var surveys: [ProofRequirement.Kind: String] = [:]
    /// One link per line: "Title | https://…" (or the address alone).
    public var resourceLinks = ""
    public var earningsCap = ""
    public var activeClaimsPerCustomer = ""
    /// YYYY-MM-DD, or empty for none.
    public var lastClaimDay = ""

    public init() {}

    /// The form's fields for terms already stored: what an edit form starts from.
    public init(_ terms: EngagementTerms) {
        let number = { (value: Decimal?) in value.map { "\($0)" } ?? "" }
        type = terms.type.rawValue; payModel = terms.payModel.rawValue; currency = terms.rates.currency.code
        rateA = number(terms.rates.a); rateB = number(terms.rates.b); rateC = number(terms.rates.c)
        maxHours = number(terms.maxHours)
        consentDays = "\(terms.deadlines.consentDays)"; submissionDays = "\(terms.deadlines.submissionDays)"
        reviewDays = "\(terms.deadlines.reviewDays)"; disputeDays = "\(terms.deadlines.disputeDays)"
        responseBusinessDays = "\(terms.deadlines.cporResponseBusinessDays)"
        description = terms.description
        partnerCriteria = terms.partnerCriteria.joined(separator: "\n")
        customerCriteria = terms.customerCriteria.filter(\.isReviewerConfirmed).map(\.text).joined(separator: "\n")
        for criterion in terms.customerCriteria {
            guard let check = criterion.check else { continue }
            customerChecks[check.code] = criterion.text == check.standardText ? "" : criterion.text
            if let months = check.months { approvedWithinMonths = "\(months)" }
        }
        proof = Dictionary(uniqueKeysWithValues: terms.proofRequirements.map { ($0.kind, $0.description) })
        for requirement in terms.proofRequirements where Survey(requirement.kind) != nil {
            surveys[requirement.kind] = Survey.lines(requirement.surveyQuestions)
        }
        resourceLinks = terms.resourceLinks.map { $0.title == $0.url ? $0.url : "\($0.title) | \($0.url)" }.joined(separator: "\n")
        earningsCap = number(terms.earningsCap)
        activeClaimsPerCustomer = "\(terms.activeClaimsPerCustomer)"
        lastClaimDay = terms.lastClaimDay?.description ?? ""
    }

    public static let descriptionRule = TextRule(label: "The description", maxLength: 8_000, required: true, multiline: true,
                                                 missing: "Describe the engagement: partners read it before they claim a customer.")
    public static let criterionRule = TextRule(label: "A criterion", maxLength: 500)
    public static let proofRule = TextRule(label: "What the proof must show", maxLength: 1_000)
    public static let linkTitleRule = TextRule(label: "A link's title", maxLength: 200)

    /// The terms, or the first refusal (field and sentence). Kept before the store runs, so nothing is half-stored.
    public func terms() throws -> EngagementTerms {
        guard let type = EngagementType(rawValue: type) else { throw CatalogueError.invalid(field: "type", "Choose the engagement's type.") }
        guard let payModel = PayModel(rawValue: payModel) else { throw CatalogueError.invalid(field: "pay_model", "Choose how it pays: a fixed rate or hours.") }
        let code = currency.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.count == 3, code.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
            throw CatalogueError.invalid(field: "currency", "The currency is a three-letter ISO 4217 code, such as USD or EUR.")
        }
        let standard = DeadlinePolicy.standard(for: type)
        let deadlines = DeadlinePolicy(
            consentDays: try days(consentDays, "consent_days", standard.consentDays),
            submissionDays: try days(submissionDays, "submission_days", standard.submissionDays),
            reviewDays: try days(reviewDays, "review_days", standard.reviewDays),
            disputeDays: try days(disputeDays, "dispute_days", standard.disputeDays),
            cporResponseBusinessDays: try days(responseBusinessDays, "response_days", standard.cporResponseBusinessDays))
        let proofRequirements = try ProofRequirement.Kind.allCases.compactMap { kind -> ProofRequirement? in
            guard let words = proof[kind] else { return nil }
            let text = try Self.proofRule.check(words, field: "proof_\(kind.rawValue)")
            let questions = try Survey(kind).flatMap { survey in try surveys[kind].flatMap { try survey.questions(fromLines: $0) } }
            return ProofRequirement(kind: kind, description: text.isEmpty ? kind.usualDescription : text, questions: questions)
        }
        let terms = EngagementTerms(
            type: type, payModel: payModel,
            rates: MarketRates(currency: Currency(code), a: try amount(rateA, "rate_a"), b: try amount(rateB, "rate_b"), c: try amount(rateC, "rate_c")),
            maxHours: try amount(maxHours, "max_hours"), deadlines: deadlines,
            description: try Self.descriptionRule.check(description, field: "description"),
            partnerCriteria: try lines(partnerCriteria, "partner_criteria"), customerCriteria: try customerCriteriaList(),
            proofRequirements: proofRequirements, resourceLinks: try links(), earningsCap: try amount(earningsCap, "earnings_cap"),
            activeClaimsPerCustomer: try count(activeClaimsPerCustomer, "active_claims_per_customer", default: 1),
            lastClaimDay: try day(lastClaimDay, "last_claim_day"))
        try terms.validate()
        return terms
    }

    private func amount(_ text: String, _ field: String) throws -> Decimal? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        guard !trimmed.isEmpty else { return nil }
        guard trimmed.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "." }),
              let value = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")) else {
            throw CatalogueError.invalid(field: field, "\(text) is not an amount: write digits with at most one point, such as 5000 or 150.50.")
        }
        return value
    }

    private func count(_ text: String, _ field: String, default value: Int) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return value }
        guard let number = Int(trimmed) else { throw CatalogueError.invalid(field: field, "\(text) is not a whole number.") }
        return number
    }

    private func days(_ text: String, _ field: String, _ standard: Int) throws -> Int {
        let number = try count(text, field, default: standard)
        guard (1...3_650).contains(number) else { throw CatalogueError.invalid(field: field, "A deadline is from 1 to 3,650 days.") }
        return number
    }

    private func day(_ text: String, _ field: String) throws -> DayDate? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        guard let day = DayDate(trimmed) else { throw CatalogueError.invalid(field: field, "\(text) is not a date: write it as YYYY-MM-DD.") }
        return day
    }

    private func lines(_ text: String, _ field: String) throws -> [String] {
        let list = try text.split(whereSeparator: \.isNewline).map { try Self.criterionRule.check(String($0), field: field) }.filter { !$0.isEmpty }
        guard list.count <= 30 else { throw CatalogueError.invalid(field: field, "At most 30 criteria: partners have to read them all.") }
        guard Set(list).count == list.count else { throw CatalogueError.invalid(field: field, "A criterion is listed twice.") }
        return list
    }

    /// The program checks chosen, in the order forms offer them, then the reviewer's items.
    private func customerCriteriaList() throws -> [CustomerCriterion] {
        let known = Set(ProgramCheck.offered.map(\.code))
        if let unknown = customerChecks.keys.sorted().first(where: { !known.contains($0) }) {
            throw CatalogueError.invalid(field: "customer_criteria", "\(unknown) is not a check the program makes.")
        }
        let checks = try ProgramCheck.offered.compactMap { offered -> CustomerCriterion? in
            guard let words = customerChecks[offered.code] else { return nil }
            var check = offered
            if offered.months != nil {
                let field = "approved_within_months"
                guard let months = Int(approvedWithinMonths.trimmingCharacters(in: .whitespaces)), ProgramCheck.months.contains(months) else {
                    throw CatalogueError.invalid(field: field, "Give the months without an approved claim: a whole number from 1 to 60.")
                }
                check = .noApprovedClaimWithin(months: months)
            }
            let text = try Self.criterionRule.check(words, field: "customer_criteria")
            return .program(check, text.isEmpty ? check.standardText : text)
        }
        let items = try lines(customerCriteria, "customer_criteria").map(CustomerCriterion.reviewerConfirms)
        guard checks.count + items.count <= 30 else {
            throw CatalogueError.invalid(field: "customer_criteria", "At most 30 criteria: partners have to read them all.")
        }
        return checks + items
    }

    private func links() throws -> [ResourceLink] {
        try resourceLinks.split(whereSeparator: \.isNewline).compactMap { line -> ResourceLink? in
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let url = parts.last, !url.isEmpty else { return nil }
            let title = parts.count == 2 ? try Self.linkTitleRule.check(parts[0], field: "resource_links") : url
            return ResourceLink(title: title.isEmpty ? url : title, url: url)
        }
    }
}

extension ProofRequirement.Kind {
    /// What the proof shows when the program manager writes nothing more.
    public var usualDescription: String {
        switch self {
        case .invoice: "The invoice to the customer naming the services delivered."
        case .findingsDocument: "Findings and recommendations presented to the customer, signed by the customer."
        case .customerSurvey: "A short survey the customer answers from an emailed link."
        case .partnerSurvey: "The partner's survey on the delivery."
        }
    }
}
