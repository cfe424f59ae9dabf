import Foundation
import HTTPTypes
import Hummingbird
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import OpenAPIRuntime

/// The generated server protocol, implemented over the same scoped reads and lifecycle the pages use. Every
/// handler acts as `APIRequest.caller`; errors are thrown and become problems in `APIGateway`. The operations are in
/// one file per part of the contract: `PublicAPI+Program` (account, program, catalogue), `PublicAPI+Claims`,
/// `PublicAPI+Lifecycle` (the claim actions); the claims list and its exports are here; `Mappings` makes the
/// contract's types.
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
        claims = deps.stores.claims
        work = deps.stores.claimWork
        actions = deps.stores.claimActions
        intake = deps.stores.claimIntake
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

    // MARK: Claims: the list

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
        let query = try await APIClaimQuery.parse(fields, db: deps.db)
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
        let query = try await APIClaimQuery.parse(APIClaimQuery.fields(fields), db: deps.db)
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
}

/// The claims list's parameters as the API takes them: each value checked strictly (an unknown value is a 400,
/// where the page falls back to its default), then read by the page's own `ClaimListPage.State`.
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
    static let damagedCursor = "after: this cursor is damaged; start from the first page."

    static func parse(_ fields: FormFields, db: Database) async throws -> ClaimListQuery {
        func bad(_ message: String) -> APIProblem { APIProblem(.badRequest, message) }
        if let status = fields["status"], ClaimStatus(rawValue: status) == nil { throw bad("status: unknown claim status '\(status)'.") }
        if let kind = fields["kind"], ClaimKind(rawValue: kind) == nil { throw bad("kind: partner_activities or use_or_consume.") }
        for name in ["engagement", "location"] {
            if let value = fields[name], Int64(value) == nil { throw bad("\(name): an id, a whole number.") }
        }
        if let due = fields["due"], !(Int(due).map { (1...365).contains($0) } ?? false) { throw bad("due: a number of days from 1 to 365.") }
        if let sort = fields["sort"], ClaimListQuery.Sort(rawValue: sort) == nil {
            throw bad("sort: one of \(ClaimListQuery.Sort.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let dir = fields["dir"], dir != "asc" && dir != "desc" { throw bad("dir: asc or desc.") }
        if let per = fields["per"], !(Int(per).map(ClaimListQuery.pageSizes.contains) ?? false) {
            throw bad("per: one of \(ClaimListQuery.pageSizes.map(String.init).joined(separator: ", ")).")
        }
        if let q = fields["q"], q.unicodeScalars.count > 200 { throw bad("q: at most 200 characters (code points).") }
        if let after = fields["after"], ClaimCursor(token: after) == nil { throw bad(damagedCursor) }
        var areas: [SolutionArea] = []
        if let tab = fields["tab"], tab != "attention" {
            areas = try await CatalogueRepository(db: db).solutionAreas()
            guard areas.contains(where: { $0.code == tab }) else { throw bad("tab: attention, or a solution area's code.") }
        }
        do {
            return try ClaimListPage.State(fields, areas: areas).query
        } catch let error as HTTPError {
            throw bad(error.body ?? "A parameter could not be read.")
        }
    }
}
