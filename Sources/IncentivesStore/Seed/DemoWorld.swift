import Foundation
import IncentivesDomain
import SQLKit

/// The demo program in memory: what the claim generators draw from.
struct DemoWorld {
    struct Place {
        var location: Location
        /// Engagements this location may claim on (on the list, every criterion met, not upcoming).
        var engagements: [Engagement]
        var admin: Actor
        var user: Actor?
    }

    var engagements: [Engagement]
    var areaOf: [Int64: Int64]
    var calendar: WorkingCalendar
    var places: [Place]
    var customersByOrganization: [Int64: [Customer]]
    var reviewer: Actor
    var summary = SeedSummary()

    // MARK: Writing the demo

    static func write(on sql: any SQLDatabase, now: Date, random: inout SeededRandom, passwordHash: String) async throws -> DemoWorld {
        var summary = SeedSummary()
        let today = DayDate(now)
        let holidayDays = [today.adding(days: 29), today.adding(days: 36)]
        let calendar = WorkingCalendar(weekend: [1, 7], holidays: Set(holidayDays))

        // The program as a catalogue file would hold it, written by the import's own code (`CatalogueFile.apply`).
        let planned = DemoCatalogue.engagements.enumerated().map { i, spec in engagement(Int64(i + 1), spec, now: now) }
        var document = CatalogueDocument(
            program: .init(name: "Partner Incentives Program", managerName: "Casey Kim", managerEmail: "incentives-team@vendor.example",
                           calendar: calendar),
            areas: DemoCatalogue.areas.enumerated().map { .init(code: $1.0, name: $1.1, position: $0) },
            engagements: planned.map { e in
                let files = templateFiles(e, now: now)
                return .init(name: e.name, area: DemoCatalogue.areas[Int(e.solutionAreaID) - 1].0, role: e.role,
                             lifecycle: e.status == .closed ? .closed : .published, status: e.status, opensOn: nil, closesAfter: nil,
                             versions: e.versions.map { v in
                                 .init(number: v.number, isDraft: false, effectiveFrom: v.effectiveFrom, publishedAt: nil, publishedBy: nil,
                                       terms: EngagementTerms(v, of: e), templateRefs: files.refs[v.number] ?? [:])
                             },
                             templateFiles: files.files)
            })
        // Partners and each location's list entries, drawn in the order the demo has always drawn them (tax id, then
        // criteria), so the same seed gives the same data.
        var taxNumbers: [Int] = []
        var claimableNames: [[String]] = []
        for (o, org) in DemoCatalogue.organizations.enumerated() {
            document.partners.append(.init(name: org.name, since: now.adding(calendarDays: -800), deactivated: nil,
                                           locations: org.locations.map { .init(name: $0.name, country: $0.country, deactivated: nil,
                                                                                enrollment: $0.enrollment) }))
            for spec in org.locations {
                taxNumbers.append(100_000 + random.int(0...899_999))
                var claimable: [String] = []
                for (index, engagement) in planned.enumerated() {
                    // Kestrel is not on the business applications lists: those engagements stay hidden for it.
                    if o == 2 && engagement.solutionAreaID == 3 { continue }
                    let criteria = engagement.currentVersion.partnerCriteria.map { criterion in
                        CatalogueDocument.CriterionResult(criterion: criterion, status: random.chance(0.1) ? .notMet : .met, expiresOn: nil,
                                                          evidence: nil, setBy: nil, setAt: nil)
                    }
                    document.engagements[index].eligibility.append(.init(partner: org.name, location: spec.name,
                                                                         listedAt: now.adding(calendarDays: -30), listedBy: "Demo data",
                                                                         criteria: criteria))
                    if criteria.allSatisfy({ $0.status == .met }) && engagement.status != .upcoming
                        && engagement.currentVersion.rates.rate(for: Market(country: spec.country)) != nil {
                        claimable.append(engagement.name)
                    }
                }
                claimableNames.append(claimable)
            }
        }
        try await CatalogueFile.apply(document, actor: "Demo data", at: now, on: sql)
        summary.engagements = planned.count

        // What the import wrote, read back by name: the claims are drawn on the stored engagements.
        var engagements: [Engagement] = [], byName: [String: Engagement] = [:], areaOf: [Int64: Int64] = [:]
        for id in try await sql.raw("SELECT id FROM engagements ORDER BY id").all(decodingColumn: "id", as: Int64.self) {
            guard let e = try await CatalogueRepository.engagement(id, on: sql) else { continue }
            engagements.append(e); byName[e.name] = e; areaOf[id] = e.solutionAreaID
        }

        // The partners' own records, which no catalogue holds: bank and tax profiles.
        var places: [Place] = []
        var bankID: Int64 = 0
        for org in DemoCatalogue.organizations {
            let organizationID = try await sql.raw("SELECT id FROM organizations WHERE name = \(bind: org.name)")
                .first(decodingColumn: "id", as: Int64.self) ?? 0
            var banks: [Int64] = []
            for bank in org.banks {
                bankID += 1
                banks.append(bankID)
                let created = now.adding(calendarDays: -bank.createdDaysAgo)
                try await sql.raw("""
                    INSERT INTO bank_profiles (id, organization_id, holder_name, bank_name, country, account_number, swift_bic,
                      status, status_reason, replaced_by, created_at, updated_at)
                    VALUES (\(bind: bankID), \(bind: organizationID), \(bind: org.name), \(bind: bank.bank), \(bind: bank.country), \(bind: bank.iban),
                      \(bind: bank.bic), \(bind: bank.status.rawValue), NULL, NULL, \(bind: created), \(bind: created))
                    """).run()
            }
            for spec in org.locations {
                guard let location = try await locationNamed(org.name, spec.name, on: sql) else { continue }
                try await sql.raw("UPDATE locations SET bank_profile_id = \(bind: banks[spec.bank]) WHERE id = \(bind: location.id)").run()
                try await sql.raw("""
                    INSERT INTO tax_profiles (id, location_id, country, form, tax_id, expires_on, created_at)
                    VALUES (\(bind: Int64(places.count + 1)), \(bind: location.id), \(bind: spec.country), \(bind: spec.country == "US" ? "W-9" : "W-8BEN-E"),
                      \(bind: "\(spec.country)-\(taxNumbers[places.count])"), \(bind: today.adding(days: spec.taxExpiresInDays).description),
                      \(bind: now.adding(calendarDays: -300)))
                    """).run()
                places.append(Place(location: location, engagements: claimableNames[places.count].compactMap { byName[$0] },
                                    admin: Actor(role: .incentivesAdmin, name: "admin"), user: nil))
            }
            summary.organizations += 1
        }
        summary.locations = places.count

        // People: demo sign-ins with per-location roles.
        var reviewer = Actor(role: .reviewer, name: "Reviewer")
        for (u, spec) in DemoCatalogue.users.enumerated() {
            let userID = Int64(u + 1)
            let orgID = spec.organization.map { Int64($0 + 1) }
            try await sql.raw("""
                INSERT INTO users (id, email, name, password_hash, organization_id, vendor_role, created_at, time_zone, demo)
                VALUES (\(bind: userID), \(bind: spec.email), \(bind: spec.name), \(bind: passwordHash), \(bind: orgID),
                  \(bind: spec.vendorRole?.rawValue), \(bind: now.adding(calendarDays: -400)), \(bind: spec.timeZone), \(bind: true))
                """).run()
            if let vendorRole = spec.vendorRole {
                if vendorRole == .reviewer { reviewer = Actor(role: .reviewer, userID: userID, name: spec.name) }
                continue
            }
            guard let orgID, let role = spec.role else { continue }
            let orgPlaces = places.indices.filter { places[$0].location.organizationID == orgID }
            let held = spec.locations.map { $0.map { orgPlaces[$0] } } ?? orgPlaces
            for index in held {
                try await sql.raw("""
                    INSERT INTO user_location_roles (user_id, location_id, role)
                    VALUES (\(bind: userID), \(bind: places[index].location.id), \(bind: role.rawValue))
                    """).run()
                // The demo's partner admins also manage their organization's users.
                if role == .incentivesAdmin {
                    try await sql.raw("""
                        INSERT INTO user_location_roles (user_id, location_id, role)
                        VALUES (\(bind: userID), \(bind: places[index].location.id), \(bind: LocationRole.accountAdmin.rawValue))
                        """).run()
                }
                let actor = Actor(role: role, userID: userID, name: spec.name)
                if role == .incentivesAdmin { places[index].admin = actor } else { places[index].user = actor }
            }
        }
        summary.users = DemoCatalogue.users.count

        // Customers, each usually served by one partner.
        var customersByOrganization: [Int64: [Customer]] = [:]
        var customers: [Customer] = []
        for k in 0..<75 {
            let stem = DemoCatalogue.customerStems[k % 25], trade = DemoCatalogue.customerTrades[(k * 7 + k / 25) % 10]
            let name = "\(stem) \(trade)"
            let customer = Customer(id: Int64(k + 1), name: name, domain: "\(stem)\(trade)".lowercased() + ".example",
                                    tenantID: random.uuid(), topParentID: nil,
                                    subscriptionID: k % 3 == 0 ? random.uuid() : nil,
                                    opportunityID: k % 5 == 0 ? "OPP-\(400_000 + k * 37)" : nil)
            customers.append(customer)
            let org: Int64 = [1, 1, 2, 3][k % 4]
            customersByOrganization[org, default: []].append(customer)
        }
        try await insertCustomers(customers, on: sql, now: now)
        summary.customers = customers.count

        return DemoWorld(engagements: engagements, areaOf: areaOf, calendar: calendar, places: places,
                         customersByOrganization: customersByOrganization, reviewer: reviewer, summary: summary)
    }

