import Foundation

// Paying partners: the earnings ledger, payment runs and their rules. Pure: the store writes what these decide.

/// Whether an earning pays (an approved claim's amount) or takes back (a reversal after the earning entered a run).
public enum EarningKind: String, Sendable, Codable, CaseIterable {
    /// The earning of an approved claim: positive (or zero under a cap).
    case earning
    /// The negative earning that takes back an earning already in a run or paid; netted in the next run.
    case reversal
}

/// One append-only line of the earnings ledger. `amount` is always the earning's own amount (negative for a
/// reversal earning); `kind` says where that amount moved.
public enum LedgerKind: String, Sendable, Codable, CaseIterable {
    /// An approved claim's earning was written: the amount is owed (outstanding).
    case earned
    /// A negative earning was written to take back one already in a run or paid: outstanding, to be netted.
    case clawback
    /// Outstanding -> in a run (gathered into a draft run).
    case included
    /// In a run -> outstanding (the draft was canceled).
    case released
    /// The run was approved by a second vendor user (no move: the money stays in the run).
    case approved
    /// The run was sent to the bank (no move).
    case sent
    /// In a run -> paid (confirmed by hand or by the bank's file, or netted to zero).
    case paid
    /// In a run -> outstanding: the bank returned it; it waits for the next run.
    case failed
    /// Outstanding -> reversed: the claim was reversed before its earning entered a run.
    case reversed
    /// Outstanding -> forfeited: not paid within the program's limit.
    case forfeited

    public var label: String {
        switch self {
        case .earned: "Earned"
        case .clawback: "Reversal (to be netted)"
        case .included: "Included in a run"
        case .released: "Released from a canceled run"
        case .approved: "Run approved"
        case .sent: "Sent to the bank"
        case .paid: "Paid"
        case .failed: "Payment failed"
        case .reversed: "Reversed"
        case .forfeited: "Forfeited"
        }
    }
}

/// A ledger line as the replay reads it.
public struct LedgerEntry: Sendable, Hashable, Codable {
    public var kind: LedgerKind
    public var earningID: Int64
    public var engagementID: Int64
    public var locationID: Int64
    public var currency: Currency
    /// Minor units of the earning's amount (negative for a reversal earning).
    public var amountMinor: Int64

    public init(kind: LedgerKind, earningID: Int64, engagementID: Int64, locationID: Int64, currency: Currency, amountMinor: Int64) {
        self.kind = kind; self.earningID = earningID; self.engagementID = engagementID; self.locationID = locationID
        self.currency = currency; self.amountMinor = amountMinor
    }
}

/// Where an earning's money is, as the ledger knows it.
public enum LedgerBucket: String, Sendable, Hashable, Codable {
    case outstanding, inRun, paid, reversed, forfeited
}

/// Money by where it is, in minor units of one currency.
public struct LedgerBalance: Sendable, Hashable, Codable {
    /// Positive earnings written (approvals).
    public var earned: Int64 = 0
    /// Negative earnings written (reversals after a run), as a negative number.
    public var clawedBack: Int64 = 0
    public var reversed: Int64 = 0
    public var forfeited: Int64 = 0
    public var paid: Int64 = 0
    public var inRuns: Int64 = 0
    /// Outstanding positive earnings: due (or not yet due) for a run.
    public var payable: Int64 = 0
    /// Outstanding negative earnings: what a later run nets (carried forward), as a negative number.
    public var carried: Int64 = 0

    public init() {}

    /// What stands approved: earnings and reversals, less what was reversed before payment or forfeited.
    public var approved: Int64 { earned + clawedBack - reversed - forfeited }

    /// No cent created or lost: everything approved is paid, in a run, payable, or carried.
    public var reconciles: Bool { approved == paid + inRuns + payable + carried }

    mutating func add(_ amount: Int64, to bucket: LedgerBucket) {
        switch bucket {
        case .outstanding: if amount >= 0 { payable += amount } else { carried += amount }
        case .inRun: inRuns += amount
        case .paid: paid += amount
        case .reversed: reversed += amount
        case .forfeited: forfeited += amount
        }
    }

