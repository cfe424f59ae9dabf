import Foundation
import Synchronization
import HTTPTypes
import Hummingbird
import IncentivesDomain
import IncentivesStore
import Logging

/// What the layout shows around every page: who is signed in, the navigation, breadcrumbs, the flash.
struct Shell: Sendable {
    struct NavItem: Sendable { let title: String; let path: String; let current: Bool }
    struct Crumb: Sendable { let title: String; let path: String?; let isLast: Bool }
    struct FlashView: Sendable { let message: String; let kind: String }

    let pageTitle: String
    let signedIn: Bool
    let userName: String
    let organizationName: String
    let roleSummary: String
    let nav: [NavItem]
    let hasNav: Bool
    let crumbs: [Crumb]
    let hasCrumbs: Bool
    let flash: FlashView?
    let csrfToken: String
    let database: String
    let demo: Bool

    /// - Parameters:
    ///   - section: the navigation entry to mark current.
    ///   - trail: breadcrumbs after the section, the last one being this page (no link).
    init(_ input: PageInput, title: String, section: Section? = nil, trail: [(String, String?)] = []) {
        let viewer = input.viewer
        pageTitle = title
        signedIn = viewer != nil
        userName = viewer?.name ?? ""
        organizationName = viewer?.organizationName ?? ""
        roleSummary = viewer?.roleSummary ?? ""
        nav = viewer?.sections.map { NavItem(title: $0.title, path: $0.sitePath.href(), current: $0 == section) } ?? []
        hasNav = !nav.isEmpty
        var trailItems: [(String, String?)] = []
        if let section, section != .home, viewer != nil {
            trailItems.append((section.title, trail.isEmpty ? nil : section.sitePath.href()))
        }
        trailItems += trail
        crumbs = trailItems.enumerated().map { Crumb(title: $1.0, path: $1.1, isLast: $0 == trailItems.count - 1) }
        hasCrumbs = !trailItems.isEmpty
        flash = input.flash.map { FlashView(message: $0.message, kind: $0.kind.rawValue) }
        csrfToken = input.csrfToken
        database = input.database
        demo = input.demo
    }

    /// The same from the request, for pages not yet built from a `PageInput`.
    init(_ context: AppRequestContext, deps: AppDependencies, title: String, section: Section? = nil, trail: [(String, String?)] = []) {
        self.init(deps.pageInput(context), title: title, section: section, trail: trail)
    }
}

/// A page's view model: the shell plus the page's own fields; rendered by its template inside the layout.
protocol PageView: Sendable {
    var shell: Shell { get }
}

extension AppDependencies {
    /// The app's cookies, `__Host-` named behind https.
    var cookies: Cookies { Cookies(secure: config.secureCookies) }

    /// Renders a page template (which extends `layout`) with its view model.
    func page(_ template: String, _ view: some PageView, status: HTTPResponse.Status = .ok) -> HTML {
        HTML(status: status, body: templates.render(view, template: template) ?? "")
    }

    /// A 303 redirect after a form, with an optional one-time message for the next page.
    func redirect(to path: String, flash: Flash? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: path])
        if let flash { response.setCookie(cookies.make(.flash, FlashCookie.encode(flash), maxAge: 300)) }
        return response
    }

    /// Times on pages: in the viewer's zone, with the zone's abbreviation so nobody has to guess
    /// ("13 Feb 2027 at 15:44 GMT-8"; dates alone "13 Feb 2027").
    func format(_ date: Date, for viewer: Viewer?, style: DateFormat = .dateTime) -> String {
        PageTime.format(date, in: viewer?.timeZone ?? PageTime.utc, style: style)
    }

    enum DateFormat { case date, dateTime }
}

