import Foundation

/// Where an engagement is in the program manager's hands. Partners never see a draft; a published engagement's status
/// (upcoming, active, closed) follows its dates; a closed one takes no new claims, whatever its dates say.
public enum EngagementLifecycle: String, CaseIterable, Sendable, Codable {
    case draft, published, closed

    public var label: String { rawValue.capitalized }
}

/// The terms one engagement version holds, as the program manager writes them: everything a claim is held to once
/// its customer consents, and the limits that decide whether a new claim is taken. Built through `EngagementTermsInput`
/// (pages, API, import), so every surface refuses alike.
public struct EngagementTerms: Hashable, Sendable {
    public var type: EngagementType
    public var payModel: PayModel
    /// Fixed amount per claim, or the hourly rate when the pay model is variable; a market with none does not pay.
    public var rates: MarketRates
    /// For variable pay: the most hours a claim may enter.
    public var maxHours: Decimal?
    public var deadlines: DeadlinePolicy
    public var description: String
    public var partnerCriteria: [String]
    public var customerCriteria: [CustomerCriterion]
    public var proofRequirements: [ProofRequirement]
    public var resourceLinks: [ResourceLink]
    /// The most one location may earn on the engagement (in the rates' currency), if capped.
    public var earningsCap: Decimal?
    /// How many active claims one customer may have on the engagement, across partners.
    public var activeClaimsPerCustomer: Int
    /// The last UTC day on which customers may be claimed.
    public var lastClaimDay: DayDate?

    public init(type: EngagementType, payModel: PayModel, rates: MarketRates, maxHours: Decimal? = nil,
                deadlines: DeadlinePolicy? = nil, description: String, partnerCriteria: [String] = [], customerCriteria: [CustomerCriterion] = [],
                proofRequirements: [ProofRequirement] = [], resourceLinks: [ResourceLink] = [], earningsCap: Decimal? = nil,
                activeClaimsPerCustomer: Int = 1, lastClaimDay: DayDate? = nil) {
        self.type = type; self.payModel = payModel; self.rates = rates; self.maxHours = maxHours
        self.deadlines = deadlines ?? .standard(for: type); self.description = description
        self.partnerCriteria = partnerCriteria; self.customerCriteria = customerCriteria
        self.proofRequirements = proofRequirements; self.resourceLinks = resourceLinks; self.earningsCap = earningsCap
        self.activeClaimsPerCustomer = activeClaimsPerCustomer; self.lastClaimDay = lastClaimDay
    }

    /// The terms of a version already stored, with the engagement-wide limits of its time.
    public init(_ version: EngagementVersion, of engagement: Engagement) {
        self.init(type: engagement.type, payModel: version.payModel, rates: version.rates, maxHours: version.maxHours,
                  deadlines: version.deadlines, description: version.description, partnerCriteria: version.partnerCriteria,
                  customerCriteria: version.customerCriteria, proofRequirements: version.proofRequirements,
                  resourceLinks: version.resourceLinks, earningsCap: engagement.earningsCap?.amount,
                  activeClaimsPerCustomer: engagement.activeClaimsPerCustomer, lastClaimDay: engagement.lastClaimDay)
    }

    /// The version these terms make, numbered and dated.
    public func version(number: Int, effectiveFrom: Date) -> EngagementVersion {
        EngagementVersion(number: number, effectiveFrom: effectiveFrom, payModel: payModel, rates: rates, maxHours: maxHours,
                          deadlines: deadlines, description: description, partnerCriteria: partnerCriteria,
                          customerCriteria: customerCriteria, proofRequirements: proofRequirements, resourceLinks: resourceLinks)
    }

