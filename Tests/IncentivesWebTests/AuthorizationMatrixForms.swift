import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import SQLKit
import Testing

/// The page matrix's requests: every POST carries a form the page itself would send, filled in validly, on a record in
/// a state where the change is allowed, so what answers is the permission check (403, 404) or, for a role that may
/// ask, the domain (303 done, 422 refused): never form validation. Records a change would use up are made per request.
extension AuthorizationMatrixTests {
    /// What one request sends: the path with its ids, the form's fields, and a file for an upload form.
    struct Form: Sendable {
        var path: String
        var fields: [(String, String)] = []
        var file: (field: String, name: String, bytes: [UInt8])?
    }

    /// Records made once, before any request; the ids the matrix's GETs read and its POSTs leave alone.
    struct Fixtures: Sendable {
        var ownClaim: Int64, cedarClaim: Int64
        /// A findings document really uploaded (its file is on disk) to a Seattle claim and to a Cedar claim.
        var ownProof: (claim: Int64, proof: Int64), cedarProof: (claim: Int64, proof: Int64)
        /// A Bluefin use-or-consume claim competing with a Cedar one for a subscription; the winner the reviewer picks.
        var arbitration: Int64
        var invitedMember: Int64
        var bluefinUser: Int64, cedarAdmin: Int64
        var tokens: [String: Int64]
        var hooks: [String: (endpoint: Int64, delivery: Int64)]
        var invitation: String, consentToken: String, surveyToken: String
        /// An engagement the console has in draft.
        var catalogueDraft: Int64
        /// A template file uploaded to that draft's findings document.
        var catalogueTemplate: Int64 = 0
        /// A pending inclusion request (Kestrel's Johannesburg on engagement 15) the GETs read.
        var inclusionRequest: Int64 = 0
        /// A demo run that paid Bluefin Seattle (1), and one that paid a Cedar location: (run, location).
        var remittance: (Int64, Int64) = (0, 0), cedarRemittance: (Int64, Int64) = (0, 0)
        /// Each matrix user's calendar address secret, by email.
        var calendars: [String: String] = [:]
    }

    static let emails: [Who: String] = [.partnerAdmin: "admin@bluefin.example", .partnerUser: "user@bluefin.example",
                                        .accountAdminOnly: "accounts@bluefin.example", .reviewer: "reviewer@vendor.example",
                                        .manager: "manager@vendor.example"]

    /// The first claim, now, in the status at the locations, and matching `extra` (SQL over `c` and `ev`, its version).
    static func claim(_ app: WebHarness, _ status: ClaimStatus, at locations: [Int64], kind: ClaimKind = .partnerActivities,
                      _ extra: String = "") async throws -> Int64 {
        try await claim(app, [status], at: locations, kind: kind, extra)
    }

    static func claim(_ app: WebHarness, _ statuses: [ClaimStatus], at locations: [Int64], kind: ClaimKind = .partnerActivities,
                      _ extra: String = "") async throws -> Int64 {
        let list = statuses.map { "'\($0.rawValue)'" }.joined(separator: ",")
        let id = try await app.db.read { sql in
            try await sql.raw("""
                SELECT c.id FROM claims c JOIN engagements e ON e.id = c.engagement_id
                JOIN engagement_versions ev ON ev.engagement_id = c.engagement_id AND ev.number = c.engagement_version
                WHERE c.status IN (\(unsafeRaw: list)) AND c.kind = \(bind: kind.rawValue) AND c.is_dispute_round = \(bind: false)
                  AND c.location_id IN (\(unsafeRaw: locations.map(String.init).joined(separator: ","))) \(unsafeRaw: extra)
                ORDER BY c.id
                """).first()?.decode(column: "id", as: Int64.self)
        }
        return try #require(id, "no \(statuses) claim at \(locations) \(extra)")
    }

    static func version(_ app: WebHarness, _ table: String, _ id: Int64) async throws -> String {
        try await app.db.read { sql in
            String(try await sql.raw("SELECT version FROM \(ident: table) WHERE id = \(bind: id)").first()!.decode(column: "version", as: Int64.self))
        }
    }

    static let seattle: [Int64] = [1], otherOrganizations: [Int64] = [5, 6, 7, 8, 9]

