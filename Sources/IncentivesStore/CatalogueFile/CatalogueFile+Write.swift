import Foundation
import IncentivesDomain
import SQLKit
import Yams

/// `incentives catalogue export`: the catalogue as one YAML file, the same bytes for the same catalogue (keys in a fixed
/// order, areas by place, engagements by name, versions by number), so exporting, importing into an empty database
/// and exporting again gives the same file.
public enum CatalogueFile {
    /// The catalogue of the database, read in one transaction.
    public static func document(of db: Database) async throws -> CatalogueDocument {
        try await db.read { sql in
            var program: CatalogueDocument.ProgramEntry?
            let programID = try await sql.raw("SELECT MIN(id) AS id FROM programs").first(decodingColumn: "id", as: Int64?.self) ?? nil
            if let id = programID, let stored = try await CatalogueRepository.program(id, on: sql) {
                program = .init(name: stored.name, managerName: stored.managerName, managerEmail: stored.managerEmail, calendar: stored.calendar)
            }
            struct AreaRow: Decodable { var code: String; var name: String; var position: Int }
            let areas = try await sql.raw("SELECT code, name, position FROM solution_areas ORDER BY position, code")
                .all(decoding: AreaRow.self, with: .snakeCase).map { CatalogueDocument.AreaEntry(code: $0.code, name: $0.name, position: $0.position) }
            var engagements: [CatalogueDocument.EngagementEntry] = []
            for id in try await sql.raw("SELECT id FROM engagements ORDER BY name, id").all(decodingColumn: "id", as: Int64.self) {
                guard let file = try await CatalogueConsole.file(id, history: false, on: sql) else { continue }
                let templates = try await templateFiles(of: id, on: sql)
                let versions = (file.published + (file.draft.map { [$0] } ?? [])).map { v in
                    versionEntry(v, isDraft: v.number == file.draft?.number, refs: templates.refs)
                }
                engagements.append(.init(name: file.name, area: file.solutionArea.code, role: file.role, lifecycle: file.lifecycle,
                                         status: file.status, opensOn: file.opensOn, closesAfter: file.closesAfter, versions: versions,
                                         templateFiles: templates.files, eligibility: try await eligibility(of: id, on: sql)))
            }
            return CatalogueDocument(program: program, areas: areas, engagements: engagements,
                                     partners: try await partners(programID: programID, on: sql))
        }
    }

    /// The document as YAML text.
    public static func yaml(_ document: CatalogueDocument) throws -> String {
        var root: [(Node, Node)] = [("format", Node(CatalogueDocument.format))]
        if let program = document.program {
            root.append(("program", map([
                ("name", text(program.name)), ("manager_name", text(program.managerName)), ("manager_email", text(program.managerEmail)),
                ("weekend", Node(program.calendar.weekend.sorted().map { Node(String($0)) }, .implicit, .flow)),
                ("holidays", Node(program.calendar.holidays.sorted().map { Node($0.description) }, .implicit, .flow)),
            ])))
        }
        root.append(("solution_areas", Node(document.areas.map { area in
            map([("code", text(area.code)), ("name", text(area.name)), ("position", Node(String(area.position)))])
        })))
        root.append(("partners", Node(document.partners.map(partnerNode))))
        root.append(("engagements", Node(document.engagements.map(engagementNode))))
        return try Yams.serialize(node: Node(root), indent: 2, width: -1, allowUnicode: true)
    }

    static func engagementNode(_ e: CatalogueDocument.EngagementEntry) -> Node {
        var pairs: [(String, Node)] = [
            ("name", text(e.name)), ("area", text(e.area)), ("role", Node(e.role.rawValue)), ("lifecycle", Node(e.lifecycle.rawValue)),
            ("status", Node(e.status.rawValue)),
        ]
        if let opensOn = e.opensOn { pairs.append(("opens_on", Node(opensOn.description))) }
        if let closesAfter = e.closesAfter { pairs.append(("closes_after", Node(closesAfter.description))) }
        if !e.templateFiles.isEmpty { pairs.append(("template_files", Node(e.templateFiles.map(templateNode)))) }
        pairs.append(("versions", Node(e.versions.map(versionNode))))
        pairs.append(("eligibility", Node(e.eligibility.map(listedNode))))
        return map(pairs)
    }

    static func versionNode(_ v: CatalogueDocument.VersionEntry) -> Node {
        let t = v.terms
        let currency = t.rates.currency
        let amount = { (value: Decimal) in Node(Money(value, currency).plainText) }
        var pairs: [(String, Node)] = [("number", Node(String(v.number))), ("state", Node(v.isDraft ? "draft" : "published")),
                                       ("effective_from", Node(instant(v.effectiveFrom)))]
        if let at = v.publishedAt { pairs.append(("published_at", Node(instant(at)))) }
        if let by = v.publishedBy { pairs.append(("published_by", text(by))) }
        pairs += [("type", Node(t.type.rawValue)), ("pay_model", Node(t.payModel.rawValue)), ("currency", Node(currency.code))]
        var rates: [(String, Node)] = []
        for market in Market.allCases { if let rate = t.rates.rate(for: market) { rates.append((market.rawValue, amount(rate.amount))) } }
        pairs.append(("rates", map(rates)))
        if let hours = t.maxHours { pairs.append(("max_hours", Node("\(hours)"))) }
        let d = t.deadlines
        pairs.append(("deadlines", map([("consent_days", Node(String(d.consentDays))), ("submission_days", Node(String(d.submissionDays))),
                                        ("review_days", Node(String(d.reviewDays))), ("dispute_days", Node(String(d.disputeDays))),
                                        ("response_business_days", Node(String(d.cporResponseBusinessDays)))])))
        pairs.append(("description", text(t.description)))
        pairs.append(("partner_criteria", Node(t.partnerCriteria.map(text))))
        pairs.append(("customer_criteria", customerCriteriaNode(t.customerCriteria)))
        pairs.append(("proof", Node(t.proofRequirements.map { proof in
            var fields: [(String, Node)] = [("kind", Node(proof.kind.rawValue)), ("description", text(proof.description))]
            if let name = proof.templateName { fields.append(("template_name", text(name))) }
            if let version = proof.templateVersion { fields.append(("template_version", text(version))) }
            if let ref = v.templateRefs[proof.kind] { fields.append(("template_file", text(ref))) }
            if let questions = proof.questions { fields.append(("questions", Node(questions.map(questionNode)))) }
            return map(fields)
        })))
        pairs.append(("resource_links", Node(t.resourceLinks.map { map([("title", text($0.title)), ("url", text($0.url))]) })))
        if let cap = t.earningsCap { pairs.append(("earnings_cap", amount(cap))) }
        pairs.append(("active_claims_per_customer", Node(String(t.activeClaimsPerCustomer))))
        if let last = t.lastClaimDay { pairs.append(("last_claim_day", Node(last.description))) }
        return map(pairs)
    }

    /// A survey question of the version's own (the standard ones are not written).
    static func questionNode(_ q: SurveyQuestion) -> Node {
        map([("prompt", text(q.prompt)), ("answer", Node(q.answer.rawValue)), ("required", Node(q.required ? "true" : "false"))])
    }

    static func map(_ pairs: [(String, Node)]) -> Node { Node(pairs.map { (Node($0.0), $0.1) }) }

    /// Text a person wrote, always quoted: a name such as `yes`, `null` or `1.0` stays text when read back.
    static func text(_ value: String) -> Node { Node(value, .implicit, value.contains("\n") ? .literal : .doubleQuoted) }

    /// An instant in UTC with milliseconds, as both databases keep it at least.
    static func instant(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }
}
