import Foundation
import Testing
import IncentivesDomain

@Suite("Survey questions an engagement version sets: the lines' rules, ids, stored rows")
struct SurveyQuestionsTests {
    static func input(customer lines: String?) -> EngagementTermsInput {
        var input = EngagementTermsInput()
        input.type = "workshop"; input.payModel = "fixed"; input.currency = "USD"; input.rateA = "5000"
        input.description = "A workshop."
        input.proof = [.customerSurvey: "", .invoice: ""]
        if let lines { input.surveys[.customerSurvey] = lines }
        return input
    }

    static func refusal(_ lines: String) -> CatalogueError? {
        do { _ = try input(customer: lines).terms(); return nil } catch let error as CatalogueError { return error } catch { return nil }
    }

    @Test("custom lines become questions: a standard prompt keeps its id, the others are q1, q2… by place")
    func ids() throws {
        let terms = try Self.input(customer: """
            Did the partner deliver the activity described? | yes/no
            Which product did the workshop cover? | text | optional

            When did the workshop end? | Date | required
            How useful was it? | rating 1-5
            """).terms()
        let questions = try #require(terms.proofRequirements.first { $0.kind == .customerSurvey }?.questions)
        #expect(questions.map(\.id) == ["delivered_as_described", "q2", "q3", "q4"])
        #expect(questions.map(\.answer) == [.yesNo, .text, .date, .rating])
        #expect(questions.map(\.required) == [true, false, true, true])
        #expect(terms.version(number: 1, effectiveFrom: Date(timeIntervalSince1970: 0)).questions(of: .customer) == questions)
        // The invoice has none; the partner survey, not asked, answers with the standard ones.
        #expect(terms.proofRequirements.first { $0.kind == .invoice }?.surveyQuestions == [])
        #expect(terms.version(number: 1, effectiveFrom: Date(timeIntervalSince1970: 0)).questions(of: .partner) == Survey.partner.questions)
    }

    @Test("no lines, or the standard lines as the form prefills them, keep no questions of their own")
    func standard() throws {
        for lines in [nil, Survey.lines(Survey.customer.questions)] {
            let requirement = try #require(try Self.input(customer: lines).terms().proofRequirements.first { $0.kind == .customerSurvey })
            #expect(requirement.questions == nil)
            #expect(requirement.surveyQuestions == Survey.customer.questions)
        }
        // The form's fields for stored terms give the lines back.
        let terms = try Self.input(customer: "How was it? | long text").terms()
        #expect(EngagementTermsInput(terms).surveys[.customerSurvey] == "How was it? | long text")
    }

    @Test("each refusal names the survey's field and, for a line, its number", arguments: [
        ("Fine? | text\nFine? | date", "Question 2 repeats question 1"),
        ((1...13).map { "Question \($0)? | text" }.joined(separator: "\n"), "1 to 12 questions: this one has 13"),
        ("   \n  ", "1 to 12 questions: this one has 0"),
        ("Fine? | text\nWhich colour? | multiple choice", "Line 2: “multiple choice” is not an answer type"),
        ("Fine? | text\n\nNo type", "Line 3: the answer type is missing"),
        ("Fine? | text | maybe", "Line 1: the third part is “optional”"),
        ("Fine? | text | optional | more", "a question holds no “|”"),
        ("Fi\u{7}ne? | text", "Line 1: The question holds a control character (U+0007)"),
        ("Fine\u{202E}? | text", "Line 1: The question holds an invisible direction control (U+202E)"),
        (String(repeating: "x", count: 301) + " | text", "Line 1: The question is 301 characters long; keep it to 300."),
        (" | text", "Line 1: The question is missing."),
        ("Fine? | text | optional\nGood? | yes/no | optional", "at least one question required"),
    ])
    func refusals(lines: String, says: String) throws {
        let refusal = try #require(Self.refusal(lines))
        #expect(refusal.refusedInput == "survey_customer_survey")
        #expect(refusal.description.contains(says), "\(refusal.description)")
    }

    @Test("a prompt of 300 code points and 12 questions are taken; the partner survey refuses under its own field")
    func limits() throws {
        let lines = [String(repeating: "é", count: 300) + " | text"] + (2...12).map { "Question \($0)? | date | optional" }
        #expect(Self.refusal(lines.joined(separator: "\n")) == nil)
        var input = Self.input(customer: nil)
        input.proof[.partnerSurvey] = ""
        input.surveys[.partnerSurvey] = "What? | essay"
        #expect(throws: CatalogueError.self) { try input.terms() }
        do { _ = try input.terms() } catch let error as CatalogueError { #expect(error.refusedInput == "survey_partner_survey") }
    }

    @Test("questions set through the API or a file keep the same rules: terms.validate refuses them")
    func validateStored() throws {
        var terms = try Self.input(customer: nil).terms()
        let index = try #require(terms.proofRequirements.firstIndex { $0.kind == .customerSurvey })
        terms.proofRequirements[index].questions = [SurveyQuestion(id: "q1", prompt: "Fine?", answer: .text, required: false)]
        #expect(throws: CatalogueError.invalid(field: "survey_customer_survey",
                                               "Make at least one question required: otherwise the survey can come back empty.")) {
            try terms.validate()
        }
        terms.proofRequirements[index].questions = []
        #expect(throws: CatalogueError.self) { try terms.validate() }
    }

    @Test("a stored row without questions decodes to the standard ones; one with them round-trips; nil writes no key")
    func storedRows() throws {
        let old = #"[{"description":"A short survey.","kind":"customer_survey"}]"#
        let decoded = try JSONDecoder().decode([ProofRequirement].self, from: Data(old.utf8))
        #expect(decoded[0].questions == nil && decoded[0].surveyQuestions == Survey.customer.questions)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self) == old)
        var custom = decoded
        custom[0].questions = [SurveyQuestion(id: "q1", prompt: "Fine?", answer: .longText, required: true)]
        let text = String(decoding: try encoder.encode(custom), as: UTF8.self)
        #expect(text.contains(#""questions":[{"answer":"long_text","id":"q1","prompt":"Fine?","required":true}]"#))
        #expect(try JSONDecoder().decode([ProofRequirement].self, from: Data(text.utf8)) == custom)
    }

    @Test("answers are checked against the version's questions: a custom required one refused when empty")
    func answers() {
        let questions = [SurveyQuestion(id: "q1", prompt: "Which product?", answer: .text, required: true),
                         SurveyQuestion(id: "delivered_as_described", prompt: "Did the partner deliver the activity described?",
                                        answer: .yesNo, required: false)]
        let today = DayDate(year: 2026, month: 11, day: 25)
        let empty = Survey.customer.validate(["delivered_as_described": "yes", "satisfaction": "5"], questions: questions, today: today)
        #expect(empty.errors == ["q1": "Answer this question."])
        let good = Survey.customer.validate(["q1": "Compute", "satisfaction": "9"], questions: questions, today: today)
        #expect(good.errors.isEmpty)
        #expect(good.answers.map(\.id) == ["q1"])
    }

    @Test("the version preview names a change of questions")
    func preview() throws {
        let before = try Self.input(customer: nil).terms()
        let after = try Self.input(customer: "How was it? | long text").terms()
        let change = try #require(after.changes(from: before).first { $0.label == "Customer survey questions" })
        #expect(change.after == "How was it? | long text")
        #expect(change.before.hasPrefix("Did the partner deliver the activity described? | yes/no; "))
        #expect(before.changes(from: before).isEmpty)
    }
}
