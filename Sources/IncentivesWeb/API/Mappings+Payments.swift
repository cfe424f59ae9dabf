import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore

// The contract's payment types made from the store's values. Account numbers leave only masked: the full ones are in the bank
// files, whose every download is in the run's history.

extension Components.Schemas.PaymentStatus {
    init(_ status: PaymentStatus) {
        self = switch status {
        case .unprocessed: .unprocessed
        case .upcoming: .upcoming
        case .inProgress: .inProgress
        case .sent: .sent
        case .paid: .paid
        case .failed: .failed
        case .reversed: .reversed
        case .forfeited: .forfeited
        }
    }
}

extension Components.Schemas.PaymentRun {
    init(_ r: PaymentRunSummary) {
        self.init(id: r.id, reference: r.reference, cutoff: r.cutoff, status: .init(rawValue: r.status.rawValue) ?? .canceled, version: r.version,
                  createdAt: r.createdAt, createdBy: r.createdBy, approvedAt: r.approvedAt, approvedBy: r.approvedBy, exportedAt: r.exportedAt,
                  sentAt: r.sentAt, completedAt: r.completedAt, canceledAt: r.canceledAt, totals: r.totals.map { .init($0) }, payees: r.payees)
    }
}

extension Components.Schemas.PaymentRunLine {
    init(_ l: PaymentRunLine) {
        self.init(id: l.id, locationId: l.locationID, locationName: l.locationName, organizationName: l.organizationName, amount: .init(l.amount),
                  earnings: l.earnings, creditorName: l.creditorName, creditorCountry: l.creditorCountry,
                  maskedAccountNumber: BankProfileSummary.mask(l.creditorAccount), creditorBic: l.creditorBIC, endToEndId: l.endToEndID,
                  status: .init(rawValue: l.status.rawValue) ?? .pending, failureReason: l.failureReason, settledAt: l.settledAt,
                  settledBy: l.settledBy)
    }
}

extension Components.Schemas.PaymentRunDetail {
    init(_ d: PaymentRunDetail) {
        self.init(run: .init(d.run), lines: d.lines.map { .init($0) },
                  holds: d.holds.map { h in
                      .init(locationId: h.locationID, locationName: h.locationName, organizationName: h.organizationName, amount: .init(h.amount),
                            earnings: h.earnings, reason: .init(rawValue: h.reason.rawValue) ?? .noBankProfile, reasonLabel: h.reason.label)
                  },
                  history: d.history.map { .init(at: $0.at, action: $0.action, actor: $0.actor, note: $0.note) })
    }
}

extension Components.Schemas.Remittance {
    init(_ r: Remittance) {
        self.init(runId: r.runID, reference: r.reference, runStatus: .init(rawValue: r.runStatus.rawValue) ?? .canceled, sentAt: r.sentAt,
                  locationId: r.locationID, locationName: r.locationName, organizationName: r.organizationName,
                  lines: r.lines.map { .init(amount: .init($0.amount), endToEndId: $0.endToEndID,
                                             status: .init(rawValue: $0.status.rawValue) ?? .pending, failureReason: $0.failureReason) },
                  items: r.items.map { i in
                      .init(earningId: i.earningID, kind: i.kind == .reversal ? .reversal : .earning, claimId: i.claimID, claimName: i.claimName,
                            engagementName: i.engagementName, engagementVersion: i.engagementVersion, market: i.market.rawValue,
                            rate: .init(i.rate), hours: i.hours.map { "\($0)" }, amount: .init(i.amount))
                  })
    }
}

extension Components.Schemas.RemittanceSummary {
    init(_ r: RemittanceSummary) {
        self.init(runId: r.runID, reference: r.reference, sentAt: r.sentAt, locationId: r.locationID, locationName: r.locationName,
                  totals: r.totals.map { .init($0) }, statuses: r.statuses.map { .init(rawValue: $0.rawValue) ?? .pending })
    }
}

extension Components.Schemas.PaymentSettings {
    init(_ s: PaymentSettings) {
        self.init(reversalWindowDays: s.reversalWindowDays, paymentLimitDays: s.paymentLimitDays, payerName: s.payerName,
                  maskedPayerIban: s.payerIBAN.map(BankProfileSummary.mask), payerBic: s.payerBIC, canExport: s.hasPayerAccount)
    }
}
