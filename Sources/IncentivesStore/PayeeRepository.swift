import Foundation
import IncentivesDomain
import SQLKit

/// A bank profile with its full account details, for the Incentives admin's replace form only.
public struct BankProfileRecord: Sendable, Hashable {
    public var id: Int64
    public var organizationID: Int64
    public var holderName: String
    public var bankName: String
    public var country: String
    public var accountNumber: String
    public var routingCode: String?
    public var swiftBIC: String
    public var status: BankProfileStatus
    public var statusReason: String?
    public var replacedBy: Int64?
    public var version: Int64
}

/// A location's enrollment in a program, with what submitting it needs.
public struct EnrollmentLine: Sendable, Hashable {
    public var programID: Int64
    public var programName: String
    public var locationID: Int64
    public var locationName: String
    public var organizationName: String
    public var status: EnrollmentStatus
    public var version: Int64
    public var updatedAt: Date
    /// A bank profile is assigned and the latest tax profile has not expired.
    public var payeeReady: Bool
}

/// Writes of payee profiles and enrollments. Partner writes are limited to the caller's organization and
/// the locations where they hold Incentives admin, in the SQL; anything else answers not found.
public struct PayeeRepository: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// Who did it, for the history.
    public struct Actor: Sendable, Hashable {
        public var userID: Int64?
        public var name: String
        public init(userID: Int64?, name: String) { self.userID = userID; self.name = name }
        public init(_ viewer: Viewer) { self.init(userID: viewer.userID, name: viewer.name) }
    }

    /// Locations on which the viewer may change payee data and enrollment.
    public static func adminLocations(of viewer: Viewer) -> Set<Int64> {
        Set(viewer.locationRoles.filter { $0.value.contains(.incentivesAdmin) }.keys)
    }

    // MARK: Reads

    /// The organization's bank profile with its full details, when the viewer is an Incentives admin who may
    /// replace it (it pays only locations they administer, or none); nil otherwise.
    public func bankProfileForEdit(_ id: Int64, by viewer: Viewer) async throws -> BankProfileRecord? {
        guard let organizationID = viewer.organizationID else { return nil }
        let admin = Self.adminLocations(of: viewer)
        guard !admin.isEmpty else { return nil }
        return try await db.read { sql in
            guard let record = try await Self.bankProfile(id, organizationID: organizationID, on: sql) else { return nil }
            let foreign = try await Self.usersOutside(admin, of: id, on: sql)
            return foreign.isEmpty ? record : nil
        }
    }

    /// Bank profiles of the viewer's organization that may be assigned (not replaced), newest first.
    public func assignableBankProfiles(for viewer: Viewer) async throws -> [BankProfileRecord] {
        guard let organizationID = viewer.organizationID else { return [] }
        return try await db.read { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.bankColumns) FROM bank_profiles
                WHERE organization_id = \(bind: organizationID) AND replaced_by IS NULL ORDER BY created_at DESC, id DESC
                """).all(decoding: BankRecordRow.self, with: .snakeCase).map { try $0.record() }
        }
    }

    /// Enrollments of the scope's locations, by program then location.
    public func enrollments(in scope: AccessScope, now: Date) async throws -> [EnrollmentLine] {
        try await db.read { sql in
            try await sql.raw("""
                SELECT en.program_id, p.name AS program_name, en.location_id, l.name AS location_name, o.name AS organization_name,
                       en.status, en.version, en.updated_at, l.bank_profile_id,
                       (SELECT MAX(t.expires_on) FROM tax_profiles t WHERE t.location_id = l.id) AS tax_expires_on
                FROM enrollments en JOIN programs p ON p.id = en.program_id
                JOIN locations l ON l.id = en.location_id JOIN organizations o ON o.id = l.organization_id
                WHERE \(scope.locationFilter("l"))
                ORDER BY p.name, p.id, o.name, l.name, l.id
                """).all(decoding: EnrollmentLineRow.self, with: .snakeCase).map { try $0.line(now: now) }
        }
    }

    // MARK: Bank profiles (partner)

    /// Adds a company bank profile, pending validation. Returns its id.
    public func addBankProfile(_ details: BankDetails, by viewer: Viewer, now: Date) async throws -> Int64 {
        let organizationID = try Self.requireAdmin(viewer)
        return try await db.write { sql in
            let id = try await Self.insert(details, organizationID: organizationID, now: now, on: sql)
            try await Self.history(organizationID: organizationID, subject: "bank_profile", subjectID: id, locationID: nil, actor: Actor(viewer),
                                   action: "added", from: nil, to: BankProfileStatus.pendingValidation.rawValue, note: nil, now: now, on: sql)
            return id
        }
    }

    /// Replaces a bank profile: the new one starts pending validation, the old one records `replaced_by`
    /// (it is never deleted), and every location paid through the old one moves to the new one, at once.
    public func replaceBankProfile(_ oldID: Int64, with details: BankDetails, by viewer: Viewer, now: Date) async throws -> Int64 {
        let organizationID = try Self.requireAdmin(viewer)
        let admin = Self.adminLocations(of: viewer)
        return try await db.write { sql in
            guard let old = try await Self.bankProfile(oldID, organizationID: organizationID, on: sql, forUpdate: db.flavor == .postgres) else {
                throw StoreError.notFound("No such bank profile.")
            }
            guard try await Self.usersOutside(admin, of: oldID, on: sql).isEmpty else { throw StoreError.notFound("No such bank profile.") }
            guard old.replacedBy == nil else { throw StoreError.conflict("This bank profile was already replaced; reload the page.") }
            let newID = try await Self.insert(details, organizationID: organizationID, now: now, on: sql)
            let marked = try await sql.raw("""
                UPDATE bank_profiles SET replaced_by = \(bind: newID), version = version + 1, updated_at = \(bind: now)
                WHERE id = \(bind: oldID) AND organization_id = \(bind: organizationID) AND version = \(bind: old.version) AND replaced_by IS NULL
                RETURNING id
                """).all()
            guard marked.count == 1 else { throw StoreError.conflict("This bank profile changed meanwhile; reload the page.") }
            try await sql.raw("""
                UPDATE locations SET bank_profile_id = \(bind: newID)
                WHERE bank_profile_id = \(bind: oldID) AND organization_id = \(bind: organizationID)
                """).run()
            try await Self.history(organizationID: organizationID, subject: "bank_profile", subjectID: oldID, locationID: nil, actor: Actor(viewer),
                                   action: "replaced", from: old.status.rawValue, to: old.status.rawValue, note: "Replaced by profile \(newID).", now: now, on: sql)
            try await Self.history(organizationID: organizationID, subject: "bank_profile", subjectID: newID, locationID: nil, actor: Actor(viewer),
                                   action: "added", from: nil, to: BankProfileStatus.pendingValidation.rawValue, note: "Replaces profile \(oldID).", now: now, on: sql)
            return newID
        }
    }

    /// Makes a location (one the viewer administers) paid through one of its organization's current bank profiles.
    public func assign(bankProfile profileID: Int64, toLocation locationID: Int64, by viewer: Viewer, now: Date) async throws {
        let organizationID = try Self.requireAdmin(viewer)
        guard Self.adminLocations(of: viewer).contains(locationID) else { throw StoreError.notFound("No such location.") }
        try await db.write { sql in
            guard let profile = try await Self.bankProfile(profileID, organizationID: organizationID, on: sql) else {
                throw StoreError.notFound("No such bank profile.")
            }
            guard profile.replacedBy == nil else { throw StoreError.invalid(field: "bank_profile_id", "That profile was replaced; choose the newer one.") }
            let updated = try await sql.raw("""
                UPDATE locations SET bank_profile_id = \(bind: profileID)
                WHERE id = \(bind: locationID) AND organization_id = \(bind: organizationID) RETURNING id
                """).all()
            guard updated.count == 1 else { throw StoreError.notFound("No such location.") }
            try await Self.history(organizationID: organizationID, subject: "location", subjectID: locationID, locationID: locationID, actor: Actor(viewer),
                                   action: "bank_profile_assigned", from: nil, to: nil, note: "Bank profile \(profileID).", now: now, on: sql)
        }
    }

    /// The country of a location the viewer administers (tax forms depend on it); nil for any other location.
    public func administeredLocation(_ locationID: Int64, by viewer: Viewer) async throws -> LocationSummary? {
        guard let organizationID = viewer.organizationID, Self.adminLocations(of: viewer).contains(locationID) else { return nil }
        return try await db.read { sql in
            try await sql.raw("""
                SELECT id, name, country FROM locations WHERE id = \(bind: locationID) AND organization_id = \(bind: organizationID)
                """).first(decoding: LocationSummary.self, with: .snakeCase)
        }
    }

    /// Adds (or renews) a location's tax profile; the one with the latest expiry counts.
    public func addTaxProfile(_ details: TaxProfileDetails, toLocation locationID: Int64, by viewer: Viewer, now: Date) async throws -> Int64 {
        let organizationID = try Self.requireAdmin(viewer)
        guard Self.adminLocations(of: viewer).contains(locationID) else { throw StoreError.notFound("No such location.") }
        return try await db.write { sql in
            guard let country = try await sql.raw("""
                SELECT country FROM locations WHERE id = \(bind: locationID) AND organization_id = \(bind: organizationID)
                """).first(decodingColumn: "country", as: String.self) else { throw StoreError.notFound("No such location.") }
            guard details.form == TaxForm.expected(forCountry: country) else {
                throw StoreError.invalid(field: "form", "A location in \(country) files the \(TaxForm.expected(forCountry: country).rawValue).")
            }
            guard let id = try await sql.raw("""
                INSERT INTO tax_profiles (location_id, country, form, tax_id, expires_on, created_at)
                VALUES (\(bind: locationID), \(bind: country), \(bind: details.form.rawValue), \(bind: details.taxID),
                        \(bind: details.expiresOn.description), \(bind: now))
                RETURNING id
                """).first(decodingColumn: "id", as: Int64.self) else { throw StoreError.conflict("The tax profile could not be added.") }
            try await Self.history(organizationID: organizationID, subject: "tax_profile", subjectID: id, locationID: locationID, actor: Actor(viewer),
                                   action: "added", from: nil, to: nil, note: "\(details.form.rawValue), expires \(details.expiresOn).", now: now, on: sql)
            return id
        }
    }

    // MARK: Bank profiles (program manager)

    /// The program manager's decision on a bank profile, saved only over the version the manager saw.
    /// Locations paid through it start (or stop) earning at once: earning is computed from this status.
    public func decide(bankProfile id: Int64, _ decision: BankProfileStatus, reason: String?, expectedVersion: Int64,
                       by viewer: Viewer, now: Date) async throws {
        guard viewer.vendorRole == .programManager else { throw StoreError.notFound("No such bank profile.") }
        try await db.write { sql in
            guard let organizationID = try await sql.raw("""
                SELECT organization_id FROM bank_profiles WHERE id = \(bind: id)
                """).first(decodingColumn: "organization_id", as: Int64.self) else { throw StoreError.notFound("No such bank profile.") }
            guard let current = try await Self.bankProfile(id, organizationID: organizationID, on: sql) else { throw StoreError.notFound("No such bank profile.") }
            guard current.version == expectedVersion else { throw StoreError.conflict("This bank profile changed meanwhile; reload the page.") }
            let (status, statusReason): (BankProfileStatus, String?)
            switch current.status.deciding(decision, reason: reason, replaced: current.replacedBy != nil) {
            case .success(let next): (status, statusReason) = next
            case .failure(let refusal): throw StoreError.invalid(field: decision == .actionRequired ? "reason" : "status", refusal.message)
            }
            let updated = try await sql.raw("""
                UPDATE bank_profiles SET status = \(bind: status.rawValue), status_reason = \(bind: statusReason),
                       version = version + 1, updated_at = \(bind: now)
                WHERE id = \(bind: id) AND version = \(bind: expectedVersion) AND replaced_by IS NULL
                RETURNING id
                """).all()
            guard updated.count == 1 else { throw StoreError.conflict("This bank profile changed meanwhile; reload the page.") }
            try await Self.history(organizationID: organizationID, subject: "bank_profile", subjectID: id, locationID: nil, actor: Actor(viewer),
                                   action: status == .approved ? "approved" : "action_required", from: current.status.rawValue,
                                   to: status.rawValue, note: statusReason, now: now, on: sql)
        }
    }

    // MARK: Enrollment

    /// Takes an enrollment step computed by the domain's state machine, saved over the version shown.
    @discardableResult
    public func changeEnrollment(program programID: Int64, location locationID: Int64, _ action: EnrollmentAction,
                                 expectedVersion: Int64, by viewer: Viewer, now: Date) async throws -> EnrollmentStatus {
        let actor: PayeeActor
        let scope: SQLQueryString
        if viewer.vendorRole == .programManager {
            actor = .programManager; scope = "1 = 1"
        } else {
            let organizationID = try Self.requireAdmin(viewer)
            guard Self.adminLocations(of: viewer).contains(locationID) else { throw StoreError.notFound("No such enrollment.") }
            actor = .incentivesAdmin; scope = "l.organization_id = \(bind: organizationID)"
        }
        return try await db.write { sql in
            guard let row = try await sql.raw("""
                SELECT en.status, en.version, l.organization_id, l.bank_profile_id,
                       (SELECT MAX(t.expires_on) FROM tax_profiles t WHERE t.location_id = l.id) AS tax_expires_on
                FROM enrollments en JOIN locations l ON l.id = en.location_id
                WHERE en.program_id = \(bind: programID) AND en.location_id = \(bind: locationID) AND \(scope)
                """).first(decoding: EnrollmentStepRow.self, with: .snakeCase) else { throw StoreError.notFound("No such enrollment.") }
            let status = try EnrollmentLineRow.status(row.status)
            guard row.version == expectedVersion else {
                throw StoreError.conflict("This enrollment changed meanwhile; reload the page.")
            }
            let ready = EnrollmentLineRow.payeeReady(bankProfileID: row.bankProfileId, taxExpiresOn: row.taxExpiresOn, at: now)
            let next: EnrollmentStatus
            switch status.applying(action, by: actor, payeeReady: ready) {
            case .success(let s): next = s
            case .failure(let refusal): throw StoreError.invalid(field: "action", refusal.message)
            }
            let updated = try await sql.raw("""
                UPDATE enrollments SET status = \(bind: next.rawValue), version = version + 1, updated_at = \(bind: now)
                WHERE program_id = \(bind: programID) AND location_id = \(bind: locationID) AND version = \(bind: expectedVersion)
                RETURNING location_id
                """).all()
            guard updated.count == 1 else { throw StoreError.conflict("This enrollment changed meanwhile; reload the page.") }
            try await Self.history(organizationID: row.organizationId, subject: "enrollment",
                                   subjectID: programID, locationID: locationID, actor: Actor(viewer), action: action.rawValue,
                                   from: status.rawValue, to: next.rawValue, note: nil, now: now, on: sql)
            return next
        }
    }

    // MARK: Helpers

    static let bankColumns = """
        id, organization_id, holder_name, bank_name, country, account_number, routing_code, swift_bic, status, status_reason, replaced_by, version
        """

    static func requireAdmin(_ viewer: Viewer) throws -> Int64 {
        guard let organizationID = viewer.organizationID, !adminLocations(of: viewer).isEmpty else {
            throw StoreError.notFound("No such record.")
        }
        return organizationID
    }

    static func bankProfile(_ id: Int64, organizationID: Int64, on sql: any SQLDatabase, forUpdate: Bool = false) async throws -> BankProfileRecord? {
        try await sql.raw("""
            SELECT \(unsafeRaw: bankColumns) FROM bank_profiles WHERE id = \(bind: id) AND organization_id = \(bind: organizationID)
            \(unsafeRaw: forUpdate ? "FOR UPDATE" : "")
            """).first(decoding: BankRecordRow.self, with: .snakeCase)?.record()
    }

    /// Locations paid through a profile on which the caller holds no Incentives admin role.
    static func usersOutside(_ admin: Set<Int64>, of profileID: Int64, on sql: any SQLDatabase) async throws -> [Int64] {
        try await sql.raw("SELECT id FROM locations WHERE bank_profile_id = \(bind: profileID)").all(decodingColumn: "id", as: Int64.self)
            .filter { !admin.contains($0) }
    }

    static func insert(_ details: BankDetails, organizationID: Int64, now: Date, on sql: any SQLDatabase) async throws -> Int64 {
        guard let id = try await sql.raw("""
            INSERT INTO bank_profiles (organization_id, holder_name, bank_name, country, account_number, routing_code, swift_bic,
                                       status, status_reason, replaced_by, created_at, updated_at, version)
            VALUES (\(bind: organizationID), \(bind: details.holderName), \(bind: details.bankName), \(bind: details.country),
                    \(bind: details.accountNumber), \(bind: details.routingCode), \(bind: details.swiftBIC),
                    \(bind: BankProfileStatus.pendingValidation.rawValue), NULL, NULL, \(bind: now), \(bind: now), 1)
            RETURNING id
            """).first(decodingColumn: "id", as: Int64.self) else { throw StoreError.conflict("The bank profile could not be added.") }
        return id
    }

    static func history(organizationID: Int64, subject: String, subjectID: Int64, locationID: Int64?, actor: Actor, action: String,
                        from: String?, to: String?, note: String?, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO payee_history (organization_id, subject, subject_id, location_id, at, actor_user_id, actor_name, action,
                                       from_status, to_status, note)
            VALUES (\(bind: organizationID), \(bind: subject), \(bind: subjectID), \(bind: locationID), \(bind: now), \(bind: actor.userID),
                    \(bind: actor.name), \(bind: action), \(bind: from), \(bind: to), \(bind: note))
            """).run()
    }
}

