import Foundation

/// A check of a customer criterion that the program makes itself, from data it holds (DOMAIN.md 7).
public enum ProgramCheck: Hashable, Sendable {
    /// The customer is recorded with the id the engagement needs: a subscription for use or consume, a domain or a
    /// tenant id for partner activities.
    case customerIDRecorded
    /// No other active claim on the customer for this engagement, any partner's.
    case noOtherActiveClaim
    /// No claim on this engagement for this customer approved in the last `months` months, any partner's.
    case noApprovedClaimWithin(months: Int)
    /// Every contact's email address is at the customer's domain (or a subdomain of it).
    case contactsAtCustomerDomain

    /// The months a vendor may give `noApprovedClaimWithin`.
    public static let months = 1...60
    /// The checks a form offers, in order (months as the form's default).
    public static let offered: [ProgramCheck] = [.customerIDRecorded, .noOtherActiveClaim, .noApprovedClaimWithin(months: 12),
                                                 .contactsAtCustomerDomain]

    /// Its name in stored JSON, the catalogue file and forms.
    public var code: String {
        switch self {
        case .customerIDRecorded: "customer_id_recorded"
        case .noOtherActiveClaim: "no_other_active_claim"
        case .noApprovedClaimWithin: "no_approved_claim_within"
        case .contactsAtCustomerDomain: "contacts_at_customer_domain"
        }
    }

    /// The check of a code, with its months when it takes some; nil for an unknown code or months outside `months`.
    public init?(code: String, months: Int?) {
        switch code {
        case "customer_id_recorded": self = .customerIDRecorded
        case "no_other_active_claim": self = .noOtherActiveClaim
        case "no_approved_claim_within":
            guard let months, Self.months.contains(months) else { return nil }
            self = .noApprovedClaimWithin(months: months)
        case "contacts_at_customer_domain": self = .contactsAtCustomerDomain
        default: return nil
        }
    }

    public var months: Int? { if case .noApprovedClaimWithin(let months) = self { months } else { nil } }

    /// The criterion's words when the vendor gives none.
    public var standardText: String {
        switch self {
        case .customerIDRecorded: "The customer's id is recorded (a subscription id for use or consume, a domain or tenant id otherwise)"
        case .noOtherActiveClaim: "No other active claim on this customer for this engagement"
        case .noApprovedClaimWithin(let months): "No approved claim on this engagement for this customer in the last \(months) months"
        case .contactsAtCustomerDomain: "Every customer contact's email address is at the customer's domain"
        }
    }
}

/// A customer criterion of an engagement version: its words, and who decides it.
public struct CustomerCriterion: Hashable, Sendable {
    public var text: String
    /// Nil: the reviewer confirms it (a checklist item in review).
    public var check: ProgramCheck?

    public init(_ text: String, check: ProgramCheck? = nil) { self.text = text; self.check = check }

    public static func reviewerConfirms(_ text: String) -> CustomerCriterion { CustomerCriterion(text) }
    public static func program(_ check: ProgramCheck, _ text: String) -> CustomerCriterion { CustomerCriterion(text, check: check) }

    public var isReviewerConfirmed: Bool { check == nil }
    public var decidedBy: String { check == nil ? "confirmed by the reviewer" : "checked by the program" }
    /// The criterion with who decides it, as a preview or a history line names it.
    public var summary: String { "\(text) (\(decidedBy))" }
}

/// Stored as a plain string (reviewer confirms: what every version held before criteria were typed) or as
/// `{"text": …, "check": code, "months": N}`.
extension CustomerCriterion: Codable {
    private enum Keys: String, CodingKey { case text, check, months }

    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) { self.init(text); return }
        let c = try decoder.container(keyedBy: Keys.self)
        let code = try c.decode(String.self, forKey: .check)
        guard let check = ProgramCheck(code: code, months: try c.decodeIfPresent(Int.self, forKey: .months)) else {
            throw DecodingError.dataCorruptedError(forKey: .check, in: c, debugDescription: "Unknown customer check \(code).")
        }
        self.init(try c.decode(String.self, forKey: .text), check: check)
    }

    public func encode(to encoder: any Encoder) throws {
        guard let check else { var c = encoder.singleValueContainer(); try c.encode(text); return }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(text, forKey: .text)
        try c.encode(check.code, forKey: .check)
        try c.encodeIfPresent(check.months, forKey: .months)
    }
}

