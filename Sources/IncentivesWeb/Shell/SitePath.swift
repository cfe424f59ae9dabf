import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// A path parameter: `.key` where a route is registered (`{id}`), a value where a link is made.
enum PathKey: Hashable, Sendable, ExpressibleByIntegerLiteral {
    case key
    case id(Int64)
    case text(String)

    init(integerLiteral value: Int64) { self = .id(value) }

    func segment(_ name: String) -> String {
        switch self {
        case .key: "{\(name)}"
        case .id(let id): String(id)
        case .text(let text): text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? text
        }
    }
}

/// Every address of the site's pages, typed: controllers register `pattern`, view models make `href`, so no handler or
/// template spells a path, and a test checks that each one is routed.
enum SitePath: Hashable, Sendable {
    case home, health, login, logout, apiDocs
    case ready, metrics
    case claims, claimsExport(ExportFormat), newClaim
    case claim(PathKey), claimActions(PathKey), claimComments(PathKey), claimContacts(PathKey), claimHours(PathKey)
    case claimDocuments(PathKey), claimDocument(PathKey, proof: PathKey), claimProofRemove(PathKey, proof: PathKey)
    case claimSurvey(PathKey), claimCustomerSurvey(PathKey)
    case consent(token: PathKey), survey(token: PathKey), invitation(token: PathKey)
    case engagements, engagement(PathKey), engagementCustomers(PathKey), engagementEligibility(PathKey)
    case engagementTemplate(PathKey, kind: PathKey)
    case eligibility, earnings, earningsCSV, catalogue
    case catalogueProgram, catalogueAreas, catalogueArea(PathKey), catalogueNewEngagement, catalogueEngagements
    case catalogueEngagement(PathKey), catalogueDraft(PathKey), catalogueVersions(PathKey), cataloguePublish(PathKey), catalogueClose(PathKey)
    case enrollment, enrollmentDecision(program: PathKey, location: PathKey)
    case payeeProfiles, newBankProfile, bankDecision(PathKey), bankReplace(PathKey), locationBank(PathKey), locationNewTax(PathKey)
    case review, reviewBulk, arbitration(PathKey)
    case tokens, tokenRevoke(PathKey)
    case calendar, calendarFeed(secret: PathKey)
    case users, user(PathKey), userInvitation(PathKey), userRoles(PathKey)
    case webhooks, webhook(PathKey), webhookEnable(PathKey), webhookDisable(PathKey), webhookTest(PathKey)
    case webhookRotate(PathKey), webhookDelete(PathKey)
    case webhookDelivery(PathKey, delivery: PathKey), webhookResend(PathKey, delivery: PathKey)
    case partners, newPartner, partner(PathKey), partnerEdit(PathKey), partnerDeactivate(PathKey), partnerReactivate(PathKey)
    case partnerLocations(PathKey), partnerLocation(PathKey, location: PathKey)
    case partnerLocationDeactivate(PathKey, location: PathKey), partnerLocationReactivate(PathKey, location: PathKey)
    case partnerAdmin(PathKey), partnerInvitation(PathKey, user: PathKey), partnerEnrollment(PathKey)
    case catalogueEligibility(PathKey), catalogueEligibilityImport(PathKey)
    case catalogueEligibilityRemove(PathKey, location: PathKey), catalogueCriterion(PathKey, location: PathKey)
    case inclusionRequests, inclusionRequest(PathKey), inclusionRequestDecision(PathKey), engagementInclusionRequests(PathKey)
    case catalogueTemplateUpload(PathKey, kind: PathKey), catalogueTemplateRemove(PathKey, kind: PathKey)
    case catalogueTemplate(PathKey, template: PathKey)
    case payments, paymentRuns, paymentSettings, paymentRun(PathKey), paymentRunApproval(PathKey), paymentRunCancel(PathKey)
    case paymentRunSend(PathKey), paymentLine(PathKey, line: PathKey), paymentRunExport(PathKey), paymentRunConfirmations(PathKey)
    case remittance(PathKey, location: PathKey), remittanceCSV(PathKey, location: PathKey)
    case budgets, budgetsReconciliationCSV, budgetsProgram, budgetsEngagement(PathKey)
    case dashboardCSV(DashboardChart)