    static func setUp(_ app: WebHarness) async throws -> Fixtures {
        _ = try await app.addUser("accounts@bluefin.example", organization: 1, roles: [(1, .accountAdmin)])
        func first(at location: Int64) async throws -> Int64 {
            try await app.db.read { try await $0.raw("SELECT id FROM claims WHERE location_id = \(bind: location) ORDER BY id").first()!.decode(column: "id", as: Int64.self) }
        }
        let users = UserRepository(db: app.db)
        let bluefinUser = try #require(try await users.find(email: "user@bluefin.example"))
        let cedarAdmin = try #require(try await users.find(email: "admin@cedar.example"))
        let inviter = try #require(try await users.find(email: "admin@bluefin.example")).viewer
        let invitation = try await users.invite(email: "new@bluefin.example", name: "New Colleague", roles: [(1, .incentivesUser)],
                                                by: inviter, now: app.clock.now)
        let invited = try #require(try await users.find(email: "new@bluefin.example"))
        let ownClaim = try await first(at: 1)

        // Webhook endpoints with one delivery each: Bluefin's, the vendor's (the manager's own) and Cedar's (foreign).
        var hooks: [String: (endpoint: Int64, delivery: Int64)] = [:]
        for (name, email) in [("bluefin", "admin@bluefin.example"), ("vendor", "manager@vendor.example"), ("cedar", "admin@cedar.example")] {
            let owner = try await WebhookOwners.of(email, app.db).owner
            let endpoint = try await WebhookOwners.endpoint(app.db, by: email, url: "https://\(name).example/hooks", events: [.claimCreated])
            hooks[name] = (endpoint.id, try await WebhookRepository(db: app.db).sendTest(endpoint.id, owner: owner, now: app.clock.now))
        }
        // One API token per user, so a revocation names an own token or another user's.
        var tokens: [String: Int64] = [:]
        for email in Array(emails.values) + ["admin@cedar.example"] {
            tokens[email] = try await token(app, of: email)
        }
        var fixtures = Fixtures(ownClaim: ownClaim, cedarClaim: try await first(at: 5),
                        ownProof: try await upload(app, as: "user@bluefin.example", at: seattle),
                        cedarProof: try await upload(app, as: "admin@cedar.example", at: [5, 6, 7]),
                        arbitration: try await arbitration(app), invitedMember: invited.id,
                        bluefinUser: bluefinUser.id, cedarAdmin: cedarAdmin.id, tokens: tokens, hooks: hooks, invitation: invitation,
                        consentToken: try await customerLink(app, on: ownClaim, purpose: "consent"),
                        surveyToken: try await customerLink(app, on: ownClaim, purpose: "survey"),
                        catalogueDraft: try await CataloguePagesTests.engagement(app, published: false))
        fixtures.inclusionRequest = try await pendingInclusionRequest(app, engagement: 15, location: 9)
        fixtures.catalogueTemplate = try await template(app, on: fixtures.catalogueDraft).id
        fixtures.remittance = try await paidRemittance(app, locations: seattle)
        fixtures.cedarRemittance = try await paidRemittance(app, locations: otherOrganizations)
        for email in emails.values {
            let user = try #require(try await users.find(email: email))
            fixtures.calendars[email] = try await app.deps.stores.calendarFeeds.renew(for: user.id, now: app.clock.now).secret
        }
        return fixtures
    }

