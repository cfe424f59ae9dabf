import Foundation
import HTTPTypes
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import OpenAPIRuntime

/// The contract's Claims operations but the list and the lifecycle actions: one claim, its history and comments, and
/// adding a claim, a comment or a document.
extension PublicAPI {
    // MARK: Reading

    func getClaim(_ input: Operations.GetClaim.Input) async throws -> Operations.GetClaim.Output {
        let viewer = try viewer(for: .claims)
        let claim = try await claimJSON(input.path.id, in: viewer.scope)
        return .ok(.init(headers: .init(eTag: Self.etag(claim)), body: .json(try .init(claim))))
    }

    func getClaimHistory(_ input: Operations.GetClaimHistory.Input) async throws -> Operations.GetClaimHistory.Output {
        let viewer = try viewer(for: .claims)
        guard let history = try await claims.history(of: input.path.id, in: viewer.scope) else { throw APIProblem.notFound() }
        return .ok(.init(body: .json(.init(history: history.map { .init($0) }))))
    }

    func listClaimComments(_ input: Operations.ListClaimComments.Input) async throws -> Operations.ListClaimComments.Output {
        let viewer = try viewer(for: .claims)
        guard let file = try await work.file(input.path.id, in: viewer.scope) else { throw APIProblem.notFound() }
        return .ok(.init(body: .json(.init(comments: file.comments.map { .init($0) }))))
    }

    // MARK: Changing

    func createClaim(_ input: Operations.CreateClaim.Input) async throws -> Operations.CreateClaim.Output {
        let viewer = try viewer(for: .claims)
        guard viewer.vendorRole == nil else { throw APIProblem(.forbidden, "Only partners add customers.") }
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the claim as JSON.") }
        let request = try APINewClaim.request(body, viewer: viewer)
        guard let role = viewer.actorRole(atLocation: request.locationID) else { throw APIProblem.notFound("No such location of yours.") }
        let claim = try await intake.create(request, by: Actor(role: role, userID: viewer.userID, name: viewer.name),
                                            in: viewer.scope, at: now)
        let json = try await claimJSON(claim.id, in: viewer.scope)
        return .created(.init(headers: .init(eTag: Self.etag(json)), body: .json(try .init(json))))
    }

    func addClaimComment(_ input: Operations.AddClaimComment.Input) async throws -> Operations.AddClaimComment.Output {
        let viewer = try viewer(for: .claims)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the comment as JSON.") }
        let (file, actor) = try await fileAndActor(input.path.id, viewer)
        try await work.comment(body.body, on: file.claim.id, by: actor, in: viewer.scope, at: now)
        guard let fresh = try await work.file(file.claim.id, in: viewer.scope) else { throw APIProblem.notFound() }
        return .created(.init(body: .json(.init(comments: fresh.comments.map { .init($0) }))))
    }

    func uploadClaimDocument(_ input: Operations.UploadClaimDocument.Input) async throws -> Operations.UploadClaimDocument.Output {
        let viewer = try viewer(for: .claims)
        let (file, actor) = try await fileAndActor(input.path.id, viewer)
        guard case .binary(let body) = input.body else { throw APIProblem(.badRequest, "Send the file itself as the body.") }
        _ = try TextRule.fileName.check(input.query.fileName, field: "file_name")
        let limit = deps.config.uploadPolicy.maxBytes
        var bytes: [UInt8] = []
        var tooLarge = false
        for try await chunk in body {
            if bytes.count + chunk.count > limit { tooLarge = true; break }
            bytes += chunk
        }
        let kind: ProofRequirement.Kind = input.query.kind == .invoice ? .invoice : .findingsDocument
        _ = try await documents.add(kind, fileName: input.query.fileName, bytes: bytes, tooLarge: tooLarge, to: file.claim,
                                    expectedVersion: try Self.version(input.headers.ifMatch), by: actor, in: viewer.scope, at: now)
        let json = try await claimJSON(file.claim.id, in: viewer.scope)
        return .created(.init(headers: .init(eTag: Self.etag(json)), body: .json(try .init(json))))
    }