    /// The path: with `{name}` where a parameter is `.key`, for the router; with values, for a link.
    var path: String {
        switch self {
        case .home: "/"
        case .health: "/health"
        case .ready: "/ready"
        case .metrics: "/metrics"
        case .login: "/login"
        case .logout: "/logout"
        case .apiDocs: "/api/docs"
        case .claims: "/claims"
        case .claimsExport(let format): "/claims.\(format.rawValue)"
        case .newClaim: "/claims/new"
        case .claim(let id): "/claims/\(id.segment("id"))"
        case .claimActions(let id): "/claims/\(id.segment("id"))/actions"
        case .claimComments(let id): "/claims/\(id.segment("id"))/comments"
        case .claimContacts(let id): "/claims/\(id.segment("id"))/contacts"
        case .claimHours(let id): "/claims/\(id.segment("id"))/hours"
        case .claimDocuments(let id): "/claims/\(id.segment("id"))/documents"
        case .claimDocument(let id, let proof): "/claims/\(id.segment("id"))/documents/\(proof.segment("proof"))"
        case .claimProofRemove(let id, let proof): "/claims/\(id.segment("id"))/proof/\(proof.segment("proof"))/remove"
        case .claimSurvey(let id): "/claims/\(id.segment("id"))/survey"
        case .claimCustomerSurvey(let id): "/claims/\(id.segment("id"))/customer-survey"
        case .consent(let token): "/consent/\(token.segment("token"))"
        case .survey(let token): "/survey/\(token.segment("token"))"
        case .invitation(let token): "/invitations/\(token.segment("token"))"
        case .engagements: "/engagements"
        case .engagement(let id): "/engagements/\(id.segment("id"))"
        case .engagementCustomers(let id): "/engagements/\(id.segment("id"))/customers"
        case .engagementEligibility(let id): "/engagements/\(id.segment("id"))/eligibility"
        case .engagementTemplate(let id, let kind): "/engagements/\(id.segment("id"))/templates/\(kind.segment("kind"))"
        case .eligibility: "/eligibility"
        case .earnings: "/earnings"
        case .earningsCSV: "/earnings.csv"
        case .catalogue: "/catalogue"
        case .catalogueProgram: "/catalogue/program"
        case .catalogueAreas: "/catalogue/areas"
        case .catalogueArea(let id): "/catalogue/areas/\(id.segment("id"))"
        case .catalogueNewEngagement: "/catalogue/engagements/new"
        case .catalogueEngagements: "/catalogue/engagements"
        case .catalogueEngagement(let id): "/catalogue/engagements/\(id.segment("id"))"
        case .catalogueDraft(let id): "/catalogue/engagements/\(id.segment("id"))/draft"
        case .catalogueVersions(let id): "/catalogue/engagements/\(id.segment("id"))/versions"
        case .cataloguePublish(let id): "/catalogue/engagements/\(id.segment("id"))/publish"
        case .catalogueClose(let id): "/catalogue/engagements/\(id.segment("id"))/close"
        case .catalogueEligibility(let id): "/catalogue/engagements/\(id.segment("id"))/eligibility"
        case .catalogueEligibilityImport(let id): "/catalogue/engagements/\(id.segment("id"))/eligibility/import"
        case .catalogueEligibilityRemove(let id, let location):
            "/catalogue/engagements/\(id.segment("id"))/eligibility/locations/\(location.segment("location"))/remove"
        case .catalogueCriterion(let id, let location):
            "/catalogue/engagements/\(id.segment("id"))/eligibility/locations/\(location.segment("location"))/criteria"
        case .inclusionRequests: "/catalogue/inclusion-requests"
        case .inclusionRequest(let id): "/catalogue/inclusion-requests/\(id.segment("id"))"
        case .inclusionRequestDecision(let id): "/catalogue/inclusion-requests/\(id.segment("id"))/decision"
        case .engagementInclusionRequests(let id): "/engagements/\(id.segment("id"))/inclusion-requests"
        case .enrollment: "/enrollment"
        case .enrollmentDecision(let program, let location): "/enrollment/\(program.segment("program"))/\(location.segment("location"))"
        case .payeeProfiles: "/payee-profiles"
        case .newBankProfile: "/payee-profiles/bank/new"
        case .bankDecision(let id): "/payee-profiles/bank/\(id.segment("id"))/decision"
        case .bankReplace(let id): "/payee-profiles/bank/\(id.segment("id"))/replace"
        case .locationBank(let id): "/payee-profiles/locations/\(id.segment("id"))/bank"
        case .locationNewTax(let id): "/payee-profiles/locations/\(id.segment("id"))/tax/new"
        case .review: "/review"
        case .reviewBulk: "/review/bulk"
        case .arbitration(let id): "/review/arbitration/\(id.segment("id"))"
        case .tokens: "/settings/tokens"
        case .tokenRevoke(let id): "/settings/tokens/\(id.segment("id"))/revoke"
        case .calendar: "/settings/calendar"
        case .calendarFeed(let secret): "/calendar/\(secret.segment("secret")).ics"
        case .users: "/settings/users"
        case .user(let id): "/settings/users/\(id.segment("id"))"
        case .userInvitation(let id): "/settings/users/\(id.segment("id"))/invitation"
        case .userRoles(let id): "/settings/users/\(id.segment("id"))/roles"
        case .webhooks: "/settings/webhooks"
        case .webhook(let id): "/settings/webhooks/\(id.segment("id"))"
        case .webhookEnable(let id): "/settings/webhooks/\(id.segment("id"))/enable"
        case .webhookDisable(let id): "/settings/webhooks/\(id.segment("id"))/disable"
        case .webhookTest(let id): "/settings/webhooks/\(id.segment("id"))/test"
        case .webhookRotate(let id): "/settings/webhooks/\(id.segment("id"))/rotate"
        case .webhookDelete(let id): "/settings/webhooks/\(id.segment("id"))/delete"
        case .webhookDelivery(let id, let delivery): "/settings/webhooks/\(id.segment("id"))/deliveries/\(delivery.segment("delivery"))"
        case .webhookResend(let id, let delivery):
            "/settings/webhooks/\(id.segment("id"))/deliveries/\(delivery.segment("delivery"))/resend"
        case .partners: "/partners"
        case .newPartner: "/partners/new"
        case .partner(let id): "/partners/\(id.segment("id"))"
        case .partnerEdit(let id): "/partners/\(id.segment("id"))/edit"
        case .partnerDeactivate(let id): "/partners/\(id.segment("id"))/deactivate"
        case .partnerReactivate(let id): "/partners/\(id.segment("id"))/reactivate"
        case .partnerLocations(let id): "/partners/\(id.segment("id"))/locations"
        case .partnerLocation(let id, let location): "/partners/\(id.segment("id"))/locations/\(location.segment("location"))"
        case .partnerLocationDeactivate(let id, let location):
            "/partners/\(id.segment("id"))/locations/\(location.segment("location"))/deactivate"
        case .partnerLocationReactivate(let id, let location):
            "/partners/\(id.segment("id"))/locations/\(location.segment("location"))/reactivate"
        case .partnerAdmin(let id): "/partners/\(id.segment("id"))/admin"
        case .partnerInvitation(let id, let user): "/partners/\(id.segment("id"))/users/\(user.segment("user"))/invitation"
        case .partnerEnrollment(let id): "/partners/\(id.segment("id"))/enrollment"
        case .catalogueTemplateUpload(let id, let kind): "/catalogue/engagements/\(id.segment("id"))/draft/templates/\(kind.segment("kind"))"
        case .catalogueTemplateRemove(let id, let kind):
            "/catalogue/engagements/\(id.segment("id"))/draft/templates/\(kind.segment("kind"))/remove"
        case .catalogueTemplate(let id, let template): "/catalogue/engagements/\(id.segment("id"))/templates/\(template.segment("template"))"
        case .payments: "/payments"
        case .paymentRuns: "/payments/runs"
        case .paymentSettings: "/payments/settings"
        case .paymentRun(let id): "/payments/runs/\(id.segment("id"))"
        case .paymentRunApproval(let id): "/payments/runs/\(id.segment("id"))/approve"
        case .paymentRunCancel(let id): "/payments/runs/\(id.segment("id"))/cancel"
        case .paymentRunSend(let id): "/payments/runs/\(id.segment("id"))/send"
        case .paymentLine(let id, let line): "/payments/runs/\(id.segment("id"))/lines/\(line.segment("line"))"
        case .paymentRunExport(let id): "/payments/runs/\(id.segment("id"))/export"
        case .paymentRunConfirmations(let id): "/payments/runs/\(id.segment("id"))/confirmations"
        case .remittance(let id, let location): "/earnings/remittances/\(id.segment("id"))/\(location.segment("location"))"
        case .remittanceCSV(let id, let location): "/earnings/remittances/\(id.segment("id"))/\(location.segment("location"))/advice.csv"
        case .budgets: "/catalogue/budgets"
        case .budgetsReconciliationCSV: "/catalogue/budgets/reconciliation.csv"
        case .budgetsProgram: "/catalogue/budgets/program"
        case .budgetsEngagement(let id): "/catalogue/budgets/engagements/\(id.segment("id"))"
        case .dashboardCSV(let chart): "/dashboard/\(chart.rawValue).csv"
        }
    }

