import Foundation
import IncentivesDomain
import IncentivesStore

/// `/partners/{id}`: one organization with its locations (country, market, enrollment, deactivated), its users and its
/// history, and the program manager's forms: add a location, invite the first admin, invite locations to enroll,
/// deactivate or reactivate. A form sent back carries what was typed and its errors.
struct PartnerView: PageView {
    struct LocationLine: Sendable {
        let id: Int64
        let name: String
        let country: String
        let market: String
        let enrollment: String
        let deactivated: String?
        let href: String
        let checkboxID: String
    }

    struct UserLine: Sendable {
        let name: String
        let email: String
        let roles: String
        let invited: Bool
        let resendAction: String
    }

    struct HistoryLine: Sendable {
        let at: String
        let who: String
        let what: String
    }

    let shell: Shell
    let name: String
    let since: String
    let deactivated: String?
    let canChange: Bool
    let locations: [LocationLine]
    let hasLocations: Bool
    let users: [UserLine]
    let hasUsers: Bool
    let history: [HistoryLine]
    let hasHistory: Bool
    let program: String?
    /// The first admin's form shows until an account admin of the organization has accepted.
    let invitesFirstAdmin: Bool
    let editHref: String
    let addLocationAction: String
    let adminAction: String
    let enrollAction: String
    let deactivateAction: String
    let reactivateAction: String
    let locationName: FormFieldView
    let locationCountry: FormFieldView
    let adminName: FormFieldView
    let adminEmail: FormFieldView
    let reason: FormFieldView
    /// Per form: whether it was sent back, and its refusal about no field.
    let locationFormError: Bool
    let adminFormError: Bool
    let adminMessage: String?
    let deactivateFormError: Bool
    let deactivateMessage: String?
    let enrollmentMessage: String?

    init(_ file: PartnerFile, form: PartnerForm? = nil, input: PageInput) {
        let summary = file.summary
        let id = summary.id
        shell = Shell(input, title: summary.name, section: .partners, trail: [(summary.name, nil)])
        name = summary.name
        since = input.times.date(summary.createdAt)
        deactivated = summary.deactivation.map { "Deactivated \(input.times.date($0.at)): \($0.reason)" }
        canChange = input.viewer?.vendorRole == .programManager
        locations = summary.locations.map { location in
            LocationLine(id: location.id, name: location.name, country: location.country, market: location.market.label,
                         enrollment: file.program.flatMap { location.enrollments[$0.id]?.label } ?? "Not invited",
                         deactivated: location.deactivation.map { "Deactivated: \($0.reason)" },
                         href: SitePath.partnerLocation(.id(id), location: .id(location.id)).href(), checkboxID: "enroll-\(location.id)")
        }
        hasLocations = !locations.isEmpty
        let names = Dictionary(uniqueKeysWithValues: summary.locations.map { ($0.id, $0.name) })
        users = file.users.map { user in
            UserLine(name: user.name, email: user.email, roles: MemberLine.roles(of: user, names: names),
                     invited: !user.hasPassword, resendAction: SitePath.partnerInvitation(.id(id), user: .id(user.id)).href())
        }
        hasUsers = !users.isEmpty
        history = file.history.reversed().map { change in
            HistoryLine(at: input.times.dateTime(change.at), who: change.actorName,
                        what: Self.words(change) + (change.detail.map { ": \($0)" } ?? ""))
        }
        hasHistory = !history.isEmpty
        program = file.program?.name
        // Shown while no account admin has accepted, and whenever the form comes back with why it was refused.
        invitesFirstAdmin = form?.kind == .admin || summary.deactivation == nil && !file.users.contains { user in
            user.hasPassword && user.roles.values.contains { $0.contains(.accountAdmin) }
        }
        editHref = SitePath.partnerEdit(.id(id)).href()
        addLocationAction = SitePath.partnerLocations(.id(id)).href()
        adminAction = SitePath.partnerAdmin(.id(id)).href()
        enrollAction = SitePath.partnerEnrollment(.id(id)).href()
        deactivateAction = SitePath.partnerDeactivate(.id(id)).href()
        reactivateAction = SitePath.partnerReactivate(.id(id)).href()
        let sent = form ?? PartnerForm(.enrollment)
        func part(_ kind: PartnerForm.Kind) -> PartnerForm { sent.kind == kind ? sent : PartnerForm(kind) }
        locationName = part(.location).field("name", "Location name")
        locationCountry = part(.location).field("country", "Country (two-letter code, like DE)")
        adminName = part(.admin).field("name", "Name")
        adminEmail = part(.admin).field("email", "Email")
        reason = part(.deactivate).field("reason", "Reason")
        locationFormError = part(.location).hasErrors
        adminFormError = part(.admin).hasErrors
        adminMessage = part(.admin).message
        deactivateFormError = part(.deactivate).hasErrors
        deactivateMessage = part(.deactivate).message
        enrollmentMessage = part(.enrollment).message
    }

    /// "Location created", "Enrollment invited", "Organization admin invited".
    static func words(_ change: ProgramChange) -> String {
        let subject = change.subject.rawValue.replacingOccurrences(of: "_", with: " ").capitalizedFirst
        return "\(subject) \(change.action.replacingOccurrences(of: "_", with: " "))"
    }
}

/// `/partners/{id}/locations/{location}`: a location's name and country, and its deactivation.
struct PartnerLocationView: PageView {
    let shell: Shell
    let name: String
    let market: String
    let deactivated: String?
    let action: String
    let deactivateAction: String
    let reactivateAction: String
    let backHref: String
    let nameField: FormFieldView
    let countryField: FormFieldView
    let reason: FormFieldView
    let formError: Bool
    let message: String?
    let deactivateFormError: Bool
    let deactivateMessage: String?

    init(_ location: PartnerLocation, organization: String, form: PartnerForm? = nil, input: PageInput) {
        let (id, at) = (location.organizationID, location.id)
        shell = Shell(input, title: location.name, section: .partners,
                      trail: [(organization, SitePath.partner(.id(id)).href()), (location.name, nil)])
        name = location.name
        market = "\(location.country), \(location.market.label)"
        deactivated = location.deactivation.map { "Deactivated \(input.times.date($0.at)): \($0.reason)" }
        action = SitePath.partnerLocation(.id(id), location: .id(at)).href()
        deactivateAction = SitePath.partnerLocationDeactivate(.id(id), location: .id(at)).href()
        reactivateAction = SitePath.partnerLocationReactivate(.id(id), location: .id(at)).href()
        backHref = SitePath.partner(.id(id)).href()
        let edit = form?.kind == .location ? form! : PartnerForm(.location, values: ["name": location.name, "country": location.country])
        let off = form?.kind == .deactivate ? form! : PartnerForm(.deactivate)
        nameField = edit.field("name", "Location name")
        countryField = edit.field("country", "Country (two-letter code, like DE)")
        reason = off.field("reason", "Reason")
        formError = edit.hasErrors
        message = edit.message
        deactivateFormError = off.hasErrors
        deactivateMessage = off.message
    }
}

private extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
