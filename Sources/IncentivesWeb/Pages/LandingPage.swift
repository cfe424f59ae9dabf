import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/`: names the product and shows what this installation holds (and, in demo mode, how to sign in).
struct LandingPage: Sendable {
    let deps: AppDependencies

    struct StatusCount { let code: String; let label: String; let count: Int; let tone: String }
    struct SignIn { let email: String; let role: String }
    struct View {
        let title = "Partner Incentives"
        let programName: String
        let organizations: [String]
        let organizationCount: Int
        let locations: Int
        let engagements: Int
        let customers: Int
        let claims: Int
        let statuses: [StatusCount]
        let demo: Bool
        let signIns: [SignIn]
        let password: String
        let database: String
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in try await render() }
    }

    func view() async throws -> View {
        let overview = try await ProgramOverview.load(from: deps.db)
        return View(
            programName: overview.programName ?? "No program yet",
            organizations: overview.organizations, organizationCount: overview.organizations.count, locations: overview.locations, engagements: overview.engagements,
            customers: overview.customers, claims: overview.claims,
            statuses: ClaimStatus.allCases.map {
                StatusCount(code: $0.rawValue, label: $0.label, count: overview.claimsByStatus[$0] ?? 0, tone: $0.tone)
            },
            demo: deps.config.demo,
            signIns: deps.config.demo ? Seeder.demoSignIns.map { SignIn(email: $0.email, role: $0.role) } : [],
            password: deps.config.demo ? Seeder.demoPassword : "",
            database: deps.db.flavor == .sqlite ? "embedded SQLite" : "PostgreSQL")
    }

    func render() async throws -> HTML {
        let page = deps.templates.render(try await view(), withTemplate: "landing") ?? ""
        return HTML(body: page)
    }
}
