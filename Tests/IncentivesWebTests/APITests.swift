import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import NIOCore
import OpenAPIRuntime
import SQLKit
import Testing

/// The generated client's requests, sent through HummingbirdTesting's in-process client.
struct TestClientTransport: ClientTransport {
    let client: any TestClientProtocol

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        var bytes = ByteBuffer()
        if let body { for try await chunk in body { bytes.writeBytes(chunk) } }
        let response = try await client.executeRequest(uri: baseURL.path + (request.path ?? ""), method: request.method,
                                                        headers: request.headerFields, body: body == nil ? nil : bytes)
        return (HTTPResponse(status: response.status, headerFields: response.headers), HTTPBody(Array(buffer: response.body)))
    }
}

/// Adds the token, and an idempotency key to every POST (as a careful integration would).
struct BearerToken: ClientMiddleware {
    let token: String

    func intercept(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}

extension TestResponse {
    /// The `type` of a problem+json body.
    var problemType: String? {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["type"] as? String
    }
}

extension WebHarness {
    /// A token of the user's, made in the store as `incentives tokens create` does.
    func token(_ email: String, scope: APITokenScope = .write) async throws -> String {
        let user = try #require(try await UserRepository(db: db).find(email: email))
        return try await APITokenRepository(db: db).create(userID: user.id, name: "tests", scope: scope, now: clock.now).1
    }

    /// The client generated from the contract, acting with the token.
    func apiClient(_ token: String) -> Client {
        Client(serverURL: URL(string: "/api/v1")!, transport: TestClientTransport(client: client), middlewares: [BearerToken(token: token)])
    }

    /// A raw request to the API.
    func api(_ path: String, method: HTTPRequest.Method = .get, token: String?, headers: HTTPFields = [:],
             json: String? = nil) async throws -> TestResponse {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        if json != nil { fields[.contentType] = "application/json" }
        return try await client.executeRequest(uri: path, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
    }
}

@Suite("Public API: the generated client, tokens, problems, idempotency and limits")
struct APITests {
    static let pdf = ClaimPageTests.pdf

    func problemType(_ response: TestResponse) -> String? { response.problemType }

