import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import NIOCore
import SQLKit
import Testing

/// Every API POST × every role × an own or a foreign claim, with a write token and a body the contract and the
/// domain's input rules accept, on a claim in a status where the operation's action is allowed: so what the test
/// sees is the permission decision (403 for a role the operation is not for, 404 for another organization's claim)
/// or, for the right role, the domain's own answer. An operation of the contract without an entry here fails.
@Suite("API write matrix: every POST × role × own or foreign claim")
struct APIWriteMatrixTests {
    typealias Who = AuthorizationMatrixTests.Who
    typealias Whose = AuthorizationMatrixTests.Whose
    typealias Rule = AuthorizationMatrixTests.Rule

    /// The demo claim an operation acts on: the first one, when the request is sent, in `status` at the locations
    /// of the case (see `locations`).
    struct Pick: Sendable {
        var status: ClaimStatus
        /// Nil: either kind (the demo's approved claims at Seattle are all use or consume, elsewhere partner activities).
        var kind: ClaimKind? = .partnerActivities
    }

    struct Operation: Sendable {
        /// Nil for `POST /claims`, which names a location instead of a claim.
        var pick: Pick?
        var query = ""
        /// A JSON body, or nil for the document upload (a PDF as the body).
        var json: String?
        var expected: Rule
        /// A partner-directory operation: `{id}` is organization (or location) 1 when own, an unknown id when foreign, and
        /// `{tag}` in the body names the case.
        var partner = false
        /// The body's type, when it is not JSON (the CSV imports).
        var contentType: String?
        /// The method, for the few writes that are not POSTs (budgets' PUT and DELETE); the entry's name starts with it.
        var method: HTTPRequest.Method = .post
    }

    /// The partner directory's writes: the program manager's (`ok` on an own id, 404 on an unknown one); every other role 403.
    static func manager(_ ok: HTTPResponse.Status, foreign: HTTPResponse.Status = .notFound) -> Rule { only(.manager, ok, foreign: foreign) }

    /// An operation of one role: `ok` on an own id, `foreign` on an unknown one; every other role 403.
    static func only(_ role: Who, _ ok: HTTPResponse.Status, foreign: HTTPResponse.Status = .notFound) -> Rule {
        { who, whose in
            switch who {
            case .signedOut: .unauthorized
            case role: whose == .own ? ok : foreign
            default: .forbidden
            }
        }
    }

    static let pdf = ClaimPageTests.pdf

    /// Partners' operations: the Incentives admin (and user, unless `adminOnly`) on an own claim gets `ok`; a foreign
    /// claim is 404; the vendor's roles are refused by the domain (403), the account admin by the section (403).
    static func partners(_ ok: HTTPResponse.Status, adminOnly: Bool = false, vendor: HTTPResponse.Status = .forbidden) -> Rule {
        { who, whose in
            switch who {
            case .signedOut: .unauthorized
            case .accountAdminOnly: .forbidden
            case .reviewer, .manager: vendor
            case .partnerAdmin: whose == .own ? ok : .notFound
            case .partnerUser: whose == .foreign ? .notFound : adminOnly ? .forbidden : ok
            }
        }
    }

    /// The reviewer's decisions, on every organization's claims; partners see theirs refused (403), others' not at all.
    static let reviewers: Rule = { who, whose in
        switch who {
        case .signedOut: .unauthorized
        case .accountAdminOnly, .manager: .forbidden
        case .reviewer: .ok
        case .partnerAdmin, .partnerUser: whose == .own ? .forbidden : .notFound
        }
    }

    /// Terms the console's rules accept.
    static let termsJSON = #"{"type": "workshop", "pay_model": "fixed", "currency": "USD", "rate_a": "5000", "description": "Matrix"}"#
    static let draftJSON = #"{"terms": "# + termsJSON + "}"
    static let newEngagementJSON = #"{"name": "Matrix {tag}", "solution_area_id": 1, "role": "build_intent", "opens_on": "2026-12-01", "#
        + #""terms": "# + termsJSON + "}"

