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
/// `PublicAPI+Lifecycle` (the claim actions), `PublicAPI+Partners`, `PublicAPI+Catalogue` (the console),
/// `PublicAPI+Eligibility` (lists, criteria, inclusion requests); the claims list and its exports are here; `Mappings`
/// (and `Mappings+Console`) make the contract's types.
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
        let query = try await APIClaimQuery.parse(fields, catalogue: deps.stores.catalogue)
        let rows: [ClaimJSON], next: ClaimCursor?
        do { (rows, next) = try await listing.claimsJSON(query, in: viewer.scope, now: now) } catch is ClaimCursorRefused {
            throw APIProblem(.badRequest, APIClaimQuery.damagedCursor)
        }
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 900 + 64)
        out.append(contentsOf: #"{"claims":["#.utf8)
        // By index: a `for` over the claims copied each one out of the array (a dozen strings retained and released).
        for i in rows.indices {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            rows[i].write(to: &out)
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
        let query = try await APIClaimQuery.parse(APIClaimQuery.fields(fields), catalogue: deps.stores.catalogue)
        // Prepared before the answer starts: past the headers, a failure can only cut the stream short.
        let export = try await listing.prepareExport(query, as: format, in: viewer.scope, now: now)
        return ExportBytes.body { send in _ = try await export.write(to: send) }
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