    /// A pending inclusion request for the location on the engagement, which is taken off the list first (and any
    /// request of the pair still pending is declined), so each request of the matrix finds one to answer.
    static func pendingInclusionRequest(_ app: WebHarness, engagement: Int64, location: Int64) async throws -> Int64 {
        try await app.db.write { sql in
            try await sql.raw("DELETE FROM eligibility_entries WHERE engagement_id = \(bind: engagement) AND location_id = \(bind: location)").run()
            try await sql.raw("""
                UPDATE inclusion_requests SET status = 'declined', reason = 'matrix'
                WHERE engagement_id = \(bind: engagement) AND location_id = \(bind: location) AND status = 'pending'
                """).run()
            return try await sql.raw("""
                INSERT INTO inclusion_requests (engagement_id, organization_id, location_id, note, status, requested_by_name, requested_at)
                SELECT \(bind: engagement), organization_id, id, 'Matrix', 'pending', 'Matrix', \(bind: app.clock.now) FROM locations
                WHERE id = \(bind: location)
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self)!
        }
    }

    /// A findings template uploaded by the program manager onto the engagement's draft.
    static func template(_ app: WebHarness, on engagement: Int64) async throws -> ProofTemplateFile {
        let manager = try #require(try await UserRepository(db: app.db).find(email: "manager@vendor.example")).viewer
        return try await ProofTemplates(db: app.db).upload(.findingsDocument, to: engagement, fileName: "Matrix findings.pdf",
                                                           bytes: ClaimPageTests.pdf, by: manager, at: app.clock.now)
    }

    static func token(_ app: WebHarness, of email: String) async throws -> Int64 {
        let user = try #require(try await UserRepository(db: app.db).find(email: email))
        return try await APITokenRepository(db: app.db).create(userID: user.id, name: "matrix", scope: .read, now: app.clock.now).0.id
    }

    /// A findings document uploaded through the claim page, so its file is kept and a download can succeed.
    static func upload(_ app: WebHarness, as email: String, at locations: [Int64]) async throws -> (claim: Int64, proof: Int64) {
        let claim = try await claim(app, .consentReceived, at: locations)
        let browser = try await app.signedIn(email)
        try await browser.get("/claims/\(claim)")
        let done = try await browser.upload("/claims/\(claim)/documents", [("version", try await version(app, "claims", claim)),
                                                                          ("kind", "findings_document")],
                                            file: ("file", "findings.pdf", ClaimPageTests.pdf))
        try #require(done.status == .seeOther, "upload to \(claim): \(done.status)")
        let proof = try await app.db.read { sql in
            try await sql.raw("SELECT id FROM claim_proof WHERE claim_id = \(bind: claim) AND kind = 'findings_document'").first()!
                .decode(column: "id", as: Int64.self)
        }
        return (claim, proof)
    }

    /// A Bluefin use-or-consume claim and a Cedar one on the same customer and engagement, waiting for the reviewer.
    static func arbitration(_ app: WebHarness) async throws -> Int64 {
        let bluefin = try await claim(app, .submitted, at: [1, 2, 3, 4], kind: .useOrConsume)
        _ = try await ReviewPageTests.competitor(of: bluefin, app)
        return bluefin
    }

    static let noCustomerSurvey = "AND NOT EXISTS (SELECT 1 FROM claim_proof p WHERE p.claim_id = c.id AND p.kind = 'customer_survey')"

    /// The valid form of a POST route for a role on an own or a foreign record; nil when the route has none here.
    static func form(_ route: String, _ who: Who, _ whose: Whose, path: String, _ f: Fixtures, _ app: WebHarness) async throws -> Form? {
        let template = String(route.split(separator: " ", maxSplits: 1)[1])
        let at = whose == .own ? seattle : otherOrganizations
        let everywhere = seattle + [2, 3, 4] + otherOrganizations
        /// The form on a claim found now: its version first, as the claim page writes it.
        func onClaim(_ id: Int64, _ fields: [(String, String)] = [], file: (field: String, name: String, bytes: [UInt8])? = nil) async throws -> Form {
            Form(path: template.replacingOccurrences(of: "{id}", with: String(id)),
                 fields: [("version", try await version(app, "claims", id))] + fields, file: file)
        }
        let own = whose == .own
        switch route {
        case "POST /login": return Form(path: path, fields: [("email", "admin@bluefin.example"), ("password", Seeder.demoPassword)])
        case "POST /logout", "POST /settings/calendar", "POST /settings/webhooks/{id}/enable", "POST /settings/webhooks/{id}/disable",
             "POST /settings/webhooks/{id}/test", "POST /settings/webhooks/{id}/rotate",
             "POST /settings/webhooks/{id}/deliveries/{delivery}/resend":
            return Form(path: path)
        case "POST /claims/new":
            // The last step, everything filled in: engagement 4 is open to Seattle, the customer new.
            let domain = "matrix-\(who.rawValue.lowercased()).example"
            return Form(path: path, fields: [("kind", "partner_activities"), ("name", "Matrix claim"), ("location", "1"), ("id_type", "domain"),
                                             ("id_value", domain), ("customer_name", "Matrix Co"), ("engagement", "4"),
                                             ("contact_name_1", "Ana Chen"), ("contact_title_1", "CIO"), ("contact_email_1", "ana@\(domain)"),
                                             ("mismatch_reason", ""), ("step", "create")])
        case "POST /claims/{id}/actions":
            return try await onClaim(try await claim(app, .awaitingConsent, at: at), [("action", "send_consent_request")])
        case "POST /claims/{id}/documents":
            return try await onClaim(try await claim(app, .consentReceived, at: at), [("kind", "findings_document")],
                                     file: ("file", "findings.pdf", ClaimPageTests.pdf))
        case "POST /claims/{id}/proof/{proof}/remove":
            let id = try await claim(app, .consentReceived, at: at)
            try await ClaimWork(db: app.db, links: ClaimLinks(publicURL: "https://incentives.example")).addDocument(
                .findingsDocument, fileName: "old.pdf", format: .pdf, contentHash: String(repeating: "b", count: 64), size: 10, to: id,
                expectedVersion: nil, by: Actor(role: .incentivesAdmin, name: "Matrix"), in: .system, at: app.clock.now)
            let proof = try await app.db.read { sql in
                try await sql.raw("SELECT id FROM claim_proof WHERE claim_id = \(bind: id) AND kind = 'findings_document'").first()!.decode(column: "id", as: Int64.self)
            }
            var form = try await onClaim(id)
            form.path = form.path.replacingOccurrences(of: "{proof}", with: String(proof))
            return form
        case "POST /claims/{id}/survey":
            return try await onClaim(try await claim(app, .consentReceived, at: at, "AND e.type = 'workshop'"),
                                     [("delivered", "A one-day workshop"), ("delivered_on", "2026-11-20"), ("products", "Power Apps")])
        case "POST /claims/{id}/customer-survey":
            return try await onClaim(try await claim(app, .consentReceived, at: at, noCustomerSurvey))
        case "POST /claims/{id}/hours":
            return try await onClaim(try await claim(app, [.consentReceived, .partnerActionRequired], at: at, "AND ev.pay_model = 'variable'"),
                                     [("hours", "12")])
        case "POST /claims/{id}/contacts":
            return try await onClaim(try await claim(app, .customerClaimed, at: at),
                                     [("contact_name_1", "Ana Chen"), ("contact_title_1", "CIO"), ("contact_email_1", "ana.chen@example.org")])
        case "POST /claims/{id}/comments":
            return Form(path: path, fields: [("body", "Checked on our side.")])
        case "POST /consent/{token}":
            guard own else { return Form(path: path, fields: [("answer", "accept")]) }
            // A fresh link each time: accepting uses up the claim's consent request.
            let link = try await customerLink(app, on: try await claim(app, .awaitingConsent, at: everywhere), purpose: "consent")
            return Form(path: "/consent/\(link)", fields: [("answer", "accept")])
        case "POST /survey/{token}":
            let answers = [("delivered_as_described", "yes"), ("satisfaction", "5")]
            guard own else { return Form(path: path, fields: answers) }
            let link = try await customerLink(app, on: try await claim(app, .consentReceived, at: everywhere, noCustomerSurvey), purpose: "survey")
            return Form(path: "/survey/\(link)", fields: answers)
        case "POST /payee-profiles/bank/new", "POST /payee-profiles/bank/{id}/replace":
            return Form(path: path, fields: [("country", "GB"), ("holder_name", "Bluefin Consulting Ltd"), ("bank_name", "Thames Bank"),
                                             ("routing_code", ""), ("swift_bic", "THBKGB2L"), ("account_number", "GB82 WEST 1234 5698 7654 32")])
        case "POST /payee-profiles/bank/{id}/decision":
            let id = Int64(path.split(separator: "/")[2])!
            return Form(path: path, fields: [("status", "approved"), ("version", try await version(app, "bank_profiles", id))])
        case "POST /payee-profiles/locations/{id}/bank": return Form(path: path, fields: [("bank_profile_id", "1")])
        case "POST /payee-profiles/locations/{id}/tax/new":
            return Form(path: path, fields: [("tax_id", "12-3456789"), ("expires_on", "2027-12-31")])
        case "POST /enrollment/{program}/{location}":
            let location = Int64(path.split(separator: "/")[2])!
            let version = try await app.db.read { sql in
                try await sql.raw("SELECT version FROM enrollments WHERE program_id = 1 AND location_id = \(bind: location)").first()!.decode(column: "version", as: Int64.self)
            }
            return Form(path: path, fields: [("action", who == .manager ? "approve" : "accept"), ("version", String(version))])
        case "POST /review/bulk":
            let id = try await claim(app, .submitted, at: everywhere)
            return Form(path: path, fields: [("bulk", "approve"), ("claim", String(id)), ("version_\(id)", try await version(app, "claims", id))])
        case "POST /review/arbitration/{id}":
            return Form(path: path, fields: [("winner", String(own ? f.arbitration : f.cedarClaim))])
        case "POST /settings/users":
            return Form(path: path, fields: [("email", "invited-\(who.rawValue.lowercased())@bluefin.example"), ("name", "Invited Colleague"),
                                             ("role", "1:incentives_user")])
        case "POST /settings/users/{id}/roles": return Form(path: path, fields: [("role", "1:incentives_user")])
        case "POST /settings/users/{id}/invitation":
            return Form(path: own ? "/settings/users/\(f.invitedMember)/invitation" : path)
        case "POST /invitations/{token}":
            let fields = [("name", "Joiner"), ("password", "correct horse battery"), ("password_confirmation", "correct horse battery"),
                          ("time_zone", "Europe/London")]
            guard own else { return Form(path: path, fields: fields) }
            // A fresh invitation each time: accepting uses it up.
            let inviter = try #require(try await UserRepository(db: app.db).find(email: "admin@bluefin.example")).viewer
            let secret = try await UserRepository(db: app.db).invite(email: "joiner-\(who.rawValue.lowercased())@bluefin.example", name: "Joiner",
                                                                   roles: [(1, .incentivesUser)], by: inviter, now: app.clock.now)
            return Form(path: "/invitations/\(secret)", fields: fields)
        case "POST /settings/webhooks":
            return Form(path: path, fields: [("url", "http://127.0.0.1:9/\(who.rawValue)"), ("description", "Matrix"), ("event", "claim.created")])
        case "POST /settings/webhooks/{id}/delete":
            guard own else { return Form(path: path, fields: [("confirm", "delete")]) }
            // A fresh endpoint of the viewer's side each time: deleting uses it up.
            let endpoint = try await WebhookOwners.endpoint(app.db, by: who == .manager ? "manager@vendor.example" : "admin@bluefin.example",
                                                            url: "https://delete-\(who.rawValue.lowercased()).example/hooks")
            return Form(path: "/settings/webhooks/\(endpoint.id)/delete", fields: [("confirm", "delete")])
        case "POST /catalogue/engagements/{id}/eligibility": return Form(path: path, fields: [("location", "8")])
        case "POST /catalogue/engagements/{id}/eligibility/import":
            return Form(path: path, fields: [("kind", "list"), ("csv", "location_id,action\n9,add\n")])
        case "POST /catalogue/engagements/{id}/eligibility/locations/{location}/remove": return Form(path: path, fields: [("confirm", "remove")])
        case "POST /catalogue/engagements/{id}/eligibility/locations/{location}/criteria":
            let criterion = try #require(try await CatalogueRepository(db: app.db).engagement(15)).currentVersion.partnerCriteria.first ?? ""
            return Form(path: path, fields: [("criterion", criterion), ("status", "met"), ("expires_on", ""), ("evidence", "Matrix")])
        case "POST /catalogue/inclusion-requests/{id}/decision":
            guard own else { return Form(path: path, fields: [("decision", "approve")]) }
            let id = try await pendingInclusionRequest(app, engagement: 15, location: 9)
            return Form(path: "/catalogue/inclusion-requests/\(id)/decision", fields: [("decision", "approve")])
        case "POST /engagements/{id}/inclusion-requests":
            // Bangalore (4, enrolled, Bluefin's) taken off engagement 2's list, with no request pending.
            if own {
                try await app.db.write { sql in
                    try await sql.raw("DELETE FROM eligibility_entries WHERE engagement_id = 2 AND location_id = 4").run()
                    try await sql.raw("""
                        UPDATE inclusion_requests SET status = 'declined' WHERE engagement_id = 2 AND location_id = 4 AND status = 'pending'
                        """).run()
                }
            }
            return Form(path: path, fields: [("location", "4"), ("note", "Bangalore runs these engagements now.")])
        // Budgets far above what the demo commits (and in a currency it does not pay in), so later forms' claims still fit.
        case "POST /payments/runs":
            guard own && who == .manager else { return Form(path: path, fields: [("cutoff", "2026-01-01")]) }
            try await cancelOpenRuns(app)
            try await dueEarning(app)
            return Form(path: path, fields: [("cutoff", DayDate(app.clock.now).description)])
        case "POST /payments/settings":
            return Form(path: path, fields: [("reversal_window_days", "180"), ("payment_limit_days", "365"), ("payer_name", "Vendor Inc"),
                                             ("payer_iban", "DE89370400440532013000"), ("payer_bic", "COBADEFF")])
        case "POST /payments/runs/{id}/approve", "POST /payments/runs/{id}/cancel", "POST /payments/runs/{id}/send":
            guard own && who == .manager else { return Form(path: path, fields: [("version", "1")]) }
            let run = try await paymentRun(app, upTo: template.hasSuffix("/send") ? .exported : .draft)
            return Form(path: template.replacingOccurrences(of: "{id}", with: "\(run)"), fields: [("version", try await version(app, "payment_runs", run))])
        case "POST /payments/runs/{id}/confirmations":
            guard own && who == .manager else { return Form(path: path, fields: [("csv", "end_to_end_id,status\n")]) }
            let run = try await paymentRun(app, upTo: .sent)
            let line = try #require(try await PaymentRuns(db: app.db, links: PaymentWorldLinks.links).run(run)?.lines.first { $0.status == .pending })
            return Form(path: "/payments/runs/\(run)/confirmations", fields: [("csv", "end_to_end_id,status,reason\n\(line.endToEndID),paid,\n")])
        case "POST /payments/runs/{id}/lines/{line}":
            guard own && who == .manager else { return Form(path: path, fields: [("outcome", "paid")]) }
            let run = try await paymentRun(app, upTo: .sent)
            let line = try #require(try await PaymentRuns(db: app.db, links: PaymentWorldLinks.links).run(run)?.lines.first { $0.status == .pending })
            return Form(path: "/payments/runs/\(run)/lines/\(line.id)", fields: [("outcome", "paid")])
        case "POST /catalogue/budgets/program": return Form(path: path, fields: [("currency", "CHF"), ("amount", "1000"), ("intent", "set")])
        case "POST /catalogue/budgets/engagements/{id}": return Form(path: path, fields: [("amount", "900000000000"), ("intent", "set")])
        case "POST /settings/tokens": return Form(path: path, fields: [("name", "Matrix"), ("scope", "read")])
        case "POST /catalogue/program":
            return Form(path: path, fields: [("name", "Second program"), ("manager_name", "Robin Park"), ("manager_email", "pm@vendor.example")])
        case "POST /catalogue/areas": return Form(path: path, fields: [("name", "Matrix \(who.rawValue)"), ("code", "matrix-\(who.rawValue.lowercased())")])
        case "POST /catalogue/areas/{id}":
            return Form(path: path, fields: [("name", "Cloud infrastructure"), ("code", "cloud-infrastructure"), ("position", "1")])
        case "POST /catalogue/engagements", "POST /catalogue/engagements/{id}/draft":
            return Form(path: path, fields: CataloguePagesTests.engagementFields + [("solution_area", "1")])
        case "POST /catalogue/engagements/{id}/publish", "POST /catalogue/engagements/{id}/versions", "POST /catalogue/engagements/{id}/close":
            let fields = route.hasSuffix("/close") ? [("confirm", "close")] : []
            guard own, who == .manager else { return Form(path: path, fields: fields) }
            // A fresh engagement each time: publishing, a new version and closing use it up.
            let id = try await CataloguePagesTests.engagement(app, published: !route.hasSuffix("/publish"))
            return Form(path: path.replacingOccurrences(of: "/\(f.catalogueDraft)/", with: "/\(id)/"), fields: fields)
        case "POST /catalogue/engagements/{id}/draft/templates/{kind}":
            return Form(path: path, file: ("template", "Matrix findings v2.pdf", ClaimPageTests.pdf))
        case "POST /catalogue/engagements/{id}/draft/templates/{kind}/remove":
            // A file to remove each time: removing uses it up.
            if own && who == .manager { _ = try await Self.template(app, on: f.catalogueDraft) }
            return Form(path: path)
        case "POST /settings/tokens/{id}/revoke":
            guard own else { return Form(path: path, fields: [("confirm", "yes")]) }
            let fresh = try await token(app, of: emails[who] ?? "admin@bluefin.example")
            return Form(path: "/settings/tokens/\(fresh)/revoke", fields: [("confirm", "yes")])
        default:
            return try await partnerForm(route, who, whose, path: path, app)
        }
    }

    /// The partner pages' forms. A change that uses its record up (deactivating, the first admin) gets a fresh
    /// organization of the program manager's for each request.
    static func partnerForm(_ route: String, _ who: Who, _ whose: Whose, path: String, _ app: WebHarness) async throws -> Form? {
        let fresh = whose == .own && who == .manager
        func organization(deactivated: Bool = false) async throws -> (id: Int64, location: Int64) {
            let manager = try #require(try await UserRepository(db: app.db).find(email: "manager@vendor.example")).viewer
            let directory = PartnerDirectory(db: app.db)
            let id = try await directory.addOrganization(name: "Matrix \(UUID().uuidString)", by: manager, now: app.clock.now)
            let location = try await directory.addLocation(organization: id, name: "Matrix", country: "DE", by: manager, now: app.clock.now)
            if deactivated { try await directory.deactivateOrganization(id, reason: "Matrix", by: manager, now: app.clock.now) }
            return (id, location)
        }
        switch route {
        case "POST /partners/new": return Form(path: path, fields: [("name", "Matrix \(who.rawValue)")])
        case "POST /partners/{id}/edit": return Form(path: path, fields: [("name", "Bluefin Consulting")])
        case "POST /partners/{id}/deactivate":
            return Form(path: fresh ? "/partners/\(try await organization().id)/deactivate" : path, fields: [("reason", "Matrix")])
        case "POST /partners/{id}/reactivate":
            return Form(path: fresh ? "/partners/\(try await organization(deactivated: true).id)/reactivate" : path)
        case "POST /partners/{id}/locations": return Form(path: path, fields: [("name", "Matrix \(who.rawValue)"), ("country", "DE")])
        case "POST /partners/{id}/locations/{location}":
            return Form(path: path, fields: [("name", "Seattle \(who.rawValue)"), ("country", "US")])
        case "POST /partners/{id}/locations/{location}/deactivate":
            guard fresh else { return Form(path: path, fields: [("reason", "Matrix")]) }
            let made = try await organization()
            return Form(path: "/partners/\(made.id)/locations/\(made.location)/deactivate", fields: [("reason", "Matrix")])
        case "POST /partners/{id}/locations/{location}/reactivate":
            guard fresh else { return Form(path: path) }
            let made = try await organization()
            let manager = try #require(try await UserRepository(db: app.db).find(email: "manager@vendor.example")).viewer
            try await PartnerDirectory(db: app.db).deactivateLocation(made.location, reason: "Matrix", by: manager, now: app.clock.now)
            return Form(path: "/partners/\(made.id)/locations/\(made.location)/reactivate")
        case "POST /partners/{id}/admin":
            let fields = [("name", "First Admin"), ("email", "first-\(who.rawValue.lowercased())@matrix.example")]
            return Form(path: fresh ? "/partners/\(try await organization().id)/admin" : path, fields: fields)
        case "POST /partners/{id}/users/{user}/invitation": return Form(path: path)
        case "POST /partners/{id}/enrollment": return Form(path: path, fields: [("only", "1")])
        default: return nil
        }
    }
}
