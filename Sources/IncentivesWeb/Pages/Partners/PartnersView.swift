import Foundation
import IncentivesDomain
import IncentivesStore

/// `/partners`: the vendor's partner organizations with their locations and counts, searched by name and filtered
/// by active or deactivated; the program manager adds one from here.
struct PartnerListView: PageView {
    struct Line: Sendable {
        let name: String
        let href: String
        let locations: String
        let users: Int
        let openClaims: Int
        let deactivated: String?
    }

    struct FilterOption: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    let shell: Shell
    let organizations: [Line]
    let hasOrganizations: Bool
    /// What to do next when the list is empty.
    let empty: String
    let search: String
    let filters: [FilterOption]
    let searchAction: String
    let canChange: Bool
    let newHref: String

    init(_ summaries: [PartnerSummary], search: String, filter: PartnerFilter, input: PageInput) {
        shell = Shell(input, title: "Partners", section: .partners)
        organizations = summaries.map { summary in
            let off = summary.locations.filter { $0.deactivation != nil }.count
            return Line(name: summary.name, href: SitePath.partner(.id(summary.id)).href(),
                        locations: "\(summary.locations.count)" + (off > 0 ? " (\(off) deactivated)" : ""),
                        users: summary.users, openClaims: summary.openClaims,
                        deactivated: summary.deactivation.map { "Deactivated \(input.times.date($0.at))" })
        }
        hasOrganizations = !summaries.isEmpty
        canChange = input.viewer?.vendorRole == .programManager
        let filtered = !search.isEmpty || filter != .all
        empty = filtered ? "No partner organization matches. Clear the search or show all."
            : canChange ? "No partners yet. Add the first partner organization." : "No partners yet. The program manager adds them."
        self.search = search
        filters = [(PartnerFilter.all, "All"), (.active, "Active"), (.deactivated, "Deactivated")].map {
            FilterOption(value: $0.0.rawValue, label: $0.1, selected: $0.0 == filter)
        }
        searchAction = SitePath.partners.href()
        newHref = SitePath.newPartner.href()
    }
}

/// `/partners/new` and `/partners/{id}/edit`: the organization's name.
struct PartnerFormView: PageView {
    let shell: Shell
    let heading: String
    let button: String
    let action: String
    let backHref: String
    let name: FormFieldView
    let formError: Bool
    let message: String?

    /// The form to add an organization (`id` nil) or rename one.
    init(id: Int64?, currentName: String?, form: PartnerForm, input: PageInput) {
        if let id, let currentName {
            shell = Shell(input, title: "Rename \(currentName)", section: .partners,
                          trail: [(currentName, SitePath.partner(.id(id)).href()), ("Rename", nil)])
            heading = "Rename \(currentName)"
            button = "Save name"
            action = SitePath.partnerEdit(.id(id)).href()
            backHref = SitePath.partner(.id(id)).href()
        } else {
            shell = Shell(input, title: "Add partner organization", section: .partners, trail: [("Add partner organization", nil)])
            heading = "Add partner organization"
            button = "Add organization"
            action = SitePath.newPartner.href()
            backHref = SitePath.partners.href()
        }
        name = form.field("name", "Organization name")
        formError = form.hasErrors
        message = form.message
    }
}
