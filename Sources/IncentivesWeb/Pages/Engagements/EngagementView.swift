import Foundation
import IncentivesDomain
import IncentivesStore

/// `/engagements/{id}`, the Summary: the rules of the version in force, rates, deadlines and limits, and what each of
/// the viewer's locations would earn on it now. Built from the engagement's detail and the page input only.
struct EngagementView: PageView {
    struct Proof: Sendable {
        let kind: String
        let description: String
        let template: String?
        let version: String?
        let href: String?
        /// A survey's questions, each with its answer type: what the partner or the customer will be asked.
        let questions: [String]
        let hasQuestions: Bool
    }
    struct Link: Sendable {
        let title: String
        let url: String?
        let text: String
    }
    struct Rate: Sendable {
        let market: String
        let amount: String
        let paid: Bool
    }
    struct Deadline: Sendable {
        let what: String
        let days: String
    }
    struct Earn: Sendable {
        let location: String
        let market: String
        let rate: String
        let earning: Bool
        let reason: String
    }

    struct Criterion: Sendable { let text: String; let decidedBy: String }

    let shell: Shell
    let heading: EngagementHeading
    let description: String
    let versionNote: String
    let partnerCriteria: [String]
    /// Each customer criterion with who decides it.
    let customerCriteria: [Criterion]
    let proof: [Proof]
    let hasProof: Bool
    let links: [Link]
    let hasLinks: Bool
    let payModel: String
    let isVariable: Bool
    let maxHours: String?
    let rates: [Rate]
    let deadlines: [Deadline]
    let lastClaimDay: String
    let claimRefusal: String?
    let cap: String
    let perCustomer: String
    let earnings: [Earn]
    let hasEarnings: Bool

    init(_ detail: EngagementDetail, input: PageInput) {
        let e = detail.engagement
        let version = e.version(inForceAt: input.now)
        let unit = version.payModel == .variable ? " per hour" : ""
        shell = EngagementHeading.shell(detail, input, page: nil)
        heading = EngagementHeading(detail, current: "Summary")
        description = version.description
        versionNote = "Rules version \(version.number), in force since \(input.times.date(version.effectiveFrom)). "
            + "A claim is held to the version in force on its customer consent date."
        partnerCriteria = version.partnerCriteria
        customerCriteria = version.customerCriteria.map { Criterion(text: $0.text, decidedBy: $0.decidedBy) }
        proof = version.proofRequirements.map { p in
            Proof(kind: p.kind.label, description: p.description, template: p.templateName, version: p.templateVersion,
                  href: p.templateName == nil ? nil : SitePath.engagementTemplate(.id(e.id), kind: .text(p.kind.rawValue)).href(),
                  questions: p.surveyQuestions.map { "\($0.prompt) (\($0.answer.words)\($0.required ? "" : ", optional"))" },
                  hasQuestions: !p.surveyQuestions.isEmpty)
        }
        hasProof = !version.proofRequirements.isEmpty
        links = version.resourceLinks.map { link in
            let safe = link.url.lowercased().hasPrefix("https://") || link.url.lowercased().hasPrefix("http://")
            return Link(title: link.title, url: safe ? link.url : nil, text: link.url)
        }
        hasLinks = !version.resourceLinks.isEmpty
        payModel = version.payModel.label
        isVariable = version.payModel == .variable
        maxHours = version.maxHours.map { "At most \($0) hours per claim" }
        rates = Market.allCases.map { m in
            let rate = version.rates.rate(for: m)
            return Rate(market: m.label, amount: rate.map { "\($0)\(unit)" } ?? "Not paid", paid: rate != nil)
        }
        deadlines = Self.deadlines(version.deadlines, role: e.role)
        lastClaimDay = e.lastClaimDay.map(\.text) ?? "No end date"
        claimRefusal = e.refusalToClaim(at: input.now)
        cap = e.earningsCap.map { "\($0) per location" } ?? "No cap"
        perCustomer = "\(e.activeClaimsPerCustomer) active claim\(e.activeClaimsPerCustomer == 1 ? "" : "s") per customer, across partners"
        earnings = Self.earnings(detail, version: version, unit: unit, now: input.now)
        hasEarnings = !earnings.isEmpty
    }

    static func deadlines(_ d: DeadlinePolicy, role: PartnerRole) -> [Deadline] {
        var deadlines = [Deadline(what: "Customer consent, from when the customer is claimed", days: "\(d.consentDays) days"),
                         Deadline(what: "First submission, from consent", days: "\(d.submissionDays) days"),
                         Deadline(what: "Review complete, from consent", days: "\(d.reviewDays) days"),
                         Deadline(what: "Dispute, from a rejection", days: "\(d.disputeDays) days")]
        if role == .useOrConsume {
            deadlines.append(Deadline(what: "Answer to a request for more information", days: "\(d.cporResponseBusinessDays) business days"))
        }
        return deadlines
    }

    /// Each of the viewer's locations: its market's rate, and whether it earns now or why not.
    static func earnings(_ detail: EngagementDetail, version: EngagementVersion, unit: String, now: Date) -> [Earn] {
        detail.locations.map { standing in
            let market = standing.location.market
            let rate = version.rates.rate(for: market)
            let eligibility = standing.engagements[detail.engagement.id]
            let problems = eligibility?.problems(at: now) ?? ["Not on the engagement's eligibility list."]
            return Earn(location: EngagementBoardView.shortName(standing), market: market.label,
                        rate: rate.map { "\($0)\(unit)" } ?? "Not paid in this market",
                        earning: eligibility?.isEarning(at: now) ?? false,
                        reason: problems.joined(separator: " "))
        }
    }
}
