import Foundation
import IncentivesDomain
import IncentivesStore

/// The claim page's view model: built from the claim's file, the page input and a form's problem only (no database),
/// so a test builds it for any claim in any status. The domain decides what is offered: `ClaimLifecycle`'s
/// `availableActions`, `proofEditors` and `contactEditors`.
struct ClaimView: PageView {
    let shell: Shell
    let id: Int64
    let version: Int
    let name: String
    let status: String
    let statusCode: String
    let tone: String
    let definition: String
    let kind: String
    let steps: [Step]
    let clock: String?
    let clockTitle: String
    let clockOwner: String
    let amount: String?
    let amountBasis: String
    let customer: String
    let customerIDs: String
    let engagement: String
    let engagementHref: String?
    let place: String
    let created: String
    let arbitration: Bool
    /// The notice of a stale form, or a refusal with no form on the page to show it by.
    let alert: String?
    let actions: [ActionForm]
    let hasActions: Bool
    let proof: [ProofItem]
    let hasProof: Bool
    let missing: [String]
    let hasMissing: Bool
    let uploadLimit: String
    let showHours: Bool
    let hours: String
    let maxHours: String
    let canEditHours: Bool
    let hoursError: String?
    let contacts: [ContactLine]
    let canEditContacts: Bool
    let contactsError: String?
    let links: [LinkLine]
    let hasLinks: Bool
    let comments: [CommentLine]
    let hasComments: Bool
    let canComment: Bool
    let commentError: String?
    let history: [HistoryLine]
    let criteria: [CriterionLine]
    let hasCriteria: Bool
    let forms: FormTargets

    /// Where the page's forms post.
    struct FormTargets: Sendable {
        let actions: String
        let documents: String
        let survey: String
        let customerSurvey: String
        let hours: String
        let contacts: String
        let comments: String

        init(_ id: Int64) {
            actions = SitePath.claimActions(.id(id)).href()
            documents = SitePath.claimDocuments(.id(id)).href()
            survey = SitePath.claimSurvey(.id(id)).href()
            customerSurvey = SitePath.claimCustomerSurvey(.id(id)).href()
            hours = SitePath.claimHours(.id(id)).href()
            contacts = SitePath.claimContacts(.id(id)).href()
            comments = SitePath.claimComments(.id(id)).href()
        }
    }

    /// What went wrong with a form, to show next to it on the page sent back.
    struct Problem: Sendable {
        var area: String
        var message: String
        var values: [String: String] = [:]
        /// The input a refusal is about, to show it next to that field.
        var field: String? = nil
    }