    /// A demo engagement as its spec describes it, with its versions.
    static func engagement(_ id: Int64, _ spec: DemoCatalogue.EngagementSpec, now: Date) -> Engagement {
        let today = DayDate(now)
        let currency = Currency.usd
        func version(_ number: Int, from: Date, rates: (Decimal?, Decimal?, Decimal?)) -> EngagementVersion {
            EngagementVersion(
                number: number, effectiveFrom: from, payModel: spec.pay,
                rates: MarketRates(currency: currency, a: rates.0, b: rates.1, c: rates.2), maxHours: spec.maxHours,
                deadlines: .standard(for: spec.type),
                description: "\(spec.name): a \(spec.type.label.lowercased()) engagement in which the partner "
                    + (spec.role == .useOrConsume ? "becomes the customer's partner of record for the workload and drives its usage."
                                                  : "delivers to the customer and documents the findings and next steps."),
                partnerCriteria: DemoCatalogue.partnerCriteria(area: spec.area),
                customerCriteria: DemoCatalogue.customerCriteria(role: spec.role),
                proofRequirements: DemoCatalogue.proof(type: spec.type, role: spec.role, engagement: spec.name),
                resourceLinks: [ResourceLink(title: "Delivery guide", url: "https://partners.example/guides/\(id)"),
                                ResourceLink(title: "Frequently asked questions", url: "https://partners.example/faq")])
        }
        var versions = [version(1, from: now.adding(calendarDays: -720), rates: spec.earlier?.rates ?? spec.rates)]
        if let earlier = spec.earlier { versions.append(version(2, from: now.adding(calendarDays: -earlier.daysAgo), rates: spec.rates)) }
        return Engagement(
            id: id, programID: 1, solutionAreaID: Int64(spec.area), name: spec.name, role: spec.role, type: spec.type,
            status: spec.status, lastClaimDay: spec.lastClaimInDays.map { today.adding(days: $0) } ?? (spec.status == .closed ? today.adding(days: -20) : nil),
            activeClaimsPerCustomer: spec.perCustomer, earningsCap: spec.cap.map { Money($0, currency) }, versions: versions)
    }

