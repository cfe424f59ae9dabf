import Foundation
import IncentivesStore

/// The repositories and application services, built once with the app's dependencies: controllers take theirs from
/// here and never build one per request.
public struct AppStores: Sendable {
    public let claims: ClaimRepository
    public let claimWork: ClaimWork
    public let claimActions: ClaimActions
    public let claimIntake: ClaimIntake
    /// Shared by the pages and the API, with its cache of tab counts.
    public let listing: ClaimListing
    public let reviewDesk: ReviewDesk
    public let catalogue: CatalogueRepository
    /// The program manager's catalogue: areas, engagements drafted, published in versions, closed.
    public let console: CatalogueConsole
    public let engagements: EngagementReads
    public let program: ProgramReads
    public let earnings: EarningsReads
    public let payees: PayeeRepository
    public let users: UserRepository
    /// Sessions as sign-in and the session middleware see them: demo accounts only under `--demo`.
    public let sessions: SessionRepository
    public let apiTokens: APITokenRepository
    public let webhooks: WebhookRepository
    public let outbox: Outbox
    public let links: ClaimLinks
    /// The vendor's partner organizations and locations.
    public let partners: PartnerDirectory
    /// Eligibility lists, criteria results and inclusion requests (the vendor's side).
    public let eligibility: EligibilityLists
    /// Partners' inclusion requests and the program manager's answers.
    public let inclusionRequests: InclusionRequests
    /// The proof template files the vendor uploads onto engagement drafts.
    public let proofTemplates: ProofTemplates
    /// Budgets per program currency and engagement, their figures and the reconciliation.
    public let budgets: Budgets
    /// Payment runs, their bank files and remittances: the payments pages, the API and the CLI share this one.
    public let paymentRuns: PaymentRuns
    /// Users' private calendar addresses and the open deadlines their feeds read.
    public let calendarFeeds: CalendarFeeds
    /// The home page's charts: aggregates per period, scoped like the claims list.
    public let dashboard: DashboardReads

    public init(db: Database, config: AppConfig) {
        links = ClaimLinks(publicURL: config.publicURL)
        claims = ClaimRepository(db: db)
        claimWork = ClaimWork(db: db, links: links)
        claimActions = ClaimActions(db: db, links: links)
        claimIntake = ClaimIntake(db: db)
        listing = ClaimListing(db: db)
        reviewDesk = ReviewDesk(db: db, links: links)
        catalogue = CatalogueRepository(db: db)
        console = CatalogueConsole(db: db)
        engagements = EngagementReads(db: db)
        program = ProgramReads(db: db)
        earnings = EarningsReads(db: db)
        payees = PayeeRepository(db: db)
        users = UserRepository(db: db)
        sessions = SessionRepository(db: db, policy: config.sessionPolicy, acceptsDemoUsers: config.demo)
        apiTokens = APITokenRepository(db: db, acceptsDemoUsers: config.demo)
        webhooks = WebhookRepository(db: db)
        outbox = Outbox(db: db)
        partners = PartnerDirectory(db: db)
        eligibility = EligibilityLists(db: db)
        inclusionRequests = InclusionRequests(db: db, links: links)
        proofTemplates = ProofTemplates(db: db)
        budgets = Budgets(db: db)
        paymentRuns = PaymentRuns(db: db, links: links)
        calendarFeeds = CalendarFeeds(db: db)
        dashboard = DashboardReads(db: db)
    }
}