    /// The rules the terms must keep whoever wrote them (an import, the API, a page): each refusal names its field.
    public func validate() throws(CatalogueError) {
        try deadlines.validate()
        guard [rates.a, rates.b, rates.c].contains(where: { $0 != nil }) else {
            throw .invalid(field: "rate_a", "Give a rate for at least one market: an engagement with no rate pays no one.")
        }
        for (field, rate) in [("rate_a", rates.a), ("rate_b", rates.b), ("rate_c", rates.c)] {
            if let rate, rate <= 0 { throw .invalid(field: field, "A rate must be more than zero; leave it empty for a market that is not paid.") }
            if let rate, Money(rate, rates.currency).rounded.amount != rate {
                throw .invalid(field: field, "\(rates.currency.code) has \(rates.currency.minorUnitDigits) decimal places: \(rate) has more.")
            }
        }
        switch payModel {
        case .variable:
            guard let maxHours, maxHours > 0, maxHours <= 10_000 else {
                throw .invalid(field: "max_hours", "A variable-pay engagement needs its maximum hours per claim (more than 0, at most 10,000).")
            }
        case .fixed:
            if maxHours != nil { throw .invalid(field: "max_hours", "Maximum hours apply to variable pay only; leave it empty for a fixed rate.") }
        }
        if let earningsCap, earningsCap <= 0 { throw .invalid(field: "earnings_cap", "The cap per location must be more than zero, or empty for none.") }
        guard (1...1_000).contains(activeClaimsPerCustomer) else {
            throw .invalid(field: "active_claims_per_customer", "Active claims per customer must be a whole number from 1 to 1,000.")
        }
        guard !description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalid(field: "description", "Describe the engagement: partners read it before they claim a customer.")
        }
        let texts = customerCriteria.map { $0.text.lowercased() }
        guard Set(texts).count == texts.count else { throw .invalid(field: "customer_criteria", "A customer criterion is listed twice.") }
        guard Set(customerCriteria.compactMap(\.check?.code)).count == customerCriteria.programChecks.count else {
            throw .invalid(field: "customer_criteria", "A program check is listed twice.")
        }
        for requirement in proofRequirements {
            if let questions = requirement.questions, let survey = Survey(requirement.kind) { try survey.check(questions) }
        }
        for link in resourceLinks where !(link.url.lowercased().hasPrefix("https://") || link.url.lowercased().hasPrefix("http://")) {
            throw .invalid(field: "resource_links", "\(link.url) is not a web address: links start with https:// or http://.")
        }
    }

    /// What differs from `other`, field by field, in words: the preview before publishing a new version.
    public func changes(from other: EngagementTerms) -> [TermsChange] {
        var list: [TermsChange] = []
        func note(_ label: String, _ before: String, _ after: String) {
            if before != after { list.append(TermsChange(label: label, before: before, after: after)) }
        }
        let rate = { (terms: EngagementTerms, market: Market) in terms.rates.rate(for: market)?.description ?? "Not paid" }
        note("Type", other.type.label, type.label)
        note("Pay model", other.payModel.label, payModel.label)
        for market in Market.allCases { note("Rate, market \(market.rawValue.uppercased())", rate(other, market), rate(self, market)) }
        note("Maximum hours", other.maxHours.map { "\($0)" } ?? "None", maxHours.map { "\($0)" } ?? "None")
        note("Deadlines", other.deadlines.summary, deadlines.summary)
        note("Description", other.description, description)
        note("Partner criteria", other.partnerCriteria.joined(separator: "; "), partnerCriteria.joined(separator: "; "))
        let criteria = { (terms: EngagementTerms) in terms.customerCriteria.map(\.summary).joined(separator: "; ") }
        note("Customer criteria", criteria(other), criteria(self))
        note("Proof of execution", other.proofRequirements.map(\.kind.label).joined(separator: ", "),
             proofRequirements.map(\.kind.label).joined(separator: ", "))
        let templates = { (terms: EngagementTerms) in
            terms.proofRequirements.compactMap { p in p.templateName.map { "\(p.kind.label): \($0), version \(p.templateVersion ?? "1")" } }
                .joined(separator: "; ")
        }
        note("Proof templates", templates(other), templates(self))
        for survey in Survey.allCases {
            let asked = { (terms: EngagementTerms) in
                terms.proofRequirements.first { $0.kind == survey.kind }
                    .map { Survey.lines($0.surveyQuestions).replacingOccurrences(of: "\n", with: "; ") } ?? "Not asked"
            }
            note("\(survey.kind.label) questions", asked(other), asked(self))
        }
        note("Resource links", other.resourceLinks.map(\.url).joined(separator: " "), resourceLinks.map(\.url).joined(separator: " "))
        let cap = { (terms: EngagementTerms) in terms.earningsCap.map { Money($0, terms.rates.currency).description } ?? "No cap" }
        note("Cap per location", cap(other), cap(self))
        note("Active claims per customer", "\(other.activeClaimsPerCustomer)", "\(activeClaimsPerCustomer)")
        note("Last day to claim", other.lastClaimDay?.text ?? "No end date", lastClaimDay?.text ?? "No end date")
        return list
    }
}

/// One line of a version preview: a term, as it is in force and as the new version has it.
public struct TermsChange: Hashable, Sendable {
    public var label: String
    public var before: String
    public var after: String
}

extension DeadlinePolicy {
    /// The deadlines in one line, as a preview compares them.
    public var summary: String {
        "consent \(consentDays) d, submission \(submissionDays) d, review \(reviewDays) d, dispute \(disputeDays) d, "
            + "use-or-consume answer \(cporResponseBusinessDays) business d"
    }
}

extension EngagementLifecycle {
    /// The status partners see on a day: a closed engagement is closed; a published one is upcoming before its first
    /// day, active from it, closed after its last; with no dates set (engagements from before the console) it keeps
    /// the status it has.
    public func status(on day: DayDate, opensOn: DayDate?, closesAfter: DayDate?, current: EngagementStatus) -> EngagementStatus {
        switch self {
        case .closed: return .closed
        case .draft: return .upcoming
        case .published:
            if let closesAfter, day > closesAfter { return .closed }
            if let opensOn { return day < opensOn ? .upcoming : .active }
            return current
        }
    }
}