    @Test("a claim walks its whole lifecycle through the generated client", arguments: TestDatabases.flavors)
    func lifecycle(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let partner = app.apiClient(try await app.token("admin@bluefin.example"))
            let reviewer = app.apiClient(try await app.token("reviewer@vendor.example"))
            let me = try await partner.getMe().ok.body.json
            #expect(me.email == "admin@bluefin.example" && me.side == .partner && me.token.scope == .write)

            // The engagement and location of a demo draft claim: open, asking for a findings document and both surveys.
            let template = try await ClaimPageTests.draftClaim(app)
            let model = try #require(try await ClaimRepository(db: app.db).find(template, in: .system))
            let created = try await partner.createClaim(body: .json(.init(
                kind: .partnerActivities, name: "API workshop", locationId: model.locationID, engagementId: model.engagementID,
                customer: .init(name: "Northwind Traders", domain: "northwind-api.example"),
                contacts: [.init(name: "Nora Field", title: "CIO", email: "nora@northwind-api.example")]))).created
            let claim = try created.body.json
            #expect(claim.status == .customerClaimed && claim.version == 1 && claim.customer.domain == "northwind-api.example")
            #expect(created.headers.eTag == "\"1\"")

            // The list finds it (the hand-written body, decoded by the generated client), and so does its search.
            let listed = try await partner.listClaims(query: .init(q: "northwind-api")).ok.body.json
            #expect(listed.claims.map(\.id) == [claim.id])
            #expect(listed.nextCursor == nil)

            var current = try await partner.sendConsent(path: .init(id: claim.id), headers: .init(ifMatch: "\"1\"")).ok.body.json
            #expect(current.status == .awaitingConsent)
            let consent = try await ClaimPageTests.mailToken(app, kind: .consentRequest, to: "nora@northwind-api.example", path: "consent")
            let work = ClaimWork(db: app.db, links: ClaimLinks(publicURL: app.deps.config.publicURL))
            try await work.answerConsent(token: consent, .acceptConsent, address: "203.0.113.9", at: app.clock.now)

            // Proof: the document through the API; the surveys as the partner and the customer answer them.
            let refused = try await partner.uploadClaimDocument(path: .init(id: claim.id), query: .init(kind: .findingsDocument, fileName: "notes.pdf"),
                                                                body: .binary(HTTPBody(Array("just text".utf8))))
            #expect(try refused.unprocessableContent.body.applicationProblemJson.detail.contains("is not a PDF"))
            let uploaded = try await partner.uploadClaimDocument(path: .init(id: claim.id), query: .init(kind: .findingsDocument, fileName: "findings.pdf"),
                                                                 body: .binary(HTTPBody(Self.pdf)))
            current = try uploaded.created.body.json
            let actor = Actor(role: .incentivesAdmin, userID: me.id, name: me.name)
            try await work.answerPartnerSurvey([SurveyAnswer(id: "delivered", value: "A one-day workshop"),
                                                SurveyAnswer(id: "delivered_on", value: "2026-11-20"), SurveyAnswer(id: "products", value: "Power Apps")],
                                               on: claim.id, expectedVersion: nil, by: actor, in: .system, at: app.clock.now)
            try await work.sendCustomerSurvey(on: claim.id, expectedVersion: nil, by: actor, in: .system, at: app.clock.now)
            let survey = try await ClaimPageTests.mailToken(app, kind: .survey, to: "nora@northwind-api.example", path: "survey")
            try await work.answerCustomerSurvey(token: survey, [SurveyAnswer(id: "delivered_as_described", value: "yes"),
                                                                SurveyAnswer(id: "satisfaction", value: "5")], address: "203.0.113.9", at: app.clock.now)

            current = try await partner.submitClaim(path: .init(id: claim.id)).ok.body.json
            #expect(current.status == .submitted)
            current = try await reviewer.startReview(path: .init(id: claim.id)).ok.body.json
            #expect(current.status == .underReview)
            current = try await reviewer.requestInformation(path: .init(id: claim.id),
                                                            body: .json(.init(reasonCode: .missingCustomerSignature, note: "page 2 is unsigned"))).ok.body.json
            #expect(current.status == .partnerActionRequired)
            current = try await partner.submitClaim(path: .init(id: claim.id), headers: .init(ifMatch: "\"\(current.version)\"")).ok.body.json
            #expect(current.status == .submitted)
            current = try await reviewer.startReview(path: .init(id: claim.id)).ok.body.json
            let approved = try await reviewer.approveClaim(path: .init(id: claim.id), headers: .init(ifMatch: "\"\(current.version)\""),
                                                           body: .json(.init(confirmedCriteria: [.case1(2), .case1(3)]))).ok
            #expect(try approved.body.json.status == .approved)
            // The draft's engagement is the demo's "Low-code app in a day workshop" (fixed pay, USD 3,500 / 2,000 / 500 in
            // markets A / B / C, one version); Seattle (US) is market A. Approved at the clock (25 Nov 2026) + 45 days: January.
            #expect(model.engagementID == 17 && model.locationID == 1)
            let amount = try #require(try approved.body.json.amount)
            #expect(amount.amount == "3500.00" && amount.currency == "USD")

            let earnings = try await partner.listEarnings().ok.body.json.earnings
            let earning = try #require(earnings.first { $0.claimId == claim.id })
            #expect(earning.rate.amount == "3500.00" && earning.rate.currency == "USD" && earning.hours == nil)
            #expect(earning.amount.amount == "3500.00" && earning.amount.currency == "USD")
            #expect(earning.market == "a" && earning.engagementVersion == 1 && earning.paymentMonth == "2027-01")
            #expect(earning.approvedAt == app.clock.now && earning.paymentStatus == .unprocessed)
            let history = try await partner.getClaimHistory(path: .init(id: claim.id)).ok.body.json.history
            #expect(history.map(\.action).contains("request_information"))
            #expect(history.first { $0.action == "request_information" }?.reasonCode == "missing_customer_signature")
            let comments = try await reviewer.addClaimComment(path: .init(id: claim.id), body: .json(.init(body: "Approved, thanks"))).created
            #expect(try comments.body.json.comments.last?.body == "Approved, thanks")
            #expect(try await partner.listClaimComments(path: .init(id: claim.id)).ok.body.json.comments.count == 1)
        }
    }