    /// An earning leaving outstanding leaves payable or carried by its own sign (not by the sign of its negation).
    mutating func remove(_ amount: Int64, from bucket: LedgerBucket) {
        guard bucket == .outstanding else { return add(-amount, to: bucket) }
        if amount >= 0 { payable -= amount } else { carried -= amount }
    }
}

/// A move the ledger refuses: it names an earning in the wrong place (a defect, never a user's input).
public struct LedgerReplayError: Error, Sendable, Hashable, CustomStringConvertible {
    public var earningID: Int64
    public var kind: LedgerKind
    public var from: LedgerBucket?
    public var description: String { "earning \(earningID): \(kind.rawValue) from \(from?.rawValue ?? "nowhere")" }
}

/// Rebuilds every balance from the ledger alone, in order.
public enum Ledger {
    /// The bucket each earning ends in, and the balance per (engagement, currency), by replaying `entries` in order.
    /// Throws when a line moves money from where the earning is not: the ledger then disagrees with itself.
    public static func replay(_ entries: some Sequence<LedgerEntry>) throws -> (buckets: [Int64: LedgerBucket], balances: [BalanceKey: LedgerBalance]) {
        var buckets: [Int64: LedgerBucket] = [:]
        var balances: [BalanceKey: LedgerBalance] = [:]
        for entry in entries {
            let key = BalanceKey(engagementID: entry.engagementID, currency: entry.currency)
            let here = buckets[entry.earningID]
            func move(from: LedgerBucket?, to: LedgerBucket) throws {
                guard here == from else { throw LedgerReplayError(earningID: entry.earningID, kind: entry.kind, from: here) }
                if let from { balances[key, default: .init()].remove(entry.amountMinor, from: from) }
                balances[key, default: .init()].add(entry.amountMinor, to: to)
                buckets[entry.earningID] = to
            }
            switch entry.kind {
            case .earned:
                try move(from: nil, to: .outstanding)
                balances[key, default: .init()].earned += entry.amountMinor
            case .clawback:
                try move(from: nil, to: .outstanding)
                balances[key, default: .init()].clawedBack += entry.amountMinor
            case .included: try move(from: .outstanding, to: .inRun)
            case .released, .failed: try move(from: .inRun, to: .outstanding)
            case .approved, .sent:
                guard here == .inRun else { throw LedgerReplayError(earningID: entry.earningID, kind: entry.kind, from: here) }
            case .paid: try move(from: .inRun, to: .paid)
            case .reversed:
                try move(from: .outstanding, to: .reversed)
            case .forfeited:
                try move(from: .outstanding, to: .forfeited)
            }
        }
        return (buckets, balances)
    }

    /// The bucket an earning's payment status puts it in: what the earnings table claims, to compare with the replay.
    public static func bucket(of status: PaymentStatus) -> LedgerBucket {
        switch status {
        case .unprocessed, .failed: .outstanding
        case .upcoming, .inProgress, .sent: .inRun
        case .paid: .paid
        case .reversed: .reversed
        case .forfeited: .forfeited
        }
    }
}

/// Balances are kept per engagement and currency: currencies are never added together.
public struct BalanceKey: Sendable, Hashable, Codable, Comparable {
    public var engagementID: Int64
    public var currency: Currency
    public init(engagementID: Int64, currency: Currency) { self.engagementID = engagementID; self.currency = currency }
    public static func < (a: Self, b: Self) -> Bool { (a.engagementID, a.currency.code) < (b.engagementID, b.currency.code) }
}

// MARK: - Payment runs

/// Where a payment run stands.
public enum PaymentRunStatus: String, Sendable, Codable, CaseIterable {
    /// Gathered at its cut-off; waits for a second vendor user's approval.
    case draft
    /// Approved by a second vendor user; its bank files may be exported.
    case approved
    /// Its bank files were downloaded.
    case exported
    /// Handed to the bank; partners were told. Each payee line is then confirmed paid or failed.
    case sent
    /// Every payee line is paid or failed.
    case completed
    /// A draft given up: its earnings went back to wait for the next run.
    case canceled

    public var label: String {
        switch self {
        case .draft: "Draft"
        case .approved: "Approved"
        case .exported: "Exported"
        case .sent: "Sent"
        case .completed: "Completed"
        case .canceled: "Canceled"
        }
    }