    // MARK: Pieces

    func claimJSON(_ id: Int64, in scope: AccessScope) async throws -> ClaimJSON {
        // The scoped read decides whether the caller sees it; the shared shape is read by id after it.
        guard try await claims.find(id, in: scope) != nil, let json = try await ClaimJSON.load(ids: [id], on: deps.db).first else {
            throw APIProblem.notFound()
        }
        return json
    }

    private func fileAndActor(_ id: Int64, _ viewer: Viewer) async throws -> (ClaimFile, Actor) {
        guard let file = try await work.file(id, in: viewer.scope) else { throw APIProblem.notFound() }
        guard let role = viewer.actorRole(atLocation: file.claim.locationID) else { throw NoRoleOnClaim() }
        return (file, Actor(role: role, userID: viewer.userID, name: viewer.name))
    }

    /// The version `If-Match` names: `"3"`, `W/"3"` or `3`; nil for none or `*`.
    static func version(_ ifMatch: String?) throws -> Int? {
        guard var text = ifMatch?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text != "*" else { return nil }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard let version = Int(text) else {
            throw APIProblem(.badRequest, "If-Match takes the claim's ETag, its version in quotes, like \"3\".")
        }
        return version
    }

    static func etag(_ claim: ClaimJSON) -> String { "\"\(claim.version)\"" }
}

/// The body of `POST /claims` as the Add customer intake takes it.
enum APINewClaim {
    static func request(_ body: Components.Schemas.NewClaim, viewer: Viewer) throws -> IntakeRequest {
        func invalid(_ field: String, _ message: String) -> APIProblem { APIProblem(.invalidInput, "\(field): \(message)") }
        guard let organization = viewer.organizationID else { throw APIProblem(.forbidden, "Only partners add customers.") }
        let c = body.customer
        // The contract's limits, on the values as sent, before anything else is looked at.
        let input = try NewClaimInput(
            name: body.name, customerName: c.name ?? "",
            contacts: (body.contacts ?? []).map { ContactInput(name: $0.name, title: $0.title ?? "", email: $0.email) },
            mismatchReason: body.mismatchReason ?? "").checked()
        let ids: [(String, String?, TextRule)] = [("customer.domain", c.domain, .customerDomain), ("customer.tenant_id", c.tenantId, .directoryID),
                                                  ("customer.subscription_id", c.subscriptionId, .directoryID)]
        for (field, value, rule) in ids {
            if let value { _ = try rule.check(value, field: field) }
        }
        let kind: ClaimKind = body.kind == .partnerActivities ? .partnerActivities : .useOrConsume
        let customer: IntakeCustomer
        let customerName = input.customerName
        switch (c.id, c.domain, c.tenantId, c.subscriptionId) {
        case (let id?, nil, nil, nil):
            customer = .existing(id)
        case (nil, let domain?, nil, nil):
            guard let domain = CustomerIntake.domain(domain) else {
                throw invalid("customer.domain", "Give the customer's domain, like contoso.com.")
            }
            customer = .named(name: customerName, domain: domain, tenantID: nil, subscriptionID: nil)
        case (nil, nil, let tenant?, nil):
            guard let tenant = CustomerIntake.guid(tenant) else {
                throw invalid("customer.tenant_id", "A tenant ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47.")
            }
            customer = .named(name: customerName, domain: nil, tenantID: tenant, subscriptionID: nil)
        case (nil, nil, nil, let subscription?):
            guard let subscription = CustomerIntake.guid(subscription) else {
                throw invalid("customer.subscription_id", "A subscription ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47.")
            }
            customer = .named(name: customerName, domain: nil, tenantID: nil, subscriptionID: subscription)
        default:
            throw invalid("customer", "Name the customer by exactly one of id, domain, tenant_id or subscription_id.")
        }
        return IntakeRequest(kind: kind, name: input.name, organizationID: organization, locationID: body.locationId, customer: customer,
                             engagementID: body.engagementId, contacts: input.contacts, mismatchReason: input.mismatchReason)
    }
}
