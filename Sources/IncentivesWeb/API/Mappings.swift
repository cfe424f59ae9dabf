import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore

// The contract's types made from the program's values: one initializer per schema, kept apart from the operations
// (one small function per value also keeps the optimizer's work small).

extension Components.Schemas.Me {
    init(_ caller: APICaller) {
        let viewer = caller.viewer
        var locations: [Components.Schemas.Me.LocationsPayloadPayload] = []
        for (id, roles) in viewer.locationRoles.sorted(by: { $0.key < $1.key }) {
            locations.append(.init(id: id, roles: roles.sorted().map(\.rawValue)))
        }
        let scope: Components.Schemas.Me.TokenPayload.ScopePayload = caller.token.scope == .read ? .read : .write
        let token = Components.Schemas.Me.TokenPayload(id: caller.token.id, name: caller.token.name, scope: scope)
        let side: Components.Schemas.Me.SidePayload = viewer.vendorRole == nil ? .partner : .vendor
        self.init(id: viewer.userID, email: viewer.email, name: viewer.name, side: side, organizationId: viewer.organizationID,
                  organizationName: viewer.organizationName, vendorRole: viewer.vendorRole?.rawValue, locations: locations, token: token)
    }
}

extension Components.Schemas.SolutionArea {
    init(_ area: SolutionArea) { self.init(id: area.id, code: area.code, name: area.name) }
}

extension Components.Schemas.Money {
    init(_ money: Money) { self.init(amount: money.plainText, currency: money.currency.code) }
}

extension Components.Schemas.EngagementVersion {
    init(_ v: EngagementVersion) {
        let rate = { (d: Decimal?) in d.map { Money($0, v.rates.currency).plainText } }
        self.init(
            number: v.number, effectiveFrom: v.effectiveFrom, payModel: v.payModel.rawValue,
            rates: .init(currency: v.rates.currency.code, a: rate(v.rates.a), b: rate(v.rates.b), c: rate(v.rates.c)),
            maxHours: v.maxHours.map { "\($0)" }, description: v.description, partnerCriteria: v.partnerCriteria,
            customerCriteria: v.customerCriteria.map(\.text),
            proofRequirements: v.proofRequirements.map { .init(kind: $0.kind.rawValue, description: $0.description) },
            resourceLinks: v.resourceLinks.map { .init(title: $0.title, url: $0.url) },
            deadlineDays: .init(consent: v.deadlines.consentDays, submission: v.deadlines.submissionDays,
                                review: v.deadlines.reviewDays, dispute: v.deadlines.disputeDays))
    }
}

extension Components.Schemas.EngagementSummary {
    init(_ e: EngagementStanding, at now: Date) {
        let earning = e.earningLocations(at: now)
        self.init(id: e.id, name: e.name, solutionArea: .init(e.solutionArea), role: e.role.rawValue, _type: e.type.rawValue,
                  status: e.status.rawValue, lastClaimDay: e.lastClaimDay?.text, activeClaimsPerCustomer: e.activeClaimsPerCustomer,
                  earningLocations: earning.earning, enrolledLocations: earning.enrolled, activeCustomers: e.activeCustomers,
                  eligibleCustomers: e.eligibleCustomers, eligibleCustomersAtLeast: e.eligibleCustomersAtLeast)
    }
}

extension Components.Schemas.EngagementDetail {
    init(_ detail: EngagementDetail, at now: Date) {
        let e = detail.engagement
        self.init(id: e.id, name: e.name, solutionArea: .init(detail.solutionArea), role: e.role.rawValue, _type: e.type.rawValue,
                  status: e.status.rawValue, lastClaimDay: e.lastClaimDay?.text, activeClaimsPerCustomer: e.activeClaimsPerCustomer,
                  earningsCap: e.earningsCap.map { .init(amount: $0.plainText, currency: $0.currency.code) },
                  currentVersion: e.version(inForceAt: now).number, versions: e.versions.map { .init($0) },
                  eligibility: detail.locations.compactMap { .init($0, on: e.id, at: now) })
    }
}

