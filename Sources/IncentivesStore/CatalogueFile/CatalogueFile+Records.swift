import Foundation
import IncentivesDomain
import Yams

/// The catalogue file's records, each read by the rules the console applies to it.
extension Reader {
    mutating func program(_ node: Node) -> CatalogueDocument.ProgramEntry? {
        guard let m = mapping(node, "`program`") else { return nil }
        let name = string(m, "name", required: true), manager = string(m, "manager_name", required: true)
        let email = string(m, "manager_email", required: true)
        let weekend = strings(m, "weekend").compactMap { text -> Int? in
            guard let day = Int(text), (1...7).contains(day) else { problem(m["weekend"]!, "`weekend`: \(text) is not a weekday from 1 (Sunday) to 7."); return nil }
            return day
        }
        let holidays = strings(m, "holidays").compactMap { text -> DayDate? in
            guard let day = DayDate(text) else { problem(m["holidays"]!, "`holidays`: \(text) is not a date (YYYY-MM-DD)."); return nil }
            return day
        }
        guard let name, let manager, let email else { return nil }
        if let refused = check { try CatalogueConsole.checkedProgram(name: name, managerName: manager, managerEmail: email) } {
            problem(node, refused)
        }
        return .init(name: name, managerName: manager, managerEmail: email, calendar: WorkingCalendar(weekend: Set(weekend), holidays: Set(holidays)))
    }

    mutating func area(_ node: Node) -> CatalogueDocument.AreaEntry? {
        guard let m = mapping(node, "A solution area") else { return nil }
        guard let code = string(m, "code", required: true), let name = string(m, "name", required: true),
              let position = number(m, "position", in: 0...1_000) else { return nil }
        if areaLines[code] != nil { problem(node, "Solution area \(code) is listed twice.") }
        // Known even when refused below: its engagements are not reported again for it.
        areaLines[code] = node.mark?.line ?? 1
        if let refused = check({ _ = try CatalogueConsole.checkedArea(code: code, name: name) }) { problem(m["code"] ?? node, refused); return nil }
        return .init(code: code, name: name, position: position)
    }

    mutating func engagement(_ node: Node) -> CatalogueDocument.EngagementEntry? {
        guard let m = mapping(node, "An engagement") else { return nil }
        let name = string(m, "name", required: true), area = string(m, "area", required: true)
        let role = choice(m, "role", PartnerRole.self), lifecycle = choice(m, "lifecycle", EngagementLifecycle.self)
        let status = choice(m, "status", EngagementStatus.self)
        let opensOn = day(m, "opens_on"), closesAfter = day(m, "closes_after")
        let files = templateFiles(m)
        let versions = sequence(m["versions"], "versions").compactMap { version($0) }
        guard let name, let area, let role, let lifecycle, let status else { return nil }
        checkTemplateRefs(versions, files: files, of: name, at: node)
        let eligibility = sequence(m["eligibility"], "eligibility").compactMap { listed($0, engagement: name) }
        if let refused = check({ _ = try CatalogueConsole.engagementNameRule.check(name, field: "name") }) { problem(node, refused) }
        if let opensOn, let refused = check({ try CatalogueConsole.checkDates(opensOn: opensOn, closesAfter: closesAfter) }) { problem(node, refused) }
        if engagementLines[name] != nil { problem(node, "An engagement named \(name) is listed twice.") }
        engagementLines[name] = node.mark?.line ?? 1
        checkVersions(versions, of: name, lifecycle: lifecycle, at: node)
        return .init(name: name, area: area, role: role, lifecycle: lifecycle, status: status, opensOn: opensOn, closesAfter: closesAfter,
                     versions: versions, templateFiles: files, eligibility: eligibility)
    }

    mutating func checkVersions(_ versions: [CatalogueDocument.VersionEntry], of name: String, lifecycle: EngagementLifecycle, at node: Node) {
        if versions.map(\.number) != Array(1...max(versions.count, 1)).prefix(versions.count).map({ $0 }) || versions.isEmpty {
            problem(node, "The versions of \(name) are numbered 1, 2, 3… in order, and there is at least one.")
        }
        let drafts = versions.filter(\.isDraft)
        if drafts.count > 1 || (drafts.first.map { $0.number != versions.last?.number } ?? false) {
            problem(node, "\(name) may have one draft version, its last.")
        }
        if lifecycle == .draft, versions.count != 1 || drafts.count != 1 {
            problem(node, "A draft engagement has one version, a draft: \(name) has \(versions.count) and \(drafts.count) draft.")
        }
        if lifecycle != .draft, versions.first?.isDraft == true { problem(node, "\(name) is \(lifecycle.rawValue): its first version is published.") }
        if Set(versions.map(\.terms.rates.currency)).count > 1 { problem(node, "The versions of \(name) pay in one currency.") }
    }

    mutating func version(_ node: Node) -> CatalogueDocument.VersionEntry? {
        guard let m = mapping(node, "A version") else { return nil }
        let number = number(m, "number", in: 1...10_000), state = string(m, "state", required: true)
        let effective = instant(m, "effective_from", required: true), publishedAt = instant(m, "published_at")
        let publishedBy = string(m, "published_by")
        if let state, state != "draft", state != "published" { problem(m["state"]!, "`state`: \(state) is not draft or published.") }
        guard let terms = terms(m), let number, let state, let effective else { return nil }
        return .init(number: number, isDraft: state == "draft", effectiveFrom: effective, publishedAt: publishedAt, publishedBy: publishedBy,
                     terms: terms, templateRefs: templateRefs(m))
    }