    /// - Parameters:
    ///   - uploadLimit: the largest upload, in words ("25 MB").
    init(_ file: ClaimFile, input: PageInput, problem: Problem? = nil, uploadLimit: String) {
        let claim = file.claim
        let viewer = input.viewer
        let role = viewer?.actorRole(atLocation: claim.locationID)
        let isPartner = viewer?.vendorRole == nil
        let times = input.times
        let error = { (area: String) in problem?.area == area ? problem?.message : nil }
        let actions = ActionForm.offered(file, role: role, now: input.now, problem: problem)
        let actionAreas = Set(actions.map { "action-\($0.action)" })
        let canEditProof = role.map(ClaimLifecycle.proofEditors(for: claim).contains) ?? false

        shell = Shell(input, title: claim.name, section: .claims, trail: [(claim.name, nil)])
        id = claim.id
        version = claim.version
        name = claim.name
        status = claim.status.label
        statusCode = claim.status.rawValue
        tone = claim.status.tone
        definition = claim.status.definition
        kind = claim.kind.label
        steps = Step.path(of: file)
        (clock, clockTitle, clockOwner) = Self.clock(file, isPartner: isPartner, now: input.now, times: times)
        amount = claim.amount?.description
        amountBasis = Self.amountBasis(file)
        customer = file.customer.name
        customerIDs = [file.customer.domain.map { "domain \($0)" }, file.customer.tenantID.map { "tenant \($0)" },
                       file.customer.subscriptionID.map { "subscription \($0)" }].compactMap { $0 }.joined(separator: " · ")
        engagement = file.engagement.name
        // Partners read the engagement on their own pages; the vendor in the catalogue, criteria and every version included.
        engagementHref = isPartner ? SitePath.engagement(.id(claim.engagementID)).href() : SitePath.catalogueEngagement(.id(claim.engagementID)).href()
        place = isPartner ? file.location.name : "\(file.organizationName): \(file.location.name)"
        created = times.dateTime(claim.createdAt)
        arbitration = file.arbitrationPending
        // A refused action the page offers no form for (any more) is said at the top.
        alert = problem.flatMap { $0.area == "stale" || ($0.area.hasPrefix("action-") && !actionAreas.contains($0.area)) ? $0.message : nil }
        self.actions = actions
        hasActions = !actions.isEmpty
        proof = ProofItem.required(by: file, isPartner: isPartner, canEdit: canEditProof, problem: problem, times: times)
        hasProof = !proof.isEmpty
        missing = file.missingProof
        hasMissing = !missing.isEmpty && !claim.status.isTerminal
        self.uploadLimit = uploadLimit
        showHours = file.version.payModel == .variable
        hours = problem?.area == "hours" ? problem?.values["hours"] ?? "" : claim.hours.map { "\($0)" } ?? ""
        maxHours = file.version.maxHours.map { "\($0)" } ?? ""
        canEditHours = canEditProof
        hoursError = error("hours")
        contacts = file.contacts.enumerated().map { ContactLine(name: $1.name, title: $1.title, email: $1.email, position: $0 + 1) }
        canEditContacts = role.map(ClaimLifecycle.contactEditors(for: claim, customerSurveyAnswered: file.customerSurveyAnswered).contains) ?? false
        contactsError = error("contacts")
        links = file.links.map { LinkLine($0, now: input.now, times: times) }
        hasLinks = !links.isEmpty
        comments = file.comments.map { CommentLine(at: times.dateTime($0.at), author: $0.author, side: $0.side.rawValue, body: $0.body) }
        hasComments = !file.comments.isEmpty
        canComment = role != nil
        commentError = error("comment")
        history = file.history.reversed().map { HistoryLine($0, times: times) }
        criteria = CriterionLine.lines(file, now: input.now, times: times)
        hasCriteria = !criteria.isEmpty
        forms = FormTargets(claim.id)
    }

    /// The open clock: what runs out and when, in words and as a date, and whose move it is.
    static func clock(_ file: ClaimFile, isPartner: Bool, now: Date, times: PageTimes) -> (String?, String, String) {
        guard let clock = file.clock else { return (nil, "", "") }
        let owner: String = switch clock.owner {
        case .partner: isPartner ? "Waiting on you" : "Waiting on the partner"
        case .customer: "Waiting on the customer"
        case .vendor: isPartner ? "Waiting on the vendor's review" : "Waiting on review"
        case .clock: ""
        }
        let label = clock.kind.label.prefix(1).uppercased() + clock.kind.label.dropFirst()
        return ("\(label) \(Countdown.phrase(from: now, to: clock.dueAt))", times.dateTime(clock.dueAt), owner)
    }

    /// Where the amount comes from: the version, the market and its rate.
    static func amountBasis(_ file: ClaimFile) -> String {
        let rate = file.version.rates.rate(for: file.location.market)
        return "Engagement version \(file.version.number), \(file.location.market.label)"
            + (rate.map { file.version.payModel == .variable ? ", \($0) per hour" : ", rate \($0)" } ?? "")
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 1_048_576 ? String(format: "%.1f MB", Double(bytes) / 1_048_576)
            : bytes >= 1024 ? "\(bytes / 1024) KB" : "\(bytes) bytes"
    }
}