    /// A link to it, with an optional query (`?a=1&b=2`, encoded).
    func href(_ query: [(String, String)] = []) -> String {
        guard !query.isEmpty else { return path }
        let pairs = query.map { name, value in "\(PercentEncoding.unreserved(name))=\(PercentEncoding.unreserved(value))" }
        return path + "?" + pairs.joined(separator: "&")
    }

    /// What the router matches.
    var pattern: RouterPath { RouterPath(path) }

    /// Every page address, with its parameters as keys: the router must serve each, and nothing else.
    static let all: [SitePath] = [
        .home, .health, .login, .logout, .apiDocs,
        .ready, .metrics,
        .claims, .newClaim,
        .claim(.key), .claimActions(.key), .claimComments(.key), .claimContacts(.key), .claimHours(.key),
        .claimDocuments(.key), .claimDocument(.key, proof: .key), .claimProofRemove(.key, proof: .key),
        .claimSurvey(.key), .claimCustomerSurvey(.key),
        .consent(token: .key), .survey(token: .key), .invitation(token: .key),
        .engagements, .engagement(.key), .engagementCustomers(.key), .engagementEligibility(.key),
        .engagementTemplate(.key, kind: .key),
        .eligibility, .earnings, .earningsCSV, .catalogue,
        .catalogueProgram, .catalogueAreas, .catalogueArea(.key), .catalogueNewEngagement, .catalogueEngagements,
        .catalogueEngagement(.key), .catalogueDraft(.key), .catalogueVersions(.key), .cataloguePublish(.key), .catalogueClose(.key),
        .enrollment, .enrollmentDecision(program: .key, location: .key),
        .payeeProfiles, .newBankProfile, .bankDecision(.key), .bankReplace(.key), .locationBank(.key), .locationNewTax(.key),
        .review, .reviewBulk, .arbitration(.key),
        .tokens, .tokenRevoke(.key),
        .calendar, .calendarFeed(secret: .key),
        .users, .user(.key), .userInvitation(.key), .userRoles(.key),
        .webhooks, .webhook(.key), .webhookEnable(.key), .webhookDisable(.key), .webhookTest(.key),
        .webhookRotate(.key), .webhookDelete(.key),
        .webhookDelivery(.key, delivery: .key), .webhookResend(.key, delivery: .key),
        .partners, .newPartner, .partner(.key), .partnerEdit(.key), .partnerDeactivate(.key), .partnerReactivate(.key),
        .partnerLocations(.key), .partnerLocation(.key, location: .key),
        .partnerLocationDeactivate(.key, location: .key), .partnerLocationReactivate(.key, location: .key),
        .partnerAdmin(.key), .partnerInvitation(.key, user: .key), .partnerEnrollment(.key),
        .catalogueEligibility(.key), .catalogueEligibilityImport(.key),
        .catalogueEligibilityRemove(.key, location: .key), .catalogueCriterion(.key, location: .key),
        .inclusionRequests, .inclusionRequest(.key), .inclusionRequestDecision(.key), .engagementInclusionRequests(.key),
        .catalogueTemplateUpload(.key, kind: .key), .catalogueTemplateRemove(.key, kind: .key), .catalogueTemplate(.key, template: .key),
        .payments, .paymentRuns, .paymentSettings, .paymentRun(.key), .paymentRunApproval(.key), .paymentRunCancel(.key),
        .paymentRunSend(.key), .paymentLine(.key, line: .key), .paymentRunExport(.key), .paymentRunConfirmations(.key), .remittance(.key, location: .key), .remittanceCSV(.key, location: .key),
        .budgets, .budgetsReconciliationCSV, .budgetsProgram, .budgetsEngagement(.key),
    ] + ExportFormat.allCases.map { .claimsExport($0) } + DashboardChart.allCases.map { .dashboardCSV($0) }
}
