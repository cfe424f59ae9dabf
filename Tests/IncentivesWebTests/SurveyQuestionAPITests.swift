import Foundation
import HTTPTypes
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import OpenAPIRuntime
import SQLKit
import Testing

@Suite("Catalogue API: a proof requirement's own survey questions")
struct SurveyQuestionAPITests {
    @Test("questions sent with a draft's terms are kept and given back; 13, an unknown answer type or a bar in a prompt are refused, nothing stored",
          arguments: TestDatabases.flavors)
    func questions(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, demo: false, seeded: false) { app in
            try await CatalogueAPITests.vendorUsers(app)
            let token = try await app.token("pm@vendor.example")
            let manager = app.apiClient(token)
            let draft = try await CatalogueAPITests.drafted(manager, app)
            var terms = CatalogueAPITests.terms()
            terms.proofRequirements = [.init(kind: .customerSurvey, questions: [
                .init(prompt: "Did the partner deliver the activity described?", answer: .yesNo),
                .init(prompt: "Which workloads moved?", answer: .longText, required: false),
                .init(prompt: "How useful was it?", answer: .rating, required: true),
            ])]
            let saved = try await manager.saveEngagementDraft(path: .init(id: draft.id), body: .json(.init(terms: terms))).ok.body.json
            let questions = try #require(saved.versions.last?.terms.proofRequirements?.first?.questions)
            #expect(questions.map(\.prompt) == ["Did the partner deliver the activity described?", "Which workloads moved?", "How useful was it?"])
            #expect(questions.map(\.required) == [true, false, true] && questions.map(\.answer) == [.yesNo, .longText, .rating])
            let stored = try #require(try await CatalogueConsole(db: app.db).file(draft.id)?.draft?.terms.proofRequirements.first?.questions)
            #expect(stored.map(\.id) == ["delivered_as_described", "q2", "q3"])

            let body = { (questions: String) in
                #"{"terms": {"type": "workshop", "pay_model": "fixed", "currency": "USD", "rate_a": "5000", "description": "A workshop.", "#
                    + #""proof_requirements": [{"kind": "customer_survey", "questions": \#(questions)}]}}"#
            }
            let thirteen = "[" + (1...13).map { #"{"prompt": "Question \#($0)?", "answer": "text"}"# }.joined(separator: ",") + "]"
            for (label, questions, status) in [("13 questions", thirteen, HTTPResponse.Status.badRequest),
                                               ("an unknown answer type", #"[{"prompt": "Fine?", "answer": "essay"}]"#, .badRequest),
                                               ("a bar in a prompt", #"[{"prompt": "Fine | yes?", "answer": "text"}]"#, .unprocessableContent),
                                               ("none required", #"[{"prompt": "Fine?", "answer": "text", "required": false}]"#,
                                                .unprocessableContent)] {
                let response = try await app.api("/api/v1/catalogue/engagements/\(draft.id)/draft", method: .post, token: token,
                                                 json: body(questions))
                #expect(response.status == status, "\(label): \(String(buffer: response.body))")
            }
            let after = try #require(try await CatalogueConsole(db: app.db).file(draft.id)?.draft?.terms.proofRequirements.first?.questions)
            #expect(after == stored, "nothing stored by a refused request")
        }
    }
}