/// Turns every failure into a page in the same layout, with the right status, in one place:
/// a missing or foreign record is 404, a section the role may not use 403, a refusal by a rule of the
/// program 422 with its reason, anything unexpected 500.
struct ErrorPageMiddleware: RouterMiddleware {
    let deps: AppDependencies

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let signIn as SignInRequired {
            let next = RedirectTarget.sameOriginPath(signIn.next).flatMap { $0 == SitePath.home.href() ? nil : $0 }
            return deps.redirect(to: SitePath.login.href(next.map { [("next", $0)] } ?? []))
        } catch is CSRFRefused {
            return try page(.forbidden, "Not allowed",
                            "This form has expired or did not come from this site. Reload the page and try again.", request, context)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                return try page(.notFound, "Page not found",
                                "There is nothing here, or it is not yours to see. Check the address, or go back to the home page.", request, context)
            case .forbidden:
                return try page(.forbidden, "Not allowed", "Your role does not include this page.", request, context)
            default:
                return try page(error.status, error.status.reasonPhrase, error.body ?? error.status.reasonPhrase, request, context)
            }
        } catch {
            guard let answer = ErrorAnswer(error), answer.kind != .serverError else { return try serverError(error, request, context) }
            if answer.kind == .unavailable { context.logger.error("store unavailable: \(error)") }
            var response = try page(answer.pageStatus, answer.kind.pageHeading, Self.pageMessage(answer), request, context)
            response.headers.append(contentsOf: answer.headers)
            return response
        }
    }

    /// What the page says: its own words for what a page has no detail to add to.
    private static func pageMessage(_ answer: ErrorAnswer) -> String {
        switch answer.kind {
        case .notFound: "There is nothing here, or it is not yours to see. Check the address, or go back to the home page."
        case .versionConflict: "Someone else changed this a moment ago. Reload the page and try again."
        default: answer.detail
        }
    }

    /// A 500: logged with what happened, shown without details.
    private func serverError(_ error: any Error, _ request: Request, _ context: AppRequestContext) throws -> Response {
        // The route's pattern, not the path: a customer's link or a calendar address holds its secret in the path.
        context.logger.error("unexpected error on \(request.method) \(context.endpointPath ?? "an unmatched route"): \(String(reflecting: error))")
        return try page(.internalServerError, "Something went wrong",
                        "The error has been logged. Try again; if it keeps happening, tell your program manager.", request, context)
    }

    private func page(_ status: HTTPResponse.Status, _ heading: String, _ message: String,
                      _ request: Request, _ context: AppRequestContext) throws -> Response {
        let view = ErrorPageView(status: status.code, heading: heading, message: message, input: deps.pageInput(context))
        return try deps.page("error", view, status: status).response(from: request, context: context)
    }
}

/// Formats times for pages by arithmetic on the zone's offset: a list formats two times per row, and
/// Foundation's format styles cost a fraction of a millisecond each on Linux, most of a list page's
/// time. Only the zone's name comes from Foundation (en_GB short specific name), once per zone and offset.
enum PageTime {
    static let utc = TimeZone(identifier: "UTC")!
    private static let zoneNames = Mutex<[String: String]>([:])

    static func format(_ date: Date, in zone: TimeZone, style: AppDependencies.DateFormat) -> String {
        let offset = zone.secondsFromGMT(for: date)
        let local = date.addingTimeInterval(TimeInterval(offset))
        let day = DayDate(local).text
        guard style == .dateTime else { return day }
        let seconds = Int(local.timeIntervalSince1970.rounded(.down))
        let minuteOfDay = ((seconds % 86_400) + 86_400) % 86_400 / 60
        let clock = zeroPadded(minuteOfDay / 60, width: 2) + ":" + zeroPadded(minuteOfDay % 60, width: 2)
        return day + " at " + clock + " " + zoneName(zone, offset: offset, at: date)
    }

    static func zoneName(_ zone: TimeZone, offset: Int, at date: Date) -> String {
        let key = "\(zone.identifier)|\(offset)"
        if let name = zoneNames.withLock({ $0[key] }) { return name }
        var style = Date.FormatStyle(timeZone: zone)
        style.locale = Locale(identifier: "en_GB")
        let name = date.formatted(style.timeZone(.specificName(.short)))
        zoneNames.withLock { $0[key] = name }
        return name
    }
}

// The layout renders on every page: read by field tables (TemplateFieldTable).
extension Shell: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "pageTitle": { $0.pageTitle }, "signedIn": { $0.signedIn }, "userName": { $0.userName },
        "organizationName": { $0.organizationName }, "roleSummary": { $0.roleSummary }, "nav": { $0.nav }, "hasNav": { $0.hasNav },
        "crumbs": { $0.crumbs }, "hasCrumbs": { $0.hasCrumbs }, "flash": { $0.flash }, "csrfToken": { $0.csrfToken },
        "database": { $0.database }, "demo": { $0.demo },
        // The header's links: the same on every page, so computed here rather than stored in each view model.
        "homeHref": { _ in SitePath.home.href() }, "tokensHref": { _ in SitePath.tokens.href() },
        "calendarHref": { _ in SitePath.calendar.href() }, "signOutAction": { _ in SitePath.logout.href() },
    ])
}

extension Shell.NavItem: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>(["title": { $0.title }, "path": { $0.path }, "current": { $0.current }])
}

extension Shell.Crumb: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>(["title": { $0.title }, "path": { $0.path }, "isLast": { $0.isLast }])
}
