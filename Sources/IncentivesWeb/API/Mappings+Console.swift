import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore

// The console's, eligibility lists' and inclusion requests' contract types, to and from the program's values.

extension Components.Schemas.ProgramDetails {
    init(_ p: Program) { self.init(id: p.id, name: p.name, managerName: p.managerName, managerEmail: p.managerEmail) }
}

extension EngagementTermsInput {
    /// The contract's terms as the console's form would have them typed: one set of rules reads both. The form takes a
    /// criterion or a link per line (a link's title before a `|`), so an item holding a line break or a bar is refused.
    init(_ t: Components.Schemas.EngagementTermsInput) throws {
        try Self.checkContractLimits(t)
        for (field, items) in [("partner_criteria", t.partnerCriteria ?? []), ("customer_criteria", t.customerCriteria ?? [])]
        where items.contains(where: { $0.contains(where: \.isNewline) }) {
            throw CatalogueError.invalid(field: field, "A criterion is one line: send each as its own item.")
        }
        for link in t.resourceLinks ?? [] where ((link.title ?? "") + link.url).contains(where: { $0.isNewline || $0 == "|" }) {
            throw CatalogueError.invalid(field: "resource_links", "A link's title and address hold no line break and no |.")
        }
        self.init()
        let number = { (value: Int?) in value.map(String.init) ?? "" }
        type = t._type.rawValue; payModel = t.payModel.rawValue; currency = t.currency
        rateA = t.rateA ?? ""; rateB = t.rateB ?? ""; rateC = t.rateC ?? ""; maxHours = t.maxHours ?? ""
        consentDays = number(t.consentDays); submissionDays = number(t.submissionDays); reviewDays = number(t.reviewDays)
        disputeDays = number(t.disputeDays); responseBusinessDays = number(t.responseBusinessDays)
        description = t.description
        partnerCriteria = (t.partnerCriteria ?? []).joined(separator: "\n")
        customerCriteria = (t.customerCriteria ?? []).joined(separator: "\n")
        // The program's checks as the form's ticked boxes: a check's words (empty: its standard words) and its months.
        for check in t.customerChecks ?? [] {
            if customerChecks[check.check.rawValue] != nil { throw CatalogueError.invalid(field: "customer_checks", "A check is listed twice.") }
            if let text = check.text, text.contains(where: \.isNewline) {
                throw CatalogueError.invalid(field: "customer_checks", "A criterion is one line.")
            }
            customerChecks[check.check.rawValue] = check.text ?? ""
            if let months = check.months { approvedWithinMonths = String(months) }
        }
        for requirement in t.proofRequirements ?? [] {
            guard let kind = ProofRequirement.Kind(rawValue: requirement.kind.rawValue) else { continue }
            proof[kind] = requirement.description ?? ""
            // The questions as the form's lines (a prompt holds no line break nor bar: checked above), so one rule reads both.
            if let questions = requirement.questions, let survey = Survey(kind) {
                for q in questions where q.prompt.contains(where: { $0.isNewline || $0 == "|" }) {
                    throw CatalogueError.invalid(field: survey.field, "A question is one line and holds no |.")
                }
                surveys[kind] = questions.map { "\($0.prompt) | \($0.answer.rawValue)\($0.required == false ? " | optional" : "")" }
                    .joined(separator: "\n")
            }
        }
        resourceLinks = (t.resourceLinks ?? []).map { link in link.title.map { "\($0) | \(link.url)" } ?? link.url }.joined(separator: "\n")
        earningsCap = t.earningsCap ?? ""; activeClaimsPerCustomer = number(t.activeClaimsPerCustomer); lastClaimDay = t.lastClaimDay ?? ""
    }
}