    /// What the earnings of a line show while the run stands here.
    public var earningStatus: PaymentStatus? {
        switch self {
        case .draft: .upcoming
        case .approved, .exported: .inProgress
        case .sent: .sent
        case .completed, .canceled: nil
        }
    }
}

/// Where one payee's line of a run stands.
public enum PaymentLineStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for the bank (or for the run to be sent).
    case pending
    case paid
    /// The bank returned it; its earnings wait for the next run.
    case failed
    /// Its earnings net to zero: settled when the run is sent, with no transfer.
    case netted

    public var label: String {
        switch self {
        case .pending: "Pending"
        case .paid: "Paid"
        case .failed: "Failed"
        case .netted: "Netted (no transfer)"
        }
    }
}

/// Why an earning due at a run's cut-off was not gathered.
public enum PaymentHoldReason: String, Sendable, Codable, CaseIterable {
    case noBankProfile = "no_bank_profile"
    case bankProfileAwaitingValidation = "bank_profile_pending"
    case bankProfileActionRequired = "bank_profile_action_required"
    case noTaxProfile = "no_tax_profile"
    case taxFormExpired = "tax_form_expired"
    /// The payee's earnings in a currency net below zero: carried forward to be netted against later earnings.
    case negativeNet = "negative_net"

    public var label: String {
        switch self {
        case .noBankProfile: "No bank profile chosen for the location"
        case .bankProfileAwaitingValidation: "Bank profile awaiting validation"
        case .bankProfileActionRequired: "Bank profile needs action"
        case .noTaxProfile: "No tax profile"
        case .taxFormExpired: "Tax form expired"
        case .negativeNet: "Reversals exceed earnings: carried forward"
        }
    }
}

extension PayeeStanding {
    /// Why a run may not pay the location on `day` (its cut-off), as a code; nil when payable. The same rule as
    /// `problem(at:)`: an approved bank profile and a tax profile valid on that day.
    public func hold(on day: DayDate) -> PaymentHoldReason? {
        switch bankStatus {
        case nil: return .noBankProfile
        case .pendingValidation: return .bankProfileAwaitingValidation
        case .actionRequired: return .bankProfileActionRequired
        case .approved: break
        }
        guard let taxExpiresOn else { return .noTaxProfile }
        return taxExpiresOn < day ? .taxFormExpired : nil
    }
}

/// An outstanding earning a run may gather.
public struct OutstandingEarning: Sendable, Hashable {
    public var id: Int64
    public var locationID: Int64
    public var currency: Currency
    public var amountMinor: Int64
    /// `YYYY-MM`: gathered when the cut-off's month has reached it. Reversal earnings are due at once.
    public var paymentMonth: String
    public var kind: EarningKind

    public init(id: Int64, locationID: Int64, currency: Currency, amountMinor: Int64, paymentMonth: String, kind: EarningKind) {
        self.id = id; self.locationID = locationID; self.currency = currency; self.amountMinor = amountMinor
        self.paymentMonth = paymentMonth; self.kind = kind
    }
}

/// What a run gathers for one payee and currency.
public struct PaymentRunLinePlan: Sendable, Hashable {
    public var locationID: Int64
    public var currency: Currency
    public var earningIDs: [Int64]
    public var amountMinor: Int64
    public var status: PaymentLineStatus { amountMinor == 0 ? .netted : .pending }
}

/// What was due and left out, for one payee and currency.
public struct PaymentRunHoldPlan: Sendable, Hashable {
    public var locationID: Int64
    public var currency: Currency
    public var earningIDs: [Int64]
    public var amountMinor: Int64
    public var reason: PaymentHoldReason
}

/// The draft of a run: lines to pay and holds to show.
public struct PaymentRunPlan: Sendable, Hashable {
    public var lines: [PaymentRunLinePlan]
    public var holds: [PaymentRunHoldPlan]