/// What the program knows about a customer on one engagement when it decides its checks (gathered by the store).
public struct CriterionFacts: Hashable, Sendable {
    public var customer: Customer
    public var role: PartnerRole
    /// Active claims on the customer for the engagement, every partner's, the claim under review left out.
    public var otherActiveClaims: Int
    /// The newest approval of a claim on the engagement for the customer, any partner's, the claim under review left out.
    public var lastApproval: Date?
    /// The contacts' addresses; nil when none are known yet (the partner gives them with the claim).
    public var contactEmails: [String]?
    public var now: Date

    public init(customer: Customer, role: PartnerRole, otherActiveClaims: Int = 0, lastApproval: Date? = nil,
                contactEmails: [String]? = nil, now: Date) {
        self.customer = customer; self.role = role; self.otherActiveClaims = otherActiveClaims
        self.lastApproval = lastApproval; self.contactEmails = contactEmails; self.now = now
    }
}

/// A program check's answer: met or not, and why, in words for a reviewer.
public struct CheckResult: Hashable, Sendable {
    public var met: Bool
    public var why: String
}

extension ProgramCheck {
    /// The check decided from the facts, nothing else.
    public func evaluate(_ facts: CriterionFacts) -> CheckResult {
        switch self {
        case .customerIDRecorded:
            let fields = CustomerStanding.identifyingFields(for: facts.role)
            let recorded = fields.contains { !(facts.customer[$0] ?? "").isEmpty }
            let kind = facts.role == .useOrConsume ? "subscription id" : "domain or tenant id"
            return CheckResult(met: recorded, why: recorded ? "A \(kind) is recorded." : "No \(kind) is recorded for the customer.")
        case .noOtherActiveClaim:
            let n = facts.otherActiveClaims
            return CheckResult(met: n == 0, why: n == 0 ? "No other active claim." : "\(n) other active claim\(n == 1 ? "" : "s") on this customer.")
        case .noApprovedClaimWithin(let months):
            let since = Self.monthsBefore(facts.now, months)
            guard let last = facts.lastApproval, last >= since else {
                return CheckResult(met: true, why: "No claim approved since \(DayDate(since).text).")
            }
            return CheckResult(met: false, why: "A claim was approved on \(DayDate(last).text).")
        case .contactsAtCustomerDomain:
            guard let emails = facts.contactEmails else { return CheckResult(met: true, why: "Decided when contacts are given.") }
            let contacts = emails.map { Contact(name: "", title: "", email: $0) }
            let foreign = CustomerIntake.foreignContacts(contacts, customerDomain: facts.customer.domain)
            if facts.customer.domain == nil { return CheckResult(met: false, why: "The customer has no domain recorded.") }
            return CheckResult(met: foreign.isEmpty, why: foreign.isEmpty ? "Every contact is at \(facts.customer.domain ?? "")."
                : "\(foreign.map(\.email).joined(separator: ", ")) not at \(facts.customer.domain ?? "").")
        }
    }

    /// The same instant `months` calendar months earlier (UTC).
    public static func monthsBefore(_ date: Date, _ months: Int) -> Date {
        Calendar.utc.date(byAdding: .month, value: -months, to: date) ?? date
    }
}

extension Array where Element == CustomerCriterion {
    /// The items a reviewer confirms, with their index in the list (what the API and CLI name them by).
    public var reviewerItems: [(index: Int, criterion: CustomerCriterion)] {
        enumerated().filter { $0.element.isReviewerConfirmed }.map { ($0.offset, $0.element) }
    }

    public var programChecks: [ProgramCheck] { compactMap(\.check) }

    /// The first program check the facts fail, in the vendor's order; nil when every one is met.
    public func firstUnmet(_ facts: CriterionFacts) -> CustomerCriterion? {
        first { $0.check.map { !$0.evaluate(facts).met } ?? false }
    }
}

/// A criterion written as plain words is one the reviewer confirms, as in stored JSON.
extension CustomerCriterion: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}