extension Components.Schemas.LocationEligibility {
    /// The location's standing on one engagement; nil when it is not on the engagement's eligibility list.
    init?(_ standing: LocationStanding, on engagementID: Int64, at now: Date) {
        guard let on = standing.engagements[engagementID] else { return nil }
        self.init(locationId: standing.location.id, locationName: standing.location.name, enrollment: on.enrollment?.rawValue,
                  eligible: on.isEligible, payeeComplete: on.payee.isComplete(at: now), earning: on.isEarning(at: now),
                  criteria: on.criteria.map { .init(criterion: $0.criterion, met: $0.met, expiresOn: $0.expiresOn?.description) },
                  problems: on.problems(at: now))
    }
}

extension Components.Schemas.Location {
    /// - Parameters:
    ///   - programID: the program whose enrollment and earning the location is described for; nil before there is one.
    init(_ s: LocationStanding, programID: Int64?, at now: Date) {
        self.init(id: s.location.id, name: s.location.name, country: s.location.country, market: s.location.market.rawValue,
                  organizationName: s.organizationName, enrollment: programID.flatMap { s.enrollments[$0] }?.rawValue,
                  bankProfileStatus: s.payee.bankStatus?.rawValue, taxProfileValid: s.taxProfileIsValid(at: now),
                  earningEngagements: s.earningEngagements(at: now),
                  notEarningReason: programID.flatMap { s.notEarningReason(in: $0, at: now) })
    }
}

extension Components.Schemas.PayeeProfiles {
    init(_ profiles: PayeeProfiles, at now: Date) {
        self.init(bankProfiles: profiles.bankProfiles.map { .init($0) }, taxProfiles: profiles.taxProfiles.map { .init($0, at: now) })
    }
}

extension Components.Schemas.Customer {
    init(_ c: Customer) { self.init(id: c.id, name: c.name, domain: c.domain, tenantId: c.tenantID) }
}

extension Components.Schemas.Earning {
    init(_ e: EarningLine) {
        self.init(id: e.id, claimId: e.claimID, claimName: e.claimName, engagementId: e.engagementID, engagementName: e.engagementName,
                  locationId: e.locationID, locationName: e.locationName, market: e.market.rawValue, engagementVersion: e.engagementVersion,
                  rate: .init(e.rate), hours: e.hours.map { "\($0)" }, amount: .init(e.amount), approvedAt: e.approvedAt,
                  paymentMonth: e.paymentMonth, paymentStatus: .init(e.paymentStatus))
    }
}

extension Components.Schemas.CatalogueEngagement {
    init(_ entry: CatalogueEntry) {
        let e = entry.engagement
        self.init(id: e.id, name: e.name, solutionArea: .init(entry.solutionArea), role: e.role.rawValue, _type: e.type.rawValue,
                  status: e.status.rawValue, lastClaimDay: e.lastClaimDay?.text, activeClaimsPerCustomer: e.activeClaimsPerCustomer,
                  versions: e.versions.map { .init($0) })
    }
}

extension Components.Schemas.HistoryEntry {
    init(_ h: ClaimHistoryEntry) {
        self.init(at: h.at, action: h.action.rawValue, actorName: h.actor.name, actorRole: h.actor.role.rawValue, side: h.side.rawValue,
                  fromStatus: h.from?.rawValue, toStatus: h.to.rawValue, note: h.note, reasonCode: h.codedReason)
    }
}

extension Components.Schemas.Comment {
    init(_ c: ClaimComment) { self.init(at: c.at, author: c.author, side: c.side.rawValue, body: c.body) }
}

extension Components.Schemas.Claim {
    /// Through the shared JSON shape that `ClaimJSON` writes for the claims list: one conversion, no second mapping to keep.
    init(_ claim: ClaimJSON) throws {
        var bytes: [UInt8] = []
        claim.write(to: &bytes)
        self = try APIClaimQuery.decoder.decode(Components.Schemas.Claim.self, from: Data(bytes))
    }
}
