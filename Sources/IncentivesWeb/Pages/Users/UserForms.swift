import Foundation
import IncentivesDomain

/// A role on one location, as the role matrix's checkboxes send it: "LOCATION:ROLE".
struct RoleGrant: Hashable, Sendable {
    let location: Int64
    let role: LocationRole

    var value: String { "\(location):\(role.rawValue)" }

    /// Every box's value; nil when one is not understood (it did not come from the page).
    static func parse(_ values: [String]) -> [RoleGrant]? {
        var result: [RoleGrant] = []
        for value in values {
            let parts = value.split(separator: ":")
            guard parts.count == 2, let location = Int64(parts[0]), let role = LocationRole(rawValue: String(parts[1])) else { return nil }
            result.append(RoleGrant(location: location, role: role))
        }
        return result
    }

    /// What to grant and revoke so that `member` holds `wanted` on the locations the admin administers; roles on other
    /// locations are not in the form and stay as they are.
    static func changes(from held: [Int64: Set<LocationRole>], to wanted: [RoleGrant],
                        administered: Set<Int64>) -> (grants: [RoleGrant], revokes: [RoleGrant]) {
        let wantedSet = Set(wanted)
        var grants: [RoleGrant] = []
        var revokes: [RoleGrant] = []
        for location in administered.sorted() {
            for role in LocationRole.allCases {
                let has = held[location]?.contains(role) ?? false
                let want = wantedSet.contains(RoleGrant(location: location, role: role))
                if want && !has { grants.append(RoleGrant(location: location, role: role)) }
                if has && !want { revokes.append(RoleGrant(location: location, role: role)) }
            }
        }
        return (grants, revokes)
    }
}

/// The invitation form of the users page: the values as typed, the roles ticked, and what is wrong with them.
struct InviteForm: Sendable {
    var email: String
    var name: String
    /// The boxes ticked, to tick them again on a page sent back.
    var ticked: Set<String>
    /// The roles asked for; nil when one was not understood.
    var roles: [RoleGrant]?
    var errors: [String: String] = [:]

    init(_ form: FormFields) {
        email = form.text("email")
        name = form.text("name")
        ticked = Set(form.all("role"))
        roles = RoleGrant.parse(form.all("role"))
        if Credentials.normalizedEmail(email) == nil { errors["email"] = "Enter an email address like name@example.com." }
        if name.isEmpty {
            errors["name"] = "Enter the colleague's name."
        } else if let problem = TextRule.personName.problem(with: name) {
            errors["name"] = problem
        }
        if roles == nil {
            errors["roles"] = "A role was not recognised; reload the page and try again."
        } else if roles?.isEmpty == true {
            errors["roles"] = "Choose at least one role on one location."
        }
    }
}

/// The form that accepts an invitation: name, password twice and time zone, checked.
struct AcceptInvitationForm: Sendable {
    var name: String
    var zone: String
    var password: String
    var errors: [String: String] = [:]

    init(_ form: FormFields) {
        name = form.text("name")
        zone = form.text("time_zone")
        password = form["password"] ?? ""
        let confirmation = form["password_confirmation"] ?? ""
        if name.isEmpty {
            errors["name"] = "Enter your name."
        } else if let problem = TextRule.personName.problem(with: name) {
            errors["name"] = problem
        }
        if let problem = Credentials.problem(withPassword: password) {
            errors["password"] = problem
        } else if password != confirmation {
            errors["password"] = "The two passwords differ."
        }
        if TimeZone(identifier: zone) == nil { errors["time_zone"] = "Choose a time zone from the list." }
    }
}
