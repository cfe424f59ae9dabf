import Foundation
import HTTPTypes
import Hummingbird
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import OpenAPIRuntime

/// The generated server protocol, implemented over the same scoped reads and lifecycle the pages use. Every
/// handler acts as `APIRequest.caller`; errors are thrown and become problems in `APIGateway`.
struct PublicAPI: APIProtocol {
    let deps: AppDependencies
    let listing: ClaimListing
    let claims: ClaimRepository
    let work: ClaimWork
    let actions: ClaimActions
    let intake: ClaimIntake
    let documents: DocumentIntake

    init(deps: AppDependencies, listing: ClaimListing) {
        self.deps = deps
        self.listing = listing
        claims = ClaimRepository(db: deps.db)
        work = ClaimWork(db: deps.db, links: ClaimLinks(publicURL: deps.config.publicURL))
        actions = ClaimActions(db: deps.db, links: work.links)
        intake = ClaimIntake(db: deps.db)
        documents = DocumentIntake(deps: deps, work: work)
    }

    var now: Date { deps.clock.now }

    // MARK: Who is asking

    func caller() throws -> APICaller {
        guard let caller = APIRequest.caller else { throw APIProblem.unauthorized }
        return caller
    }

    /// The caller's user, if their roles open `section` (the same rule as the pages' navigation).
    func viewer(for section: Section) throws -> Viewer {
        let viewer = try caller().viewer
        guard viewer.may(open: section) else {
            throw APIProblem(.forbidden, "Your role does not include \(section.title.lowercased()).")
        }
        return viewer
    }