    /// A location by its organization's and its own name.
    static func locationNamed(_ organization: String, _ name: String, on sql: any SQLDatabase) async throws -> Location? {
        let id = try await sql.raw("""
            SELECT l.id FROM locations l JOIN organizations o ON o.id = l.organization_id
            WHERE o.name = \(bind: organization) AND l.name = \(bind: name)
            """).first(decodingColumn: "id", as: Int64.self)
        guard let id else { return nil }
        return try await ClaimRepository.location(id, on: sql)
    }

    /// A real file to download for each version's findings-document template: the text the named template generates, as a
    /// vendor would upload it (the import keeps it through the upload's rules).
    static func templateFiles(_ e: Engagement, now: Date) -> (files: [CatalogueDocument.TemplateFile], refs: [Int: [ProofRequirement.Kind: String]]) {
        var files: [CatalogueDocument.TemplateFile] = [], refs: [Int: [ProofRequirement.Kind: String]] = [:]
        for v in e.versions {
            guard let generated = ProofTemplate(e, version: v, kind: .findingsDocument) else { continue }
            let ref = "t\(files.count + 1)"
            files.append(.init(ref: ref, kind: .findingsDocument, fileName: generated.fileName, uploadedBy: "Demo program manager",
                               uploadedAt: v.effectiveFrom, bytes: Array(generated.text.utf8)))
            refs[v.number] = [.findingsDocument: ref]
        }
        return (files, refs)
    }

