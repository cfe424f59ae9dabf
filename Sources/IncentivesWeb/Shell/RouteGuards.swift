import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// A route group's first check, once for all its routes: the visitor is signed in (or is sent to sign in) and their
/// role opens the section (or 403). Handlers behind it read `context.signedIn`.
struct SectionGuard: RouterMiddleware {
    let section: Section

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        _ = try context.viewer(for: section, request)
        return try await next(request, context)
    }
}

/// A route group's first check where no section holds the pages (personal settings): the visitor is signed in, or is
/// sent to sign in and come back here.
struct SignedInGuard: RouterMiddleware {
    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard context.viewer != nil else { throw SignInRequired(next: request.uri.path) }
        return try await next(request, context)
    }
}

/// A route group's check of the viewer's role, after `SectionGuard`: a role the section admits but these routes are not
/// for is refused (403) before anything is read.
struct RoleGuard: RouterMiddleware {
    let admits: @Sendable (Viewer) -> Bool

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard admits(try context.signedIn) else { throw HTTPError(.forbidden) }
        return try await next(request, context)
    }

    /// Decisions on the review queue are the reviewer's: the program manager may open the section, not decide.
    static let reviewers = RoleGuard { $0.vendorRole == .reviewer }
    /// The catalogue and the partner directory are the program manager's to change; reviewers read them.
    static let programManagers = RoleGuard { $0.vendorRole == .programManager }
    /// Only partners add customers: the vendor may open the claims section, not claim.
    static let partners = RoleGuard { $0.vendorRole == nil }
    /// Payee profiles are changed by a location's Incentives admins; Incentives users and the vendor only view them.
    static let incentivesAdmins = RoleGuard { $0.vendorRole == nil && $0.isIncentivesAdmin }
}

/// Puts the record a route's `{id}` names in the context (with `keep`), read among the viewer's own (by `load`): a
/// malformed, unknown or foreign id is a 404 before any handler runs. Handlers read it with `context.resolved(\.x)`.
struct RecordResolver<Record: Sendable>: RouterMiddleware {
    let load: @Sendable (_ id: Int64, _ viewer: Viewer) async throws -> Record?
    let keep: @Sendable (inout AppRequestContext, Record) -> Void

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let viewer = try context.signedIn
        guard let id = context.parameters.get("id", as: Int64.self), let record = try await load(id, viewer) else {
            throw HTTPError(.notFound)
        }
        var context = context
        keep(&context, record)
        return try await next(request, context)
    }
}

extension AppRequestContext {
    /// The record a `RecordResolver` put in the context.
    func resolved<Record>(_ record: KeyPath<AppRequestContext, Record?>) throws -> Record {
        guard let found = self[keyPath: record] else { throw HTTPError(.notFound) }
        return found
    }

    /// The viewer a `SectionGuard` let through.
    var signedIn: Viewer {
        get throws {
            guard let viewer else { throw SignInRequired(next: "/") }
            return viewer
        }
    }

    /// The claim a `RecordResolver` loaded for a `/claims/{id}` route.
    var resolvedClaim: ClaimFile {
        get throws { try resolved(\.claim) }
    }

    /// The engagement a `RecordResolver` read for an `/engagements/{id}` route.
    var resolvedEngagement: EngagementDetail {
        get throws { try resolved(\.engagement) }
    }
}
