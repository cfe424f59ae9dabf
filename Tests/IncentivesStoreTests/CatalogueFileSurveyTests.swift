import Foundation
import IncentivesDomain
@testable import IncentivesStore
import IncentivesTestSupport
import SQLKit
import Testing

@Suite("The catalogue file carries a version's own survey questions; a bad question is refused at its line")
struct CatalogueFileSurveyTests {
    let now = TestDatabases.now

    @Test("the demo's own customer questions are written (the standard ones are not), read back as the same questions",
          arguments: TestDatabases.flavors)
    func written(flavor: SQLFlavor) async throws {
        let exported = try await TestDatabases.with(flavor, seeded: true) { db in try CatalogueFile.yaml(try await CatalogueFile.document(of: db)) }
        // One demo engagement asks its own questions: written once, the others' standard questions not at all.
        #expect(exported.components(separatedBy: "questions:").count == 2, "only the data platform workshop's survey has its own")
        #expect(exported.contains("prompt: \"Which data sources did the workshop cover?\""))
        let document = try CatalogueFile.read(exported)
        let entry = try #require(document.engagements.first { $0.name == "Data platform workshop" })
        let survey = try #require(entry.versions.last?.terms.proofRequirements.first { $0.kind == .customerSurvey })
        #expect(survey.questions == DemoCatalogue.dataPlatformSurvey)
    }

    @Test("an unknown answer type, a required that is not true or false, a prompt with a direction control and a 13th question are refused by line",
          arguments: TestDatabases.flavors)
    func refused(flavor: SQLFlavor) async throws {
        let good = try await TestDatabases.with(flavor, seeded: true) { db in try CatalogueFile.yaml(try await CatalogueFile.document(of: db)) }
        var lines = good.components(separatedBy: "\n")
        let answer = try #require(lines.firstIndex { $0.contains("answer: yes_no") })
        lines[answer] = lines[answer].replacingOccurrences(of: "yes_no", with: "multiple_choice")
        let required = try #require(lines.firstIndex { $0.contains("required: false") })
        lines[required] = lines[required].replacingOccurrences(of: "false", with: "perhaps")
        let prompt = try #require(lines.firstIndex { $0.contains("prompt: \"Which data sources") })
        lines[prompt] = lines[prompt].replacingOccurrences(of: "Which", with: "\\u202EWhich")
        let problems = try #require(#expect(throws: CatalogueFileRefused.self) { try CatalogueFile.read(lines.joined(separator: "\n")) }).problems
        #expect(problems.contains { $0.line == answer + 1 && $0.message.contains("multiple_choice is not one of text, long_text") }, "\(problems)")
        #expect(problems.contains { $0.line == required + 1 && $0.message == "`required`: perhaps is not true or false." }, "\(problems)")
        #expect(problems.contains { $0.line == prompt + 1 && $0.message.contains("invisible direction control (U+202E)") }, "\(problems)")

        // Thirteen questions: the domain's rule, reported at the survey's `questions` key.
        var many = good.components(separatedBy: "\n")
        let key = try #require(many.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "questions:" })
        let indent = String(many[key + 1].prefix { $0 == " " })
        let extra = (1...13).flatMap { n in ["\(indent)- prompt: \"Extra \(n)?\"", "\(indent)  answer: text", "\(indent)  required: true"] }
        many.insert(contentsOf: extra, at: key + 1)
        let counted = try #require(#expect(throws: CatalogueFileRefused.self) { try CatalogueFile.read(many.joined(separator: "\n")) }).problems
        #expect(counted.contains { $0.line == key + 2 && $0.message.contains("1 to 12 questions: this one has 18") }, "\(counted)")
    }
}