    /// Gathers every outstanding earning due at `cutoff` (its payment month reached), grouped by payee and currency.
    /// A payee that may not be paid is held with its reason; a payee whose earnings net below zero is held too, since a
    /// run never pays a negative total (the reversal is carried forward). Lines and holds come in (location, currency)
    /// order, and earnings in id order, so the same data always gives the same run.
    public static func gather(_ earnings: [OutstandingEarning], standings: [Int64: PayeeStanding], cutoff: DayDate) -> PaymentRunPlan {
        let month = String(format: "%04d-%02d", cutoff.year, cutoff.month)
        struct Key: Hashable, Comparable {
            var location: Int64; var currency: String
            static func < (a: Key, b: Key) -> Bool { (a.location, a.currency) < (b.location, b.currency) }
        }
        var groups: [Key: [OutstandingEarning]] = [:]
        for earning in earnings where isDue(paymentMonth: earning.paymentMonth, kind: earning.kind, cutoffMonth: month) {
            groups[Key(location: earning.locationID, currency: earning.currency.code), default: []].append(earning)
        }
        var plan = PaymentRunPlan(lines: [], holds: [])
        for key in groups.keys.sorted() {
            let group = groups[key]!.sorted { $0.id < $1.id }
            let ids = group.map(\.id)
            let total = group.reduce(Int64(0)) { $0 + $1.amountMinor }
            let currency = Currency(key.currency)
            if let reason = holdReason(netMinor: total, standing: standings[key.location], cutoff: cutoff) {
                plan.holds.append(.init(locationID: key.location, currency: currency, earningIDs: ids, amountMinor: total, reason: reason))
            } else {
                plan.lines.append(.init(locationID: key.location, currency: currency, earningIDs: ids, amountMinor: total))
            }
        }
        return plan
    }

    /// Whether an outstanding earning is due at a cut-off in `cutoffMonth` (`YYYY-MM`): its payment month reached, or a
    /// reversal (due at once).
    public static func isDue(paymentMonth: String, kind: EarningKind, cutoffMonth: String) -> Bool {
        kind == .reversal || paymentMonth <= cutoffMonth
    }

    /// Why a run gathered at `cutoff` holds a payee's net in one currency, nil when it pays it: a payee that may not be
    /// paid (no standing known is no bank profile), or a net below zero (a run never pays a negative total).
    public static func holdReason(netMinor: Int64, standing: PayeeStanding?, cutoff: DayDate) -> PaymentHoldReason? {
        if let reason = (standing ?? PayeeStanding(bankStatus: nil, taxExpiresOn: nil)).hold(on: cutoff) { return reason }
        return netMinor < 0 ? .negativeNet : nil
    }
}

/// The rules of runs that are about people, not money.
public enum PaymentRunRules {
    /// Four eyes: the vendor user who gathered a run may not approve it.
    public static func approvalProblem(createdBy creator: Int64?, approver: Int64?) -> String? {
        guard let approver else { return "A run is approved by a signed-in vendor user." }
        if creator == approver {
            return "You gathered this run, so another program manager must approve it (four eyes)."
        }
        return nil
    }

    /// A run's reference: `PR-` and its number, six digits, which also starts every EndToEndId of its bank files.
    public static func reference(number: Int64) -> String { String(format: "PR-%06lld", number) }

    /// One payee line's EndToEndId (at most 35 characters): the run's reference and the line's number in the run.
    public static func endToEndID(reference: String, line: Int) -> String { "\(reference)-\(String(format: "%04d", line))" }

}

extension TextRule {
    /// Why the bank returned a payment: shown to the partner, whose bank profile then needs action.
    public static let paymentFailureReason = TextRule(label: "The reason", maxLength: 500, required: true,
                                                      missing: "Say why the payment failed (the bank's reason), so the partner can fix it.")
    /// What a reviewer writes beside the coded reason of a reversal; the partner reads it.
    public static let reversalNote = TextRule(label: "The note", maxLength: ClaimNote.maxLength, required: true, multiline: true,
                                              missing: "Explain the reversal to the partner.")
}

/// Why a reviewer reverses an approved claim; the code is what reports group by.
public enum ReversalReason: String, Sendable, Codable, CaseIterable {
    case duplicateClaim = "duplicate_claim"
    case customerIneligible = "customer_ineligible"
    case proofInvalid = "proof_invalid"
    case activityNotDelivered = "activity_not_delivered"
    case fraudSuspected = "fraud_suspected"
    case other

    public var label: String {
        switch self {
        case .duplicateClaim: "Duplicate claim"
        case .customerIneligible: "Customer found ineligible"
        case .proofInvalid: "Proof of execution found invalid"
        case .activityNotDelivered: "Activity not delivered"
        case .fraudSuspected: "Suspected fraud"
        case .other: "Other"
        }
    }
}

