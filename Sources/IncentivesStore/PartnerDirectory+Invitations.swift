import Foundation
import IncentivesDomain
import SQLKit

/// What inviting one location to enroll came to: invited, reminded, or why not.
public struct EnrollmentInviteOutcome: Sendable, Hashable {
    public var locationID: Int64
    public var locationName: String
    public var invitation: PartnerRules.EnrollmentInvitation?
    public var refusal: String?
}

/// Whom an invitation email goes to (a first admin, or a location's Incentives admin asked to enroll it).
public struct EnrollmentInvitee: Sendable, Hashable {
    public var email: String
    public var name: String
    public var organization: String
    /// The location and the program of an enrollment invitation; empty for a first admin's.
    public var location: String
    public var program: String
}

/// The first account admin's invitation and the enrollment invitations.
extension PartnerDirectory {
    /// Creates the organization's first account admin, holding account admin and Incentives admin on every active location,
    /// and invites them with the users' invitation flow (the email in the outbox, accepted at `/invitations/{token}`).
    /// Returns the link's secret. Refused once an account admin of the organization has accepted, or for an email taken.
    public func inviteFirstAdmin(organization organizationID: Int64, email: String, name: String, by viewer: Viewer, now: Date,
                                 validFor: TimeInterval = 7 * 86_400,
                                 mail: (@Sendable (_ secret: String, _ invitee: EnrollmentInvitee) -> MailMessage)? = nil)
        async throws -> String {
        try Self.requireManager(viewer)
        let secret = Secret.make()
        try await db.write { [db] sql in
            let organization = try await Self.lockedOrganization(organizationID, on: sql, flavor: db.flavor)
            let active = organization.locations.filter { $0.deactivation == nil }
            let admins = try await sql.raw("""
                SELECT DISTINCT u.name FROM users u JOIN user_location_roles r ON r.user_id = u.id
                WHERE u.organization_id = \(bind: organizationID) AND r.role = 'account_admin' AND u.password_hash IS NOT NULL ORDER BY u.name
                """).all(decodingColumn: "name", as: String.self)
            try PartnerRules.checkFirstAdmin(organization: organization.deactivation, activeLocations: active.count, acceptedAdmins: admins)
            let userID = try await UserRepository.insertUser(email: email, name: name, organizationID: organizationID, vendorRole: nil,
                                                             passwordHash: nil, now: now, on: sql)
            for location in active {
                for role in [LocationRole.accountAdmin, .incentivesAdmin] {
                    try await sql.raw("""
                        INSERT INTO user_location_roles (user_id, location_id, role)
                        VALUES (\(bind: userID), \(bind: location.id), \(bind: role.rawValue))
                        """).run()
                }
            }
            try await UserRepository.insertInvitation(secret: secret, userID: userID, invitedBy: viewer.userID, now: now, validFor: validFor, on: sql)
            let invitee = try await UserRepository.records(where: "u.id = \(bind: userID)", on: sql).first
            // The address as stored (trimmed, lower-cased), as the invitation page shows it.
            if let mail, let invitee {
                let to = EnrollmentInvitee(email: invitee.email, name: invitee.name, organization: organization.name, location: "", program: "")
                try await Outbox.enqueue(mail(secret, to), now: now, on: sql)
            }
            try await ProgramChanges.record(ProgramChange(
                by: viewer, at: now, subject: .organization, subjectID: organizationID, action: "admin_invited", organizationID: organizationID,
                detail: "\(invitee?.name ?? name) <\(invitee?.email ?? email)>: account admin and Incentives admin on \(active.count) location"
                    + (active.count == 1 ? "" : "s")), on: sql)
        }
        return secret
    }

    /// Invites each location of the organization to enroll in the program, each on its own (one transaction each): a
    /// refusal of one leaves the others invited. The location's Incentives admins are emailed (`mail`).
    public func inviteToEnroll(organization organizationID: Int64, locations locationIDs: [Int64], by viewer: Viewer, now: Date,
                               mail: @escaping @Sendable (EnrollmentInvitee) -> MailMessage) async throws -> [EnrollmentInviteOutcome] {
        try Self.requireManager(viewer)
        try PartnerRules.checkInvited(locationIDs.count)
        var outcomes: [EnrollmentInviteOutcome] = []
        for id in Array(Set(locationIDs)).sorted() {
            outcomes.append(try await db.write { [db] sql in
                let organization = try await Self.lockedOrganization(organizationID, on: sql, flavor: db.flavor)
                guard let location = organization.locations.first(where: { $0.id == id }) else {
                    throw StoreError.notFound("No such location in this organization.")
                }
                guard let program = try await Self.program(on: sql) else {
                    throw PartnerRefusal("There is no program yet: set it up before inviting locations to enroll.")
                }
                do {
                    let invitation = try PartnerRules.enrollmentInvitation(
                        current: location.enrollments[program.id], location: location.deactivation, organization: organization.deactivation,
                        incentivesAdmins: location.incentivesAdmins)
                    try await Self.invite(location, organization: organization.name, program: program, invitation, by: viewer, now: now,
                                          mail: mail, on: sql)
                    return EnrollmentInviteOutcome(locationID: id, locationName: location.name, invitation: invitation)
                } catch let refusal as PartnerRefusal {
                    return EnrollmentInviteOutcome(locationID: id, locationName: location.name, refusal: refusal.message)
                }
            })
        }
        return outcomes
    }

    private static func invite(_ location: PartnerLocation, organization: String, program: (id: Int64, name: String),
                               _ invitation: PartnerRules.EnrollmentInvitation, by viewer: Viewer, now: Date,
                               mail: @Sendable (EnrollmentInvitee) -> MailMessage, on sql: any SQLDatabase) async throws {
        if invitation == .invite {
            try await sql.raw("""
                INSERT INTO enrollments (program_id, location_id, status, updated_at, version)
                VALUES (\(bind: program.id), \(bind: location.id), \(bind: EnrollmentStatus.invited.rawValue), \(bind: now), 1)
                """).run()
        }
        let admins = try await sql.raw("""
            SELECT u.email, u.name FROM users u JOIN user_location_roles r ON r.user_id = u.id
            WHERE r.location_id = \(bind: location.id) AND r.role = 'incentives_admin' ORDER BY u.email
            """).all(decoding: AdminRow.self)
        for admin in admins {
            let invitee = EnrollmentInvitee(email: admin.email, name: admin.name, organization: organization, location: location.name,
                                            program: program.name)
            try await Outbox.enqueue(mail(invitee), now: now, on: sql)
        }
        try await ProgramChanges.record(ProgramChange(
            by: viewer, at: now, subject: .enrollment, subjectID: location.id, action: invitation == .invite ? "invited" : "reminded",
            organizationID: location.organizationID, locationID: location.id,
            detail: "\(location.name) invited to enroll in \(program.name); emailed \(admins.map(\.email).joined(separator: ", "))"), on: sql)
    }
}

private struct AdminRow: Decodable {
    var email: String
    var name: String
}