    static func insertCustomers(_ customers: [Customer], on sql: any SQLDatabase, now: Date) async throws {
        for chunk in customers.chunked(columns: 8) {
            var insert = InsertRows("customers", ["id", "name", "domain", "tenant_id", "top_parent_id", "subscription_id", "opportunity_id",
                                                  "created_at"], rows: chunk.count)
            for c in chunk {
                insert.values += [c.id, c.name, c.domain, c.tenantID, c.topParentID, c.subscriptionID, c.opportunityID,
                                  now.adding(calendarDays: -500)] as [any StoredValue]
            }
            try await insert.run(on: sql)
        }
    }

    // MARK: Reading it back (for synthetic load on an existing demo)

    static func load(on sql: any SQLDatabase) async throws -> DemoWorld {
        var engagements: [Engagement] = []
        for id in try await sql.raw("SELECT id FROM engagements ORDER BY id").all(decodingColumn: "id", as: Int64.self) {
            if let e = try await CatalogueRepository.engagement(id, on: sql) { engagements.append(e) }
        }
        let calendar = try await CatalogueRepository.program(1, on: sql)?.calendar ?? .mondayToFriday
        var places: [Place] = []
        let reviewerRow = try await sql.raw("SELECT id, name FROM users WHERE vendor_role = 'reviewer' ORDER BY id")
            .first(decoding: UserNameRow.self, with: .snakeCase)
        let reviewer = Actor(role: .reviewer, userID: reviewerRow?.id, name: reviewerRow?.name ?? "Reviewer")
        for id in try await sql.raw("SELECT id FROM locations ORDER BY id").all(decodingColumn: "id", as: Int64.self) {
            guard let location = try await ClaimRepository.location(id, on: sql) else { continue }
            let unmet = Set(try await sql.raw("""
                SELECT engagement_id FROM location_criteria WHERE location_id = \(bind: location.id) AND met = \(bind: false)
                """).all(decodingColumn: "engagement_id", as: Int64.self))
            let listed = Set(try await sql.raw("SELECT engagement_id FROM eligibility_entries WHERE location_id = \(bind: location.id)")
                .all(decodingColumn: "engagement_id", as: Int64.self))
            let claimable = engagements.filter {
                listed.contains($0.id) && !unmet.contains($0.id) && $0.status != .upcoming
                    && $0.currentVersion.rates.rate(for: location.market) != nil
            }
            var admin = Actor(role: .incentivesAdmin, name: "Incentives admin")
            var user: Actor?
            for roleRow in try await sql.raw("""
                SELECT u.id, u.name, r.role FROM user_location_roles r JOIN users u ON u.id = r.user_id
                WHERE r.location_id = \(bind: location.id) ORDER BY u.id
                """).all(decoding: UserRoleRow.self, with: .snakeCase) {
                let actor = Actor(role: ActorRole(rawValue: roleRow.role) ?? .incentivesUser, userID: roleRow.id, name: roleRow.name)
                if actor.role == .incentivesAdmin { admin = actor } else { user = actor }
            }
            places.append(Place(location: location, engagements: claimable, admin: admin, user: user))
        }
        var areaOf: [Int64: Int64] = [:]
        for e in engagements { areaOf[e.id] = e.solutionAreaID }
        return DemoWorld(engagements: engagements, areaOf: areaOf, calendar: calendar, places: places,
                         customersByOrganization: [:], reviewer: reviewer)
    }