/// A payment step the program's rules refuse now (the run's status, four eyes, a changed bank profile), in words.
public struct PaymentRefusal: Error, Hashable, Sendable, DomainRefusal {
    public var message: String
    public var field: String?

    public init(_ message: String, field: String? = nil) { self.message = message; self.field = field }

    public var description: String { message }
    public var refusedInput: String? { field }
}

/// The program's payment rules and the account its bank files pay from.
public struct PaymentSettings: Sendable, Hashable, Codable {
    /// Days after approval within which a reviewer may reverse a claim.
    public var reversalWindowDays: Int
    /// Days after approval after which an earning still unpaid is forfeited.
    public var paymentLimitDays: Int
    public var payerName: String?
    public var payerIBAN: String?
    public var payerBIC: String?

    public init(reversalWindowDays: Int = 180, paymentLimitDays: Int = 365, payerName: String? = nil, payerIBAN: String? = nil,
                payerBIC: String? = nil) {
        self.reversalWindowDays = reversalWindowDays; self.paymentLimitDays = paymentLimitDays
        self.payerName = payerName; self.payerIBAN = payerIBAN; self.payerBIC = payerBIC
    }

    /// Whether a pain.001 file can name its debtor.
    public var hasPayerAccount: Bool { payerName != nil && payerIBAN != nil && payerBIC != nil }

    /// Checks what a program manager typed; every problem by its field. An empty payer account is allowed (bank files
    /// then can't be exported, and the payments page says so); a partial one is not.
    public static func checked(reversalWindowDays: String, paymentLimitDays: String, payerName: String, payerIBAN: String,
                               payerBIC: String) -> Result<PaymentSettings, BankDetailsErrors> {
        var problems: [String: String] = [:]
        func days(_ raw: String, field: String, label: String) -> Int {
            guard let n = Int(raw.trimmingCharacters(in: .whitespaces)), (1...3650).contains(n) else {
                problems[field] = "\(label) is a whole number of days from 1 to 3650."
                return 0
            }
            return n
        }
        let window = days(reversalWindowDays, field: "reversal_window_days", label: "The reversal window")
        let limit = days(paymentLimitDays, field: "payment_limit_days", label: "The payment limit")
        if limit > 0 && window > 0 && limit < Pricing.paymentCycleDays {
            problems["payment_limit_days"] = "The payment limit must leave time for the \(Pricing.paymentCycleDays)-day payment cycle."
        }
        let name = TextRule.payerName.problem(with: payerName).map { problems["payer_name"] = $0 } == nil
            ? payerName.trimmingCharacters(in: .whitespacesAndNewlines) : ""
        let iban = IBAN.normalize(payerIBAN)
        let bic = SwiftBIC.normalize(payerBIC)
        let given = [name, iban, bic].filter { !$0.isEmpty }.count
        if given > 0 && given < 3 {
            if name.isEmpty && problems["payer_name"] == nil { problems["payer_name"] = "Enter the paying account holder's name." }
            if iban.isEmpty { problems["payer_iban"] = "Enter the paying account's IBAN." }
            if bic.isEmpty { problems["payer_bic"] = "Enter the paying bank's BIC." }
        }
        if !iban.isEmpty, let problem = IBAN.problem(iban, country: String(iban.prefix(2))) { problems["payer_iban"] = problem }
        if !bic.isEmpty, let problem = SwiftBIC.problem(bic, country: iban.isEmpty ? String(bic.dropFirst(4).prefix(2)) : String(iban.prefix(2))) {
            problems["payer_bic"] = problem
        }
        guard problems.isEmpty else { return .failure(BankDetailsErrors(byField: problems)) }
        return .success(PaymentSettings(reversalWindowDays: window, paymentLimitDays: limit, payerName: name.isEmpty ? nil : name,
                                        payerIBAN: iban.isEmpty ? nil : iban, payerBIC: bic.isEmpty ? nil : bic))
    }
}

extension TextRule {
    /// The name of the account a run pays from, as the bank file names its debtor (pain.001 allows 140).
    public static let payerName = TextRule(label: "The account holder's name", maxLength: 140)
}