    // MARK: Account and program

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let caller = try caller()
        let me = Self.me(caller)
        return .ok(.init(body: .json(me)))
    }

    /// Kept out of `getMe`: one small function per value keeps the optimizer's work small.
    static func me(_ caller: APICaller) -> Components.Schemas.Me {
        let viewer = caller.viewer
        var locations: [Components.Schemas.Me.LocationsPayloadPayload] = []
        for (id, roles) in viewer.locationRoles.sorted(by: { $0.key < $1.key }) {
            locations.append(.init(id: id, roles: roles.sorted().map(\.rawValue)))
        }
        let scope: Components.Schemas.Me.TokenPayload.ScopePayload = caller.token.scope == .read ? .read : .write
        let token = Components.Schemas.Me.TokenPayload(id: caller.token.id, name: caller.token.name, scope: scope)
        let side: Components.Schemas.Me.SidePayload = viewer.vendorRole == nil ? .partner : .vendor
        return Components.Schemas.Me(id: viewer.userID, email: viewer.email, name: viewer.name, side: side,
                                     organizationId: viewer.organizationID, organizationName: viewer.organizationName,
                                     vendorRole: viewer.vendorRole?.rawValue, locations: locations, token: token)
    }

    func listEngagements(_ input: Operations.ListEngagements.Input) async throws -> Operations.ListEngagements.Output {
        let viewer = try viewer(for: .engagements)
        let now = self.now
        let board = try await EngagementReads(db: deps.db).board(in: viewer.scope, at: now)
        let engagements = board.engagements.map { e in
            let earning = e.earningLocations(at: now)
            return Components.Schemas.EngagementSummary(
                id: e.id, name: e.name, solutionArea: Self.area(e.solutionArea), role: e.role.rawValue, _type: e.type.rawValue,
                status: e.status.rawValue, lastClaimDay: e.lastClaimDay?.text, activeClaimsPerCustomer: e.activeClaimsPerCustomer,
                earningLocations: earning.earning, enrolledLocations: earning.enrolled, activeCustomers: e.activeCustomers,
                eligibleCustomers: e.eligibleCustomers)
        }
        return .ok(.init(body: .json(.init(engagements: engagements))))
    }

    func getEngagement(_ input: Operations.GetEngagement.Input) async throws -> Operations.GetEngagement.Output {
        let viewer = try viewer(for: .engagements)
        let now = self.now
        guard let detail = try await EngagementReads(db: deps.db).detail(input.path.id, in: viewer.scope, at: now) else {
            throw APIProblem.notFound()
        }
        let e = detail.engagement
        let eligibility = detail.locations.compactMap { standing -> Components.Schemas.LocationEligibility? in
            guard let on = standing.engagements[e.id] else { return nil }
            return .init(locationId: standing.location.id, locationName: standing.location.name, enrollment: on.enrollment?.rawValue,
                         eligible: on.isEligible, payeeComplete: on.payee.isComplete(at: now), earning: on.isEarning(at: now),
                         criteria: on.criteria.map { .init(criterion: $0.criterion, met: $0.met) }, problems: on.problems(at: now))
        }
        let body = Components.Schemas.EngagementDetail(
            id: e.id, name: e.name, solutionArea: Self.area(detail.solutionArea), role: e.role.rawValue, _type: e.type.rawValue,
            status: e.status.rawValue, lastClaimDay: e.lastClaimDay?.text, activeClaimsPerCustomer: e.activeClaimsPerCustomer,
            earningsCap: e.earningsCap.map { .init(amount: $0.plainText, currency: $0.currency.code) },
            currentVersion: e.version(inForceAt: now).number, versions: e.versions.map(Self.version), eligibility: eligibility)
        return .ok(.init(body: .json(body)))
    }

    func listLocations(_ input: Operations.ListLocations.Input) async throws -> Operations.ListLocations.Output {
        let viewer = try viewer(for: .eligibility)
        let now = self.now
        let reads = ProgramReads(db: deps.db)
        let programID = try await reads.program()?.id
        let locations = try await reads.locations(in: viewer.scope, at: now).map { s in
            Components.Schemas.Location(
                id: s.location.id, name: s.location.name, country: s.location.country, market: s.location.market.rawValue,
                organizationName: s.organizationName, enrollment: programID.flatMap { s.enrollments[$0] }?.rawValue,
                bankProfileStatus: s.payee.bankStatus?.rawValue, taxProfileValid: s.taxProfileIsValid(at: now),
                earningEngagements: s.earningEngagements(at: now),
                notEarningReason: programID.flatMap { s.notEarningReason(in: $0, at: now) })
        }
        return .ok(.init(body: .json(.init(locations: locations))))
    }

    func listPayeeProfiles(_ input: Operations.ListPayeeProfiles.Input) async throws -> Operations.ListPayeeProfiles.Output {
        let viewer = try viewer(for: .payeeProfiles)
        let now = self.now
        let profiles = try await ProgramReads(db: deps.db).payeeProfiles(in: viewer.scope)
        let body = Components.Schemas.PayeeProfiles(
            bankProfiles: profiles.bankProfiles.map { b in
                .init(id: b.id, organizationName: b.organizationName, holderName: b.holderName, bankName: b.bankName, country: b.country,
                      maskedAccountNumber: b.maskedAccountNumber, status: b.status.rawValue, statusReason: b.statusReason, usedBy: b.usedBy)
            },
            taxProfiles: profiles.taxProfiles.map { t in
                .init(id: t.id, locationId: t.locationID, locationName: t.locationName, country: t.country, form: t.form,
                      expiresOn: t.expiresOn.text, current: t.isCurrent, valid: t.isValid(at: now))
            })
        return .ok(.init(body: .json(body)))
    }

    func listCustomers(_ input: Operations.ListCustomers.Input) async throws -> Operations.ListCustomers.Output {
        let viewer = try viewer(for: .claims)
        let customers = try await intake.knownCustomers(in: viewer.scope).map {
            Components.Schemas.Customer(id: $0.id, name: $0.name, domain: $0.domain, tenantId: $0.tenantID)
        }
        return .ok(.init(body: .json(.init(customers: customers))))
    }

    func listEarnings(_ input: Operations.ListEarnings.Input) async throws -> Operations.ListEarnings.Output {
        let viewer = try viewer(for: .earnings)
        let page = try await ProgramReads(db: deps.db).earnings(in: viewer.scope, limit: 100)
        let earnings = page.lines.map { e in
            Components.Schemas.Earning(
                id: e.id, claimId: e.claimID, claimName: e.claimName, engagementId: e.engagementID, engagementName: e.engagementName,
                locationId: e.locationID, locationName: e.locationName, market: e.market.rawValue, engagementVersion: e.engagementVersion,
                rate: Self.money(e.rate), hours: e.hours.map { "\($0)" }, amount: Self.money(e.amount), approvedAt: e.approvedAt,
                paymentMonth: e.paymentMonth, paymentStatus: e.paymentStatus.rawValue)
        }
        return .ok(.init(body: .json(.init(earnings: earnings))))
    }

    func listCatalogueEngagements(_ input: Operations.ListCatalogueEngagements.Input) async throws -> Operations.ListCatalogueEngagements.Output {
        _ = try viewer(for: .catalogue)
        let entries = try await ProgramReads(db: deps.db).catalogue().map { entry in
            let e = entry.engagement
            return Components.Schemas.CatalogueEngagement(
                id: e.id, name: e.name, solutionArea: Self.area(entry.solutionArea), role: e.role.rawValue, _type: e.type.rawValue,
                status: e.status.rawValue, lastClaimDay: e.lastClaimDay?.text, activeClaimsPerCustomer: e.activeClaimsPerCustomer,
                versions: e.versions.map(Self.version))
        }
        return .ok(.init(body: .json(.init(engagements: entries))))
    }

    // MARK: Claims: reading

    func listClaims(_ input: Operations.ListClaims.Input) async throws -> Operations.ListClaims.Output {
        let q = input.query
        var fields: [(String, String?)] = [("tab", q.tab), ("q", q.q), ("status", q.status?.rawValue), ("kind", q.kind?.rawValue)]
        fields += [("engagement", q.engagement.map { String($0) }), ("location", q.location.map { String($0) }),
                   ("due", q.due.map { String($0) }), ("sort", q.sort?.rawValue), ("dir", q.dir?.rawValue),
                   ("per", q.per.map { String($0.rawValue) }), ("after", q.after)]
        let bytes = try await claimListBody(APIClaimQuery.fields(fields))
        let page = try APIClaimQuery.decoder.decode(Components.Schemas.ClaimPage.self, from: Data(bytes))
        return .ok(.init(body: .json(page)))
    }

    /// The claims list's JSON for the query parameters: the page's query parsing and keyset read, each claim
    /// written by `ClaimJSON`'s fast writer. The hand-written `GET /claims` route sends these bytes as they are.
    func claimListBody(_ fields: FormFields) async throws -> [UInt8] {
        let viewer = try viewer(for: .claims)
        let query = try await APIClaimQuery.parse(fields, catalogue: deps.stores.catalogue)
        let rows: [ClaimJSON], next: ClaimCursor?
        do { (rows, next) = try await listing.claimsJSON(query, in: viewer.scope, now: now) } catch is ClaimCursorRefused {
            throw APIProblem(.badRequest, APIClaimQuery.damagedCursor)
        }
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 900 + 64)
        out.append(contentsOf: #"{"claims":["#.utf8)
        for (i, claim) in rows.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            claim.write(to: &out)
        }
        var tail = JSONBytes(out: out)
        tail.raw("],\"next_cursor\":")
        tail.string(next?.token)
        tail.raw("}")
        return tail.out
    }

    func getClaim(_ input: Operations.GetClaim.Input) async throws -> Operations.GetClaim.Output {
        let viewer = try viewer(for: .claims)
        let claim = try await claimJSON(input.path.id, in: viewer.scope)
        return .ok(.init(headers: .init(eTag: Self.etag(claim)), body: .json(try Self.generated(claim))))
    }

    func getClaimHistory(_ input: Operations.GetClaimHistory.Input) async throws -> Operations.GetClaimHistory.Output {
        let viewer = try viewer(for: .claims)
        guard let history = try await claims.history(of: input.path.id, in: viewer.scope) else { throw APIProblem.notFound() }
        let entries = history.map { h in
            Components.Schemas.HistoryEntry(at: h.at, action: h.action.rawValue, actorName: h.actor.name, actorRole: h.actor.role.rawValue,
                                            side: h.side.rawValue, fromStatus: h.from?.rawValue, toStatus: h.to.rawValue, note: h.note,
                                            reasonCode: h.reasonCode?.rawValue)
        }
        return .ok(.init(body: .json(.init(history: entries))))
    }

    func listClaimComments(_ input: Operations.ListClaimComments.Input) async throws -> Operations.ListClaimComments.Output {
        let viewer = try viewer(for: .claims)
        guard let file = try await work.file(input.path.id, in: viewer.scope) else { throw APIProblem.notFound() }
        return .ok(.init(body: .json(.init(comments: Self.comments(file)))))
    }

    // MARK: Claims: changing

    func createClaim(_ input: Operations.CreateClaim.Input) async throws -> Operations.CreateClaim.Output {
        let viewer = try viewer(for: .claims)
        guard viewer.vendorRole == nil else { throw APIProblem(.forbidden, "Only partners add customers.") }
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the claim as JSON.") }
        let request = try APINewClaim.request(body, viewer: viewer)
        guard let role = viewer.actorRole(atLocation: request.locationID) else { throw APIProblem.notFound("No such location of yours.") }
        let claim = try await intake.create(request, by: Actor(role: role, userID: viewer.userID, name: viewer.name),
                                            in: viewer.scope, at: now)
        let json = try await claimJSON(claim.id, in: viewer.scope)
        return .created(.init(headers: .init(eTag: Self.etag(json)), body: .json(try Self.generated(json))))
    }

    func addClaimComment(_ input: Operations.AddClaimComment.Input) async throws -> Operations.AddClaimComment.Output {
        let viewer = try viewer(for: .claims)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the comment as JSON.") }
        let (file, actor) = try await fileAndActor(input.path.id, viewer)
        try await work.comment(body.body, on: file.claim.id, by: actor, in: viewer.scope, at: now)
        guard let fresh = try await work.file(file.claim.id, in: viewer.scope) else { throw APIProblem.notFound() }
        return .created(.init(body: .json(.init(comments: Self.comments(fresh)))))
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
        return .created(.init(headers: .init(eTag: Self.etag(json)), body: .json(try Self.generated(json))))
    }

    func sendConsent(_ input: Operations.SendConsent.Input) async throws -> Operations.SendConsent.Output {
        let (claim, etag) = try await act(.sendConsentRequest, input.path.id, ifMatch: input.headers.ifMatch, note: Self.note(input.body))
        return .ok(.init(headers: .init(eTag: etag), body: .json(claim)))
    }

    func submitClaim(_ input: Operations.SubmitClaim.Input) async throws -> Operations.SubmitClaim.Output {
        let (claim, etag) = try await act(.submit, input.path.id, ifMatch: input.headers.ifMatch, note: Self.note(input.body))
        return .ok(.init(headers: .init(eTag: etag), body: .json(claim)))
    }

    func cancelClaim(_ input: Operations.CancelClaim.Input) async throws -> Operations.CancelClaim.Output {
        let (claim, etag) = try await act(.cancel, input.path.id, ifMatch: input.headers.ifMatch, note: Self.note(input.body))
        return .ok(.init(headers: .init(eTag: etag), body: .json(claim)))
    }

    func disputeClaim(_ input: Operations.DisputeClaim.Input) async throws -> Operations.DisputeClaim.Output {
        let (claim, etag) = try await act(.dispute, input.path.id, ifMatch: input.headers.ifMatch, note: Self.note(input.body))
        return .ok(.init(headers: .init(eTag: etag), body: .json(claim)))
    }

    func startReview(_ input: Operations.StartReview.Input) async throws -> Operations.StartReview.Output {
        let (claim, etag) = try await act(.startReview, input.path.id, ifMatch: input.headers.ifMatch, note: Self.note(input.body))
        return .ok(.init(headers: .init(eTag: etag), body: .json(claim)))
    }

    func approveClaim(_ input: Operations.ApproveClaim.Input) async throws -> Operations.ApproveClaim.Output {
        let (claim, etag) = try await act(.approve, input.path.id, ifMatch: input.headers.ifMatch, note: Self.note(input.body))
        return .ok(.init(headers: .init(eTag: etag), body: .json(claim)))
    }

    func requestInformation(_ input: Operations.RequestInformation.Input) async throws -> Operations.RequestInformation.Output {
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the reason as JSON.") }
        let (claim, etag) = try await act(.requestInformation, input.path.id, ifMatch: input.headers.ifMatch, note: body.note,
                                          code: ReviewReason(rawValue: body.reasonCode.rawValue))
        return .ok(.init(headers: .init(eTag: etag), body: .json(claim)))
    }

    func rejectClaim(_ input: Operations.RejectClaim.Input) async throws -> Operations.RejectClaim.Output {
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the reason as JSON.") }
        let (claim, etag) = try await act(.reject, input.path.id, ifMatch: input.headers.ifMatch, note: body.note,
                                          code: ReviewReason(rawValue: body.reasonCode.rawValue))
        return .ok(.init(headers: .init(eTag: etag), body: .json(claim)))
    }

    /// One lifecycle action on a claim, run by the same service as the claim page's; the claim after it.
    private func act(_ action: ClaimAction, _ id: Int64, ifMatch: String?, note: String?,
                     code: ReviewReason? = nil) async throws -> (Components.Schemas.Claim, String) {
        let viewer = try viewer(for: .claims)
        let expected = try Self.version(ifMatch)
        try await actions.run(ClaimActionRequest(action, note: note ?? "", reasonCode: code?.rawValue), on: id,
                              expectedVersion: expected, by: viewer, at: now)
        let json = try await claimJSON(id, in: viewer.scope)
        return (try Self.generated(json), Self.etag(json))
    }

    // MARK: Exports

    func exportClaimsCSV(_ input: Operations.ExportClaimsCSV.Input) async throws -> Operations.ExportClaimsCSV.Output {
        let q = input.query
        let body = try await export(.csv, [("tab", q.tab), ("q", q.q), ("status", q.status?.rawValue), ("kind", q.kind?.rawValue),
                                           ("engagement", q.engagement.map { String($0) }), ("location", q.location.map { String($0) }),
                                           ("due", q.due.map { String($0) }), ("sort", q.sort?.rawValue), ("dir", q.dir?.rawValue)])
        return .ok(.init(body: .csv(body)))
    }

    func exportClaimsXLSX(_ input: Operations.ExportClaimsXLSX.Input) async throws -> Operations.ExportClaimsXLSX.Output {
        let q = input.query
        let body = try await export(.xlsx, [("tab", q.tab), ("q", q.q), ("status", q.status?.rawValue), ("kind", q.kind?.rawValue),
                                            ("engagement", q.engagement.map { String($0) }), ("location", q.location.map { String($0) }),
                                            ("due", q.due.map { String($0) }), ("sort", q.sort?.rawValue), ("dir", q.dir?.rawValue)])
        return .ok(.init(body: .applicationVnd_openxmlformatsOfficedocument_spreadsheetml_sheet(body)))
    }

    /// The claims list as a file, made by the page export's code and streamed as it is made.
    private func export(_ format: ExportFormat, _ fields: [(String, String?)]) async throws -> HTTPBody {
        let viewer = try viewer(for: .claims)
        let query = try await APIClaimQuery.parse(APIClaimQuery.fields(fields), catalogue: deps.stores.catalogue)
        let (listing, scope, now) = (self.listing, viewer.scope, self.now)
        let (stream, continuation) = AsyncThrowingStream<ArraySlice<UInt8>, any Error>.makeStream()
        let task = Task {
            do {
                try await listing.export(query, as: format, in: scope, now: now) { continuation.yield(ArraySlice($0)) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return HTTPBody(stream, length: .unknown, iterationBehavior: .single)
    }

    // MARK: Pieces

    private func claimJSON(_ id: Int64, in scope: AccessScope) async throws -> ClaimJSON {
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

    static func comments(_ file: ClaimFile) -> [Components.Schemas.Comment] {
        file.comments.map { .init(at: $0.at, author: $0.author, side: $0.side.rawValue, body: $0.body) }
    }

    static func area(_ a: SolutionArea) -> Components.Schemas.SolutionArea { .init(id: a.id, code: a.code, name: a.name) }

    static func money(_ m: Money) -> Components.Schemas.Money { .init(amount: m.plainText, currency: m.currency.code) }

    static func version(_ v: EngagementVersion) -> Components.Schemas.EngagementVersion {
        let rate = { (d: Decimal?) in d.map { Money($0, v.rates.currency).plainText } }
        return .init(
            number: v.number, effectiveFrom: v.effectiveFrom, payModel: v.payModel.rawValue,
            rates: .init(currency: v.rates.currency.code, a: rate(v.rates.a), b: rate(v.rates.b), c: rate(v.rates.c)),
            maxHours: v.maxHours.map { "\($0)" }, description: v.description, partnerCriteria: v.partnerCriteria,
            customerCriteria: v.customerCriteria,
            proofRequirements: v.proofRequirements.map { .init(kind: $0.kind.rawValue, description: $0.description) },
            resourceLinks: v.resourceLinks.map { .init(title: $0.title, url: $0.url) },
            deadlineDays: .init(consent: v.deadlines.consentDays, submission: v.deadlines.submissionDays,
                                review: v.deadlines.reviewDays, dispute: v.deadlines.disputeDays))
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

    static func note(_ body: Components.RequestBodies.OptionalNote?) -> String? {
        guard case .json(let payload)? = body else { return nil }
        return payload.note
    }

    /// A claim in the generated type, through the shared JSON shape (one conversion, no second mapping to keep).
    static func generated(_ claim: ClaimJSON) throws -> Components.Schemas.Claim {
        var bytes: [UInt8] = []
        claim.write(to: &bytes)
        return try APIClaimQuery.decoder.decode(Components.Schemas.Claim.self, from: Data(bytes))
    }
}

/// The claims list's parameters as the API takes them: read strictly by the list's one parser (an unknown value is a
/// 400, where the page falls back to its default).
enum APIClaimQuery {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static func fields(_ pairs: [(String, String?)]) -> FormFields {
        FormFields(pairs: pairs.compactMap { name, value in value.map { (name, $0) } })
    }

    /// A cursor that does not decode, or names a claim the caller does not see.
    static let damagedCursor = ClaimListParameterRefusal.damagedCursor.message

    static func parse(_ fields: FormFields, catalogue: CatalogueRepository) async throws -> ClaimListQuery {
        let parameters = ClaimListParameters { fields[$0] }
        // The areas are read only when a tab names one.
        let areas = parameters.namesArea ? try await catalogue.solutionAreas() : []
        do throws(ClaimListParameterRefusal) {
            return try parameters.query(areas: areas, reading: .strict)
        } catch {
            throw APIProblem(.badRequest, error.message)
        }
    }
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
            guard let domain = CustomerIntake.domain(domain) else { throw invalid("customer.domain", "Give the customer's domain, like contoso.com.") }
            customer = .named(name: customerName, domain: domain, tenantID: nil, subscriptionID: nil)
        case (nil, nil, let tenant?, nil):
            guard let tenant = CustomerIntake.guid(tenant) else { throw invalid("customer.tenant_id", "A tenant ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47.") }
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
