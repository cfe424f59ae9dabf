import Foundation

/// How a partner names the customer it adds (issue 5's Add customer): by the domain of its email
/// addresses, by its directory tenant id, by the subscription it runs workloads on (use or consume), or
/// by picking a customer it claimed before.
public enum CustomerIDType: String, CaseIterable, Sendable {
    case domain, tenant, subscription, existing

    public var label: String {
        switch self {
        case .domain: "Domain name"
        case .tenant: "Tenant ID"
        case .subscription: "Subscription ID"
        case .existing: "A customer you claimed before"
        }
    }

    /// The types offered for a kind of claim: a workload's subscription only matters for use or consume.
    public static func offered(for kind: ClaimKind) -> [CustomerIDType] {
        kind == .useOrConsume ? [.subscription, .existing] : [.domain, .tenant, .existing]
    }
}

/// The rules of Add customer that need no database: the shape of customer ids, and whether the
/// contacts' email addresses belong to the customer's domain.
public enum CustomerIntake {
    /// A domain as people type it ("https://www.Contoso.com/", "contoso.com") made canonical ("contoso.com"),
    /// or nil when it can't be a domain name.
    public static func domain(_ raw: String) -> String? {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) { text.removeFirst(scheme.count) }
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        if text.hasPrefix("www.") { text.removeFirst(4) }
        if text.hasSuffix(".") { text.removeLast() }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.count <= 253, labels.count >= 2,
              labels.allSatisfy({ label in
                  (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                      && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
              }),
              labels.last!.allSatisfy(\.isLetter) else { return nil }
        return text
    }

    /// A directory id (tenant or subscription): a GUID, lower-cased; nil when it isn't one.
    public static func guid(_ raw: String) -> String? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            .trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12], groups.allSatisfy({ $0.allSatisfy(\.isHexDigit) }) else { return nil }
        return text
    }

    /// The domain of an email address ("ada@it.contoso.com" → "it.contoso.com").
    public static func emailDomain(_ email: String) -> String? {
        email.split(separator: "@").last.map { $0.lowercased() }
    }

    /// The contacts whose address is not at the customer's domain or one of its subdomains. A partner may
    /// still add them (a consultant, a parent company) but must say why.
    public static func foreignContacts(_ contacts: [Contact], customerDomain: String?) -> [Contact] {
        guard let customerDomain else { return [] }
        return contacts.filter { contact in
            guard let domain = emailDomain(contact.email) else { return true }
            return domain != customerDomain && !domain.hasSuffix("." + customerDomain)
        }
    }
}

/// Whether a customer could be claimed on one engagement from one location, and if not, why, in words.
public struct ClaimOption: Sendable, Hashable {
    public var engagementID: Int64
    /// Nil when it can be claimed; otherwise the first reason it can't.
    public var refusal: String?
    /// Use or consume: another partner already claims the same subscription; the claim is accepted and
    /// a reviewer arbitrates.
    public var competing: Bool
    /// What the partner should know before committing: the cap, the per-customer limit, a payee problem.
    public var notes: [String]

    public var isOpen: Bool { refusal == nil }

    /// Decides from the facts, in the order a partner would check them.
    public static func decide(engagement: Engagement, location: LocationEligibility?, market: Market, standing: CustomerStanding,
                              otherPartnersActive: Int, earnedOnEngagement: Money?, at now: Date) -> ClaimOption {
        var notes: [String] = []
        let version = engagement.version(inForceAt: now)
        if let rate = version.rates.rate(for: market) {
            notes.append(version.payModel == .variable ? "Pays \(rate) per hour\(version.maxHours.map { ", at most \($0) hours" } ?? "")" : "Pays \(rate)")
        }
        notes.append("At most \(engagement.activeClaimsPerCustomer) active claim\(engagement.activeClaimsPerCustomer == 1 ? "" : "s") per customer, across partners")
        var capReached = false
        if let cap = engagement.earningsCap {
            let earned = earnedOnEngagement ?? .zero(cap.currency)
            let left = cap - earned
            capReached = left.amount <= 0
            notes.append("Cap \(cap) per location; \(capReached ? "nothing" : "\(left)") left")
        }
        func refuse(_ why: String) -> ClaimOption {
            ClaimOption(engagementID: engagement.id, refusal: why, competing: false, notes: notes)
        }
        if let why = engagement.refusalToClaim(at: now) { return refuse(why) }
        guard let location, !location.criteria.isEmpty else { return refuse("This location is not on the engagement's eligibility list.") }
        guard location.isEnrolled else { return refuse("This location is not enrolled in the program.") }
        guard location.isEligible else { return refuse("This location does not meet every partner criterion of the engagement.") }
        guard version.rates.rate(for: market) != nil else { return refuse("The engagement pays nothing in \(market.label), where this location is.") }
        if capReached { return refuse("The location has reached the engagement's earnings cap.") }
        if !location.payee.isComplete(at: now) {
            notes.append("This location has no approved bank profile or valid tax profile yet: claims are paid only once it has")
        }
        // Use or consume: one partner of record per workload. Another partner's claim doesn't stop this one;
        // a reviewer decides between them.
        var competing = false
        var standing = standing
        if engagement.role == .useOrConsume && otherPartnersActive > 0 {
            competing = true
            standing.consentedWithAnotherPartner = false
            standing.activeClaims -= otherPartnersActive
        }
        switch standing.eligibility(limit: engagement.activeClaimsPerCustomer) {
        case .complete: return refuse("You already completed this engagement with this customer.")
        case .ineligible(.criteriaNotMet) where standing.unmetCriterion != nil:
            let words = standing.unmetCriterion ?? ""
            return refuse("Not eligible: \(words)\(words.hasSuffix(".") ? "" : ".")")
        case .ineligible(let reason): return refuse("Not eligible: \(reason.description).")
        case .eligible:
            if standing.activeClaimsWithThisPartner > 0 { return refuse("You already have an open claim on this customer for this engagement.") }
        }
        if competing { notes.append("Another partner already claims this subscription: a reviewer will decide which claim stands") }
        return ClaimOption(engagementID: engagement.id, refusal: nil, competing: competing, notes: notes)
    }
}
