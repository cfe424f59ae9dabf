import Foundation

/// The questions a vendor sets for a survey of an engagement version: written one per line in the console
/// ("prompt | answer | optional"), as items in the API and the catalogue file, checked here by one set of rules.
extension Survey {
    public init?(_ kind: ProofRequirement.Kind) {
        switch kind {
        case .partnerSurvey: self = .partner
        case .customerSurvey: self = .customer
        default: return nil
        }
    }

    /// The form field (and refusal field) of this survey's questions.
    public var field: String { "survey_\(kind.rawValue)" }

    public static let maxQuestions = 12
    public static let promptRule = TextRule(label: "The question", maxLength: 300, required: true)

    /// The rules every list of questions keeps, whoever wrote it (a form, the API, an import, a stored version).
    public func check(_ questions: [SurveyQuestion]) throws(CatalogueError) {
        guard (1...Self.maxQuestions).contains(questions.count) else {
            throw .invalid(field: field, "A survey asks 1 to \(Self.maxQuestions) questions: this one has \(questions.count).")
        }
        for (index, q) in questions.enumerated() {
            do throws(InputRefusal) { _ = try Self.promptRule.check(q.prompt, field: field) } catch {
                throw .invalid(field: field, "Question \(index + 1): \(error.message)")
            }
            if let first = questions[..<index].firstIndex(where: { $0.prompt == q.prompt || $0.id == q.id }) {
                throw .invalid(field: field, "Question \(index + 1) repeats question \(first + 1): ask each question once.")
            }
        }
        guard questions.contains(where: \.required) else {
            throw .invalid(field: field, "Make at least one question required: otherwise the survey can come back empty.")
        }
    }

    /// The questions of the lines "prompt | answer | optional" (no third part: required), checked; nil when they are
    /// the standard questions, so the version keeps none of its own. A line naming a standard question's prompt keeps
    /// its id (answers stay readable); the others are `q1`, `q2`… by their place.
    public func questions(fromLines text: String) throws(CatalogueError) -> [SurveyQuestion]? {
        var list: [SurveyQuestion] = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (number, raw) in zip(1..., lines) where !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            var q = try Self.question(String(raw), line: number, field: field)
            q.id = questions.first { $0.prompt == q.prompt }?.id ?? "q\(list.count + 1)"
            list.append(q)
        }
        try check(list)
        return list == questions ? nil : list
    }

    /// The lines the console's textarea shows for `questions`.
    public static func lines(_ questions: [SurveyQuestion]) -> String {
        questions.map { "\($0.prompt) | \($0.answer.words)\($0.required ? "" : " | optional")" }.joined(separator: "\n")
    }

    private static func question(_ line: String, line number: Int, field: String) throws(CatalogueError) -> SurveyQuestion {
        let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count <= 3 else {
            throw .invalid(field: field, "Line \(number): write “question | answer | optional”; a question holds no “|” of its own.")
        }
        let prompt: String
        do throws(InputRefusal) { prompt = try promptRule.check(parts[0], field: field) } catch {
            throw .invalid(field: field, "Line \(number): \(error.message)")
        }
        guard parts.count > 1, let answer = SurveyQuestion.Answer(words: parts[1]) else {
            let given = parts.count > 1 ? "“\(parts[1])” is not an answer type" : "the answer type is missing"
            throw .invalid(field: field, "Line \(number): \(given); write text, long text, date, yes/no or rating 1-5 after a “|”.")
        }
        let flag = parts.count > 2 ? parts[2].lowercased() : "required"
        guard flag == "optional" || flag == "required" else {
            throw .invalid(field: field, "Line \(number): the third part is “optional”, or nothing for a required question.")
        }
        return SurveyQuestion(id: "", prompt: prompt, answer: answer, required: flag == "required")
    }
}

extension SurveyQuestion.Answer {
    /// How the console writes the answer type.
    public var words: String {
        switch self {
        case .text: "text"
        case .longText: "long text"
        case .date: "date"
        case .yesNo: "yes/no"
        case .rating: "rating 1-5"
        }
    }

    /// The answer type a person wrote: the console's words or the contract's names, in any case.
    public init?(words: String) {
        let key = words.lowercased().filter { !$0.isWhitespace }
        switch key {
        case "text": self = .text
        case "longtext", "long_text": self = .longText
        case "date": self = .date
        case "yes/no", "yes_no", "yesno": self = .yesNo
        case "rating", "rating1-5", "rating(1-5)": self = .rating
        default: return nil
        }
    }
}

extension ProofRequirement {
    /// The questions a survey requirement asks: its own, or the standard ones (none for a document).
    public var surveyQuestions: [SurveyQuestion] { questions ?? Survey(kind)?.questions ?? [] }
}

extension EngagementVersion {
    /// The questions this version asks in `survey`: what a claim pinned to it is answered against.
    public func questions(of survey: Survey) -> [SurveyQuestion] {
        proofRequirements.first { $0.kind == survey.kind }?.surveyQuestions ?? survey.questions
    }
}