// MARK: Rows

/// A `bank_profiles` row (`PayeeRepository.bankColumns`).
private struct BankRecordRow: Decodable {
    var id: Int64
    var organizationId: Int64
    var holderName: String
    var bankName: String
    var country: String
    var accountNumber: String
    var routingCode: String?
    var swiftBic: String
    var status: String
    var statusReason: String?
    var replacedBy: Int64?
    var version: Int64

    func record() throws -> BankProfileRecord {
        guard let status = BankProfileStatus(rawValue: status) else { throw StoreError.corrupt("Bank profile \(id) holds an unknown status.") }
        return BankProfileRecord(
            id: id, organizationID: organizationId, holderName: holderName, bankName: bankName, country: country,
            accountNumber: accountNumber, routingCode: routingCode, swiftBIC: swiftBic, status: status, statusReason: statusReason,
            replacedBy: replacedBy, version: version)
    }
}

/// An enrollment with its program's, location's and organization's names and its location's payee facts.
private struct EnrollmentLineRow: Decodable {
    var programId: Int64
    var programName: String
    var locationId: Int64
    var locationName: String
    var organizationName: String
    var status: String
    var version: Int64
    var updatedAt: Date
    var bankProfileId: Int64?
    var taxExpiresOn: String?

    func line(now: Date) throws -> EnrollmentLine {
        EnrollmentLine(
            programID: programId, programName: programName, locationID: locationId, locationName: locationName,
            organizationName: organizationName, status: try Self.status(status), version: version, updatedAt: updatedAt,
            payeeReady: Self.payeeReady(bankProfileID: bankProfileId, taxExpiresOn: taxExpiresOn, at: now))
    }

    static func status(_ raw: String) throws -> EnrollmentStatus {
        guard let status = EnrollmentStatus(rawValue: raw) else { throw StoreError.corrupt("An enrollment holds an unknown status (\(raw)).") }
        return status
    }

    /// A bank profile is assigned and the latest tax profile has not expired.
    static func payeeReady(bankProfileID: Int64?, taxExpiresOn: String?, at now: Date) -> Bool {
        bankProfileID != nil && taxExpiresOn.flatMap { DayDate($0) }.map { now < $0.endUTC } == true
    }
}

/// An enrollment about to take a step: its status and version, and its location's organization and payee facts.
private struct EnrollmentStepRow: Decodable {
    var status: String
    var version: Int64
    var organizationId: Int64
    var bankProfileId: Int64?
    var taxExpiresOn: String?
}