extension EngagementTermsInput {
    /// The contract's `maxLength`, `minLength` and `maxItems` of the members the console's rules read without a length of
    /// their own (a form's field has none): outside them is a 400, as the domain's text rules answer theirs.
    static func checkContractLimits(_ t: Components.Schemas.EngagementTermsInput) throws {
        for (field, value, max) in [("currency", t.currency, 3), ("rate_a", t.rateA, 40), ("rate_b", t.rateB, 40), ("rate_c", t.rateC, 40),
                                    ("max_hours", t.maxHours, 40), ("earnings_cap", t.earningsCap, 40), ("last_claim_day", t.lastClaimDay, 10)] {
            try APILimits.length(value, field, max: max)
        }
        for (field, count, max) in [("partner_criteria", t.partnerCriteria?.count, 30), ("customer_criteria", t.customerCriteria?.count, 30),
                                    ("customer_checks", t.customerChecks?.count, 4),
                                    ("proof_requirements", t.proofRequirements?.count, 4), ("resource_links", t.resourceLinks?.count, 30)]
        where (count ?? 0) > max {
            throw InputRefusal(field: field, .outsideLimits, "Send at most \(max) items (\(count ?? 0) were sent).")
        }
        for requirement in t.proofRequirements ?? [] {
            guard let questions = requirement.questions else { continue }
            let field = "survey_\(requirement.kind.rawValue)"
            if !(1...Survey.maxQuestions).contains(questions.count) {
                throw InputRefusal(field: field, .outsideLimits, "Send 1 to \(Survey.maxQuestions) questions (\(questions.count) were sent).")
            }
            for q in questions { try APILimits.length(q.prompt, field, max: 300) }
        }
        for link in t.resourceLinks ?? [] {
            try APILimits.length(link.url, "resource_links", max: 2_000)
            if link.url.isEmpty { throw InputRefusal(field: "resource_links", .outsideLimits, "A link needs its address.") }
        }
    }
}

/// The contract's limits on members no domain rule measures, answered as the domain's text rules answer theirs.
enum APILimits {
    static func length(_ value: String?, _ field: String, max: Int) throws {
        guard let value, value.unicodeScalars.count > max else { return }
        throw InputRefusal(field: field, .outsideLimits, "\(field) is \(value.unicodeScalars.count) characters long; keep it to \(max).")
    }

    /// A solution area's place: 1 to 1,000, as the contract says.
    static func position(_ value: Int?) throws {
        if let value, !(1...1_000).contains(value) {
            throw InputRefusal(field: "position", .outsideLimits, "The place is a whole number from 1 to 1,000 (1 comes first).")
        }
    }
}

extension Components.Schemas.EngagementTermsInput {
    /// Stored terms in the shape the contract takes them, so a client can change one term and send the rest back.
    init(_ terms: EngagementTerms) {
        let typed = EngagementTermsInput(terms)
        let text = { (value: String) in value.isEmpty ? nil : value }
        let d = terms.deadlines
        self.init(_type: .init(rawValue: terms.type.rawValue) ?? .workshop, payModel: .init(rawValue: terms.payModel.rawValue) ?? .fixed,
                  currency: terms.rates.currency.code, rateA: text(typed.rateA), rateB: text(typed.rateB), rateC: text(typed.rateC),
                  maxHours: text(typed.maxHours), consentDays: d.consentDays, submissionDays: d.submissionDays, reviewDays: d.reviewDays,
                  disputeDays: d.disputeDays, responseBusinessDays: d.cporResponseBusinessDays, description: terms.description,
                  partnerCriteria: terms.partnerCriteria, customerCriteria: terms.customerCriteria.filter(\.isReviewerConfirmed).map(\.text),
                  customerChecks: terms.customerCriteria.compactMap { c in
                      c.check.flatMap { check in
                          Components.Schemas.EngagementTermsInput.CustomerChecksPayloadPayload.CheckPayload(rawValue: check.code)
                              .map { .init(check: $0, text: c.text, months: check.months) }
                      }
                  },
                  proofRequirements: terms.proofRequirements.compactMap { p in
                      Components.Schemas.EngagementTermsInput.ProofRequirementsPayloadPayload.KindPayload(rawValue: p.kind.rawValue)
                          .map { .init(kind: $0, description: p.description, questions: p.questions?.map(Self.question)) }
                  },
                  resourceLinks: terms.resourceLinks.map { .init(title: $0.title, url: $0.url) }, earningsCap: text(typed.earningsCap),
                  activeClaimsPerCustomer: terms.activeClaimsPerCustomer, lastClaimDay: terms.lastClaimDay?.description)
    }