    @Test("the program's reads answer each role with its own data", arguments: TestDatabases.flavors)
    func reads(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let partner = app.apiClient(try await app.token("admin@bluefin.example", scope: .read))
            let vendor = app.apiClient(try await app.token("reviewer@vendor.example", scope: .read))
            let engagements = try await partner.listEngagements().ok.body.json.engagements
            #expect(!engagements.isEmpty)
            let detail = try await partner.getEngagement(path: .init(id: engagements[0].id)).ok.body.json
            #expect(!detail.versions.isEmpty && !detail.eligibility.isEmpty)
            #expect(try await partner.listLocations().ok.body.json.locations.count == 4)
            #expect(try await partner.listCustomers().ok.body.json.customers.count > 0)
            // Bluefin's one bank profile, masked, used by its four locations; a tax profile each, Bangalore's expired.
            let payees = try await partner.listPayeeProfiles().ok.body.json
            #expect(payees.bankProfiles.map(\.maskedAccountNumber) == ["•••• 5678"] && payees.bankProfiles.first?.usedBy.count == 4)
            #expect(payees.taxProfiles.map(\.locationId).sorted() == [1, 2, 3, 4])
            #expect(payees.taxProfiles.filter { !$0.valid }.map(\.locationId) == [4])
            #expect(try await vendor.listCatalogueEngagements().ok.body.json.engagements.count >= engagements.count)
            #expect(try await partner.listCatalogueEngagements().forbidden.body.applicationProblemJson.status == 403)
            let page = try await partner.listClaims(query: .init(sort: .name, dir: .asc, per: ._25)).ok.body.json
            #expect(page.claims.count == 25)
            let next = try await partner.listClaims(query: .init(sort: .name, dir: .asc, per: ._25, after: page.nextCursor)).ok.body.json
            #expect(Set(next.claims.map(\.id)).isDisjoint(with: page.claims.map(\.id)))
            #expect(page.claims.allSatisfy { $0.organizationId == 1 })
            // Every key of the contract's answers is there, empty ones as null (the generated encoders leave them out).
            let me = try await app.api("/api/v1/me", token: try await app.token("reviewer@vendor.example"))
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(buffer: me.body)) as? [String: Any])
            #expect(fields["organization_id"] is NSNull && fields["vendor_role"] as? String == "reviewer")
            #expect(me.headers[.contentLength] == String(me.body.readableBytes))
            let draft = try await ClaimPageTests.draftClaim(app)
            let one = try await app.api("/api/v1/claims/\(draft)", token: try await app.token("admin@bluefin.example"))
            let claim = try #require(try JSONSerialization.jsonObject(with: Data(buffer: one.body)) as? [String: Any])
            #expect(claim["hours"] is NSNull && claim["consent_at"] is NSNull && claim.count == 21)
            let csv = try await app.api("/api/v1/exports/claims.csv?status=approved", token: try await app.token("admin@bluefin.example"))
            #expect(csv.status == .ok)
            #expect(String(buffer: csv.body).hasPrefix("claim_id,claim_name,status"))
            let xlsx = try await app.api("/api/v1/exports/claims.xlsx", token: try await app.token("admin@bluefin.example"))
            #expect(xlsx.status == .ok && xlsx.body.readableBytesView.starts(with: [0x50, 0x4B]))
        }
    }

    @Test("the earnings list pages by next_cursor through every earning of the caller's, newest first; a foreign cursor is 404",
          arguments: TestDatabases.flavors)
    func earningsPages(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let partner = app.apiClient(try await app.token("admin@bluefin.example", scope: .read))
            let first = try await partner.listEarnings().ok.body.json
            #expect(first.nextCursor == nil) // the demo's nine Bluefin earnings fit the default page of 50
            var seen: [Int64] = []
            var after: Int64?
            repeat {
                let page = try await partner.listEarnings(query: .init(limit: 4, after: after)).ok.body.json
                #expect(page.earnings.count <= 4 && !page.earnings.isEmpty)
                seen += page.earnings.map(\.id)
                after = page.nextCursor
                #expect(after == nil || after == page.earnings.last?.id)
            } while after != nil
            let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
            let every = try await ProgramReads(db: app.db).earnings(in: bluefin, limit: 500).lines.map(\.id)
            #expect(every.count > 8 && seen == every && first.earnings.map(\.id) == every)
            let foreign = try await app.db.read { sql in
                try await sql.raw("""
                    SELECT MIN(ea.id) AS id FROM earnings ea JOIN locations l ON l.id = ea.location_id WHERE l.organization_id <> 1
                    """).first(decodingColumn: "id", as: Int64.self)
            }
            let refused = try await partner.listEarnings(query: .init(after: try #require(foreign))).notFound.body.applicationProblemJson
            #expect(refused.detail.contains("earning"))
            #expect(try await partner.listEarnings(query: .init(after: 999_999)).notFound.body.applicationProblemJson.status == 404)
            let tooMany = try await app.api("/api/v1/earnings?limit=101", token: try await app.token("admin@bluefin.example"))
            #expect(tooMany.status == .badRequest)
        }
    }

    @Test("errors are problems: 401, 403, 404 foreign, 409 stale, 422 not now, 400 bad parameters, 405 with Allow", arguments: TestDatabases.flavors)
    func problems(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let write = try await app.token("admin@bluefin.example")
            let read = try await app.token("admin@bluefin.example", scope: .read)
            let none = try await app.api("/api/v1/me", token: nil)
            #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(none.headers[.contentType] == "application/problem+json" && problemType(none) == "/api/docs#problem-unauthorized")
            #expect(try await app.api("/api/v1/me", token: "pi_" + String(repeating: "x", count: 24)).status == .unauthorized)

            let draft = try await ClaimPageTests.draftClaim(app)
            let readPost = try await app.api("/api/v1/claims/\(draft)/send-consent", method: .post, token: read)
            #expect(readPost.status == .forbidden && problemType(readPost) == "/api/docs#problem-read-only-token")

            let cedar = try await app.db.read { try await $0.raw("SELECT id FROM claims WHERE organization_id = 2 ORDER BY id").first()!.decode(column: "id", as: Int64.self) }
            for path in ["/api/v1/claims/\(cedar)", "/api/v1/claims/\(cedar)/history", "/api/v1/claims/\(cedar)/comments", "/api/v1/claims/999999"] {
                let foreign = try await app.api(path, token: write)
                #expect(foreign.status == .notFound, "\(path)")
                #expect(problemType(foreign) == "/api/docs#problem-not-found")
            }
            #expect(try await app.api("/api/v1/claims/\(cedar)/cancel", method: .post, token: write).status == .notFound)

            // A note longer than the contract's maxLength (4000 code points) is refused and changes nothing.
            let long = try await app.api("/api/v1/claims/\(draft)/cancel", method: .post, token: write,
                                         json: #"{"note": ""# + String(repeating: "*", count: 4_001) + #""}"#)
            #expect(long.status == .badRequest && problemType(long) == "/api/docs#problem-bad-request")
            #expect(String(buffer: long.body).contains("note: at most 4000 characters."))
            #expect(try await ClaimPageTests.status(app, draft) == ClaimStatus.customerClaimed.rawValue)

            let stale = try await app.api("/api/v1/claims/\(draft)/send-consent", method: .post, token: write, headers: [.ifMatch: "\"99\""])
            #expect(stale.status == .conflict && problemType(stale) == "/api/docs#problem-version-conflict")
            #expect(try await ClaimPageTests.status(app, draft) == "customer_claimed")
            let early = try await app.api("/api/v1/claims/\(draft)/submit", method: .post, token: write)
            #expect(early.status == .unprocessableContent && problemType(early) == "/api/docs#problem-action-not-allowed")
            let submitted = try await app.db.read { try await $0.raw("SELECT id FROM claims WHERE location_id = 1 AND status = 'submitted' ORDER BY id").first()!.decode(column: "id", as: Int64.self) }
            let approve = try await app.api("/api/v1/claims/\(submitted)/approve", method: .post, token: write)
            #expect(approve.status == .forbidden && problemType(approve) == "/api/docs#problem-role-not-allowed")

            for query in ["status=nope", "per=7", "after=%25%25%25", "due=0", "tab=nowhere", "engagement=x", "q=a%00b"] {
                let bad = try await app.api("/api/v1/claims?\(query)", token: write)
                #expect(bad.status == .badRequest && problemType(bad) == "/api/docs#problem-bad-request", "\(query): \(bad.status)")
            }
            let badBody = try await app.api("/api/v1/claims", method: .post, token: write, json: "{\"kind\": 3}")
            #expect(badBody.status == .badRequest)
            // NUL in a JSON body, raw or escaped, is refused before the operation: 400, and no comment is kept.
            for body in ["{\"body\": \"a\\u0000b\"}", "{\"body\": \"a\u{0}b\"}"] {
                let nul = try await app.api("/api/v1/claims/\(draft)/comments", method: .post, token: write, json: body)
                #expect(nul.status == .badRequest && problemType(nul) == "/api/docs#problem-bad-request", "\(body.debugDescription): \(nul.status)")
            }
            #expect(try await app.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM claim_comments WHERE claim_id = \(bind: draft)").first()!.decode(column: "n", as: Int.self) } == 0)

            let notAllowed = try await app.api("/api/v1/claims/\(draft)", method: .delete, token: write)
            #expect(notAllowed.status == .methodNotAllowed && notAllowed.headers[.allow] == "GET")
            #expect(try await app.api("/api/v1/claims", method: .put, token: nil).headers[.allow] == "GET, POST")
            #expect(try await app.api("/api/v1/nowhere", token: write).status == .notFound)
            // An id in the path that is no whole number names nothing: 404, as a foreign id (schemathesis' links sent
            // `None` and `1.0`, answered 400 "the body is not the JSON" before).
            for (path, method, json) in [("/api/v1/locations/None/tax-profiles", HTTPRequest.Method.post, #"{"tax_id": "1", "expires_on": "2028-01-01"}"#),
                                         ("/api/v1/locations/1.0/bank-profile", .put, #"{"bank_profile_id": 3}"#),
                                         ("/api/v1/claims/1e3", .get, nil), ("/api/v1/enrollments/12abc", .post, #"{"action": "accept", "version": 1}"#)] {
                let answer = try await app.api(path, method: method, token: write, json: json)
                #expect(answer.status == .notFound && problemType(answer) == "/api/docs#problem-not-found", "\(path): \(answer.status)")
            }
        }
    }

    @Test("each token has its own rate limit, with RateLimit headers and a 429 with Retry-After")
    func rateLimit() async throws {
        try await WebHarness.with(apiRateLimit: 3) { app in
            let token = try await app.token("user@bluefin.example", scope: .read)
            for remaining in [2, 1, 0] {
                let ok = try await app.api("/api/v1/me", token: token)
                #expect(ok.status == .ok && ok.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
                #expect(ok.headers[HTTPField.Name("RateLimit-Remaining")!] == String(remaining))
                #expect((1...60).contains(Int(ok.headers[HTTPField.Name("RateLimit-Reset")!] ?? "") ?? 0), "seconds until the minute's window ends")
            }
            let limited = try await app.api("/api/v1/me", token: token)
            #expect(limited.status == .tooManyRequests && problemType(limited) == "/api/docs#problem-rate-limited")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(try await app.api("/api/v1/me", token: try await app.token("user@bluefin.example")).status == .ok, "another token has its own")
        }
    }

    @Test("the contract is served as YAML and JSON, and the reference page renders it")
    func contractAndDocs() async throws {
        try await WebHarness.with { app in
            let yaml = try await app.api("/api/v1/openapi.yaml", token: nil)
            #expect(yaml.status == .ok && String(buffer: yaml.body).hasPrefix("openapi: 3.1.0"))
            let json = try await app.api("/api/v1/openapi.json", token: nil)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: json.body)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            #expect((document["paths"] as? [String: Any])?["/claims/{id}/reject"] != nil)
            let docs = try await app.browser().get("/api/docs")
            #expect(docs.status == .ok)
            for text in ["GET /api/v1/claims", "POST /api/v1/claims/{id}/approve", "problem-version-conflict", "Idempotency-Key", "Claim"] {
                #expect(docs.body.contains(text), "\(text)")
            }
        }
    }

    @Test("tokens are made, listed and revoked in /settings/tokens; a revoked token answers 401", arguments: TestDatabases.flavors)
    func tokenPages(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let user = try await app.signedIn("user@bluefin.example")
            let empty = try await user.get("/settings/tokens")
            #expect(empty.status == .ok && empty.body.contains("You have no API tokens yet."))
            let unnamed = try await user.post("/settings/tokens", [("name", " "), ("scope", "read")])
            #expect(unnamed.status == .unprocessableContent && unnamed.body.contains(#"id="token-name-error""#))
            #expect(try await user.post("/settings/tokens", [("name", "CRM"), ("scope", "read")], csrf: "forged").status == .forbidden)
            let made = try await user.post("/settings/tokens", [("name", "CRM sync"), ("scope", "write")])
            #expect(made.status == .ok)
            let secret = try #require(made.body.firstMatch(of: /id="new-token" class="token">(pi_[A-Za-z0-9]+)</)?.output.1)
            #expect(try await app.api("/api/v1/me", token: String(secret)).status == .ok)
            let listed = try await user.get("/settings/tokens")
            #expect(listed.body.contains(String(secret.prefix(9))) && !listed.body.contains(String(secret)), "listed by prefix, never in full")
            let owner = try #require(try await UserRepository(db: app.db).find(email: "user@bluefin.example"))
            let id = try #require(try await APITokenRepository(db: app.db).list(userID: owner.id).first?.id)
            let asked = try await user.post("/settings/tokens/\(id)/revoke")
            #expect(asked.status == .ok && asked.body.contains("Yes, revoke it"))
            #expect(try await app.api("/api/v1/me", token: String(secret)).status == .ok, "nothing changes before the confirmation")
            #expect(try await user.post("/settings/tokens/\(id)/revoke", [("confirm", "yes")]).status == .seeOther)
            #expect(try await app.api("/api/v1/me", token: String(secret)).status == .unauthorized)
            // Another user's token is not there to revoke.
            let other = try await app.signedIn("admin@cedar.example")
            try await other.get("/settings/tokens")
            #expect(try await other.post("/settings/tokens/\(id)/revoke", [("confirm", "yes")]).status == .notFound)
        }
    }
}
