import Foundation

/// One question of a short survey; an engagement version may keep its own (`ProofRequirement.questions`).
public struct SurveyQuestion: Hashable, Sendable, Codable {
    public enum Answer: String, Hashable, Sendable, Codable, CaseIterable {
        case text, longText = "long_text", date, yesNo = "yes_no", rating
    }
    /// The key of the answer: the standard questions' names, `q1`, `q2`… for a version's own.
    public var id: String
    public var prompt: String
    public var answer: Answer
    public var required: Bool

    public init(id: String, prompt: String, answer: Answer, required: Bool) {
        self.id = id; self.prompt = prompt; self.answer = answer; self.required = required
    }
}

/// The two surveys proof of execution may ask for: the partner's account of the work, and the customer's
/// confirmation of it (answered from an emailed link, without an account).
public enum Survey: String, Sendable, CaseIterable {
    case partner, customer

    public var kind: ProofRequirement.Kind { self == .partner ? .partnerSurvey : .customerSurvey }

    /// The standard questions: those of a version that sets none of its own.
    public var questions: [SurveyQuestion] {
        switch self {
        case .partner: [
            SurveyQuestion(id: "delivered", prompt: "What did you deliver?", answer: .longText, required: true),
            SurveyQuestion(id: "delivered_on", prompt: "When was it delivered?", answer: .date, required: true),
            SurveyQuestion(id: "products", prompt: "Products or workloads covered", answer: .text, required: true),
            SurveyQuestion(id: "outcome", prompt: "What did the customer decide or achieve?", answer: .longText, required: false),
        ]
        case .customer: [
            SurveyQuestion(id: "delivered_as_described", prompt: "Did the partner deliver the activity described?", answer: .yesNo, required: true),
            SurveyQuestion(id: "satisfaction", prompt: "How satisfied are you with it? (1 = not at all, 5 = very)", answer: .rating, required: true),
            SurveyQuestion(id: "comments", prompt: "Anything else the vendor should know?", answer: .longText, required: false),
        ]
        }
    }

    /// The earliest delivery date an answer may give: the program's work is of this century.
    public static let earliestDay = DayDate(year: 2000, month: 1, day: 1)

    /// Validates posted answers to `questions` (the claim's version's; the standard ones when nil): every required one given, dates real, not in the future nor before
    /// `earliestDay`, ratings 1 to 5, texts by `TextRule.surveyAnswer`. Returns the answers in question order
    /// and the errors by question id (the answers count only when there are no errors).
    public func validate(_ fields: [String: String], questions: [SurveyQuestion]? = nil,
                         today: DayDate) -> (answers: [(id: String, value: String)], errors: [String: String]) {
        var answers: [(String, String)] = []
        var errors: [String: String] = [:]
        for q in questions ?? self.questions {
            let value = (fields[q.id] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if value.isEmpty {
                if q.required { errors[q.id] = "Answer this question." }
                continue
            }
            switch q.answer {
            case .text, .longText:
                do throws(InputRefusal) { _ = try TextRule.surveyAnswer.check(value, field: q.id) } catch { errors[q.id] = error.message }
            case .date:
                guard let day = DayDate(value) else { errors[q.id] = "Give a date like 2026-11-20."; continue }
                if day > today { errors[q.id] = "The date can't be in the future." }
                if day < Self.earliestDay { errors[q.id] = "Give the date the work was delivered; this one is before \(Self.earliestDay.text)." }
            case .yesNo:
                if value != "yes" && value != "no" { errors[q.id] = "Answer yes or no." }
            case .rating:
                if !["1", "2", "3", "4", "5"].contains(value) { errors[q.id] = "Choose 1 to 5." }
            }
            answers.append((q.id, value))
        }
        return (answers, errors)
    }
}

/// What a customer contact answered on their link.
public enum CustomerAnswer: String, Sendable, Codable {
    case accepted, declined, revoked, answered
}