    /// A user, by id and name.
    private struct UserNameRow: Decodable {
        var id: Int64
        var name: String
    }

    /// A user with a role on a location.
    private struct UserRoleRow: Decodable {
        var id: Int64
        var name: String
        var role: String
    }

    // MARK: Generating claims

    /// About `count` demo claims covering every status, on eligible locations only, one claim per
    /// customer and engagement.
    func claims(now: Date, count: Int, random: inout SeededRandom) -> [ClaimRecord] {
        var records: [ClaimRecord] = []
        var used = Set<String>()
        let weighted = places.filter { !$0.engagements.isEmpty }.flatMap { place in
            Array(repeating: place, count: place.location.organizationID == 1 ? 2 : 1)
        }
        var i = 0
        var nextID: Int64 = 1
        while records.count < count && i < count * 20 {
            defer { i += 1 }
            let target = ClaimStatus.allCases[i % ClaimStatus.allCases.count]
            let place = random.pick(weighted)
            let fitting = place.engagements.filter { ClaimWalker.reachable($0.role.claimKind).contains(target) }
            guard !fitting.isEmpty, let customers = customersByOrganization[place.location.organizationID] else { continue }
            let engagement = random.pick(fitting)
            guard let customer = customers.shuffled(using: &random).first(where: { !used.contains("\($0.id)-\(engagement.id)") }) else { continue }
            if let record = walk(id: nextID, place: place, engagement: engagement, customer: customer, target: target,
                                 now: now, random: &random) {
                used.insert("\(customer.id)-\(engagement.id)")
                records.append(record)
                nextID += 1
            }
        }
        return records
    }

    /// Synthetic claims for load tests, each on its own new customer.
    func syntheticClaims(firstID: Int64, firstCustomerID: Int64, count: Int, now: Date,
                         random: inout SeededRandom) -> ([ClaimRecord], [Customer]) {
        let usable = places.filter { !$0.engagements.isEmpty }
        var records: [ClaimRecord] = []
        var customers: [Customer] = []
        records.reserveCapacity(count)
        while records.count < count {
            let place = random.pick(usable)
            let engagement = random.pick(place.engagements)
            let targets = ClaimWalker.reachable(engagement.role.claimKind)
            let customerID = firstCustomerID + Int64(customers.count)
            let customer = Customer(id: customerID, name: "Customer \(customerID)", domain: "customer-\(customerID).example",
                                    tenantID: random.uuid())
            if let record = walk(id: firstID + Int64(records.count), place: place, engagement: engagement, customer: customer,
                                 target: random.pick(targets), now: now, random: &random) {
                customers.append(customer)
                records.append(record)
            }
        }
        return (records, customers)
    }

    private func walk(id: Int64, place: Place, engagement: Engagement, customer: Customer, target: ClaimStatus, now: Date,
                      random: inout SeededRandom) -> ClaimRecord? {
        // Claims on an engagement that has since closed were made while it was open.
        var open = engagement
        open.status = .active
        open.lastClaimDay = nil
        let context = ClaimContext(engagement: open, market: place.location.market, calendar: calendar)
        let contactCount = random.chance(0.3) ? 2 : 1
        let domain = customer.domain ?? "customer.example"
        let contacts = (0..<contactCount).map { _ in
            let first = random.pick(DemoCatalogue.firstNames), last = random.pick(DemoCatalogue.lastNames)
            return Contact(name: "\(first) \(last)", title: random.pick(DemoCatalogue.titles),
                           email: "\(first).\(last)@\(domain)".lowercased())
        }
        let cast = ClaimWalker.Cast(partnerAdmin: place.admin, partnerUser: place.user, reviewer: reviewer,
                                    customer: Actor(role: .customer, name: "\(contacts[0].name) <\(contacts[0].email)>"))
        let new = NewClaim(organizationID: place.location.organizationID, locationID: place.location.id, customerID: customer.id,
                           engagementID: engagement.id, name: "\(customer.name) - \(engagement.name)", kind: engagement.role.claimKind)
        return ClaimWalker.walk(claimID: id, new: new, target: target, context: context, cast: cast, contacts: contacts,
                                now: now, random: &random)
    }
}