    static let matrix: [String: Operation] = [
        "POST /claims": Operation(pick: nil, json: "", expected: { who, whose in
            switch who {
            case .signedOut: .unauthorized
            case .accountAdminOnly, .reviewer, .manager: .forbidden
            case .partnerAdmin, .partnerUser: whose == .own ? .created : .notFound
            }
        }),
        // Both sides comment on any claim they can see.
        "POST /claims/{id}/comments": Operation(pick: Pick(status: .underReview), json: #"{"body": "Checked the invoice."}"#,
                                                expected: { who, whose in
            switch who {
            case .signedOut: .unauthorized
            case .accountAdminOnly: .forbidden
            case .reviewer, .manager: .created
            case .partnerAdmin, .partnerUser: whose == .own ? .created : .notFound
            }
        }),
        // Proof is the partner's; the domain refuses the vendor's upload as a change it can't make now (422).
        "POST /claims/{id}/documents": Operation(pick: Pick(status: .consentReceived), query: "?kind=findings_document&file_name=findings.pdf",
                                                 json: nil, expected: partners(.created, vendor: .unprocessableContent)),
        "POST /claims/{id}/send-consent": Operation(pick: Pick(status: .awaitingConsent), json: #"{"note": "Sent again"}"#,
                                                    expected: partners(.ok)),
        "POST /claims/{id}/submit": Operation(pick: Pick(status: .partnerActionRequired), json: #"{"note": "Signed copy added"}"#,
                                              expected: partners(.ok)),
        "POST /claims/{id}/cancel": Operation(pick: Pick(status: .customerClaimed), json: #"{"note": "The customer went elsewhere"}"#,
                                              expected: partners(.ok)),
        // Disputes are an Incentives admin's.
        "POST /claims/{id}/dispute": Operation(pick: Pick(status: .rejected), json: #"{"note": "Not a duplicate: another site"}"#,
                                               expected: partners(.ok, adminOnly: true)),
        "POST /claims/{id}/start-review": Operation(pick: Pick(status: .submitted), json: "{}", expected: reviewers),
        "POST /claims/{id}/approve": Operation(pick: Pick(status: .underReview), json: #"{"note": "All there", "confirmed_criteria": [2, 3]}"#,
                                              expected: reviewers),
        "POST /claims/{id}/request-information": Operation(
            pick: Pick(status: .underReview), json: #"{"reason_code": "missing_customer_signature", "note": "Page 2 is unsigned"}"#,
            expected: reviewers),
        "POST /claims/{id}/reject": Operation(pick: Pick(status: .submitted), json: #"{"reason_code": "duplicate_claim"}"#,
                                              expected: reviewers),
        // `{version}` is the claim's; the matrix moves each approval into the program's reversal window first.
        "POST /claims/{id}/reversal": Operation(pick: Pick(status: .approved, kind: nil),
                                                json: #"{"reason": "duplicate_claim", "note": "Claimed twice", "version": {version}}"#,
                                                expected: reviewers),
        // Partners: Bluefin (1) and its Seattle location (1). Reactivating an active one, and a first admin where one has
        // accepted, are the domain's refusals (422).
        "POST /partners": Operation(json: #"{"name": "Matrix {tag}"}"#, expected: manager(.created, foreign: .created), partner: true),
        "POST /partners/{id}": Operation(json: #"{"name": "Matrix {tag}"}"#, expected: manager(.ok), partner: true),
        "POST /partners/{id}/deactivate": Operation(json: #"{"reason": "Matrix"}"#, expected: manager(.ok), partner: true),
        "POST /partners/{id}/reactivate": Operation(json: "{}", expected: manager(.unprocessableContent), partner: true),
        "POST /partners/{id}/locations": Operation(json: #"{"name": "Matrix {tag}", "country": "DE"}"#, expected: manager(.created),
                                                   partner: true),
        "POST /partners/{id}/admin": Operation(json: #"{"name": "First Admin", "email": "first-{tag}@matrix.example"}"#,
                                               expected: manager(.unprocessableContent), partner: true),
        "POST /partners/{id}/enrollment": Operation(json: #"{"location_ids": [1]}"#, expected: manager(.ok), partner: true),
        "POST /partner-locations/{id}": Operation(json: #"{"name": "Matrix {tag}", "country": "US"}"#, expected: manager(.ok), partner: true),
        "POST /partner-locations/{id}/deactivate": Operation(json: #"{"reason": "Matrix"}"#, expected: manager(.ok), partner: true),
        "POST /partner-locations/{id}/reactivate": Operation(json: "{}", expected: manager(.unprocessableContent), partner: true),
        // Payees: a new bank profile is an Incentives admin's (no id: foreign is the same request); the decision on bank
        // profile 1 is the program manager's; a tax profile for Seattle (1) is its admin's; the manager deactivates
        // Seattle's enrollment, which the domain refuses the partner's admin (422).
        "POST /payee-profiles/bank-profiles": Operation(
            json: #"{"holder_name": "Matrix {tag}", "bank_name": "Banco", "country": "PT", "account_number": "PT50 0002 0123 1234 5678 9015 4", "swift_bic": "BCOMPTPL"}"#,
            expected: only(.partnerAdmin, .created, foreign: .created), partner: true),
        "POST /payee-profiles/bank-profiles/{id}/decision": Operation(
            json: #"{"status": "action_required", "reason": "Matrix {tag}", "version": 1}"#, expected: manager(.ok), partner: true),
        "POST /locations/{id}/tax-profiles": Operation(json: #"{"tax_id": "12-3456789", "expires_on": "2028-06-30"}"#,
                                                       expected: only(.partnerAdmin, .created), partner: true),
        "POST /enrollments/{location_id}": Operation(json: #"{"action": "deactivate", "version": 1}"#, expected: { who, whose in
            switch who {
            case .signedOut: .unauthorized
            case .manager: whose == .own ? .ok : .notFound
            case .partnerAdmin: whose == .own ? .unprocessableContent : .notFound
            default: .forbidden
            }
        }, partner: true),
        // The catalogue console, eligibility lists and inclusion requests (`partner`: engagement, area or request 1 when own, an
        // unknown id when foreign). Engagement 1 is published and has no draft; the demo has no inclusion request.
        "POST /catalogue/program": Operation(json: #"{"name": "Matrix {tag}", "manager_name": "M", "manager_email": "m@vendor.example"}"#,
                                             expected: manager(.ok, foreign: .ok), partner: true),
        "POST /catalogue/areas": Operation(json: #"{"code": "matrix-{tag}", "name": "Matrix"}"#, expected: manager(.created, foreign: .created),
                                           partner: true),
        "POST /catalogue/areas/{id}": Operation(json: #"{"code": "matrix-{tag}", "name": "Matrix", "position": 1}"#, expected: manager(.ok),
                                                partner: true),
        "POST /catalogue/engagements": Operation(json: newEngagementJSON, expected: manager(.created, foreign: .created), partner: true),
        "POST /catalogue/engagements/{id}/draft": Operation(json: draftJSON, expected: manager(.unprocessableContent),
                                                            partner: true),
        "POST /catalogue/engagements/{id}/versions": Operation(json: "{}", expected: manager(.ok), partner: true),
        "POST /catalogue/engagements/{id}/publish": Operation(json: "{}", expected: manager(.unprocessableContent), partner: true),
        "POST /catalogue/engagements/{id}/close": Operation(json: "{}", expected: manager(.ok), partner: true),
        // Every demo location is on engagement 1's list: adding one more is the domain's refusal.
        "POST /catalogue/engagements/{id}/eligibility": Operation(json: #"{"location_id": 9}"#, expected: manager(.unprocessableContent),
                                                                  partner: true),
        "POST /catalogue/engagements/{id}/eligibility/remove": Operation(json: #"{"location_id": 1}"#, expected: manager(.ok), partner: true),
        "POST /catalogue/engagements/{id}/eligibility/import": Operation(json: "location_id,action\n1,add\n", expected: manager(.ok),
                                                                         partner: true, contentType: "text/csv"),
        "POST /catalogue/engagements/{id}/criteria": Operation(
            json: #"{"location_id": 1, "criterion": "At least two certified delivery engineers", "status": "met"}"#, expected: manager(.ok),
            partner: true),
        "POST /catalogue/engagements/{id}/criteria/import": Operation(
            json: "location,criterion,status\n1,At least two certified delivery engineers,not_met\n", expected: manager(.ok), partner: true,
            contentType: "text/csv"),
        "POST /inclusion-requests/{id}/approve": Operation(json: "{}", expected: manager(.notFound), partner: true),
        "POST /inclusion-requests/{id}/decline": Operation(json: #"{"reason": "Matrix"}"#, expected: manager(.notFound), partner: true),
        // An Incentives admin asks (Seattle is on engagement 1's list already: the domain refuses); anyone else is refused the operation.
        "POST /engagements/{id}/inclusion-requests": Operation(json: #"{"location_id": 1, "note": "Matrix"}"#, expected: { who, whose in
            switch who {
            case .signedOut: .unauthorized
            case .partnerAdmin: whose == .own ? .unprocessableContent : .notFound
            default: .forbidden
            }
        }, partner: true),
        // Budgets (`{id}`: engagement 1 or an unknown one; the currency is the address's, so "foreign" is the same request). The
        // demo sets no budget: clearing one is 404 for the program manager.
        "PUT /budgets/program/{currency}": Operation(json: #"{"amount": "1000"}"#, expected: manager(.ok, foreign: .ok), partner: true,
                                                     method: .put),
        "DELETE /budgets/program/{currency}": Operation(json: nil, expected: manager(.notFound), partner: true, method: .delete),
        "PUT /budgets/engagements/{id}": Operation(json: #"{"amount": "1000"}"#, expected: manager(.ok), partner: true, method: .put),
        "DELETE /budgets/engagements/{id}": Operation(json: nil, expected: manager(.notFound), partner: true, method: .delete),
        // Payments are the program manager's. The demo's runs are all completed, so the matrix asks about an unknown run (404 for
        // the program manager, whose role passes) and nothing was due in 2001 (the domain's refusal, 422); PaymentAPITests walks
        // each operation to a success.
        "POST /payment-runs": Operation(json: #"{"cutoff": "2001-01-01"}"#, expected: manager(.unprocessableContent, foreign: .unprocessableContent),
                                        partner: true),
        "POST /payment-runs/{id}/approve": Operation(json: #"{"version": 1}"#, expected: manager(.notFound), partner: true),
        "POST /payment-runs/{id}/cancel": Operation(json: #"{"version": 1}"#, expected: manager(.notFound), partner: true),
        "POST /payment-runs/{id}/send": Operation(json: #"{"version": 1}"#, expected: manager(.notFound), partner: true),
        "POST /payment-runs/{id}/lines/{line_id}/confirm": Operation(json: #"{"status": "paid"}"#, expected: manager(.notFound), partner: true),
        "POST /payment-runs/{id}/confirmations/import": Operation(json: "end_to_end_id,status,reason\nPR-000001-0001,paid,\n",
                                                                  expected: manager(.notFound), partner: true, contentType: "text/csv"),
    ]

    /// Where a case's claim (or new claim) is: Bluefin's admin acts away from Seattle, so its successes never use up
    /// the Seattle claim the other roles are tried on; a foreign claim is another organization's.
    static func locations(_ who: Who, _ whose: Whose) -> [Int64] {
        whose == .foreign ? [5, 6, 7, 8, 9] : who == .partnerAdmin ? [2, 3, 4] : [1]
    }

    static let emails = AuthorizationMatrixTests.emails

    static func claim(_ pick: Pick, at locations: [Int64], _ app: WebHarness) async throws -> Int64 {
        let kind: SQLQueryString = pick.kind.map { "AND kind = \(bind: $0.rawValue)" } ?? ""
        let id = try await app.db.read { sql in
            try await sql.raw("""
                SELECT id FROM claims WHERE status = \(bind: pick.status.rawValue) \(kind)
                  AND is_dispute_round = \(bind: false) AND location_id IN (\(unsafeRaw: locations.map(String.init).joined(separator: ",")))
                ORDER BY id
                """).first()?.decode(column: "id", as: Int64.self)
        }
        return try #require(id, "no \(pick.status) claim at locations \(locations)")
    }

    /// The claim's version, after its approval is moved to yesterday: a reversal then depends on who asks, not on the demo's dates.
    static func inWindow(_ claim: Int64, _ app: WebHarness) async throws -> String {
        let yesterday = app.clock.now.addingTimeInterval(-86_400)
        return try await app.db.write { sql in
            try await sql.raw("UPDATE earnings SET approved_at = \(bind: yesterday) WHERE claim_id = \(bind: claim) AND kind = 'earning'").run()
            let version = try await sql.raw("SELECT version FROM claims WHERE id = \(bind: claim)").first(decodingColumn: "version", as: Int.self)
            return String(version ?? 0)
        }
    }

    /// An active partner-activities engagement on which Seattle and London meet every partner criterion.
    static func openEngagement(_ app: WebHarness) async throws -> Int64 {
        let id = try await app.db.read { sql in
            try await sql.raw("""
                SELECT e.id FROM engagements e JOIN eligibility_entries ee ON ee.engagement_id = e.id AND ee.location_id IN (1, 2)
                LEFT JOIN location_criteria lc ON lc.engagement_id = e.id AND lc.location_id = ee.location_id
                WHERE e.status = 'active' AND e.role = 'build_intent' AND e.last_claim_day IS NULL
                GROUP BY e.id HAVING COUNT(DISTINCT ee.location_id) = 2 AND SUM(CASE WHEN lc.location_id IS NULL OR lc.met THEN 0 ELSE 1 END) = 0
                ORDER BY e.id
                """).first()?.decode(column: "id", as: Int64.self)
        }
        return try #require(id)
    }

    static func newClaimBody(location: Int64, engagement: Int64, tag: String) -> String {
        """
        {"kind": "partner_activities", "name": "Matrix \(tag)", "location_id": \(location), "engagement_id": \(engagement),
         "customer": {"name": "Matrix \(tag)", "domain": "matrix-\(tag).example"},
         "contacts": [{"name": "Ana Chen", "title": "CIO", "email": "ana@matrix-\(tag).example"}]}
        """
    }

    @Test("every API POST of the contract has an entry")
    func everyPostHasAnEntry() async throws {
        try await WebHarness.with(seeded: false) { app in
            let posts = Set(app.deps.apiSpec.paths.entries.flatMap { entry in
                entry.methods.filter { $0.rawValue == "POST" }.map { _ in "POST /\(entry.segments.joined(separator: "/"))" }
            })
            let entries = Set(Self.matrix.keys.filter { $0.hasPrefix("POST ") })
            #expect(posts == entries,
                    "POSTs without an entry: \(posts.subtracting(entries).sorted()); entries without a POST: \(entries.subtracting(posts).sorted())")
        }
    }

    @Test("each role gets the permission decision, or the domain's answer, on own and foreign claims",
          arguments: TestDatabases.flavors, Self.matrix.keys.sorted())
    func operationHolds(flavor: SQLFlavor, name: String) async throws {
        let operation = try #require(Self.matrix[name])
        // A fresh demo per operation: its successes use up claims another operation would want in the same status.
        try await WebHarness.with(flavor: flavor) { app in
            _ = try await app.addUser("accounts@bluefin.example", organization: 1, roles: [(1, .accountAdmin)])
            var tokens: [Who: String] = [:]
            for (who, email) in Self.emails { tokens[who] = try await app.token(email) }
            let engagement = try await Self.openEngagement(app)
            let template = String(name.drop { $0 != " " }.dropFirst())
            let cases = Who.allCases.flatMap { who in [Whose.own, .foreign].map { (who, $0) } }
            // Refusals first: they change nothing, so each success still finds its claim as the demo left it.
            let ordered = cases.filter { operation.expected($0.0, $0.1).code >= 300 } + cases.filter { operation.expected($0.0, $0.1).code < 300 }
            var failures: [String] = []
            for (who, whose) in ordered {
                let expected = operation.expected(who, whose)
                let locations = Self.locations(who, whose)
                var path = "/api/v1" + template + operation.query
                var body = operation.json.map { ByteBuffer(string: $0) } ?? ByteBuffer(bytes: Self.pdf)
                if operation.partner {
                    path = path.replacingOccurrences(of: "/payment-runs/{id}", with: "/payment-runs/987654")
                        .replacingOccurrences(of: "{id}", with: whose == .own ? "1" : "987654")
                        .replacingOccurrences(of: "{location_id}", with: whose == .own ? "1" : "987654")
                        .replacingOccurrences(of: "{currency}", with: "USD")
                        .replacingOccurrences(of: "{line_id}", with: whose == .own ? "1" : "987654")
                    body = ByteBuffer(string: (operation.json ?? "").replacingOccurrences(of: "{tag}", with: "\(who)-\(whose)"))
                } else if let pick = operation.pick {
                    let claim = try await Self.claim(pick, at: locations, app)
                    path = path.replacingOccurrences(of: "{id}", with: String(claim))
                    if operation.json?.contains("{version}") == true {
                        body = ByteBuffer(string: operation.json!.replacingOccurrences(of: "{version}", with: try await Self.inWindow(claim, app)))
                    }
                } else {
                    body = ByteBuffer(string: Self.newClaimBody(location: locations[0], engagement: engagement, tag: "\(who)-\(whose)"))
                }
                var headers: HTTPFields = [.contentType: operation.contentType ?? (operation.json == nil ? "application/octet-stream" : "application/json")]
                if let token = tokens[who] { headers[.authorization] = "Bearer \(token)" }
                if operation.method == .delete { headers[.contentType] = nil }
                let response = try await app.client.executeRequest(uri: path, method: operation.method, headers: headers,
                                                                   body: operation.method == .delete ? nil : body)
                let type = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["type"] as? String
                // A refusal must come from the permission check: the problem names it.
                let types: [HTTPResponse.Status: Set<String>] = [
                    .forbidden: ["/api/docs#problem-forbidden", "/api/docs#problem-role-not-allowed"],
                    .notFound: ["/api/docs#problem-not-found"], .unauthorized: ["/api/docs#problem-unauthorized"],
                ]
                if response.status != expected || types[expected].map({ !$0.contains(type ?? "") }) == true {
                    failures.append("\(name) as \(who) (\(whose)) on \(path): expected \(expected.code), got \(response.status.code) \(type ?? "") "
                                    + String(buffer: response.body).prefix(200))
                }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }
    }
}
