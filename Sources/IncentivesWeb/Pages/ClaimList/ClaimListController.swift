import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/claims`: every claim the viewer may see, in tabs by solution area (plus "Attention required"), with a search,
/// filters, a sort and keyset pages, all in the URL so a view can be bookmarked or shared; and the same view as a file.
struct ClaimListController: Sendable {
    let deps: AppDependencies
    let listing: ClaimListing

    init(deps: AppDependencies) {
        self.deps = deps
        listing = deps.stores.listing
    }

    func register(on router: Router<AppRequestContext>) {
        let claims = router.group().add(middleware: SectionGuard(section: .claims))
        claims.get(SitePath.claims.pattern, use: list)
        for format in ExportFormat.allCases {
            claims.get(SitePath.claimsExport(format).pattern) { request, context in try await export(format, request, context) }
        }
    }

    // MARK: Handlers

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let viewer = try context.signedIn
        let input = deps.pageInput(context)
        let choices = try await listing.choices(in: viewer.scope)
        let query = try Self.query(request, areas: choices.areas)
        let page: ClaimSlice
        do {
            page = try await listing.page(query, in: viewer.scope, now: input.now)
        } catch is ClaimCursorRefused {
            throw damagedPageLink
        }
        let address = ClaimListAddress(query, areas: choices.areas)
        return deps.page("claims", ClaimListView(page, choices: choices, address: address, input: input))
    }

    /// The current view as a file, streamed: the same tab, search, filters, sort and scope as the page.
    func export(_ format: ExportFormat, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try context.signedIn
        let now = deps.clock.now
        let choices = try await listing.choices(in: viewer.scope)
        let query = try Self.query(request, areas: choices.areas)
        // Prepared before the answer starts: past the headers, a failure can only cut the stream short.
        let export = try await listing.prepareExport(query, as: format, in: viewer.scope, now: now)
        let body = ResponseBody { writer in
            try await export.write { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
            try await writer.finish(nil)
        }
        let day = DayDate(now)
        let name = String(format: "claims-%04d-%02d-%02d.%@", day.year, day.month, day.day, format.rawValue)
        return Response(status: .ok, headers: [.contentType: format.contentType,
                                               .contentDisposition: "attachment; filename=\"\(name)\"",
                                               .cacheControl: "no-store"], body: body)
    }

    // MARK: Shared

    /// The address's query, read leniently: an unknown value falls back to its default (a shared link with a stale filter
    /// still opens); a page token that does not decode is refused, since guessing would show the wrong rows. The query
    /// string is decoded as a GET form sends it: "+" is a space there, as in any urlencoded form.
    static func query(_ request: Request, areas: [SolutionArea]) throws -> ClaimListQuery {
        let fields = FormFields(urlEncoded: request.uri.query ?? "")
        do {
            return try ClaimListParameters { fields[$0] }.query(areas: areas, reading: .lenient)
        } catch {
            throw damagedPageLink
        }
    }
}