    /// A version's own survey question in the contract's shape.
    static func question(_ q: SurveyQuestion) -> ProofRequirementsPayloadPayload.QuestionsPayloadPayload {
        .init(prompt: q.prompt, answer: .init(rawValue: q.answer.rawValue) ?? .text, required: q.required)
    }
}

extension Components.Schemas.ProgramChangeEntry {
    init(_ c: ProgramChange) {
        self.init(at: c.at, actor: c.actorName, subject: c.subject.rawValue, subjectId: c.subjectID, action: c.action, locationId: c.locationID,
                  detail: c.detail)
    }
}

extension Components.Schemas.ConsoleEngagement {
    init(_ file: ConsoleEngagementFile, at now: Date) {
        let version = { (v: ConsoleVersion, state: Components.Schemas.ConsoleVersion.StatePayload) in
            Components.Schemas.ConsoleVersion(number: v.number, state: state, effectiveFrom: v.effectiveFrom, publishedAt: v.publishedAt,
                                              publishedBy: v.publishedBy, terms: .init(v.terms))
        }
        self.init(id: file.id, name: file.name, solutionArea: .init(file.solutionArea), role: file.role.rawValue,
                  lifecycle: .init(rawValue: file.lifecycle.rawValue) ?? .draft, status: file.status.rawValue,
                  opensOn: file.opensOn?.description, closesAfter: file.closesAfter?.description, versionInForce: file.inForce(at: now)?.number,
                  versions: file.published.map { version($0, .published) } + (file.draft.map { [version($0, .draft)] } ?? []),
                  history: file.history.map { .init($0) })
    }
}

extension Components.Schemas.EligibilityList {
    init(_ list: EligibilityList) {
        self.init(engagementId: list.engagement.id, criteria: list.criteria, entries: list.entries.map { entry in
            let place = entry.place
            return .init(locationId: place.location.id, locationName: place.location.name, organizationId: place.location.organizationID,
                         organizationName: place.organizationName, enrollment: place.enrollment?.rawValue, listedAt: entry.listedAt,
                         listedBy: entry.listedByName, criteria: entry.criteria.map { c in
                             .init(criterion: c.criterion, status: .init(rawValue: c.status.rawValue) ?? .notMet, expiresOn: c.expiresOn?.description,
                                   evidence: c.evidence, setBy: c.setByName, setAt: c.setAt, met: c.met)
                         })
        }, history: list.history.map { .init($0) })
    }
}

extension Components.Schemas.ImportPreview {
    init(_ preview: ImportPreview) {
        self.init(applied: preview.applied, rows: preview.rows.map { .init(line: $0.line, location: $0.location, change: $0.change) },
                  problems: preview.problems.map { .init(line: $0.line, column: $0.column, message: $0.message) })
    }
}

extension Components.Schemas.InclusionRequest {
    init(_ r: InclusionRequest) {
        self.init(id: r.id, engagementId: r.engagementID, engagementName: r.engagementName, organizationId: r.organizationID,
                  organizationName: r.organizationName, locationId: r.locationID, locationName: r.locationName, note: r.note,
                  status: .init(rawValue: r.status.rawValue) ?? .pending, requestedBy: r.requestedByName, requestedAt: r.requestedAt,
                  decidedBy: r.decidedByName, decidedAt: r.decidedAt, reason: r.reason)
    }
}