    /// The terms, read into the console form's input so the same rules refuse; a refusal is reported at its key's line.
    mutating func terms(_ m: Node.Mapping) -> EngagementTerms? {
        var input = EngagementTermsInput()
        input.type = string(m, "type", required: true) ?? ""
        input.payModel = string(m, "pay_model", required: true) ?? ""
        input.currency = string(m, "currency", required: true) ?? ""
        if let rates = m["rates"].flatMap({ mapping($0, "`rates`") }) {
            input.rateA = string(rates, "a") ?? ""; input.rateB = string(rates, "b") ?? ""; input.rateC = string(rates, "c") ?? ""
        }
        input.maxHours = string(m, "max_hours") ?? ""
        if let d = m["deadlines"].flatMap({ mapping($0, "`deadlines`") }) {
            input.consentDays = string(d, "consent_days") ?? ""; input.submissionDays = string(d, "submission_days") ?? ""
            input.reviewDays = string(d, "review_days") ?? ""; input.disputeDays = string(d, "dispute_days") ?? ""
            input.responseBusinessDays = string(d, "response_business_days") ?? ""
        }
        input.description = string(m, "description", required: true) ?? ""
        input.partnerCriteria = strings(m, "partner_criteria").joined(separator: "\n")
        customerCriteria(m, into: &input)
        var templates: [ProofRequirement.Kind: (String?, String?)] = [:]
        for node in sequence(m["proof"], "proof") {
            guard let p = mapping(node, "A proof requirement"), let kind = choice(p, "kind", ProofRequirement.Kind.self) else { continue }
            input.proof[kind] = string(p, "description") ?? ""
            templates[kind] = (string(p, "template_name"), string(p, "template_version"))
            if let node = p["questions"], Survey(kind) != nil { input.surveys[kind] = questionLines(node) }
        }
        input.resourceLinks = sequence(m["resource_links"], "resource_links").compactMap { node -> String? in
            guard let l = mapping(node, "A resource link"), let url = string(l, "url", required: true) else { return nil }
            return "\(string(l, "title") ?? url) | \(url)"
        }.joined(separator: "\n")
        input.earningsCap = string(m, "earnings_cap") ?? ""
        input.activeClaimsPerCustomer = string(m, "active_claims_per_customer") ?? ""
        input.lastClaimDay = string(m, "last_claim_day") ?? ""
        do {
            var terms = try input.terms()
            for index in terms.proofRequirements.indices {
                let (name, version) = templates[terms.proofRequirements[index].kind] ?? (nil, nil)
                terms.proofRequirements[index].templateName = name
                terms.proofRequirements[index].templateVersion = version
            }
            return terms
        } catch {
            let (field, message) = Self.refusal(error)
            problem(Self.node(for: field, in: m) ?? .mapping(m), message)
            return nil
        }
    }

    /// The key of the file a form field's refusal is about.
    static func node(for field: String, in m: Node.Mapping) -> Node? {
        let rates = ["rate_a": "a", "rate_b": "b", "rate_c": "c"], deadlines = ["response_days": "response_business_days"]
        if let market = rates[field], case .mapping(let r)? = m["rates"] { return r[market] ?? m["rates"] }
        if field.hasSuffix("_days"), case .mapping(let d)? = m["deadlines"] { return d[deadlines[field] ?? field] ?? m["deadlines"] }
        if field.hasPrefix("proof_") { return m["proof"] }
        if field.hasPrefix("survey_"), case .sequence(let proof)? = m["proof"] {
            let kind = String(field.dropFirst("survey_".count))
            let mine = proof.first { if case .mapping(let p) = $0 { p["kind"]?.string == kind } else { false } }
            if case .mapping(let p)? = mine { return p["questions"] ?? mine }
            return m["proof"]
        }
        return m[field]
    }

    /// A survey's `questions` as the console's lines, each item's problem at its own line; the domain checks the rest.
    mutating func questionLines(_ node: Node) -> String {
        sequence(node, "questions").compactMap { item -> String? in
            guard let q = mapping(item, "A question"), let prompt = string(q, "prompt", required: true),
                  let answer = choice(q, "answer", SurveyQuestion.Answer.self) else { return nil }
            if let problem = check({ _ = try Survey.promptRule.check(prompt, field: "prompt") }) { self.problem(q["prompt"]!, problem); return nil }
            if prompt.contains("|") { self.problem(q["prompt"]!, "A question holds no “|”."); return nil }
            let required = string(q, "required") ?? "true"
            guard required == "true" || required == "false" else { problem(q["required"]!, "`required`: \(required) is not true or false."); return nil }
            return "\(prompt) | \(answer.words)\(required == "true" ? "" : " | optional")"
        }.joined(separator: "\n")
    }

    static func refusal(_ error: any Error) -> (String, String) {
        switch error {
        case let refusal as any DomainRefusal: (refusal.refusedInput ?? "", refusal.description)
        default: ("", "\(error)")
        }
    }

    /// What a rule of the console says of a value, or nil when it takes it.
    func check(_ rule: () throws -> Void) -> String? {
        do { try rule(); return nil } catch { return Self.refusal(error).1 }
    }

    mutating func checkReferences(areas: [CatalogueDocument.AreaEntry], engagements: [CatalogueDocument.EngagementEntry], nodes: Node.Mapping) {
        let codes = Set(areaLines.keys)
        for e in engagements where !codes.contains(e.area) {
            problems.append(CatalogueFileProblem(line: engagementLines[e.name] ?? 1, message: "\(e.name) is in solution area \(e.area), which the file does not list."))
        }
        if !engagements.isEmpty, nodes["program"] == nil {
            problems.append(CatalogueFileProblem(line: nodes.mark?.line ?? 1, message: "Engagements belong to a program: the file has none."))
        }
    }
}
